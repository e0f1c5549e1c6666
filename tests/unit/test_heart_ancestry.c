/* SPDX-License-Identifier: MIT */
/* os_parent_of() (src/os/proc.c), which lets vigil attribute an sd_notify
 * sender to the unit it descends from when it left the unit's process
 * groups, as Erlang's heart does (erl_child_setup calls setsid()). */
#include "os/proc.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static void own_parent(void **state) {
        (void)state;
        assert_int_equal(os_parent_of(getpid()), getppid());
}

/* A grandchild in its own session still names its parent. */
static void a_new_session_keeps_its_parent(void **state) {
        int to_parent[2];
        (void)state;
        assert_int_equal(pipe(to_parent), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                pid_t g = fork();
                if (g == 0) {
                        setsid();
                        pid_t me = getpid();
                        (void)!write(to_parent[1], &me, sizeof(me));
                        pause();
                        _exit(0);
                }
                pause();
                _exit(0);
        }
        pid_t grandchild;
        assert_int_equal(read(to_parent[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
        assert_int_equal(os_parent_of(grandchild), child);
        assert_int_equal(os_parent_of(child), getpid());
        assert_int_not_equal(getpgid(grandchild), getpgid(0));
        kill(grandchild, SIGKILL);
        kill(child, SIGKILL);
        /* child is now a zombie until reaped: no parent to speak of. */
        for (int i = 0; i < 500; i++) {
                if (os_parent_of(child) == -ESRCH)
                        break;
                usleep(10000);
        }
        assert_int_equal(os_parent_of(child), -ESRCH);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_true(os_parent_of(child) < 0);   /* gone */
        close(to_parent[0]);
        close(to_parent[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(own_parent),
                cmocka_unit_test(a_new_session_keeps_its_parent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
