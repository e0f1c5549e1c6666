/* SPDX-License-Identifier: MIT */
/* The keys of unit/exec_dirs.h: RuntimeDirectory= and its kin, their
 * *Mode=, RuntimeDirectoryPreserve= (systemd.exec(5), "Paths"). */
#include "unit/unit_keys.h"

#include "unit/exec_dirs.h"
#include "unit/unit_condition.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHITESPACE UNIT_KEY_WHITESPACE

static struct exec_dir_list *dir_list(const struct unit_key_ctx *k, void *field) {
        struct exec_dirs *d = field;
        return &d->dirs[k->def->arg];
}

static bool list_has(const struct exec_dir_list *l, const char *s) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], s) == 0)
                        return true;
        return false;
}

/* One word of a RuntimeDirectory=-like value; "PATH:SYMLINK" keeps PATH. */
static int add_dir(const struct unit_key_ctx *k, const char *value, struct exec_dir_list *l, const char *word) {
        char *path, *colon;
        int r = unit_key_resolve(k, word, &path);
        if (r < 0)
                return r;
        colon = strchr(path, ':');
        if (colon) {
                unit_key_warning(k, value, "'%s': vigil makes no symlink '%s', only the directory", path, colon + 1);
                *colon = '\0';
        }
        if (!exec_dir_path_is_valid(path)) {
                r = unit_key_error(k, value, "'%s' is not a relative path without '.' or '..' parts", path);
                free(path);
                return r;
        }
        if (list_has(l, path)) {
                free(path);
                return 0;
        }
        return unit_key_list_push(&l->v, &l->n, path);
}

int unit_key_parse_exec_dirs(const struct unit_key_ctx *k, const char *value, void *field) {
        struct exec_dir_list *l = dir_list(k, field);
        const char *p = value;
        int result = 0;

        if (*value == '\0') {
                unit_key_list_clear(&l->v, &l->n);
                return 0;
        }
        for (;;) {
                char *word;
                int r = unit_key_next_word(&p, &word);
                if (r <= 0)
                        return r < 0 ? r : result;
                r = add_dir(k, value, l, word);
                free(word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        result = r;
        }
}

/* RuntimeDirectoryMode= and its kin: octal, at most 07777 (systemd's parse_mode()). */
int unit_key_parse_exec_dir_mode(const struct unit_key_ctx *k, const char *value, void *field) {
        struct exec_dir_list *l = dir_list(k, field);
        unsigned v = 0;

        if (*value == '\0') {
                l->mode = 0755;
                return 0;
        }
        for (const char *p = value; *p; p++) {
                if (*p < '0' || *p > '7' || v > 07777)
                        return unit_key_error(k, value, "expected an octal mode such as 0755, at most 07777");
                v = v * 8 + (unsigned)(*p - '0');
        }
        if (v > 07777)
                return unit_key_error(k, value, "expected an octal mode such as 0755, at most 07777");
        l->mode = (mode_t)v;
        return 0;
}

/* RuntimeDirectoryPreserve=: a boolean or "restart". */
int unit_key_parse_preserve(const struct unit_key_ctx *k, const char *value, void *field) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
        struct exec_dirs *d = field;

        if (*value == '\0') {
                d->runtime_preserve = EXEC_PRESERVE_NO;
                return 0;
        }
        if (strcmp(value, "restart") == 0) {
                d->runtime_preserve = EXEC_PRESERVE_RESTART;
                return 0;
        }
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (strcasecmp(value, yes[i]) == 0) {
                        d->runtime_preserve = EXEC_PRESERVE_YES;
                        return 0;
                }
                if (strcasecmp(value, no[i]) == 0) {
                        d->runtime_preserve = EXEC_PRESERVE_NO;
                        return 0;
                }
        }
        return unit_key_error(k, value, "expected yes, no or restart");
}

/* ---- Condition*= and Assert*= (unit/unit_condition.h) ----------------------- */

