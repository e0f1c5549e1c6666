/* SPDX-License-Identifier: MIT */
/* spawn_build: the environment, the runit arguments and the plan of a
 * unit's process, as tables (no process is started). */
#include "base/timespan.h"
#include "unit/env_file.h"
#include "unit/exec_line.h"
#include "unit/spawn_build.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *inherited[] = { "PATH=/usr/bin:/bin", "HOME=/root", "SHARED=vigil", "NOEQUALS", "MAINPID=inherited",
                             NULL };
/* What an outer manager set for vigil: never passed on as is. */
static char *outer[] = { "PATH=/bin", "NOTIFY_SOCKET=/run/outer", "WATCHDOG_USEC=1000000", "WATCHDOG_PID=7",
                         "LISTEN_FDS=2", "LISTEN_PID=7", "LISTEN_FDNAMES=a:b", "LISTEN_FDSX=kept", NULL };
static char *environment[] = { "SHARED=unit", "ONLY_UNIT=1", NULL };
static char *file_env[] = { "SHARED=file", "FROM_FILE=yes", NULL };
static const struct spawn_user alice = { .uid = 1000, .gid = 100, .name = "alice", .home = "/home/alice",
                                         .shell = "" };

/* The value of name in env, or NULL; fails if name occurs twice. */
static const char *get(char *const *env, const char *name) {
        const char *v = NULL;
        size_t len = strlen(name);
        for (char *const *e = env; *e; e++)
                if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
                        if (v)
                                fail_msg("%s twice", name);
                        v = *e + len + 1;
                }
        return v;
}

static char **build(const struct spawn_env_input *in, size_t *ret_n) {
        char **env = NULL;
        assert_int_equal(spawn_env_build(in, &env, ret_n), 0);
        assert_non_null(env);
        assert_null(env[*ret_n]);
        return env;
}

/* Which variables a process gets, by role and facts. NULL want: absent. */
struct env_row {
        const char *what;
        struct spawn_env_input in;
        const char *name, *want;
};

static const struct exit_info exit3 = { .exited = true, .code = 3 };
static const struct exit_info by_segv = { .exited = false, .sig = SIGSEGV };
static const struct exit_info by_term = { .exited = false, .sig = SIGTERM };

