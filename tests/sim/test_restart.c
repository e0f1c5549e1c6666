/* SPDX-License-Identifier: MIT */
/* Restart= (SPEC §4): RestartSec=, the back-off (RestartSteps=,
 * RestartMaxDelaySec=), the start limit at its exact window boundary
 * (StartLimitIntervalSec=, StartLimitBurst=), the Restart= cells, and
 * monotonic deadlines under a CLOCK_REALTIME jump. */
#include "sim.h"

#include "supervise/manager.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static pid_t boot_one(struct sim_cursor *c, const char *text) {
        sim_unit("a", text);
        sim_boot_default();
        return expect_spawn(c, "/bin/a", 0);
}

/* The main process exits with code at t; the restart is expected at t + delay. */
static pid_t exit_and_expect_restart(struct sim_cursor *c, uint64_t t, int code, uint64_t delay) {
        sim_advance_to(t);
        sim_exit(sim_pid("/bin/a"), code);
        if (delay > 0) {
                sim_advance_to(t + delay - 1);
                sim_check(count_spawns(c, "/bin/a") == 0, "restarted before %llu usec", (unsigned long long)delay);
        }
        sim_advance_to(t + delay);
        return expect_spawn(c, "/bin/a", t + delay);
}

static void expect_no_restart(struct sim_cursor *c, uint64_t t, int code) {
        sim_advance_to(t);
        sim_exit(sim_pid("/bin/a"), code);
        sim_advance_to(t + 3600 * SEC);
        sim_check(count_spawns(c, "/bin/a") == 0, "restarted");
}

SIM_SCENARIO(restart_sec_delays_the_restart_exactly) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=5\n");
        exit_and_expect_restart(&c, 10 * SEC, 1, 5 * SEC);
}

SIM_SCENARIO(restart_sec_default_is_100ms) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\n");
        exit_and_expect_restart(&c, 10 * SEC, 1, 100 * MSEC);
}

SIM_SCENARIO(restart_sec_zero_restarts_at_the_same_instant) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        exit_and_expect_restart(&c, 10 * SEC, 1, 0);
}

SIM_SCENARIO(restart_backoff_grows_geometrically_to_the_cap) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\nRestartSteps=2\n"
                     "RestartMaxDelaySec=4\n"
                     "[Unit]\nStartLimitBurst=0\n");
        uint64_t t = 10 * SEC;
        static const uint64_t delays[] = { 1 * SEC, 2 * SEC, 4 * SEC, 4 * SEC, 4 * SEC };
        for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
                exit_and_expect_restart(&c, t, 1, delays[i]);
                t += delays[i] + 10 * SEC;
        }
}

SIM_SCENARIO(restart_backoff_exact_intermediate_delays) {
        struct sim_cursor c = { 0 };
        /* 1 s to 27 s in 3 steps: 1, 3, 9, then 27 (the cap) for good. */
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\nRestartSteps=3\n"
                     "RestartMaxDelaySec=27\n"
                     "[Unit]\nStartLimitBurst=0\n");
        uint64_t t = 10 * SEC;
        static const uint64_t delays[] = { 1 * SEC, 3 * SEC, 9 * SEC, 27 * SEC, 27 * SEC };
        for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
                sim_advance_to(t);
                sim_exit(sim_pid("/bin/a"), 1);
                sim_advance_to(t + delays[i] + 1 * SEC);
                pid_t p = expect_spawn(&c, "/bin/a", SIM_ANY_T);
                uint64_t at = sim.events[c.next - 1].t - t;
                sim_check(at + 1000 >= delays[i] && at <= delays[i], "restart %zu after %llu usec, want %llu (pid %d)",
                          i + 1, (unsigned long long)at, (unsigned long long)delays[i], (int)p);
                t += delays[i] + 10 * SEC;
        }
}

SIM_SCENARIO(restart_backoff_without_steps_stays_at_restart_sec) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=2\nRestartMaxDelaySec=60\n"
                     ""
                     "[Unit]\nStartLimitBurst=0\n");
        uint64_t t = 10 * SEC;
        for (int i = 0; i < 4; i++) {
                exit_and_expect_restart(&c, t, 1, 2 * SEC);
                t += 20 * SEC;
        }
}

SIM_SCENARIO(restart_backoff_resets_after_a_requested_start) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\nRestartSteps=2\n"
                     "RestartMaxDelaySec=4\n"
                     "[Unit]\nStartLimitBurst=0\n");
        exit_and_expect_restart(&c, 10 * SEC, 1, 1 * SEC);
        exit_and_expect_restart(&c, 20 * SEC, 1, 2 * SEC);
        sim_advance_to(30 * SEC);
        manager_request_restart(manager_find("a"));
        sim_settle();
        expect_spawn(&c, "/bin/a", 30 * SEC);
        exit_and_expect_restart(&c, 40 * SEC, 1, 1 * SEC);
}

