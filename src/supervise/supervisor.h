/* SPDX-License-Identifier: MIT */
/*
 * The container-mode supervisor (SPEC §2): starts the units (manager.c),
 * then runs the main command, forwards signals to it, reaps every child
 * (adopted orphans included), and when the main command is gone (or a
 * unit's action asks) stops the units in reverse order, then what is left,
 * in bounded phases:
 *
 *   RUNNING --main exits / SIGTERM,SIGINT without a main command--> UNITS
 *   UNITS   --every unit stopped--------------------------------------> TERM
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

#include "supervise/startup.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct supervisor_config {
        bool process_group;            /* -g: forward to the main command's group */
        bool kill_all;                 /* false with --no-kill-all */
        uint64_t kill_all_timeout_usec;
        bool wait_ready;               /* --wait-ready */
        uint64_t default_timeout_start_usec;
        uint64_t default_timeout_stop_usec;
        char *const *unit_dirs;        /* --units */
        size_t n_unit_dirs;
        const char *runit_dir;         /* --runit-dir */
        const char *notify_socket;     /* NOTIFY_SOCKET address: "/path" or "@name" */
        const char *control_socket;    /* vigilctl's socket: "/path" or "@name" */
        const char *runtime_dir;       /* made (0755) if a socket is a default one inside it */
        const struct startup_config *startup; /* SPEC §9; must outlive the supervisor */
};

/* Take over signals and set up the loop. Fails only before the point of no
 * return; the caller exits with a message. */
int supervisor_init(const struct supervisor_config *config);

/* Load the units (each broken one is reported and left out); -errno only
 * for what stops vigil from running at all (out of memory). */
int supervisor_load_units(void);

/* The main command, started once the units are up (SPEC §2 step 7); a
 * failed exec surfaces as exit 127/126 when the child is reaped. */
void supervisor_set_main(char *const *argv);

/* Run until everything has stopped; returns vigil's exit code. */
int supervisor_run(void);

void supervisor_free(void);

#endif