static const struct env_row env_rows[] = {
        { "inherited", { .inherited = inherited }, "PATH", "/usr/bin:/bin" },
        { "inherited without '=' dropped", { .inherited = inherited }, "NOEQUALS", NULL },
        { "nothing inherited", { 0 }, "PATH", NULL },
        { "Environment= over vigil's", { .inherited = inherited, .environment = environment, .n_environment = 2 },
          "SHARED", "unit" },
        { "EnvironmentFile= over Environment=",
          { .inherited = inherited, .environment = environment, .n_environment = 2, .file_env = file_env,
            .n_file_env = 2 },
          "SHARED", "file" },
        { "EnvironmentFile= entries", { .file_env = file_env, .n_file_env = 2 }, "FROM_FILE", "yes" },
        { "User= sets HOME", { .inherited = inherited, .user = &alice }, "HOME", "/home/alice" },
        { "User= sets USER", { .user = &alice }, "USER", "alice" },
        { "User= sets LOGNAME", { .user = &alice }, "LOGNAME", "alice" },
        { "User= without shell: /bin/sh", { .user = &alice }, "SHELL", "/bin/sh" },
        { "no User=: vigil's HOME", { .inherited = inherited }, "HOME", "/root" },
        { "no User=: no USER", { .inherited = inherited }, "USER", NULL },
        { "MAINPID once known", { .main_pid = 42 }, "MAINPID", "42" },
        { "MAINPID over vigil's", { .inherited = inherited, .main_pid = 42 }, "MAINPID", "42" },
        { "no MAINPID before", { 0 }, "MAINPID", NULL },
        { "NOTIFY_SOCKET", { .notify_socket = "/run/vigil/notify" }, "NOTIFY_SOCKET", "/run/vigil/notify" },
        { "WATCHDOG_USEC for main", { .notify_socket = "@n", .main = true, .watchdog_usec = 3000000 },
          "WATCHDOG_USEC", "3000000" },
        { "WATCHDOG_PID slot for main", { .notify_socket = "@n", .main = true, .watchdog_usec = 3000000 },
          "WATCHDOG_PID", SPAWN_PID_SLOT },
        { "no WATCHDOG_USEC for control", { .notify_socket = "@n", .main = false, .watchdog_usec = 3000000 },
          "WATCHDOG_USEC", NULL },
        { "no WATCHDOG_USEC without socket", { .main = true, .watchdog_usec = 3000000 }, "WATCHDOG_USEC", NULL },
        { "no WATCHDOG_USEC when off", { .notify_socket = "@n", .main = true, .watchdog_usec = 0 }, "WATCHDOG_USEC",
          NULL },
        { "no WATCHDOG_USEC when infinity",
          { .notify_socket = "@n", .main = true, .watchdog_usec = TIMESPAN_INFINITY }, "WATCHDOG_USEC", NULL },
        { "SERVICE_RESULT only for ExecStop*", { .result = UNIT_RESULT_EXIT_CODE }, "SERVICE_RESULT", NULL },
        { "SERVICE_RESULT for ExecStop*", { .stop_vars = true, .result = UNIT_RESULT_EXIT_CODE }, "SERVICE_RESULT",
          "exit-code" },
        { "SERVICE_RESULT success", { .stop_vars = true }, "SERVICE_RESULT", "success" },
        { "no EXIT_CODE before an exit", { .stop_vars = true }, "EXIT_CODE", NULL },
        { "EXIT_CODE exited", { .stop_vars = true, .main_exit = &exit3 }, "EXIT_CODE", "exited" },
        { "EXIT_STATUS code", { .stop_vars = true, .main_exit = &exit3 }, "EXIT_STATUS", "3" },
        { "EXIT_CODE killed", { .stop_vars = true, .main_exit = &by_term }, "EXIT_CODE", "killed" },
        { "EXIT_STATUS signal without SIG", { .stop_vars = true, .main_exit = &by_term }, "EXIT_STATUS", "TERM" },
        { "EXIT_CODE dumped",
          { .stop_vars = true, .result = UNIT_RESULT_CORE_DUMP, .main_exit = &by_segv }, "EXIT_CODE", "dumped" },
        { "EXIT_STATUS of a core dump",
          { .stop_vars = true, .result = UNIT_RESULT_CORE_DUMP, .main_exit = &by_segv }, "EXIT_STATUS", "SEGV" },
        { "no EXIT_CODE outside ExecStop*", { .main_exit = &exit3 }, "EXIT_CODE", NULL },
        { "outer NOTIFY_SOCKET dropped", { .inherited = outer }, "NOTIFY_SOCKET", NULL },
        { "outer WATCHDOG_USEC dropped", { .inherited = outer }, "WATCHDOG_USEC", NULL },
        { "outer WATCHDOG_PID dropped", { .inherited = outer }, "WATCHDOG_PID", NULL },
        { "outer LISTEN_FDS dropped", { .inherited = outer }, "LISTEN_FDS", NULL },
        { "outer LISTEN_PID dropped", { .inherited = outer }, "LISTEN_PID", NULL },
        { "outer LISTEN_FDNAMES dropped", { .inherited = outer }, "LISTEN_FDNAMES", NULL },
        { "a longer name kept", { .inherited = outer }, "LISTEN_FDSX", "kept" },
        { "the rest kept", { .inherited = outer }, "PATH", "/bin" },
        { "vigil's socket, not the outer one", { .inherited = outer, .notify_socket = "/run/vigil/notify" },
          "NOTIFY_SOCKET", "/run/vigil/notify" },
        { "unit watchdog, not the outer one",
          { .inherited = outer, .notify_socket = "@n", .main = true, .watchdog_usec = 3000000 }, "WATCHDOG_USEC",
          "3000000" },
        { "LISTEN_FDS handed on", { .inherited = outer, .listen_fds = 2, .listen_fdnames = "x:y" }, "LISTEN_FDS",
          "2" },
        { "LISTEN_PID slot handed on", { .inherited = outer, .listen_fds = 2 }, "LISTEN_PID", SPAWN_PID_SLOT },
        { "LISTEN_FDNAMES handed on", { .inherited = outer, .listen_fds = 2, .listen_fdnames = "x:y" },
          "LISTEN_FDNAMES", "x:y" },
        { "no LISTEN_FDNAMES without names", { .inherited = outer, .listen_fds = 2 }, "LISTEN_FDNAMES", NULL },
};