SIM_SCENARIO(restart_sec_ignores_a_realtime_clock_jump_forward) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=30\n");
        sim_advance_to(10 * SEC);
        sim_exit(sim_pid("/bin/a"), 1);
        sim_advance_to(11 * SEC);
        sim_jump_realtime(24 * 3600 * (int64_t)SEC);
        sim_advance_to(40 * SEC - 1);
        sim_check(count_spawns(&c, "/bin/a") == 0, "a realtime jump advanced the restart");
        sim_advance_to(40 * SEC);
        expect_spawn(&c, "/bin/a", 40 * SEC);
}

SIM_SCENARIO(restart_sec_armed_after_a_realtime_jump_backward_is_exact) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=30\n");
        sim_advance_to(5 * SEC);
        sim_jump_realtime(-3600 * (int64_t)SEC);
        exit_and_expect_restart(&c, 10 * SEC, 1, 30 * SEC);
}

SIM_SCENARIO(restart_sec_armed_after_a_realtime_jump_forward_is_exact) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=30\n");
        sim_advance_to(5 * SEC);
        sim_jump_realtime(3600 * (int64_t)SEC);
        exit_and_expect_restart(&c, 10 * SEC, 1, 30 * SEC);
}

SIM_SCENARIO(restart_sec_ignores_a_realtime_clock_jump_backward) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=30\n");
        sim_advance_to(10 * SEC);
        sim_exit(sim_pid("/bin/a"), 1);
        sim_jump_realtime(-3600 * (int64_t)SEC);
        sim_advance_to(40 * SEC);
        expect_spawn(&c, "/bin/a", 40 * SEC);
}

/* Burst 3 in 20 s: starts at 0, 1 s, 2 s; the 4th is refused
 * inside the window and allowed from its end on. */
static void start_limit_case(uint64_t fourth, bool allowed) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Unit]\nStartLimitIntervalSec=20\nStartLimitBurst=3\n"
                     "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        exit_and_expect_restart(&c, 1 * SEC, 1, 0);
        exit_and_expect_restart(&c, 2 * SEC, 1, 0);
        sim_advance_to(fourth);
        sim_exit(sim_pid("/bin/a"), 1);
        if (allowed) {
                expect_spawn(&c, "/bin/a", fourth);
                expect_state("a", "running");
        } else {
                sim_advance_to(fourth + 60 * SEC);
                sim_check(count_spawns(&c, "/bin/a") == 0, "started beyond the burst");
                expect_state("a", "failed");
                expect_result("a", "start-limit-hit");
        }
}

SIM_SCENARIO(start_limit_refuses_one_usec_before_the_window_ends) {
        start_limit_case(20 * SEC - 1, false);
}

SIM_SCENARIO(start_limit_allows_exactly_at_the_window_end) {
        start_limit_case(20 * SEC, true);
}

SIM_SCENARIO(start_limit_allows_one_usec_after_the_window_end) {
        start_limit_case(20 * SEC + 1, true);
}

SIM_SCENARIO(start_limit_burst_counts_every_start) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Unit]\nStartLimitIntervalSec=100\nStartLimitBurst=5\n"
                     "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        for (int i = 1; i <= 4; i++)
                exit_and_expect_restart(&c, (uint64_t)i * SEC, 1, 0);
        sim_advance_to(5 * SEC);
        sim_exit(sim_pid("/bin/a"), 1);
        sim_check(count_spawns(&c, "/bin/a") == 0, "a 6th start inside the window");
        expect_state("a", "failed");
}

/* systemd still reads StartLimitInterval=, StartLimitBurst= and
 * StartLimitAction= in [Service] (load-fragment-gperf: "compatibility,
 * they moved into [Unit]"): the same window, burst and action. */
SIM_SCENARIO(start_limit_legacy_service_keys_mean_the_same) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nStartLimitInterval=20\nStartLimitBurst=3\nStartLimitAction=exit\n"
                     "ExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        exit_and_expect_restart(&c, 1 * SEC, 1, 0);
        exit_and_expect_restart(&c, 2 * SEC, 1, 0);
        sim_advance_to(20 * SEC - 1);
        sim_exit(sim_pid("/bin/a"), 7);
        sim_check(count_spawns(&c, "/bin/a") == 0, "started beyond StartLimitBurst=3 of [Service]");
        expect_result("a", "start-limit-hit");
        expect_exit(&c, 7, 20 * SEC - 1);
}

