/* SPDX-License-Identifier: MIT */
/*
 * systemctl's verbs on the unit files alone (systemctl.h): they work in a
 * Dockerfile RUN or a package's postinst with no vigil running. What to
 * link is unit/install_plan.h's; this file does the I/O and the messages,
 * in systemctl's words ("Created symlink A → B.", "Removed \"A\".").
 */
#include "cmd/systemctl.h"

#include "os/fd.h"
#include "os/files.h"
#include "os/links.h"
#include "os/system.h"
#include "unit/install_plan.h"
#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALSO_MAX 32   /* units one enable may reach through Also= */

char *systemctl_mangle(const char *name) {
        char *s;
        const char *slash = strrchr(name, '/');   /* "enable /lib/systemd/system/x.service" */
        if (slash)
                name = slash + 1;
        if (asprintf(&s, "%s%s", name, strchr(name, '.') ? "" : ".service") < 0)
                return NULL;
        return s;
}

/* What a link points to: the unit file's path as seen inside root. */
static const char *strip_root(const struct systemctl *sc, const char *path) {
        size_t n = strlen(sc->root);
        return n && strncmp(path, sc->root, n) == 0 && path[n] == '/' ? path + n : path;
}

/* The [Install] of the unit found: its file, then its drop-ins. */
static int read_install(const struct systemctl *sc, const struct unit_found *f, struct unit_install *ret) {
        struct strv paths = { 0 };
        *ret = (struct unit_install){ 0 };
        int r = strv_push(&paths, f->path);
        if (r == 0)
                r = unit_layout_dropins(&sc->layout, f->name, &paths);
        for (size_t i = 0; i < paths.n && r == 0; i++) {
                char *text = NULL;
                size_t size = 0;
                struct unit_diags diags = { 0 };
                r = os_read_file(paths.v[i], UNIT_FILE_SIZE_MAX, &text, &size);
                if (r == 0)
                        r = unit_install_parse(paths.v[i], text, size, ret, &diags);
                if (r == -EINVAL)
                        r = 0;   /* what lexed is kept; the loader reports the file */
                unit_diags_free(&diags);
                free(text);
        }
        strv_free(&paths);
        return r;
}

static bool link_exists(const char *path) {
        char *target = NULL;
        int r = os_read_link(path, &target);
        free(target);
        return r == 0 || os_path_exists(path) == 1;
}

static int plan_of(const struct systemctl *sc, const char *name, const struct unit_found *f,
                   const struct unit_install *inst, struct install_link **ret, size_t *ret_n) {
        return install_plan(name, strip_root(sc, f->path), inst, ret, ret_n);
}

const char *systemctl_file_state(const struct systemctl *sc, const char *name, char **ret_path) {
        struct unit_found f;
        const char *state = "not-found";
        if (ret_path)
                *ret_path = NULL;
        if (unit_layout_find(&sc->layout, name, &f) < 0)
                return "not-found";
        if (f.kind == UNIT_FOUND_MASKED)
                state = "masked";
        else if (f.kind == UNIT_FOUND_LOOP)
                state = "bad";
        if (f.kind != UNIT_FOUND_FILE) {
                unit_found_free(&f);
                return state;
        }
        if (ret_path)
                *ret_path = strdup(f.path);
        struct unit_install inst;
        struct install_link *links = NULL;
        size_t n = 0;
        if (f.alias)
                state = "alias";
        else if (read_install(sc, &f, &inst) == 0 && plan_of(sc, name, &f, &inst, &links, &n) == 0) {
                bool enabled = false;
                for (size_t i = 0; i < n && !enabled; i++) {
                        char *p;
                        if (asprintf(&p, "%s/%s", sc->layout.config_dir, links[i].path) >= 0) {
                                enabled = link_exists(p);
                                free(p);
                        }
                }
                state = enabled                                ? "enabled"
                        : unit_install_is_static(&inst)        ? "static"
                        : n == 0                               ? "indirect"
                                                               : "disabled";
                install_links_free(links, n);
                unit_install_free(&inst);
        }
        unit_found_free(&f);
        return state;
}

/* ---- enable / disable -------------------------------------------------------- */

