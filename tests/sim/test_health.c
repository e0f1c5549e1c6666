/* SPDX-License-Identifier: MIT */
/* Health probes ([X-Vigil], docs/DESIGN.md "Health probes"): every timing
 * rule of unit/probe_schedule.h through the real unit module, with
 * HealthExec= probes (/bin/p) as fake processes. The first probe runs one
 * interval after the main process starts, the next one interval after the
 * previous one ended; HealthTimeout= kills the probe's group; failures
 * inside HealthStartPeriod= before a success are not counted (probes at
 * HealthStartInterval= there); HealthRetries= failures in a row stop the
 * unit with KillSignal= and the result watchdog; the first success makes
 * the unit ready (its After= dependent starts then, not before); never two
 * probes at once; no timer but the next probe's. */
#include "sim.h"

#include "supervise/manager.h"
#include "system/end_action.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define PROBED "[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/p\nHealthInterval=10\nHealthTimeout=3\n"

static pid_t boot_one(struct sim_cursor *c, const char *text) {
        sim_unit("a", text);
        sim_boot_default();
        return expect_spawn(c, "/bin/a", 0);
}

/* The probe spawned at t ends with code at end (> t). */
static pid_t probe_run(struct sim_cursor *c, uint64_t t, uint64_t end, int code) {
        sim_advance_to(t);
        pid_t p = expect_spawn(c, "/bin/p", t);
        sim_advance_to(end);
        sim_exit(p, code);
        return p;
}

SIM_SCENARIO(health_first_probe_one_interval_after_start_then_one_interval_after_each_end) {
        struct sim_cursor c = { 0 };
        boot_one(&c, PROBED);
        sim_advance_to(10 * SEC - 1);
        sim_check(count_spawns(&c, "/bin/p") == 0, "probed before HealthInterval=");
        probe_run(&c, 10 * SEC, 12 * SEC, 0);          /* ran 2 s */
        sim_advance_to(22 * SEC - 1);
        sim_check(count_spawns(&c, "/bin/p") == 0, "the interval counted from the probe's start");
        probe_run(&c, 22 * SEC, 22 * SEC + 500 * MSEC, 0);
        sim_advance_to(32 * SEC + 500 * MSEC);
        expect_spawn(&c, "/bin/p", 32 * SEC + 500 * MSEC);
}

SIM_SCENARIO(health_unit_is_activating_until_the_first_success_and_gates_after) {
        struct sim_cursor c = { 0 };
        sim_unit("b", "[Unit]\nAfter=a.service\n[Service]\nExecStart=/bin/b\n");
        boot_one(&c, PROBED "HealthRetries=5\n");
        expect_state("a", "start");
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 1);      /* a failure: still starting */
        expect_state("a", "start");
        sim_check(count_spawns(&c, "/bin/b") == 0, "b started before a was healthy");
        probe_run(&c, 20 * SEC + 1, 20 * SEC + 2, 0);
        expect_state("a", "running");
        expect_spawn(&c, "/bin/b", 20 * SEC + 2);
}

SIM_SCENARIO(health_probe_killed_with_its_group_at_health_timeout) {
        struct sim_cursor c = { 0 };
        boot_one(&c, PROBED);
        sim_advance_to(10 * SEC);
        pid_t p = expect_spawn(&c, "/bin/p", 10 * SEC);
        sim_advance_to(13 * SEC - 1);
        sim_check(count_kills(&c, -p, SIGKILL) == 0, "killed before HealthTimeout=");
        sim_advance_to(13 * SEC);
        expect_kill(&c, -p, SIGKILL, 13 * SEC);
        sim_check(!sim_alive(p), "the probe survived");
        sim_check(sim_log_has("health probe failed (1 of HealthRetries=3): timed out after 3s"), "no failure counted");
        sim_advance_to(23 * SEC);
        expect_spawn(&c, "/bin/p", 23 * SEC);
}

SIM_SCENARIO(health_never_two_probes_at_once_when_the_timeout_exceeds_the_interval) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/p\nHealthInterval=2\n"
                     "HealthTimeout=5\nHealthRetries=100\n");
        sim_advance_to(2 * SEC);
        pid_t p = expect_spawn(&c, "/bin/p", 2 * SEC);
        sim_advance_to(7 * SEC - 1);
        sim_check(count_spawns(&c, "/bin/p") == 0, "a second probe while the first runs");
        sim_advance_to(7 * SEC);
        expect_kill(&c, -p, SIGKILL, 7 * SEC);
        sim_advance_to(9 * SEC);
        expect_spawn(&c, "/bin/p", 9 * SEC);
}

