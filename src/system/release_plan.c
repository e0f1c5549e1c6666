/* SPDX-License-Identifier: MIT */
#include "system/release_plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct planner {
        const struct release_plan_input *in;
        const struct release_fs *fs;
        release_warn_fn warn;
        void *warn_ctx;
        const char *erlang_root;
        char *base, *version_dir, *release_name, *erts_vsn, *erts;
        char *boot, *sys_config, *vm_args, *consolidated;
};

static void warn(struct planner *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct planner *p, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (p->warn)
                p->warn(p->warn_ctx, msg);
}

static char *join(const char *dir, const char *name) {
        char *s = NULL;
        return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

/* Whether dir holds name: a directory (want_dir) or anything else. */
static bool has(struct planner *p, const char *dir, const char *name, bool want_dir) {
        struct strv names = { 0 };
        bool found = false;
        size_t len = strlen(name);
        if (p->fs->list(p->fs->ctx, dir, &names) < 0)
                return false;
        for (size_t i = 0; i < names.n && !found; i++)
                found = strncmp(names.v[i], name, len) == 0 &&
                        (want_dir ? strcmp(names.v[i] + len, "/") == 0 : names.v[i][len] == '\0');
        strv_free(&names);
        return found;
}

static bool has_path(struct planner *p, const char *path, bool want_dir) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return slash && has(p, "/", slash + 1, want_dir);
        char *dir = strndup(path, (size_t)(slash - path));
        bool found = dir && has(p, dir, slash + 1, want_dir);
        free(dir);
        return found;
}

/* releases/start_erl.data: "ERTS_VSN REL_VSN". */
static void read_start_erl(struct planner *p, const char *releases, char **ret_rel_vsn) {
        char *path = join(releases, "start_erl.data"), *text = NULL;
        char erts[33], rel[33];
        *ret_rel_vsn = NULL;
        if (path && p->fs->read(p->fs->ctx, path, &text) == 0 && sscanf(text, "%32s %32s", erts, rel) == 2) {
                if (has(p, releases, rel, true)) {
                        *ret_rel_vsn = strdup(rel);
                        free(p->erts_vsn);
                        p->erts_vsn = strdup(erts);
                } else
                        warn(p, "%s names release %s, which is not there; ignoring it", path, rel);
        }
        free(text);
        free(path);
}

/* base/releases/<vsn>: start_erl.data's, else the last directory by name. */
static bool pick_version(struct planner *p, const char *base) {
        char *releases = join(base, "releases"), *vsn = NULL;
        struct strv names = { 0 };
        if (!releases)
                return false;
        read_start_erl(p, releases, &vsn);
        if (!vsn && p->fs->list(p->fs->ctx, releases, &names) == 0)
                for (size_t i = names.n; i-- > 0 && !vsn;) {
                        size_t len = strlen(names.v[i]);
                        if (len > 1 && names.v[i][len - 1] == '/')
                                vsn = strndup(names.v[i], len - 1);
                }
        strv_free(&names);
        if (vsn) {
                p->version_dir = join(releases, vsn);
                p->base = strdup(base);
        }
        free(vsn);
        free(releases);
        return p->version_dir != NULL;
}

/* SEARCH/releases, or SEARCH/NAME/releases (NAME: the release's name). */
static bool find_in(struct planner *p, const char *search) {
        struct strv names = { 0 };
        if (has(p, search, "releases", true) && pick_version(p, search))
                return true;
        if (p->fs->list(p->fs->ctx, search, &names) < 0)
                return false;
        for (size_t i = 0; i < names.n && !p->version_dir; i++) {
                size_t len = strlen(names.v[i]);
                if (len < 2 || names.v[i][len - 1] != '/' || strcmp(names.v[i], "releases/") == 0)
                        continue;
                char *name = strndup(names.v[i], len - 1), *dir = name ? join(search, name) : NULL;
                if (dir && has(p, dir, "releases", true) && pick_version(p, dir))
                        p->release_name = strdup(name);
                free(dir);
                free(name);
        }
        strv_free(&names);
        return p->version_dir != NULL;
}

