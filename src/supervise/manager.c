/* SPDX-License-Identifier: MIT */
#include "supervise/manager_internal.h"

#include "base/strbuf.h"
#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "supervise/proc_index.h"
#include "supervise/health.h"
#include "supervise/postmortem.h"
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

struct manager_state mgr = { .devnull = -1 };

static void slot_free(struct slot *s) {
        if (!s)
                return;
        if (s->pending) {
                unit_config_free(s->pending);
                free(s->pending);
        }
        free(s);
}

void mgr_drop_unit(struct unit *u) {
        struct slot *s = mgr_slot(u);
        unit_free(u);
        slot_free(s);
}

/* ---------------------------------------------------------------- the queue */

/* The queue holds at most one job per (unit, kind), so 2n slots suffice;
 * its room is made when the table is (re)built. */
static void enqueue_kind(struct unit *u, enum job_kind kind) {
        struct slot *s = mgr_slot(u);
        if (s->queued[kind] || mgr.queue_n == mgr.queue_cap)
                return;
        s->queued[kind] = true;
        mgr.queue[(mgr.queue_head + mgr.queue_n++) % mgr.queue_cap] = (struct job){ .u = u, .kind = kind };
}

static void mgr_enqueue(struct unit *u) {
        enqueue_kind(u, JOB_CHECK);
}

static bool dequeue(struct job *ret) {
        if (mgr.queue_n == 0)
                return false;
        *ret = mgr.queue[mgr.queue_head];
        mgr.queue_head = (mgr.queue_head + 1) % mgr.queue_cap;
        mgr.queue_n--;
        mgr_slot(ret->u)->queued[ret->kind] = false;
        return true;
}

static void queue_clear(void) {
        struct job j;
        while (dequeue(&j)) {
        }
}

/* Room for 2n jobs, keeping what is queued, in order. */
int mgr_queue_size(void) {
        size_t cap = mgr.n ? 2 * mgr.n : 2;
        if (cap < mgr.queue_n)
                cap = mgr.queue_n;
        struct job *q = malloc(cap * sizeof(*q));
        if (!q)
                return -ENOMEM;
        for (size_t k = 0; k < mgr.queue_n; k++)
                q[k] = mgr.queue[(mgr.queue_head + k) % mgr.queue_cap];
        free(mgr.queue);
        mgr.queue = q;
        mgr.queue_cap = cap;
        mgr.queue_head = 0;
        return 0;
}

static bool required_failed(size_t i) {
        for (size_t k = 0; k < mgr.required[i].n; k++) {
                size_t j = mgr.required[i].v[k];
                if (j == SIZE_MAX)
                        return true;
                struct unit *o = mgr.units[j];
                /* Only an ordered requirement is waited for; without After= both start at once. */
                bool ordered = false;
                for (size_t w = 0; w < mgr.wait_for[i].n; w++)
                        ordered |= mgr.wait_for[i].v[w] == j;
                /* Failed to start, or never asked to (a down file): not there. */
                if (ordered && (unit_get_start_job(o) == UNIT_JOB_FAILED || unit_get_start_job(o) == UNIT_JOB_NONE))
                        return true;
        }
        return false;
}

