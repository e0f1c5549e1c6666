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
#include "notify/notify_server.h"
#include "supervise/proc_index.h"
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
        const char *health;            /* the probe's health then (unit_view_health()) */
};

#define UNIT_HISTORY 32                /* exits kept per unit */

enum unit_job { UNIT_JOB_NONE, UNIT_JOB_PENDING, UNIT_JOB_OK, UNIT_JOB_FAILED };

struct unit;

/* How a unit reports upward (set once by its owner, the manager). A unit
 * never calls the manager: it writes its own state, then tells the hook,
 * and the hook only enqueues knock-on effects (STYLE §3). */
struct unit_hooks {
        /* u left state old (called at the end of the one state write). */
        void (*changed)(struct unit *u, enum unit_state old);
        /* u's SuccessAction=/FailureAction=/StartLimitAction= is due. */
        void (*action)(struct unit *u, enum unit_action action, bool success);
};
struct unit_context {
        struct unit_hooks hooks;
        int devnull;                   /* stdin of units (above 2), owned by the caller */
};
void unit_set_context(const struct unit_context *c);

/* Read side (the record itself is private: supervise/unit_internal.h). */
const char *unit_name(const struct unit *u);
const struct unit_config *unit_config(const struct unit *u);
enum unit_state unit_get_state(const struct unit *u);
enum unit_result unit_get_result(const struct unit *u);
enum unit_job unit_get_start_job(const struct unit *u);
/* How the last main process ended; NULL when it is not known. */
const struct exit_info *unit_main_exit(const struct unit *u);
pid_t unit_main_pid(const struct unit *u);
/* The owner's handle (the manager's table index). */
size_t unit_index(const struct unit *u);
void unit_set_index(struct unit *u, size_t index);
/* The owner's own data for the unit (the manager's per-unit record). */
void *unit_owner(const struct unit *u);
void unit_set_owner(struct unit *u, void *owner);
/* A runit service directory's unit (unit/runit_dir.h): with finish_args,
 * finish gets runit's two arguments; stdin_fd/stdout_fd (owned; -1: the
 * usual) link a service to its log/run. */
void unit_set_runit(struct unit *u, bool finish_args, int stdin_fd, int stdout_fd);

/* Take ownership of *config (left zeroed). */
struct unit *unit_new(struct unit_config *config, size_t index);
void unit_free(struct unit *u);

/* Replace the definition (the unit must be inactive); takes *config. */
int unit_set_config(struct unit *u, struct unit_config *config);

void unit_start(struct unit *u);
void unit_stop(struct unit *u);
/* The shutdown's stop budget (--stop-timeout, supervisor.h): from now on no
 * wait of u's stop before SIGKILL (ExecStop=, stop-sigterm) and no
 * ExecStopPost= ends past deadline (loop_now() time; 0: none), its own
 * TimeoutStopSec= when that is shorter; a timer already running past it is
 * moved to it. Once the deadline has passed, u neither restarts nor starts
 * ExecStop=/ExecStopPost= (the supervisor SIGKILLs everything left then).
 * budget_usec is the whole budget, for the log. */
void unit_set_stop_deadline(struct unit *u, uint64_t deadline, uint64_t budget_usec);
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

struct notify_msg;
/* A parsed datagram from pid, a process of u. Applies NotifyAccess= and
 * then the message; false when the sender was not allowed to speak for u
 * (nothing was done). */
bool unit_notify(struct unit *u, pid_t pid, enum unit_sender sender, const struct notify_msg *msg);
/* notify_deliver_fn for the notify server: the sender's unit by the
 * process index, then unit_notify(). */
/* logcap/syslog_server.h's syslog_attribute_fn. */
bool unit_syslog_attribute(pid_t pid, struct log_ring **ret_ring, const char **ret_ident);
/* Where u's syslog lines go (its ring, its tag). */
void unit_syslog_of(struct unit *u, struct log_ring **ret_ring, const char **ret_ident);
enum notify_verdict unit_notify_from(pid_t pid, const struct notify_msg *msg, char *why, size_t why_size,
                                     const char **ret_unit);
/* The user's signal (vigilctl kill): every process of the unit, each once.
 * Returns how many targets (groups or pids) were signalled. */
int unit_signal_all(struct unit *u, int sig);

/* Delay before the next automatic restart (systemd's
 * service_restart_usec_next()): RestartSec= for the first, then growing
 * geometrically to RestartMaxDelaySec= over RestartSteps= restarts. Pure. */
uint64_t unit_restart_delay(uint64_t restart_usec, unsigned steps, uint64_t max_delay_usec, unsigned n_restarts_next);

#endif
