/* SPDX-License-Identifier: MIT */
/*
 * Spawn as data (STYLE §7): the pure half of starting a process. Given a
 * unit's configuration, one Exec*= command, what the unit knows at that
 * moment (main pid, result, last exit, notify socket, watchdog) and the
 * inputs the supervisor side already resolved (the User=/Group= records,
 * the EnvironmentFile= entries, the standard fds), build the struct
 * spawn_plan that os/proc.c carries out. No syscalls, no NSS, no file
 * reads, no globals (vigil's own environment is an input too), no logging:
 * every rule below is a table test (tests/unit/test_spawn_build.c).
 *
 * The environment, systemd's build_environment() + exec_child() order,
 * later wins for a key (env_file.h's list: order of first appearance):
 *   1. vigil's environment (a container's -e variables reach the services,
 *      as under tini or my_init);
 *   2. what vigil sets: HOME, USER, LOGNAME, SHELL (with User=); MAINPID
 *      once known; NOTIFY_SOCKET for a unit that speaks sd_notify, and
 *      WATCHDOG_USEC/WATCHDOG_PID for its main process only; for
 *      ExecStop=/ExecStopPost= SERVICE_RESULT, EXIT_CODE, EXIT_STATUS;
 *      RUNTIME_DIRECTORY, STATE_DIRECTORY, ... (unit/exec_dirs.h);
 *   3. Environment=;
 *   4. EnvironmentFile= (so a file overrides Environment=, as in systemd).
 * The main command (--env) uses the same builder: 1 then 3, with
 * LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES in 2 when vigil hands socket
 * activation on. What the outer manager set for vigil alone (NOTIFY_SOCKET,
 * WATCHDOG_USEC/_PID, LISTEN_FDS/_PID/_FDNAMES) is dropped from 1 for every
 * process: a unit gets vigil's own socket, never the outer one.
 *
 * Ownership: struct spawn_built owns argv, envp and the working directory
 * it built; the plan's groups point into the credentials given, its fds are
 * the caller's. spawn_built_free() releases what it owns.
 */
#ifndef VIGIL_UNIT_SPAWN_BUILD_H
#define VIGIL_UNIT_SPAWN_BUILD_H

#include "base/spawn_plan.h"
#include "unit/restart_policy.h"
#include "unit/unit_config.h"
#include "unit/unit_state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_USER_GROUPS_MAX 128   /* the User='s own groups kept */
#define SPAWN_GROUPS_MAX 256        /* all groups of the process */

/* Room for WATCHDOG_PID= or LISTEN_PID=, written by the child itself (spawn_plan.self_pid_env). */
#define SPAWN_PID_SLOT "                    "

/* A User= record as the look-up found it. */
struct spawn_user {
        uid_t uid;
        gid_t gid;                   /* primary group */
        char name[64];
        char home[256];
        char shell[256];             /* "" : /bin/sh */
};

/* What the User=, Group= and SupplementaryGroups= look-ups found. */
struct spawn_credentials {
        bool has_user;
        struct spawn_user user;
        bool has_group;
        gid_t group;                 /* Group= */
        gid_t user_groups[SPAWN_USER_GROUPS_MAX]; /* the user's groups (primary included), with has_user */
        size_t n_user_groups;
        gid_t supplementary[SPAWN_GROUPS_MAX];
        size_t n_supplementary;
};

/* The environment of one process, from lowest to highest precedence. */
struct spawn_env_input {
        char *const *inherited;           /* vigil's environment; entries without '=' skipped */
        const struct spawn_user *user;    /* NULL: no User= */
        pid_t main_pid;                   /* > 0: MAINPID */
        const char *notify_socket;        /* NULL: no NOTIFY_SOCKET */
        bool main;                        /* the main process: WATCHDOG_USEC/PID */
        uint64_t watchdog_usec;           /* 0 or infinity: off */
        unsigned listen_fds;              /* > 0: LISTEN_FDS, LISTEN_PID (a slot), LISTEN_FDNAMES */
        const char *listen_fdnames;       /* with listen_fds; NULL: none */
        bool stop_vars;                   /* ExecStop=/ExecStopPost= */
        enum unit_result result;          /* with stop_vars: SERVICE_RESULT */
        const struct exit_info *main_exit;/* with stop_vars: EXIT_CODE/STATUS; NULL: not known */
        const struct exec_dirs *exec_dirs;/* RUNTIME_DIRECTORY= and kin (in 2); NULL: none */
        char *const *unset;               /* UnsetEnvironment=, applied after 4: "NAME" or "NAME=VALUE" */
        size_t n_unset;
        char *const *environment;         /* Environment= */
        size_t n_environment;
        char *const *file_env;            /* EnvironmentFile= entries, files in order */
        size_t n_file_env;
};

/* Build the list (NULL-terminated, never NULL itself). 0 or -ENOMEM. */
int spawn_env_build(const struct spawn_env_input *in, char ***ret_env, size_t *ret_n);

/* runit's ./finish arguments appended to *argv: the exit code of ./run (-1
 * if it did not exit), and the signal that ended it (0 if none). main_exit
 * NULL: not known. 0 or -ENOMEM (*argv stays valid for exec_argv_free()). */
int spawn_runit_finish_args(const struct exit_info *main_exit, char ***argv);

/* The process's standard fds, resolved (-1: vigil's). */
struct spawn_fds {
        int stdin_fd, stdout_fd, stderr_fd;
};

struct spawn_built {
        struct spawn_plan plan;
        char **argv;
        char **env;
        size_t n_env;
        char *working_directory;     /* "~" expanded; NULL when taken as is */
        struct spawn_rlimit rlimits[UNIT_RLIMIT_MAX];
        gid_t groups[SPAWN_GROUPS_MAX];
};

/* The plan of a unit's process: takes ownership of argv and env (also on
 * failure; built->argv/env then freed by spawn_built_free()). The "~" of
 * WorkingDirectory= is the user's home, else home (vigil's $HOME), else
 * "/". 0 or -ENOMEM. */
int spawn_plan_build(const struct unit_config *c, const struct exec_command *cmd, const struct spawn_credentials *cred,
                     const struct spawn_fds *fds, const char *home, char **argv, char **env, size_t n_env,
                     struct spawn_built *built);
void spawn_built_free(struct spawn_built *built);

/* Whether entry ("KEY=VALUE") is one of the outer manager's variables. */
bool spawn_env_outer_only(const char *entry);

/* The entry "NAME=" SPAWN_PID_SLOT of env, for spawn_plan.self_pid_env; NULL: none. */
char *spawn_env_pid_slot(char **env, const char *name);

/* The value of name in env (a NULL-terminated "KEY=VALUE" list), or NULL. */
const char *spawn_env_get(char *const *env, const char *name);

/* A plan that runs argv with vigil's environment and stdio, in group:
 * the base of the main command's, the hooks' and the start-up scripts'. */
struct spawn_plan spawn_plan_command(char *const *argv, enum spawn_group group);

#endif
