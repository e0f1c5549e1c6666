/* SPDX-License-Identifier: MIT */
/* Stop and start timeouts (SPEC §4): SIGTERM, SIGKILL after TimeoutStopSec=
 * (never sooner; never with SendSIGKILL=no), TimeoutStartSec=, and
 * EXTEND_TIMEOUT_USEC= (SPEC §5). */
#include "sim.h"

#include "supervise/manager.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void stop_unit(const char *name) {
        manager_request_stop(manager_find(name));
        sim_settle();
}

/* A unit that catches SIGTERM, up at t=0, stopped at t=10 s. */
static pid_t stubborn_stopped_at_10(struct sim_cursor *c, const char *text) {
        sim_unit("a", text);
        sim_boot_default();
        pid_t pid = expect_spawn(c, "/bin/a", 0);
        sim_handle(pid, SIGTERM);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(c, -pid, SIGTERM, 10 * SEC);
        return pid;
}

SIM_SCENARIO(stop_timeout_sends_sigkill_exactly_at_timeout_stop_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = stubborn_stopped_at_10(&c, "[Service]\nExecStart=/bin/a\nTimeoutStopSec=7\n");
        sim_advance_to(17 * SEC);
        expect_kill(&c, -pid, SIGKILL, 17 * SEC);
        sim_check(!sim_alive(pid), "SIGKILL did not end it");
}

SIM_SCENARIO(stop_timeout_no_sigkill_one_usec_before_timeout_stop_sec) {
        struct sim_cursor c = { 0 };
        pid_t pid = stubborn_stopped_at_10(&c, "[Service]\nExecStart=/bin/a\nTimeoutStopSec=7\n");
        sim_advance_to(17 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL before TimeoutStopSec=");
        expect_state("a", "stop-sigterm");
}

SIM_SCENARIO(stop_timeout_default_is_the_managers_default) {
        struct sim_cursor c = { 0 };
        pid_t pid = stubborn_stopped_at_10(&c, "[Service]\nExecStart=/bin/a\n");
        sim_advance_to(100 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL before the default 90 s");
        sim_advance_to(100 * SEC);
        expect_kill(&c, -pid, SIGKILL, 100 * SEC);
}

SIM_SCENARIO(stop_timeout_timeoutsec_sets_the_stop_timeout) {
        struct sim_cursor c = { 0 };
        pid_t pid = stubborn_stopped_at_10(&c, "[Service]\nExecStart=/bin/a\nTimeoutSec=3\n");
        sim_advance_to(20 * SEC);
        expect_kill(&c, -pid, SIGKILL, 13 * SEC);
}

SIM_SCENARIO(stop_timeout_sendsigkill_no_never_sends_sigkill) {
        struct sim_cursor c = { 0 };
        pid_t pid = stubborn_stopped_at_10(&c, "[Service]\nExecStart=/bin/a\nTimeoutStopSec=2\nSendSIGKILL=no\n");
        sim_advance_to(600 * SEC);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL with SendSIGKILL=no");
}

SIM_SCENARIO(stop_timeout_not_reached_when_the_process_exits_on_sigterm) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=7\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(&c, -pid, SIGTERM, 10 * SEC);
        sim_advance_to(60 * SEC);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL after a clean stop");
        expect_state("a", "dead");
}

SIM_SCENARIO(stop_timeout_killsignal_replaces_sigterm) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nKillSignal=SIGINT\nTimeoutStopSec=4\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_handle(pid, SIGINT);
        stop_unit("a");
        expect_kill(&c, -pid, SIGINT, 0);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -pid, SIGTERM) == 0, "SIGTERM despite KillSignal=");
        sim_advance_to(4 * SEC);
        expect_kill(&c, -pid, SIGKILL, 4 * SEC);
}

SIM_SCENARIO(stop_timeout_waits_for_helpers_of_the_group_then_sigkill) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        pid_t helper = sim_fork(pid);
        sim_handle(helper, SIGTERM);
        stop_unit("a");
        expect_kill(&c, -pid, SIGTERM, 0);
        sim_check(!sim_alive(pid) && sim_alive(helper), "main gone, helper left");
        expect_state("a", "stop-sigterm");
        sim_advance_to(5 * SEC);
        expect_kill(&c, -pid, SIGKILL, 5 * SEC);
        sim_check(!sim_alive(helper), "the helper survived SIGKILL");
}

SIM_SCENARIO(stop_completes_when_the_process_group_becomes_empty) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        pid_t helper = sim_fork(pid);
        sim_handle(helper, SIGTERM);
        stop_unit("a");
        sim_advance_to(2 * SEC);
        expect_state("a", "stop-sigterm");
        sim_group_empty(pid);
        expect_state("a", "dead");
        sim_advance_to(10 * SEC);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL after all-gone");
}

