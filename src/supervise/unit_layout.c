/* SPDX-License-Identifier: MIT */
#include "supervise/unit_layout.h"

#include "os/fd.h"
#include "os/files.h"
#include "os/links.h"
#include "unit/install_plan.h"
#include "unit/unit_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIAS_HOPS_MAX 8
#define WANTS_ENTRIES_MAX 10000

static int collect_dropins(const struct unit_layout *l, const char *const *names, size_t n_names,
                           struct strv *ret);

/* systemd.unit(5), "Unit File Load Path", system manager (no generators). */
static const char *const systemd_dirs[] = {
        "/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
};

static int push_path(struct strv *v, const char *root, const char *dir) {
        char *p;
        size_t n = strlen(root);
        while (n > 0 && root[n - 1] == '/')
                n--;
        if (asprintf(&p, "%.*s%s", (int)n, root, dir) < 0)
                return -ENOMEM;
        return strv_push_owned(v, p);
}

int unit_layout_systemd(const char *root, struct unit_layout *ret) {
        *ret = (struct unit_layout){ .systemd = true };
        int r = 0;
        for (size_t i = 0; i < sizeof(systemd_dirs) / sizeof(systemd_dirs[0]) && r == 0; i++)
                r = push_path(&ret->dirs, root ? root : "", systemd_dirs[i]);
        if (r == 0 && !(ret->config_dir = strdup(ret->dirs.v[0])))
                r = -ENOMEM;
        if (r < 0)
                unit_layout_free(ret);
        return r;
}

int unit_layout_from_dirs(char *const *dirs, size_t n, struct unit_layout *ret) {
        *ret = (struct unit_layout){ 0 };
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                r = strv_push(&ret->dirs, dirs[i]);
        if (r == 0 && n > 0 && !(ret->config_dir = strdup(dirs[0])))
                r = -ENOMEM;
        if (r < 0)
                unit_layout_free(ret);
        return r;
}

void unit_layout_free(struct unit_layout *l) {
        strv_free(&l->dirs);
        free(l->config_dir);
        *l = (struct unit_layout){ 0 };
}

bool unit_layout_present(const char *root) {
        for (size_t i = 0; i < sizeof(systemd_dirs) / sizeof(systemd_dirs[0]); i++) {
                struct strv v = { 0 };
                bool dir = push_path(&v, root ? root : "", systemd_dirs[i]) == 0 && os_is_dir(v.v[0]);
                strv_free(&v);
                if (dir)
                        return true;
        }
        return false;
}

void unit_found_free(struct unit_found *f) {
        free(f->name);
        free(f->path);
        free(f->link);
        *f = (struct unit_found){ .kind = UNIT_FOUND_NONE };
}

