/* SPDX-License-Identifier: MIT */
/*
 * The service state machine as a pure function (STYLE §1, §2): given where a
 * unit is, what happened, and the few facts the path depends on, say where
 * it goes next and what result to record. The states are systemd's service
 * sub-states and the paths are the ones systemd's service.c takes (read
 * beside systemd.service(5)); docs/DESIGN.md "Units at run time" draws them.
 *
 * unit.c is the only caller: it gathers the facts, calls unit_transition(),
 * then enters the returned state (spawning, signalling, arming the timer).
 * Entering a state whose work is empty (no ExecStartPre=, nothing left to
 * kill, ...) is resolved here too, so one call returns the final state.
 * UNIT_DECIDE is not a state a unit rests in: it means "the stop path is
 * over; ask the restart policy", which unit.c does with restart_decide().
 */
#ifndef VIGIL_UNIT_UNIT_STATE_H
#define VIGIL_UNIT_UNIT_STATE_H

#include "unit/unit_config.h"

#include <stdbool.h>

enum unit_state {
        UNIT_DEAD,
        UNIT_WAITING,          /* start requested; waiting for its After= units */
        UNIT_CONDITION,        /* ExecCondition= (systemd's "condition" sub-state) */
        UNIT_START_PRE,
        UNIT_START,
        UNIT_START_POST,
        UNIT_RUNNING,
        UNIT_EXITED,           /* RemainAfterExit=yes and the main process is gone */
        UNIT_RELOAD,
        UNIT_STOP,             /* ExecStop= */
        UNIT_STOP_SIGTERM,     /* KillSignal= (or WatchdogSignal=) sent */
        UNIT_STOP_SIGKILL,
        UNIT_STOP_POST,        /* ExecStopPost= */
        UNIT_AUTO_RESTART,     /* waiting RestartSec= (with back-off) */
        UNIT_FAILED,
        UNIT_STATE_MAX,
        UNIT_DECIDE = UNIT_STATE_MAX, /* pseudo-state, see above */
};

enum unit_event {
        UNIT_EV_START,           /* start requested (boot, or the user) */
        UNIT_EV_STOP,            /* stop requested (the user, or shutdown) */
        UNIT_EV_DEPS_UP,         /* every After= unit has finished starting */
        UNIT_EV_DEPS_FAILED,     /* a Requires=/BindsTo= unit failed to start */
        UNIT_EV_LIMIT_HIT,       /* StartLimitBurst= exceeded */
        UNIT_EV_CONTROL_OK,      /* the running Exec*= list finished */
        UNIT_EV_CONTROL_FAILED,  /* a command of it without "-" failed */
        UNIT_EV_STARTED,         /* the main process counts as started (per Type=) */
        UNIT_EV_MAIN_EXITED,     /* the main process is gone (facts.clean says how) */
        UNIT_EV_TIMEOUT,         /* the state's timer fired */
        UNIT_EV_ALL_GONE,        /* no process of the unit is left */
        UNIT_EV_RESTART,         /* RestartSec= elapsed */
        UNIT_EV_RELOAD,          /* reload requested */
        UNIT_EV_WATCHDOG,        /* the software watchdog deadline passed, or WATCHDOG=trigger */
        UNIT_EV_NOTIFY_READY,    /* READY=1 from an authorised sender */
        UNIT_EV_NOTIFY_RELOADING,/* RELOADING=1 */
        UNIT_EV_NOTIFY_STOPPING, /* STOPPING=1 */
        UNIT_EV_OOM_KILL,        /* the OOM killer killed in its cgroup, OOMPolicy=stop */
        UNIT_EVENT_MAX,
};

/* systemd's ServiceResult: why the unit stopped (SERVICE_RESULT= of ExecStopPost=). */
enum unit_result {
        UNIT_RESULT_SUCCESS,
        UNIT_RESULT_EXIT_CODE,
        UNIT_RESULT_SIGNAL,
        UNIT_RESULT_CORE_DUMP,
        UNIT_RESULT_TIMEOUT,
        UNIT_RESULT_WATCHDOG,
        UNIT_RESULT_START_LIMIT_HIT,
        UNIT_RESULT_RESOURCES,   /* vigil could not fork or prepare the process */
        UNIT_RESULT_PROTOCOL,    /* Type=notify/forking: main exited without becoming ready */
        UNIT_RESULT_DEPENDENCY,  /* a required unit failed */
        UNIT_RESULT_OOM_KILL,    /* the kernel's OOM killer killed in its cgroup (memory.events) */
        UNIT_RESULT_EXEC_CONDITION, /* ExecCondition= exited 1..254: skipped, inactive, not failed */
        UNIT_RESULT_MAX,
        UNIT_RESULT_KEEP = UNIT_RESULT_MAX,   /* in a transition: leave the result as it is */
};

/* What the path depends on, gathered by unit.c before each call. */
struct unit_facts {
        enum service_type type;
        bool remain_after_exit;
        bool has_condition, has_start_pre, has_start_post, has_stop, has_stop_post, has_reload;
        bool send_sigkill;
        bool main_alive;       /* the main process is running */
        bool control_alive;    /* a control command (ExecStartPost=, ExecReload=, ...) is running */
        bool procs_left;       /* anything left to wait for in stop-sigterm/sigkill */
        enum unit_result result; /* recorded so far (SUCCESS until something failed) */
        enum unit_result exit_result; /* for MAIN_EXITED / CONTROL_FAILED: what the exit means */
};

struct unit_transition {
        enum unit_state next;      /* == state and ignored: nothing happens */
        enum unit_result result;   /* UNIT_RESULT_KEEP or the result to record */
        bool ignored;              /* the event means nothing in this state */
        const char *why;           /* for ignored events and debug logs */
};

struct unit_transition unit_transition(enum unit_state state, enum unit_event event, const struct unit_facts *f);

const char *unit_state_to_string(enum unit_state s);
/* systemd's ActiveState for a sub-state: "inactive", "activating", ... */
const char *unit_state_active(enum unit_state s);
const char *unit_event_to_string(enum unit_event e);
const char *unit_result_to_string(enum unit_result r);

/* Does this state run a timer, and with which budget? */
enum unit_timer_kind { UNIT_TIMER_NONE, UNIT_TIMER_START, UNIT_TIMER_STOP, UNIT_TIMER_RESTART };
enum unit_timer_kind unit_state_timer(enum unit_state s);

/* The start of the unit has been attempted and is over (ok or not): After=
 * dependents may go on. */
bool unit_state_is_settled(enum unit_state s);
/* active or reloading: up, for After= dependents and Requires=. */
bool unit_state_is_up(enum unit_state s);
bool unit_state_is_stopping(enum unit_state s);
/* The software watchdog runs in these states (systemd: start-post,
 * running, reload); entering them from any other state starts it afresh. */
bool unit_state_has_watchdog(enum unit_state s);
/* dead or failed. */
bool unit_state_is_inactive(enum unit_state s);

#endif
