/* SPDX-License-Identifier: MIT */
/* The service state machine: every (state, event) pair has a defined
 * outcome, and the paths are systemd's. */
#include "base/timespan.h"
#include "supervise/unit.h"
#include "unit/unit_state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static struct unit_facts plain(void) {
        return (struct unit_facts){ .type = SERVICE_SIMPLE, .send_sigkill = true, .main_alive = true,
                                    .result = UNIT_RESULT_SUCCESS, .exit_result = UNIT_RESULT_SUCCESS };
}

/* Walk every pair under many fact combinations: always a valid next state,
 * a reason, and "ignored" exactly when nothing changes. */
static void every_pair_defined(void **state) {
        (void)state;
        for (unsigned bits = 0; bits < 2048; bits++) {
                struct unit_facts f = plain();
                f.has_condition = bits & 1024;
                f.has_start_pre = bits & 1;
                f.has_start_post = bits & 2;
                f.has_stop = bits & 4;
                f.has_stop_post = bits & 8;
                f.main_alive = bits & 16;
                f.procs_left = bits & 32;
                f.remain_after_exit = bits & 64;
                f.exit_result = (bits & 128) ? UNIT_RESULT_EXIT_CODE : UNIT_RESULT_SUCCESS;
                f.send_sigkill = bits & 256;
                f.control_alive = bits & 512;
                for (int t = 0; t < SERVICE_TYPE_MAX; t++) {
                        f.type = (enum service_type)t;
                        for (int s = 0; s < UNIT_STATE_MAX; s++)
                                for (int e = 0; e < UNIT_EVENT_MAX; e++) {
                                        struct unit_transition x = unit_transition(s, e, &f);
                                        assert_non_null(x.why);
                                        assert_true(x.next <= UNIT_DECIDE);
                                        assert_true(x.result <= UNIT_RESULT_KEEP);
                                        if (x.ignored) {
                                                assert_int_equal(x.next, (enum unit_state)s);
                                                assert_int_equal(x.result, UNIT_RESULT_KEEP);
                                        }
                                        /* Never rest in a state whose work is empty. */
                                        if (!x.ignored && x.next != (enum unit_state)s) {
                                                if (x.next == UNIT_CONDITION)
                                                        assert_true(f.has_condition);
                                                if (x.next == UNIT_START_PRE)
                                                        assert_true(f.has_start_pre);
                                                if (x.next == UNIT_START_POST)
                                                        assert_true(f.has_start_post);
                                                if (x.next == UNIT_STOP)
                                                        assert_true(f.has_stop);
                                                if (x.next == UNIT_STOP_POST)
                                                        assert_true(f.has_stop_post);
                                                if (x.next == UNIT_STOP_SIGTERM || x.next == UNIT_STOP_SIGKILL)
                                                        assert_true(f.procs_left);
                                        }
                                }
                }
        }
}

static void names_complete(void **state) {
        (void)state;
        for (int s = 0; s <= UNIT_STATE_MAX; s++)
                assert_string_not_equal(unit_state_to_string(s), "?");
        for (int s = 0; s < UNIT_STATE_MAX; s++)
                assert_string_not_equal(unit_state_active(s), "?");
        for (int e = 0; e < UNIT_EVENT_MAX; e++)
                assert_string_not_equal(unit_event_to_string(e), "?");
        for (int r = 0; r < UNIT_RESULT_MAX; r++)
                assert_string_not_equal(unit_result_to_string(r), "?");
}

static void start_path_skips_empty_steps(void **state) {
        (void)state;
        struct unit_facts f = plain();
        assert_int_equal(unit_transition(UNIT_DEAD, UNIT_EV_START, &f).next, UNIT_WAITING);
        assert_int_equal(unit_transition(UNIT_WAITING, UNIT_EV_DEPS_UP, &f).next, UNIT_START);
        f.has_start_pre = true;
        assert_int_equal(unit_transition(UNIT_WAITING, UNIT_EV_DEPS_UP, &f).next, UNIT_START_PRE);
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_STARTED, &f).next, UNIT_RUNNING);
        f.has_start_post = true;
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_STARTED, &f).next, UNIT_START_POST);
}

/* ExecCondition= (systemd's "condition"): before ExecStartPre=; a failure
 * (its result decided by unit_exec.c: exec-condition for 1..254) and a timeout
 * take the stop path; a stop request kills it without ExecStop=. */
