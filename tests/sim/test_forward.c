/* SPDX-License-Identifier: MIT */
/* Fast signal forwarding (issue 18, 5): while the main command runs, the
 * signals vigil forwards as they are are taken in the wait (the fake models
 * the handler: os_fwd_* in fake_os.c) and sent at once; the bookkeeping after
 * the wait is today's (STOPPING=1, the stop budget's start, the shutdown
 * report). A SIGTERM that starts a drain, and every signal once the main
 * command is gone, stay on the signalfd path. */
#include "sim.h"

#include "notify/outer_notify.h"
#include "supervise/supervisor.h"
#include "system/shutdown_report.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static char *const main_argv[] = { "/bin/main", NULL };

static size_t count_outer(const char *prefix) {
        size_t n = 0;
        for (size_t i = 0; i < sim.n_events; i++)
                if (sim.events[i].kind == SIM_EV_OUTER_NOTIFY && strncmp(sim.events[i].what, prefix, strlen(prefix)) == 0)
                        n++;
        return n;
}

SIM_SCENARIO(forward_usr1_from_the_wait_at_once_and_logged) {
        sim_boot(&(struct sim_options){ .main_argv = main_argv });
        struct sim_cursor c = { 0 };
        pid_t m = expect_spawn(&c, "/bin/main", 0);
        sim_handle(m, SIGUSR1);
        sim_advance_to(2 * SEC);
        sim_signal(SIGUSR1);
        expect_kill(&c, m, SIGUSR1, 2 * SEC);
        sim_check(sim.fwd_handled == 1, "the handler took %u signals, not 1", sim.fwd_handled);
        sim_check(sim_log_has("forwarded SIGUSR1 to"), "no debug line for the forwarded signal");
        sim_check(count_kills(&c, m, SIGUSR1) == 0, "forwarded twice");
}

SIM_SCENARIO(forward_sigterm_from_the_wait_stops_readiness_and_names_it_at_the_exit) {
        struct outer_notify_env env = { .notify_socket = "@outer" };
        sim_boot(&(struct sim_options){ .main_argv = main_argv, .stop_timeout_usec = 9 * SEC });
        outer_notify_init(&env, SIM_SELF_PID);
        struct sim_cursor c = { 0 };
        pid_t m = expect_spawn(&c, "/bin/main", 0);
        sim_advance_to(3 * SEC);
        sim_signal(SIGTERM); /* not caught: the main command dies of it */
        expect_kill(&c, m, SIGTERM, 3 * SEC);
        sim_check(sim.fwd_handled == 1, "SIGTERM with no drain did not go through the handler");
        sim_check(count_outer("STOPPING=1") == 1, "STOPPING=1 %zu times", count_outer("STOPPING=1"));
        sim_check(sim_log_has("stopping within"), "the stop budget did not begin");
        const char *why = shutdown_report_reason();
        sim_check(why && strstr(why, "killed by SIGTERM (forwarded: SIGTERM from"),
                  "the shutdown report does not name the forwarded SIGTERM: %s", why ? why : "(none)");
        expect_exit(&c, 128 + SIGTERM, 3 * SEC);
}

SIM_SCENARIO(forward_a_draining_sigterm_stays_on_the_signalfd_other_signals_do_not) {
        sim_boot(&(struct sim_options){ .main_argv = main_argv, .stop_timeout_usec = 9 * SEC, .drain_usec = 2 * SEC });
        struct sim_cursor c = { 0 };
        pid_t m = expect_spawn(&c, "/bin/main", 0);
        sim_handle(m, SIGUSR2);
        sim_advance_to(1 * SEC);
        sim_signal(SIGTERM);
        sim_check(supervisor_draining() && sim.fwd_handled == 0, "the drain's SIGTERM went to the handler");
        sim_check(count_kills(&c, m, SIGTERM) == 0, "SIGTERM forwarded during the drain");
        sim_signal(SIGUSR2);
        expect_kill(&c, m, SIGUSR2, 1 * SEC);
        sim_check(sim.fwd_handled == 1, "SIGUSR2 in the drain did not go through the handler");
        sim_advance_to(3 * SEC);
        expect_kill(&c, m, SIGTERM, 3 * SEC); /* the drain is over: forwarded then */
}

SIM_SCENARIO(forward_nothing_once_the_main_command_is_gone) {
        sim_unit("a", "[Service]\nExecStart=/bin/a\nTimeoutStopSec=5\n");
        sim_boot(&(struct sim_options){ .main_argv = main_argv });
        struct sim_cursor c = { 0 };
        pid_t a = expect_spawn(&(struct sim_cursor){ 0 }, "/bin/a", 0);
        pid_t m = expect_spawn(&c, "/bin/main", 0);
        sim_handle(a, SIGTERM); /* keeps vigil in its stop */
        sim_advance_to(1 * SEC);
        sim_exit(m, 0);
        sim_signal(SIGUSR1);
        sim_check(count_kills(&c, m, SIGUSR1) == 0 && sim.fwd_handled == 0, "a signal went to the reaped main command");
        sim_check(sim_log_has("ignoring SIGUSR1: no main command running"), "the late SIGUSR1 not ignored");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(forward_usr1_from_the_wait_at_once_and_logged),
                cmocka_unit_test(forward_sigterm_from_the_wait_stops_readiness_and_names_it_at_the_exit),
                cmocka_unit_test(forward_a_draining_sigterm_stays_on_the_signalfd_other_signals_do_not),
                cmocka_unit_test(forward_nothing_once_the_main_command_is_gone),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