SIM_SCENARIO(start_limit_legacy_service_interval_ends_the_window_as_the_unit_key) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nStartLimitInterval=20\nStartLimitBurst=3\n"
                     "ExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        exit_and_expect_restart(&c, 1 * SEC, 1, 0);
        exit_and_expect_restart(&c, 2 * SEC, 1, 0);
        exit_and_expect_restart(&c, 20 * SEC, 1, 0);
        expect_state("a", "running");
}

SIM_SCENARIO(start_limit_interval_zero_disables_the_limit) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Unit]\nStartLimitIntervalSec=0\nStartLimitBurst=1\n"
                     "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=0\n");
        for (int i = 1; i <= 20; i++)
                exit_and_expect_restart(&c, (uint64_t)i * MSEC, 1, 0);
}

SIM_SCENARIO(restart_on_failure_restarts_after_a_failure_exit) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=on-failure\nRestartSec=1\n");
        exit_and_expect_restart(&c, 5 * SEC, 3, 1 * SEC);
}

SIM_SCENARIO(restart_on_failure_does_not_restart_after_exit_0) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=on-failure\nRestartSec=1\n");
        expect_no_restart(&c, 5 * SEC, 0);
}

SIM_SCENARIO(restart_no_never_restarts) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=no\nRestartSec=1\n");
        expect_no_restart(&c, 5 * SEC, 1);
}

SIM_SCENARIO(restart_on_success_restarts_after_exit_0_only) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=on-success\nRestartSec=1\n");
        exit_and_expect_restart(&c, 5 * SEC, 0, 1 * SEC);
        expect_no_restart(&c, 20 * SEC, 1);
}

SIM_SCENARIO(restart_on_abnormal_restarts_after_a_signal_not_an_exit_code) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=on-abnormal\nRestartSec=1\n");
        sim_advance_to(5 * SEC);
        sim_kill_proc(sim_pid("/bin/a"), SIGSEGV);
        sim_advance_to(6 * SEC);
        expect_spawn(&c, "/bin/a", 6 * SEC);
        expect_no_restart(&c, 20 * SEC, 1);
}

SIM_SCENARIO(restart_prevent_exit_status_blocks_the_restart) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\nRestartPreventExitStatus=42\n");
        exit_and_expect_restart(&c, 5 * SEC, 1, 1 * SEC);
        expect_no_restart(&c, 20 * SEC, 42);
}

SIM_SCENARIO(restart_never_after_a_requested_stop) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\n");
        sim_advance_to(5 * SEC);
        manager_request_stop(manager_find("a"));
        sim_settle();
        expect_kill(&c, -pid, SIGTERM, 5 * SEC);
        sim_advance_to(100 * SEC);
        sim_check(count_spawns(&c, "/bin/a") == 0, "restarted after a requested stop");
        expect_state("a", "dead");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(restart_sec_delays_the_restart_exactly),
                cmocka_unit_test(restart_sec_default_is_100ms),
                cmocka_unit_test(restart_sec_zero_restarts_at_the_same_instant),
                cmocka_unit_test(restart_backoff_grows_geometrically_to_the_cap),
                cmocka_unit_test(restart_backoff_exact_intermediate_delays),
                cmocka_unit_test(restart_backoff_without_steps_stays_at_restart_sec),
                cmocka_unit_test(restart_backoff_resets_after_a_requested_start),
                cmocka_unit_test(restart_sec_ignores_a_realtime_clock_jump_forward),
                cmocka_unit_test(restart_sec_ignores_a_realtime_clock_jump_backward),
                cmocka_unit_test(restart_sec_armed_after_a_realtime_jump_backward_is_exact),
                cmocka_unit_test(restart_sec_armed_after_a_realtime_jump_forward_is_exact),
                cmocka_unit_test(start_limit_refuses_one_usec_before_the_window_ends),
                cmocka_unit_test(start_limit_allows_exactly_at_the_window_end),
                cmocka_unit_test(start_limit_allows_one_usec_after_the_window_end),
                cmocka_unit_test(start_limit_burst_counts_every_start),
                cmocka_unit_test(start_limit_legacy_service_keys_mean_the_same),
                cmocka_unit_test(start_limit_legacy_service_interval_ends_the_window_as_the_unit_key),
                cmocka_unit_test(start_limit_interval_zero_disables_the_limit),
                cmocka_unit_test(restart_on_failure_restarts_after_a_failure_exit),
                cmocka_unit_test(restart_on_failure_does_not_restart_after_exit_0),
                cmocka_unit_test(restart_no_never_restarts),
                cmocka_unit_test(restart_on_success_restarts_after_exit_0_only),
                cmocka_unit_test(restart_on_abnormal_restarts_after_a_signal_not_an_exit_code),
                cmocka_unit_test(restart_prevent_exit_status_blocks_the_restart),
                cmocka_unit_test(restart_never_after_a_requested_stop),
        };
        return cmocka_run_group_tests_name("sim_restart", tests, NULL, NULL);
}
