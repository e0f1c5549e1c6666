/* SPDX-License-Identifier: MIT */
#include "supervise/tmpfiles_apply.h"

#include "core/log.h"
#include "os/files.h"
#include "os/links.h"
#include "os/paths.h"
#include "os/system.h"
#include "os/user.h"
#include "supervise/diag_report.h"
#include "unit/tmpfiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 1024
#define MAX_FILE_SIZE (1024 * 1024)

struct chosen {
        char *name;
        char *path;        /* ROOT/dir/name */
        bool masked;
};

static int by_name(const void *a, const void *b) {
        return strcmp(((const struct chosen *)a)->name, ((const struct chosen *)b)->name);
}

static bool seen(const struct chosen *v, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].name, name) == 0)
                        return true;
        return false;
}

/* The file of each name from the directory of highest precedence. */
static int choose(const char *root, struct chosen **ret, size_t *ret_n) {
        struct chosen *v = NULL;
        size_t n = 0;
        for (size_t d = 0; d < TMPFILES_N_DIRS; d++) {
                char dir[4096];
                struct os_dir_entry *e = NULL;
                size_t ne = 0;
                snprintf(dir, sizeof(dir), "%s%s", strcmp(root, "/") == 0 ? "" : root, tmpfiles_dirs[d]);
                int r = os_dir_list(dir, MAX_FILES, &e, &ne);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r < 0) {
                        log_warning("tmpfiles: cannot list %s: %s", dir, strerror(-r));
                        continue;
                }
                for (size_t i = 0; i < ne; i++) {
                        if (!tmpfiles_name_is_config(e[i].name) || e[i].directory || seen(v, n, e[i].name))
                                continue;
                        struct chosen *g = n < MAX_FILES ? realloc(v, (n + 1) * sizeof(*g)) : NULL;
                        if (!g)
                                break;
                        v = g;
                        v[n].name = strdup(e[i].name);
                        if (asprintf(&v[n].path, "%s/%s", dir, e[i].name) < 0)
                                v[n].path = NULL;
                        v[n].masked = !e[i].regular;   /* a link to /dev/null */
                        if (!v[n].name || !v[n].path) {
                                free(v[n].name);
                                free(v[n].path);
                                break;
                        }
                        n++;
                }
                os_dir_list_free(&e, &ne);
        }
        qsort(v, n, sizeof(*v), by_name);
        *ret = v;
        *ret_n = n;
        return 0;
}

static void fail(const struct tmpfiles_item *it, const char *what, int r) {
        log_warning("tmpfiles: %s:%u: cannot %s %s: %s, ignoring the line", it->file, it->line, what, it->path,
                    strerror(-r));
}

/* uid/gid of the line ((uid_t)-1 / (gid_t)-1: "-" and z, leave them). */
static int owner(const struct tmpfiles_item *it, uid_t *uid, gid_t *gid) {
        struct os_user u;
        bool keep = it->type == TMPFILES_ADJUST;
        *uid = keep ? (uid_t)-1 : 0;
        *gid = keep ? (gid_t)-1 : 0;
        if (it->user) {
                int r = os_user_lookup(it->user, &u);
                if (r < 0) {
                        log_warning("tmpfiles: %s:%u: no user '%s', ignoring the line", it->file, it->line, it->user);
                        return r;
                }
                *uid = u.uid;
        }
        if (it->group) {
                int r = os_group_lookup(it->group, gid);
                if (r < 0) {
                        log_warning("tmpfiles: %s:%u: no group '%s', ignoring the line", it->file, it->line,
                                    it->group);
                        return r;
                }
        }
        return 0;
}

static int set_attrs(const struct tmpfiles_item *it, const char *path, uid_t uid, gid_t gid) {
        int r = 0;
        if (it->mode_set || it->type != TMPFILES_ADJUST)
                r = os_path_chmod(path, it->mode);
        if (r == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1))
                r = os_path_chown(path, uid, gid);
        if (r < 0)
                fail(it, "set the mode and owner of", r);
        return r;
}