SIM_SCENARIO(health_retries_failures_in_a_row_stop_with_kill_signal_and_result_watchdog) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, PROBED "HealthRetries=3\n");
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 0);        /* ready */
        probe_run(&c, 20 * SEC + 1, 20 * SEC + 2, 1);    /* 1 */
        probe_run(&c, 30 * SEC + 2, 30 * SEC + 3, 0);    /* a success resets the count */
        probe_run(&c, 40 * SEC + 3, 40 * SEC + 4, 1);    /* 1 */
        probe_run(&c, 50 * SEC + 4, 50 * SEC + 5, 2);    /* 2 */
        sim_check(count_kills(&c, -a, SIGTERM) == 0, "stopped before HealthRetries=");
        probe_run(&c, 60 * SEC + 5, 60 * SEC + 6, 1);    /* 3: unhealthy */
        expect_kill(&c, -a, SIGTERM, 60 * SEC + 6);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -a, SIGABRT) == 0, "WatchdogSignal= for a probe failure");
        expect_state("a", "failed");
        sim_check(sim_log_has("failed with result watchdog"), "result is not watchdog");
        sim_advance_to(200 * SEC);
        sim_check(count_spawns(&c, "/bin/p") == 0, "probed a failed unit");
}

SIM_SCENARIO(health_unhealthy_with_restart_on_watchdog_restarts_and_probes_afresh) {
        struct sim_cursor c = { 0 };
        boot_one(&c, "[Service]\nExecStart=/bin/a\nRestart=on-watchdog\nRestartSec=2\n[X-Vigil]\nHealthExec=/bin/p\n"
                     "HealthInterval=10\nHealthTimeout=3\nHealthRetries=1\n");
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 0);
        probe_run(&c, 20 * SEC + 1, 20 * SEC + 2, 1);    /* unhealthy: SIGTERM, dies */
        expect_state("a", "auto-restart");
        sim_advance_to(22 * SEC + 2);
        expect_spawn(&c, "/bin/a", 22 * SEC + 2);
        expect_state("a", "start");
        sim_advance_to(32 * SEC + 2);
        expect_spawn(&c, "/bin/p", 32 * SEC + 2);
}

SIM_SCENARIO(health_unhealthy_before_ready_fails_the_start) {
        struct sim_cursor c = { 0 };
        sim_unit("b", "[Unit]\nAfter=a.service\nRequires=a.service\n[Service]\nExecStart=/bin/b\n");
        pid_t a = boot_one(&c, PROBED "HealthRetries=2\n");
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 1);
        probe_run(&c, 20 * SEC + 1, 20 * SEC + 2, 1);
        expect_kill(&c, -a, SIGTERM, 20 * SEC + 2);
        expect_state("a", "failed");
        sim_check(count_spawns(&(struct sim_cursor){ 0 }, "/bin/b") == 0, "b started although a never was healthy");
}

#define PERIOD "[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/p\nHealthInterval=10\nHealthTimeout=3\n" \
               "HealthStartPeriod=12\nHealthStartInterval=4\nHealthRetries=2\n"

SIM_SCENARIO(health_start_period_failures_not_counted_and_probed_at_start_interval) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, PERIOD);
        probe_run(&c, 4 * SEC, 4 * SEC + 1, 1);          /* inside: not counted */
        probe_run(&c, 8 * SEC + 1, 8 * SEC + 2, 1);      /* inside: not counted */
        sim_check(sim_log_has("not counted"), "start-period failure counted");
        /* 12 s: began at the end of the period, so it counts (1 of 2). */
        probe_run(&c, 12 * SEC + 2, 12 * SEC + 3, 1);
        sim_check(count_kills(&c, -a, SIGTERM) == 0, "unhealthy after one counted failure");
        /* Past the period: HealthInterval= again. */
        sim_advance_to(22 * SEC + 2);
        sim_check(count_spawns(&c, "/bin/p") == 0, "HealthStartInterval= used past the start period");
        probe_run(&c, 22 * SEC + 3, 22 * SEC + 4, 1);    /* 2 of 2 */
        expect_kill(&c, -a, SIGTERM, 22 * SEC + 4);
}

SIM_SCENARIO(health_success_inside_the_start_period_ends_it) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, PERIOD);
        probe_run(&c, 4 * SEC, 4 * SEC + 1, 0);          /* ready: the period is over */
        expect_state("a", "running");
        sim_advance_to(8 * SEC + 1);
        sim_check(count_spawns(&c, "/bin/p") == 0, "HealthStartInterval= after the first success");
        probe_run(&c, 14 * SEC + 1, 14 * SEC + 2, 1);    /* counted at once: 1 of 2 */
        probe_run(&c, 24 * SEC + 2, 24 * SEC + 3, 1);    /* 2 of 2 */
        expect_kill(&c, -a, SIGTERM, 24 * SEC + 3);
}

