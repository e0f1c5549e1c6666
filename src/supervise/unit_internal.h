/* SPDX-License-Identifier: MIT */
/*
 * The unit record, private to the unit module (unit.c, unit_exec.c,
 * unit_notify.c, unit_view.c). Everyone else goes through supervise/unit.h: accessors and
 * a const view for readers, requests and hooks for the manager.
 */
#ifndef VIGIL_SUPERVISE_UNIT_INTERNAL_H
#define VIGIL_SUPERVISE_UNIT_INTERNAL_H

#include "supervise/unit.h"

#include "core/log.h"

struct spawn_cache;

/* The health probe at run time (unit_probe.c; the rules: unit/probe_schedule.h). */
#define UNIT_PROBE_OUTPUT 256
struct unit_probe_run {
        struct probe_state st;
        struct loop_timer timer;       /* the next probe, or the running one's HealthTimeout= */
        bool running;                  /* one at a time */
        bool timed_out;                /* HealthExec=: killed at its timeout, waiting for the reap */
        bool connected;                /* HealthHTTP=: the request is sent, reading the reply */
        bool unhealthy;                /* the retries ran out: this stop is the probe's */
        uint64_t began;
        pid_t pid;                     /* HealthExec=: the probe (leads its own group), 0: none */
        int status_fd;                 /* ...its exec-status pipe, -1: none */
        struct loop_io io;             /* its output pipe, or the TCP socket; fd -1: none */
        enum unit_event held;          /* the start event held until the first success; UNIT_EVENT_MAX: none */
        char buf[512];                 /* the HTTP reply so far, or the exec output's current line */
        size_t n;
        /* what vigilctl shows */
        int last;                      /* -1: none yet, 0: failed, 1: passed */
        enum probe_verdict verdict;    /* of the last result */
        char line[UNIT_PROBE_OUTPUT];  /* exec: the running probe's last output line so far */
        char output[UNIT_PROBE_OUTPUT];/* the last result: exit status and last line, or what happened */
        uint64_t last_realtime;        /* when the last one ended (CLOCK_REALTIME) */
        uint64_t runs, failed;         /* since vigil started */
};

struct unit {
        struct unit_config config;
        size_t index;                  /* in the manager's table */
        void *owner;                   /* the manager's per-unit record */
        const char *ident;             /* output prefix: SyslogIdentifier= or the name without .service */

        enum unit_state state;
        enum unit_result result;
        enum unit_job start_job;       /* for After= dependents and the main command */
        struct loop_timer timer;
        uint64_t state_since;
        uint64_t active_since;         /* loop_now() when the unit last came up (0: never) */

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

        /* The last Condition*=/Assert*= check of a start (systemctl show's
         * ConditionResult=, AssertResult= and their timestamps). */
        uint64_t condition_realtime, assert_realtime;  /* CLOCK_REALTIME usec, 0: never checked */
        bool condition_met, assert_met;

        struct start_limit limit;
        unsigned n_restarts;           /* automatic restarts since the last requested start */
        bool stop_requested;           /* a user's (or shutdown's) stop: never restart */
        uint64_t stop_deadline;        /* the shutdown's stop budget ends (loop_now() time; 0: none) */
        uint64_t stop_budget_usec;     /* ...that budget, for the log */
        bool timer_cut;                /* the state's timer was cut to stop_deadline */
        bool stop_cut_logged;          /* the one "cut" line of this unit is written */
        uint64_t restarts_total;

        /* runit directories (unit/runit_dir.h): */
        bool runit;                    /* finish gets runit's two arguments */
        int stdin_fd, stdout_fd;       /* owned; -1: the usual (/dev/null, StandardOutput=) */
        struct spawn_cache *spawn_cache; /* this start's User=/Group= look-ups (spawn_inputs.h) */

        struct log_ring log;           /* its last output lines, for `vigilctl log` (owner: the unit) */
        struct unit_probe_run probe;   /* [X-Vigil] Health*= (unit_probe.c) */

        /* cgroup v2 (supervise/unit_cgroup.h): */
        int cgroup_fd;                 /* its group's directory, -1: none */
        int cgroup_events_fd;          /* cgroup.events, watched for EPOLLPRI; -1: none */
        struct loop_io cgroup_io;
        uint64_t cgroup_oom_kills;     /* memory.events oom_kill at this start */
        int cgroup_memory_events_fd;   /* memory.events, watched for EPOLLPRI (OOMPolicy=); -1: none */
        struct loop_io cgroup_memory_io;
        bool cgroup_oom_seen;          /* an OOM kill in the group since this start */
};

#define unit_log(level, u, fmt, ...) log_msg(level, "%s: " fmt, (u)->config.name, ##__VA_ARGS__)

/* Feed an event to the state machine (unit.c, the one state writer). */
void unit_feed(struct unit *u, enum unit_event e, enum unit_result exit_result);
/* The devnull fd of the context (stdin of units). */
int unit_devnull(void);

