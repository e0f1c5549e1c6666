/* SPDX-License-Identifier: MIT */
#include "unit/exec_dirs.h"

#include "base/strbuf.h"
#include "base/strv.h"
#include "unit/env_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* systemd.exec(5), table "Automatic directory creation and environment variables". */
static const struct {
        const char *key, *root, *env;
} kinds[EXEC_DIR_MAX] = {
        [EXEC_DIR_RUNTIME] = { "RuntimeDirectory", "/run", "RUNTIME_DIRECTORY" },
        [EXEC_DIR_STATE] = { "StateDirectory", "/var/lib", "STATE_DIRECTORY" },
        [EXEC_DIR_CACHE] = { "CacheDirectory", "/var/cache", "CACHE_DIRECTORY" },
        [EXEC_DIR_LOGS] = { "LogsDirectory", "/var/log", "LOGS_DIRECTORY" },
        [EXEC_DIR_CONFIGURATION] = { "ConfigurationDirectory", "/etc", "CONFIGURATION_DIRECTORY" },
};

void exec_dirs_init(struct exec_dirs *d) {
        memset(d, 0, sizeof(*d));
        for (int k = 0; k < EXEC_DIR_MAX; k++)
                d->dirs[k].mode = 0755;
        d->runtime_preserve = EXEC_PRESERVE_NO;
}

void exec_dirs_free(struct exec_dirs *d) {
        for (int k = 0; k < EXEC_DIR_MAX; k++) {
                struct strv s = { d->dirs[k].v, d->dirs[k].n };
                strv_free(&s);
                d->dirs[k].v = NULL;
                d->dirs[k].n = 0;
        }
}

const char *exec_dir_root(enum exec_dir_kind k) {
        return (unsigned)k < EXEC_DIR_MAX ? kinds[k].root : "/invalid";
}

const char *exec_dir_env_name(enum exec_dir_kind k) {
        return (unsigned)k < EXEC_DIR_MAX ? kinds[k].env : "INVALID";
}

const char *exec_dir_key(enum exec_dir_kind k) {
        return (unsigned)k < EXEC_DIR_MAX ? kinds[k].key : "invalid";
}

bool exec_dir_path_is_valid(const char *s) {
        size_t len = strlen(s);
        if (len == 0 || len >= PATH_MAX || s[0] == '/')
                return false;
        for (const char *p = s; *p;) {
                size_t part = strcspn(p, "/");
                if (part == 0)
                        return p[0] != '/' ? true : p[1] == '\0';   /* a trailing '/' is fine, "//" is not */
                if ((part == 1 && p[0] == '.') || (part == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += part;
                if (*p == '/')
                        p++;
        }
        return true;
}

char *exec_dir_full_path(enum exec_dir_kind k, const char *path) {
        char *s;
        size_t len = strlen(path);
        while (len > 0 && path[len - 1] == '/')
                len--;
        if (asprintf(&s, "%s/%.*s", exec_dir_root(k), (int)len, path) < 0)
                return NULL;
        return s;
}

int exec_dirs_env(const struct exec_dirs *d, char ***env, size_t *n) {
        for (int k = 0; k < EXEC_DIR_MAX; k++) {
                const struct exec_dir_list *l = &d->dirs[k];
                struct strbuf b = { 0 };
                char *s;
                int r;
                if (l->n == 0)
                        continue;
                strbuf_puts(&b, kinds[k].env);
                strbuf_putc(&b, '=');
                for (size_t i = 0; i < l->n; i++) {
                        char *full = exec_dir_full_path((enum exec_dir_kind)k, l->v[i]);
                        if (!full)
                                b.oom = true;
                        else {
                                if (i > 0)
                                        strbuf_putc(&b, ':');
                                strbuf_puts(&b, full);
                        }
                        free(full);
                }
                s = strbuf_take(&b);
                r = s ? env_list_set(env, n, s) : -ENOMEM;
                free(s);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool exec_dirs_remove_runtime(const struct exec_dirs *d, bool restarting) {
        switch (d->runtime_preserve) {
        case EXEC_PRESERVE_YES:
                return false;
        case EXEC_PRESERVE_RESTART:
                return !restarting;
        case EXEC_PRESERVE_NO:
        default:
                return true;
        }
}
