/* SPDX-License-Identifier: MIT */
#include "supervise/diag_report.h"
#include "supervise/manager_internal.h"

#include "base/strbuf.h"
#include "base/timespan.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "os/system.h"
#include "supervise/unit_source.h"
#include "unit/dep_graph.h"
#include "unit/install_plan.h"
#include "unit/reload_plan.h"
#include "unit/runit_dir.h"
#include "unit/unit_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- loading */


struct unit *mgr_find_unit(const char *name) {
        /* units is sorted by name after loading. */
        size_t lo = 0, hi = mgr.n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(name, unit_config(mgr.units[mid])->name);
                if (c == 0)
                        return mgr.units[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/* *ret is the new unit, or NULL when an earlier one of the same name wins. */
int mgr_add_unit(struct unit_config *c, struct unit **ret) {
        *ret = NULL;
        if (mgr_find_unit(c->name)) {
                /* An earlier --units directory wins, like systemd's search path. */
                log_warning("%s: %s is shadowed by an earlier unit of the same name", c->sources[0], c->name);
                unit_config_free(c);
                return 0;
        }
        struct unit **v = realloc(mgr.units, (mgr.n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        mgr.units = v;
        struct slot *sl = calloc(1, sizeof(*sl));
        if (!sl)
                return -ENOMEM;
        struct unit *u = unit_new(c, mgr.n);
        if (!u) {
                free(sl);
                return -ENOMEM;
        }
        unit_set_owner(u, sl);
        /* Keep sorted by name (insertion: loading is once, before the point of no return). */
        size_t at = mgr.n;
        while (at > 0 && strcmp(unit_config(mgr.units[at - 1])->name, unit_config(u)->name) > 0) {
                mgr.units[at] = mgr.units[at - 1];
                at--;
        }
        mgr.units[at] = u;
        mgr.n++;
        *ret = u;
        return 0;
}

/* The name of the Limit*= key of resource, from the key table. */
static const char *limit_key_name(int resource) {
        const struct unit_key *k;
        for (size_t i = 0; (k = unit_keys_at(i)); i++)
                if (k->parse == unit_key_parse_rlimit && k->arg == resource)
                        return k->key;
        return "Limit";
}

/* A Limit*= above what vigil may give (a hard limit over vigil's own
 * without CAP_SYS_RESOURCE, as in most containers; NOFILE over
 * fs.nr_open): systemd, PID 1 with every capability, would fail the exec
 * (EXIT_LIMITS); vigil clamps to what it may set, with one line naming
 * FILE:LINE, and the daemon runs (redis-server's LimitNOFILE=65535 under
 * a hard limit of 20000). */
static void clamp_limits(struct unit_config *c) {
        for (int i = 0; i < UNIT_RLIMIT_MAX; i++) {
                struct unit_rlimit *l = &c->limits[i];
                rlim_t ceiling;
                if (!l->set || os_rlimit_ceiling(i, &ceiling) < 0 || l->value.rlim_max <= ceiling)
                        continue;
                log_warning("%s:%u: %s=%llu is above the hard limit %llu vigil may set (no CAP_SYS_RESOURCE, or "
                            "fs.nr_open): clamped to %llu",
                            l->file ? l->file : c->name, l->line, limit_key_name(i),
                            (unsigned long long)l->value.rlim_max, (unsigned long long)ceiling,
                            (unsigned long long)ceiling);
                l->value.rlim_max = ceiling;
                if (l->value.rlim_cur > ceiling)
                        l->value.rlim_cur = ceiling;
        }
}

void mgr_apply_defaults(struct unit_config *c) {
        unit_config_apply_manager_defaults(c, mgr.config.default_timeout_start_usec, mgr.config.default_timeout_stop_usec);
        clamp_limits(c);
}

static int load_dir(const char *dir) {
        char **paths = NULL;
        size_t n = 0;
        int r = unit_source_list_dir(dir, ".service", &paths, &n);
        if (r < 0) {
                log_error("cannot list units in %s: %s", dir, strerror(-r));
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                struct unit_config c;
                struct unit_diags diags = { 0 };
                const char *name = strrchr(paths[i], '/');
                if (unit_name_is_template(name ? name + 1 : paths[i])) {
                        log_debug("%s: a template: its instances load when started", paths[i]);
                        continue;
                }
                r = unit_source_load(paths[i], &c, &diags);
                unit_report_diags(&diags);
                unit_diags_free(&diags);
                if (r == -ENOMEM) {
                        unit_source_paths_free(paths, n);
                        return r;
                }
                if (r < 0) {
                        const char *base = strrchr(paths[i], '/');
                        log_error("%s: not loaded, it will not be started", base ? base + 1 : paths[i]);
                        continue;
                }
                mgr_apply_defaults(&c);
                struct unit *u;
                r = mgr_add_unit(&c, &u);
                if (r < 0) {
                        unit_config_free(&c);
                        unit_source_paths_free(paths, n);
                        return r;
                }
        }
        unit_source_paths_free(paths, n);
        return 0;
}

/* Whether dir/file exists (or, with executable, is an executable file). */
static bool file_in(const char *dir, const char *file, bool executable) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return false;
        bool ok = executable ? os_is_executable_file(p) : os_path_exists(p) == 1;
        free(p);
        return ok;
}

/* One runit service directory: NAME.service (and NAME.log.service). */
static int load_runit_service(const char *root, const char *name) {
        char *dir;
        if (asprintf(&dir, "%s/%s", root, name) < 0)
                return -ENOMEM;
        if (!file_in(dir, "run", true)) {
                log_debug("%s: no executable run file, not a service", dir);
                free(dir);
                return 0;
        }
        struct runit_service s = {
                .dir = dir,
                .name = name,
                .has_finish = file_in(dir, "finish", true),
                .has_log = file_in(dir, "log/run", true),
        };
        struct unit_config main_c, log_c;
        int r = runit_service_config(&s, &main_c, &log_c);
        if (r < 0) {
                if (r == -EINVAL)
                        log_error("%s: '%s' cannot name a unit, not supervised", dir, name);
                free(dir);
                return r == -ENOMEM ? r : 0;
        }
        mgr_apply_defaults(&main_c);
        struct unit *mu = NULL, *lu = NULL;
        bool down = file_in(dir, "down", false);
        int pipe_fds[2] = { -1, -1 };
        if (s.has_log) {
                mgr_apply_defaults(&log_c);
                r = os_pipe(pipe_fds, 0);
                if (r < 0) {
                        log_error("%s: cannot create the pipe to log/run: %s", dir, strerror(-r));
                        unit_config_free(&log_c);
                        s.has_log = false;
                }
        }
        if (s.has_log) {
                r = mgr_add_unit(&log_c, &lu);
                if (r < 0)
                        unit_config_free(&log_c);
        }
        if (r == 0)
                r = mgr_add_unit(&main_c, &mu);
        else
                unit_config_free(&main_c);
        if (mu) {
                mgr_slot(mu)->runit = true;
                mgr_slot(mu)->no_autostart = down;
                unit_set_runit(mu, true, -1, lu ? pipe_fds[1] : -1);
                if (lu)
                        pipe_fds[1] = -1;
        }
        if (lu && mu) {
                mgr_slot(lu)->runit = true;
                unit_set_runit(lu, false, pipe_fds[0], -1);
                pipe_fds[0] = -1;
        }
        os_close(pipe_fds[0]);
        os_close(pipe_fds[1]);
        free(dir);
        return r;
}

static int load_runit_dir(const char *root) {
        struct os_dir_entry *v;
        size_t n;
        int r = os_dir_list(root, 10000, &v, &n);
        if (r < 0) {
                log_error("cannot list runit services in %s: %s", root, strerror(-r));
                return 0;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                if (v[i].name[0] != '.')
                        r = load_runit_service(root, v[i].name);
        os_dir_list_free(&v, &n);
        return r < 0 ? r : 0;
}

static int list_push(struct idx_list *l, size_t i) {
        for (size_t k = 0; k < l->n; k++)
                if (l->v[k] == i)
                        return 0;
        size_t *v = realloc(l->v, (l->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        v[l->n++] = i;
        l->v = v;
        return 0;
}

/* Resolve names to indexes; a Requires=/BindsTo= on a unit that is not
 * loaded fails the dependent's start, as systemd's "unit not found". */
int mgr_build_graph(void) {
        struct dep_edge *edges = NULL;
        size_t n_edges = 0, cap = 0;
        const char **names = calloc(mgr.n ? mgr.n : 1, sizeof(char *));
        mgr.waiters = calloc(mgr.n ? mgr.n : 1, sizeof(*mgr.waiters));
        mgr.wait_for = calloc(mgr.n ? mgr.n : 1, sizeof(*mgr.wait_for));
        mgr.required = calloc(mgr.n ? mgr.n : 1, sizeof(*mgr.required));
        mgr.bound = calloc(mgr.n ? mgr.n : 1, sizeof(*mgr.bound));
        if (!names || !mgr.waiters || !mgr.wait_for || !mgr.required || !mgr.bound) {
                free(names);
                return -ENOMEM;
        }
        int r = 0;
        /* Every index first: an edge names units further down the table,
         * whose old index (of the table before a unit was added) would
         * make an edge to the wrong unit (basic.target <-> multi-user.target,
         * a cycle of Debian's own targets). */
        for (size_t i = 0; i < mgr.n; i++)
                unit_set_index(mgr.units[i], i);
        for (size_t i = 0; i < mgr.n && r == 0; i++) {
                struct unit *u = mgr.units[i];
                names[i] = unit_config(u)->name;
                const struct unit_dep_list *lists[2] = { &unit_config(u)->after, &unit_config(u)->before };
                for (int which = 0; which < 2 && r == 0; which++) {
                        for (size_t k = 0; k < lists[which]->n; k++) {
                                struct unit *o = mgr_find_unit(lists[which]->v[k]);
                                if (!o || o == u)
                                        continue;
                                if (n_edges == cap) {
                                        cap = cap ? cap * 2 : 64;
                                        struct dep_edge *e = realloc(edges, cap * sizeof(*e));
                                        if (!e) {
                                                r = -ENOMEM;
                                                break;
                                        }
                                        edges = e;
                                }
                                edges[n_edges++] = which == 0 ? (struct dep_edge){ .before = unit_index(o), .after = i }
                                                              : (struct dep_edge){ .before = i, .after = unit_index(o) };
                        }
                }
        }
        struct dep_graph g = { 0 };
        if (r == 0)
                r = dep_graph_build(mgr.n, names, edges, n_edges, &g);
        free(edges);
        if (r < 0) {
                free(names);
                return r;
        }
        for (size_t c = 0; c < g.n_cycles; c++) {
                char buf[1024];
                size_t len = 0;
                for (size_t k = 0; k < g.cycles[c].n && len < sizeof(buf); k++)
                        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? ", " : "",
                                                names[g.cycles[c].members[k]]);
                log_warning("ordering cycle between %s; breaking it by dropping %s after %s", buf,
                            names[g.cycles[c].dropped_to], names[g.cycles[c].dropped_from]);
        }
        for (size_t i = 0; i < mgr.n && r == 0; i++)
                for (size_t k = 0; k < g.n_wait_for[i] && r == 0; k++) {
                        size_t j = g.wait_for[i][k];
                        r = list_push(&mgr.wait_for[i], j);
                        if (r == 0)
                                r = list_push(&mgr.waiters[j], i);
                }
        dep_graph_free(&g);
        free(names);
        for (size_t i = 0; i < mgr.n && r == 0; i++) {
                struct unit *u = mgr.units[i];
                const struct unit_dep_list *lists[2] = { &unit_config(u)->requires, &unit_config(u)->binds_to };
                for (int which = 0; which < 2 && r == 0; which++)
                        for (size_t k = 0; k < lists[which]->n && r == 0; k++) {
                                struct unit *o = mgr_find_unit(lists[which]->v[k]);
                                if (!o && !mgr_runnable_type(lists[which]->v[k])) {
                                        /* systemd would have it (rsyslog's Requires=syslog.socket);
                                         * vigil owns what such units stand for (/dev/log) or
                                         * does not run them: satisfied, said once. */
                                        log_notice("%s: %s=%s is a unit type vigil does not run: taken as satisfied",
                                                   unit_config(u)->name, which ? "BindsTo" : "Requires",
                                                   lists[which]->v[k]);
                                        continue;
                                }
                                if (!o) {
                                        log_warning("%s: %s=%s is not loaded; %s will not start",
                                                    unit_config(u)->name, which ? "BindsTo" : "Requires",
                                                    lists[which]->v[k], unit_config(u)->name);
                                        r = list_push(&mgr.required[i], SIZE_MAX);
                                        continue;
                                }
                                r = list_push(&mgr.required[i], unit_index(o));
                                if (r == 0)
                                        r = list_push(&mgr.bound[unit_index(o)], i);
                        }
                for (size_t k = 0; k < unit_config(u)->part_of.n && r == 0; k++) {
                        struct unit *o = mgr_find_unit(unit_config(u)->part_of.v[k]);
                        if (o)
                                r = list_push(&mgr.bound[unit_index(o)], i);
                }
        }
        return r;
}

int manager_load(char *const *dirs, size_t n_dirs, const char *runit_dir, const char *systemd_root) {
        mgr.dirs = dirs;
        mgr.n_dirs = n_dirs;
        int r = systemd_root ? unit_layout_systemd(systemd_root, &mgr.layout)
                             : unit_layout_from_dirs(dirs, n_dirs, &mgr.layout);
        if (r < 0)
                return r;
        if (systemd_root) {
                char host[80] = "";
                char *text = NULL;
                if (os_read_file("/proc/sys/kernel/hostname", sizeof(host) - 1, &text, NULL) == 0) {
                        snprintf(host, sizeof(host), "%.*s", (int)strcspn(text, "\n"), text);
                        unit_specifier_set_hostname(host);
                }
                free(text);
                log_info("units from the systemd layout under %s", systemd_root);
                /* sd_booted(3)'s marker: deb-systemd-invoke, Ansible's
                 * service_mgr and dh's maintainer scripts act only when it
                 * is there; vigil then answers what they ask (its systemctl,
                 * NOTIFY_SOCKET). Only for the machine's own layout. */
                if (strcmp(systemd_root, "/") == 0) {
                        r = os_make_dirs("/run/systemd/system", 0755);
                        if (r < 0 && r != -EEXIST)
                                log_warning("cannot create /run/systemd/system: %s", strerror(-r));
                }
                r = mgr_load_enabled();
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_dirs; i++) {
                r = load_dir(dirs[i]);
                if (r < 0)
                        return r;
        }
        if (runit_dir) {
                r = load_runit_dir(runit_dir);
                if (r < 0)
                        return r;
        }
        r = mgr_build_graph();
        if (r < 0)
                return r;
        r = mgr_queue_size();
        if (r < 0)
                return r;
        if (mgr.n)
                log_info("loaded %zu unit%s", mgr.n, mgr.n == 1 ? "" : "s");
        return (int)mgr.n;
}


/* ---------------------------------------------------------------- daemon-reload */

void mgr_free_graph(void) {
        for (size_t i = 0; i < mgr.n; i++) {
                if (mgr.waiters)
                        free(mgr.waiters[i].v);
                if (mgr.wait_for)
                        free(mgr.wait_for[i].v);
                if (mgr.required)
                        free(mgr.required[i].v);
                if (mgr.bound)
                        free(mgr.bound[i].v);
        }
        free(mgr.waiters);
        free(mgr.wait_for);
        free(mgr.required);
        free(mgr.bound);
        mgr.waiters = mgr.wait_for = mgr.required = mgr.bound = NULL;
}

/* The table changed (units added, removed, redefined): new indexes, new
 * graph, a queue as long as the table. Only with the queue empty. */
void mgr_rebuild(size_t old_n) {
        size_t n = mgr.n;
        mgr.n = old_n;
        mgr_free_graph();
        mgr.n = n;
        mgr.graph_dirty = false;
        int r = mgr_queue_size();
        if (r == 0)
                r = mgr_build_graph();
        if (r < 0)
                log_error("cannot rebuild the dependency graph: %s; ordering may be off until the next daemon-reload",
                          strerror(-r));
}