static void exec_condition_comes_first(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.has_condition = true;
        f.has_start_pre = true;
        f.procs_left = true;
        assert_int_equal(unit_transition(UNIT_WAITING, UNIT_EV_DEPS_UP, &f).next, UNIT_CONDITION);
        assert_int_equal(unit_transition(UNIT_CONDITION, UNIT_EV_CONTROL_OK, &f).next, UNIT_START_PRE);
        f.has_start_pre = false;
        assert_int_equal(unit_transition(UNIT_CONDITION, UNIT_EV_CONTROL_OK, &f).next, UNIT_START);
        f.exit_result = UNIT_RESULT_EXEC_CONDITION;
        struct unit_transition t = unit_transition(UNIT_CONDITION, UNIT_EV_CONTROL_FAILED, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGTERM);
        assert_int_equal(t.result, UNIT_RESULT_EXEC_CONDITION);
        t = unit_transition(UNIT_CONDITION, UNIT_EV_TIMEOUT, &f);
        assert_int_equal(t.result, UNIT_RESULT_TIMEOUT);
        f.has_stop = true;
        assert_int_equal(unit_transition(UNIT_CONDITION, UNIT_EV_STOP, &f).next, UNIT_STOP_SIGTERM);
        assert_true(unit_transition(UNIT_CONDITION, UNIT_EV_STARTED, &f).ignored);
        assert_string_equal(unit_state_to_string(UNIT_CONDITION), "condition");
        assert_string_equal(unit_state_active(UNIT_CONDITION), "activating");
        assert_int_equal(unit_state_timer(UNIT_CONDITION), UNIT_TIMER_START);
        assert_string_equal(unit_result_to_string(UNIT_RESULT_EXEC_CONDITION), "exec-condition");
}

/* The states that run an Exec*= list: where its end, its failure, the
 * state's timeout and the main process's exit lead (systemd's
 * service_enter_*(); every step present, processes left). */
static void command_states_lead_where_systemd_does(void **state) {
        (void)state;
        static const struct {
                enum unit_state s;
                enum unit_event e;
                enum unit_state next;
                enum unit_result result;
                bool ignored;
        } rows[] = {
                { UNIT_CONDITION, UNIT_EV_CONTROL_OK, UNIT_START_PRE, UNIT_RESULT_KEEP, false },
                { UNIT_CONDITION, UNIT_EV_CONTROL_FAILED, UNIT_STOP_SIGTERM, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_CONDITION, UNIT_EV_TIMEOUT, UNIT_STOP_SIGTERM, UNIT_RESULT_TIMEOUT, false },
                { UNIT_CONDITION, UNIT_EV_MAIN_EXITED, UNIT_CONDITION, UNIT_RESULT_KEEP, true },
                { UNIT_START_PRE, UNIT_EV_CONTROL_OK, UNIT_START, UNIT_RESULT_KEEP, false },
                { UNIT_START_PRE, UNIT_EV_CONTROL_FAILED, UNIT_STOP_SIGTERM, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_START_PRE, UNIT_EV_TIMEOUT, UNIT_STOP_SIGTERM, UNIT_RESULT_TIMEOUT, false },
                { UNIT_START_PRE, UNIT_EV_MAIN_EXITED, UNIT_START_PRE, UNIT_RESULT_KEEP, true },
                { UNIT_START_POST, UNIT_EV_CONTROL_OK, UNIT_RUNNING, UNIT_RESULT_KEEP, false },
                { UNIT_START_POST, UNIT_EV_CONTROL_FAILED, UNIT_STOP, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_START_POST, UNIT_EV_TIMEOUT, UNIT_STOP, UNIT_RESULT_TIMEOUT, false },
                { UNIT_START_POST, UNIT_EV_MAIN_EXITED, UNIT_START_POST, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_START_POST, UNIT_EV_WATCHDOG, UNIT_STOP_SIGTERM, UNIT_RESULT_WATCHDOG, false },
                { UNIT_STOP, UNIT_EV_CONTROL_OK, UNIT_STOP_SIGTERM, UNIT_RESULT_KEEP, false },
                { UNIT_STOP, UNIT_EV_CONTROL_FAILED, UNIT_STOP_SIGTERM, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_STOP, UNIT_EV_TIMEOUT, UNIT_STOP_SIGTERM, UNIT_RESULT_TIMEOUT, false },
                { UNIT_STOP, UNIT_EV_MAIN_EXITED, UNIT_STOP, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_STOP_POST, UNIT_EV_CONTROL_OK, UNIT_DECIDE, UNIT_RESULT_KEEP, false },
                { UNIT_STOP_POST, UNIT_EV_CONTROL_FAILED, UNIT_DECIDE, UNIT_RESULT_EXIT_CODE, false },
                { UNIT_STOP_POST, UNIT_EV_TIMEOUT, UNIT_DECIDE, UNIT_RESULT_TIMEOUT, false },
                { UNIT_STOP_POST, UNIT_EV_MAIN_EXITED, UNIT_STOP_POST, UNIT_RESULT_KEEP, true },
        };
        struct unit_facts f = plain();
        f.has_condition = f.has_start_pre = f.has_start_post = f.has_stop = f.has_stop_post = true;
        f.procs_left = true;
        f.exit_result = UNIT_RESULT_EXIT_CODE;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                struct unit_transition t = unit_transition(rows[i].s, rows[i].e, &f);
                if (t.next != rows[i].next || t.result != rows[i].result || t.ignored != rows[i].ignored)
                        fail_msg("row %zu: %s + %s -> %s, result %s%s", i, unit_state_to_string(rows[i].s),
                                 unit_event_to_string(rows[i].e), unit_state_to_string(t.next),
                                 unit_result_to_string(t.result), t.ignored ? " (ignored)" : "");
                assert_non_null(t.why);
        }
}