static int make_link(const struct systemctl *sc, const char *target, const char *path, bool *changed) {
        char *dir = strdup(path), *old = NULL;
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        (void)os_make_dirs(dir, 0755);
        free(dir);
        int r = os_symlink(target, path);
        if (r == -EEXIST && os_read_link(path, &old) == 0 && (strcmp(old, target) == 0 || sc->force)) {
                r = strcmp(old, target) == 0 ? 1 : os_unlink(path);
                if (r == 0)
                        r = os_symlink(target, path);
        }
        if (r == 0) {
                *changed = true;
                if (!sc->quiet)
                        fprintf(stderr, "Created symlink %s \u2192 %s.\n", path, target);
        } else if (r == -EEXIST) {
                fprintf(stderr, "Failed to enable unit: File %s already exists%s%s.\n", path,
                        old ? " and is a symlink to " : "", old ? old : "");
        } else if (r < 0) {
                fprintf(stderr, "Failed to enable unit: cannot create %s: %s\n", path, strerror(-r));
        }
        free(old);
        return r < 0 ? r : 0;
}

static int remove_link(const struct systemctl *sc, const char *path, bool *changed) {
        char *old = NULL;
        if (os_read_link(path, &old) < 0)
                return 0;   /* not there, or not a link: not ours to remove */
        free(old);
        int r = os_unlink(path);
        if (r < 0 && r != -ENOENT) {
                fprintf(stderr, "Failed to disable unit: cannot remove %s: %s\n", path, strerror(-r));
                return r;
        }
        *changed = true;
        if (!sc->quiet)
                fprintf(stderr, "Removed \"%s\".\n", path);
        return 0;
}

/* Enable (or disable) one unit; its Also= names go into todo. */
static int install_one(struct systemctl *sc, const char *name, bool enable, struct strv *todo, bool *changed) {
        const char *verb = enable ? "enable" : "disable";
        struct unit_found f;
        int r = unit_layout_find(&sc->layout, name, &f);
        if (r < 0)
                return r;
        if (f.kind != UNIT_FOUND_FILE) {
                fprintf(stderr, "Failed to %s unit: Unit file %s %s.\n", verb, name,
                        f.kind == UNIT_FOUND_MASKED ? "is masked" : "does not exist");
                unit_found_free(&f);
                return -ENOENT;
        }
        struct unit_install inst;
        struct install_link *links = NULL;
        size_t n = 0;
        r = read_install(sc, &f, &inst);
        if (r == 0)
                r = plan_of(sc, f.alias ? f.name : name, &f, &inst, &links, &n);
        for (size_t i = 0; i < inst.also.n && r == 0; i++)
                if (!strv_contains(todo, inst.also.v[i]))
                        r = todo->n >= ALSO_MAX ? -E2BIG : strv_push(todo, inst.also.v[i]);
        if (r == 0 && unit_install_is_static(&inst) && !sc->quiet)
                fprintf(stderr, "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\n"
                                "Alias= settings in the [Install] section, and DefaultInstance= for template\n"
                                "units). This means they are not meant to be enabled or disabled using systemctl.\n");
        for (size_t i = 0; i < n && r == 0; i++) {
                char *p;
                if (asprintf(&p, "%s/%s", sc->layout.config_dir, links[i].path) < 0)
                        r = -ENOMEM;
                else
                        r = enable ? make_link(sc, links[i].target, p, changed) : remove_link(sc, p, changed);
                free(p);
        }
        install_links_free(links, n);
        unit_install_free(&inst);
        unit_found_free(&f);
        return r;
}

static int install_verb(struct systemctl *sc, char **names, size_t n, bool enable, bool *changed) {
        struct strv todo = { 0 };
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                char *m = systemctl_mangle(names[i]);
                r = m ? strv_push_owned(&todo, m) : -ENOMEM;
        }
        /* todo grows with Also=. */
        for (size_t i = 0; i < todo.n && r == 0; i++)
                r = install_one(sc, todo.v[i], enable, &todo, changed);
        strv_free(&todo);
        if (r == -E2BIG)
                fprintf(stderr, "Failed to %s: more than %d units through Also=\n", enable ? "enable" : "disable",
                        ALSO_MAX);
        return r < 0 ? 1 : 0;
}

