/* SPDX-License-Identifier: MIT */
/*
 * What a unit's SuccessAction=/FailureAction=/StartLimitAction= means, as
 * pure decisions (STYLE §1): the container's exit code, which key fired,
 * and whether it is a health failure of SPEC §8 (the one rule the hardware
 * watchdog's gate follows). Carried out by supervise/health.c.
 *
 * Exit codes (DESIGN.md "Actions in container mode"): exit/exit-force give
 * the triggering unit's main status (code, or 128+signal; a failure never
 * 0), reboot* always non-zero, poweroff* and halt 0 after success and non-zero
 * after a failure.
 */
#ifndef VIGIL_UNIT_UNIT_ACTION_H
#define VIGIL_UNIT_UNIT_ACTION_H

#include "unit/restart_policy.h"
#include "unit/unit_config.h"
#include "unit/unit_state.h"

#include <stdbool.h>

/* main_exit: how the unit's last main process ended, NULL when unknown. */
int unit_action_exit_code(enum unit_action action, bool success, const struct exit_info *main_exit);

/* "SuccessAction", "StartLimitAction" (result start-limit-hit) or "FailureAction". */
const char *unit_action_key(bool success, enum unit_result result);

/* A reboot or power-off action after a missed watchdog or a hit start
 * limit (SPEC §8): vigil stops petting the hardware before it starts. */
bool unit_action_is_health_failure(enum unit_action action, enum unit_result result);

#endif
