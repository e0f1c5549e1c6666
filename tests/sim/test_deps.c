/* SPDX-License-Identifier: MIT */
/* Stop order (SPEC §3, §4): BindsTo= and PartOf= propagate a stop, and the
 * stops keep After= order as systemd's jobs do (the reverse of the start
 * order: a unit After= another stops first, the other once it is gone;
 * units without order between them at the same instant); BindsTo= also
 * follows a unit that dies; the shutdown stops an After= chain in reverse, each unit
 * only once the later one is gone; a unit stuck in stop holds the ones
 * before it until its TimeoutStopSec= SIGKILL. */
#include "sim.h"

#include "supervise/manager.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

static void stop_unit(const char *name) {
        manager_request_stop(manager_find(name));
        sim_settle();
}

/* Boot a and b (/bin/a, /bin/b) from their files' text; both catch
 * SIGTERM. c: their spawns in this order (b first if b_first), past them
 * after; NULL: each found from the start, in any order. */
static void boot_pair(struct sim_cursor *c, const char *a_text, const char *b_text, bool b_first, pid_t *a,
                      pid_t *b) {
        sim_unit("a", a_text);
        sim_unit("b", b_text);
        sim_boot_default();
        pid_t *first = b_first ? b : a, *second = b_first ? a : b;
        *first = expect_spawn(c ? c : &(struct sim_cursor){ 0 }, b_first ? "/bin/b" : "/bin/a", 0);
        *second = expect_spawn(c ? c : &(struct sim_cursor){ 0 }, b_first ? "/bin/a" : "/bin/b", 0);
        sim_handle(*a, SIGTERM);
        sim_handle(*b, SIGTERM);
}

/* A chain a <- b <- c (pids p) stopping from t: c gets SIGTERM at t; each
 * exits a second after its SIGTERM and the one before it gets SIGTERM then. */
static void expect_reverse_stops(struct sim_cursor *c, const pid_t p[3], uint64_t t) {
        expect_kill(c, -p[2], SIGTERM, t);
        for (int k = 2; k > 0; k--) {
                t += SEC;
                sim_advance_to(t);
                sim_exit(p[k], 0);
                expect_kill(c, -p[k - 1], SIGTERM, t);
        }
}

/* a, and b that depends on a by dep (with After=a); both catch SIGTERM. */
static void two(struct sim_cursor *c, const char *dep, pid_t *a, pid_t *b) {
        char text[256];
        snprintf(text, sizeof(text), "[Unit]\n%s=a.service\nAfter=a.service\n[Service]\nExecStart=/bin/b\n", dep);
        boot_pair(c, "[Service]\nExecStart=/bin/a\n", text, false, a, b);
}

/* two(), and a stop request for a at 10 s: b (After=a) gets SIGTERM at once. */
static void two_and_stop_a(struct sim_cursor *c, const char *dep, pid_t *a, pid_t *b) {
        two(c, dep, a, b);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(c, -*b, SIGTERM, 10 * SEC);
}

SIM_SCENARIO(bindsto_stop_of_the_bound_unit_stops_the_dependent_first_then_the_unit) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        two_and_stop_a(&c, "BindsTo", &a, &b);
        expect_state("b", "stop-sigterm");
        expect_state("a", "running");
        sim_advance_to(12 * SEC);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -a, SIGTERM) == 0, "a signalled while b (After=a) still runs");
        sim_exit(b, 0);
        expect_kill(&c, -a, SIGTERM, 12 * SEC);
        sim_advance_to(13 * SEC);
        sim_exit(a, 0);
        expect_state("a", "dead");
        expect_state("b", "dead");
}

SIM_SCENARIO(bindsto_without_after_stops_both_at_the_same_instant) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        boot_pair(NULL, "[Service]\nExecStart=/bin/a\n", "[Unit]\nBindsTo=a.service\n[Service]\nExecStart=/bin/b\n", false,
                  &a, &b);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(&(struct sim_cursor){ 0 }, -a, SIGTERM, 10 * SEC);
        expect_kill(&c, -b, SIGTERM, 10 * SEC);
}

/* b BindsTo=a but a is ordered after b: a (the stopped one) goes first. */
SIM_SCENARIO(bindsto_the_unit_ordered_after_its_dependent_stops_first) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        boot_pair(NULL, "[Unit]\nAfter=b.service\n[Service]\nExecStart=/bin/a\n",
                  "[Unit]\nBindsTo=a.service\n[Service]\nExecStart=/bin/b\n", true, &a, &b);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_kill(&c, -a, SIGTERM, 10 * SEC);
        sim_advance_to(11 * SEC);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -b, SIGTERM) == 0, "b signalled while a (After=b) runs");
        sim_exit(a, 0);
        expect_kill(&c, -b, SIGTERM, 11 * SEC);
}

