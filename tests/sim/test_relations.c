/* SPDX-License-Identifier: MIT */
/* Issue 15 point 6 at simulated time: OnFailure= at the instant of each
 * failure of a restarting unit (systemd >= 254 passes through failed before
 * auto-restart) and at the start limit hit; OnSuccess=; ExecCondition= that
 * skips is never restarted, one that fails is; Conflicts= stops the other
 * unit at the instant of the start. */
#include "sim.h"

#include "supervise/manager.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* A template handler: no instance of it is started at boot. */
static void handler_template(void) {
        sim_unit("h@", "[Service]\nType=oneshot\nExecStart=/bin/h %i\n");
}

SIM_SCENARIO(on_failure_runs_at_each_failure_of_a_restarting_unit_and_at_the_start_limit) {
        handler_template();
        sim_unit("a", "[Unit]\nOnFailure=h@%n.service\nStartLimitIntervalSec=100\nStartLimitBurst=3\n"
                      "[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        expect_spawn(&c, "/bin/a", 0);
        sim_check(count_spawns(&c, "/bin/h") == 0, "the handler ran at boot");
        /* Failures at 5, 10, 15 s; restarts 1 s later; the 4th start (16 s) hits the limit. */
        for (int i = 1; i <= 3; i++) {
                uint64_t t = (uint64_t)i * 5 * SEC;
                sim_advance_to(t);
                sim_exit(sim_pid("/bin/a"), 1);
                expect_spawn(&c, "/bin/h a.service", t);
                sim_advance_to(t + 100 * MSEC);
                sim_exit(sim_pid("/bin/h"), 0);
                if (i < 3) {
                        sim_advance_to(t + 1 * SEC - 1);
                        sim_check(count_spawns(&c, "/bin/a") == 0, "restarted early");
                        sim_advance_to(t + 1 * SEC);
                        expect_spawn(&c, "/bin/a", t + 1 * SEC);
                }
        }
        sim_advance_to(16 * SEC);
        expect_spawn(&c, "/bin/h a.service", 16 * SEC);
        expect_state("a", "failed");
        expect_result("a", "start-limit-hit");
        sim_advance_to(16 * SEC + 100 * MSEC);
        sim_exit(sim_pid("/bin/h"), 0);
        sim_advance_to(3600 * SEC);
        sim_check(count_spawns(&c, "/bin/") == 0, "something ran after the unit failed for good");
}

SIM_SCENARIO(on_failure_handler_still_running_is_not_started_twice) {
        handler_template();
        sim_unit("a", "[Unit]\nOnFailure=h@%n.service\n[Service]\nExecStart=/bin/a\nRestart=always\nRestartSec=1\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        expect_spawn(&c, "/bin/a", 0);
        sim_advance_to(5 * SEC);
        sim_exit(sim_pid("/bin/a"), 1);
        pid_t h = expect_spawn(&c, "/bin/h a.service", 5 * SEC);
        sim_advance_to(6 * SEC);
        expect_spawn(&c, "/bin/a", 6 * SEC);
        sim_advance_to(7 * SEC);
        sim_exit(sim_pid("/bin/a"), 1);   /* the handler still runs: as systemd's start job, nothing new */
        sim_check(count_spawns(&c, "/bin/h") == 0, "a second handler while the first runs");
        sim_check(sim_alive(h), "the handler was disturbed");
}

SIM_SCENARIO(on_success_runs_when_a_oneshot_finishes_on_failure_when_it_fails) {
        sim_unit("h@", "[Service]\nType=oneshot\nExecStart=/bin/h %i\n");
        sim_unit("job", "[Unit]\nOnSuccess=h@ok.service\nOnFailure=h@failed.service\n"
                        "[Service]\nType=oneshot\nExecStart=/bin/job\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        expect_spawn(&c, "/bin/job", 0);
        sim_advance_to(2 * SEC);
        sim_exit(sim_pid("/bin/job"), 0);
        pid_t h = expect_spawn(&c, "/bin/h ok", 2 * SEC);
        sim_exit(h, 0);
        sim_check(count_spawns(&c, "/bin/h") == 0, "more than OnSuccess=");
        manager_request_start(manager_find("job"));
        sim_settle();
        expect_spawn(&c, "/bin/job", 2 * SEC);
        sim_advance_to(4 * SEC);
        sim_exit(sim_pid("/bin/job"), 1);
        expect_spawn(&c, "/bin/h failed", 4 * SEC);
        sim_check(count_spawns(&c, "/bin/h") == 0, "more than OnFailure=");
}

SIM_SCENARIO(exec_condition_skip_is_never_restarted_a_failure_is) {
        sim_unit("skip", "[Service]\nExecCondition=/bin/cond-skip\nExecStart=/bin/skip\n"
                         "Restart=always\nRestartSec=1\n");
        sim_unit("fail", "[Service]\nExecCondition=/bin/cond-fail\nExecStart=/bin/fail\n"
                         "Restart=always\nRestartSec=1\n");
        sim_boot_default();
        struct sim_cursor c = { 0 }, f = { 0 };
        expect_spawn(&c, "/bin/cond-skip", 0);
        expect_spawn(&f, "/bin/cond-fail", 0);
        sim_advance_to(2 * SEC);
        sim_exit(sim_pid("/bin/cond-skip"), 1);
        sim_exit(sim_pid("/bin/cond-fail"), 255);
        expect_state("skip", "dead");
        expect_result("skip", "exec-condition");
        sim_advance_to(3 * SEC);
        expect_spawn(&f, "/bin/cond-fail", 3 * SEC);   /* 255: failed, Restart=always restarts it */
        sim_advance_to(3600 * SEC);
        sim_check(count_spawns(&c, "/bin/cond-skip") == 0 && count_spawns(&c, "/bin/skip") == 0,
                  "a skipped unit was restarted");
}

SIM_SCENARIO(conflicts_a_start_stops_the_other_unit_at_the_same_instant) {
        sim_unit("a", "[Unit]\nConflicts=b.service\n[Service]\nExecStart=/bin/a\n");
        sim_unit("b", "[Service]\nExecStart=/bin/b\n");
        sim_boot_default();
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&c, "/bin/a", 0);
        sim_check(sim_find_pid("/bin/b") == 0, "b started at boot beside a, which conflicts with it");
        sim_advance_to(5 * SEC);
        manager_request_start(manager_find("b"));
        sim_settle();
        /* The stop is a stop job (it waits for the queue to settle, as the
         * After= order of stops asks): b's spawn comes first, the same instant. */
        pid_t b = expect_spawn(&c, "/bin/b", 5 * SEC);
        expect_kill(&c, -a, SIGTERM, 5 * SEC);
        sim_advance_to(9 * SEC);
        expect_state("a", "dead");
        manager_request_start(manager_find("a"));
        sim_settle();
        expect_spawn(&c, "/bin/a", 9 * SEC);
        expect_kill(&c, -b, SIGTERM, 9 * SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(on_failure_runs_at_each_failure_of_a_restarting_unit_and_at_the_start_limit),
                cmocka_unit_test(on_failure_handler_still_running_is_not_started_twice),
                cmocka_unit_test(on_success_runs_when_a_oneshot_finishes_on_failure_when_it_fails),
                cmocka_unit_test(exec_condition_skip_is_never_restarted_a_failure_is),
                cmocka_unit_test(conflicts_a_start_stops_the_other_unit_at_the_same_instant),
        };
        return cmocka_run_group_tests_name("sim_relations", tests, NULL, NULL);
}