static const char *base_name(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

static int set_found(struct unit_found *ret, enum unit_found_kind kind, const char *name, const char *path,
                     const char *link) {
        ret->kind = kind;
        ret->name = strdup(name);
        ret->path = path ? strdup(path) : NULL;
        ret->link = link ? strdup(link) : NULL;
        return !ret->name || (path && !ret->path) || (link && !ret->link) ? -ENOMEM : 0;
}

static int find_at(const struct unit_layout *l, const char *name, unsigned hops, struct unit_found *ret);

/* dir/name is a symlink to target: a mask, an alias, or a linked file. */
static int follow(const struct unit_layout *l, const char *name, const char *p, const char *target, unsigned hops,
                  struct unit_found *ret) {
        const char *base = base_name(target);
        if (strcmp(target, "/dev/null") == 0)
                return set_found(ret, UNIT_FOUND_MASKED, name, NULL, p);
        bool other_unit = strcmp(base, name) != 0 && strcmp(unit_name_type(base), unit_name_type(name)) == 0 &&
                          (unit_name_is_valid(base) || unit_name_is_template(base));
        if (!other_unit)
                return set_found(ret, UNIT_FOUND_FILE, name, p, p);
        if (hops >= ALIAS_HOPS_MAX)
                return set_found(ret, UNIT_FOUND_LOOP, name, NULL, p);
        int r = find_at(l, base, hops + 1, ret);
        if (r == 0 && ret->kind == UNIT_FOUND_NONE) {
                /* An alias to a file of that name outside the directories. */
                unit_found_free(ret);
                r = set_found(ret, UNIT_FOUND_FILE, base, p, p);
        }
        ret->alias = true;
        return r;
}

static int find_at(const struct unit_layout *l, const char *name, unsigned hops, struct unit_found *ret) {
        *ret = (struct unit_found){ .kind = UNIT_FOUND_NONE };
        for (size_t d = 0; d < l->dirs.n; d++) {
                char *p, *target = NULL;
                if (asprintf(&p, "%s/%s", l->dirs.v[d], name) < 0)
                        return -ENOMEM;
                int r = os_read_link(p, &target);
                if (r == 0)
                        r = follow(l, name, p, target, hops, ret);
                else if (r == -EINVAL && !os_is_dir(p))
                        r = set_found(ret, UNIT_FOUND_FILE, name, p, p);
                else
                        r = r == -ENOMEM ? r : 1;   /* not here */
                free(target);
                free(p);
                if (r <= 0)
                        return r;
        }
        if (!unit_name_is_instance(name))
                return 0;
        char *template_name;
        int r = unit_name_template_of(name, &template_name);
        if (r < 0)
                return r;
        struct unit_found t;
        r = find_at(l, template_name, hops, &t);
        free(template_name);
        if (r == 0 && t.kind != UNIT_FOUND_NONE)
                r = set_found(ret, t.kind, name, t.path, t.link);
        unit_found_free(&t);
        return r;
}

int unit_layout_find(const struct unit_layout *l, const char *name, struct unit_found *ret) {
        int r = find_at(l, name, 0, ret);
        if (r < 0)
                unit_found_free(ret);
        return r;
}

int unit_layout_dropins(const struct unit_layout *l, const char *name, struct strv *ret) {
        char *template_name = NULL;
        const char *names[2] = { name, NULL };
        size_t n_names = 1;
        int r = 0;
        if (unit_name_is_instance(name)) {
                r = unit_name_template_of(name, &template_name);
                names[n_names++] = template_name;
        }
        if (r == 0)
                r = collect_dropins(l, names, n_names, ret);
        free(template_name);
        return r;
}

/* The drop-ins of the names (the unit's, then its template's), one per
 * file name, the first directory winning, sorted by file name. */
static int collect_dropins(const struct unit_layout *l, const char *const *names, size_t n_names,
                           struct strv *ret) {
        struct strv seen = { 0 };
        int r = 0;
        for (size_t d = 0; d < l->dirs.n && r == 0; d++)
                for (size_t k = 0; k < n_names && r == 0; k++) {
                        char *dir;
                        struct os_dir_entry *e = NULL;
                        size_t n = 0;
                        if (asprintf(&dir, "%s/%s.d", l->dirs.v[d], names[k]) < 0)
                                return -ENOMEM;
                        r = os_dir_list(dir, WANTS_ENTRIES_MAX, &e, &n);
                        if (r == -ENOENT || r == -ENOTDIR)
                                r = 0;
                        for (size_t i = 0; i < n && r == 0; i++) {
                                size_t len = strlen(e[i].name);
                                if (e[i].name[0] == '.' || e[i].directory || len < 5 ||
                                    strcmp(e[i].name + len - 5, ".conf") != 0 || strv_contains(&seen, e[i].name))
                                        continue;
                                char *p;
                                r = strv_push(&seen, e[i].name);
                                if (r == 0)
                                        r = strv_push_owned(ret, asprintf(&p, "%s/%s", dir, e[i].name) < 0 ? NULL : p);
                        }
                        os_dir_list_free(&e, &n);
                        free(dir);
                }
        strv_free(&seen);
        /* By file name (systemd's conf_files_list()); few: insertion sort. */
        for (size_t i = 1; i < ret->n; i++)
                for (size_t j = i; j > 0 && strcmp(base_name(ret->v[j - 1]), base_name(ret->v[j])) > 0; j--) {
                        char *t = ret->v[j];
                        ret->v[j] = ret->v[j - 1];
                        ret->v[j - 1] = t;
                }
        return r;
}

static int list_wants(const char *dir, struct strv *ret) {
        struct os_dir_entry *e = NULL;
        size_t n = 0;
        int r = os_dir_list(dir, WANTS_ENTRIES_MAX, &e, &n);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (e[i].name[0] != '.' && !e[i].directory && !strv_contains(ret, e[i].name))
                        r = strv_push(ret, e[i].name);
        os_dir_list_free(&e, &n);
        return r;
}

int unit_layout_wants(const struct unit_layout *l, const char *name, struct strv *ret_wants,
                      struct strv *ret_requires) {
        int r = 0;
        for (size_t d = 0; d < l->dirs.n && r == 0; d++)
                for (int which = 0; which < 2 && r == 0; which++) {
                        char *dir;
                        if (asprintf(&dir, "%s/%s.%s", l->dirs.v[d], name, which ? "requires" : "wants") < 0)
                                return -ENOMEM;
                        r = list_wants(dir, which ? ret_requires : ret_wants);
                        free(dir);
                }
        return r;
}

int unit_layout_default_target(const struct unit_layout *l, char **ret) {
        struct unit_found f;
        int r = unit_layout_find(l, "default.target", &f);
        if (r < 0)
                return r;
        *ret = strdup(f.kind == UNIT_FOUND_FILE ? f.name : "multi-user.target");
        unit_found_free(&f);
        return *ret ? 0 : -ENOMEM;
}
