/* SPDX-License-Identifier: MIT */
/*
 * StartLimitIntervalSec= / StartLimitBurst= (systemd.unit(5)): more than
 * burst starts within interval are refused. The window opens at the first
 * start and closes interval later; the next start after that opens a new
 * window. interval 0 or burst 0 disables the limit. Pure: the caller keeps
 * the state and passes the clock.
 */
#ifndef VIGIL_UNIT_START_LIMIT_H
#define VIGIL_UNIT_START_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct start_limit {
        uint64_t window_begin;   /* usec; 0 = no window open */
        unsigned count;          /* starts inside the window */
};

/* Count a start at now; false if it exceeds the limit (then the unit is
 * failed and StartLimitAction= runs). */
bool start_limit_allow(struct start_limit *s, uint64_t interval_usec, unsigned burst, uint64_t now);
void start_limit_reset(struct start_limit *s);

#endif