static void environment_rows(void **state) {
        (void)state;
        for (size_t i = 0; i < N(env_rows); i++) {
                size_t n;
                char **env = build(&env_rows[i].in, &n);
                const char *got = get(env, env_rows[i].name);
                const char *want = env_rows[i].want;
                if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
                        fail_msg("%s: %s=%s, want %s", env_rows[i].what, env_rows[i].name, got ? got : "(unset)",
                                 want ? want : "(unset)");
                env_list_free(&env, &n);
        }
}

/* What vigil sets loses to Environment= (systemd merges the unit's
 * settings last), and an entry keeps the place of its first appearance. */
static void environment_overrides_what_vigil_sets(void **state) {
        (void)state;
        char *mine[] = { "MAINPID=mine", "HOME=/srv", NULL };
        struct spawn_env_input in = { .inherited = inherited, .user = &alice, .main_pid = 7, .environment = mine,
                                      .n_environment = 2 };
        size_t n;
        char **env = build(&in, &n);
        assert_string_equal(get(env, "MAINPID"), "mine");
        assert_string_equal(get(env, "HOME"), "/srv");
        assert_string_equal(env[0], "PATH=/usr/bin:/bin");
        assert_string_equal(env[1], "HOME=/srv");
        env_list_free(&env, &n);
}

/* The main command's environment: vigil's with --env over it. */
static void main_command_environment(void **state) {
        (void)state;
        char *extra[] = { "SHARED=cli", "NEW=1", NULL };
        struct spawn_env_input in = { .inherited = inherited, .environment = extra, .n_environment = 2 };
        size_t n;
        char **env = build(&in, &n);
        assert_string_equal(get(env, "SHARED"), "cli");
        assert_string_equal(get(env, "NEW"), "1");
        assert_string_equal(get(env, "PATH"), "/usr/bin:/bin");
        assert_null(get(env, "NOTIFY_SOCKET"));
        assert_int_equal(n, 5);
        env_list_free(&env, &n);
}

static char **argv_of(const char *const *words) {
        size_t n = 0;
        while (words[n])
                n++;
        char **v = calloc(n + 1, sizeof(char *));
        assert_non_null(v);
        for (size_t i = 0; i < n; i++)
                assert_non_null(v[i] = strdup(words[i]));
        return v;
}

struct finish_row {
        const struct exit_info *exit;
        const char *code, *sig;
};

static void runit_finish_args(void **state) {
        (void)state;
        static const struct exit_info by_kill = { .exited = false, .sig = SIGKILL };
        static const struct exit_info exit0 = { .exited = true, .code = 0 };
        static const struct finish_row rows[] = {
                { NULL, "-1", "0" },           /* never ran / not known */
                { &exit0, "0", "0" },
                { &exit3, "3", "0" },
                { &by_kill, "-1", "9" },
        };
        for (size_t i = 0; i < N(rows); i++) {
                char **argv = argv_of((const char *const[]){ "./finish", NULL });
                assert_int_equal(spawn_runit_finish_args(rows[i].exit, &argv), 0);
                assert_string_equal(argv[0], "./finish");
                assert_string_equal(argv[1], rows[i].code);
                assert_string_equal(argv[2], rows[i].sig);
                assert_null(argv[3]);
                exec_argv_free(argv);
        }
}

static struct exec_command command(void) {
        static char *argv[] = { "/bin/true", NULL };
        return (struct exec_command){ .path = "/bin/true", .argv = argv };
}

/* Plan a process of c with cred; env holds the given entries. */
static void plan(const struct unit_config *c, const struct spawn_credentials *cred, const char *home,
                 char *const *entries, struct spawn_built *b) {
        struct exec_command cmd = command();
        struct spawn_fds fds = { 5, 6, 7 };
        char **env = NULL;
        size_t n = 0;
        for (size_t i = 0; entries && entries[i]; i++)
                assert_int_equal(env_list_set(&env, &n, entries[i]), 0);
        char **argv = argv_of((const char *const[]){ "/bin/true", NULL });
        assert_int_equal(spawn_plan_build(c, &cmd, cred, &fds, home, argv, env, n, b), 0);
}

