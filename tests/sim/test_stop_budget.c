/* SPDX-License-Identifier: MIT */
/* The stop budget (--stop-timeout) and the drain (--drain-sec), issue 14:
 * the whole stop ends within one deadline from its beginning; each unit's
 * stop waits at most what is left of it (its own TimeoutStopSec= when that
 * is shorter), the kill-all's grace too; at the deadline everything left is
 * SIGKILLed and vigil exits with the code the rules give. The drain holds
 * the stop back, inside the budget; a second SIGTERM ends it. */
#include "sim.h"

#include "supervise/manager.h"
#include "supervise/supervisor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* No kill of any kind after t (the budget's end). */
static void no_kill_after(uint64_t t) {
        for (size_t i = 0; i < sim.n_events; i++) {
                const struct sim_event *e = &sim.events[i];
                sim_check(!((e->kind == SIM_EV_KILL || e->kind == SIM_EV_KILL_ALL) && e->t > t),
                          "event %zu: a signal at t=%llu us, after the budget's end", i, (unsigned long long)e->t);
        }
}

/* a <- b <- c (After=), each catching SIGTERM, TimeoutStopSec=5 (the
 * default, as in container mode), the 9 s budget; SIGTERM to vigil at 10 s. */
static void chain(struct sim_cursor *c, pid_t p[3], uint64_t budget) {
        struct sim_options o = { .timeout_stop_usec = 5 * SEC, .kill_all_timeout_usec = 3 * SEC,
                                 .stop_timeout_usec = budget };
        sim_boot_sigterm_chain(&o, c, p);
}

SIM_SCENARIO(stop_budget_chain_ignoring_sigterm_is_killed_at_the_budget_and_never_later) {
        struct sim_cursor c = { 0 };
        pid_t p[3];
        chain(&c, p, 9 * SEC);
        expect_kill(&c, -p[2], SIGTERM, 10 * SEC);
        sim_advance_to(60 * SEC);
        expect_kill(&c, -p[2], SIGKILL, 15 * SEC);  /* c keeps its own 5 s: 9 s were left */
        expect_kill(&c, -p[1], SIGTERM, 15 * SEC);
        expect_kill_all(&(struct sim_cursor){ c.next }, SIGKILL, 19 * SEC); /* b's 5 s cut to the 4 s left */
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -p[0], SIGTERM) == 0,
                  "a got SIGTERM although the budget ended while b was stopping");
        sim_check(!sim_alive(p[0]) && !sim_alive(p[1]) && !sim_alive(p[2]), "a unit survived the budget");
        expect_exit(&c, 0, 19 * SEC);
        no_kill_after(19 * SEC);
        sim_check(sim_log_has("b.service: stop timeout cut from 5s to 4s: what is left of the 9s stop budget"),
                  "no log line naming the cut unit and the budget");
        sim_check(!sim_log_has("c.service: stop timeout cut"), "c's timeout was not cut, but logged as cut");
        sim_check(sim_log_has("the 9s stop budget (--stop-timeout) is used up, sending SIGKILL to everything left"
                              "; units left: a.service, b.service"),
                  "the budget's end is not logged with the units it cut short");
}

SIM_SCENARIO(stop_budget_none_keeps_each_units_whole_timeout) {
        struct sim_cursor c = { 0 };
        pid_t p[3];
        chain(&c, p, 0);
        sim_advance_to(60 * SEC);
        expect_kill(&c, -p[2], SIGKILL, 15 * SEC);
        expect_kill(&c, -p[1], SIGKILL, 20 * SEC);
        expect_kill(&c, -p[0], SIGKILL, 25 * SEC);
        expect_exit(&c, 0, 25 * SEC);
}

SIM_SCENARIO(stop_budget_a_unit_whose_timeout_is_shorter_than_what_is_left_keeps_its_own) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=3\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_handle(a, SIGTERM);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        expect_kill(&c, -a, SIGTERM, 10 * SEC);
        sim_advance_to(13 * SEC - 1);
        sim_check(count_kills(&c, -a, SIGKILL) == 0, "SIGKILL before the unit's own 3 s");
        sim_advance_to(60 * SEC);
        expect_kill(&c, -a, SIGKILL, 13 * SEC);
        expect_exit(&c, 0, 13 * SEC);
        sim_check(!sim_log_has("cut from"), "a wait was cut although the budget had room");
}

SIM_SCENARIO(stop_budget_cuts_the_kill_alls_grace_to_what_is_left) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=7\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC, .kill_all_timeout_usec = 5 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_handle(a, SIGTERM);
        pid_t orphan = sim_fork(a);
        sim_handle(orphan, SIGTERM);
        sim_proc(orphan)->pgid = orphan; /* it left the unit's group: only the kill-all reaches it */
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        sim_advance_to(60 * SEC);
        expect_kill(&c, -a, SIGKILL, 17 * SEC);
        expect_kill_all(&c, SIGTERM, 17 * SEC);
        expect_kill_all(&c, SIGKILL, 19 * SEC); /* 5 s of grace cut to the 2 s left */
        expect_exit(&c, 0, 19 * SEC);
        no_kill_after(19 * SEC);
        sim_check(!sim_alive(orphan), "the orphan survived");
        sim_check(sim_log_has("the kill-all's grace (--kill-all-timeout) cut from 5s to 2s"),
                  "the cut grace is not logged");
}

