/* SPDX-License-Identifier: MIT */
#include "unit/tmpfiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tmpfiles_dirs[TMPFILES_N_DIRS] = { "/etc/tmpfiles.d", "/run/tmpfiles.d",
                                                     "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d",
                                                     "/lib/tmpfiles.d" };

#define WHITESPACE " \t"

void tmpfiles_list_free(struct tmpfiles_list *list) {
        for (size_t i = 0; i < list->n; i++) {
                free(list->v[i].path);
                free(list->v[i].user);
                free(list->v[i].group);
                free(list->v[i].argument);
        }
        free(list->v);
        list->v = NULL;
        list->n = 0;
}

bool tmpfiles_name_is_config(const char *name) {
        size_t n = strlen(name);
        return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".conf") == 0;
}

/* Specifiers (tmpfiles.d(5) "Specifiers", the system manager's values).
 * 0, -EINVAL (*bad = the letter), -ENOMEM. */
static int expand(const char *s, char **ret, char *bad) {
        static const struct {
                char c;
                const char *v;
        } table[] = { { '%', "%" },        { 't', "/run" },    { 'S', "/var/lib" }, { 'C', "/var/cache" },
                      { 'L', "/var/log" }, { 'E', "/etc" },    { 'T', "/tmp" },     { 'V', "/var/tmp" },
                      { 'h', "/root" } };
        size_t cap = strlen(s) * 10 + 1, n = 0;
        char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                const char *v = NULL;
                if (*p != '%') {
                        out[n++] = *p;
                        continue;
                }
                p++;
                for (size_t i = 0; *p && i < sizeof(table) / sizeof(table[0]); i++)
                        if (table[i].c == *p)
                                v = table[i].v;
                if (!v) {
                        *bad = *p ? *p : '%';
                        free(out);
                        return -EINVAL;
                }
                memcpy(out + n, v, strlen(v));
                n += strlen(v);
        }
        out[n] = '\0';
        *ret = out;
        return 0;
}

/* The type field: 0 with *ret_type, 1 to skip silently, -EINVAL unknown. */
static int parse_type(const char *w, enum tmpfiles_type *ret) {
        bool plus = false;
        char t = w[0];
        for (const char *p = w + 1; *p; p++) {
                if (*p == '+')
                        plus = true;
                else if (!strchr("!-=~^$", *p))
                        return -EINVAL;
        }
        switch (t) {
        case 'd': case 'v': case 'q': case 'Q':
                *ret = TMPFILES_DIR;
                return 0;
        case 'D':
                *ret = TMPFILES_DIR_EMPTIED;
                return 0;
        case 'f':
                *ret = plus ? TMPFILES_FILE_TRUNCATE : TMPFILES_FILE;
                return 0;
        case 'F':
                *ret = TMPFILES_FILE_TRUNCATE;
                return 0;
        case 'L':
                *ret = plus ? TMPFILES_SYMLINK_REPLACE : TMPFILES_SYMLINK;
                return 0;
        case 'z':
                *ret = TMPFILES_ADJUST;
                return 0;
        case 'x': case 'X':
                return 1;
        default:
                return -EINVAL;
        }
}

static int parse_mode(const char *w, mode_t *ret) {
        unsigned v = 0;
        if (*w == '~' || *w == ':')
                w++;
        if (*w == '\0')
                return -EINVAL;
        for (; *w; w++) {
                if (*w < '0' || *w > '7' || v > 07777)
                        return -EINVAL;
                v = v * 8 + (unsigned)(*w - '0');
        }
        if (v > 07777)
                return -EINVAL;
        *ret = (mode_t)v;
        return 0;
}

/* The next whitespace-separated word of *p into buf (cut to size); false at the end. */
static bool next_word(const char **p, char *buf, size_t size) {
        size_t len;
        *p += strspn(*p, WHITESPACE);
        if (**p == '\0')
                return false;
        len = strcspn(*p, WHITESPACE);
        snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), *p);
        *p += len;
        return true;
}

static bool has_path(const struct tmpfiles_list *l, const char *path) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].path, path) == 0)
                        return true;
        return false;
}

static char *dup_field(const char *w) {
        return strcmp(w, "-") == 0 ? NULL : strdup(w);
}

