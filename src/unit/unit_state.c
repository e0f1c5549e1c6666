/* SPDX-License-Identifier: MIT */
#include "unit/unit_state.h"

static const char *const state_names[UNIT_STATE_MAX + 1] = {
        [UNIT_DEAD] = "dead",
        [UNIT_WAITING] = "waiting",
        [UNIT_CONDITION] = "condition",
        [UNIT_START_PRE] = "start-pre",
        [UNIT_START] = "start",
        [UNIT_START_POST] = "start-post",
        [UNIT_RUNNING] = "running",
        [UNIT_EXITED] = "exited",
        [UNIT_RELOAD] = "reload",
        [UNIT_STOP] = "stop",
        [UNIT_STOP_SIGTERM] = "stop-sigterm",
        [UNIT_STOP_SIGKILL] = "stop-sigkill",
        [UNIT_STOP_POST] = "stop-post",
        [UNIT_AUTO_RESTART] = "auto-restart",
        [UNIT_FAILED] = "failed",
        [UNIT_DECIDE] = "decide",
};

static const char *const active_names[UNIT_STATE_MAX] = {
        [UNIT_DEAD] = "inactive",
        [UNIT_WAITING] = "activating",
        [UNIT_CONDITION] = "activating",
        [UNIT_START_PRE] = "activating",
        [UNIT_START] = "activating",
        [UNIT_START_POST] = "activating",
        [UNIT_RUNNING] = "active",
        [UNIT_EXITED] = "active",
        [UNIT_RELOAD] = "reloading",
        [UNIT_STOP] = "deactivating",
        [UNIT_STOP_SIGTERM] = "deactivating",
        [UNIT_STOP_SIGKILL] = "deactivating",
        [UNIT_STOP_POST] = "deactivating",
        [UNIT_AUTO_RESTART] = "activating",
        [UNIT_FAILED] = "failed",
};

static const char *const event_names[UNIT_EVENT_MAX] = {
        [UNIT_EV_START] = "start",
        [UNIT_EV_STOP] = "stop",
        [UNIT_EV_DEPS_UP] = "deps-up",
        [UNIT_EV_DEPS_FAILED] = "deps-failed",
        [UNIT_EV_LIMIT_HIT] = "start-limit-hit",
        [UNIT_EV_CONTROL_OK] = "control-ok",
        [UNIT_EV_CONTROL_FAILED] = "control-failed",
        [UNIT_EV_STARTED] = "started",
        [UNIT_EV_MAIN_EXITED] = "main-exited",
        [UNIT_EV_TIMEOUT] = "timeout",
        [UNIT_EV_ALL_GONE] = "all-gone",
        [UNIT_EV_RESTART] = "restart",
        [UNIT_EV_RELOAD] = "reload",
        [UNIT_EV_WATCHDOG] = "watchdog",
        [UNIT_EV_NOTIFY_READY] = "READY=1",
        [UNIT_EV_NOTIFY_RELOADING] = "RELOADING=1",
        [UNIT_EV_NOTIFY_STOPPING] = "STOPPING=1",
        [UNIT_EV_OOM_KILL] = "oom-kill",
};

static const char *const result_names[UNIT_RESULT_MAX] = {
        [UNIT_RESULT_SUCCESS] = "success",
        [UNIT_RESULT_EXIT_CODE] = "exit-code",
        [UNIT_RESULT_SIGNAL] = "signal",
        [UNIT_RESULT_CORE_DUMP] = "core-dump",
        [UNIT_RESULT_TIMEOUT] = "timeout",
        [UNIT_RESULT_WATCHDOG] = "watchdog",
        [UNIT_RESULT_START_LIMIT_HIT] = "start-limit-hit",
        [UNIT_RESULT_RESOURCES] = "resources",
        [UNIT_RESULT_PROTOCOL] = "protocol",
        [UNIT_RESULT_DEPENDENCY] = "dependency",
        [UNIT_RESULT_OOM_KILL] = "oom-kill",
        [UNIT_RESULT_EXEC_CONDITION] = "exec-condition",
};

