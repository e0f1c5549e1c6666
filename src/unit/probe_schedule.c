/* SPDX-License-Identifier: MIT */
#include "unit/probe_schedule.h"

#include <stddef.h>

void probe_state_begin(struct probe_state *s, uint64_t now) {
        *s = (struct probe_state){ .started = now };
}

static bool in_start_period(const struct probe_timing *t, const struct probe_state *s, uint64_t at) {
        return !s->passed && at - s->started < t->start_period_usec;
}

static uint64_t add(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t probe_next_due(const struct probe_timing *t, const struct probe_state *s, uint64_t now) {
        /* Docker's monitor: the start interval while "starting" inside the
         * start period, else the interval; the timer starts after a probe ends. */
        bool start = t->start_interval_usec > 0 && in_start_period(t, s, now);
        return add(now, start ? t->start_interval_usec : t->interval_usec);
}

enum probe_verdict probe_record(const struct probe_timing *t, struct probe_state *s, uint64_t began, bool ok) {
        if (ok) {
                bool first = !s->passed;
                s->passed = true;
                s->failures = 0;
                return first ? PROBE_VERDICT_READY : PROBE_VERDICT_HEALTHY;
        }
        /* Docker: a failure of a probe that began inside the start period,
         * while still "starting", is ignored. */
        if (in_start_period(t, s, began))
                return PROBE_VERDICT_NOT_COUNTED;
        if (s->failures < UINT32_MAX)
                s->failures++;
        return s->failures >= t->retries ? PROBE_VERDICT_UNHEALTHY : PROBE_VERDICT_FAILING;
}

const char *probe_verdict_to_string(enum probe_verdict v) {
        static const char *const names[PROBE_VERDICT_MAX] = {
                [PROBE_VERDICT_READY] = "ready",         [PROBE_VERDICT_HEALTHY] = "healthy",
                [PROBE_VERDICT_NOT_COUNTED] = "starting", [PROBE_VERDICT_FAILING] = "failing",
                [PROBE_VERDICT_UNHEALTHY] = "unhealthy",
        };
        return (unsigned)v < PROBE_VERDICT_MAX ? names[v] : "?";
}
