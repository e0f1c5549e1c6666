/* SPDX-License-Identifier: MIT */
#include "container/container_env.h"

#include "base/json.h"
#include "base/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXCERPT_MAX 64

/* Hand the text over (an empty one is still allocated), or -ENOMEM. */
static int buf_finish(struct strbuf *b, char **ret) {
        *ret = strbuf_take(b);
        return *ret ? 0 : -ENOMEM;
}

void container_env_diags_free(struct container_env_diags *diags) {
        for (size_t i = 0; i < diags->n; i++)
                free(diags->v[i]);
        free(diags->v);
        diags->v = NULL;
        diags->n = 0;
}

static int diag_add(struct container_env_diags *diags, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int diag_add(struct container_env_diags *diags, const char *format, ...) {
        char **v;
        char *message;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        v = realloc(diags->v, (diags->n + 1) * sizeof(char *));
        if (!v) {
                free(message);
                return -ENOMEM;
        }
        v[diags->n++] = message;
        diags->v = v;
        return 0;
}

/* A name as it may be shown in a message: control bytes and '\' as \xNN,
 * cut after EXCERPT_MAX bytes. Names come from outside. */
static const char *excerpt(const char *name, size_t len, char buf[static EXCERPT_MAX * 4 + 4]) {
        size_t used = 0;
        for (size_t i = 0; i < len && i < EXCERPT_MAX; i++) {
                unsigned char c = (unsigned char)name[i];
                if (c < 0x20 || c == 0x7f || c == '\\')
                        used += (size_t)sprintf(buf + used, "\\x%02x", c);
                else
                        buf[used++] = (char)c;
        }
        if (len > EXCERPT_MAX)
                used += (size_t)sprintf(buf + used, "...");
        buf[used] = '\0';
        return buf;
}

void container_env_files_free(struct container_env_file **files, size_t *n) {
        for (size_t i = 0; i < *n; i++) {
                free((char *)(*files)[i].name);
                free((char *)(*files)[i].content);
        }
        free(*files);
        *files = NULL;
        *n = 0;
}

void container_env_list_free(char ***env, size_t *n) {
        for (size_t i = 0; i < *n; i++)
                free((*env)[i]);
        free(*env);
        *env = NULL;
        *n = 0;
}

bool container_env_is_skipped(const char *name, size_t len) {
        /* my_init export_envvars(): the account of whoever runs the dump
         * must not leak into every later process (SPEC §9). */
        static const char *const skipped[] = { "HOME", "USER", "GROUP", "UID", "GID", "SHELL" };
        for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
                if (strlen(skipped[i]) == len && memcmp(skipped[i], name, len) == 0)
                        return true;
        return false;
}

bool container_env_name_is_valid(const char *name, size_t len) {
        if (len == 0 || len > CONTAINER_ENV_NAME_MAX)
                return false;
        if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)name[i];
                /* '=' ends a name (POSIX XBD 8.1); '/' and NUL cannot be in
                 * a file name; control bytes would corrupt every dump. */
                if (c == '=' || c == '/' || c < 0x20 || c == 0x7f)
                        return false;
        }
        return true;
}

int container_env_shell_name(const char *name, size_t len, char **ret_name) {
        bool digit_first;
        char *s;

        if (len == 0)
                return -EINVAL;
        digit_first = name[0] >= '0' && name[0] <= '9';
        s = malloc(len + 1 + digit_first);
        if (!s)
                return -ENOMEM;
        if (digit_first)
                s[0] = '_';
        for (size_t i = 0; i < len; i++) {
                char c = name[i];
                bool word = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                s[i + digit_first] = word ? c : '_';   /* my_init: re.sub(r'\W', '_', name) */
        }
        s[len + digit_first] = '\0';
        *ret_name = s;
        return 0;
}

/* ---- import ---- */

static int compare_file_index(const void *a, const void *b, void *files) {
        const struct container_env_file *f = files;
        size_t i = *(const size_t *)a, j = *(const size_t *)b;
        int c = strcmp(f[i].name, f[j].name);
        return c ? c : (i > j) - (i < j);
}

/* Why a file cannot become a variable, or NULL when it can. */
static const char *import_refusal(const struct container_env_file *file, size_t value_size) {
        size_t name_len = strlen(file->name);
        if (!container_env_name_is_valid(file->name, name_len))
                return "not a valid environment variable name";
        if (value_size > 0 && memchr(file->content, '\0', value_size))
                return "content has a NUL byte, which no environment value can hold";
        if (name_len + 1 + value_size + 1 > CONTAINER_ENV_ASSIGNMENT_MAX)
                return "value is longer than execve(2) accepts (MAX_ARG_STRLEN)";
        return NULL;
}

/* The value of a file: its content less one trailing '\n' (my_init,
 * phusion/baseimage-docker#49). */
static size_t import_value_size(const struct container_env_file *file) {
        size_t size = file->content ? file->size : 0;
        return size > 0 && file->content[size - 1] == '\n' ? size - 1 : size;
}