const char *unit_state_to_string(enum unit_state s) {
        return (unsigned)s <= UNIT_STATE_MAX ? state_names[s] : "?";
}

const char *unit_state_active(enum unit_state s) {
        return (unsigned)s < UNIT_STATE_MAX ? active_names[s] : "?";
}

const char *unit_event_to_string(enum unit_event e) {
        return (unsigned)e < UNIT_EVENT_MAX ? event_names[e] : "?";
}

const char *unit_result_to_string(enum unit_result r) {
        return (unsigned)r < UNIT_RESULT_MAX ? result_names[r] : "?";
}

enum unit_timer_kind unit_state_timer(enum unit_state s) {
        switch (s) {
        case UNIT_CONDITION:
        case UNIT_START_PRE:
        case UNIT_START:
        case UNIT_START_POST:
        case UNIT_RELOAD:
                return UNIT_TIMER_START;
        case UNIT_STOP:
        case UNIT_STOP_SIGTERM:
        case UNIT_STOP_SIGKILL:
        case UNIT_STOP_POST:
                return UNIT_TIMER_STOP;
        case UNIT_AUTO_RESTART:
                return UNIT_TIMER_RESTART;
        default:
                return UNIT_TIMER_NONE;
        }
}

bool unit_state_is_up(enum unit_state s) {
        return s == UNIT_RUNNING || s == UNIT_EXITED || s == UNIT_RELOAD;
}

bool unit_state_has_watchdog(enum unit_state s) {
        return s == UNIT_START_POST || s == UNIT_RUNNING || s == UNIT_RELOAD;
}

bool unit_state_is_inactive(enum unit_state s) {
        return s == UNIT_DEAD || s == UNIT_FAILED;
}

bool unit_state_is_settled(enum unit_state s) {
        return unit_state_is_up(s) || unit_state_is_inactive(s) || s == UNIT_AUTO_RESTART;
}

bool unit_state_is_stopping(enum unit_state s) {
        return s == UNIT_STOP || s == UNIT_STOP_SIGTERM || s == UNIT_STOP_SIGKILL || s == UNIT_STOP_POST;
}

/* The first failure sticks (systemd: "if (s->result == SERVICE_SUCCESS) s->result = f"). */
static enum unit_result merged(const struct unit_facts *f, enum unit_result r) {
        if (r == UNIT_RESULT_KEEP || f->result != UNIT_RESULT_SUCCESS)
                return f->result;
        return r;
}

/* Entering `s`: skip what has nothing to do, so the caller gets the state
 * the unit really rests in. `result` is the result after this event. */
static enum unit_state enter(enum unit_state s, const struct unit_facts *f, enum unit_result result) {
        for (;;) {
                switch (s) {
                case UNIT_CONDITION:
                        if (f->has_condition)
                                return s;
                        s = UNIT_START_PRE;
                        continue;
                case UNIT_START_PRE:
                        if (f->has_start_pre)
                                return s;
                        s = UNIT_START;
                        continue;
                case UNIT_START_POST:
                        if (f->has_start_post)
                                return s;
                        s = UNIT_RUNNING;
                        continue;
                case UNIT_RUNNING:
                        /* systemd's service_enter_running(). */
                        if (result != UNIT_RESULT_SUCCESS)
                                s = UNIT_STOP_SIGTERM;
                        else if (f->main_alive)
                                return s;
                        else if (f->remain_after_exit)
                                return UNIT_EXITED;
                        else
                                s = UNIT_STOP;
                        continue;
                case UNIT_STOP:
                        if (f->has_stop)
                                return s;
                        s = UNIT_STOP_SIGTERM;
                        continue;
                case UNIT_STOP_SIGTERM:
                case UNIT_STOP_SIGKILL:
                        if (f->procs_left)
                                return s;
                        s = UNIT_STOP_POST;
                        continue;
                case UNIT_STOP_POST:
                        if (f->has_stop_post)
                                return s;
                        return UNIT_DECIDE;
                default:
                        return s;
                }
        }
}

