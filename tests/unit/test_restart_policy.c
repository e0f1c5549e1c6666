/* SPDX-License-Identifier: MIT */
#include "unit/restart_policy.h"
#include "unit/unit_result.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const struct exit_info EXIT0 = { true, 0, 0 }, EXIT1 = { true, 1, 0 }, EXIT255 = { true, 255, 0 };
static const struct exit_info BY_TERM = { false, 0, SIGTERM }, BY_HUP = { false, 0, SIGHUP },
                              BY_INT = { false, 0, SIGINT }, BY_PIPE = { false, 0, SIGPIPE },
                              BY_KILL = { false, 0, SIGKILL }, BY_SEGV = { false, 0, SIGSEGV },
                              BY_ABRT = { false, 0, SIGABRT };

/* The row of a daemon's exit that vigil did not cause, the product's path
 * (unit_result_of_exit() then unit_result_cause()). */
static enum exit_cause exit_cause_of(const struct exit_info *e, const struct exit_status_set *success) {
        struct unit_exit x = { .exit = *e, .kill_signal = SIGTERM, .watchdog_signal = SIGABRT, .success = success };
        return unit_result_cause(unit_result_of_exit(&x)).cause;
}

/* SPEC §4's table, written out cell by cell from the spec text (X = restart):
 *                      no always on-success on-failure on-abnormal on-abort on-watchdog */
static const char *const spec_rows[EXIT_CAUSE_MAX] = {
        [EXIT_CAUSE_CLEAN]          = ".XX....",
        [EXIT_CAUSE_UNCLEAN_CODE]   = ".X.X...",
        [EXIT_CAUSE_UNCLEAN_SIGNAL] = ".X.XXX.",
        [EXIT_CAUSE_TIMEOUT]        = ".X.XX..",
        [EXIT_CAUSE_WATCHDOG]       = ".X.XX.X",
        [EXIT_CAUSE_OOM_KILL]       = ".X.XX..", /* systemd's service_shall_restart(), oom-kill */
};

static void every_cell_of_the_table(void **state) {
        (void)state;
        for (int cause = 0; cause < EXIT_CAUSE_MAX; cause++)
                for (int mode = 0; mode < RESTART_MODE_MAX; mode++) {
                        struct restart_config c = { .mode = mode };
                        bool want = spec_rows[cause][mode] == 'X';
                        struct restart_verdict v = restart_decide(&c, cause, NULL, false);
                        if (v.restart != want)
                                fail_msg("Restart=%s after %s: got %d", restart_mode_to_string(mode),
                                         exit_cause_to_string(cause), v.restart);
                        assert_int_equal(v.reason, RESTART_REASON_TABLE);
                }
}

static void clean_exits_are_code_0_and_four_signals(void **state) {
        (void)state;
        assert_int_equal(exit_cause_of(&EXIT0, NULL), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&BY_TERM, NULL), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&BY_HUP, NULL), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&BY_INT, NULL), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&BY_PIPE, NULL), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&EXIT1, NULL), EXIT_CAUSE_UNCLEAN_CODE);
        assert_int_equal(exit_cause_of(&EXIT255, NULL), EXIT_CAUSE_UNCLEAN_CODE);
        assert_int_equal(exit_cause_of(&BY_KILL, NULL), EXIT_CAUSE_UNCLEAN_SIGNAL);
        assert_int_equal(exit_cause_of(&BY_SEGV, NULL), EXIT_CAUSE_UNCLEAN_SIGNAL);
        assert_int_equal(exit_cause_of(&BY_ABRT, NULL), EXIT_CAUSE_UNCLEAN_SIGNAL);
}