int container_env_import(const char *dir, const struct container_env_file *files, size_t n_files,
                         char ***ret_env, size_t *ret_n, struct container_env_diags *diags) {
        size_t *order = malloc((n_files + 1) * sizeof(size_t));
        char **env = calloc(n_files + 1, sizeof(char *));
        size_t n = 0;
        char shown[EXCERPT_MAX * 4 + 4];
        int r = 0;

        if (!order || !env) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n_files; i++)
                order[i] = i;
        qsort_r(order, n_files, sizeof(size_t), compare_file_index, (void *)files);

        for (size_t k = 0; k < n_files; k++) {
                const struct container_env_file *f = &files[order[k]];
                size_t value_size = import_value_size(f);
                const char *why = import_refusal(f, value_size);
                size_t name_len = strlen(f->name);

                if (why) {
                        r = diag_add(diags, "%s/%s: %s, ignoring", dir, excerpt(f->name, name_len, shown), why);
                        if (r < 0)
                                goto fail;
                        continue;
                }
                /* A name given twice (not from one directory): the last one
                 * that is not refused wins, as in my_init's
                 * new_env[name] = value. */
                bool later = false;
                for (size_t j = k + 1; !later && j < n_files && strcmp(files[order[j]].name, f->name) == 0; j++)
                        later = !import_refusal(&files[order[j]], import_value_size(&files[order[j]]));
                if (later)
                        continue;
                char *a = malloc(name_len + 1 + value_size + 1);
                if (!a) {
                        r = -ENOMEM;
                        goto fail;
                }
                memcpy(a, f->name, name_len);
                a[name_len] = '=';
                if (value_size > 0)
                        memcpy(a + name_len + 1, f->content, value_size);
                a[name_len + 1 + value_size] = '\0';
                env[n++] = a;
        }
        free(order);
        *ret_env = env;
        *ret_n = n;
        return 0;
fail:
        free(order);
        container_env_list_free(&env, &n);
        return r;
}

/* ---- export ---- */

struct entry {
        const char *name;     /* points into env; not NUL-terminated at name_len */
        size_t name_len;
        const char *value;
        size_t index;         /* in env, to keep the first of a repeated name */
};

static int compare_entry(const void *a, const void *b) {
        const struct entry *x = a, *y = b;
        size_t len = x->name_len < y->name_len ? x->name_len : y->name_len;
        int c = memcmp(x->name, y->name, len);
        if (c)
                return c;
        if (x->name_len != y->name_len)
                return x->name_len < y->name_len ? -1 : 1;
        return (x->index > y->index) - (x->index < y->index);
}

/* The variables to dump: with '=' and a non-empty name, not on the skip
 * list, first of a repeated name, sorted by name. */
