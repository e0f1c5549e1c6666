/* SPDX-License-Identifier: MIT */
#include "supervise/diag_report.h"
#include "supervise/manager_internal.h"

#include "base/strbuf.h"
#include "base/timespan.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "supervise/unit_source.h"
#include "unit/dep_graph.h"
#include "unit/install_plan.h"
#include "unit/reload_plan.h"
#include "unit/runit_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A redefined unit that is inactive takes its new definition. */
void mgr_apply_pending(struct unit *u) {
        if (!mgr_slot(u)->pending || !unit_state_is_inactive(unit_get_state(u)))
                return;
        if (unit_set_config(u, mgr_slot(u)->pending) < 0) {
                log_error("%s: out of memory applying the new definition; keeping the old one", unit_config(u)->name);
                unit_config_free(mgr_slot(u)->pending);
        } else {
                log_info("%s: new definition in effect", unit_config(u)->name);
        }
        free(mgr_slot(u)->pending);
        mgr_slot(u)->pending = NULL;
        mgr.graph_dirty = true;
}

/* Drop removed units once inactive; apply definitions that wait. */
void mgr_tidy(void) {
        /* After every batch of events: nothing to scan unless daemon-reload left work. */
        if (mgr.queue_n || (!mgr.tidy && !mgr.graph_dirty))
                return;
        bool left = false;
        size_t old_n = mgr.n, k = 0;
        bool changed = mgr.graph_dirty;
        for (size_t i = 0; i < mgr.n; i++) {
                struct unit *u = mgr.units[i];
                mgr_apply_pending(u);
                left |= mgr_slot(u)->pending || (mgr_slot(u)->removed && !unit_state_is_inactive(unit_get_state(u)));
                if (mgr_slot(u)->removed && unit_state_is_inactive(unit_get_state(u))) {
                        if (mgr.config.hooks.unit_dropped)
                                mgr.config.hooks.unit_dropped(u);
                        log_info("%s: removed", unit_config(u)->name);
                        mgr_drop_unit(u);
                        changed = true;
                        continue;
                }
                mgr.units[k++] = u;
        }
        mgr.tidy = left;
        if (!changed && !mgr.graph_dirty)
                return;
        mgr.n = k;
        mgr_rebuild(old_n);
}

/* One definition read back by daemon-reload. */
struct reread {
        const char *name;            /* points into path, or is own_name */
        char *path;
        char *own_name;              /* found by name (an instance: path is the template's) */
        bool loaded;
        struct unit_config c;        /* when loaded */
        char error[700];             /* the report line when not */
};

struct reread_set {
        struct reread *v;
        size_t n;
        bool listing_failed;
        unsigned errors;
};

static void reread_free(struct reread_set *rs) {
        for (size_t i = 0; i < rs->n; i++) {
                if (rs->v[i].loaded)
                        unit_config_free(&rs->v[i].c);
                free(rs->v[i].path);
                free(rs->v[i].own_name);
        }
        free(rs->v);
}

/* The first directory wins: an old unit's name is read once, and so is a
 * new name once it loaded (a broken one does not hide a later good one,
 * as at boot). */
static bool shadowed(const struct reread_set *rs, const char *name) {
        bool old = mgr_find_unit(name) != NULL;
        for (size_t i = 0; i < rs->n; i++)
                if (strcmp(rs->v[i].name, name) == 0 && (old || rs->v[i].loaded))
                        return true;
        return false;
}

static void describe_failure(struct reread *d, const struct unit_diags *diags) {
        const struct unit_diag *e = NULL;
        for (size_t k = 0; k < diags->n && !e; k++)
                if (diags->v[k].severity == UNIT_DIAG_ERROR)
                        e = &diags->v[k];
        const char *stays = mgr_find_unit(d->name) ? "the running definition stays" : "not loaded";
        if (e && e->file)
                snprintf(d->error, sizeof(d->error), "%s:%u: %s; %s\n", e->file, e->line, e->message, stays);
        else
                snprintf(d->error, sizeof(d->error), "%s: %s; %s\n", d->name, e ? e->message : "cannot be loaded",
                         stays);
}

