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
 * The stop budget (--stop-timeout): one deadline for the whole stop, from
 * when it begins (SIGTERM to vigil, the main command's exit, a unit's
 * action). Every wait of the stop is cut to what is left of it (the units'
 * stop timeouts through manager_set_stop_deadline(), the kill-all's grace);
 * when it runs out, SIGKILL to everything left, then KILL as above. The
 * drain (--drain-sec): the first SIGTERM only marks vigil draining
 * (supervisor_draining()) and arms a timer; its end, or a second SIGTERM,
 * is the stop. The drain counts inside the budget.
 *
 * Reaping is waitpid(-1, WNOHANG) until empty on every SIGCHLD, so coalesced
 * signals and orphans cannot be missed; nothing ever waits for one pid.
 * "Everything" is kill(-1) only when vigil is PID 1 of its own namespace; as
 * a subreaper it signals its own descendants only (os_signal_descendants).
 */
#ifndef VIGIL_SUPERVISE_SUPERVISOR_H
#define VIGIL_SUPERVISE_SUPERVISOR_H

#include "container/startup.h"
#include "system/end_action.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>


struct unit;
/* The control server (control/, which sits above the supervisor): opened,
 * told after every settled batch, told of a unit about to be freed, and
 * closed, by the supervisor. */
struct supervisor_server {
        int (*open)(const char *address);
        void (*settle)(void);
        void (*unit_dropped)(struct unit *u);
        void (*close)(void);
};

struct supervisor_config {
        bool process_group;            /* -g: forward to the main command's group */
        bool kill_all;                 /* false with --no-kill-all */
        uint64_t kill_all_timeout_usec;
        uint64_t stop_timeout_usec;    /* --stop-timeout: the whole stop's budget; 0 or infinity: none */
        uint64_t drain_usec;           /* --drain-sec: container mode, SIGTERM drains this long first; 0: no drain */
        bool wait_ready;               /* --wait-ready */
        uint64_t default_timeout_start_usec;
        uint64_t default_timeout_stop_usec;
        char *const *unit_dirs;        /* --units */
        size_t n_unit_dirs;
        const char *runit_dir;         /* --runit-dir */
        const char *systemd_root;      /* --systemd-layout ROOT, or NULL */
        const char *cgroup_root;       /* --cgroup-root (supervise/unit_cgroup.h); NULL: the mode's default */
        const char *notify_socket;     /* NOTIFY_SOCKET address: "/path" or "@name" */
        const char *control_socket;    /* vigilctl's socket: "/path" or "@name" */
        const char *syslog_socket;     /* the /dev/log receiver's path; NULL: none */
        bool syslog_default;           /* it is the default: a live socket there is fine, left alone */
        struct supervisor_server control;
        const char *runtime_dir;       /* made (0755) if a socket is a default one inside it */
        const struct startup_config *startup; /* SPEC §9; must outlive the supervisor */

        /* System mode (SPEC §7): signals to vigil are shutdown requests, never
         * forwarded; the main command's exit runs on_exit. */
        bool system_mode;
        enum end_action on_exit;       /* --on-exit (never END_EXIT) */
        char *const *pre_run_exec;     /* argv of --pre-run-exec, or NULL */
        char *const *run_on_exit;      /* argv of --run-on-exit, or NULL */
        const char *shutdown_report;   /* --shutdown-report FILE, or NULL */
        void (*before_kill_all)(void); /* system mode: called before the kill-all's SIGTERM, or NULL */
        /* The main command's context (system mode options). */
        char *const *main_env;         /* KEY=VAL entries added to vigil's environment */
        bool main_set_ids;
        uid_t main_uid;
        gid_t main_gid;
        const char *main_working_directory;
        bool main_ctty;                /* new session, the console as its controlling tty */
        unsigned listen_fds;           /* socket activation: fds 3.. handed to the main command */
        const char *listen_fdnames;    /* $LISTEN_FDNAMES with them, or NULL */
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

/* vigil is on its way out: a drain began (--drain-sec, on SIGTERM) or the
 * stop itself did. From then on vigil is not ready (a readiness probe
 * fails) until it exits. */
bool supervisor_draining(void);

/* Run until everything has stopped; returns vigil's exit code. */
int supervisor_run(void);

/* The probes of `vigilctl check` (docs/CONTROL.md). Accepting: no stop has
 * begun, and no SIGTERM was forwarded to the main command (a drain before
 * the stop counts as begun: it makes this false). */
bool supervisor_accepting(void);
/* NULL once the boot is complete (latched: every unit of the boot started
 * or failed, the main command started), else what it still waits for. */
const char *supervisor_startup_pending(void);

/* After supervisor_run(): how vigil should end (END_EXIT in container
 * mode) and why, for the final steps of system mode. */
enum end_action supervisor_end_action(void);

/* System mode, --on-exit hang: keep reaping and wait for a signal or a
 * vigilctl request; returns the action asked for. */
enum end_action supervisor_hang(void);

void supervisor_free(void);

#endif
