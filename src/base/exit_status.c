/* SPDX-License-Identifier: MIT */
#include "base/exit_status.h"

#include <signal.h>
#include <sys/wait.h>

int exit_status_from_wait(int wait_status) {
        if (WIFEXITED(wait_status))
                return WEXITSTATUS(wait_status);
        if (WIFSIGNALED(wait_status))
                return (128 + WTERMSIG(wait_status)) & 0xff;
        return 1; /* stopped/continued are never reported: waitpid has no WUNTRACED */
}

enum forward_verdict forward_decide(int signo, int code, pid_t sender, pid_t self) {
        switch (signo) {
        case SIGCHLD:
                return FORWARD_NO_CHILD_STATE;
        case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT: case SIGTRAP: case SIGSYS:
                return FORWARD_NO_FAULT;
        default:
                break;
        }
        /* The kernel marks a signal it raises on the caller's own behalf (a
         * write to a broken pipe) as SI_USER from the caller's pid; vigil
         * never kill()s itself, so such a signal is vigil's, not the user's. */
        if (code == SI_USER && sender == self && self > 0)
                return FORWARD_NO_SELF;
        /* Hang-up and continue raised by the kernel itself (SI_KERNEL) come
         * with a terminal changing hands, not from a user (dumb-init#136). */
        if ((signo == SIGHUP || signo == SIGCONT) && code == SI_KERNEL)
                return FORWARD_NO_TTY_HANDOVER;
        return FORWARD_YES;
}

const char *forward_verdict_reason(enum forward_verdict v) {
        switch (v) {
        case FORWARD_YES: return "forwarded";
        case FORWARD_NO_CHILD_STATE: return "child state changes are not forwarded";
        case FORWARD_NO_FAULT: return "fault signals are not forwarded";
        case FORWARD_NO_SELF: return "raised by vigil itself";
        case FORWARD_NO_TTY_HANDOVER: return "sent by the kernel on a terminal hand-over";
        }
        return "unknown";
}