/* Its Exec*= commands (unit_exec.c). The main process: spawn the next
 * ExecStart= (the first at UNIT_START), and its reaped exit. */
void unit_main_spawn(struct unit *u);
void unit_main_exited(struct unit *u, int wait_status);
/* Run the control commands l (NULL: none) one after another; one reaped. */
void unit_control_run(struct unit *u, const struct exec_list *l);
void unit_control_exited(struct unit *u, int wait_status);

/* Its processes (unit_procs.c). Is pgid one of the unit's process groups? */
bool unit_in_groups(const struct unit *u, pid_t pgid);
void unit_groups_add(struct unit *u, pid_t pgid);
/* Drop the groups with no member left; forget them all. */
void unit_groups_prune(struct unit *u);
void unit_groups_clear(struct unit *u);
/* Processes left that a stop must wait for (KillMode= aware). */
bool unit_procs_left(struct unit *u);
/* 1 if sig was delivered to target (a pid, or -pgid); other failures than "gone" are logged. */
int unit_send(struct unit *u, pid_t target, int sig);
/* sig to the groups (with groups) and the main and control processes, each
 * once; cont: SIGCONT after it. Returns how many targets took it. */
int unit_signal_targets(struct unit *u, int sig, bool groups, bool cont);
/* KillMode=: who gets sig; all = the SIGKILL phase. */
void unit_kill(struct unit *u, int sig, bool all);
/* Spawn one Exec*= command: *ret_pid and *ret_status_fd, or -errno (logged). */
int unit_spawn(struct unit *u, const struct exec_command *cmd, bool stop_vars, bool main, pid_t *ret_pid,
               int *ret_status_fd);
/* Log why a spawned child failed before its exec (from its status fd). */
void unit_log_spawn_failure(struct unit *u, int status_fd, const char *what);
/* The result of a spawn that failed before fork. */
enum unit_result unit_spawn_failure_result(int r);
/* The absolute deadline `until` of the state's timer, cut to the stop
 * deadline in the states the stop budget caps (stop, stop-sigterm,
 * stop-post: the waits before SIGKILL, and ExecStopPost=); the first cut of
 * the unit is logged, its own wait as until - now (now: the time until was
 * counted from, so the log says "5s", not "4.999999s"). TIMESPAN_INFINITY:
 * no timer. */
uint64_t unit_stop_cap(struct unit *u, uint64_t until, uint64_t now);
/* Its cgroup (unit_cgroup.c; supervise/unit_cgroup.h has the design). */
void unit_cgroup_init(struct unit *u);
void unit_cgroup_free(struct unit *u);
bool unit_cgroup_active(const struct unit *u);
/* Before a spawn: the group exists (made, watched), and on the first
 * spawn of a start its limits are written and the OOM count taken. An
 * O_WRONLY fd on its cgroup.procs, or -1 without a group. */
int unit_cgroup_prepare(struct unit *u, bool first_of_start);
/* "populated 1" in cgroup.events (a read error counts as populated). */
bool unit_cgroup_populated(struct unit *u);
/* sig to every process of the group (SIGKILL: cgroup.kill if there is
 * one); cont: SIGCONT after it. How many took it. */
int unit_cgroup_signal(struct unit *u, int sig, bool cont);
/* The main process's exit result r, or oom-kill if the OOM killer killed
 * in the group since the start (logged once) and OOMPolicy= is not
 * continue. */
enum unit_result unit_cgroup_exit_result(struct unit *u, enum unit_result r);

/* The software watchdog (unit_notify.c): a new deadline from now; the timer's callback. */
void unit_watchdog_reset(struct unit *u);
void unit_watchdog_fired(struct loop_timer *t);

/* The health probe (unit_probe.c). A probe's process: its own output pipe,
 * not one of the unit's groups (unit_procs.c). */
int unit_spawn_probe(struct unit *u, const struct exec_command *cmd, int out_fd, pid_t *ret_pid, int *ret_status_fd);
void unit_probe_init(struct unit *u);
void unit_probe_free(struct unit *u);
/* u entered state s from old (unit_set_state()): probes begin with the
 * main process (start) and end when it leaves start..reload. */
void unit_probe_state_changed(struct unit *u, enum unit_state old);
/* Hold e (the type's "started", READY=1) until the first success: true when held. */
bool unit_probe_holds(struct unit *u, enum unit_event e);
/* The probe's process was reaped. */
void unit_probe_exited(struct unit *u, pid_t pid, int wait_status);
/* The stop in progress is a probe's (KillSignal=, not WatchdogSignal=). */
bool unit_probe_unhealthy(const struct unit *u);
/* For vigilctl: "-" (no probe), "starting", "healthy", "failing", "unhealthy". */
const char *unit_probe_health(const struct unit *u);

#endif