static void check_waiting(struct unit *u) {
        size_t i = unit_index(u);
        for (size_t k = 0; k < mgr.wait_for[i].n; k++) {
                struct unit *o = mgr.units[mgr.wait_for[i].v[k]];
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
        for (size_t k = 0; k < mgr.waiters[i].n; k++)
                if (!unit_state_is_inactive(unit_get_state(mgr.units[mgr.waiters[i].v[k]])))
                        return;
        unit_stop(u);
}

static void check_all_stopped(void) {
        if (!mgr.stopping || mgr.all_stopped_sent)
                return;
        for (size_t i = 0; i < mgr.n; i++)
                if (!unit_state_is_inactive(unit_get_state(mgr.units[i])))
                        return;
        mgr.all_stopped_sent = true;
        if (mgr.config.hooks.all_stopped)
                mgr.config.hooks.all_stopped();
}


static bool busy(const struct unit *u) {
        return unit_state_is_inactive(unit_get_state(u)) || unit_state_is_stopping(unit_get_state(u));
}

/* A stop job (the user's, a BindsTo= one, not a crash) goes on to the units
 * that Requires=, BindsTo= or are PartOf= the stopped one (systemd's stop
 * propagation), each through the queue: a unit already stopping, stopped
 * or with its stop pending ends the walk, so cycles end too. The stop
 * itself waits for its turn (stop_turn()): at shutdown (check_stop()) the
 * whole set. */
void mgr_stop_and_propagate(struct unit *u) {
        struct slot *s = mgr_slot(u);
        if (busy(u) || s->stop_pending)
                return;
        if (mgr.stopping) {
                unit_stop(u);
                return;
        }
        s->stop_pending = true;
        mgr.stops_pending = true;
        size_t i = unit_index(u);
        for (size_t k = 0; k < mgr.bound[i].n; k++) {
                struct unit *b = mgr.units[mgr.bound[i].v[k]];
                if (!busy(b) && !mgr_slot(b)->stop_pending && !mgr_slot(b)->queued[JOB_STOP]) {
                        log_notice("%s: stopping, as %s stops", unit_name(b), unit_name(u));
                        enqueue_kind(b, JOB_STOP);
                }
        }
}

/* Stop jobs keep After= order as systemd's do (the reverse of the start
 * order): a unit with a stop pending stops once no unit ordered after it
 * has a stop pending or is stopping. Units the stop does not reach are not
 * waited for. The After= graph has no cycles (dep_graph broke them), so
 * every set of pending stops has a unit whose turn it is. */
static bool stop_turn(const struct unit *u) {
        size_t i = unit_index(u);
        for (size_t k = 0; k < mgr.waiters[i].n; k++) {
                const struct unit *w = mgr.units[mgr.waiters[i].v[k]];
                if ((mgr_slot(w)->stop_pending && !busy(w)) || unit_state_is_stopping(unit_get_state(w)))
                        return false;
        }
        return true;
}

/* Once the queue has settled (every propagation walked): stop the units
 * whose turn it is. Whether any was stopped (there may be more to do). */
static bool run_pending_stops(void) {
        if (!mgr.stops_pending || mgr.stopping)
                return false;
        bool acted = false, left = false;
        for (size_t i = 0; i < mgr.n; i++) {
                struct unit *u = mgr.units[i];
                struct slot *s = mgr_slot(u);
                if (!s->stop_pending)
                        continue;
                if (busy(u)) {
                        s->stop_pending = false; /* it went down on its own */
                } else if (stop_turn(u)) {
                        s->stop_pending = false;
                        unit_stop(u);
                        acted = true;
                } else {
                        left = true;
                }
        }
        mgr.stops_pending = left;
        return acted;
}

static void run_job(const struct job *j) {
        struct unit *u = j->u;
        if (j->kind == JOB_STOP) {
                mgr_stop_and_propagate(u);
                return;
        }
        if (mgr.stopping)
                check_stop(u);
        else if (mgr_slot(u)->restart_requested && unit_state_is_inactive(unit_get_state(u))) {
                mgr_slot(u)->restart_requested = false;
                /* daemon-reload: the new definition (its ordering takes effect
                 * with the graph rebuilt once the queue is empty). */
                mgr_apply_pending(u);
                mgr_relations_stop_conflicting(u);
                unit_start(u);
        } else if (unit_get_state(u) == UNIT_WAITING)
                check_waiting(u);
}

/* Settle, then act (dinit's shape): state writes only enqueue; the jobs run
 * here, first in first out, each possibly enqueuing more. */
void mgr_run_queue(void) {
        struct job j;
        do {
                while (dequeue(&j))
                        run_job(&j);
        } while (run_pending_stops());
        check_all_stopped();
        if (mgr.progress) {
                mgr.progress = false;
                if (mgr.config.hooks.boot_progress)
                        mgr.config.hooks.boot_progress();
        }
}

static void settle(void) {
        mgr_run_queue();
        mgr_relations_fire();   /* OnFailure=/OnSuccess= of this batch */
        if (mgr.config.hooks.settled)
                mgr.config.hooks.settled();
        mgr_tidy();
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
        mgr.n_killing += (size_t)killing(now) - (size_t)killing(old);
        if (now == UNIT_FAILED && old != UNIT_FAILED)
                postmortem_unit_failed(u);
        if (mgr.stopping) {
                if (unit_state_is_inactive(now))
                        for (size_t k = 0; k < mgr.wait_for[i].n; k++)
                                mgr_enqueue(mgr.units[mgr.wait_for[i].v[k]]);
                return;
        }
        mgr_relations_changed(u, old);
        if (now == UNIT_WAITING)
                mgr_enqueue(u);
        /* vigilctl restart: the stop is over, start again (from the queue). */
        if (mgr_slot(u)->restart_requested && unit_state_is_inactive(now))
                mgr_enqueue(u);
        if (unit_state_is_settled(now) || unit_get_start_job(u) != UNIT_JOB_PENDING)
                for (size_t k = 0; k < mgr.waiters[i].n; k++)
                        mgr_enqueue(mgr.units[mgr.waiters[i].v[k]]);
        /* BindsTo=: a unit bound to one that went down goes down with it. */
        if ((now == UNIT_FAILED || now == UNIT_DEAD) && !unit_state_is_inactive(old))
                for (size_t k = 0; k < mgr.bound[i].n; k++) {
                        struct unit *b = mgr.units[mgr.bound[i].v[k]];
                        if (names(&unit_config(b)->binds_to, unit_name(u)) && !busy(b) &&
                            !mgr_slot(b)->queued[JOB_STOP]) {
                                log_notice("%s: stopping, the unit it is bound to (%s) stopped", unit_name(b),
                                           unit_name(u));
                                enqueue_kind(b, JOB_STOP);
                        }
                }
        if (now != old)
                mgr.progress = true;
}

/* The unit hook: u's action is due. Its meaning (exit code, health) is
 * decided by unit/unit_action.h and supervise/health.c. */
static void unit_action(struct unit *u, enum unit_action action, bool success) {
        if (action == ACTION_NONE || mgr.stopping)
                return;
        struct health_action a = {
                .unit = unit_name(u),
                .action = action,
                .success = success,
                .result = unit_get_result(u),
                .code = unit_action_exit_code(action, success, unit_main_exit(u)),
        };
        if (!success)
                postmortem_shutdown_cause(u);
        health_unit_action(&a);
}

/* ---------------------------------------------------------------- entry points */

int manager_init(const struct manager_config *config) {
        mgr.config = *config;
        /* stdin of units: above 2, as the spawn plan wants. */
        int fd = os_open("/dev/null", O_RDWR, 0);
        if (fd >= 0)
                fd = os_fd_move_above(fd, 3);
        if (fd < 0)
                return fd;
        mgr.devnull = fd;
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
        for (size_t i = 0; i < mgr.n; i++) {
                if (mgr_slot(mgr.units[i])->no_autostart)
                        log_info("%s: not started at boot (down file)", unit_config(mgr.units[i])->name);
                else if (!mgr_relations_boot_loses(mgr.units[i]))
                        unit_start(mgr.units[i]);
        }
        mgr_run_queue();
        mgr_relations_fire();
}

void manager_stop_all(void) {
        if (mgr.stopping)
                return;
        mgr.stopping = true;
        queue_clear();
        if (mgr.n)
                log_info("stopping %zu unit%s", mgr.n, mgr.n == 1 ? "" : "s");
        for (size_t i = 0; i < mgr.n; i++)
                mgr_enqueue(mgr.units[i]);
        mgr_run_queue();
}

void manager_set_stop_deadline(uint64_t deadline, uint64_t budget_usec) {
        for (size_t i = 0; i < mgr.n; i++)
                unit_set_stop_deadline(mgr.units[i], deadline, budget_usec);
}

bool manager_boot_done(bool wait_ready) {
        for (size_t i = 0; i < mgr.n; i++) {
                struct unit *u = mgr.units[i];
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
        for (size_t i = 0; i < mgr.n && mgr.n_killing > 0; i++)
                unit_check_all_gone(mgr.units[i]);
}

struct unit *manager_unit_at(size_t i) {
        return i < mgr.n ? mgr.units[i] : NULL;
}

struct unit *manager_find(const char *name) {
        struct unit *u = mgr_find_unit(name);
        if (u || strchr(name, '.'))
                return u;
        char full[512];
        if (snprintf(full, sizeof(full), "%s.service", name) >= (int)sizeof(full))
                return NULL;
        return mgr_find_unit(full);
}

void manager_request_start(struct unit *u) {
        if (mgr.stopping)
                return;
        mgr_slot(u)->restart_requested = false;
        mgr_slot(u)->stop_pending = false; /* a start replaces a stop not begun (systemd's job replacement) */
        mgr_apply_pending(u); /* daemon-reload's new definition, now that it is inactive */
        mgr_relations_stop_conflicting(u);
        unit_start(u);
        mgr_run_queue();
}

void manager_request_stop(struct unit *u) {
        mgr_slot(u)->restart_requested = false;
        mgr_stop_and_propagate(u);
        mgr_run_queue();
}

void manager_request_restart(struct unit *u) {
        if (mgr.stopping)
                return;
        if (unit_state_is_inactive(unit_get_state(u))) {
                manager_request_start(u);
                return;
        }
        manager_request_stop(u);
        if (unit_state_is_inactive(unit_get_state(u)))
                manager_request_start(u);
        else
                mgr_slot(u)->restart_requested = true;
}

bool manager_restart_pending(const struct unit *u) {
        return mgr_slot(u)->restart_requested;
}

bool manager_stopping(void) {
        return mgr.stopping;
}

void manager_request_shutdown(enum unit_action action, int code, const char *why) {
        if (mgr.stopping)
                return;
        if (!mgr.config.system_mode)
                log_notice("%s: shutting down with exit status %d", why, code);
        if (mgr.config.hooks.shutdown)
                mgr.config.hooks.shutdown(action, code, why);
}

bool manager_wants_notify(void) {
        for (size_t i = 0; i < mgr.n; i++)
                if (unit_wants_notify(mgr.units[i]))
                        return true;
        return false;
}

size_t manager_n_units(void) {
        return mgr.n;
}


void manager_free(void) {
        mgr_free_graph();
        for (size_t i = 0; i < mgr.n; i++)
                mgr_drop_unit(mgr.units[i]);
        free(mgr.units);
        free(mgr.queue);
        proc_index_free();
        os_close(mgr.devnull);
        unit_layout_free(&mgr.layout);
        mgr_relations_free();
        mgr = (struct manager_state){ .devnull = -1 };
}

