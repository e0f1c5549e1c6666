/* SPDX-License-Identifier: MIT */
/* Start-up scripts and the container environment (SPEC §9): the pure
 * decisions, the os/files.c primitives on a real temporary directory, and
 * the start-up sequence driven with real children, this test playing the
 * reaper (waitpid -> startup_child_exited). All paths are temporary ones:
 * struct startup_config names every file, so /etc is never touched. */
#include "os/files.h"
#include "container/startup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static char *temp_dir(void) {
        char *path = strdup("/tmp/vigil-startup-XXXXXX");
        assert_non_null(mkdtemp(path));
        return path;
}

static char *join(const char *dir, const char *name) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode) {
        char *p = join(dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
        free(p);
}

static char *read_whole(const char *path) {
        FILE *f = fopen(path, "r");
        if (!f)
                return NULL;
        char *buf = calloc(1, 65536);
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static void remove_tree(const char *dir) {
        char *cmd;
        assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

/* ---- pure decisions ---- */

static void verdicts_run_only_visible_executable_regular_files(void **state) {
        (void)state;
        static const struct {
                const char *name;
                bool regular, executable;
                enum startup_verdict want;
        } cases[] = {
                { "10-setup", true, true, STARTUP_RUN },
                { "10-setup", true, false, STARTUP_SKIP_NOT_EXECUTABLE },
                { "subdir", false, false, STARTUP_SKIP_NOT_REGULAR },
                { ".hidden", true, true, STARTUP_SKIP_HIDDEN },
                { ".swp", false, false, STARTUP_SKIP_HIDDEN },
                { "README", true, false, STARTUP_SKIP_NOT_EXECUTABLE },
        };
        for (size_t i = 0; i < N(cases); i++) {
                enum startup_verdict v = startup_script_verdict(cases[i].name, cases[i].regular, cases[i].executable);
                assert_int_equal(v, cases[i].want);
                assert_non_null(startup_verdict_reason(v));
        }
        assert_string_equal(startup_verdict_reason(STARTUP_SKIP_NOT_EXECUTABLE), "not executable");
}

static void removed_names_are_those_gone_from_the_directory(void **state) {
        (void)state;
        char *before[] = { "A", "B", "BB", "GONE", "HOME", "KEPT", "Z_GONE" };
        char *after[] = { "A=1", "B=", "BB=x=y", "KEPT=k", "NEW=n" };
        const char *removed[N(before)];
        size_t n = startup_env_removed(before, N(before), after, N(after), removed);
        /* HOME is never exported, so its file going away changes nothing. */
        assert_int_equal(n, 2);
        assert_string_equal(removed[0], "GONE");
        assert_string_equal(removed[1], "Z_GONE");

        /* A name that is a prefix of another is not confused with it. */
        char *before2[] = { "AB", "ABC" };
        char *after2[] = { "ABC=1" };
        n = startup_env_removed(before2, N(before2), after2, N(after2), removed);
        assert_int_equal(n, 1);
        assert_string_equal(removed[0], "AB");

        assert_int_equal(startup_env_removed(before, N(before), NULL, 0, removed), 6);
        assert_int_equal(startup_env_removed(NULL, 0, after, N(after), removed), 0);
}

/* ---- os/files.c ---- */

static void dir_list_is_sorted_bytewise_and_says_what_runs(void **state) {
        (void)state;
        char *d = temp_dir();
        write_file(d, "b", "", 0755);
        write_file(d, "a10", "", 0755);
        write_file(d, "a2", "", 0644);
        write_file(d, "B", "", 0700);
        write_file(d, "\xc3\xa9", "", 0755);   /* é sorts after every ASCII name */
        char *sub = join(d, "sub");
        assert_int_equal(mkdir(sub, 0755), 0);
        char *link = join(d, "link");
        assert_int_equal(symlink("b", link), 0);
        char *dangling = join(d, "dangling");
        assert_int_equal(symlink("nowhere", dangling), 0);
        char *fifo = join(d, "fifo");
        assert_int_equal(mkfifo(fifo, 0755), 0);

        struct os_dir_entry *e;
        size_t n;
        assert_int_equal(os_dir_list(d, 100, &e, &n), 0);
        static const struct {
                const char *name;
                bool regular, executable;
        } want[] = {
                { "B", true, true },         { "a10", true, true },    { "a2", true, false },
                { "b", true, true },         { "dangling", false, false }, { "fifo", false, false },
                { "link", true, true },      { "sub", false, false },  { "\xc3\xa9", true, true },
        };
        assert_int_equal(n, N(want));
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(e[i].name, want[i].name);
                assert_int_equal(e[i].regular, want[i].regular);
                assert_int_equal(e[i].executable, want[i].executable);
        }
        os_dir_list_free(&e, &n);
        assert_null(e);

        assert_int_equal(os_dir_list(d, 3, &e, &n), -E2BIG);
        char *missing = join(d, "missing");
        assert_int_equal(os_dir_list(missing, 100, &e, &n), -ENOENT);
        char *file = join(d, "b");
        assert_int_equal(os_dir_list(file, 100, &e, &n), -ENOTDIR);
        assert_true(os_is_executable_file(file));
        assert_false(os_is_executable_file(sub));
        assert_false(os_is_executable_file(missing));
        assert_true(os_is_dir(sub));
        assert_false(os_is_dir(file));

        remove_tree(d);
        free(missing), free(file), free(sub), free(link), free(dangling), free(fifo), free(d);
}

static void dir_read_files_never_blocks_on_a_fifo(void **state) {
        (void)state;
        char *d = temp_dir();
        write_file(d, "PLAIN", "value\n", 0600);
        write_file(d, "EMPTY", "", 0600);
        write_file(d, "BIG", "0123456789", 0600);
        char *sub = join(d, "SUB");
        assert_int_equal(mkdir(sub, 0755), 0);
        char *fifo = join(d, "FIFO");
        assert_int_equal(mkfifo(fifo, 0600), 0);

        struct os_file_content *f;
        size_t n;
        assert_int_equal(os_dir_read_files(d, 100, 9, &f, &n), 0);
        assert_int_equal(n, 5);
        assert_string_equal(f[0].name, "BIG");
        assert_int_equal(f[0].error, -EFBIG);
        assert_string_equal(f[1].name, "EMPTY");
        assert_int_equal(f[1].error, 0);
        assert_int_equal(f[1].size, 0);
        assert_string_equal(f[1].content, "");
        assert_string_equal(f[2].name, "FIFO");
        assert_int_equal(f[2].error, -EINVAL);
        assert_string_equal(f[3].name, "PLAIN");
        assert_int_equal(f[3].size, 6);
        assert_string_equal(f[3].content, "value\n");
        assert_string_equal(f[4].name, "SUB");
        assert_int_equal(f[4].error, -EISDIR);
        os_dir_files_free(&f, &n);

        /* Exactly max_size bytes is fine. */
        assert_int_equal(os_dir_read_files(d, 100, 10, &f, &n), 0);
        assert_int_equal(f[0].error, 0);
        assert_string_equal(f[0].content, "0123456789");
        os_dir_files_free(&f, &n);

        remove_tree(d);
        free(sub), free(fifo), free(d);
}

static void atomic_write_sets_mode_and_group_and_leaves_no_temp(void **state) {
        (void)state;
        char *d = temp_dir();
        char *p = join(d, "file");
        write_file(d, "file", "old content, longer than the new one", 0666);

        assert_int_equal(os_write_file_atomic(p, "new", 3, 0640, 4321), 0);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_gid, 4321);
        assert_int_equal(st.st_uid, geteuid());
        char *text = read_whole(p);
        assert_string_equal(text, "new");
        free(text);

        /* No group change with (gid_t)-1; an empty file is fine. */
        assert_int_equal(os_write_file_atomic(p, "", 0, 0600, (gid_t)-1), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(st.st_size, 0);

        struct os_dir_entry *e;
        size_t n;
        assert_int_equal(os_dir_list(d, 100, &e, &n), 0);
        assert_int_equal(n, 1);   /* no temporary file left */
        os_dir_list_free(&e, &n);

        char *missing = join(d, "no/such/dir");
        assert_int_equal(os_write_file_atomic(missing, "x", 1, 0600, (gid_t)-1), -ENOENT);
        assert_int_equal(os_make_dir(missing, 0700), -ENOENT);
        char *sub = join(d, "sub");
        assert_int_equal(os_make_dir(sub, 0700), 0);
        assert_int_equal(os_make_dir(sub, 0700), -EEXIST);

        remove_tree(d);
        free(missing), free(sub), free(p), free(d);
}

static void group_lookup(void **state) {
        (void)state;
        gid_t gid = 99;
        assert_int_equal(os_group_id("root", &gid), 0);
        assert_int_equal(gid, 0);
        assert_int_equal(os_group_id("vigil-test-no-such-group", &gid), -ENOENT);
}

/* ---- the sequence, with real children ---- */

static bool done_called;
static int done_status;

static void on_done(int status) {
        assert_false(done_called);   /* exactly once */
        done_called = true;
        done_status = status;
}

/* Play the reaper until start-up is over. */
static void reap_until_done(void) {
        while (startup_in_progress()) {
                int ws;
                pid_t pid = waitpid(-1, &ws, 0);
                assert_true(pid > 0);
                assert_true(startup_child_exited(pid, ws));
        }
}

struct fixture {
        char *dir, *scripts, *log, *rc_local;
        struct startup_config config;
};

static struct fixture *fixture_new(void) {
        struct fixture *f = calloc(1, sizeof(*f));
        startup_free();   /* a failed test may have left start-up begun */
        f->dir = temp_dir();
        f->scripts = join(f->dir, "my_init.d");
        assert_int_equal(mkdir(f->scripts, 0755), 0);
        f->log = join(f->dir, "log");
        f->rc_local = join(f->dir, "rc.local");
        f->config = (struct startup_config){ .dir = f->scripts, .rc_local = f->rc_local };
        assert_int_equal(setenv("STARTUP_TEST_LOG", f->log, 1), 0);
        done_called = false;
        done_status = -1;
        return f;
}

static void fixture_free(struct fixture *f) {
        startup_free();
        remove_tree(f->dir);
        free(f->dir), free(f->scripts), free(f->log), free(f->rc_local), free(f);
}

/* A script that appends its tag to the log, then exits with code. */
static void script(struct fixture *f, const char *name, const char *body, mode_t mode) {
        char *text;
        assert_true(asprintf(&text, "#!/bin/sh\necho %s >> \"$STARTUP_TEST_LOG\"\n%s\n", name, body) > 0);
        write_file(f->scripts, name, text, mode);
        free(text);
}

static void scripts_run_in_order_then_rc_local(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        script(f, "20-b", "", 0755);
        script(f, "10-a", "", 0755);
        script(f, "15-not-exec", "", 0644);
        script(f, ".hidden", "", 0755);
        script(f, "100-c", "", 0700);
        write_file(f->dir, "rc.local", "#!/bin/sh\necho rc.local >> \"$STARTUP_TEST_LOG\"\n", 0755);

        assert_int_equal(startup_begin(&f->config, on_done), 0);
        assert_true(startup_in_progress());
        assert_int_equal(startup_begin(&f->config, on_done), -EALREADY);
        reap_until_done();
        assert_true(done_called);
        assert_int_equal(done_status, 0);
        char *log = read_whole(f->log);
        assert_string_equal(log, "10-a\n100-c\n20-b\nrc.local\n");   /* bytewise: '-' < '0' */
        free(log);
        fixture_free(f);
}

static void nothing_to_run_reports_at_once(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        write_file(f->dir, "rc.local", "#!/bin/sh\nexit 1\n", 0644);   /* not executable */
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        assert_true(done_called);
        assert_int_equal(done_status, 0);
        assert_false(startup_in_progress());
        fixture_free(f);
}

static void a_failing_script_stops_start_up_with_its_status(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        script(f, "10-a", "", 0755);
        script(f, "20-fails", "exit 42", 0755);
        script(f, "30-never", "", 0755);
        write_file(f->dir, "rc.local", "#!/bin/sh\necho rc.local >> \"$STARTUP_TEST_LOG\"\n", 0755);
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        reap_until_done();
        assert_int_equal(done_status, 42);
        char *log = read_whole(f->log);
        assert_string_equal(log, "10-a\n20-fails\n");
        free(log);
        fixture_free(f);
}

static void a_script_killed_by_a_signal_gives_128_plus_n(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        script(f, "10-killed", "kill -USR1 $$", 0755);
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        reap_until_done();
        assert_int_equal(done_status, 128 + SIGUSR1);
        fixture_free(f);
}

static void a_script_that_cannot_be_executed_gives_126(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        /* Executable bit, but an interpreter that does not exist. */
        write_file(f->scripts, "10-bad", "#!/nonexistent/interpreter\n", 0755);
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        reap_until_done();
        assert_true(done_status == 126 || done_status == 127);
        fixture_free(f);
}

static void a_missing_explicit_directory_fails_start_up(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        char *missing = join(f->dir, "missing");
        f->config.dir = missing;
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        assert_true(done_called);
        assert_int_equal(done_status, 1);
        free(missing);
        fixture_free(f);
}

static void cancel_terminates_the_script_and_reports_nothing(void **state) {
        (void)state;
        struct fixture *f = fixture_new();
        script(f, "10-sleeps", "exec sleep 30", 0755);
        script(f, "20-never", "", 0755);
        assert_int_equal(startup_begin(&f->config, on_done), 0);
        /* Wait until the script has exec'd sleep (it logged first). */
        for (int i = 0; i < 1000; i++) {
                char *log = read_whole(f->log);
                bool started = log && strstr(log, "10-sleeps");
                free(log);
                if (started)
                        break;
                usleep(10000);
        }
        startup_cancel();
        int ws;
        pid_t pid = waitpid(-1, &ws, 0);
        assert_true(startup_child_exited(pid, ws));
        assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM);
        assert_false(startup_in_progress());
        assert_false(done_called);
        char *log = read_whole(f->log);
        assert_string_equal(log, "10-sleeps\n");
        free(log);
        assert_false(startup_child_exited(pid, ws));   /* no longer ours */
        fixture_free(f);
}

/* ---- the container environment through the sequence ---- */

struct env_fixture {
        struct fixture *f;
        char *env_dir, *sh, *json;
};

static struct env_fixture env_fixture_new(void) {
        struct env_fixture e = { .f = fixture_new() };
        e.env_dir = join(e.f->dir, "container_environment");
        e.sh = join(e.f->dir, "container_environment.sh");
        e.json = join(e.f->dir, "container_environment.json");
        e.f->config.container_env = true;
        e.f->config.env_dir = e.env_dir;
        e.f->config.env_sh = e.sh;
        e.f->config.env_json = e.json;
        return e;
}

static void env_fixture_free(struct env_fixture *e) {
        free(e->env_dir), free(e->sh), free(e->json);
        fixture_free(e->f);
}

static void import_keeps_what_vigil_was_given(void **state) {
        (void)state;
        struct env_fixture e = env_fixture_new();
        assert_int_equal(mkdir(e.env_dir, 0700), 0);
        write_file(e.env_dir, "STARTUP_T_FROM_FILE", "it's \"$quoted\"\nline 2\n", 0644);
        write_file(e.env_dir, "STARTUP_T_GIVEN", "from the file\n", 0644);
        assert_int_equal(setenv("STARTUP_T_GIVEN", "from docker run -e", 1), 0);
        unsetenv("STARTUP_T_FROM_FILE");

        assert_int_equal(startup_import_env(&e.f->config), 0);
        assert_string_equal(getenv("STARTUP_T_FROM_FILE"), "it's \"$quoted\"\nline 2");
        assert_string_equal(getenv("STARTUP_T_GIVEN"), "from docker run -e");

        /* Without --container-env nothing is read. */
        unsetenv("STARTUP_T_FROM_FILE");
        e.f->config.container_env = false;
        assert_int_equal(startup_import_env(&e.f->config), 0);
        assert_null(getenv("STARTUP_T_FROM_FILE"));
        unsetenv("STARTUP_T_GIVEN");
        env_fixture_free(&e);
}

static void import_of_a_missing_directory_is_no_error(void **state) {
        (void)state;
        struct env_fixture e = env_fixture_new();
        assert_int_equal(startup_import_env(&e.f->config), 0);
        env_fixture_free(&e);
}

static void scripts_change_the_environment_through_the_directory(void **state) {
        (void)state;
        struct env_fixture e = env_fixture_new();
        assert_int_equal(setenv("STARTUP_T_KEEP", "kept", 1), 0);
        assert_int_equal(setenv("STARTUP_T_DROP", "dropped by 10", 1), 0);
        assert_int_equal(setenv("STARTUP_T_CHANGE", "before", 1), 0);
        assert_int_equal(setenv("HOME", "/home/startup-test", 1), 0);
        char *body;
        assert_true(asprintf(&body,
                             "rm \"%1$s/STARTUP_T_DROP\"\n"
                             "printf 'changed\\n' > \"%1$s/STARTUP_T_CHANGE\"\n"
                             "printf 'new\\n' > \"%1$s/STARTUP_T_NEW\"\n",
                             e.env_dir) > 0);
        script(e.f, "10-writes", body, 0755);
        free(body);
        /* 20 sees what 10 did, in its environment. */
        script(e.f, "20-reads",
               "echo \"${STARTUP_T_DROP-unset} $STARTUP_T_CHANGE $STARTUP_T_NEW $STARTUP_T_KEEP $HOME\" "
               ">> \"$STARTUP_TEST_LOG\"",
               0755);

        assert_int_equal(startup_begin(&e.f->config, on_done), 0);
        /* The first export happened before any script: the directory exists,
         * 0700, with the variables vigil has. */
        struct stat st;
        assert_int_equal(stat(e.env_dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        reap_until_done();
        assert_int_equal(done_status, 0);

        char *log = read_whole(e.f->log);
        assert_string_equal(log, "10-writes\n20-reads\nunset changed new kept /home/startup-test\n");
        free(log);
        /* vigil's own environment (what the main command gets) too. */
        assert_null(getenv("STARTUP_T_DROP"));
        assert_string_equal(getenv("STARTUP_T_CHANGE"), "changed");
        assert_string_equal(getenv("STARTUP_T_NEW"), "new");
        assert_string_equal(getenv("STARTUP_T_KEEP"), "kept");
        assert_string_equal(getenv("HOME"), "/home/startup-test");

        /* Skipped names are never written; the dumps hold the final state. */
        char *home = join(e.env_dir, "HOME");
        assert_int_equal(access(home, F_OK), -1);
        free(home);
        char *sh = read_whole(e.sh);
        assert_non_null(strstr(sh, "export STARTUP_T_NEW='new'\n"));
        assert_non_null(strstr(sh, "export STARTUP_T_CHANGE='changed'\n"));
        assert_null(strstr(sh, "STARTUP_T_DROP"));
        assert_null(strstr(sh, "export HOME="));
        free(sh);
        char *json = read_whole(e.json);
        assert_non_null(strstr(json, "\"STARTUP_T_NEW\": \"new\""));
        assert_null(strstr(json, "\"HOME\":"));
        free(json);

        unsetenv("STARTUP_T_KEEP"), unsetenv("STARTUP_T_CHANGE"), unsetenv("STARTUP_T_NEW");
        env_fixture_free(&e);
}

static void exported_files_are_private(void **state) {
        (void)state;
        struct env_fixture e = env_fixture_new();
        assert_int_equal(mkdir(e.env_dir, 0755), 0);
        write_file(e.env_dir, "STARTUP_T_LOOSE", "world-readable before\n", 0644);
        assert_int_equal(setenv("STARTUP_T_LOOSE", "x", 1), 0);
        assert_int_equal(startup_export_env(&e.f->config), 0);

        /* No docker_env group on a test machine: 0600. (With the group: 0640
         * root:docker_env; the integration test covers it with its own
         * /etc/group.) */
        gid_t gid;
        mode_t want = os_group_id(STARTUP_ENV_GROUP, &gid) == 0 ? 0640 : 0600;
        const char *paths[] = { e.sh, e.json };
        struct stat st;
        for (size_t i = 0; i < N(paths); i++) {
                assert_int_equal(stat(paths[i], &st), 0);
                assert_int_equal(st.st_mode & 07777, want);
        }
        char *loose = join(e.env_dir, "STARTUP_T_LOOSE");
        assert_int_equal(stat(loose, &st), 0);
        assert_int_equal(st.st_mode & 07777, want);
        char *text = read_whole(loose);
        assert_string_equal(text, "x");
        free(text), free(loose);
        unsetenv("STARTUP_T_LOOSE");
        env_fixture_free(&e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(verdicts_run_only_visible_executable_regular_files),
                cmocka_unit_test(removed_names_are_those_gone_from_the_directory),
                cmocka_unit_test(dir_list_is_sorted_bytewise_and_says_what_runs),
                cmocka_unit_test(dir_read_files_never_blocks_on_a_fifo),
                cmocka_unit_test(atomic_write_sets_mode_and_group_and_leaves_no_temp),
                cmocka_unit_test(group_lookup),
                cmocka_unit_test(scripts_run_in_order_then_rc_local),
                cmocka_unit_test(nothing_to_run_reports_at_once),
                cmocka_unit_test(a_failing_script_stops_start_up_with_its_status),
                cmocka_unit_test(a_script_killed_by_a_signal_gives_128_plus_n),
                cmocka_unit_test(a_script_that_cannot_be_executed_gives_126),
                cmocka_unit_test(a_missing_explicit_directory_fails_start_up),
                cmocka_unit_test(cancel_terminates_the_script_and_reports_nothing),
                cmocka_unit_test(import_keeps_what_vigil_was_given),
                cmocka_unit_test(import_of_a_missing_directory_is_no_error),
                cmocka_unit_test(scripts_change_the_environment_through_the_directory),
                cmocka_unit_test(exported_files_are_private),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
