/* SPDX-License-Identifier: MIT */
#include "unit/unit_action.h"

int unit_action_exit_code(enum unit_action action, bool success, const struct exit_info *e) {
        int code = e ? (e->exited ? e->code : 128 + e->sig) : success ? 0 : 1;
        switch (action) {
        case ACTION_EXIT:
        case ACTION_EXIT_FORCE:
                return !success && code == 0 ? 1 : code;
        case ACTION_POWEROFF:
        case ACTION_POWEROFF_FORCE:
        case ACTION_POWEROFF_IMMEDIATE:
        case ACTION_HALT:
                return success ? 0 : (code ? code : 1);
        default:
                return code ? code : 1;
        }
}

const char *unit_action_key(bool success, enum unit_result result) {
        if (success)
                return "SuccessAction";
        return result == UNIT_RESULT_START_LIMIT_HIT ? "StartLimitAction" : "FailureAction";
}

bool unit_action_is_health_failure(enum unit_action action, enum unit_result result) {
        switch (action) {
        case ACTION_REBOOT:
        case ACTION_REBOOT_FORCE:
        case ACTION_REBOOT_IMMEDIATE:
        case ACTION_POWEROFF:
        case ACTION_POWEROFF_FORCE:
        case ACTION_POWEROFF_IMMEDIATE:
                return result == UNIT_RESULT_WATCHDOG || result == UNIT_RESULT_START_LIMIT_HIT;
        default:
                return false;
        }
}