/* a <- b <- c by BindsTo= and After= (c bound to b, b to a): a stop of a
 * goes down the chain in reverse: c, then b, then a. */
SIM_SCENARIO(bindsto_chain_stops_in_reverse_start_order) {
        struct sim_cursor c = { 0 };
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        sim_unit("b", "[Unit]\nBindsTo=a.service\nAfter=a.service\n[Service]\nExecStart=/bin/b\n");
        sim_unit("c", "[Unit]\nBindsTo=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/c\n");
        sim_boot_default();
        pid_t p[3] = { expect_spawn(&(struct sim_cursor){ 0 }, "/bin/a", 0),
                       expect_spawn(&(struct sim_cursor){ 0 }, "/bin/b", 0),
                       expect_spawn(&(struct sim_cursor){ 0 }, "/bin/c", 0) };
        for (int k = 0; k < 3; k++)
                sim_handle(p[k], SIGTERM);
        sim_advance_to(10 * SEC);
        stop_unit("a");
        expect_reverse_stops(&c, p, 10 * SEC);
        struct sim_cursor all = { 0 };
        sim_check(count_kills(&all, -p[0], SIGTERM) == 1 && count_kills(&all, -p[1], SIGTERM) == 1,
                  "each unit signalled once");
}

/* A start request while the stop waits for its turn replaces the stop. */
SIM_SCENARIO(bindsto_a_start_before_its_turn_cancels_the_pending_stop) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        two_and_stop_a(&c, "BindsTo", &a, &b);
        manager_request_start(manager_find("a"));
        sim_settle();
        sim_advance_to(11 * SEC);
        sim_exit(b, 0);
        sim_advance_to(12 * SEC);
        sim_check(count_kills(&(struct sim_cursor){ 0 }, -a, SIGTERM) == 0, "a stopped after its stop was replaced");
        expect_state("a", "running");
}

SIM_SCENARIO(bindsto_the_bound_unit_dying_stops_the_dependent) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        two(&c, "BindsTo", &a, &b);
        sim_advance_to(10 * SEC);
        sim_exit(a, 1);
        expect_kill(&c, -b, SIGTERM, 10 * SEC);
}

SIM_SCENARIO(partof_stop_of_the_unit_stops_the_part_first_then_the_unit) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        two_and_stop_a(&c, "PartOf", &a, &b);
        sim_advance_to(11 * SEC);
        sim_exit(b, 0);
        expect_kill(&c, -a, SIGTERM, 11 * SEC);
}

SIM_SCENARIO(partof_the_unit_dying_on_its_own_leaves_the_part_running) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        two(&c, "PartOf", &a, &b);
        sim_advance_to(10 * SEC);
        sim_exit(a, 1);
        sim_advance_to(20 * SEC);
        sim_check(count_kills(&c, -b, SIGTERM) == 0, "PartOf= propagated an exit");
        expect_state("b", "running");
}

SIM_SCENARIO(bindsto_propagated_stop_keeps_each_units_own_stop_timeout) {
        struct sim_cursor c = { 0 };
        pid_t a, b;
        boot_pair(&c, "[Service]\nExecStart=/bin/a\nTimeoutStopSec=3\n",
                  "[Unit]\nBindsTo=a.service\nAfter=a.service\n[Service]\nExecStart=/bin/b\nTimeoutStopSec=6\n", false,
                  &a, &b);
        stop_unit("a");
        sim_advance_to(20 * SEC);
        /* b (After=a) first, killed at its own 6 s; then a, killed 3 s later. */
        expect_kill(&c, -b, SIGTERM, 0);
        expect_kill(&c, -b, SIGKILL, 6 * SEC);
        expect_kill(&c, -a, SIGTERM, 6 * SEC);
        expect_kill(&c, -a, SIGKILL, 9 * SEC);
}

/* a <- b <- c (After=), each catching SIGTERM; vigil gets SIGTERM at 10 s. */
static void chain(struct sim_cursor *c, pid_t p[3]) {
        sim_boot_sigterm_chain(NULL, c, p);
}