static char *parent_of(const char *path) {
        char *p = strdup(path), *slash;
        if (p && (slash = strrchr(p, '/')) != NULL)
                *(slash == p ? slash + 1 : slash) = '\0';
        return p;
}

static int apply_one(const struct tmpfiles_item *it, const char *path) {
        uid_t uid;
        gid_t gid;
        mode_t type = 0;
        int r = owner(it, &uid, &gid);
        if (r < 0)
                return r;
        int exists = os_path_stat(path, &type, NULL, NULL, NULL);
        if (it->type == TMPFILES_ADJUST)
                return exists < 0 ? 0 : set_attrs(it, path, uid, gid);
        char *parent = parent_of(path);
        r = parent ? os_make_dirs(parent, 0755) : -ENOMEM;
        free(parent);
        if (r < 0) {
                fail(it, "make the parent of", r);
                return r;
        }
        switch (it->type) {
        case TMPFILES_DIR:
        case TMPFILES_DIR_EMPTIED:
                r = exists < 0 ? os_make_dir(path, it->mode) : type == S_IFDIR ? 0 : -EEXIST;
                if (r == 0 && it->type == TMPFILES_DIR_EMPTIED && exists == 0)
                        r = os_remove_tree(path, true);
                break;
        case TMPFILES_FILE:
        case TMPFILES_FILE_TRUNCATE:
                if (exists == 0 && type != S_IFREG)
                        r = -EEXIST;
                else if (exists < 0 || it->type == TMPFILES_FILE_TRUNCATE)
                        r = os_write_new_file(path, it->mode, it->argument ? it->argument : "",
                                              it->argument ? strlen(it->argument) : 0, true);
                break;
        case TMPFILES_SYMLINK:
        case TMPFILES_SYMLINK_REPLACE:
                if (exists == 0 && it->type == TMPFILES_SYMLINK)
                        return 0;   /* there already: L leaves it */
                r = exists == 0 ? os_remove_tree(path, false) : 0;
                if (r == 0)
                        r = os_symlink(it->argument, path);
                return r < 0 ? (fail(it, "make the symlink", r), r) : 0;
        case TMPFILES_ADJUST:
                break;
        }
        if (r < 0) {
                fail(it, "make", r);
                return r;
        }
        return set_attrs(it, path, uid, gid);
}

static void apply_list(const char *root, const struct tmpfiles_list *l, int *applied) {
        for (size_t i = 0; i < l->n; i++) {
                char path[8192];
                snprintf(path, sizeof(path), "%s%s", strcmp(root, "/") == 0 ? "" : root, l->v[i].path);
                if (apply_one(&l->v[i], path) == 0)
                        (*applied)++;
        }
}

int tmpfiles_apply(const char *root) {
        struct chosen *files = NULL;
        size_t n = 0;
        struct tmpfiles_list list = { 0 };
        struct unit_diags diags = { 0 };
        int applied = 0, r = choose(root, &files, &n);

        for (size_t i = 0; r == 0 && i < n; i++) {
                char *text = NULL;
                size_t size = 0;
                if (files[i].masked)
                        continue;
                int q = os_read_file(files[i].path, MAX_FILE_SIZE, &text, &size);
                if (q < 0) {
                        log_warning("tmpfiles: cannot read %s: %s, ignoring it", files[i].path, strerror(-q));
                        continue;
                }
                r = tmpfiles_parse(files[i].path, text, size, &list, &diags);
                free(text);
        }
        unit_report_diags(&diags);
        unit_diags_free(&diags);
        if (r == 0)
                apply_list(root, &list, &applied);
        else
                log_error("tmpfiles: out of memory reading the configuration");
        log_info("tmpfiles: %d of %zu lines applied from %zu files", applied, list.n, n);
        tmpfiles_list_free(&list);
        for (size_t i = 0; i < n; i++) {
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
        return r < 0 ? r : applied;
}