/* ---- mask / unmask ----------------------------------------------------------- */

static int mask_verb(struct systemctl *sc, char **names, size_t n, bool mask, bool *changed) {
        for (size_t i = 0; i < n; i++) {
                char *m = systemctl_mangle(names[i]), *p = NULL, *old = NULL;
                int r = m && asprintf(&p, "%s/%s", sc->layout.config_dir, m) >= 0 ? 0 : -ENOMEM;
                if (r == 0 && os_read_link(p, &old) == 0 && strcmp(old, "/dev/null") == 0)
                        r = mask ? 0 : remove_link(sc, p, changed);
                else if (r == 0 && mask && (old || os_path_exists(p) != 1))
                        r = make_link(sc, "/dev/null", p, changed);
                else if (r == 0 && mask) {
                        fprintf(stderr, "Failed to mask unit: File %s already exists.\n", p);
                        r = -EEXIST;
                }
                free(old);
                free(p);
                free(m);
                if (r < 0)
                        return 1;
        }
        return 0;
}

/* ---- is-enabled, list-unit-files, cat ------------------------------------------ */

static int is_enabled_verb(struct systemctl *sc, char **names, size_t n) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                char *m = systemctl_mangle(names[i]);
                if (!m)
                        return 1;
                const char *state = systemctl_file_state(sc, m, NULL);
                if (strcmp(state, "not-found") == 0) {
                        fprintf(stderr, "Failed to get unit file state for %s: No such file or directory\n", m);
                } else {
                        if (!sc->quiet)
                                printf("%s\n", state);
                        any = any || !(strcmp(state, "disabled") == 0 || strcmp(state, "masked") == 0 ||
                                       strcmp(state, "bad") == 0);
                }
                free(m);
        }
        return any ? 0 : 1;
}

static int list_unit_files_verb(struct systemctl *sc, char **patterns, size_t n_patterns) {
        struct strv seen = { 0 };
        for (size_t d = 0; d < sc->layout.dirs.n; d++) {
                struct os_dir_entry *e = NULL;
                size_t n = 0;
                if (os_dir_list(sc->layout.dirs.v[d], 100000, &e, &n) < 0)
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (!e[i].directory && (unit_name_is_valid(e[i].name) || unit_name_is_template(e[i].name)) &&
                            !strv_contains(&seen, e[i].name))
                                (void)strv_push(&seen, e[i].name);
                os_dir_list_free(&e, &n);
        }
        /* Sorted by name, as systemctl lists them. */
        for (size_t i = 1; i < seen.n; i++)
                for (size_t j = i; j > 0 && strcmp(seen.v[j - 1], seen.v[j]) > 0; j--) {
                        char *t = seen.v[j];
                        seen.v[j] = seen.v[j - 1];
                        seen.v[j - 1] = t;
                }
        if (!sc->no_legend)
                printf("%-40s %-15s %s\n", "UNIT FILE", "STATE", "PRESET");
        size_t listed = 0;
        for (size_t i = 0; i < seen.n; i++) {
                const char *name = seen.v[i];
                bool match = n_patterns == 0;
                for (size_t k = 0; k < n_patterns && !match; k++)
                        match = strcmp(patterns[k], name) == 0;
                if (!match || (sc->type && strcmp(unit_name_type(name), sc->type) != 0))
                        continue;
                const char *state = systemctl_file_state(sc, name, NULL);
                if (sc->state && strcmp(sc->state, state) != 0)
                        continue;
                printf("%-40s %-15s %s\n", name, state, "-");
                listed++;
        }
        if (!sc->no_legend)
                printf("\n%zu unit files listed.\n", listed);
        strv_free(&seen);
        return 0;
}

static int print_file(const char *path, bool first) {
        char *text = NULL;
        size_t size = 0;
        int r = os_read_file(path, UNIT_FILE_SIZE_MAX, &text, &size);
        printf("%s# %s\n", first ? "" : "\n", path);
        if (r == 0)
                fwrite(text, 1, size, stdout);
        else
                printf("# (cannot read: %s)\n", strerror(-r));
        free(text);
        return r;
}

