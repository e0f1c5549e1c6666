/* SPDX-License-Identifier: MIT */
/* vigil as a client of the outer manager (issue 14): WATCHDOG=1 at half of
 * an inherited WATCHDOG_USEC, to the microsecond, only when WATCHDOG_PID is
 * unset or vigil; READY=1 only once a Type=notify unit is ready; STOPPING=1
 * once, when the stop begins. */
#include "sim.h"

#include "notify/outer_notify.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

/* Datagrams to the outer manager that start with prefix, from the cursor on. */
static size_t count_outer(size_t from, const char *prefix, uint64_t *first_t, uint64_t *last_t) {
        size_t n = 0;
        for (size_t i = from; i < sim.n_events; i++) {
                const struct sim_event *e = &sim.events[i];
                if (e->kind != SIM_EV_OUTER_NOTIFY || strncmp(e->what, prefix, strlen(prefix)) != 0)
                        continue;
                if (n == 0 && first_t)
                        *first_t = e->t;
                if (last_t)
                        *last_t = e->t;
                n++;
        }
        return n;
}

static void outer_init(const char *usec, const char *pid) {
        struct outer_notify_env env = { .notify_socket = "@outer", .watchdog_usec = usec, .watchdog_pid = pid };
        outer_notify_init(&env, 100);  /* vigil is pid 100 in the sim */
}

SIM_SCENARIO(outer_watchdog_pings_every_half_period) {
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init("2000000", NULL);
        sim_advance_to(1 * SEC - 1);
        sim_check(count_outer(from, "WATCHDOG=1", NULL, NULL) == 0, "a ping before half the period");
        uint64_t first = 0, last = 0;
        sim_advance_to(10 * SEC);
        size_t n = count_outer(from, "WATCHDOG=1", &first, &last);
        sim_check(n == 10 && first == 1 * SEC && last == 10 * SEC, "%zu pings, first at %llu, last at %llu", n,
                  (unsigned long long)first, (unsigned long long)last);
}

SIM_SCENARIO(outer_watchdog_pid_of_vigil_pings) {
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init("1000000", "100");
        sim_advance_to(2 * SEC);
        sim_check(count_outer(from, "WATCHDOG=1", NULL, NULL) == 4, "WATCHDOG_PID=vigil: every 0.5 s");
}

SIM_SCENARIO(outer_watchdog_pid_of_another_process_is_silent) {
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init("1000000", "4242");
        sim_advance_to(10 * SEC);
        sim_check(count_outer(from, "WATCHDOG=1", NULL, NULL) == 0, "pinged for another process's watchdog");
}

SIM_SCENARIO(outer_watchdog_infinity_or_garbage_is_silent) {
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init("18446744073709551615", NULL);
        outer_notify_free();
        outer_init("12x", NULL);
        outer_notify_free();
        outer_init("0", NULL);
        sim_advance_to(100 * SEC);
        sim_check(count_outer(from, "WATCHDOG=1", NULL, NULL) == 0, "pings for an infinite or bad WATCHDOG_USEC");
}

SIM_SCENARIO(outer_ready_only_after_the_notify_unit_then_stopping_once) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\n");
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init(NULL, NULL);
        pid_t pid = sim_pid("/bin/a");
        sim_advance_to(5 * SEC);
        sim_check(count_outer(from, "READY=1", NULL, NULL) == 0, "READY=1 before the unit was ready");
        sim_notify(pid, "READY=1");
        uint64_t t = 0;
        sim_check(count_outer(from, "READY=1\nSTATUS=1 unit running", &t, NULL) == 1 && t == 5 * SEC,
                  "READY=1 with the status when the unit is ready");
        sim_signal(SIGTERM);
        sim_signal(SIGTERM);
        sim_check(count_outer(from, "STOPPING=1\nSTATUS=stopping", NULL, NULL) == 1, "STOPPING=1 once");
        sim_check(count_outer(from, "READY=1", NULL, NULL) == 1, "READY=1 more than once");
}

/* A unit with a health probe (issue 17): READY=1 to the outer manager only
 * once the probe first passed, not at the fork. */
SIM_SCENARIO(outer_ready_only_after_the_probed_units_first_success) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/p\nHealthInterval=2\n");
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init(NULL, NULL);
        sim_advance_to(2 * SEC);
        pid_t p = sim_pid("/bin/p");
        sim_advance_to(3 * SEC);
        sim_check(count_outer(from, "READY=1", NULL, NULL) == 0, "READY=1 before the probe passed");
        sim_exit(p, 0);
        uint64_t t = 0;
        sim_check(count_outer(from, "READY=1", &t, NULL) == 1 && t == 3 * SEC, "READY=1 at the first success");
}