SIM_SCENARIO(stop_budget_main_command_ignoring_sigterm_is_killed_at_the_budget_status_137) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        static char *const argv[] = { "/bin/main", NULL };
        struct sim_options o = { .main_argv = argv, .stop_timeout_usec = 9 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t m = expect_spawn(&(struct sim_cursor){ 0 }, "/bin/main", 0);
        sim_handle(m, SIGTERM);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        expect_kill(&c, m, SIGTERM, 10 * SEC); /* forwarded, and the budget begins */
        sim_advance_to(19 * SEC - 1);
        sim_check(count_kills(&c, m, SIGKILL) == 0 && sim_alive(m), "the main command was killed early");
        sim_advance_to(60 * SEC);
        expect_kill_all(&c, SIGKILL, 19 * SEC);
        expect_exit(&c, 128 + SIGKILL, 19 * SEC);
        no_kill_after(19 * SEC);
}

SIM_SCENARIO(stop_budget_drain_keeps_units_running_then_stops_them) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC, .drain_usec = 2 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_check(!supervisor_draining(), "draining before any SIGTERM");
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        sim_check(supervisor_draining(), "not draining right after SIGTERM");
        sim_advance_to(12 * SEC - 1);
        sim_check(count_kills(&c, -a, SIGTERM) == 0 && sim_alive(a), "the unit was stopped during the drain");
        expect_state("a", "running");
        sim_advance_to(12 * SEC);
        expect_kill(&c, -a, SIGTERM, 12 * SEC);
        expect_exit(&c, 0, 12 * SEC);
        sim_check(sim_log_has("received SIGTERM: draining for 2s"), "the drain's start is not logged");
}

SIM_SCENARIO(stop_budget_second_sigterm_ends_the_drain_at_once) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC, .drain_usec = 5 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        sim_advance_to(11 * SEC);
        sim_check(count_kills(&c, -a, SIGTERM) == 0, "stopped before the second SIGTERM");
        sim_signal(SIGTERM);
        expect_kill(&c, -a, SIGTERM, 11 * SEC);
        expect_exit(&c, 0, 11 * SEC);
}

SIM_SCENARIO(stop_budget_the_drain_counts_inside_the_budget) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=90\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC, .drain_usec = 2 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_handle(a, SIGTERM);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        sim_advance_to(60 * SEC);
        expect_kill(&c, -a, SIGTERM, 12 * SEC);
        expect_kill(&c, -a, SIGKILL, 19 * SEC); /* 9 s from the first SIGTERM, not 90 s after the drain */
        expect_exit(&c, 0, 19 * SEC);
        no_kill_after(19 * SEC);
        sim_check(sim_log_has("a.service: stop timeout cut from 90s to 7s"), "the cut is not logged");
}

SIM_SCENARIO(stop_budget_moves_a_stop_already_running_past_it) {
        /* A user's stop with a long timeout, then the container's stop: the budget still holds. */
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=60\n");
        sim_unit("b", "[Service]\nExecStart=/bin/b\n");
        struct sim_options o = { .stop_timeout_usec = 9 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_handle(a, SIGTERM);
        sim_advance_to(5 * SEC);
        manager_request_stop(manager_find("a"));
        sim_settle();
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        sim_advance_to(100 * SEC);
        expect_kill(&c, -a, SIGKILL, 19 * SEC);
        expect_exit(&c, 0, 19 * SEC);
        no_kill_after(19 * SEC);
        sim_check(sim_log_has("a.service: stop timeout cut from 55s to 9s"), "the running stop was not cut");
}

SIM_SCENARIO(stop_budget_given_in_system_mode_bounds_the_shutdown_and_drains_nothing) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\n"); /* system mode: TimeoutStopSec= 90 s */
        struct sim_options o = { .system_mode = true, .stop_timeout_usec = 20 * SEC, .drain_usec = 5 * SEC };
        sim_boot(&o);
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_handle(a, SIGTERM);
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM); /* a reboot request */
        expect_kill(&c, -a, SIGTERM, 10 * SEC); /* no drain in system mode */
        sim_advance_to(200 * SEC);
        expect_kill(&c, -a, SIGKILL, 30 * SEC);
        expect_exit(&c, 0, 30 * SEC);
        no_kill_after(30 * SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stop_budget_chain_ignoring_sigterm_is_killed_at_the_budget_and_never_later),
                cmocka_unit_test(stop_budget_none_keeps_each_units_whole_timeout),
                cmocka_unit_test(stop_budget_a_unit_whose_timeout_is_shorter_than_what_is_left_keeps_its_own),
                cmocka_unit_test(stop_budget_cuts_the_kill_alls_grace_to_what_is_left),
                cmocka_unit_test(stop_budget_main_command_ignoring_sigterm_is_killed_at_the_budget_status_137),
                cmocka_unit_test(stop_budget_drain_keeps_units_running_then_stops_them),
                cmocka_unit_test(stop_budget_second_sigterm_ends_the_drain_at_once),
                cmocka_unit_test(stop_budget_the_drain_counts_inside_the_budget),
                cmocka_unit_test(stop_budget_moves_a_stop_already_running_past_it),
                cmocka_unit_test(stop_budget_given_in_system_mode_bounds_the_shutdown_and_drains_nothing),
        };
        return cmocka_run_group_tests_name("sim_stop_budget", tests, NULL, NULL);
}
