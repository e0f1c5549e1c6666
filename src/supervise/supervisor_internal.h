/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's shared state, for its own files only: supervisor.c
 * (boot order, the main command, the bounded stop, reaping) and
 * supervisor_signals.c (what a signal to vigil means: forwarded to the main
 * command, a stop, or in system mode a shutdown request). One owner, the
 * supervisor; nothing outside src/supervise/supervisor*.c includes this.
 */
#ifndef VIGIL_SUPERVISE_SUPERVISOR_INTERNAL_H
#define VIGIL_SUPERVISE_SUPERVISOR_INTERNAL_H

#include "supervise/supervisor.h"

#include "core/loop.h"
#include "os/signals.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum stop_phase { STOP_NONE, STOP_MAIN, STOP_UNITS, STOP_RUN_ON_EXIT, STOP_TERM, STOP_KILL, STOP_DONE };

/* The main command: at most one, started once. */
struct supervisor_main_cmd {
        char *const *argv;        /* NULL: none */
        pid_t pid;                /* 0 when not running */
        int status_fd;            /* exec-status pipe, -1 once read */
        char *name;               /* argv[0], for messages */
        bool started;
        bool termed;              /* SIGTERM was forwarded to it */
        int last_forwarded;       /* the last signal forwarded to it, and from whom */
        struct signal_event forwarded; /* put into words only when it exits */
};

struct supervisor_stop {
        enum stop_phase phase;
        int exit_code;
        bool code_fixed;          /* a unit's action set the exit code: it wins */
        struct loop_timer timer;
        enum end_action action;   /* system mode: how the machine ends */
        bool by_main;             /* the main command's exit caused it: --run-on-exit runs */
        bool hanging;             /* supervisor_hang(): the next request ends the wait */
        bool code_from_main;      /* the stop budget ran out with the main command running: its status is the code */
};

struct supervisor_state {
        struct supervisor_config config;
        pid_t self_pid;
        struct loop_io signal_io;
        struct supervisor_main_cmd main_cmd;
        struct supervisor_stop stop;
};
extern struct supervisor_state sup;

/* supervisor.c */
void supervisor_stop_begin(int exit_code);
void supervisor_system_shutdown(enum end_action action, const char *why, bool by_main);
/* Container mode: why vigil ends, for the termination log (first one wins). */
void supervisor_container_reason(const char *why);
void supervisor_reap_children(void);

/* supervisor_signals.c: the signalfd's callback; the drain's end. */
void supervisor_signals_ready(struct loop_io *io, uint32_t events);
void supervisor_drained(void);
/* Container mode, fast forwarding (os/signals.h): the loop's wait hooks. */
const uint64_t *supervisor_signals_before_wait(void);
void supervisor_signals_after_wait(bool events);
/* Who sent ev, in words ("SIGTERM from pid 7"): for the shutdown report. */
void supervisor_signal_reason(const struct signal_event *ev, char *why, size_t size);

#endif
