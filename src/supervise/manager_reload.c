/* SPDX-License-Identifier: MIT */
#include "supervise/manager_internal.h"

#include "base/strbuf.h"
#include "base/timespan.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "supervise/unit_source.h"
#include "unit/dep_graph.h"
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

int manager_reload(struct strbuf *report, unsigned *ret_errors) {
        unsigned errors = 0;
        mgr_run_queue();
        size_t n_old = mgr.n;
        bool *seen = calloc(n_old ? n_old : 1, sizeof(*seen));
        struct unit **added = calloc(1, sizeof(*added));
        size_t n_added = 0;
        if (!seen || !added) {
                free(seen);
                free(added);
                return -ENOMEM;
        }
        /* Old units by pointer: mgr_add_unit() re-sorts the table. */
        struct unit **old = malloc((n_old ? n_old : 1) * sizeof(*old));
        if (!old) {
                free(seen);
                free(added);
                return -ENOMEM;
        }
        memcpy(old, mgr.units, n_old * sizeof(*old));

        int r = 0;
        for (size_t d = 0; d < mgr.n_dirs && r == 0; d++) {
                char **paths = NULL;
                size_t n = 0;
                int q = unit_source_list_dir(mgr.dirs[d], ".service", &paths, &n);
                if (q < 0) {
                        char line[600];
                        snprintf(line, sizeof(line), "%s: cannot list: %s\n", mgr.dirs[d], strerror(-q));
                        strbuf_puts(report, line);
                        errors++;
                        /* Its units are not "removed" for that: they stay as they are. */
                        for (size_t i = 0; i < n_old; i++)
                                seen[i] = true;
                        continue;
                }
                for (size_t i = 0; i < n && r == 0; i++) {
                        const char *base = strrchr(paths[i], '/');
                        base = base ? base + 1 : paths[i];
                        struct unit *u = mgr_find_unit(base);
                        size_t oi = SIZE_MAX;
                        for (size_t j = 0; u && j < n_old; j++)
                                if (old[j] == u)
                                        oi = j;
                        bool is_added = false;
                        for (size_t j = 0; j < n_added; j++)
                                is_added |= added[j] == u;
                        if ((oi != SIZE_MAX && seen[oi]) || is_added)
                                continue; /* shadowed by an earlier directory */
                        if (oi != SIZE_MAX)
                                seen[oi] = true;
                        struct unit_config c;
                        struct unit_diags diags = { 0 };
                        q = unit_source_load(paths[i], &c, &diags);
                        unit_report_diags(&diags);
                        char line[700];
                        if (q == -ENOMEM) {
                                unit_diags_free(&diags);
                                r = q;
                                break;
                        }
                        if (q < 0) {
                                const struct unit_diag *e = NULL;
                                for (size_t k = 0; k < diags.n && !e; k++)
                                        if (diags.v[k].severity == UNIT_DIAG_ERROR)
                                                e = &diags.v[k];
                                snprintf(line, sizeof(line), "%s: %s; %s\n", base,
                                         e ? e->message : "cannot be loaded",
                                         u ? "the running definition stays" : "not loaded");
                                if (e && e->file) {
                                        snprintf(line, sizeof(line), "%s:%u: %s; %s\n", e->file, e->line, e->message,
                                                 u ? "the running definition stays" : "not loaded");
                                }
                                strbuf_puts(report, line);
                                unit_diags_free(&diags);
                                errors++;
                                continue;
                        }
                        unit_diags_free(&diags);
                        mgr_apply_defaults(&c);
                        uint64_t fp = c.fingerprint;
                        if (u && mgr_slot(u)->runit) {
                                unit_config_free(&c);
                                continue;
                        }
                        if (u) {
                                if (unit_config(u)->fingerprint == fp && !mgr_slot(u)->pending && !mgr_slot(u)->removed) {
                                        unit_config_free(&c);
                                        continue;
                                }
                                struct unit_config *p = malloc(sizeof(*p));
                                if (!p) {
                                        unit_config_free(&c);
                                        r = -ENOMEM;
                                        break;
                                }
                                *p = c;
                                if (mgr_slot(u)->pending) {
                                        unit_config_free(mgr_slot(u)->pending);
                                        free(mgr_slot(u)->pending);
                                }
                                mgr_slot(u)->pending = p;
                                mgr_slot(u)->removed = false;
                                bool up = !unit_state_is_inactive(unit_get_state(u));
                                snprintf(line, sizeof(line), "%s: changed%s\n", base, up ? ", restarting" : "");
                                strbuf_puts(report, line);
                                continue; /* acted on once the table is rebuilt */
                        }
                        struct unit *nu;
                        q = mgr_add_unit(&c, &nu);
                        if (q < 0) {
                                unit_config_free(&c);
                                r = q;
                                break;
                        }
                        if (!nu)
                                continue;
                        struct unit **a = realloc(added, (n_added + 1) * sizeof(*a));
                        if (!a) {
                                r = -ENOMEM;
                                break;
                        }
                        added = a;
                        added[n_added++] = nu;
                        snprintf(line, sizeof(line), "%s: added\n", base);
                        strbuf_puts(report, line);
                }
                unit_source_paths_free(paths, n);
        }
        for (size_t i = 0; i < n_old && r == 0; i++) {
                struct unit *u = old[i];
                if (seen[i] || mgr_slot(u)->runit || mgr_slot(u)->removed)
                        continue;
                mgr_slot(u)->removed = true;
                mgr_slot(u)->restart_requested = false;
                char line[600];
                snprintf(line, sizeof(line), "%s: removed%s\n", unit_config(u)->name,
                         unit_state_is_inactive(unit_get_state(u)) ? "" : ", stopping");
                strbuf_puts(report, line);
        }
        free(seen);
        free(old);
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
        *ret_errors = errors;
        return r;
}