/* The one erts-* directory of dir: 1 found, 0 none, -1 several. */
static int only_erts(struct planner *p, const char *dir, char **ret) {
        struct strv names = { 0 };
        int found = 0;
        if (p->fs->list(p->fs->ctx, dir, &names) < 0)
                return 0;
        for (size_t i = 0; i < names.n; i++) {
                size_t len = strlen(names.v[i]);
                if (strncmp(names.v[i], "erts-", 5) != 0 || names.v[i][len - 1] != '/')
                        continue;
                if (found++) {
                        free(*ret);
                        *ret = NULL;
                        found = -1;
                        break;
                }
                char *name = strndup(names.v[i], len - 1);
                *ret = name ? join(dir, name) : NULL;
                free(name);
        }
        strv_free(&names);
        return found;
}

/* The release's erts-<vsn>, the Erlang root's, else the only one there is. */
static int find_erts(struct planner *p) {
        if (p->erts_vsn) {
                char name[40];
                snprintf(name, sizeof(name), "erts-%s", p->erts_vsn);
                if (p->base && has(p, p->base, name, true))
                        return (p->erts = join(p->base, name)) ? 0 : -ENOMEM;
                if (has(p, p->erlang_root, name, true))
                        return (p->erts = join(p->erlang_root, name)) ? 0 : -ENOMEM;
        }
        if (p->base && only_erts(p, p->base, &p->erts) == 1)
                return 0;
        const char *dir = p->in->include_erts && p->base ? p->base : p->erlang_root;
        int n = dir == p->base ? 0 : only_erts(p, dir, &p->erts);
        if (n == 1)
                return 0;
        warn(p, n < 0 ? "several erts-* directories in %s: clean up the installation" : "no ERTS (erts-*) found in %s",
             dir);
        return -ENOENT;
}

/* PATH if it names a file, else PATH.boot; the result without ".boot". */
static char *boot_candidate(struct planner *p, const char *path) {
        size_t len = strlen(path);
        bool dotted = len > 5 && strcmp(path + len - 5, ".boot") == 0;
        if (dotted && has_path(p, path, false))
                return strndup(path, len - 5);
        char *with = NULL;
        if (asprintf(&with, "%s.boot", path) < 0)
                return NULL;
        if (has_path(p, with, false)) {
                free(with);
                return strdup(path);
        }
        free(with);
        return NULL;
}

/* -b NAME (absolute, or in the version directory), else <release>.boot,
 * else the first *.boot by name. */
static int find_boot(struct planner *p) {
        if (p->in->boot) {
                char *path = p->in->boot[0] == '/' ? strdup(p->in->boot) : join(p->version_dir, p->in->boot);
                p->boot = path ? boot_candidate(p, path) : NULL;
                if (!p->boot)
                        warn(p, "boot file %s not found, looking for another", path ? path : p->in->boot);
                free(path);
                if (p->boot)
                        return 0;
        }
        if (p->release_name) {
                char *path = join(p->version_dir, p->release_name);
                p->boot = path ? boot_candidate(p, path) : NULL;
                free(path);
                if (p->boot)
                        return 0;
        }
        struct strv names = { 0 };
        size_t n_boot = 0;
        if (p->fs->list(p->fs->ctx, p->version_dir, &names) == 0)
                for (size_t i = 0; i < names.n; i++) {
                        size_t len = strlen(names.v[i]);
                        if (len <= 5 || strcmp(names.v[i] + len - 5, ".boot") != 0 || n_boot++)
                                continue;
                        char *stem = strndup(names.v[i], len - 5);
                        p->boot = stem ? join(p->version_dir, stem) : NULL;
                        free(stem);
                }
        strv_free(&names);
        if (n_boot > 1)
                warn(p, "several boot files in %s, using %s.boot", p->version_dir, p->boot);
        if (!p->boot)
                warn(p, "no boot file found in %s", p->version_dir);
        return p->boot ? 0 : -ENOENT;
}

