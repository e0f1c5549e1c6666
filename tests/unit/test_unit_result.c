/* SPDX-License-Identifier: MIT */
/* unit_result: exit -> result and result -> Restart= row, as tables. */
#include "unit/unit_result.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#define CODE(c) ((struct exit_info){ .exited = true, .code = (c) })
#define SIG(s) ((struct exit_info){ .exited = false, .sig = (s) })

enum who { DAEMON, COMMAND };
enum when { RUNNING, STOPPING, WATCHDOG_STOP };

struct exit_row {
        enum who who;
        enum when when;
        struct exit_info exit;
        bool core;
        bool in_success;           /* SuccessExitStatus= holds 42 and SIGUSR1 */
        int kill_signal;           /* 0: SIGTERM */
        enum unit_result want;
        const char *what;
};

static const struct exit_row exit_rows[] = {
        /* daemons: exit 0 and four signals are clean (systemd's EXIT_CLEAN_DAEMON) */
        { DAEMON, RUNNING, CODE(0), false, false, 0, UNIT_RESULT_SUCCESS, "daemon exit 0" },
        { DAEMON, RUNNING, SIG(SIGTERM), false, false, 0, UNIT_RESULT_SUCCESS, "daemon SIGTERM" },
        { DAEMON, RUNNING, SIG(SIGHUP), false, false, 0, UNIT_RESULT_SUCCESS, "daemon SIGHUP" },
        { DAEMON, RUNNING, SIG(SIGINT), false, false, 0, UNIT_RESULT_SUCCESS, "daemon SIGINT" },
        { DAEMON, RUNNING, SIG(SIGPIPE), false, false, 0, UNIT_RESULT_SUCCESS, "daemon SIGPIPE" },
        { DAEMON, RUNNING, CODE(1), false, false, 0, UNIT_RESULT_EXIT_CODE, "daemon exit 1" },
        { DAEMON, RUNNING, CODE(255), false, false, 0, UNIT_RESULT_EXIT_CODE, "daemon exit 255" },
        { DAEMON, RUNNING, SIG(SIGKILL), false, false, 0, UNIT_RESULT_SIGNAL, "daemon SIGKILL, not ours" },
        { DAEMON, RUNNING, SIG(SIGSEGV), true, false, 0, UNIT_RESULT_CORE_DUMP, "daemon SIGSEGV with core" },
        { DAEMON, RUNNING, SIG(SIGABRT), false, false, 0, UNIT_RESULT_SIGNAL, "daemon SIGABRT" },
        /* commands: only exit 0 (EXIT_CLEAN_COMMAND) */
        { COMMAND, RUNNING, CODE(0), false, false, 0, UNIT_RESULT_SUCCESS, "command exit 0" },
        { COMMAND, RUNNING, SIG(SIGTERM), false, false, 0, UNIT_RESULT_SIGNAL, "command SIGTERM" },
        { COMMAND, RUNNING, SIG(SIGHUP), false, false, 0, UNIT_RESULT_SIGNAL, "command SIGHUP" },
        { COMMAND, RUNNING, SIG(SIGPIPE), false, false, 0, UNIT_RESULT_SIGNAL, "command SIGPIPE" },
        { COMMAND, RUNNING, CODE(3), false, false, 0, UNIT_RESULT_EXIT_CODE, "command exit 3" },
        { COMMAND, RUNNING, SIG(SIGQUIT), true, false, 0, UNIT_RESULT_CORE_DUMP, "command core" },
        /* SuccessExitStatus= for both */
        { DAEMON, RUNNING, CODE(42), false, true, 0, UNIT_RESULT_SUCCESS, "daemon exit 42 in success" },
        { COMMAND, RUNNING, CODE(42), false, true, 0, UNIT_RESULT_SUCCESS, "command exit 42 in success" },
        { DAEMON, RUNNING, SIG(SIGUSR1), false, true, 0, UNIT_RESULT_SUCCESS, "daemon SIGUSR1 in success" },
        { COMMAND, RUNNING, SIG(SIGUSR1), false, true, 0, UNIT_RESULT_SUCCESS, "command SIGUSR1 in success" },
        { COMMAND, RUNNING, CODE(43), false, true, 0, UNIT_RESULT_EXIT_CODE, "command exit 43 not in success" },
        /* died of our own stop signal: clean, only while stopping */
        { DAEMON, STOPPING, SIG(SIGKILL), false, false, 0, UNIT_RESULT_SUCCESS, "SIGKILL of the stop" },
        { COMMAND, STOPPING, SIG(SIGKILL), false, false, 0, UNIT_RESULT_SUCCESS, "command SIGKILL of the stop" },
        { COMMAND, STOPPING, SIG(SIGTERM), false, false, 0, UNIT_RESULT_SUCCESS, "command KillSignal= of the stop" },
        { DAEMON, STOPPING, SIG(SIGUSR2), false, false, SIGUSR2, UNIT_RESULT_SUCCESS, "KillSignal=SIGUSR2" },
        { DAEMON, RUNNING, SIG(SIGUSR2), false, false, SIGUSR2, UNIT_RESULT_SIGNAL, "KillSignal= while running" },
        { COMMAND, STOPPING, SIG(SIGTERM), false, false, SIGUSR2, UNIT_RESULT_SIGNAL,
          "command SIGTERM with KillSignal=SIGUSR2" },
        { DAEMON, STOPPING, SIG(SIGABRT), true, false, 0, UNIT_RESULT_CORE_DUMP, "SIGABRT outside a watchdog stop" },
        { DAEMON, WATCHDOG_STOP, SIG(SIGABRT), true, false, 0, UNIT_RESULT_SUCCESS, "WatchdogSignal= of a watchdog stop" },
        { DAEMON, WATCHDOG_STOP, SIG(SIGSEGV), true, false, 0, UNIT_RESULT_CORE_DUMP, "other signal in a watchdog stop" },
        { DAEMON, STOPPING, CODE(1), false, false, 0, UNIT_RESULT_EXIT_CODE, "exit 1 while stopping" },
};