SIM_SCENARIO(start_timeout_kills_a_notify_unit_without_ready_at_timeout_start_sec) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStartSec=5\nTimeoutStopSec=3\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_handle(pid, SIGTERM);
        sim_advance_to(5 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGTERM) == 0, "start timeout too early");
        sim_advance_to(5 * SEC);
        expect_kill(&c, -pid, SIGTERM, 5 * SEC);
        sim_advance_to(8 * SEC);
        expect_kill(&c, -pid, SIGKILL, 8 * SEC);
        expect_state("a", "failed");
}

SIM_SCENARIO(start_timeout_ready_in_time_keeps_the_unit) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStartSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(5 * SEC - 1);
        sim_notify(pid, "READY=1");
        expect_state("a", "running");
        sim_advance_to(60 * SEC);
        sim_check(count_kills(&c, -pid, SIGTERM) == 0, "killed although READY=1 came in time");
}

SIM_SCENARIO(start_timeout_extend_timeout_usec_moves_the_deadline) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStartSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(4 * SEC);
        sim_notify(pid, "EXTEND_TIMEOUT_USEC=10000000");
        sim_advance_to(14 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGTERM) == 0, "killed inside the extension");
        expect_state("a", "start");
        sim_advance_to(14 * SEC);
        expect_kill(&c, -pid, SIGTERM, 14 * SEC);
}

SIM_SCENARIO(start_timeout_extend_timeout_usec_then_ready_is_active) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStartSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(4 * SEC);
        sim_notify(pid, "EXTEND_TIMEOUT_USEC=10000000");
        sim_advance_to(12 * SEC);
        sim_notify(pid, "READY=1");
        expect_state("a", "running");
        sim_advance_to(100 * SEC);
        sim_check(count_kills(&c, -pid, SIGTERM) == 0, "killed after READY=1");
}

SIM_SCENARIO(start_timeout_extend_shorter_than_the_timeout_does_not_shorten_it) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStartSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(1 * SEC);
        sim_notify(pid, "EXTEND_TIMEOUT_USEC=1000000");
        sim_advance_to(5 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGTERM) == 0, "EXTEND_TIMEOUT_USEC= shortened the start timeout");
        sim_advance_to(5 * SEC);
        expect_kill(&c, -pid, SIGTERM, 5 * SEC);
}

SIM_SCENARIO(stop_timeout_extend_timeout_usec_delays_sigkill) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\nTimeoutStopSec=5\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t pid = expect_spawn(&c, "/bin/a", 0);
        sim_notify(pid, "READY=1");
        sim_handle(pid, SIGTERM);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(&c, -pid, SIGTERM, 10 * SEC);
        sim_advance_to(14 * SEC);
        sim_notify(pid, "EXTEND_TIMEOUT_USEC=20000000");
        sim_advance_to(34 * SEC - 1);
        sim_check(count_kills(&c, -pid, SIGKILL) == 0, "SIGKILL inside the extension");
        sim_advance_to(34 * SEC);
        expect_kill(&c, -pid, SIGKILL, 34 * SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stop_timeout_sends_sigkill_exactly_at_timeout_stop_sec),
                cmocka_unit_test(stop_timeout_no_sigkill_one_usec_before_timeout_stop_sec),
                cmocka_unit_test(stop_timeout_default_is_the_managers_default),
                cmocka_unit_test(stop_timeout_timeoutsec_sets_the_stop_timeout),
                cmocka_unit_test(stop_timeout_sendsigkill_no_never_sends_sigkill),
                cmocka_unit_test(stop_timeout_not_reached_when_the_process_exits_on_sigterm),
                cmocka_unit_test(stop_timeout_killsignal_replaces_sigterm),
                cmocka_unit_test(stop_timeout_waits_for_helpers_of_the_group_then_sigkill),
                cmocka_unit_test(stop_completes_when_the_process_group_becomes_empty),
                cmocka_unit_test(start_timeout_kills_a_notify_unit_without_ready_at_timeout_start_sec),
                cmocka_unit_test(start_timeout_ready_in_time_keeps_the_unit),
                cmocka_unit_test(start_timeout_extend_timeout_usec_moves_the_deadline),
                cmocka_unit_test(start_timeout_extend_timeout_usec_then_ready_is_active),
                cmocka_unit_test(start_timeout_extend_shorter_than_the_timeout_does_not_shorten_it),
                cmocka_unit_test(stop_timeout_extend_timeout_usec_delays_sigkill),
        };
        return cmocka_run_group_tests_name("sim_stop", tests, NULL, NULL);
}
