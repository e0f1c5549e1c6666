/* SPDX-License-Identifier: MIT */
/*
 * The manager's side of the systemd layout (supervise/unit_layout.h): at
 * boot, the units default.target wants, transitively (systemd's
 * transaction for `start default.target`, without jobs: vigil starts what
 * is loaded); at run time, a unit by name when a request names one not
 * loaded (a template's instance, a unit that is not enabled).
 *
 * What vigil does not run (.socket, .timer, .mount, .path, ...) is listed
 * once, at info level, and skipped: not an error. A masked unit that is
 * wanted, a name wanted but found nowhere, an alias loop: one line each,
 * naming who wanted it; the rest boots.
 */
#include "supervise/diag_report.h"
#include "supervise/manager_internal.h"
#include "supervise/unit_source.h"

#include "core/log.h"
#include "logcap/syslog_server.h"
#include "base/words.h"
#include "unit/install_plan.h"
#include "unit/unit_load.h"
#include "unit/unit_file.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* At most this many names walked from default.target. */
#define ENABLED_MAX 10000

bool mgr_runnable_type(const char *name) {
        const char *t = unit_name_type(name);
        return strcmp(t, "service") == 0 || strcmp(t, "target") == 0;
}

static int dep_push(struct unit_dep_list *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], name) == 0)
                        return 0;
        char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        l->v = v;
        if (!(v[l->n] = strdup(name)))
                return -ENOMEM;
        l->n++;
        return 0;
}

/* Whether the unit `name` says After=target in its files (the unit file
 * and drop-ins, read for this alone). */
static bool says_after(const char *name, const char *target) {
        struct unit_found f;
        struct strv paths = { 0 };
        bool found = false;
        if (unit_layout_find(&mgr.layout, name, &f) < 0)
                return false;
        if (f.kind == UNIT_FOUND_FILE && strv_push(&paths, f.path) == 0)
                (void)unit_layout_dropins(&mgr.layout, f.name, &paths);
        for (size_t i = 0; i < paths.n && !found; i++) {
                char *text = NULL;
                size_t size = 0;
                struct unit_file uf = { 0 };
                struct unit_diags quiet = { 0 };
                if (unit_source_read_file(paths.v[i], &text, &size) == 0 &&
                    unit_file_parse(paths.v[i], text, size, &uf, &quiet) != -ENOMEM)
                        for (size_t k = 0; k < uf.n_assignments && !found; k++) {
                                const struct unit_assignment *a = &uf.assignments[k];
                                struct strv words = { 0 };
                                if (strcmp(uf.sections[a->section].name, "Unit") != 0 || strcmp(a->key, "After") != 0 ||
                                    words_split(a->value, &words) < 0)
                                        continue;
                                found = strv_contains(&words, target);
                                strv_free(&words);
                        }
                unit_file_free(&uf);
                unit_diags_free(&quiet);
                free(text);
        }
        strv_free(&paths);
        unit_found_free(&f);
        return found;
}

/* The *.wants/ and *.requires/ links of the unit become Wants= and
 * Requires=; a target also orders itself after all it wants and requires
 * (systemd.target(5), DefaultDependencies=yes), unless that unit orders
 * itself after the target (systemd's unit_add_default_target_dependency()
 * makes no loop either: systemd-update-utmp-runlevel.service). */
static int add_links(struct unit_config *c, const char *asked) {
        struct strv wants = { 0 }, requires = { 0 };
        int r = unit_layout_wants(&mgr.layout, c->name, &wants, &requires);
        if (r == 0 && strcmp(asked, c->name) != 0)
                r = unit_layout_wants(&mgr.layout, asked, &wants, &requires);
        for (size_t i = 0; i < wants.n && r == 0; i++)
                r = dep_push(&c->wants, wants.v[i]);
        for (size_t i = 0; i < requires.n && r == 0; i++)
                r = dep_push(&c->requires, requires.v[i]);
        strv_free(&wants);
        strv_free(&requires);
        if (strcmp(unit_name_type(c->name), "target") != 0)
                return r;
        const struct unit_dep_list *deps[2] = { &c->wants, &c->requires };
        for (int d = 0; d < 2; d++)
                for (size_t i = 0; i < deps[d]->n && r == 0; i++)
                        if (!says_after(deps[d]->v[i], c->name))
                                r = dep_push(&c->after, deps[d]->v[i]);
        return r;
}

