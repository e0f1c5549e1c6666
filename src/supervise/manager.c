/* SPDX-License-Identifier: MIT */
#include "supervise/manager.h"

#include "base/strbuf.h"
#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "supervise/proc_index.h"
#include "supervise/health.h"
#include "unit/unit_action.h"
#include "unit/dep_graph.h"
#include "unit/runit_dir.h"
#include "supervise/unit_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct idx_list {
        size_t *v;
        size_t n;
};

static struct {
        struct manager_config config;
        struct unit **units;
        size_t n;
        struct idx_list *waiters;    /* waiters[j]: units that wait for j (After=) */
        struct idx_list *wait_for;   /* wait_for[i]: units i waits for */
        struct idx_list *required;   /* Requires=/BindsTo= targets of i */
        struct idx_list *bound;      /* bound[j]: units with Requires=/BindsTo=/PartOf=j: a stop of j stops them */
        struct job *queue;           /* a FIFO ring of knock-on effects, at most one per (unit, kind) */
        size_t queue_cap, queue_head, queue_n;
        bool progress;               /* some unit changed state: tell hooks.boot_progress once settled */
        bool stopping;
        bool all_stopped_sent;
        size_t n_killing;            /* units in stop-sigterm/stop-sigkill: waiting for all-gone */
        int devnull;                 /* stdin of units, handed to the unit module */
        char *const *dirs;           /* --units, kept for daemon-reload */
        size_t n_dirs;
        bool graph_dirty;            /* a definition changed: rebuild the graph when settled */
        bool tidy;                   /* some unit has a pending definition or was removed */
} m = { .devnull = -1 };

/* What the manager keeps per unit (the unit's owner data). */
struct slot {
        bool queued[2];              /* in the queue, per enum job_kind */
        bool restart_requested;      /* the user's restart: start again once stopped */
        struct unit_config *pending; /* daemon-reload: the new definition, applied once inactive */
        bool removed;                /* daemon-reload: its file is gone; dropped once inactive */
        bool no_autostart;           /* a runit "down" file: not started at boot */
        bool runit;                  /* from --runit-dir (not re-read by daemon-reload) */
};

/* A knock-on effect, run after the state write that caused it. */
enum job_kind {
        JOB_CHECK,                   /* look again: its waits, its restart, its turn to stop at shutdown */
        JOB_STOP,                    /* a propagated stop (Requires=/BindsTo=/PartOf=) */
};
struct job {
        struct unit *u;
        enum job_kind kind;
};

static struct slot *slot(const struct unit *u) {
        return unit_owner(u);
}

static void slot_free(struct slot *s) {
        if (!s)
                return;
        if (s->pending) {
                unit_config_free(s->pending);
                free(s->pending);
        }
        free(s);
}

static void drop_unit(struct unit *u) {
        struct slot *s = slot(u);
        unit_free(u);
        slot_free(s);
}

/* ---------------------------------------------------------------- loading */

static int queue_size(void);

