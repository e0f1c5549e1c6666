/* SPDX-License-Identifier: MIT */
#include "base/signame.h"
#include "os/proc.h"
#include "base/exit_status.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* Wait statuses as the kernel encodes them (wait(2)). */
#define EXITED(code) (((code) & 0xff) << 8)
#define SIGNALED(sig) ((sig) & 0x7f)
#define SIGNALED_CORE(sig) (((sig) & 0x7f) | 0x80)

static void exit_codes_follow_the_shell(void **state) {
        (void)state;
        assert_int_equal(exit_status_from_wait(EXITED(0)), 0);
        assert_int_equal(exit_status_from_wait(EXITED(1)), 1);
        assert_int_equal(exit_status_from_wait(EXITED(255)), 255);
        assert_int_equal(exit_status_from_wait(SIGNALED(SIGTERM)), 143);
        assert_int_equal(exit_status_from_wait(SIGNALED(SIGKILL)), 137);
        assert_int_equal(exit_status_from_wait(SIGNALED_CORE(SIGSEGV)), 139);
        assert_int_equal(exit_status_from_wait(SIGNALED(SIGHUP)), 129);
}

static void exec_failures_map_to_127_and_126(void **state) {
        (void)state;
        assert_int_equal(os_spawn_failure_exit_code(ENOENT), 127);
        assert_int_equal(os_spawn_failure_exit_code(ENOTDIR), 127);
        assert_int_equal(os_spawn_failure_exit_code(EACCES), 126);
        assert_int_equal(os_spawn_failure_exit_code(ENOEXEC), 126);
        assert_int_equal(os_spawn_failure_exit_code(E2BIG), 126);
}

static void forwarding_table(void **state) {
        const pid_t self = 1, user = 42;
        (void)state;
        /* Every catchable asynchronous signal from a user is forwarded. */
        for (int sig = 1; sig < _NSIG; sig++) {
                enum forward_verdict v = forward_decide(sig, SI_USER, user, self);
                switch (sig) {
                case SIGCHLD:
                        assert_int_equal(v, FORWARD_NO_CHILD_STATE);
                        break;
                case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT: case SIGTRAP: case SIGSYS:
                        assert_int_equal(v, FORWARD_NO_FAULT);
                        break;
                default:
                        assert_int_equal(v, FORWARD_YES);
                }
        }
        /* From outside the namespace the sender pid reads 0: still forwarded. */
        assert_int_equal(forward_decide(SIGTERM, SI_USER, 0, self), FORWARD_YES);
        /* vigil's own SIGPIPE from a log write is not the user's. */
        assert_int_equal(forward_decide(SIGPIPE, SI_USER, self, self), FORWARD_NO_SELF);
        /* The kernel's hang-up/continue on a terminal hand-over are not forwarded... */
        assert_int_equal(forward_decide(SIGHUP, SI_KERNEL, 0, self), FORWARD_NO_TTY_HANDOVER);
        assert_int_equal(forward_decide(SIGCONT, SI_KERNEL, 0, self), FORWARD_NO_TTY_HANDOVER);
        /* ...but a user's SIGCONT and SIGHUP are, and sigqueue() ones too. */
        assert_int_equal(forward_decide(SIGCONT, SI_USER, user, self), FORWARD_YES);
        assert_int_equal(forward_decide(SIGHUP, SI_QUEUE, user, self), FORWARD_YES);
        assert_int_equal(forward_decide(SIGWINCH, SI_KERNEL, 0, self), FORWARD_YES);
        for (int v = FORWARD_YES; v <= FORWARD_NO_TTY_HANDOVER; v++)
                assert_string_not_equal(forward_verdict_reason(v), "unknown");
}

static void signal_names_round_trip(void **state) {
        char buf[32];
        int n;
        (void)state;
        for (int sig = 1; sig < _NSIG; sig++) {
                if (sig > SIGSYS && sig < SIGRTMIN)
                        continue; /* libc-reserved */
                const char *name = signame_from_number(sig, buf, sizeof(buf));
                assert_int_equal(signame_to_number(name, &n), 0);
                assert_int_equal(n, sig);
        }
        assert_int_equal(signame_to_number("term", &n), 0);
        assert_int_equal(n, SIGTERM);
        assert_int_equal(signame_to_number("9", &n), 0);
        assert_int_equal(n, SIGKILL);
        assert_true(signame_to_number("SIGNOPE", &n) < 0);
        assert_true(signame_to_number("0", &n) < 0);
        assert_true(signame_to_number("999", &n) < 0);
        assert_true(signame_to_number("RTMIN+999", &n) < 0);
}

static void descendants_of_a_tree(void **state) {
        /* 10 is vigil; 11,12 children; 13 child of 12; 20,21 unrelated; 22 child of 21. */
        const pid_t pid[] = { 11, 13, 20, 12, 21, 22, 14 };
        const pid_t ppid[] = { 10, 12, 1, 10, 20, 21, 13 };
        const bool expected[] = { true, true, false, true, false, false, true };
        bool got[7];
        (void)state;
        proc_tree_mark_descendants(pid, ppid, got, 7, 10);
        for (int i = 0; i < 7; i++)
                assert_int_equal(got[i], expected[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(exit_codes_follow_the_shell),
                cmocka_unit_test(exec_failures_map_to_127_and_126),
                cmocka_unit_test(forwarding_table),
                cmocka_unit_test(signal_names_round_trip),
                cmocka_unit_test(descendants_of_a_tree),
        };
        return cmocka_run_group_tests_name("exit_status", tests, NULL, NULL);
}
