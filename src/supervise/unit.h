/* SPDX-License-Identifier: MIT */
/*
 * One service at run time: its processes, timer, restart bookkeeping, and
 * the one writer of its state (unit_set_state(), static in unit.c). The
 * paths come from unit_transition() (unit_state.h); this file carries them
 * out: spawns the Exec*= commands from a spawn plan, signals per KillMode=,
 * arms the state's timer, and asks restart_decide() at the end of a stop.
 *
 * The processes of a unit (without cgroups): every process vigil spawns for
 * it leads its own session and process group, so "all processes of the
 * unit" are the members of those groups (helpers it forks, unless they
 * leave with setsid()/setpgid()). A Type=forking daemon's group is added
 * once its PIDFile= names it.
 */
#ifndef VIGIL_SUPERVISE_UNIT_H
#define VIGIL_SUPERVISE_UNIT_H

#include "core/loop.h"
#include "logcap/log_ring.h"
#include "unit/unit_state.h"
#include "unit/restart_policy.h"
#include "unit/start_limit.h"
#include "unit/unit_config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One end of a main process, for `vigilctl history` (SPEC §6). */
struct unit_exit_record {
        uint64_t realtime_usec;        /* when it ended (CLOCK_REALTIME) */
        uint64_t runtime_usec;         /* how long it ran */
        pid_t pid;
        enum exit_cause cause;         /* the row of the Restart= table */
        struct exit_info exit;
        bool core;
};

#define UNIT_HISTORY 32                /* exits kept per unit */

enum unit_job { UNIT_JOB_NONE, UNIT_JOB_PENDING, UNIT_JOB_OK, UNIT_JOB_FAILED };

/* What a process of the unit is to it. */
enum unit_proc_role { UNIT_PROC_MAIN, UNIT_PROC_CONTROL };

struct spawn_cache;

struct unit {
        struct unit_config config;
        size_t index;                  /* in the manager's table */
        const char *ident;             /* output prefix: SyslogIdentifier= or the name without .service */

        enum unit_state state;
        enum unit_result result;
        enum unit_job start_job;       /* for After= dependents and the main command */
        struct loop_timer timer;
        uint64_t state_since;
        uint64_t active_since;         /* loop_now() when the unit last came up (0: never) */
        bool restart_requested;        /* the user's restart: start again once stopped */
        struct unit_config *pending;   /* daemon-reload: the new definition, applied once inactive */
        bool removed;                  /* daemon-reload: its file is gone; dropped once inactive */

        pid_t main_pid;                /* 0: none */
        int main_status_fd;            /* exec-status pipe of the main process, -1 when read */
        struct loop_io exec_io;        /* Type=exec: watches main_status_fd for EOF */
        struct exit_info main_exit;    /* how the last main process ended */
        bool main_exit_known;
        size_t exec_start_next;        /* Type=oneshot: the next ExecStart= to run */

        pid_t control_pid;             /* the running ExecStartPre=/..., 0: none */
        int control_status_fd;
        const struct exec_list *control_list;
        size_t control_next;           /* index of the next command of control_list */
        const struct exec_command *control_cmd;

        pid_t *groups;                 /* process groups of the unit (see above) */
        size_t n_groups, cap_groups;

        /* sd_notify (SPEC §5) */
        struct loop_timer watchdog_timer;  /* the WatchdogSec= deadline; re-armed by WATCHDOG=1 */
        uint64_t watchdog_override_usec;   /* WATCHDOG_USEC= from the service (0: off) */
        bool watchdog_override;            /* ...was sent in this run: it replaces WatchdogSec= */
        uint64_t watchdog_last_ping;       /* loop_now() of the last WATCHDOG=1, 0: none */
        uint64_t watchdog_misses;
        char *status_text;                 /* STATUS=, NULL when none */
        int status_errno;                  /* ERRNO= */
        bool ready;                        /* READY=1 seen in this run */
        bool reload_by_notify;             /* in reload because of RELOADING=1 (no ExecReload=) */
        bool stop_by_notify;               /* in stop-sigterm because of STOPPING=1 (no signal) */
        uint64_t notify_accepted, notify_denied;

        struct unit_exit_record history[UNIT_HISTORY]; /* a ring */
        uint64_t history_total;        /* exits recorded since vigil started */
        uint64_t main_started;         /* loop_now() when the main process was spawned */

        struct start_limit limit;
        unsigned n_restarts;           /* automatic restarts since the last requested start */
        bool stop_requested;           /* a user's (or shutdown's) stop: never restart */
        bool in_queue;
        uint64_t restarts_total;

        /* runit directories (unit/runit_dir.h): */
        bool runit;                    /* finish gets runit's two arguments */
        bool no_autostart;             /* a "down" file: not started at boot */
        int stdin_fd, stdout_fd;       /* owned; -1: the usual (/dev/null, StandardOutput=) */
        struct spawn_cache *spawn_cache; /* this start's User=/Group= look-ups (spawn_inputs.h) */

        struct log_ring log;           /* its last output lines, for `vigilctl log` (owner: the unit) */
};

/* Take ownership of *config (left zeroed). */
struct unit *unit_new(struct unit_config *config, size_t index);
void unit_free(struct unit *u);

/* Replace the definition (the unit must be inactive); takes *config. */
int unit_set_config(struct unit *u, struct unit_config *config);

void unit_start(struct unit *u);
void unit_stop(struct unit *u);
/* Feed an event that has no process attached (deps-up, deps-failed, reload). */
void unit_event(struct unit *u, enum unit_event e);

/* A process of this unit was reaped. */
void unit_child_exited(struct unit *u, pid_t pid, enum unit_proc_role role, int wait_status);

/* In stop-sigterm/stop-sigkill: is anything of the unit left? Sends
 * all-gone when not. Called after every reap pass. */
void unit_check_all_gone(struct unit *u);

/* Effective NotifyAccess=: as set, else main for Type=notify or a
 * WatchdogSec= unit (systemd's default), else none. */
enum notify_access unit_notify_access(const struct unit *u);
/* Does the unit get NOTIFY_SOCKET? (Type=notify, WatchdogSec=, NotifyAccess=) */
bool unit_wants_notify(const struct unit *u);
/* WATCHDOG_USEC= override, else WatchdogSec=; 0 or infinity: off. */
uint64_t unit_watchdog_usec(const struct unit *u);

/* Who sent a notify datagram, as far as the unit is concerned. */
enum unit_sender { UNIT_SENDER_MAIN, UNIT_SENDER_CONTROL, UNIT_SENDER_OTHER };

struct notify_msg;
/* A parsed datagram from pid, a process of u. Applies NotifyAccess= and
 * then the message; false when the sender was not allowed to speak for u
 * (nothing was done). */
bool unit_notify(struct unit *u, pid_t pid, enum unit_sender sender, const struct notify_msg *msg);
/* The user's signal (vigilctl kill): every process of the unit, each once.
 * Returns how many targets (groups or pids) were signalled. */
int unit_signal_all(struct unit *u, int sig);

/* Is pid's process group one of the unit's? */
bool unit_owns_group(const struct unit *u, pid_t pgid);

/* Delay before the next automatic restart (systemd's
 * service_restart_usec_next()): RestartSec= for the first, then growing
 * geometrically to RestartMaxDelaySec= over RestartSteps= restarts. Pure. */
uint64_t unit_restart_delay(uint64_t restart_usec, unsigned steps, uint64_t max_delay_usec, unsigned n_restarts_next);

#endif