/* Who "wants" what a start request names (a name nobody else wants: a
 * target of no file and no links is then "not found", as systemctl says). */
#define REQUEST "a request"

static bool has_links(const char *name) {
        struct strv wants = { 0 }, requires = { 0 };
        bool any = unit_layout_wants(&mgr.layout, name, &wants, &requires) == 0 && (wants.n || requires.n);
        strv_free(&wants);
        strv_free(&requires);
        return any;
}

/* A target wanted with no unit file anywhere: systemd's own targets
 * (multi-user.target, network-online.target...) come with the systemd
 * package, which a container image does not have, while the packages'
 * scripts (deb-systemd-helper) still make multi-user.target.wants/ links.
 * The target is then a grouping point of its .wants/ and .requires/ links
 * alone, said once at info level. 0 or -ENOMEM. */
static int load_fileless_target(const char *name, struct unit **ret) {
        static const char text[] = "[Unit]\nDescription=no unit file: its .wants/ and .requires/ links\n";
        if ((*ret = mgr_find_unit(name)))
                return 0;
        struct unit_source src = { .path = "(no unit file)", .text = text, .size = sizeof(text) - 1 };
        struct unit_config c;
        struct unit_diags diags = { 0 };
        int r = unit_load_from_texts(name, &src, 1, &c, &diags);
        unit_report_diags(&diags);
        unit_diags_free(&diags);
        if (r == 0)
                r = add_links(&c, name);
        if (r == 0) {
                log_info("%s: no unit file; a target of its .wants/ and .requires/ links", name);
                mgr_apply_defaults(&c);
                r = mgr_add_unit(&c, ret);
        }
        if (r < 0)
                unit_config_free(&c);
        return r == -ENOMEM ? r : 0;
}

/* Find and load name (by: who wants it, for the messages). *ret the unit
 * (new, or already loaded under its real name), NULL when it is not to
 * run; the reason logged. 0 or -ENOMEM. */
static int load_named(const char *name, const char *by, struct unit **ret) {
        struct unit_found f;
        *ret = NULL;
        if (!mgr_runnable_type(name)) {
                log_notice("%s: skipped (wanted by %s): vigil runs .service and .target units only", name, by);
                return 0;
        }
        if (unit_name_is_template(name)) {
                log_warning("%s: a template wanted by %s without an instance, ignoring", name, by);
                return 0;
        }
        int r = unit_layout_find(&mgr.layout, name, &f);
        if (r < 0)
                return r;
        if (f.kind == UNIT_FOUND_NONE && strcmp(unit_name_type(name), "target") == 0 &&
            (strcmp(by, REQUEST) != 0 || has_links(name))) {
                unit_found_free(&f);
                return load_fileless_target(name, ret);
        }
        if (f.kind == UNIT_FOUND_NONE)
                log_warning("%s: wanted by %s, but no unit file of that name; ignoring", name, by);
        else if (f.kind == UNIT_FOUND_MASKED)
                log_notice("%s: masked (%s -> /dev/null): not started, although wanted by %s", name, f.link, by);
        else if (f.kind == UNIT_FOUND_LOOP)
                log_error("%s: symlink loop at %s (wanted by %s): not loaded", name, f.link, by);
        if (f.kind != UNIT_FOUND_FILE || (*ret = mgr_find_unit(f.name))) {
                unit_found_free(&f);
                return 0;
        }
        struct unit_config c;
        struct unit_diags diags = { 0 };
        r = unit_source_load_found(&mgr.layout, &f, &c, &diags);
        unit_report_diags(&diags);
        unit_diags_free(&diags);
        if (r == 0)
                r = add_links(&c, name);
        if (r == 0) {
                mgr_apply_defaults(&c);
                r = mgr_add_unit(&c, ret);
        } else if (r != -ENOMEM) {
                log_error("%s: not loaded, it will not be started", f.name);
        }
        if (r < 0)
                unit_config_free(&c);
        unit_found_free(&f);
        return r == -ENOMEM ? r : 0;
}

static int walk_push(struct strv *names, struct strv *by, const char *name, const char *who) {
        if (strv_contains(names, name))
                return 0;
        if (names->n >= ENABLED_MAX)
                return -E2BIG;
        int r = strv_push(names, name);
        return r < 0 ? r : strv_push(by, who);
}

/* Load names[0..] and, breadth first, what each loaded one requires and
 * wants (names grows). 0 or -ENOMEM. */