/* Read one file (f, found by name, else path) into the set. 0 or -ENOMEM. */
static int reread_one(struct reread_set *rs, const char *path, const struct unit_found *f) {
        struct reread *v = realloc(rs->v, (rs->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        rs->v = v;
        struct reread *d = &v[rs->n];
        *d = (struct reread){ .path = strdup(path), .own_name = f ? strdup(f->name) : NULL };
        if (!d->path || (f && !d->own_name)) {
                free(d->path);
                free(d->own_name);
                return -ENOMEM;
        }
        const char *base = strrchr(d->path, '/');
        d->name = f ? d->own_name : base ? base + 1 : d->path;
        rs->n++;
        struct unit_diags diags = { 0 };
        int q = f ? unit_source_load_found(&mgr.layout, f, &d->c, &diags) : unit_source_load(path, &d->c, &diags);
        unit_report_diags(&diags);
        if (q == 0) {
                d->loaded = true;
                mgr_apply_defaults(&d->c);
        } else if (q != -ENOMEM) {
                describe_failure(d, &diags);
                rs->errors++;
        }
        unit_diags_free(&diags);
        return q == -ENOMEM ? q : 0;
}

/* Units loaded by name (the systemd layout's, templates' instances), not
 * read from a listing: read again by name; gone or masked, not read
 * (so removed). */
static int reread_loaded(struct reread_set *rs) {
        int q = 0;
        for (size_t i = 0; i < mgr.n && q == 0; i++) {
                const char *name = unit_name(mgr.units[i]);
                bool read = false;
                for (size_t k = 0; k < rs->n && !read; k++)
                        read = strcmp(rs->v[k].name, name) == 0;
                if (read || mgr_slot(mgr.units[i])->runit)
                        continue;
                struct unit_found f;
                q = unit_layout_find(&mgr.layout, name, &f);
                if (q == 0 && f.kind == UNIT_FOUND_FILE && strcmp(f.name, name) == 0)
                        q = reread_one(rs, f.path, &f);
                unit_found_free(&f);
        }
        return q;
}

/* The I/O half: every --units directory listed and read, in order. */
static int reread_dirs(struct reread_set *rs, struct strbuf *report) {
        for (size_t d = 0; d < mgr.n_dirs; d++) {
                char **paths = NULL;
                size_t n = 0;
                int q = unit_source_list_dir(mgr.dirs[d], ".service", &paths, &n);
                if (q < 0) {
                        char line[600];
                        snprintf(line, sizeof(line), "%s: cannot list: %s\n", mgr.dirs[d], strerror(-q));
                        strbuf_puts(report, line);
                        rs->errors++;
                        rs->listing_failed = true; /* its units are not "removed" for that */
                        continue;
                }
                for (size_t i = 0; i < n && q == 0; i++) {
                        const char *base = strrchr(paths[i], '/');
                        if (!shadowed(rs, base ? base + 1 : paths[i]) &&
                            !unit_name_is_template(base ? base + 1 : paths[i]))
                                q = reread_one(rs, paths[i], NULL);
                }
                unit_source_paths_free(paths, n);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* A changed definition waits in the unit's slot until it is inactive. */
static int set_pending(struct unit *u, struct unit_config *c) {
        struct unit_config *p = malloc(sizeof(*p));
        if (!p)
                return -ENOMEM;
        *p = *c;
        memset(c, 0, sizeof(*c));
        struct slot *s = mgr_slot(u);
        if (s->pending) {
                unit_config_free(s->pending);
                free(s->pending);
        }
        s->pending = p;
        s->removed = false;
        return 0;
}

/* Carry out the verdict for one definition read. *ret_added: a new unit. */
static int apply_new(struct reread *d, enum reload_verdict v, struct strbuf *report, struct unit **ret_added) {
        char line[700];
        struct unit *u = mgr_find_unit(d->name);
        *ret_added = NULL;
        switch (v) {
        case RELOAD_BROKEN:
                strbuf_puts(report, d->error);
                return 0;
        case RELOAD_CHANGED:
                snprintf(line, sizeof(line), "%s: changed%s\n", d->name,
                         unit_state_is_inactive(unit_get_state(u)) ? "" : ", restarting");
                strbuf_puts(report, line);
                return set_pending(u, &d->c); /* acted on once the table is rebuilt */
        case RELOAD_ADDED: {
                int q = mgr_add_unit(&d->c, ret_added);
                if (q < 0)
                        return q;
                memset(&d->c, 0, sizeof(d->c));
                d->loaded = false;
                if (*ret_added) {
                        snprintf(line, sizeof(line), "%s: added\n", d->name);
                        strbuf_puts(report, line);
                }
                return 0;
        }
        default:
                return 0;
        }
}

static void mark_removed(struct unit *u, struct strbuf *report) {
        mgr_slot(u)->removed = true;
        mgr_slot(u)->restart_requested = false;
        char line[600];
        snprintf(line, sizeof(line), "%s: removed%s\n", unit_name(u),
                 unit_state_is_inactive(unit_get_state(u)) ? "" : ", stopping");
        strbuf_puts(report, line);
}

/* The plan (unit/reload_plan.h) for the set read against the units now. */
static int plan(const struct reread_set *rs, enum reload_verdict **ret_new, enum reload_verdict **ret_old) {
        struct reload_old *old = calloc(mgr.n ? mgr.n : 1, sizeof(*old));
        struct reload_new *defs = calloc(rs->n ? rs->n : 1, sizeof(*defs));
        *ret_new = calloc(rs->n ? rs->n : 1, sizeof(**ret_new));
        *ret_old = calloc(mgr.n ? mgr.n : 1, sizeof(**ret_old));
        int r = old && defs && *ret_new && *ret_old ? 0 : -ENOMEM;
        for (size_t j = 0; r == 0 && j < mgr.n; j++) {
                const struct unit *u = mgr.units[j];
                old[j] = (struct reload_old){ .name = unit_name(u), .fingerprint = unit_config(u)->fingerprint,
                                              .runit = mgr_slot(u)->runit, .pending = mgr_slot(u)->pending != NULL,
                                              .removed = mgr_slot(u)->removed };
        }
        for (size_t i = 0; r == 0 && i < rs->n; i++)
                defs[i] = (struct reload_new){ .name = rs->v[i].name, .loaded = rs->v[i].loaded,
                                               .fingerprint = rs->v[i].loaded ? rs->v[i].c.fingerprint : 0 };
        if (r == 0)
                reload_plan(old, mgr.n, defs, rs->n, rs->listing_failed, *ret_new, *ret_old);
        free(old);
        free(defs);
        return r;
}

/* Apply the plan: the table grows by the added units (re-sorted), so the
 * old units' verdicts are taken by pointer first. */
static int apply_plan(struct reread_set *rs, const enum reload_verdict *vn, const enum reload_verdict *vo,
                      struct strbuf *report, struct unit ***ret_added, size_t *ret_n_added) {
        size_t n_old = mgr.n;
        struct unit **gone = calloc(n_old ? n_old : 1, sizeof(*gone));
        struct unit **added = calloc(rs->n ? rs->n : 1, sizeof(*added));
        if (!gone || !added) {
                free(gone);
                free(added);
                return -ENOMEM;
        }
        size_t n_gone = 0, n_added = 0;
        for (size_t j = 0; j < n_old; j++)
                if (vo[j] == RELOAD_REMOVED)
                        gone[n_gone++] = mgr.units[j];
        int r = 0;
        for (size_t i = 0; i < rs->n && r == 0; i++) {
                r = apply_new(&rs->v[i], vn[i], report, &added[n_added]);
                n_added += r == 0 && added[n_added];
        }
        for (size_t k = 0; k < n_gone && r == 0; k++)
                mark_removed(gone[k], report);
        free(gone);
        *ret_added = added;
        *ret_n_added = n_added;
        return r;
}

int manager_reload(struct strbuf *report, unsigned *ret_errors) {
        mgr_run_queue();
        size_t n_old = mgr.n;
        struct reread_set rs = { 0 };
        enum reload_verdict *vn = NULL, *vo = NULL;
        struct unit **added = NULL;
        size_t n_added = 0;
        int r = reread_dirs(&rs, report);
        if (r == 0)
                r = reread_loaded(&rs);
        if (r == 0)
                r = plan(&rs, &vn, &vo);
        if (r == 0)
                r = apply_plan(&rs, vn, vo, report, &added, &n_added);
        reread_free(&rs);
        free(vn);
        free(vo);
        mgr.tidy = true;
        /* New indexes and graph before anything moves: mgr_add_unit() shifted
         * the table under the old graph's indexes. */
        mgr_rebuild(n_old);
        for (size_t i = 0; i < mgr.n && r == 0; i++) {
                struct unit *u = mgr.units[i];
                if (mgr_slot(u)->removed)
                        mgr_stop_and_propagate(u);
                else if (mgr_slot(u)->pending && !unit_state_is_inactive(unit_get_state(u)) && !mgr.stopping)
                        manager_request_restart(u);
                else
                        mgr_apply_pending(u);
        }
        for (size_t i = 0; i < n_added && !mgr.stopping; i++)
                unit_start(added[i]);
        free(added);
        mgr_run_queue();
        mgr_tidy();
        if (r == 0 && report->n == 0)
                strbuf_puts(report, "nothing changed\n");
        *ret_errors = rs.errors;
        return r;
}