/* sys.config, vm.args and the first lib/<app>/consolidated (Elixir). */
static void find_extras(struct planner *p) {
        if (has(p, p->version_dir, "sys.config", false))
                p->sys_config = join(p->version_dir, "sys.config");
        if (has(p, p->version_dir, "vm.args", false))
                p->vm_args = join(p->version_dir, "vm.args");
        char *lib = join(p->base, "lib");
        struct strv names = { 0 };
        if (lib && p->fs->list(p->fs->ctx, lib, &names) == 0)
                for (size_t i = 0; i < names.n && !p->consolidated; i++) {
                        size_t len = strlen(names.v[i]);
                        if (names.v[i][len - 1] != '/')
                                continue;
                        char *app = strndup(names.v[i], len - 1), *dir = app ? join(lib, app) : NULL;
                        if (dir && has(p, dir, "consolidated", true))
                                p->consolidated = join(dir, "consolidated");
                        free(dir);
                        free(app);
                }
        strv_free(&names);
        free(lib);
}

static int push_pair(struct strv *s, const char *a, const char *b) {
        return strv_push(s, a) < 0 || strv_push(s, b) < 0 ? -ENOMEM : 0;
}

static int push_env(struct strv *s, const char *key, const char *value) {
        char *e = NULL;
        if (asprintf(&e, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_push_owned(s, e);
}

/* erlexec's arguments, after its path. */
static int erlexec_args(struct planner *p, struct strv *a) {
        int r = 0;
        if (p->consolidated)
                r = push_pair(a, "-pa", p->consolidated);
        if (r == 0 && p->sys_config)
                r = push_pair(a, "-config", p->sys_config);
        if (r == 0 && p->boot)
                r = push_pair(a, "-boot", p->boot);
        if (r == 0 && p->vm_args)
                r = push_pair(a, "-args_file", p->vm_args);
        if (r == 0 && p->version_dir && has(p, p->erlang_root, "lib", true)) {
                char *lib = join(p->erlang_root, "lib");
                r = !lib ? -ENOMEM : strv_push(a, "-boot_var") < 0 || strv_push(a, "ERTS_LIB_DIR") < 0 ||
                                     strv_push(a, lib) < 0 ? -ENOMEM : 0;
                free(lib);
        }
        if (r == 0 && p->version_dir) {
                char *lib = join(p->base, "lib");
                r = !lib ? -ENOMEM : strv_push(a, "-boot_var") < 0 || strv_push(a, "RELEASE_LIB") < 0 ||
                                     strv_push(a, lib) < 0 ? -ENOMEM : 0;
                free(lib);
        }
        return r;
}

static int build_env(struct planner *p, struct release_plan *ret) {
        struct strv *e = &ret->env;
        int r = push_env(e, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        if (r == 0) r = push_env(e, "TERM", "xterm-256color");
        if (r == 0) r = push_env(e, "ROOTDIR", ret->root);
        if (r == 0) r = push_env(e, "BINDIR", ret->erts_bin);
        if (r == 0) r = push_env(e, "EMU", "beam");
        if (r == 0) r = push_env(e, "PROGNAME", "erlexec");
        if (r == 0 && p->sys_config) {
                char *stem = strndup(p->sys_config, strlen(p->sys_config) - strlen(".config"));
                r = stem ? push_env(e, "RELEASE_SYS_CONFIG", stem) : -ENOMEM;
                free(stem);
                if (r == 0) r = push_env(e, "RELEASE_ROOT", ret->root);
                if (r == 0) r = push_env(e, "RELEASE_TMP", "/tmp");
        }
        return r;
}

/* -s PROG ARGS: PROG (a bare name is <erts>/bin/PROG), ARGS, then erlexec's
 * path and arguments; for run_erl, everything from a literal "exec" on is
 * one word (run_erl gives it to sh -c). */
static int build_argv(struct planner *p, struct release_plan *ret, const char *erlexec, const struct strv *args) {
        struct strv w = { 0 };
        const char *alt = p->in->alternate_exec;
        for (const char *s = alt ? alt : ""; *s;) {
                size_t skip = strspn(s, " \t"), len = strcspn(s + skip, " \t");
                if (len && strv_push_len(&w, s + skip, len) < 0)
                        return strv_free(&w), -ENOMEM;
                s += skip + len;
        }
        size_t exec_at = w.n;
        const char *base = w.n ? strrchr(w.v[0], '/') : NULL;
        base = base ? base + 1 : w.n ? w.v[0] : "";
        for (size_t i = 1; strcmp(base, "run_erl") == 0 && i < w.n && exec_at == w.n; i++)
                if (strcmp(w.v[i], "exec") == 0)
                        exec_at = i;
        int r = 0;
        if (w.n) {
                char *prog = strchr(w.v[0], '/') ? strdup(w.v[0]) : join(ret->erts_bin, w.v[0]);
                r = strv_push_owned(&ret->argv, prog);
        }
        for (size_t i = 1; r == 0 && i < exec_at; i++)
                r = strv_push(&ret->argv, w.v[i]);
        if (r == 0 && exec_at < w.n) {
                size_t len = strlen(erlexec) + 1;
                for (size_t i = exec_at; i < w.n; i++)
                        len += strlen(w.v[i]) + 1;
                for (size_t i = 0; i < args->n; i++)
                        len += strlen(args->v[i]) + 1;
                char *one = calloc(1, len);
                for (size_t i = exec_at; one && i < w.n; i++)
                        strcat(strcat(one, w.v[i]), " ");
                for (size_t i = 0; one && i <= args->n; i++)
                        strcat(strcat(one, i == 0 ? erlexec : args->v[i - 1]), i < args->n ? " " : "");
                r = strv_push_owned(&ret->argv, one);
        } else {
                if (r == 0)
                        r = strv_push(&ret->argv, erlexec);
                for (size_t i = 0; r == 0 && i < args->n; i++)
                        r = strv_push(&ret->argv, args->v[i]);
        }
        strv_free(&w);
        return r < 0 ? -ENOMEM : strv_terminate(&ret->argv);
}

static int plan(struct planner *p, struct release_plan *ret) {
        static char *const default_path[] = { RELEASE_DEFAULT_SEARCH_PATH };
        char *const *paths = p->in->n_search_paths ? p->in->search_paths : default_path;
        size_t n = p->in->n_search_paths ? p->in->n_search_paths : 1;
        for (size_t i = 0; i < n && !p->version_dir; i++)
                if (!find_in(p, paths[i]))
                        warn(p, "no release found in %s", paths[i]);
        int r = find_erts(p);
        if (r < 0)
                return r;
        if (p->version_dir) {
                if ((r = find_boot(p)) < 0)
                        return r;
                find_extras(p);
        }
        ret->release_found = p->version_dir != NULL;
        ret->root = strdup(p->version_dir ? p->base : p->erlang_root);
        ret->erts_bin = join(p->erts, "bin");
        char *erlexec = ret->erts_bin ? join(ret->erts_bin, "erlexec") : NULL;
        struct strv args = { 0 };
        r = !ret->root || !erlexec ? -ENOMEM : erlexec_args(p, &args);
        if (r == 0)
                r = build_argv(p, ret, erlexec, &args);
        if (r == 0)
                r = build_env(p, ret);
        strv_free(&args);
        free(erlexec);
        return r;
}

int release_plan_build(const struct release_plan_input *in, const struct release_fs *fs, struct release_plan *ret,
                       release_warn_fn warn_fn, void *warn_ctx) {
        struct planner p = { .in = in, .fs = fs, .warn = warn_fn, .warn_ctx = warn_ctx,
                             .erlang_root = in->erlang_root ? in->erlang_root : RELEASE_ERLANG_ROOT };
        *ret = (struct release_plan){ 0 };
        int r = plan(&p, ret);
        char *owned[] = { p.base, p.version_dir, p.release_name, p.erts_vsn, p.erts,
                          p.boot, p.sys_config, p.vm_args, p.consolidated };
        for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
                free(owned[i]);
        if (r < 0)
                release_plan_free(ret);
        return r;
}

void release_plan_free(struct release_plan *p) {
        strv_free(&p->argv);
        strv_free(&p->env);
        free(p->root);
        free(p->erts_bin);
        *p = (struct release_plan){ 0 };
}
