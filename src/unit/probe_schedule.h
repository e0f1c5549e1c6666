/* SPDX-License-Identifier: MIT */
/*
 * When a unit's health probe runs and what its results mean (STYLE §1: a
 * pure decision the supervisor asks; supervise/unit_probe.c carries it
 * out). The rules are Docker's HEALTHCHECK (docker run --health-*, the
 * daemon's health.go), which the keys are named after:
 *
 *  - the first probe runs one interval after the main process started, each
 *    next one one interval after the previous one ended: probes of a unit
 *    never overlap, and a slow probe delays the next instead of piling up;
 *  - while the start period runs and no probe has succeeded yet, the
 *    interval is HealthStartInterval= (Docker's --start-interval);
 *  - a probe that does not finish within HealthTimeout= failed;
 *  - a failure inside the start period before the first success is not
 *    counted (the service is still coming up); any success resets the
 *    count, and the first one ends the start period early and makes the
 *    unit ready (docs/DESIGN.md: it completes the start, as READY=1 does);
 *  - HealthRetries= counted failures in a row make the unit unhealthy
 *    (Docker: FailingStreak >= Retries), which unit_probe.c turns into the
 *    result `watchdog` and the stop path.
 *
 * Times are loop_now() microseconds; the caller keeps the state.
 */
#ifndef VIGIL_UNIT_PROBE_SCHEDULE_H
#define VIGIL_UNIT_PROBE_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

struct probe_timing {
        uint64_t interval_usec;        /* HealthInterval=, default 30 s */
        uint64_t timeout_usec;         /* HealthTimeout=, default 30 s */
        uint64_t start_period_usec;    /* HealthStartPeriod=, default 0 */
        uint64_t start_interval_usec;  /* HealthStartInterval=, default 5 s */
        unsigned retries;              /* HealthRetries=, default 3 */
};

struct probe_state {
        uint64_t started;              /* the main process started (the start period counts from it) */
        bool passed;                   /* a probe succeeded in this run */
        unsigned failures;             /* counted failures in a row */
};

enum probe_verdict {
        PROBE_VERDICT_READY,                   /* the first success of the run */
        PROBE_VERDICT_HEALTHY,                 /* a success after that */
        PROBE_VERDICT_NOT_COUNTED,             /* failed inside the start period, before any success */
        PROBE_VERDICT_FAILING,                 /* a counted failure, fewer than retries in a row */
        PROBE_VERDICT_UNHEALTHY,               /* the retries-th counted failure in a row */
        PROBE_VERDICT_MAX,
};

/* A new run of the unit: its main process started at now. */
void probe_state_begin(struct probe_state *s, uint64_t now);

/* The next probe's start, when the last one ended (or the run began) at now. */
uint64_t probe_next_due(const struct probe_timing *t, const struct probe_state *s, uint64_t now);

/* A probe that began at began ended ok or not (a timeout is not ok): the
 * state updated and what it means. */
enum probe_verdict probe_record(const struct probe_timing *t, struct probe_state *s, uint64_t began, bool ok);

const char *probe_verdict_to_string(enum probe_verdict v);

#endif