static void exit_to_result_table(void **state) {
        (void)state;
        struct exit_status_set success = { 0 };
        exit_status_set_add_code(&success, 42);
        exit_status_set_add_signal(&success, SIGUSR1);
        for (size_t i = 0; i < sizeof(exit_rows) / sizeof(exit_rows[0]); i++) {
                const struct exit_row *row = &exit_rows[i];
                struct unit_exit x = {
                        .exit = row->exit,
                        .core = row->core,
                        .command = row->who == COMMAND,
                        .stopping = row->when != RUNNING,
                        .watchdog_stop = row->when == WATCHDOG_STOP,
                        .kill_signal = row->kill_signal ? row->kill_signal : SIGTERM,
                        .watchdog_signal = SIGABRT,
                        .success = row->in_success ? &success : NULL,
                };
                enum unit_result got = unit_result_of_exit(&x);
                if (got != row->want)
                        fail_msg("%s: got %s, want %s", row->what, unit_result_to_string(got),
                                 unit_result_to_string(row->want));
        }
}

static void wait_status_decodes(void **state) {
        (void)state;
        bool core = true;
        struct exit_info e = unit_exit_from_wait(3 << 8, &core);
        assert_true(e.exited);
        assert_int_equal(e.code, 3);
        assert_false(core);
        e = unit_exit_from_wait(SIGTERM, &core);
        assert_false(e.exited);
        assert_int_equal(e.sig, SIGTERM);
        assert_false(core);
        e = unit_exit_from_wait(SIGSEGV | 0x80, &core);
        assert_false(e.exited);
        assert_int_equal(e.sig, SIGSEGV);
        assert_true(core);
}