static void oneshot_finishes_to_exited_or_stop(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.type = SERVICE_ONESHOT;
        f.main_alive = false;
        f.remain_after_exit = true;
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_MAIN_EXITED, &f).next, UNIT_EXITED);
        f.remain_after_exit = false;
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_MAIN_EXITED, &f).next, UNIT_DECIDE);
        f.has_stop = true;   /* systemd runs ExecStop= after a successful oneshot */
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_MAIN_EXITED, &f).next, UNIT_STOP);
        f.exit_result = UNIT_RESULT_EXIT_CODE;   /* a failure skips ExecStop= */
        struct unit_transition t = unit_transition(UNIT_START, UNIT_EV_MAIN_EXITED, &f);
        assert_int_equal(t.next, UNIT_DECIDE);
        assert_int_equal(t.result, UNIT_RESULT_EXIT_CODE);
}

static void running_main_exit(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.main_alive = false;
        f.has_stop = true;
        f.has_stop_post = true;
        /* Clean exit: ExecStop= then ExecStopPost=. */
        assert_int_equal(unit_transition(UNIT_RUNNING, UNIT_EV_MAIN_EXITED, &f).next, UNIT_STOP);
        /* Failure: no ExecStop=, kill what is left, then ExecStopPost=. */
        f.exit_result = UNIT_RESULT_SIGNAL;
        f.procs_left = true;
        struct unit_transition t = unit_transition(UNIT_RUNNING, UNIT_EV_MAIN_EXITED, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGTERM);
        assert_int_equal(t.result, UNIT_RESULT_SIGNAL);
        f.procs_left = false;
        assert_int_equal(unit_transition(UNIT_RUNNING, UNIT_EV_MAIN_EXITED, &f).next, UNIT_STOP_POST);
}

static void stop_escalation(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.procs_left = true;
        struct unit_transition t = unit_transition(UNIT_STOP_SIGTERM, UNIT_EV_TIMEOUT, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGKILL);
        assert_int_equal(t.result, UNIT_RESULT_TIMEOUT);
        f.send_sigkill = false;
        assert_int_equal(unit_transition(UNIT_STOP_SIGTERM, UNIT_EV_TIMEOUT, &f).next, UNIT_DECIDE);
        assert_int_equal(unit_transition(UNIT_STOP_SIGKILL, UNIT_EV_TIMEOUT, &f).next, UNIT_DECIDE);
        assert_int_equal(unit_transition(UNIT_STOP_SIGTERM, UNIT_EV_ALL_GONE, &f).next, UNIT_DECIDE);
}

