/* SPDX-License-Identifier: MIT */
/*
 * The health-failure and postponed-action policy of SPEC §8, in one place.
 * A unit's SuccessAction=/FailureAction=/StartLimitAction= arrives here
 * (from the manager, with the exit code unit/unit_action.h computed); a
 * health failure (unit_action_is_health_failure()) makes the hardware
 * watchdog unhealthy before the action starts, and during a snooze the
 * action is held by the device module (which knows no units) and run when
 * the snooze ends. The first held action wins (StartLimitAction= then
 * FailureAction= of the same failure: one shutdown).
 */
#ifndef VIGIL_SUPERVISE_HEALTH_H
#define VIGIL_SUPERVISE_HEALTH_H

#include "unit/unit_config.h"
#include "unit/unit_state.h"

#include <stdbool.h>

/* run: starts the shutdown an action asks for; request: the same for a
 * held action once its snooze ends (the manager's checked entry point). */
struct health_config {
        bool system_mode;
        void (*run)(enum unit_action action, int code, const char *why);
        void (*request)(enum unit_action action, int code, const char *why);
};
void health_init(const struct health_config *c);

struct health_action {
        const char *unit;              /* its name */
        enum unit_action action;
        bool success;
        enum unit_result result;
        int code;                      /* the container's exit code for it */
};
/* A unit's action is due (never ACTION_NONE). */
void health_unit_action(const struct health_action *a);

#endif
