/* SPDX-License-Identifier: MIT */
/*
 * The container-mode supervisor (SPEC §2): runs the main command, forwards
 * signals to it, reaps every child (adopted orphans included), and when the
 * main command is gone stops what is left in bounded phases:
 *
 *   RUNNING --main exits / SIGTERM,SIGINT without a main command--> TERM
 *   TERM    --no children left------------------------------------> done
 *   TERM    --kill-all timeout: SIGKILL everything----------------> KILL
 *   KILL    --no children left, or 1 s more (D state)-------------> done
 *
 * Reaping is waitpid(-1, WNOHANG) until empty on every SIGCHLD, so coalesced
 * signals and orphans cannot be missed; nothing ever waits for one pid.
 * "Everything" is kill(-1) only when vigil is PID 1 of its own namespace; as
 * a subreaper it signals its own descendants only (os_signal_descendants).
 */
#ifndef VIGIL_SUPERVISE_SUPERVISOR_H
#define VIGIL_SUPERVISE_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>

struct supervisor_config {
        bool process_group;            /* -g: forward to the main command's group */
        bool kill_all;                 /* false with --no-kill-all */
        uint64_t kill_all_timeout_usec;
};

/* Take over signals and set up the loop. Fails only before the point of no
 * return; the caller exits with a message. */
int supervisor_init(const struct supervisor_config *config);

/* Start the main command; a failed exec is not an error here (it surfaces as
 * exit 127/126 when the child is reaped). -errno if the fork itself failed. */
int supervisor_start_main(char *const *argv);

/* Stop as if the main command had exited with exit_code (startup wiring:
 * a failed start-up script, SPEC §2 step 4). */
void supervisor_stop(int exit_code);

/* Run until everything has stopped; returns vigil's exit code. */
int supervisor_run(void);

void supervisor_free(void);

#endif