static int collect(char *const *env, struct entry **ret, size_t *ret_n) {
        size_t total = 0, n = 0;
        struct entry *v;

        while (env && env[total])
                total++;
        v = malloc((total + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < total; i++) {
                const char *eq = strchr(env[i], '=');
                if (!eq || eq == env[i] || container_env_is_skipped(env[i], (size_t)(eq - env[i])))
                        continue;
                v[n++] = (struct entry){ env[i], (size_t)(eq - env[i]), eq + 1, i };
        }
        qsort(v, n, sizeof(*v), compare_entry);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
                if (kept == 0 || v[kept - 1].name_len != v[i].name_len ||
                    memcmp(v[kept - 1].name, v[i].name, v[i].name_len) != 0)
                        v[kept++] = v[i];
        *ret = v;
        *ret_n = kept;
        return 0;
}

static char *copy_with_tail(const char *s, size_t len, const char *tail) {
        size_t tail_len = strlen(tail);
        char *d = malloc(len + tail_len + 1);
        if (!d)
                return NULL;
        memcpy(d, s, len);
        memcpy(d + len, tail, tail_len + 1);
        return d;
}

int container_env_export_dir(char *const *env, struct container_env_file **ret_files, size_t *ret_n,
                             struct container_env_diags *diags) {
        struct container_env_file *files = NULL;
        struct entry *v;
        size_t n_v, n = 0;
        char shown[EXCERPT_MAX * 4 + 4];
        int r = collect(env, &v, &n_v);

        if (r < 0)
                return r;
        files = calloc(n_v + 1, sizeof(*files));
        if (!files)
                goto nomem;
        for (size_t i = 0; i < n_v; i++) {
                const struct entry *e = &v[i];
                size_t value_len = strlen(e->value);
                if (!container_env_name_is_valid(e->name, e->name_len)) {
                        if (diag_add(diags, "variable %s: not a valid file name, left out of the directory",
                                     excerpt(e->name, e->name_len, shown)) < 0)
                                goto nomem;
                        continue;
                }
                /* Import strips one '\n'; give it one to strip, so that a
                 * value ending in '\n' survives export -> import. */
                bool newline = value_len > 0 && e->value[value_len - 1] == '\n';
                files[n].name = copy_with_tail(e->name, e->name_len, "");
                files[n].content = copy_with_tail(e->value, value_len, newline ? "\n" : "");
                files[n].size = value_len + newline;
                n++;
                if (!files[n - 1].name || !files[n - 1].content)
                        goto nomem;
        }
        free(v);
        *ret_files = files;
        *ret_n = n;
        return 0;
nomem:
        free(v);
        if (files)
                container_env_files_free(&files, &n);
        return -ENOMEM;
}

/* Single quotes keep every byte but ' itself, which is closed, escaped and
 * reopened: '\'' (POSIX XCU 2.2.2, 2.2.1). */
static void put_shell_quoted(struct strbuf *b, const char *s) {
        strbuf_putc(b, '\'');
        for (const char *p = s; *p; p++) {
                const char *q = strchr(p, '\'');
                size_t len = q ? (size_t)(q - p) : strlen(p);
                strbuf_put(b, p, len);
                if (!q)
                        break;
                strbuf_puts(b, "'\\''");
                p = q;
        }
        strbuf_putc(b, '\'');
}

struct shell_slot {
        char *shell_name;
        size_t entry;          /* index in the sorted entries */
        bool exact;            /* the name was already a shell identifier */
        bool kept;
};

static int compare_slot(const void *a, const void *b) {
        const struct shell_slot *x = a, *y = b;
        int c = strcmp(x->shell_name, y->shell_name);
        if (c)
                return c;
        if (x->exact != y->exact)
                return x->exact ? -1 : 1;
        return (x->entry > y->entry) - (x->entry < y->entry);
}

static int compare_slot_entry(const void *a, const void *b) {
        const struct shell_slot *x = a, *y = b;
        return (x->entry > y->entry) - (x->entry < y->entry);
}

/* Decide the shell name of every entry and which ones collide. */
static int shell_slots(const struct entry *v, size_t n, struct shell_slot *slots,
                       struct container_env_diags *diags) {
        char shown[EXCERPT_MAX * 4 + 4];
        int r;

        for (size_t i = 0; i < n; i++) {
                r = container_env_shell_name(v[i].name, v[i].name_len, &slots[i].shell_name);
                if (r < 0)
                        return r;
                slots[i].entry = i;
                slots[i].exact = strlen(slots[i].shell_name) == v[i].name_len &&
                                 memcmp(slots[i].shell_name, v[i].name, v[i].name_len) == 0;
        }
        qsort(slots, n, sizeof(*slots), compare_slot);
        for (size_t i = 0; i < n; i++) {
                slots[i].kept = i == 0 || strcmp(slots[i - 1].shell_name, slots[i].shell_name) != 0;
                if (slots[i].kept)
                        continue;
                const struct entry *e = &v[slots[i].entry];
                r = diag_add(diags, "variable %s: its shell name %s is taken by another variable, left out of the .sh",
                             excerpt(e->name, e->name_len, shown), slots[i].shell_name);
                if (r < 0)
                        return r;
        }
        qsort(slots, n, sizeof(*slots), compare_slot_entry);
        return 0;
}

int container_env_export_sh(char *const *env, char **ret_text, struct container_env_diags *diags) {
        struct shell_slot *slots = NULL;
        struct strbuf b = { 0 };
        struct entry *v;
        size_t n;
        int r = collect(env, &v, &n);

        if (r < 0)
                return r;
        slots = calloc(n + 1, sizeof(*slots));
        r = slots ? shell_slots(v, n, slots, diags) : -ENOMEM;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (!slots[i].kept)
                        continue;
                strbuf_puts(&b, "export ");
                strbuf_puts(&b, slots[i].shell_name);
                strbuf_putc(&b, '=');
                put_shell_quoted(&b, v[i].value);
                strbuf_putc(&b, '\n');
        }
        for (size_t i = 0; slots && i < n; i++)
                free(slots[i].shell_name);
        free(slots);
        free(v);
        if (r < 0) {
                free(b.s);
                return r;
        }
        return buf_finish(&b, ret_text);
}

/* A JSON string of s[0..len): each byte outside valid UTF-8 as its
 * Latin-1 code point (see the header). */
static void put_json_string(struct strbuf *b, const char *s, size_t len) {
        static const struct json_style style = { JSON_INVALID_LATIN1, JSON_SHORT_NRT | JSON_SHORT_BF };
        json_strbuf_string(b, s, len, style);
}

int container_env_export_json(char *const *env, char **ret_text) {
        struct strbuf b = { 0 };
        struct entry *v;
        size_t n;
        int r = collect(env, &v, &n);

        if (r < 0)
                return r;
        strbuf_putc(&b, '{');
        for (size_t i = 0; i < n; i++) {
                strbuf_puts(&b, i ? ",\n  " : "\n  ");
                put_json_string(&b, v[i].name, v[i].name_len);
                strbuf_puts(&b, ": ");
                put_json_string(&b, v[i].value, strlen(v[i].value));
        }
        strbuf_puts(&b, n ? "\n}\n" : "}\n");
        free(v);
        return buf_finish(&b, ret_text);
}
