/* SPDX-License-Identifier: MIT */
/*
 * The read side of a unit, for those that show it (control views,
 * metrics, `vigilctl log`): a const snapshot of what `vigilctl status`,
 * `check`, `history` and the metrics report, and read-only access to its
 * exit history and output ring. Readers never see struct unit's fields;
 * this file is the only one outside the unit module that reads them, and
 * it becomes part of that module when struct unit goes private.
 *
 * A snapshot's strings and the pointers the accessors return belong to the
 * unit: valid until the unit next changes (use them within one loop turn).
 */
#ifndef VIGIL_SUPERVISE_UNIT_VIEW_H
#define VIGIL_SUPERVISE_UNIT_VIEW_H

#include "base/exit_status.h"
#include "logcap/log_ring.h"
#include "supervise/unit.h"
#include "unit/unit_config.h"
#include "unit/unit_state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct unit_view {
        const char *name;
        const char *description;       /* NULL when none */
        enum service_type type;
        bool has_exec_reload;
        enum unit_state state;
        enum unit_result result;
        pid_t main_pid;                /* 0: none */
        uint64_t active_since;         /* loop_now() when it last came up, 0: never */
        bool main_exit_known;
        struct exit_info main_exit;    /* how the last main process ended */
        bool ready;                    /* READY=1 seen in this run */
        const char *status_text;       /* STATUS=, NULL: none */
        uint64_t restarts_total;       /* automatic restarts since vigil started */
        uint64_t exits_total;          /* main process exits since vigil started */
        uint64_t watchdog_misses;
        uint64_t notify_denied;
        bool start_pending;            /* a start is not over (the user's restart: manager_restart_pending()) */
        bool start_failed;             /* the last start job failed */
        uint64_t condition_realtime;   /* the last Condition*= check (CLOCK_REALTIME usec), 0: never */
        bool condition_met;
        uint64_t assert_realtime;      /* the last Assert*= check, 0: never */
        bool assert_met;
        struct {                       /* the health probe ([X-Vigil]) */
                enum probe_kind kind;  /* PROBE_NONE: none */
                const char *health;    /* "starting", "healthy", "failing", "unhealthy" */
                unsigned failures;     /* counted failures in a row */
                uint64_t runs, failed; /* probes run and failed since vigil started */
                const char *output;    /* exec: its last output line; tcp/http: what happened ("" none) */
        } probe;
};

void unit_view_of(const struct unit *u, struct unit_view *ret);

/* The exits kept (at most UNIT_HISTORY), oldest first: i < the count. */
size_t unit_view_history_count(const struct unit *u);
const struct unit_exit_record *unit_view_history_at(const struct unit *u, size_t i);

/* Its output ring (logcap/log_ring.h), and the unit a ring belongs to. */
const struct log_ring *unit_view_log(const struct unit *u);
const struct unit *unit_view_log_owner(const struct log_ring *ring);

#endif
