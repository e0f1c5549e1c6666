/* SPDX-License-Identifier: MIT */
/* The software watchdog (SPEC §5): WatchdogSec= without WATCHDOG=1 sends
 * WatchdogSignal= (SIGABRT), then SIGKILL after TimeoutStopSec=; each
 * WATCHDOG=1 moves the deadline; WATCHDOG_USEC= replaces WatchdogSec=. */
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

#define WD "[Service]\nExecStart=/bin/a\nWatchdogSec=10\nTimeoutStopSec=4\n"

SIM_SCENARIO(watchdog_miss_sends_watchdog_signal_exactly_at_watchdog_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_advance_to(10 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGABRT) == 0, "watchdog fired early");
        sim_advance_to(10 * SEC);
        expect_kill(&c, -pid, SIGABRT, 10 * SEC);
}

SIM_SCENARIO(watchdog_miss_then_sigkill_after_timeout_stop_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_handle(pid, SIGABRT);
        sim_advance_to(14 * SEC - 1);
        expect_kill(&c, -pid, SIGABRT, 10 * SEC);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL before TimeoutStopSec=");
        sim_advance_to(14 * SEC);
        expect_kill(&c, -pid, SIGKILL, 14 * SEC);
        expect_state("a", "failed");
}

SIM_SCENARIO(watchdog_signal_option_replaces_sigabrt) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD "WatchdogSignal=SIGUSR2\n");
        sim_handle(pid, SIGUSR2);
        sim_advance_to(10 * SEC);
        expect_kill(&c, -pid, SIGUSR2, 10 * SEC);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -pid, SIGABRT) == 0, "SIGABRT despite WatchdogSignal=");
        sim_advance_to(14 * SEC);
        expect_kill(&c, -pid, SIGKILL, 14 * SEC);
}

SIM_SCENARIO(watchdog_pings_keep_the_unit_alive) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        for (int i = 1; i <= 20; i++) {
                sim_advance_to((uint64_t)i * 9 * SEC);
                sim_notify(pid, "WATCHDOG=1");
        }
        sim_check(count_kills(&c, -pid, SIGABRT) == 0, "killed although it pinged");
        expect_state("a", "running");
}

SIM_SCENARIO(watchdog_deadline_counts_from_the_last_ping) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_advance_to(7 * SEC);
        sim_notify(pid, "WATCHDOG=1");
        sim_advance_to(17 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGABRT) == 0, "deadline not moved by the ping");
        sim_advance_to(17 * SEC);
        expect_kill(&c, -pid, SIGABRT, 17 * SEC);
}

SIM_SCENARIO(watchdog_ping_from_another_process_is_not_counted) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        pid_t helper = sim_fork(pid);
        sim_advance_to(7 * SEC);
        sim_notify(helper, "WATCHDOG=1"); /* NotifyAccess=main: only the main process counts */
        sim_advance_to(10 * SEC);
        expect_kill(&c, -pid, SIGABRT, 10 * SEC);
}

SIM_SCENARIO(watchdog_usec_from_the_service_replaces_watchdog_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_advance_to(1 * SEC);
        sim_notify(pid, "WATCHDOG_USEC=3000000");
        sim_advance_to(4 * SEC);
        expect_kill(&c, -pid, SIGABRT, 4 * SEC);
}

SIM_SCENARIO(watchdog_usec_zero_turns_the_watchdog_off) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_advance_to(1 * SEC);
        sim_notify(pid, "WATCHDOG_USEC=0");
        sim_advance_to(300 * SEC);
        sim_check(count_kills(&c, -pid, SIGABRT) == 0, "watchdog fired although turned off");
}

SIM_SCENARIO(watchdog_trigger_acts_as_a_miss_at_once) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD);
        sim_advance_to(2 * SEC);
        sim_notify(pid, "WATCHDOG=trigger");
        expect_kill(&c, -pid, SIGABRT, 2 * SEC);
}

SIM_SCENARIO(watchdog_miss_with_restart_on_watchdog_restarts_after_restart_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, WD "Restart=on-watchdog\nRestartSec=3\n");
        sim_advance_to(10 * SEC);
        expect_kill(&c, -pid, SIGABRT, 10 * SEC);
        sim_advance_to(13 * SEC);
        expect_spawn(&c, "/bin/a", 13 * SEC);
}

SIM_SCENARIO(watchdog_not_armed_before_ready_for_notify_units) {
        struct sim_cursor c = { 0 };
        pid_t pid = boot_one(&c, "[Service]\nType=notify\nExecStart=/bin/a\nWatchdogSec=10\nTimeoutStartSec=60\n");
        sim_advance_to(30 * SEC);
        sim_check(count_kills(&c, -pid, SIGABRT) == 0, "watchdog armed during start");
        sim_notify(pid, "READY=1");
        sim_advance_to(40 * SEC);
        expect_kill(&c, -pid, SIGABRT, 40 * SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(watchdog_miss_sends_watchdog_signal_exactly_at_watchdog_sec),
                cmocka_unit_test(watchdog_miss_then_sigkill_after_timeout_stop_sec),
                cmocka_unit_test(watchdog_signal_option_replaces_sigabrt),
                cmocka_unit_test(watchdog_pings_keep_the_unit_alive),
                cmocka_unit_test(watchdog_deadline_counts_from_the_last_ping),
                cmocka_unit_test(watchdog_ping_from_another_process_is_not_counted),
                cmocka_unit_test(watchdog_usec_from_the_service_replaces_watchdog_sec),
                cmocka_unit_test(watchdog_usec_zero_turns_the_watchdog_off),
                cmocka_unit_test(watchdog_trigger_acts_as_a_miss_at_once),
                cmocka_unit_test(watchdog_miss_with_restart_on_watchdog_restarts_after_restart_sec),
                cmocka_unit_test(watchdog_not_armed_before_ready_for_notify_units),
        };
        return cmocka_run_group_tests_name("sim_watchdog", tests, NULL, NULL);
}
