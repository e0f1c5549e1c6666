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

enum spawn_group {
        SPAWN_GROUP_INHERIT,   /* stay in vigil's process group */
        SPAWN_GROUP_NEW,       /* setpgid(0, 0): leader of its own group (tini, catatonit) */
        SPAWN_SESSION_NEW,     /* setsid(): own session, cannot signal vigil's group */
};

struct spawn_plan {
        char *const *argv;          /* argv[0] is looked up in PATH unless it has a '/' */
        char *const *envp;          /* NULL: vigil's own environment */
        enum spawn_group group;
        bool tty_foreground;        /* make the new group the foreground group of fd 0's tty */
};

/* Where in the child a failure happened, reported through the status pipe. */
enum spawn_stage {
        SPAWN_STAGE_EXEC = 1,
        SPAWN_STAGE_GROUP,
        SPAWN_STAGE_SIGNALS,
};

struct spawn_failure {
        int stage;   /* enum spawn_stage */
        int error;   /* errno */
};

#endif
