/* SPDX-License-Identifier: MIT */
/*
 * What a child gets, as plain data (STYLE §7): built by the layer that knows
 * why (main command, later units), carried out by os/proc.c and nothing else.
 * The child always starts with an empty signal mask and every signal at its
 * default disposition (SPEC §2).
 */
#ifndef VIGIL_BASE_SPAWN_PLAN_H
#define VIGIL_BASE_SPAWN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

enum spawn_group {
        SPAWN_GROUP_INHERIT,   /* stay in vigil's process group */
        SPAWN_GROUP_NEW,       /* setpgid(0, 0): leader of its own group (tini, catatonit) */
        SPAWN_SESSION_NEW,     /* setsid(): own session, cannot signal vigil's group */
};

struct spawn_rlimit {
        int resource;               /* RLIMIT_* */
        struct rlimit value;
};

/* Unset fields (zero/false/NULL, fds -1) leave the child as vigil is. The
 * order the child applies them is the order below (systemd.exec(5) applies
 * the working directory after the user change, so permissions are the
 * user's). */
struct spawn_plan {
        char *const *argv;          /* argv[0] is looked up in PATH unless it has a '/' */
        const char *path;           /* what to execute instead of argv[0] (ExecStart=@), or NULL */
        char *const *envp;          /* NULL: vigil's own environment */
        char *self_pid_env;         /* an entry of envp, "NAME=" then spaces: the child
                                     * writes its own pid there (WATCHDOG_PID=) */
        int stdin_fd, stdout_fd, stderr_fd; /* dup2'ed onto 0, 1, 2; -1 = inherit; others > 2 */
        int n_pass_fds;             /* fds 3 .. 3+n-1 stay open across exec (their close-on-exec
                                     * cleared in the child): socket activation's LISTEN_FDS */
        enum spawn_group group;
        bool tty_foreground;        /* make the new group the foreground group of fd 0's tty */
        bool controlling_tty;       /* with SPAWN_SESSION_NEW: fd 0's tty becomes the session's
                                     * controlling terminal (TIOCSCTTY; not a tty: nothing) */
        bool controlling_tty_force;    /* StandardInput=tty-force: TIOCSCTTY takes it from another session */
        bool controlling_tty_required; /* StandardInput=tty-fail: no terminal is a failure (SPAWN_STAGE_FDS) */
        bool tty_reset;             /* TTYReset=: fd 0's terminal back to sane line settings (failures ignored) */
        const struct spawn_rlimit *rlimits;
        size_t n_rlimits;
        bool set_nice;
        int nice;
        bool set_umask;
        mode_t umask;
        bool set_ids;               /* setgroups(groups), setgid(gid), setuid(uid) */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
        const char *working_directory;
        bool working_directory_optional; /* WorkingDirectory=-PATH: a missing one is fine */
        bool no_new_privileges;
        bool set_cgroup;            /* join a cgroup before anything else: the child writes "0" */
        int cgroup_procs_fd;        /* ...to this open cgroup.procs (O_WRONLY, CLOEXEC); the
                                     * parent also writes the pid, as with setpgid */
};

/* Where in the child a failure happened, reported through the status pipe. */
enum spawn_stage {
        SPAWN_STAGE_EXEC = 1,
        SPAWN_STAGE_GROUP,
        SPAWN_STAGE_SIGNALS,
        SPAWN_STAGE_FDS,
        SPAWN_STAGE_RLIMITS,
        SPAWN_STAGE_NICE,
        SPAWN_STAGE_USER,
        SPAWN_STAGE_CHDIR,
        SPAWN_STAGE_NO_NEW_PRIVILEGES,
        SPAWN_STAGE_CGROUP,
};

/* "execute", "set up the process group", ... for "cannot %s: %s" messages. */
static inline const char *spawn_stage_action(int stage) {
        switch (stage) {
        case SPAWN_STAGE_EXEC: return "execute";
        case SPAWN_STAGE_GROUP: return "set up the process group or terminal of";
        case SPAWN_STAGE_SIGNALS: return "reset the signal mask of";
        case SPAWN_STAGE_FDS: return "set up standard input/output of";
        case SPAWN_STAGE_RLIMITS: return "apply resource limits (Limit*=) to";
        case SPAWN_STAGE_NICE: return "apply Nice= to";
        case SPAWN_STAGE_USER: return "change user/group (User=, Group=, SupplementaryGroups=) of";
        case SPAWN_STAGE_CHDIR: return "change to WorkingDirectory= of";
        case SPAWN_STAGE_NO_NEW_PRIVILEGES: return "apply NoNewPrivileges= to";
        case SPAWN_STAGE_CGROUP: return "move into its cgroup";
        default: return "start";
        }
}

struct spawn_failure {
        int stage;   /* enum spawn_stage */
        int error;   /* errno */
};

#endif
