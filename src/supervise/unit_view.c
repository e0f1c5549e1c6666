/* SPDX-License-Identifier: MIT */
#include "supervise/unit_view.h"

#include "supervise/unit_internal.h"

void unit_view_of(const struct unit *u, struct unit_view *ret) {
        const struct unit_config *c = &u->config;
        const struct unit_probe_run *p = &u->probe;
        bool probed = c->probe.kind != PROBE_NONE;
        *ret = (struct unit_view){
                .name = c->name,
                .description = c->description,
                .type = c->type,
                .has_exec_reload = c->exec_reload.n > 0,
                .state = u->state,
                .result = u->result,
                .main_pid = u->main_pid > 0 ? u->main_pid : 0,
                .active_since = u->active_since,
                .main_exit_known = u->main_exit_known,
                .main_exit = u->main_exit,
                /* a probed unit is ready at its first success (and READY=1 for Type=notify) */
                .ready = probed ? p->st.passed && (c->type != SERVICE_NOTIFY || u->ready) : u->ready,
                .status_text = u->status_text,
                .restarts_total = u->restarts_total,
                .exits_total = u->history_total,
                .watchdog_misses = u->watchdog_misses,
                .notify_denied = u->notify_denied,
                .start_pending = u->start_job == UNIT_JOB_PENDING,
                .start_failed = u->start_job == UNIT_JOB_FAILED,
                .condition_realtime = u->condition_realtime,
                .condition_met = u->condition_met,
                .assert_realtime = u->assert_realtime,
                .assert_met = u->assert_met,
                .probe = { .kind = c->probe.kind,
                           .health = unit_probe_health(u),
                           .failures = p->st.failures,
                           .runs = p->runs,
                           .failed = p->failed,
                           .output = p->output },
        };
}

size_t unit_view_history_count(const struct unit *u) {
        return u->history_total < UNIT_HISTORY ? (size_t)u->history_total : UNIT_HISTORY;
}

const struct unit_exit_record *unit_view_history_at(const struct unit *u, size_t i) {
        uint64_t first = u->history_total - unit_view_history_count(u);
        return &u->history[(first + i) % UNIT_HISTORY];
}

const struct log_ring *unit_view_log(const struct unit *u) {
        return &u->log;
}

const struct unit *unit_view_log_owner(const struct log_ring *ring) {
        return ring->owner;
}