/* arg: the kind, | UNIT_KEY_ASSERT for Assert*=. "|" then "!" prefixes. */
int unit_key_parse_condition(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_conditions *l = field;
        enum condition_kind kind = (enum condition_kind)(k->def->arg & ~UNIT_KEY_ASSERT);
        bool assert = (k->def->arg & UNIT_KEY_ASSERT) != 0;
        struct unit_condition c = { .kind = kind, .assert = assert, .file = k->file, .line = k->line };
        char *resolved;
        const char *p, *why;
        int r;

        if (*value == '\0') {
                size_t kept = 0;
                for (size_t i = 0; i < l->n; i++) {
                        if (l->v[i].kind == kind && l->v[i].assert == assert)
                                free(l->v[i].value);
                        else
                                l->v[kept++] = l->v[i];
                }
                l->n = kept;
                return 0;
        }
        r = unit_key_resolve(k, value, &resolved);
        if (r < 0)
                return r;
        p = resolved;
        if (*p == '|') {
                c.trigger = true;
                p += 1 + strspn(p + 1, WHITESPACE);
        }
        if (*p == '!') {
                c.negate = true;
                p += 1 + strspn(p + 1, WHITESPACE);
        }
        why = condition_value_check(kind, p);
        if (why) {
                free(resolved);
                return unit_key_error(k, value, "%s", why);
        }
        c.value = strdup(p);
        free(resolved);
        struct unit_condition *grown = c.value ? realloc(l->v, (l->n + 1) * sizeof(*grown)) : NULL;
        if (!grown) {
                free(c.value);
                return -ENOMEM;
        }
        l->v = grown;
        l->v[l->n++] = c;
        return 0;
}

/* StandardInput=: null (systemd's default) or the terminal of TTYPath=
 * (tty, tty-force, tty-fail); the rest is refused. */
int unit_key_parse_standard_input(const struct unit_key_ctx *k, const char *value, void *field) {
        (void)field;
        if (*value == '\0') {
                k->c->standard_input = k->defaults->standard_input;
                return 0;
        }
        for (int i = 0; i < INPUT_KIND_MAX; i++)
                if (strcmp(value, input_kind_to_string((enum input_kind)i)) == 0) {
                        k->c->standard_input = (enum input_kind)i;
                        return 0;
                }
        if (strcmp(value, "data") == 0 || strcmp(value, "socket") == 0 || strncmp(value, "fd:", 3) == 0 ||
            strncmp(value, "file:", 5) == 0) {
                unit_key_warning(k, value, "not supported by vigil, using null");
                k->c->standard_input = INPUT_NULL;
                return 0;
        }
        return unit_key_error(k, value, "expected null, tty, tty-force, tty-fail, data, file:PATH, socket or fd:NAME");
}

int unit_key_parse_tty_path(const struct unit_key_ctx *k, const char *value, void *field) {
        char **path = field, *resolved = NULL;
        if (*value == '\0') {
                free(*path);
                *path = NULL;
                return 0;
        }
        int r = unit_key_resolve(k, value, &resolved);
        if (r < 0)
                return r;
        if (!unit_key_is_absolute_path(resolved)) {
                free(resolved);
                return unit_key_error(k, value, "expected an absolute path");
        }
        free(*path);
        *path = resolved;
        return 0;
}

/* PassEnvironment=: names; every unit gets vigil's whole environment
 * already (spawn_build.h), so the names are only checked. */
int unit_key_parse_pass_environment(const struct unit_key_ctx *k, const char *value, void *field) {
        (void)field;
        for (const char *p = value; *p; p++)
                if (!(*p == '_' || *p == ' ' || *p == '\t' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                      (*p >= 'A' && *p <= 'Z')))
                        return unit_key_error(k, value, "expected variable names");
        return 0;
}

/* UnsetEnvironment=: "NAME" or "NAME=VALUE" words, applied last. */
int unit_key_parse_unset_environment(const struct unit_key_ctx *k, const char *value, void *field) {
        char ***list = field;
        size_t *n = unit_key_list_count(k);
        const char *p = value;
        if (*value == '\0') {
                unit_key_list_clear(list, n);
                return 0;
        }
        for (;;) {
                char *word;
                int r = unit_key_next_word(&p, &word);
                if (r <= 0)
                        return r;
                if (unit_key_list_push(list, n, word) < 0)
                        return -ENOMEM;
        }
}