static void stop_requests(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.has_stop = true;
        f.procs_left = true;
        assert_int_equal(unit_transition(UNIT_RUNNING, UNIT_EV_STOP, &f).next, UNIT_STOP);
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_STOP, &f).next, UNIT_STOP_SIGTERM);
        assert_int_equal(unit_transition(UNIT_AUTO_RESTART, UNIT_EV_STOP, &f).next, UNIT_DEAD);
        assert_int_equal(unit_transition(UNIT_WAITING, UNIT_EV_STOP, &f).next, UNIT_DEAD);
        assert_true(unit_transition(UNIT_DEAD, UNIT_EV_STOP, &f).ignored);
        assert_true(unit_transition(UNIT_STOP_SIGKILL, UNIT_EV_STOP, &f).ignored);
}

static void first_failure_sticks(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.result = UNIT_RESULT_TIMEOUT;
        f.main_alive = false;
        f.has_stop = true;
        /* Clean main exit, but the unit already failed: straight to the kill path. */
        assert_int_equal(unit_transition(UNIT_START_POST, UNIT_EV_CONTROL_OK, &f).next, UNIT_DECIDE);
}

static void restart_delay_is_systemds(void **state) {
        (void)state;
        const uint64_t ms = USEC_PER_MSEC;
        /* RestartSec=2s RestartSteps=3 RestartMaxDelaySec=16s: 2, 4, 8, 16, 16. */
        assert_int_equal(unit_restart_delay(2000 * ms, 3, 16000 * ms, 1), 2000 * ms);
        assert_true(unit_restart_delay(2000 * ms, 3, 16000 * ms, 2) / ms == 3999 ||
                    unit_restart_delay(2000 * ms, 3, 16000 * ms, 2) / ms == 4000);
        assert_true(unit_restart_delay(2000 * ms, 3, 16000 * ms, 3) / ms >= 7999);
        assert_int_equal(unit_restart_delay(2000 * ms, 3, 16000 * ms, 4), 16000 * ms);
        assert_int_equal(unit_restart_delay(2000 * ms, 3, 16000 * ms, 100), 16000 * ms);
        /* No steps, no max, or RestartSec=0: constant. */
        assert_int_equal(unit_restart_delay(100 * ms, 0, 16000 * ms, 5), 100 * ms);
        assert_int_equal(unit_restart_delay(100 * ms, 3, TIMESPAN_INFINITY, 5), 100 * ms);
        assert_int_equal(unit_restart_delay(0, 3, 16000 * ms, 5), 0);
}

/* sd_notify (SPEC §5): systemd's service_notify_message() paths. */
static void notify_paths(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.type = SERVICE_NOTIFY;
        f.procs_left = true;
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_NOTIFY_READY, &f).next, UNIT_RUNNING);
        f.has_start_post = true;
        assert_int_equal(unit_transition(UNIT_START, UNIT_EV_NOTIFY_READY, &f).next, UNIT_START_POST);
        /* READY=1 completes the start of Type=notify only. */
        f.type = SERVICE_SIMPLE;
        assert_true(unit_transition(UNIT_START, UNIT_EV_NOTIFY_READY, &f).ignored);
        f.type = SERVICE_NOTIFY;
        assert_true(unit_transition(UNIT_RUNNING, UNIT_EV_NOTIFY_READY, &f).ignored);
        assert_true(unit_transition(UNIT_START_PRE, UNIT_EV_NOTIFY_READY, &f).ignored);

        /* RELOADING=1 ... READY=1 */
        assert_int_equal(unit_transition(UNIT_RUNNING, UNIT_EV_NOTIFY_RELOADING, &f).next, UNIT_RELOAD);
        assert_int_equal(unit_transition(UNIT_RELOAD, UNIT_EV_NOTIFY_READY, &f).next, UNIT_RUNNING);
        f.control_alive = true;  /* ExecReload= still running: its end decides */
        assert_true(unit_transition(UNIT_RELOAD, UNIT_EV_NOTIFY_READY, &f).ignored);
        f.control_alive = false;

        /* STOPPING=1: into stop-sigterm, no failure recorded. */
        struct unit_transition t = unit_transition(UNIT_RUNNING, UNIT_EV_NOTIFY_STOPPING, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGTERM);
        assert_int_equal(t.result, UNIT_RESULT_KEEP);
        assert_true(unit_transition(UNIT_START, UNIT_EV_NOTIFY_STOPPING, &f).ignored);

        /* The watchdog: start-post, running and reload; not before. */
        enum unit_state with[] = { UNIT_START_POST, UNIT_RUNNING, UNIT_RELOAD };
        for (size_t i = 0; i < 3; i++) {
                assert_true(unit_state_has_watchdog(with[i]));
                t = unit_transition(with[i], UNIT_EV_WATCHDOG, &f);
                assert_int_equal(t.next, UNIT_STOP_SIGTERM);
                assert_int_equal(t.result, UNIT_RESULT_WATCHDOG);
        }
        /* A health probe's failures past HealthRetries= before the first
         * success (unit_probe.c): the stop path, result watchdog. */
        t = unit_transition(UNIT_START, UNIT_EV_WATCHDOG, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGTERM);
        assert_int_equal(t.result, UNIT_RESULT_WATCHDOG);
        for (int s = 0; s < UNIT_STATE_MAX; s++) {
                bool has = s == UNIT_START_POST || s == UNIT_RUNNING || s == UNIT_RELOAD;
                assert_int_equal(unit_state_has_watchdog((enum unit_state)s), has);
                if (!has && s != UNIT_START)
                        assert_true(unit_transition((enum unit_state)s, UNIT_EV_WATCHDOG, &f).ignored);
        }
}

