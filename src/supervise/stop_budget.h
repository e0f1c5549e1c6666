/* SPDX-License-Identifier: MIT */
/*
 * The stop budget and the drain (issue 14), for supervisor.c.
 *
 * Budget (--stop-timeout): one deadline for the whole stop, taken when the
 * stop begins (SIGTERM to vigil in container mode, the main command's exit,
 * a unit's action, a system-mode shutdown request) and never moved after.
 * Every wait of the stop asks stop_budget_cap() for what is left: the
 * units get the deadline once (manager_set_stop_deadline(): each unit's
 * stop waits before SIGKILL end at min(TimeoutStopSec=, deadline)), the
 * kill-all's grace and the main command's stop timeout are cut to it. When
 * it runs out, the supervisor's `expired` callback SIGKILLs everything left.
 * What was cut is logged once per wait (one line per unit).
 *
 * Drain (--drain-sec, container mode): the first SIGTERM starts the budget,
 * marks vigil leaving (stop_budget_leaving(): readiness fails) and arms the
 * drain timer; nothing is stopped or forwarded until it fires (`drained`),
 * or a second SIGTERM comes, which ends the drain at once. The drain counts
 * inside the budget: a drain longer than what is left ends in `expired`.
 *
 * Both timers are loop timers (no sleeping); with neither option, nothing
 * here arms anything and the stop is today's.
 */
#ifndef VIGIL_SUPERVISE_STOP_BUDGET_H
#define VIGIL_SUPERVISE_STOP_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct stop_budget_config {
        uint64_t budget_usec;          /* 0 or TIMESPAN_INFINITY: no budget */
        uint64_t drain_usec;           /* 0: no drain; TIMESPAN_INFINITY: until a second SIGTERM (or the budget) */
        void (*expired)(void);         /* the budget ran out */
        void (*drained)(void);         /* the drain's time is over: stop now */
};

void stop_budget_init(const struct stop_budget_config *config);

/* The stop begins (idempotent): vigil is leaving; the deadline is armed once. */
void stop_budget_begin(void);
/* usec, or what is left of the budget when that is less (the cut is logged,
 * naming what). Without a running budget: usec. */
uint64_t stop_budget_cap(uint64_t usec, const char *what);
/* The stop is over: cancel both timers. */
void stop_budget_end(void);

/* A SIGTERM in container mode before the stop: true when the drain takes it
 * (the first one starts the drain); false when the stop should go on now
 * (no drain, a second SIGTERM during the drain, or drained already). */
bool stop_budget_drain_takes(void);
/* The same question without acting: would a SIGTERM now start or end a
 * drain? (When not, signal forwarding may send it on from the wait.) */
bool stop_budget_drain_would_act(void);
/* A drain or the stop began: not ready. */
bool stop_budget_leaving(void);
/* The budget's end, logged: the budget, what is still running. */
void stop_budget_log_expiry(bool main_running);

#endif
