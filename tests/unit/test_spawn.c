/* SPDX-License-Identifier: MIT */
/* os_spawn carries out a spawn plan: real children, checked from inside.
 * Needs root for the credential cases (CI and tools/test run as root). */
#include "base/spawn_plan.h"
#include "os/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* Spawn sh -c SCRIPT with plan fields from *base, capture stdout. */
static int run(struct spawn_plan *plan, const char *script, char *out, size_t size,
               struct spawn_failure *ret_failure) {
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        char *argv[] = { "sh", "-c", (char *)script, NULL };
        plan->argv = argv;
        plan->stdout_fd = p[1];
        pid_t pid;
        int status_fd, status;
        assert_int_equal(os_spawn(plan, &pid, &status_fd), 0);
        close(p[1]);
        size_t len = 0;
        ssize_t n;
        while ((n = read(p[0], out + len, size - 1 - len)) > 0)
                len += (size_t)n;
        out[len] = '\0';
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        int r = os_spawn_read_status(status_fd, ret_failure);
        close(status_fd);
        assert_true(r == 0 || r == 1);
        return r == 1 ? -1 : WEXITSTATUS(status);
}

static struct spawn_plan empty_plan(void) {
        return (struct spawn_plan){ .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
}

static void applies_the_process_context(void **state) {
        (void)state;
        static const struct spawn_rlimit limits[] = { { RLIMIT_NOFILE, { 123, 456 } } };
        static const gid_t groups[] = { 4242, 4343 };
        struct spawn_plan plan = empty_plan();
        struct spawn_failure f;
        char out[512];
        plan.rlimits = limits;
        plan.n_rlimits = 1;
        plan.set_nice = true;
        plan.nice = 7;
        plan.set_umask = true;
        plan.umask = 027;
        plan.set_ids = true;
        plan.uid = 65534;
        plan.gid = 65533;
        plan.groups = groups;
        plan.n_groups = 2;
        plan.working_directory = "/tmp";
        plan.no_new_privileges = true;
        plan.group = SPAWN_SESSION_NEW;
        assert_int_equal(run(&plan, "echo $(id -u) $(id -g) $(id -G | tr ' ' ,) $(umask) $(ulimit -n) "
                                    "$(ulimit -Hn) $(cut -d' ' -f19 /proc/self/stat) $(pwd) "
                                    "$(grep NoNewPrivs /proc/self/status | cut -f2) "
                                    "$(test $(cut -d' ' -f6 /proc/self/stat) = $(cut -d' ' -f5 /proc/self/stat) && echo own-session)",
                             out, sizeof(out), &f),
                         0);
        assert_string_equal(out, "65534 65533 65533,4242,4343 0027 123 456 7 /tmp 1 own-session\n");
}

static void optional_working_directory_may_be_missing(void **state) {
        (void)state;
        struct spawn_plan plan = empty_plan();
        struct spawn_failure f;
        char out[256];
        plan.working_directory = "/nonexistent/dir";
        plan.working_directory_optional = true;
        assert_int_equal(run(&plan, "echo ok", out, sizeof(out), &f), 0);
        assert_string_equal(out, "ok\n");
}

static void each_failure_names_its_stage(void **state) {
        (void)state;
        char out[64];
        struct spawn_failure f;
        struct spawn_plan plan = empty_plan();
        plan.working_directory = "/nonexistent/dir";
        assert_int_equal(run(&plan, "echo never", out, sizeof(out), &f), -1);
        assert_int_equal(f.stage, SPAWN_STAGE_CHDIR);
        assert_int_equal(f.error, ENOENT);
        assert_string_equal(out, "");

        static const struct spawn_rlimit bad[] = { { RLIMIT_NOFILE, { 10, 5 } } }; /* soft > hard */
        plan = empty_plan();
        plan.rlimits = bad;
        plan.n_rlimits = 1;
        assert_int_equal(run(&plan, "echo never", out, sizeof(out), &f), -1);
        assert_int_equal(f.stage, SPAWN_STAGE_RLIMITS);
        assert_int_equal(f.error, EINVAL);

        /* After dropping to nobody, a root-only directory is refused: the
         * working directory is entered as the new user (systemd.exec(5)). */
        char private_dir[] = "/tmp/vigil-spawn-XXXXXX"; /* mkdtemp: mode 0700, owned by root */
        assert_non_null(mkdtemp(private_dir));
        plan = empty_plan();
        plan.set_ids = true;
        plan.uid = plan.gid = 65534;
        plan.working_directory = private_dir;
        assert_int_equal(run(&plan, "echo never", out, sizeof(out), &f), -1);
        assert_int_equal(f.stage, SPAWN_STAGE_CHDIR);
        assert_int_equal(f.error, EACCES);
        rmdir(private_dir);
        assert_string_not_equal(spawn_stage_action(SPAWN_STAGE_CHDIR), "start");
}

int main(void) {
        if (geteuid() != 0) {
                fprintf(stderr, "test_spawn: needs root (credential changes)\n");
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(applies_the_process_context),
                cmocka_unit_test(optional_working_directory_may_be_missing),
                cmocka_unit_test(each_failure_names_its_stage),
        };
        return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