static void plan_carries_the_process_context(void **state) {
        (void)state;
        struct unit_config c;
        unit_config_init(&c);
        c.umask = 027;
        c.nice = 5;
        c.nice_set = true;
        c.no_new_privileges = true;
        c.limits[RLIMIT_NOFILE] = (struct unit_rlimit){ .set = true, .value = { 100, 200 } };
        c.limits[RLIMIT_CORE] = (struct unit_rlimit){ .set = true, .value = { 0, 0 } };
        c.working_directory = "/srv";
        struct spawn_built b;
        plan(&c, NULL, "/root", (char *const[]){ "A=1", NULL }, &b);
        const struct spawn_plan *p = &b.plan;
        assert_string_equal(p->argv[0], "/bin/true");
        assert_string_equal(p->path, "/bin/true");
        assert_string_equal(p->envp[0], "A=1");
        assert_int_equal(p->group, SPAWN_SESSION_NEW);
        assert_int_equal(p->stdin_fd, 5);
        assert_int_equal(p->stdout_fd, 6);
        assert_int_equal(p->stderr_fd, 7);
        assert_true(p->set_umask);
        assert_int_equal(p->umask, 027);
        assert_true(p->set_nice);
        assert_int_equal(p->nice, 5);
        assert_true(p->no_new_privileges);
        assert_int_equal(p->n_rlimits, 2);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_CORE < RLIMIT_NOFILE ? RLIMIT_CORE : RLIMIT_NOFILE);
        assert_false(p->set_ids);
        assert_string_equal(p->working_directory, "/srv");
        assert_false(p->working_directory_optional);
        assert_null(p->self_pid_env);
        spawn_built_free(&b);
        c.working_directory = NULL;
        unit_config_free(&c);
}

struct wd_row {
        const char *setting;
        bool with_user;
        const char *home;
        const char *want;
        bool optional;
};

static void working_directory_rows(void **state) {
        (void)state;
        static const struct wd_row rows[] = {
                { "/srv", false, "/root", "/srv", false },
                { "-/srv", false, "/root", "/srv", true },
                { "~", false, "/root", "/root", false },
                { "~/data", false, "/root", "/root/data", false },
                { "~/data", true, "/root", "/home/alice/data", false },
                { "-~", true, NULL, "/home/alice", true },
                { "~", false, NULL, "/", false },
        };
        struct spawn_credentials cred = { .has_user = true, .user = alice };
        for (size_t i = 0; i < N(rows); i++) {
                struct unit_config c;
                unit_config_init(&c);
                c.working_directory = (char *)rows[i].setting;
                struct spawn_built b;
                plan(&c, rows[i].with_user ? &cred : NULL, rows[i].home, NULL, &b);
                if (strcmp(b.plan.working_directory, rows[i].want) != 0 ||
                    b.plan.working_directory_optional != rows[i].optional)
                        fail_msg("WorkingDirectory=%s: %s %d", rows[i].setting, b.plan.working_directory,
                                 b.plan.working_directory_optional);
                spawn_built_free(&b);
                c.working_directory = NULL;
                unit_config_free(&c);
        }
}

struct cred_row {
        const char *what;
        bool user, group;
        size_t n_supplementary;
        uid_t uid;
        gid_t gid;
        const char *groups;   /* comma-separated */
};