SIM_SCENARIO(health_no_timer_but_the_next_probe_and_none_without_a_probe) {
        struct sim_cursor c = { 0 };
        boot_one(&c, PROBED);
        sim_check(sim_timer_deadline() == SIM_T0 + 10 * SEC, "armed for %llu, not the first probe",
                  (unsigned long long)(sim_timer_deadline() - SIM_T0));
        sim_advance_to(10 * SEC);
        sim_check(sim_timer_deadline() == SIM_T0 + 13 * SEC, "not the probe's timeout");
        sim_advance_to(11 * SEC);
        sim_exit(expect_spawn(&c, "/bin/p", 10 * SEC), 0);
        /* Ready: the start timeout is gone; only the next probe is due. */
        sim_check(sim_timer_deadline() == SIM_T0 + 21 * SEC, "armed for %llu, not the next probe",
                  (unsigned long long)(sim_timer_deadline() - SIM_T0));
}

SIM_SCENARIO(health_stop_abandons_the_running_probe) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, PROBED);
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 0);
        sim_advance_to(20 * SEC + 1);
        pid_t p = expect_spawn(&c, "/bin/p", 20 * SEC + 1);
        manager_request_stop(manager_find("a"));
        sim_settle();
        expect_kill(&c, -p, SIGKILL, 20 * SEC + 1);
        (void)a;
        expect_state("a", "dead");
        sim_advance_to(100 * SEC);
        sim_check(count_spawns(&c, "/bin/p") == 0, "probed a stopped unit");
}

SIM_SCENARIO(health_type_notify_is_ready_at_ready_and_the_first_success) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, "[Service]\nType=notify\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/p\n"
                               "HealthInterval=10\n");
        sim_notify(a, "READY=1");
        expect_state("a", "start");   /* READY=1 held until the probe passes */
        probe_run(&c, 10 * SEC, 10 * SEC + 1, 0);
        expect_state("a", "running");
}

#define CRITICAL "[Unit]\nFailureAction=reboot\n[Service]\nExecStart=/bin/sick\n[X-Vigil]\nHealthExec=/bin/p\n" \
                 "HealthInterval=5\nHealthTimeout=2\nHealthRetries=2\n"

SIM_SCENARIO(health_critical_unit_probe_failure_stops_the_hardware_watchdog_pets) {
        sim_unit("sick", CRITICAL);
        struct sim_options o = { .system_mode = true, .hw_watchdog_usec = 20 * SEC, .hw_reboot_usec = 60 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/sick", 0);
        probe_run(&c, 5 * SEC, 5 * SEC + 1, 0);
        probe_run(&c, 10 * SEC + 1, 10 * SEC + 2, 1);
        probe_run(&c, 15 * SEC + 2, 15 * SEC + 3, 1);
        expect_kill(&c, -pid, SIGTERM, 15 * SEC + 3);
        sim_advance_to(200 * SEC);
        sim_check(last_pet() <= 15 * SEC + 3, "petted after the probe failure (last pet at %llu)",
                  (unsigned long long)last_pet());
        sim_check(count_pets_between(0, 15 * SEC) >= 2, "never petted while healthy");
        expect_exit(&c, 0, SIM_ANY_T);
}

SIM_SCENARIO(health_probe_vigil_cannot_fork_is_not_counted_against_the_service) {
        struct sim_cursor c = { 0 };
        pid_t a = boot_one(&c, PROBED "HealthRetries=1\n");
        sim_advance_to(10 * SEC - 1);
        sim.spawn_error = -EAGAIN;   /* vigil's own fork fails: not the service's fault */
        sim_advance_to(10 * SEC);
        sim_check(sim_log_has("health probe not run"), "no word of the skipped probe");
        sim_check(count_kills(&c, -a, SIGTERM) == 0, "a fork failure made the unit unhealthy");
        expect_state("a", "start");
        probe_run(&c, 20 * SEC, 20 * SEC + 1, 0);      /* tried again one interval later */
        expect_state("a", "running");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(health_first_probe_one_interval_after_start_then_one_interval_after_each_end),
                cmocka_unit_test(health_unit_is_activating_until_the_first_success_and_gates_after),
                cmocka_unit_test(health_probe_killed_with_its_group_at_health_timeout),
                cmocka_unit_test(health_never_two_probes_at_once_when_the_timeout_exceeds_the_interval),
                cmocka_unit_test(health_retries_failures_in_a_row_stop_with_kill_signal_and_result_watchdog),
                cmocka_unit_test(health_unhealthy_with_restart_on_watchdog_restarts_and_probes_afresh),
                cmocka_unit_test(health_unhealthy_before_ready_fails_the_start),
                cmocka_unit_test(health_start_period_failures_not_counted_and_probed_at_start_interval),
                cmocka_unit_test(health_success_inside_the_start_period_ends_it),
                cmocka_unit_test(health_no_timer_but_the_next_probe_and_none_without_a_probe),
                cmocka_unit_test(health_stop_abandons_the_running_probe),
                cmocka_unit_test(health_type_notify_is_ready_at_ready_and_the_first_success),
                cmocka_unit_test(health_critical_unit_probe_failure_stops_the_hardware_watchdog_pets),
                cmocka_unit_test(health_probe_vigil_cannot_fork_is_not_counted_against_the_service),
        };
        return cmocka_run_group_tests_name("sim_health", tests, NULL, NULL);
}