static int walk(struct strv *names, struct strv *by) {
        int r = 0;
        for (size_t i = 0; i < names->n && r == 0; i++) {
                struct unit *u;
                r = load_named(names->v[i], by->v[i], &u);
                if (r < 0 || !u)
                        continue;
                const struct unit_config *c = unit_config(u);
                const struct unit_dep_list *deps[] = { &c->requires, &c->wants, &c->binds_to };
                for (size_t d = 0; d < 3 && r == 0; d++)
                        for (size_t k = 0; k < deps[d]->n && r == 0; k++)
                                r = walk_push(names, by, deps[d]->v[k], c->name);
        }
        if (r == -E2BIG) {
                log_error("more than %d units wanted at once: the rest is not loaded", ENABLED_MAX);
                r = 0;
        }
        return r;
}

int mgr_load_enabled(void) {
        struct strv names = { 0 }, by = { 0 };
        char *def = NULL;
        int r = unit_layout_default_target(&mgr.layout, &def);
        if (r == 0)
                r = walk_push(&names, &by, def, "the boot");
        free(def);
        if (r == 0)
                r = walk(&names, &by);
        strv_free(&names);
        strv_free(&by);
        return r;
}

/* A syslog daemon loaded at run time (`apt-get install rsyslog` in a
 * running container: its postinst starts it): the path is its once it is
 * up (the supervisor's progress hook releases it), so vigil's exit never
 * removes the daemon's socket file. */
static void syslog_handover(void) {
        const char *daemon, *address = syslog_server_address();
        if (!address || !(daemon = manager_syslog_daemon()) || syslog_server_handover())
                return;
        if (syslog_server_hand_over(daemon) < 0) {
                log_error("syslog: out of memory handing %s over to %s; closing it", address, daemon);
                syslog_server_close();
                return;
        }
        log_notice("syslog: %s is the syslog daemon (syslog.service): %s is its once it is up", daemon, address);
}

struct unit *manager_load_on_demand(const char *name) {
        char full[512];
        if (snprintf(full, sizeof(full), "%s%s", name, strchr(name, '.') ? "" : ".service") >= (int)sizeof(full))
                return NULL;
        struct unit *u = mgr_find_unit(full);
        if (u || mgr.stopping || mgr.layout.dirs.n == 0 || !mgr_runnable_type(full) ||
            (!unit_name_is_valid(full) && !unit_name_is_template(full)))
                return u;
        mgr_run_queue();   /* the table changes: nothing may wait with old indexes */
        size_t n_old = mgr.n;
        /* The unit, and what it requires and wants that is not loaded yet
         * (systemd's transaction for `start`). */
        struct strv names = { 0 }, by = { 0 };
        int r = walk_push(&names, &by, full, REQUEST);
        if (r == 0)
                r = walk(&names, &by);
        if (r < 0)
                log_error("%s: out of memory loading it", full);
        if (mgr.n != n_old)
                mgr_rebuild(n_old);
        /* vigil starts every loaded unit at boot; one loaded later gets what
         * it requires and wants started with it, as systemd's start job. */
        for (size_t i = 1; i < names.n; i++) {
                struct unit *dep = mgr_find_unit(names.v[i]);
                if (dep && unit_state_is_inactive(unit_get_state(dep)))
                        manager_request_start(dep);
        }
        strv_free(&names);
        strv_free(&by);
        struct unit_found f;
        u = NULL;
        if (unit_layout_find(&mgr.layout, full, &f) == 0 && f.kind == UNIT_FOUND_FILE)
                u = mgr_find_unit(f.name);   /* an alias: the unit of its real name */
        unit_found_free(&f);
        if (mgr.n != n_old)
                syslog_handover();
        return u;
}

/* The unit the name syslog.service stands for, when it is loaded: a unit
 * of that name, or the one a syslog.service link is an alias of
 * (`systemctl enable rsyslog` makes it, from Alias=syslog.service). */
const char *manager_syslog_daemon(void) {
        struct unit *u = mgr_find_unit("syslog.service");
        struct unit_found f;
        if (!u && unit_layout_find(&mgr.layout, "syslog.service", &f) == 0) {
                if (f.kind == UNIT_FOUND_FILE)
                        u = mgr_find_unit(f.name);
                unit_found_free(&f);
        }
        return u ? unit_config(u)->name : NULL;
}