static void every_result_has_a_row(void **state) {
        (void)state;
        static const struct unit_cause want[UNIT_RESULT_MAX] = {
                [UNIT_RESULT_SUCCESS] = { EXIT_CAUSE_CLEAN, true },
                [UNIT_RESULT_EXIT_CODE] = { EXIT_CAUSE_UNCLEAN_CODE, true },
                [UNIT_RESULT_SIGNAL] = { EXIT_CAUSE_UNCLEAN_SIGNAL, true },
                [UNIT_RESULT_CORE_DUMP] = { EXIT_CAUSE_UNCLEAN_SIGNAL, true },
                [UNIT_RESULT_TIMEOUT] = { EXIT_CAUSE_TIMEOUT, true },
                [UNIT_RESULT_WATCHDOG] = { EXIT_CAUSE_WATCHDOG, true },
                [UNIT_RESULT_START_LIMIT_HIT] = { EXIT_CAUSE_UNCLEAN_CODE, false },
                [UNIT_RESULT_RESOURCES] = { EXIT_CAUSE_UNCLEAN_CODE, true },
                [UNIT_RESULT_PROTOCOL] = { EXIT_CAUSE_UNCLEAN_CODE, true },
                [UNIT_RESULT_DEPENDENCY] = { EXIT_CAUSE_UNCLEAN_CODE, false },
                [UNIT_RESULT_OOM_KILL] = { EXIT_CAUSE_OOM_KILL, true },
        };
        for (int r = 0; r < UNIT_RESULT_MAX; r++) {
                struct unit_cause c = unit_result_cause(r);
                if (c.cause != want[r].cause || c.restartable != want[r].restartable)
                        fail_msg("%s: got %s/%d", unit_result_to_string(r), exit_cause_to_string(c.cause),
                                 c.restartable);
        }
}

/* history: the unit's timeout/watchdog wins over the signal used to end it;
 * otherwise the exit's own result, through the same table. */
static void history_cause_uses_the_same_table(void **state) {
        (void)state;
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_WATCHDOG, UNIT_RESULT_SIGNAL), EXIT_CAUSE_WATCHDOG);
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_WATCHDOG, UNIT_RESULT_SUCCESS), EXIT_CAUSE_WATCHDOG);
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_TIMEOUT, UNIT_RESULT_CORE_DUMP), EXIT_CAUSE_TIMEOUT);
        /* OOMPolicy=stop stopped it: the main process's end is the OOM kill's. */
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_OOM_KILL, UNIT_RESULT_SUCCESS), EXIT_CAUSE_OOM_KILL);
        for (int so_far = 0; so_far < UNIT_RESULT_MAX; so_far++) {
                if (so_far == UNIT_RESULT_WATCHDOG || so_far == UNIT_RESULT_TIMEOUT || so_far == UNIT_RESULT_OOM_KILL)
                        continue;
                for (int r = UNIT_RESULT_SUCCESS; r <= UNIT_RESULT_CORE_DUMP; r++)
                        assert_int_equal(unit_exit_record_cause(so_far, r), unit_result_cause(r).cause);
        }
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_SUCCESS, UNIT_RESULT_EXIT_CODE), EXIT_CAUSE_UNCLEAN_CODE);
        assert_int_equal(unit_exit_record_cause(UNIT_RESULT_SUCCESS, UNIT_RESULT_CORE_DUMP),
                         EXIT_CAUSE_UNCLEAN_SIGNAL);
}

/* End to end: an exit through result and cause into restart_decide(). */
static void success_exit_status_keeps_on_failure_from_restarting(void **state) {
        (void)state;
        struct restart_config c = { .mode = RESTART_ON_FAILURE };
        exit_status_set_add_code(&c.success, 255);
        struct unit_exit x = { .exit = CODE(255), .kill_signal = SIGTERM, .success = &c.success };
        enum unit_result r = unit_result_of_exit(&x);
        assert_int_equal(r, UNIT_RESULT_SUCCESS);
        assert_false(restart_decide(&c, unit_result_cause(r).cause, &x.exit, false).restart);
        x.exit = CODE(1);
        r = unit_result_of_exit(&x);
        assert_true(restart_decide(&c, unit_result_cause(r).cause, &x.exit, false).restart);
        /* on-abort: a core dump is an unclean signal */
        c.mode = RESTART_ON_ABORT;
        x.exit = SIG(SIGSEGV);
        x.core = true;
        r = unit_result_of_exit(&x);
        assert_int_equal(r, UNIT_RESULT_CORE_DUMP);
        assert_true(restart_decide(&c, unit_result_cause(r).cause, &x.exit, false).restart);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(exit_to_result_table),
                cmocka_unit_test(wait_status_decodes),
                cmocka_unit_test(every_result_has_a_row),
                cmocka_unit_test(history_cause_uses_the_same_table),
                cmocka_unit_test(success_exit_status_keeps_on_failure_from_restarting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