static struct unit_transition go(enum unit_state to, const struct unit_facts *f, enum unit_result r,
                                 const char *why) {
        enum unit_result after = merged(f, r);
        return (struct unit_transition){ .next = enter(to, f, after), .result = r, .ignored = false, .why = why };
}

static struct unit_transition ignore(enum unit_state s, const char *why) {
        return (struct unit_transition){ .next = s, .result = UNIT_RESULT_KEEP, .ignored = true, .why = why };
}

/* Record a result but stay (the main process died while a control command runs). */
static struct unit_transition note(enum unit_state s, enum unit_result r, const char *why) {
        return (struct unit_transition){ .next = s, .result = r, .ignored = false, .why = why };
}

/* The states that run one Exec*= list, side by side (systemd's
 * service_enter_condition(), _start_pre(), _start_post(), _stop(),
 * _stop_post()): where the list's end, its failure (with the command's
 * result) and the state's timeout lead. main_why: the main process may
 * still run and its exit is recorded (NULL: ignored). */
static const struct command_state {
        enum unit_state ok, failed, timed_out;
        const char *ok_why, *failed_why, *timeout_why, *main_why, *running_why;
} command_states[UNIT_STATE_MAX] = {
        [UNIT_CONDITION] = { UNIT_START_PRE, UNIT_STOP_SIGTERM, UNIT_STOP_SIGTERM, "ExecCondition= passed",
                             "ExecCondition= not met or failed", "start timed out", NULL, "ExecCondition= running" },
        [UNIT_START_PRE] = { UNIT_START, UNIT_STOP_SIGTERM, UNIT_STOP_SIGTERM, "ExecStartPre= done",
                             "ExecStartPre= failed", "start timed out", NULL, "ExecStartPre= running" },
        [UNIT_START_POST] = { UNIT_RUNNING, UNIT_STOP, UNIT_STOP, "ExecStartPost= done", "ExecStartPost= failed",
                              "start timed out", "main process exited during ExecStartPost=",
                              "ExecStartPost= running" },
        [UNIT_STOP] = { UNIT_STOP_SIGTERM, UNIT_STOP_SIGTERM, UNIT_STOP_SIGTERM, "ExecStop= done", "ExecStop= failed",
                        "ExecStop= timed out", "main process exited during ExecStop=", "ExecStop= running" },
        [UNIT_STOP_POST] = { UNIT_DECIDE, UNIT_DECIDE, UNIT_DECIDE, "ExecStopPost= done", "ExecStopPost= failed",
                             "ExecStopPost= timed out", NULL, "ExecStopPost= running" },
};

static struct unit_transition command_step(enum unit_state s, enum unit_event e, const struct unit_facts *f) {
        const struct command_state *c = &command_states[s];
        switch (e) {
        case UNIT_EV_CONTROL_OK:
                return go(c->ok, f, UNIT_RESULT_KEEP, c->ok_why);
        case UNIT_EV_CONTROL_FAILED:
                return go(c->failed, f, f->exit_result, c->failed_why);
        case UNIT_EV_TIMEOUT:
                return go(c->timed_out, f, UNIT_RESULT_TIMEOUT, c->timeout_why);
        case UNIT_EV_MAIN_EXITED:
                if (c->main_why)
                        return note(s, f->exit_result, c->main_why);
                break;
        default:
                break;
        }
        return ignore(s, c->running_why);
}

/* OOMPolicy=stop (systemd's service_notify_cgroup_oom_event()): a unit
 * that runs is stopped cleanly (ExecStop= first), one still starting gets
 * KillSignal= at once, with the result oom-kill either way; a stop already
 * under way records it. */
static struct unit_transition oom_kill(enum unit_state s, const struct unit_facts *f) {
        switch (s) {
        case UNIT_START_PRE:
        case UNIT_START:
                return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_OOM_KILL, "OOM kill while starting");
        case UNIT_START_POST:
        case UNIT_RUNNING:
        case UNIT_EXITED:
        case UNIT_RELOAD:
                return go(UNIT_STOP, f, UNIT_RESULT_OOM_KILL, "OOM kill, OOMPolicy=stop");
        case UNIT_STOP:
        case UNIT_STOP_SIGTERM:
        case UNIT_STOP_SIGKILL:
        case UNIT_STOP_POST:
                return note(s, UNIT_RESULT_OOM_KILL, "OOM kill while stopping");
        default:
                return ignore(s, "no process running");
        }
}