static void success_exit_status_makes_codes_and_signals_clean(void **state) {
        struct exit_status_set success = { 0 };
        (void)state;
        exit_status_set_add_code(&success, 255);
        exit_status_set_add_signal(&success, SIGKILL);
        assert_int_equal(exit_cause_of(&EXIT255, &success), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&BY_KILL, &success), EXIT_CAUSE_CLEAN);
        assert_int_equal(exit_cause_of(&EXIT1, &success), EXIT_CAUSE_UNCLEAN_CODE);
        /* on-failure no longer restarts what SuccessExitStatus= made clean */
        struct restart_config c = { .mode = RESTART_ON_FAILURE, .success = success };
        assert_false(restart_decide(&c, exit_cause_of(&EXIT255, &c.success), &EXIT255, false).restart);
}

static void prevent_wins_over_always_and_force(void **state) {
        struct restart_config c = { .mode = RESTART_ALWAYS };
        (void)state;
        exit_status_set_add_code(&c.prevent, 1);
        exit_status_set_add_signal(&c.prevent, SIGKILL);
        exit_status_set_add_code(&c.force, 1); /* both: prevent wins, as systemd */
        struct restart_verdict v = restart_decide(&c, EXIT_CAUSE_UNCLEAN_CODE, &EXIT1, false);
        assert_false(v.restart);
        assert_int_equal(v.reason, RESTART_REASON_PREVENTED);
        v = restart_decide(&c, EXIT_CAUSE_UNCLEAN_SIGNAL, &BY_KILL, false);
        assert_false(v.restart);
        assert_true(restart_decide(&c, EXIT_CAUSE_UNCLEAN_CODE, &EXIT255, false).restart);
}

static void force_restarts_even_with_restart_no(void **state) {
        struct restart_config c = { .mode = RESTART_NO };
        (void)state;
        exit_status_set_add_code(&c.force, 0);
        exit_status_set_add_signal(&c.force, SIGSEGV);
        struct restart_verdict v = restart_decide(&c, EXIT_CAUSE_CLEAN, &EXIT0, false);
        assert_true(v.restart);
        assert_int_equal(v.reason, RESTART_REASON_FORCED);
        assert_true(restart_decide(&c, EXIT_CAUSE_UNCLEAN_SIGNAL, &BY_SEGV, false).restart);
        assert_false(restart_decide(&c, EXIT_CAUSE_UNCLEAN_CODE, &EXIT1, false).restart);
}

static void a_user_stop_never_restarts(void **state) {
        (void)state;
        for (int mode = 0; mode < RESTART_MODE_MAX; mode++) {
                struct restart_config c = { .mode = mode };
                exit_status_set_add_signal(&c.force, SIGTERM);
                struct restart_verdict v = restart_decide(&c, EXIT_CAUSE_CLEAN, &BY_TERM, true);
                assert_false(v.restart);
                assert_int_equal(v.reason, RESTART_REASON_USER_STOP);
        }
}

static void names_round_trip(void **state) {
        (void)state;
        for (int mode = 0; mode < RESTART_MODE_MAX; mode++)
                assert_int_equal(restart_mode_from_string(restart_mode_to_string(mode)), mode);
        assert_int_equal(restart_mode_from_string("sometimes"), -EINVAL);
        for (int r = RESTART_REASON_TABLE; r <= RESTART_REASON_FORCED; r++)
                assert_string_not_equal(restart_reason_to_string(r), "invalid");
        struct exit_status_set s = { 0 };
        exit_status_set_add_code(&s, 300); /* out of range: ignored */
        exit_status_set_add_signal(&s, 0);
        assert_false(exit_status_set_contains(&s, &EXIT0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_cell_of_the_table),
                cmocka_unit_test(clean_exits_are_code_0_and_four_signals),
                cmocka_unit_test(success_exit_status_makes_codes_and_signals_clean),
                cmocka_unit_test(prevent_wins_over_always_and_force),
                cmocka_unit_test(force_restarts_even_with_restart_no),
                cmocka_unit_test(a_user_stop_never_restarts),
                cmocka_unit_test(names_round_trip),
        };
        return cmocka_run_group_tests_name("restart_policy", tests, NULL, NULL);
}