/* One line (NUL-terminated, no newline). 0 (taken or reported), -ENOMEM. */
static int parse_line(const char *file, unsigned line, const char *text, struct tmpfiles_list *list,
                      struct unit_diags *d) {
        char type[16], path_raw[4096], mode[32], user[256], group[256], age[64], bad = 0;
        const char *p = text, *arg;
        struct tmpfiles_item it = { .file = file, .line = line };
        int r;

        if (!next_word(&p, type, sizeof(type)) || type[0] == '#')
                return 0;
        if (!next_word(&p, path_raw, sizeof(path_raw))) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line, "'%s' without a path, ignoring the line", type);
                return 0;
        }
        r = parse_type(type, &it.type);
        if (r == 1)
                return 0;
        if (r < 0) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line,
                               "type '%s' is not supported by vigil (only d, D, f, L, z), ignoring the line", type);
                return 0;
        }
        if (!next_word(&p, mode, sizeof(mode)))
                strcpy(mode, "-");
        if (!next_word(&p, user, sizeof(user)))
                strcpy(user, "-");
        if (!next_word(&p, group, sizeof(group)))
                strcpy(group, "-");
        if (!next_word(&p, age, sizeof(age)))
                strcpy(age, "-");
        arg = p + strspn(p, WHITESPACE);
        if (strcmp(mode, "-") != 0 && parse_mode(mode, &it.mode) < 0) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line, "mode '%s' is not an octal mode, ignoring the line",
                               mode);
                return 0;
        }
        it.mode_set = strcmp(mode, "-") != 0;
        if (!it.mode_set && it.type != TMPFILES_ADJUST)
                it.mode = it.type == TMPFILES_DIR || it.type == TMPFILES_DIR_EMPTIED ? 0755 : 0644;
        r = expand(path_raw, &it.path, &bad);
        if (r == -ENOMEM)
                return r;
        if (r == 0 && *arg && (r = expand(arg, &it.argument, &bad)) == -ENOMEM) {
                free(it.path);
                return r;
        }
        if (r < 0) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line,
                               "specifier '%%%c' is not supported by vigil, ignoring the line", bad);
                free(it.path);
                return 0;
        }
        if (it.path[0] != '/' || strstr(it.path, "/../") || strcmp(it.path, "/") == 0) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line, "path '%s' is not a normalized absolute path, "
                               "ignoring the line", it.path);
                free(it.path);
                free(it.argument);
                return 0;
        }
        if ((it.type == TMPFILES_SYMLINK || it.type == TMPFILES_SYMLINK_REPLACE) && !it.argument) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line, "L without a target (a /usr/share/factory "
                               "copy) is not supported by vigil, ignoring the line");
                free(it.path);
                return 0;
        }
        if (has_path(list, it.path)) {
                unit_diags_add(d, UNIT_DIAG_WARNING, file, line, "a line for %s came first, ignoring this one",
                               it.path);
                free(it.path);
                free(it.argument);
                return 0;
        }
        it.user = dup_field(user);
        it.group = dup_field(group);
        struct tmpfiles_item *grown = realloc(list->v, (list->n + 1) * sizeof(*grown));
        if (grown)
                list->v = grown;
        if (!grown || (!it.user && strcmp(user, "-") != 0) || (!it.group && strcmp(group, "-") != 0)) {
                free(it.path);
                free(it.user);
                free(it.group);
                free(it.argument);
                return -ENOMEM;
        }
        list->v[list->n++] = it;
        return 0;
}

int tmpfiles_parse(const char *file, const char *text, size_t size, struct tmpfiles_list *list,
                   struct unit_diags *diags) {
        char buf[8192];
        unsigned line = 0;
        size_t i = 0;
        while (i < size) {
                const char *nl = memchr(text + i, '\n', size - i);
                size_t len = nl ? (size_t)(nl - (text + i)) : size - i;
                line++;
                if (len >= sizeof(buf))
                        unit_diags_add(diags, UNIT_DIAG_WARNING, file, line, "line too long, ignoring it");
                else if (memchr(text + i, '\0', len))
                        unit_diags_add(diags, UNIT_DIAG_WARNING, file, line, "line holds a NUL byte, ignoring it");
                else {
                        memcpy(buf, text + i, len);
                        buf[len] = '\0';
                        if (len > 0 && buf[len - 1] == '\r')
                                buf[len - 1] = '\0';
                        int r = parse_line(file, line, buf, list, diags);
                        if (r < 0)
                                return r;
                }
                i += len + 1;
        }
        return 0;
}