struct unit_transition unit_transition(enum unit_state s, enum unit_event e, const struct unit_facts *f) {
        if ((unsigned)s >= UNIT_STATE_MAX || (unsigned)e >= UNIT_EVENT_MAX)
                return ignore(s, "invalid state or event");

        /* Stop requests, the same from every activating or active state. */
        if (e == UNIT_EV_STOP) {
                switch (s) {
                case UNIT_DEAD:
                case UNIT_FAILED:
                        return ignore(s, "not running");
                case UNIT_WAITING:
                case UNIT_AUTO_RESTART:
                        return go(UNIT_DEAD, f, UNIT_RESULT_KEEP, "stop requested before start");
                case UNIT_CONDITION:
                case UNIT_START_PRE:
                case UNIT_START:
                        /* ExecStop= runs only for a unit that started. */
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_KEEP, "stop requested while starting");
                case UNIT_START_POST:
                case UNIT_RUNNING:
                case UNIT_EXITED:
                case UNIT_RELOAD:
                        return go(UNIT_STOP, f, UNIT_RESULT_KEEP, "stop requested");
                default:
                        return ignore(s, "already stopping");
                }
        }

        if (e == UNIT_EV_OOM_KILL)
                return oom_kill(s, f);

        switch (s) {
        case UNIT_DEAD:
        case UNIT_FAILED:
                if (e == UNIT_EV_START)
                        return go(UNIT_WAITING, f, UNIT_RESULT_KEEP, "start requested");
                return ignore(s, "not running");

        case UNIT_WAITING:
                switch (e) {
                case UNIT_EV_DEPS_UP:
                        return go(UNIT_CONDITION, f, UNIT_RESULT_KEEP, "dependencies are up");
                case UNIT_EV_DEPS_FAILED:
                        return go(UNIT_DEAD, f, UNIT_RESULT_DEPENDENCY, "a required unit failed");
                case UNIT_EV_LIMIT_HIT:
                        return (struct unit_transition){ UNIT_FAILED, UNIT_RESULT_START_LIMIT_HIT, false,
                                                         "start limit hit" };
                default:
                        return ignore(s, "waiting for dependencies");
                }

        case UNIT_CONDITION:
                /* systemd's service_enter_condition(): a failure (exec-condition
                 * for 1..254, unit_exec.c) goes through the stop path. */
                return command_step(s, e, f);

        case UNIT_START_PRE:
                return command_step(s, e, f);

        case UNIT_START:
                switch (e) {
                case UNIT_EV_STARTED:
                        return go(UNIT_START_POST, f, UNIT_RESULT_KEEP, "main process started");
                case UNIT_EV_NOTIFY_READY:
                        if (f->type != SERVICE_NOTIFY)
                                return ignore(s, "READY=1 completes the start of Type=notify only");
                        return go(UNIT_START_POST, f, UNIT_RESULT_KEEP, "READY=1");
                case UNIT_EV_MAIN_EXITED:
                        if (f->exit_result == UNIT_RESULT_SUCCESS &&
                            (f->type == SERVICE_NOTIFY || f->type == SERVICE_FORKING))
                                return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_PROTOCOL,
                                          "main process exited before it was ready");
                        if (f->exit_result == UNIT_RESULT_SUCCESS)
                                return go(UNIT_START_POST, f, UNIT_RESULT_KEEP, "main process finished");
                        return go(UNIT_STOP_SIGTERM, f, f->exit_result, "main process failed while starting");
                case UNIT_EV_TIMEOUT:
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_TIMEOUT, "start timed out");
                case UNIT_EV_WATCHDOG:
                        /* Only a health probe gets here (the software watchdog
                         * starts with start-post): unhealthy before ready. */
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_WATCHDOG, "unhealthy while starting");
                default:
                        return ignore(s, "main process starting");
                }

        case UNIT_START_POST:
                if (e == UNIT_EV_WATCHDOG)
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_WATCHDOG, "watchdog timeout");
                return command_step(s, e, f);

        case UNIT_RUNNING:
                switch (e) {
                case UNIT_EV_MAIN_EXITED:
                        return go(UNIT_RUNNING, f, f->exit_result, "main process exited");
                case UNIT_EV_RELOAD:
                        if (!f->has_reload)
                                return ignore(s, "no ExecReload=");
                        return go(UNIT_RELOAD, f, UNIT_RESULT_KEEP, "reload requested");
                case UNIT_EV_WATCHDOG:
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_WATCHDOG, "watchdog timeout");
                case UNIT_EV_NOTIFY_RELOADING:
                        return go(UNIT_RELOAD, f, UNIT_RESULT_KEEP, "RELOADING=1");
                case UNIT_EV_NOTIFY_STOPPING:
                        /* The service stops by itself: wait for it, no signal (unit.c). */
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_KEEP, "STOPPING=1");
                default:
                        return ignore(s, "running");
                }

        case UNIT_EXITED:
                if (e == UNIT_EV_RELOAD && f->has_reload)
                        return go(UNIT_RELOAD, f, UNIT_RESULT_KEEP, "reload requested");
                return ignore(s, "exited (RemainAfterExit=yes)");

        case UNIT_RELOAD:
                switch (e) {
                case UNIT_EV_CONTROL_OK:
                case UNIT_EV_CONTROL_FAILED:
                case UNIT_EV_TIMEOUT:
                        /* A failed reload leaves the service running (systemd records it apart). */
                        return go(UNIT_RUNNING, f, UNIT_RESULT_KEEP, "reload over");
                case UNIT_EV_MAIN_EXITED:
                        return note(s, f->exit_result, "main process exited during ExecReload=");
                case UNIT_EV_NOTIFY_READY:
                        if (f->control_alive)
                                return ignore(s, "ExecReload= still running");
                        return go(UNIT_RUNNING, f, UNIT_RESULT_KEEP, "READY=1: reload over");
                case UNIT_EV_WATCHDOG:
                        return go(UNIT_STOP_SIGTERM, f, UNIT_RESULT_WATCHDOG, "watchdog timeout");
                default:
                        return ignore(s, "reloading");
                }

        case UNIT_STOP:
                return command_step(s, e, f);

        case UNIT_STOP_SIGTERM:
                switch (e) {
                case UNIT_EV_ALL_GONE:
                        return go(UNIT_STOP_POST, f, UNIT_RESULT_KEEP, "all processes gone");
                case UNIT_EV_TIMEOUT:
                        if (f->send_sigkill)
                                return go(UNIT_STOP_SIGKILL, f, UNIT_RESULT_TIMEOUT, "stop timed out");
                        return go(UNIT_STOP_POST, f, UNIT_RESULT_TIMEOUT, "stop timed out, SendSIGKILL=no");
                case UNIT_EV_MAIN_EXITED:
                        return note(s, f->exit_result, "main process exited");
                default:
                        return ignore(s, "waiting for processes to exit");
                }

        case UNIT_STOP_SIGKILL:
                switch (e) {
                case UNIT_EV_ALL_GONE:
                        return go(UNIT_STOP_POST, f, UNIT_RESULT_KEEP, "all processes gone");
                case UNIT_EV_TIMEOUT:
                        return go(UNIT_STOP_POST, f, UNIT_RESULT_KEEP, "processes survived SIGKILL");
                default:
                        return ignore(s, "waiting for killed processes");
                }

        case UNIT_STOP_POST:
                return command_step(s, e, f);

        case UNIT_AUTO_RESTART:
                if (e == UNIT_EV_RESTART || e == UNIT_EV_START)
                        return go(UNIT_WAITING, f, UNIT_RESULT_KEEP, "restarting");
                return ignore(s, "waiting to restart");

        default:
                return ignore(s, "invalid state");
        }
}