SIM_SCENARIO(shutdown_chain_starts_in_order_and_stops_in_reverse) {
        struct sim_cursor c = { 0 };
        pid_t p[3];
        chain(&c, p);
        expect_reverse_stops(&c, p, 10 * SEC);
        sim_advance_to(13 * SEC);
        sim_exit(p[0], 0);
        expect_exit(&c, 0, 13 * SEC);
}

SIM_SCENARIO(shutdown_chain_each_unit_waits_for_the_later_one) {
        struct sim_cursor c = { 0 };
        pid_t p[3];
        chain(&c, p);
        sim_advance_to(50 * SEC);
        struct sim_cursor all = { 0 };
        sim_check(count_kills(&all, -p[1], SIGTERM) == 0 && count_kills(&all, -p[0], SIGTERM) == 0,
                  "an earlier unit was signalled while a later one still runs");
        sim_exit(p[2], 0);
        sim_check(count_kills(&all, -p[0], SIGTERM) == 0, "a signalled while b still runs");
}

SIM_SCENARIO(shutdown_chain_a_stuck_unit_is_killed_at_its_stop_timeout_then_the_chain_goes_on) {
        struct sim_cursor c = { 0 };
        pid_t p[3];
        chain(&c, p);
        expect_kill(&c, -p[2], SIGTERM, 10 * SEC);
        sim_advance_to(100 * SEC);
        expect_kill(&c, -p[2], SIGKILL, 100 * SEC);
        expect_kill(&c, -p[1], SIGTERM, 100 * SEC);
}

SIM_SCENARIO(shutdown_after_the_units_kill_all_sigterm_then_sigkill_after_its_timeout) {
        struct sim_cursor c = { 0 };
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        sim_boot_default();
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        pid_t orphan = sim_fork(a);
        sim_handle(orphan, SIGTERM);
        /* It leaves the unit's group: only the kill-all reaches it. */
        sim_proc(orphan)->pgid = orphan;
        sim_advance_to(10 * SEC);
        sim_signal(SIGTERM);
        expect_kill(&c, -a, SIGTERM, 10 * SEC);
        expect_kill_all(&c, SIGTERM, 10 * SEC);
        sim_advance_to(15 * SEC);
        expect_kill_all(&c, SIGKILL, 15 * SEC);
        expect_exit(&c, 0, 15 * SEC);
}

SIM_SCENARIO(main_command_exit_stops_the_units_and_ends_with_its_code) {
        struct sim_cursor c = { 0 };
        sim_unit("a", "[Service]\nExecStart=/bin/a\n");
        static char *const argv[] = { "/bin/main", NULL };
        struct sim_options o = { .main_argv = argv };
        sim_boot(&o);
        pid_t a = expect_spawn(&(struct sim_cursor){ 0 }, "/bin/a", 0);
        pid_t m = expect_spawn(&(struct sim_cursor){ 0 }, "/bin/main", 0);
        sim_advance_to(5 * SEC);
        sim_exit(m, 7);
        expect_kill(&c, -a, SIGTERM, 5 * SEC);
        expect_exit(&c, 7, 5 * SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(bindsto_stop_of_the_bound_unit_stops_the_dependent_first_then_the_unit),
                cmocka_unit_test(bindsto_without_after_stops_both_at_the_same_instant),
                cmocka_unit_test(bindsto_the_unit_ordered_after_its_dependent_stops_first),
                cmocka_unit_test(bindsto_chain_stops_in_reverse_start_order),
                cmocka_unit_test(bindsto_a_start_before_its_turn_cancels_the_pending_stop),
                cmocka_unit_test(bindsto_the_bound_unit_dying_stops_the_dependent),
                cmocka_unit_test(partof_stop_of_the_unit_stops_the_part_first_then_the_unit),
                cmocka_unit_test(partof_the_unit_dying_on_its_own_leaves_the_part_running),
                cmocka_unit_test(bindsto_propagated_stop_keeps_each_units_own_stop_timeout),
                cmocka_unit_test(shutdown_chain_starts_in_order_and_stops_in_reverse),
                cmocka_unit_test(shutdown_chain_each_unit_waits_for_the_later_one),
                cmocka_unit_test(shutdown_chain_a_stuck_unit_is_killed_at_its_stop_timeout_then_the_chain_goes_on),
                cmocka_unit_test(shutdown_after_the_units_kill_all_sigterm_then_sigkill_after_its_timeout),
                cmocka_unit_test(main_command_exit_stops_the_units_and_ends_with_its_code),
        };
        return cmocka_run_group_tests_name("sim_deps", tests, NULL, NULL);
}