static int cat_verb(struct systemctl *sc, char **names, size_t n) {
        int code = 0;
        for (size_t i = 0; i < n; i++) {
                char *m = systemctl_mangle(names[i]);
                struct unit_found f;
                if (!m || unit_layout_find(&sc->layout, m, &f) < 0) {
                        free(m);
                        return 1;
                }
                if (f.kind == UNIT_FOUND_FILE) {
                        struct strv drop = { 0 };
                        print_file(f.path, i == 0);
                        (void)unit_layout_dropins(&sc->layout, f.name, &drop);
                        for (size_t k = 0; k < drop.n; k++)
                                print_file(drop.v[k], false);
                        strv_free(&drop);
                } else {
                        fprintf(stderr, f.kind == UNIT_FOUND_MASKED ? "Unit %s is masked.\n" : "No files found for %s.\n",
                                m);
                        code = 1;
                }
                unit_found_free(&f);
                free(m);
        }
        return code;
}

char *systemctl_file_value(const struct systemctl *sc, const char *name, const char *section, const char *key) {
        struct unit_found f;
        struct strv paths = { 0 };
        char *value = NULL;
        if (unit_layout_find(&sc->layout, name, &f) < 0)
                return NULL;
        if (f.kind == UNIT_FOUND_FILE && strv_push(&paths, f.path) == 0)
                (void)unit_layout_dropins(&sc->layout, f.name, &paths);
        for (size_t i = 0; i < paths.n; i++) {
                char *text = NULL;
                size_t size = 0;
                struct unit_file uf;
                struct unit_diags diags = { 0 };
                if (os_read_file(paths.v[i], UNIT_FILE_SIZE_MAX, &text, &size) == 0 &&
                    unit_file_parse(paths.v[i], text, size, &uf, &diags) != -ENOMEM) {
                        for (size_t k = 0; k < uf.n_assignments; k++)
                                if (strcmp(uf.sections[uf.assignments[k].section].name, section) == 0 &&
                                    strcmp(uf.assignments[k].key, key) == 0) {
                                        free(value);
                                        value = strdup(uf.assignments[k].value);
                                }
                }
                unit_file_free(&uf);
                unit_diags_free(&diags);
                free(text);
        }
        strv_free(&paths);
        unit_found_free(&f);
        return value;
}

int systemctl_files_verb(struct systemctl *sc, const char *verb, char **names, size_t n, bool *ret_changed) {
        bool needs_names = strcmp(verb, "list-unit-files") != 0;
        *ret_changed = false;
        if (needs_names && !(strcmp(verb, "enable") && strcmp(verb, "disable") && strcmp(verb, "mask") &&
                             strcmp(verb, "unmask") && strcmp(verb, "is-enabled") && strcmp(verb, "cat") &&
                             strcmp(verb, "reenable") && strcmp(verb, "preset")) && n == 0) {
                fprintf(stderr, "Too few arguments.\n");
                return 1;
        }
        if (strcmp(verb, "reenable") == 0 && install_verb(sc, names, n, false, ret_changed) != 0)
                return 1;
        /* preset: systemd's default policy with no *.preset files is
         * "enable *"; vigil reads no preset files (systemctl.h). */
        if (strcmp(verb, "enable") == 0 || strcmp(verb, "reenable") == 0 || strcmp(verb, "preset") == 0)
                return install_verb(sc, names, n, true, ret_changed);
        if (strcmp(verb, "disable") == 0)
                return install_verb(sc, names, n, false, ret_changed);
        if (strcmp(verb, "mask") == 0 || strcmp(verb, "unmask") == 0)
                return mask_verb(sc, names, n, verb[0] == 'm', ret_changed);
        if (strcmp(verb, "is-enabled") == 0)
                return is_enabled_verb(sc, names, n);
        if (strcmp(verb, "list-unit-files") == 0)
                return list_unit_files_verb(sc, names, n);
        if (strcmp(verb, "cat") == 0)
                return cat_verb(sc, names, n);
        return -1;
}