/* OOMPolicy=stop (systemd's service_notify_cgroup_oom_event()): a running
 * unit stops cleanly (ExecStop= first), a starting one gets KillSignal=,
 * result oom-kill; a stop under way records it; nothing running ignores it. */
static void oom_kill_paths(void **state) {
        (void)state;
        struct unit_facts f = plain();
        f.has_stop = true;
        enum unit_state up[] = { UNIT_START_POST, UNIT_RUNNING, UNIT_EXITED, UNIT_RELOAD };
        for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
                struct unit_transition t = unit_transition(up[i], UNIT_EV_OOM_KILL, &f);
                assert_int_equal(t.next, UNIT_STOP);
                assert_int_equal(t.result, UNIT_RESULT_OOM_KILL);
        }
        f.has_stop = false;
        f.procs_left = true;
        struct unit_transition t = unit_transition(UNIT_RUNNING, UNIT_EV_OOM_KILL, &f);
        assert_int_equal(t.next, UNIT_STOP_SIGTERM);
        enum unit_state starting[] = { UNIT_START_PRE, UNIT_START };
        for (size_t i = 0; i < 2; i++) {
                t = unit_transition(starting[i], UNIT_EV_OOM_KILL, &f);
                assert_int_equal(t.next, UNIT_STOP_SIGTERM);
                assert_int_equal(t.result, UNIT_RESULT_OOM_KILL);
        }
        enum unit_state stopping[] = { UNIT_STOP, UNIT_STOP_SIGTERM, UNIT_STOP_SIGKILL, UNIT_STOP_POST };
        for (size_t i = 0; i < 4; i++) {
                t = unit_transition(stopping[i], UNIT_EV_OOM_KILL, &f);
                assert_int_equal(t.next, stopping[i]);
                assert_int_equal(t.result, UNIT_RESULT_OOM_KILL);
                assert_false(t.ignored);
        }
        enum unit_state idle[] = { UNIT_DEAD, UNIT_FAILED, UNIT_WAITING, UNIT_AUTO_RESTART };
        for (size_t i = 0; i < 4; i++)
                assert_true(unit_transition(idle[i], UNIT_EV_OOM_KILL, &f).ignored);
        assert_string_equal(unit_event_to_string(UNIT_EV_OOM_KILL), "oom-kill");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_pair_defined),
                cmocka_unit_test(oom_kill_paths),
                cmocka_unit_test(names_complete),
                cmocka_unit_test(notify_paths),
                cmocka_unit_test(start_path_skips_empty_steps),
                cmocka_unit_test(exec_condition_comes_first),
                cmocka_unit_test(command_states_lead_where_systemd_does),
                cmocka_unit_test(oneshot_finishes_to_exited_or_stop),
                cmocka_unit_test(running_main_exit),
                cmocka_unit_test(stop_escalation),
                cmocka_unit_test(stop_requests),
                cmocka_unit_test(first_failure_sticks),
                cmocka_unit_test(restart_delay_is_systemds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