static struct unit *find_unit(const char *name) {
        /* units is sorted by name after loading. */
        size_t lo = 0, hi = m.n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(name, unit_config(m.units[mid])->name);
                if (c == 0)
                        return m.units[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/* *ret is the new unit, or NULL when an earlier one of the same name wins. */
static int add_unit(struct unit_config *c, struct unit **ret) {
        *ret = NULL;
        if (find_unit(c->name)) {
                /* An earlier --units directory wins, like systemd's search path. */
                log_warning("%s: %s is shadowed by an earlier unit of the same name", c->sources[0], c->name);
                unit_config_free(c);
                return 0;
        }
        struct unit **v = realloc(m.units, (m.n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        m.units = v;
        struct slot *sl = calloc(1, sizeof(*sl));
        if (!sl)
                return -ENOMEM;
        struct unit *u = unit_new(c, m.n);
        if (!u) {
                free(sl);
                return -ENOMEM;
        }
        unit_set_owner(u, sl);
        /* Keep sorted by name (insertion: loading is once, before the point of no return). */
        size_t at = m.n;
        while (at > 0 && strcmp(unit_config(m.units[at - 1])->name, unit_config(u)->name) > 0) {
                m.units[at] = m.units[at - 1];
                at--;
        }
        m.units[at] = u;
        m.n++;
        *ret = u;
        return 0;
}

static void apply_defaults(struct unit_config *c) {
        unit_config_apply_manager_defaults(c, m.config.default_timeout_start_usec, m.config.default_timeout_stop_usec);
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
                apply_defaults(&c);
                struct unit *u;
                r = add_unit(&c, &u);
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
        apply_defaults(&main_c);
        struct unit *mu = NULL, *lu = NULL;
        bool down = file_in(dir, "down", false);
        int pipe_fds[2] = { -1, -1 };
        if (s.has_log) {
                apply_defaults(&log_c);
                r = os_pipe(pipe_fds, 0);
                if (r < 0) {
                        log_error("%s: cannot create the pipe to log/run: %s", dir, strerror(-r));
                        unit_config_free(&log_c);
                        s.has_log = false;
                }
        }
        if (s.has_log) {
                r = add_unit(&log_c, &lu);
                if (r < 0)
                        unit_config_free(&log_c);
        }
        if (r == 0)
                r = add_unit(&main_c, &mu);
        else
                unit_config_free(&main_c);
        if (mu) {
                slot(mu)->runit = true;
                slot(mu)->no_autostart = down;
                unit_set_runit(mu, true, -1, lu ? pipe_fds[1] : -1);
                if (lu)
                        pipe_fds[1] = -1;
        }
        if (lu && mu) {
                slot(lu)->runit = true;
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
static int build_graph(void) {
        struct dep_edge *edges = NULL;
        size_t n_edges = 0, cap = 0;
        const char **names = calloc(m.n ? m.n : 1, sizeof(char *));
        m.waiters = calloc(m.n ? m.n : 1, sizeof(*m.waiters));
        m.wait_for = calloc(m.n ? m.n : 1, sizeof(*m.wait_for));
        m.required = calloc(m.n ? m.n : 1, sizeof(*m.required));
        m.bound = calloc(m.n ? m.n : 1, sizeof(*m.bound));
        if (!names || !m.waiters || !m.wait_for || !m.required || !m.bound) {
                free(names);
                return -ENOMEM;
        }
        int r = 0;
        for (size_t i = 0; i < m.n && r == 0; i++) {
                struct unit *u = m.units[i];
                unit_set_index(u, i);
                names[i] = unit_config(u)->name;
                const struct unit_dep_list *lists[2] = { &unit_config(u)->after, &unit_config(u)->before };
                for (int which = 0; which < 2 && r == 0; which++) {
                        for (size_t k = 0; k < lists[which]->n; k++) {
                                struct unit *o = find_unit(lists[which]->v[k]);
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
                r = dep_graph_build(m.n, names, edges, n_edges, &g);
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
        for (size_t i = 0; i < m.n && r == 0; i++)
                for (size_t k = 0; k < g.n_wait_for[i] && r == 0; k++) {
                        size_t j = g.wait_for[i][k];
                        r = list_push(&m.wait_for[i], j);
                        if (r == 0)
                                r = list_push(&m.waiters[j], i);
                }
        dep_graph_free(&g);
        free(names);
        for (size_t i = 0; i < m.n && r == 0; i++) {
                struct unit *u = m.units[i];
                const struct unit_dep_list *lists[2] = { &unit_config(u)->requires, &unit_config(u)->binds_to };
                for (int which = 0; which < 2 && r == 0; which++)
                        for (size_t k = 0; k < lists[which]->n && r == 0; k++) {
                                struct unit *o = find_unit(lists[which]->v[k]);
                                if (!o) {
                                        log_warning("%s: %s=%s is not loaded; %s will not start",
                                                    unit_config(u)->name, which ? "BindsTo" : "Requires",
                                                    lists[which]->v[k], unit_config(u)->name);
                                        r = list_push(&m.required[i], SIZE_MAX);
                                        continue;
                                }
                                r = list_push(&m.required[i], unit_index(o));
                                if (r == 0)
                                        r = list_push(&m.bound[unit_index(o)], i);
                        }
                for (size_t k = 0; k < unit_config(u)->part_of.n && r == 0; k++) {
                        struct unit *o = find_unit(unit_config(u)->part_of.v[k]);
                        if (o)
                                r = list_push(&m.bound[unit_index(o)], i);
                }
        }
        return r;
}

int manager_load(char *const *dirs, size_t n_dirs, const char *runit_dir) {
        m.dirs = dirs;
        m.n_dirs = n_dirs;
        for (size_t i = 0; i < n_dirs; i++) {
                int r = load_dir(dirs[i]);
                if (r < 0)
                        return r;
        }
        if (runit_dir) {
                int r = load_runit_dir(runit_dir);
                if (r < 0)
                        return r;
        }
        int r = build_graph();
        if (r < 0)
                return r;
        r = queue_size();
        if (r < 0)
                return r;
        if (m.n)
                log_info("loaded %zu unit%s", m.n, m.n == 1 ? "" : "s");
        return (int)m.n;
}

/* ---------------------------------------------------------------- the queue */

/* The queue holds at most one job per (unit, kind), so 2n slots suffice;
 * its room is made when the table is (re)built. */
static void enqueue_kind(struct unit *u, enum job_kind kind) {
        struct slot *s = slot(u);
        if (s->queued[kind] || m.queue_n == m.queue_cap)
                return;
        s->queued[kind] = true;
        m.queue[(m.queue_head + m.queue_n++) % m.queue_cap] = (struct job){ .u = u, .kind = kind };
}

static void enqueue(struct unit *u) {
        enqueue_kind(u, JOB_CHECK);
}

static bool dequeue(struct job *ret) {
        if (m.queue_n == 0)
                return false;
        *ret = m.queue[m.queue_head];
        m.queue_head = (m.queue_head + 1) % m.queue_cap;
        m.queue_n--;
        slot(ret->u)->queued[ret->kind] = false;
        return true;
}

static void queue_clear(void) {
        struct job j;
        while (dequeue(&j)) {
        }
}

/* Room for 2n jobs, keeping what is queued, in order. */
static int queue_size(void) {
        size_t cap = m.n ? 2 * m.n : 2;
        if (cap < m.queue_n)
                cap = m.queue_n;
        struct job *q = malloc(cap * sizeof(*q));
        if (!q)
                return -ENOMEM;
        for (size_t k = 0; k < m.queue_n; k++)
                q[k] = m.queue[(m.queue_head + k) % m.queue_cap];
        free(m.queue);
        m.queue = q;
        m.queue_cap = cap;
        m.queue_head = 0;
        return 0;
}

static bool required_failed(size_t i) {
        for (size_t k = 0; k < m.required[i].n; k++) {
                size_t j = m.required[i].v[k];
                if (j == SIZE_MAX)
                        return true;
                struct unit *o = m.units[j];
                /* Only an ordered requirement is waited for; without After= both start at once. */
                bool ordered = false;
                for (size_t w = 0; w < m.wait_for[i].n; w++)
                        ordered |= m.wait_for[i].v[w] == j;
                /* Failed to start, or never asked to (a down file): not there. */
                if (ordered && (unit_get_start_job(o) == UNIT_JOB_FAILED || unit_get_start_job(o) == UNIT_JOB_NONE))
                        return true;
        }
        return false;
}

static void check_waiting(struct unit *u) {
        size_t i = unit_index(u);
        for (size_t k = 0; k < m.wait_for[i].n; k++) {
                struct unit *o = m.units[m.wait_for[i].v[k]];
                if (unit_get_start_job(o) == UNIT_JOB_PENDING)
                        return;
        }
        if (required_failed(i)) {
                log_notice("%s: a unit it requires failed to start, not starting", unit_config(u)->name);
                unit_event(u, UNIT_EV_DEPS_FAILED);
                return;
        }
        unit_event(u, UNIT_EV_DEPS_UP);
}

/* Shutdown: a unit stops once every unit ordered after it has stopped. */
static void check_stop(struct unit *u) {
        if (unit_state_is_inactive(unit_get_state(u)) || unit_state_is_stopping(unit_get_state(u)))
                return;
        size_t i = unit_index(u);
        for (size_t k = 0; k < m.waiters[i].n; k++)
                if (!unit_state_is_inactive(unit_get_state(m.units[m.waiters[i].v[k]])))
                        return;
        unit_stop(u);
}

static void check_all_stopped(void) {
        if (!m.stopping || m.all_stopped_sent)
                return;
        for (size_t i = 0; i < m.n; i++)
                if (!unit_state_is_inactive(unit_get_state(m.units[i])))
                        return;
        m.all_stopped_sent = true;
        if (m.config.hooks.all_stopped)
                m.config.hooks.all_stopped();
}

static void apply_pending(struct unit *u);
static int queue_size(void);
static void manager_tidy(void);

static bool busy(const struct unit *u) {
        return unit_state_is_inactive(unit_get_state(u)) || unit_state_is_stopping(unit_get_state(u));
}

/* A stop job (the user's, a BindsTo= one, not a crash) goes on to the units
 * that Requires=, BindsTo= or are PartOf= the stopped one (systemd's stop
 * propagation), each through the queue: a unit already stopping or stopped
 * ends the walk, so cycles end too. */
static void stop_and_propagate(struct unit *u) {
        if (busy(u))
                return;
        unit_stop(u);
        size_t i = unit_index(u);
        for (size_t k = 0; k < m.bound[i].n; k++) {
                struct unit *b = m.units[m.bound[i].v[k]];
                if (!busy(b) && !slot(b)->queued[JOB_STOP]) {
                        log_notice("%s: stopping, as %s stops", unit_name(b), unit_name(u));
                        enqueue_kind(b, JOB_STOP);
                }
        }
}

static void run_job(const struct job *j) {
        struct unit *u = j->u;
        if (j->kind == JOB_STOP) {
                stop_and_propagate(u);
                return;
        }
        if (m.stopping)
                check_stop(u);
        else if (slot(u)->restart_requested && unit_state_is_inactive(unit_get_state(u))) {
                slot(u)->restart_requested = false;
                /* daemon-reload: the new definition (its ordering takes effect
                 * with the graph rebuilt once the queue is empty). */
                apply_pending(u);
                unit_start(u);
        } else if (unit_get_state(u) == UNIT_WAITING)
                check_waiting(u);
}

/* Settle, then act (dinit's shape): state writes only enqueue; the jobs run
 * here, first in first out, each possibly enqueuing more. */
static void run_queue(void) {
        struct job j;
        while (dequeue(&j))
                run_job(&j);
        check_all_stopped();
        if (m.progress) {
                m.progress = false;
                if (m.config.hooks.boot_progress)
                        m.config.hooks.boot_progress();
        }
}

static void settle(void) {
        run_queue();
        if (m.config.hooks.settled)
                m.config.hooks.settled();
        manager_tidy();
}

static bool killing(enum unit_state s) {
        return s == UNIT_STOP_SIGTERM || s == UNIT_STOP_SIGKILL;
}

static bool names(const struct unit_dep_list *l, const char *name) {
        for (size_t q = 0; q < l->n; q++)
                if (strcmp(l->v[q], name) == 0)
                        return true;
        return false;
}

/* The unit hook: u's state was written. Only bookkeeping and enqueuing
 * here; nothing is started or stopped inside a state write. */
static void unit_changed(struct unit *u, enum unit_state old) {
        size_t i = unit_index(u);
        enum unit_state now = unit_get_state(u);
        m.n_killing += (size_t)killing(now) - (size_t)killing(old);
        if (m.stopping) {
                if (unit_state_is_inactive(now))
                        for (size_t k = 0; k < m.wait_for[i].n; k++)
                                enqueue(m.units[m.wait_for[i].v[k]]);
                return;
        }
        if (now == UNIT_WAITING)
                enqueue(u);
        /* vigilctl restart: the stop is over, start again (from the queue). */
        if (slot(u)->restart_requested && unit_state_is_inactive(now))
                enqueue(u);
        if (unit_state_is_settled(now) || unit_get_start_job(u) != UNIT_JOB_PENDING)
                for (size_t k = 0; k < m.waiters[i].n; k++)
                        enqueue(m.units[m.waiters[i].v[k]]);
        /* BindsTo=: a unit bound to one that went down goes down with it. */
        if ((now == UNIT_FAILED || now == UNIT_DEAD) && !unit_state_is_inactive(old))
                for (size_t k = 0; k < m.bound[i].n; k++) {
                        struct unit *b = m.units[m.bound[i].v[k]];
                        if (names(&unit_config(b)->binds_to, unit_name(u)) && !busy(b) &&
                            !slot(b)->queued[JOB_STOP]) {
                                log_notice("%s: stopping, the unit it is bound to (%s) stopped", unit_name(b),
                                           unit_name(u));
                                enqueue_kind(b, JOB_STOP);
                        }
                }
        if (now != old)
                m.progress = true;
}

/* The unit hook: u's action is due. Its meaning (exit code, health) is
 * decided by unit/unit_action.h and supervise/health.c. */
static void unit_action(struct unit *u, enum unit_action action, bool success) {
        if (action == ACTION_NONE || m.stopping)
                return;
        struct health_action a = {
                .unit = unit_name(u),
                .action = action,
                .success = success,
                .result = unit_get_result(u),
                .code = unit_action_exit_code(action, success, unit_main_exit(u)),
        };
        health_unit_action(&a);
}

/* ---------------------------------------------------------------- entry points */

int manager_init(const struct manager_config *config) {
        m.config = *config;
        /* stdin of units: above 2, as the spawn plan wants. */
        int fd = os_open("/dev/null", O_RDWR, 0);
        if (fd >= 0)
                fd = os_fd_move_above(fd, 3);
        if (fd < 0)
                return fd;
        m.devnull = fd;
        unit_set_context(&(struct unit_context){
                .hooks = { .changed = unit_changed, .action = unit_action },
                .devnull = fd,
        });
        health_init(&(struct health_config){
                .system_mode = config->system_mode,
                .run = config->hooks.shutdown,
                .request = manager_request_shutdown,
        });
        loop_set_settle(settle);
        return 0;
}

void manager_start_all(void) {
        for (size_t i = 0; i < m.n; i++) {
                if (slot(m.units[i])->no_autostart)
                        log_info("%s: not started at boot (down file)", unit_config(m.units[i])->name);
                else
                        unit_start(m.units[i]);
        }
        run_queue();
}

void manager_stop_all(void) {
        if (m.stopping)
                return;
        m.stopping = true;
        queue_clear();
        if (m.n)
                log_info("stopping %zu unit%s", m.n, m.n == 1 ? "" : "s");
        for (size_t i = 0; i < m.n; i++)
                enqueue(m.units[i]);
        run_queue();
}

bool manager_boot_done(bool wait_ready) {
        for (size_t i = 0; i < m.n; i++) {
                struct unit *u = m.units[i];
                if (unit_get_state(u) == UNIT_WAITING)
                        return false;
                if ((wait_ready || unit_config(u)->type == SERVICE_ONESHOT) && unit_get_start_job(u) == UNIT_JOB_PENDING)
                        return false;
        }
        return true;
}

bool manager_child_exited(pid_t pid, int wait_status) {
        struct unit *u;
        enum unit_proc_role role;
        if (!proc_index_find_pid(pid, &u, &role))
                return false;
        proc_index_remove_pid(pid);
        unit_child_exited(u, pid, role, wait_status);
        return true;
}

void manager_after_reap(void) {
        /* Only units that wait for their processes to go; none most of the time. */
        for (size_t i = 0; i < m.n && m.n_killing > 0; i++)
                unit_check_all_gone(m.units[i]);
}

struct unit *manager_unit_at(size_t i) {
        return i < m.n ? m.units[i] : NULL;
}

struct unit *manager_find(const char *name) {
        struct unit *u = find_unit(name);
        if (u || strchr(name, '.'))
                return u;
        char full[512];
        if (snprintf(full, sizeof(full), "%s.service", name) >= (int)sizeof(full))
                return NULL;
        return find_unit(full);
}

void manager_request_start(struct unit *u) {
        if (m.stopping)
                return;
        slot(u)->restart_requested = false;
        apply_pending(u); /* daemon-reload's new definition, now that it is inactive */
        unit_start(u);
        run_queue();
}

void manager_request_stop(struct unit *u) {
        slot(u)->restart_requested = false;
        stop_and_propagate(u);
        run_queue();
}

void manager_request_restart(struct unit *u) {
        if (m.stopping)
                return;
        if (unit_state_is_inactive(unit_get_state(u))) {
                manager_request_start(u);
                return;
        }
        manager_request_stop(u);
        if (unit_state_is_inactive(unit_get_state(u)))
                manager_request_start(u);
        else
                slot(u)->restart_requested = true;
}

bool manager_restart_pending(const struct unit *u) {
        return slot(u)->restart_requested;
}

bool manager_stopping(void) {
        return m.stopping;
}

void manager_request_shutdown(enum unit_action action, int code, const char *why) {
        if (m.stopping)
                return;
        if (!m.config.system_mode)
                log_notice("%s: shutting down with exit status %d", why, code);
        if (m.config.hooks.shutdown)
                m.config.hooks.shutdown(action, code, why);
}

bool manager_wants_notify(void) {
        for (size_t i = 0; i < m.n; i++)
                if (unit_wants_notify(m.units[i]))
                        return true;
        return false;
}

size_t manager_n_units(void) {
        return m.n;
}

static void free_graph(void);

void manager_free(void) {
        free_graph();
        for (size_t i = 0; i < m.n; i++)
                drop_unit(m.units[i]);
        free(m.units);
        free(m.queue);
        proc_index_free();
        os_close(m.devnull);
        m = (typeof(m)){ .devnull = -1 };
}

/* ---------------------------------------------------------------- daemon-reload */

static void free_graph(void) {
        for (size_t i = 0; i < m.n; i++) {
                if (m.waiters)
                        free(m.waiters[i].v);
                if (m.wait_for)
                        free(m.wait_for[i].v);
                if (m.required)
                        free(m.required[i].v);
                if (m.bound)
                        free(m.bound[i].v);
        }
        free(m.waiters);
        free(m.wait_for);
        free(m.required);
        free(m.bound);
        m.waiters = m.wait_for = m.required = m.bound = NULL;
}

/* The table changed (units added, removed, redefined): new indexes, new
 * graph, a queue as long as the table. Only with the queue empty. */
static void rebuild(size_t old_n) {
        size_t n = m.n;
        m.n = old_n;
        free_graph();
        m.n = n;
        m.graph_dirty = false;
        int r = queue_size();
        if (r == 0)
                r = build_graph();
        if (r < 0)
                log_error("cannot rebuild the dependency graph: %s; ordering may be off until the next daemon-reload",
                          strerror(-r));
}

/* A redefined unit that is inactive takes its new definition. */
static void apply_pending(struct unit *u) {
        if (!slot(u)->pending || !unit_state_is_inactive(unit_get_state(u)))
                return;
        if (unit_set_config(u, slot(u)->pending) < 0) {
                log_error("%s: out of memory applying the new definition; keeping the old one", unit_config(u)->name);
                unit_config_free(slot(u)->pending);
        } else {
                log_info("%s: new definition in effect", unit_config(u)->name);
        }
        free(slot(u)->pending);
        slot(u)->pending = NULL;
        m.graph_dirty = true;
}

/* Drop removed units once inactive; apply definitions that wait. */
static void manager_tidy(void) {
        /* After every batch of events: nothing to scan unless daemon-reload left work. */
        if (m.queue_n || (!m.tidy && !m.graph_dirty))
                return;
        bool left = false;
        size_t old_n = m.n, k = 0;
        bool changed = m.graph_dirty;
        for (size_t i = 0; i < m.n; i++) {
                struct unit *u = m.units[i];
                apply_pending(u);
                left |= slot(u)->pending || (slot(u)->removed && !unit_state_is_inactive(unit_get_state(u)));
                if (slot(u)->removed && unit_state_is_inactive(unit_get_state(u))) {
                        if (m.config.hooks.unit_dropped)
                                m.config.hooks.unit_dropped(u);
                        log_info("%s: removed", unit_config(u)->name);
                        drop_unit(u);
                        changed = true;
                        continue;
                }
                m.units[k++] = u;
        }
        m.tidy = left;
        if (!changed && !m.graph_dirty)
                return;
        m.n = k;
        rebuild(old_n);
}

int manager_reload(struct strbuf *report, unsigned *ret_errors) {
        unsigned errors = 0;
        run_queue();
        size_t n_old = m.n;
        bool *seen = calloc(n_old ? n_old : 1, sizeof(*seen));
        struct unit **added = calloc(1, sizeof(*added));
        size_t n_added = 0;
        if (!seen || !added) {
                free(seen);
                free(added);
                return -ENOMEM;
        }
        /* Old units by pointer: add_unit() re-sorts the table. */
        struct unit **old = malloc((n_old ? n_old : 1) * sizeof(*old));
        if (!old) {
                free(seen);
                free(added);
                return -ENOMEM;
        }
        memcpy(old, m.units, n_old * sizeof(*old));

        int r = 0;
        for (size_t d = 0; d < m.n_dirs && r == 0; d++) {
                char **paths = NULL;
                size_t n = 0;
                int q = unit_source_list_dir(m.dirs[d], ".service", &paths, &n);
                if (q < 0) {
                        char line[600];
                        snprintf(line, sizeof(line), "%s: cannot list: %s\n", m.dirs[d], strerror(-q));
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
                        struct unit *u = find_unit(base);
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
                        apply_defaults(&c);
                        uint64_t fp = c.fingerprint;
                        if (u && slot(u)->runit) {
                                unit_config_free(&c);
                                continue;
                        }
                        if (u) {
                                if (unit_config(u)->fingerprint == fp && !slot(u)->pending && !slot(u)->removed) {
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
                                if (slot(u)->pending) {
                                        unit_config_free(slot(u)->pending);
                                        free(slot(u)->pending);
                                }
                                slot(u)->pending = p;
                                slot(u)->removed = false;
                                bool up = !unit_state_is_inactive(unit_get_state(u));
                                snprintf(line, sizeof(line), "%s: changed%s\n", base, up ? ", restarting" : "");
                                strbuf_puts(report, line);
                                continue; /* acted on once the table is rebuilt */
                        }
                        struct unit *nu;
                        q = add_unit(&c, &nu);
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
                if (seen[i] || slot(u)->runit || slot(u)->removed)
                        continue;
                slot(u)->removed = true;
                slot(u)->restart_requested = false;
                char line[600];
                snprintf(line, sizeof(line), "%s: removed%s\n", unit_config(u)->name,
                         unit_state_is_inactive(unit_get_state(u)) ? "" : ", stopping");
                strbuf_puts(report, line);
        }
        free(seen);
        free(old);
        m.tidy = true;
        /* New indexes and graph before anything moves: add_unit() shifted
         * the table under the old graph's indexes. */
        rebuild(n_old);
        for (size_t i = 0; i < m.n && r == 0; i++) {
                struct unit *u = m.units[i];
                if (slot(u)->removed)
                        stop_and_propagate(u);
                else if (slot(u)->pending && !unit_state_is_inactive(unit_get_state(u)) && !m.stopping)
                        manager_request_restart(u);
                else
                        apply_pending(u);
        }
        for (size_t i = 0; i < n_added && !m.stopping; i++)
                unit_start(added[i]);
        free(added);
        run_queue();
        manager_tidy();
        if (r == 0 && report->n == 0)
                strbuf_puts(report, "nothing changed\n");
        *ret_errors = errors;
        return r;
}