static void credentials_rows(void **state) {
        (void)state;
        static const struct cred_row rows[] = {
                { "User=", true, false, 0, 1000, 100, "100,27" },
                { "User= Group=", true, true, 0, 1000, 50, "100,27" },
                { "Group= alone runs as root", false, true, 0, 0, 50, "50" },
                { "SupplementaryGroups= alone", false, false, 2, 0, 0, "7,8" },
                { "User= and SupplementaryGroups=", true, false, 2, 1000, 100, "100,27,7,8" },
                { "Group= and SupplementaryGroups=", false, true, 1, 0, 50, "50,7" },
        };
        for (size_t i = 0; i < N(rows); i++) {
                const struct cred_row *row = &rows[i];
                struct spawn_credentials cred = { .has_user = row->user, .user = alice, .has_group = row->group,
                                                  .group = 50, .user_groups = { 100, 27 }, .n_user_groups = 2,
                                                  .supplementary = { 7, 8 }, .n_supplementary = row->n_supplementary };
                struct unit_config c;
                unit_config_init(&c);
                c.n_supplementary_groups = row->n_supplementary;
                struct spawn_built b;
                plan(&c, &cred, NULL, NULL, &b);
                char got[64] = "";
                size_t used = 0;
                for (size_t k = 0; k < b.plan.n_groups; k++)
                        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%u", k ? "," : "",
                                                 (unsigned)b.plan.groups[k]);
                if (!b.plan.set_ids || b.plan.uid != row->uid || b.plan.gid != row->gid || strcmp(got, row->groups))
                        fail_msg("%s: ids %d uid %u gid %u groups %s", row->what, b.plan.set_ids, (unsigned)b.plan.uid,
                                 (unsigned)b.plan.gid, got);
                spawn_built_free(&b);
                c.n_supplementary_groups = 0;
                unit_config_free(&c);
        }
}

/* The child writes its pid into WATCHDOG_PID= unless Environment= set it. */
static void self_pid_slot_unless_overridden(void **state) {
        (void)state;
        struct unit_config c;
        unit_config_init(&c);
        struct spawn_built b;
        plan(&c, NULL, NULL, (char *const[]){ "A=1", "WATCHDOG_PID=" SPAWN_PID_SLOT, NULL }, &b);
        assert_non_null(b.plan.self_pid_env);
        assert_string_equal(b.plan.self_pid_env, "WATCHDOG_PID=" SPAWN_PID_SLOT);
        spawn_built_free(&b);
        plan(&c, NULL, NULL, (char *const[]){ "WATCHDOG_PID=1", NULL }, &b);
        assert_null(b.plan.self_pid_env);
        spawn_built_free(&b);
        unit_config_free(&c);
}

static void command_plan_and_env_get(void **state) {
        (void)state;
        char *argv[] = { "/bin/x", NULL };
        struct spawn_plan p = spawn_plan_command(argv, SPAWN_GROUP_NEW);
        assert_ptr_equal(p.argv, argv);
        assert_null(p.envp);
        assert_int_equal(p.stdin_fd, -1);
        assert_int_equal(p.stdout_fd, -1);
        assert_int_equal(p.stderr_fd, -1);
        assert_int_equal(p.group, SPAWN_GROUP_NEW);
        assert_false(p.set_ids);
        assert_string_equal(spawn_env_get(inherited, "HOME"), "/root");
        assert_null(spawn_env_get(inherited, "HOM"));
        assert_null(spawn_env_get(NULL, "HOME"));
}

static void pid_slot_by_name(void **state) {
        (void)state;
        char a[] = "WATCHDOG_PID=" SPAWN_PID_SLOT, b[] = "LISTEN_PID=" SPAWN_PID_SLOT, c[] = "LISTEN_PID=5";
        char *env[] = { a, b, NULL }, *set[] = { c, NULL };
        assert_ptr_equal(spawn_env_pid_slot(env, "LISTEN_PID"), b);
        assert_ptr_equal(spawn_env_pid_slot(env, "WATCHDOG_PID"), a);
        assert_null(spawn_env_pid_slot(set, "LISTEN_PID"));
        assert_null(spawn_env_pid_slot(NULL, "LISTEN_PID"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(environment_rows),
                cmocka_unit_test(environment_overrides_what_vigil_sets),
                cmocka_unit_test(main_command_environment),
                cmocka_unit_test(runit_finish_args),
                cmocka_unit_test(plan_carries_the_process_context),
                cmocka_unit_test(working_directory_rows),
                cmocka_unit_test(credentials_rows),
                cmocka_unit_test(self_pid_slot_unless_overridden),
                cmocka_unit_test(command_plan_and_env_get),
                cmocka_unit_test(pid_slot_by_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
