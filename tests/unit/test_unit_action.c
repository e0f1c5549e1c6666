/* SPDX-License-Identifier: MIT */
#include "unit/unit_action.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const struct exit_info EXIT0 = { true, 0, 0 }, EXIT3 = { true, 3, 0 }, BY_KILL = { false, 0, SIGKILL };

/* DESIGN.md "Actions in container mode", one row per (action, success, main exit). */
static void exit_codes_follow_the_action_and_the_main_status(void **state) {
        (void)state;
        static const struct {
                enum unit_action action;
                bool success;
                const struct exit_info *e;
                int code;
        } rows[] = {
                { ACTION_EXIT, true, &EXIT0, 0 },          { ACTION_EXIT, true, &EXIT3, 3 },
                { ACTION_EXIT, false, &EXIT3, 3 },         { ACTION_EXIT, false, &EXIT0, 1 },
                { ACTION_EXIT, false, &BY_KILL, 137 },     { ACTION_EXIT_FORCE, false, NULL, 1 },
                { ACTION_EXIT, true, NULL, 0 },            { ACTION_REBOOT, true, &EXIT0, 1 },
                { ACTION_REBOOT, false, &EXIT3, 3 },       { ACTION_REBOOT_FORCE, true, NULL, 1 },
                { ACTION_REBOOT_IMMEDIATE, false, &BY_KILL, 137 },
                { ACTION_POWEROFF, true, &EXIT3, 0 },      { ACTION_POWEROFF, false, &EXIT3, 3 },
                { ACTION_POWEROFF_FORCE, false, &EXIT0, 1 }, { ACTION_POWEROFF_IMMEDIATE, true, NULL, 0 },
                { ACTION_HALT, true, &EXIT3, 0 },          { ACTION_HALT, false, NULL, 1 },
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                int got = unit_action_exit_code(rows[i].action, rows[i].success, rows[i].e);
                if (got != rows[i].code)
                        fail_msg("row %zu: %s success=%d: got %d, want %d", i, unit_action_to_string(rows[i].action),
                                 rows[i].success, got, rows[i].code);
        }
}

static void the_key_names_what_fired(void **state) {
        (void)state;
        assert_string_equal(unit_action_key(true, UNIT_RESULT_SUCCESS), "SuccessAction");
        assert_string_equal(unit_action_key(false, UNIT_RESULT_EXIT_CODE), "FailureAction");
        assert_string_equal(unit_action_key(false, UNIT_RESULT_WATCHDOG), "FailureAction");
        assert_string_equal(unit_action_key(false, UNIT_RESULT_START_LIMIT_HIT), "StartLimitAction");
}

static void health_failures_are_reboot_or_poweroff_after_watchdog_or_start_limit(void **state) {
        (void)state;
        const enum unit_action fatal[] = { ACTION_REBOOT, ACTION_REBOOT_FORCE, ACTION_REBOOT_IMMEDIATE,
                                           ACTION_POWEROFF, ACTION_POWEROFF_FORCE, ACTION_POWEROFF_IMMEDIATE };
        for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
                assert_true(unit_action_is_health_failure(fatal[i], UNIT_RESULT_WATCHDOG));
                assert_true(unit_action_is_health_failure(fatal[i], UNIT_RESULT_START_LIMIT_HIT));
                assert_false(unit_action_is_health_failure(fatal[i], UNIT_RESULT_EXIT_CODE));
                assert_false(unit_action_is_health_failure(fatal[i], UNIT_RESULT_SIGNAL));
                assert_false(unit_action_is_health_failure(fatal[i], UNIT_RESULT_SUCCESS));
        }
        assert_false(unit_action_is_health_failure(ACTION_NONE, UNIT_RESULT_WATCHDOG));
        assert_false(unit_action_is_health_failure(ACTION_EXIT, UNIT_RESULT_WATCHDOG));
        assert_false(unit_action_is_health_failure(ACTION_EXIT_FORCE, UNIT_RESULT_START_LIMIT_HIT));
        assert_false(unit_action_is_health_failure(ACTION_HALT, UNIT_RESULT_WATCHDOG));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(exit_codes_follow_the_action_and_the_main_status),
                cmocka_unit_test(the_key_names_what_fired),
                cmocka_unit_test(health_failures_are_reboot_or_poweroff_after_watchdog_or_start_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
