/* SPDX-License-Identifier: MIT */
/*
 * Pure decisions about signals and exit statuses of the main command
 * (SPEC §2). No syscalls, no globals: each is a table-driven unit test.
 */
#ifndef VIGIL_BASE_EXIT_STATUS_H
#define VIGIL_BASE_EXIT_STATUS_H

#include <stdbool.h>
#include <sys/types.h>

/* vigil's exit code for a main command that ended with this wait status:
 * its exit code, or 128+N if killed by signal N (modulo 256, as the shell). */
int exit_status_from_wait(int wait_status);

enum forward_verdict {
        FORWARD_YES,
        FORWARD_NO_CHILD_STATE,   /* SIGCHLD is vigil's own business */
        FORWARD_NO_FAULT,         /* synchronous fault signals are never forwarded */
        FORWARD_NO_SELF,          /* raised by vigil's own action (SIGPIPE on a log write) */
        FORWARD_NO_TTY_HANDOVER,  /* SIGHUP/SIGCONT the kernel sends on a terminal hand-over */
};

/* Whether a signal vigil received goes on to the main command, and why not.
 * code is si_code, sender si_pid, self vigil's pid. */
enum forward_verdict forward_decide(int signo, int code, pid_t sender, pid_t self);
const char *forward_verdict_reason(enum forward_verdict v);

#endif