/* A refused READY=1 (a full socket) is sent again every second, until it
 * gets through; for a minute at most. */
static pid_t ready_refused(size_t *from) {
        sim_unit("a", "[Service]\nType=notify\nExecStart=/bin/a\n");
        sim_boot_default();
        *from = sim.n_events;
        outer_init(NULL, NULL);
        pid_t pid = sim_pid("/bin/a");
        sim_advance_to(5 * SEC);
        sim.outer_error = -EAGAIN;
        sim_notify(pid, "READY=1");
        return pid;
}

SIM_SCENARIO(outer_refused_ready_is_sent_again_each_second) {
        size_t from;
        ready_refused(&from);
        sim_advance_to(7 * SEC + 500 * MSEC);
        sim_check(count_outer(from, "READY=1", NULL, NULL) == 0, "delivered while refused");
        sim.outer_error = 0;
        uint64_t t = 0;
        sim_advance_to(20 * SEC);
        sim_check(count_outer(from, "READY=1", &t, NULL) == 1 && t == 8 * SEC, "READY=1 again at 8 s, once (at %llu)",
                  (unsigned long long)t);
}

SIM_SCENARIO(outer_refused_ready_is_given_up_after_a_minute) {
        size_t from;
        ready_refused(&from);
        sim_advance_to(70 * SEC);
        sim.outer_error = 0;
        sim_advance_to(200 * SEC);
        sim_check(count_outer(from, "READY=1", NULL, NULL) == 0, "still retrying after a minute");
}

/* One client socket for the run, not one per datagram. */
SIM_SCENARIO(outer_one_socket_for_every_datagram) {
        sim_boot_default();
        size_t from = sim.n_events;
        outer_init("1000000", NULL);
        sim_advance_to(10 * SEC);
        sim_check(count_outer(from, "WATCHDOG=1", NULL, NULL) >= 18, "the pings did not go out");
        sim_check(sim.outer_opens == 1, "%u sockets opened for the pings, not one", sim.outer_opens);
}

/* A socket that fails by itself is replaced and the ping sent at once
 * from the new one (no gap, no warning); a receiver that is not there does
 * not cost a new socket. */
SIM_SCENARIO(outer_a_failing_socket_is_replaced_and_the_datagram_sent_at_once) {
        sim_boot_default();
        outer_init("1000000", NULL);
        sim_advance_to(2 * SEC);
        sim.outer_broken_fd = sim.outer_client_fd;
        size_t from = sim.n_events;
        sim_advance_to(2 * SEC + 500 * MSEC);
        uint64_t t = 0;
        sim_check(count_outer(from, "WATCHDOG=1", &t, NULL) == 1 && t == 2 * SEC + 500 * MSEC,
                  "the ping after the socket broke was not sent at once");
        sim_check(sim.outer_opens == 2, "%u sockets opened, want the first and one replacement", sim.outer_opens);
        sim_check(!sim_log_has("cannot tell the outer manager"), "a replaced socket was reported as a failure");
        sim.outer_error = -ECONNREFUSED;
        sim_advance_to(5 * SEC);
        sim.outer_error = 0;
        sim_advance_to(6 * SEC);
        sim_check(sim.outer_opens == 2, "nobody listening cost %u sockets", sim.outer_opens);
        sim_check(sim_log_has("cannot tell the outer manager"), "the refused pings were not reported");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(outer_one_socket_for_every_datagram),
                cmocka_unit_test(outer_a_failing_socket_is_replaced_and_the_datagram_sent_at_once),
                cmocka_unit_test(outer_watchdog_pings_every_half_period),
                cmocka_unit_test(outer_ready_only_after_the_probed_units_first_success),
                cmocka_unit_test(outer_watchdog_pid_of_vigil_pings),
                cmocka_unit_test(outer_watchdog_pid_of_another_process_is_silent),
                cmocka_unit_test(outer_watchdog_infinity_or_garbage_is_silent),
                cmocka_unit_test(outer_refused_ready_is_sent_again_each_second),
                cmocka_unit_test(outer_refused_ready_is_given_up_after_a_minute),
                cmocka_unit_test(outer_ready_only_after_the_notify_unit_then_stopping_once),
        };
        return cmocka_run_group_tests_name("sim_outer", tests, NULL, NULL);
}
