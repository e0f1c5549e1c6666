/* SPDX-License-Identifier: MIT */
#include "supervise/diag_report.h"
#include "supervise/unit_internal.h"

#include "base/timespan.h"
#include "core/log.h"
#include "os/event.h"
#include "os/fd.h"
#include "supervise/spawn_inputs.h"
#include "notify/notify_server.h"
#include "logcap/output.h"
#include "unit/env_file.h"
#include "notify/notify_msg.h"
#include "unit/exec_line.h"
#include "unit/spawn_build.h"
#include "supervise/proc_index.h"
#include "supervise/unit_conditions.h"
#include "supervise/unit_dirs.h"
#include "unit/unit_result.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void go(struct unit *u, enum unit_state next);

static struct unit_context ctx = { .devnull = -1 };

void unit_set_context(const struct unit_context *c) {
        ctx = *c;
}

int unit_devnull(void) {
        return ctx.devnull;
}

static void action_due(struct unit *u, enum unit_action action, bool success) {
        if (ctx.hooks.action)
                ctx.hooks.action(u, action, success);
}

uint64_t unit_restart_delay(uint64_t restart_usec, unsigned steps, uint64_t max_delay_usec, unsigned n) {
        if (n <= 1 || steps == 0 || restart_usec == 0 || max_delay_usec == TIMESPAN_INFINITY ||
            restart_usec >= max_delay_usec)
                return restart_usec;
        if (n > steps)
                return max_delay_usec;
        double ratio = (double)max_delay_usec / (double)restart_usec;
        return (uint64_t)((double)restart_usec * pow(ratio, (double)(n - 1) / (double)steps));
}

/* ---------------------------------------------------------------- the state machine */

static void timer_fired(struct loop_timer *t) {
        struct unit *u = t->data;
        if (u->state == UNIT_AUTO_RESTART) {
                unit_feed(u, UNIT_EV_RESTART, UNIT_RESULT_KEEP);
                return;
        }
        char span[32];
        uint64_t usec = unit_state_timer(u->state) == UNIT_TIMER_START ? u->config.timeout_start_usec
                                                                       : u->config.timeout_stop_usec;
        if (u->timer_cut)
                unit_log(LOG_LEVEL_WARNING, u, "%s cut short: the %s stop budget is used up",
                         unit_state_to_string(u->state), timespan_format(u->stop_budget_usec, span, sizeof(span)));
        else
                unit_log(LOG_LEVEL_WARNING, u, "%s timed out after %s", unit_state_to_string(u->state),
                         timespan_format(usec, span, sizeof(span)));
        if (u->state == UNIT_STOP_SIGKILL) {
                unit_groups_prune(u);
                unit_log(LOG_LEVEL_WARNING, u, "processes survived SIGKILL (uninterruptible sleep?), giving up on them");
                /* Forget them: they are no longer the unit's to wait for. */
                if (u->main_pid > 0)
                        proc_index_remove_pid(u->main_pid);
                if (u->control_pid > 0)
                        proc_index_remove_pid(u->control_pid);
                u->main_pid = u->control_pid = 0;
                unit_groups_clear(u);
        } else if (u->control_pid > 0 && unit_state_timer(u->state) != UNIT_TIMER_NONE &&
                   u->state != UNIT_STOP_SIGTERM) {
                /* A control command overran: kill it, it will not be waited for. */
                unit_send(u, -u->control_pid, SIGKILL);
                unit_send(u, u->control_pid, SIGKILL);
        }
        u->control_list = NULL;
        unit_feed(u, UNIT_EV_TIMEOUT, UNIT_RESULT_KEEP);
}

static struct unit_facts facts(struct unit *u, enum unit_result exit_result) {
        const struct unit_config *c = &u->config;
        bool forking_unknown = c->type == SERVICE_FORKING && !c->pid_file && u->main_pid == 0;
        bool main_alive = u->main_pid > 0;
        if (forking_unknown) {
                unit_groups_prune(u);
                main_alive = u->n_groups > 0 || (unit_cgroup_active(u) && unit_cgroup_populated(u));
        }
        return (struct unit_facts){
                .type = c->type,
                .remain_after_exit = c->remain_after_exit,
                .has_condition = c->exec_condition.n > 0,
                .has_start_pre = c->exec_start_pre.n > 0,
                .has_start_post = c->exec_start_post.n > 0,
                .has_stop = c->exec_stop.n > 0,
                .has_stop_post = c->exec_stop_post.n > 0,
                .has_reload = c->exec_reload.n > 0,
                .send_sigkill = c->send_sigkill,
                .main_alive = main_alive,
                .control_alive = u->control_pid > 0,
                .procs_left = unit_procs_left(u),
                .result = u->result,
                .exit_result = exit_result == UNIT_RESULT_KEEP ? UNIT_RESULT_SUCCESS : exit_result,
        };
}

/* ---------------------------------------------------------------- the stop budget */

/* The waits of a stop the budget caps: before SIGKILL, and ExecStopPost=.
 * stop-sigkill is not one: SIGKILL was sent, the kernel finishes it. */
static bool budget_caps(enum unit_state s) {
        return s == UNIT_STOP || s == UNIT_STOP_SIGTERM || s == UNIT_STOP_POST;
}

static bool stop_budget_spent(const struct unit *u) {
        return u->stop_deadline != 0 && loop_now() >= u->stop_deadline;
}

uint64_t unit_stop_cap(struct unit *u, uint64_t until, uint64_t now) {
        if (u->stop_deadline == 0 || !budget_caps(u->state) || until <= u->stop_deadline)
                return until;
        u->timer_cut = true;
        if (!u->stop_cut_logged) {
                u->stop_cut_logged = true;
                char own[32], left[32], budget[32];
                unit_log(LOG_LEVEL_NOTICE, u, "stop timeout cut from %s to %s: what is left of the %s stop budget",
                         timespan_format(until == TIMESPAN_INFINITY ? until : until - now, own, sizeof(own)),
                         timespan_format(u->stop_deadline > now ? u->stop_deadline - now : 0, left, sizeof(left)),
                         timespan_format(u->stop_budget_usec, budget, sizeof(budget)));
        }
        return u->stop_deadline;
}

void unit_set_stop_deadline(struct unit *u, uint64_t deadline, uint64_t budget_usec) {
        u->stop_deadline = deadline;
        u->stop_budget_usec = budget_usec;
        if (deadline == 0 || !budget_caps(u->state))
                return;
        uint64_t until = u->timer.heap_index != TIMER_NOT_ARMED ? u->timer.deadline : TIMESPAN_INFINITY;
        uint64_t cut = unit_stop_cap(u, until, loop_now());
        if (cut != until && loop_timer_arm(&u->timer, cut) < 0)
                unit_log(LOG_LEVEL_ERROR, u, "cannot arm the %s timer: out of memory", unit_state_to_string(u->state));
}

/* The only writer of u->state. */
static void unit_set_state(struct unit *u, enum unit_state s) {
        enum unit_state old = u->state;
        if (old == s)
                return;
        u->state = s;
        u->state_since = loop_now();
        unit_log(LOG_LEVEL_INFO, u, "%s -> %s", unit_state_to_string(old), unit_state_to_string(s));

        loop_timer_cancel(&u->timer);
        uint64_t usec = TIMESPAN_INFINITY;
        switch (unit_state_timer(s)) {
        case UNIT_TIMER_START:
                usec = u->config.timeout_start_usec;
                break;
        case UNIT_TIMER_STOP:
                usec = u->config.timeout_stop_usec;
                break;
        case UNIT_TIMER_RESTART:
                usec = unit_restart_delay(u->config.restart_usec, u->config.restart_steps,
                                          u->config.restart_max_delay_usec, u->n_restarts);
                break;
        default:
                break;
        }
        /* Each state gets a fresh budget, as in systemd, cut to the stop
         * budget's deadline in the states it caps. A 0 start/stop timeout
         * cannot occur (the loader makes it infinity); RestartSec=0 arms a
         * timer due at once. */
        uint64_t now = loop_now();
        uint64_t until = usec == TIMESPAN_INFINITY || usec > TIMESPAN_INFINITY - now ? TIMESPAN_INFINITY : now + usec;
        u->timer_cut = false;
        until = unit_stop_cap(u, until, now);
        if (until != TIMESPAN_INFINITY && loop_timer_arm(&u->timer, until) < 0)
                unit_log(LOG_LEVEL_ERROR, u, "cannot arm the %s timer: out of memory", unit_state_to_string(s));

        if (unit_state_is_up(s) && !unit_state_is_up(old))
                u->active_since = u->state_since;

        /* The software watchdog lives in start-post/running/reload. */
        if (!unit_state_has_watchdog(s))
                loop_timer_cancel(&u->watchdog_timer);
        else if (!unit_state_has_watchdog(old))
                unit_watchdog_reset(u);
        if (old == UNIT_RELOAD)
                u->reload_by_notify = false;
        if (old == UNIT_STOP_SIGTERM)
                u->stop_by_notify = false;
        unit_probe_state_changed(u, old);
        unit_dirs_state_changed(u->config.name, &u->config, old, s);

        /* The start job (After= dependents, the main command) ends here. */
        if (u->start_job == UNIT_JOB_PENDING) {
                if (unit_state_is_up(s))
                        u->start_job = UNIT_JOB_OK;
                else if (unit_state_is_inactive(s) || s == UNIT_AUTO_RESTART)
                        u->start_job = unit_result_start_ok(u->result) ? UNIT_JOB_OK : UNIT_JOB_FAILED;
        }
        if (ctx.hooks.changed)
                ctx.hooks.changed(u, old);
}

/* The end of the stop path: restart or rest (systemd's service_enter_dead()). */
static void decide(struct unit *u) {
        struct unit_cause cause = unit_result_cause(u->result);
        const struct exit_info *e = u->main_exit_known ? &u->main_exit : NULL;
        struct restart_verdict v = restart_decide(&u->config.restart, cause.cause, e, u->stop_requested);
        if (cause.restartable && v.restart && stop_budget_spent(u)) {
                unit_log(LOG_LEVEL_INFO, u, "result %s, not restarting: the stop budget is used up",
                         unit_result_to_string(u->result));
                v.restart = false;
        }
        if (cause.restartable && v.restart) {
                u->n_restarts++;
                u->restarts_total++;
                char span[32];
                uint64_t d = unit_restart_delay(u->config.restart_usec, u->config.restart_steps,
                                                u->config.restart_max_delay_usec, u->n_restarts);
                unit_log(LOG_LEVEL_INFO, u, "result %s, restarting in %s (%s)", unit_result_to_string(u->result),
                         timespan_format(d >= 10 * USEC_PER_MSEC ? (d + 500) / 1000 * 1000 : d, span, sizeof(span)),
                         restart_reason_to_string(v.reason));
                go(u, UNIT_AUTO_RESTART);
                return;
        }
        if (u->result == UNIT_RESULT_EXEC_CONDITION) {
                unit_log(LOG_LEVEL_NOTICE, u, "skipped: ExecCondition= not met");
                go(u, UNIT_DEAD);
        } else if (u->result == UNIT_RESULT_SUCCESS) {
                go(u, UNIT_DEAD);
                if (!u->stop_requested)
                        action_due(u, u->config.success_action, true);
        } else {
                unit_log(LOG_LEVEL_NOTICE, u, "failed with result %s", unit_result_to_string(u->result));
                go(u, UNIT_FAILED);
                if (!u->stop_requested)
                        action_due(u, u->config.failure_action, false);
        }
}

/* Enter next and do its work. */
static void go(struct unit *u, enum unit_state next) {
        if (next == UNIT_DECIDE) {
                decide(u);
                return;
        }
        unit_set_state(u, next);
        switch (next) {
        case UNIT_CONDITION:
                unit_control_run(u, &u->config.exec_condition);
                break;
        case UNIT_START_PRE:
                unit_control_run(u, &u->config.exec_start_pre);
                break;
        case UNIT_START:
                u->exec_start_next = 0;
                u->watchdog_override_usec = 0;  /* WATCHDOG_USEC= lasts one run */
                u->watchdog_override = false;
                u->ready = false;
                free(u->status_text);
                u->status_text = NULL;
                u->status_errno = 0;
                unit_main_spawn(u);
                break;
        case UNIT_START_POST:
                unit_control_run(u, &u->config.exec_start_post);
                break;
        case UNIT_RELOAD:
                if (!u->reload_by_notify)
                        unit_control_run(u, &u->config.exec_reload);
                break;
        case UNIT_STOP:
                unit_control_run(u, stop_budget_spent(u) ? NULL : &u->config.exec_stop);
                break;
        case UNIT_STOP_SIGTERM: {
                if (u->stop_by_notify)
                        break;  /* STOPPING=1: the service is on its way out */
                bool hung = u->result == UNIT_RESULT_WATCHDOG && !unit_probe_unhealthy(u);
                int sig = hung ? u->config.watchdog_signal : u->config.kill_signal;
                unit_kill(u, sig, false);
                if (u->config.send_sighup && sig != SIGHUP)
                        unit_kill(u, SIGHUP, false);   /* SendSIGHUP= (systemd.kill(5)) */
                break;
        }
        case UNIT_STOP_SIGKILL:
                unit_kill(u, SIGKILL, true);
                break;
        case UNIT_STOP_POST:
                unit_control_run(u, stop_budget_spent(u) ? NULL : &u->config.exec_stop_post);
                break;
        case UNIT_DEAD:
        case UNIT_FAILED:
        case UNIT_AUTO_RESTART:
                unit_groups_clear(u);
                break;
        default:
                break;
        }
}

void unit_feed(struct unit *u, enum unit_event e, enum unit_result exit_result) {
        if (unit_probe_holds(u, e))
                return;   /* a probed unit is started at its first success */
        struct unit_facts f = facts(u, exit_result);
        struct unit_transition t = unit_transition(u->state, e, &f);
        if (t.ignored) {
                unit_log(LOG_LEVEL_DEBUG, u, "%s in %s ignored: %s", unit_event_to_string(e),
                         unit_state_to_string(u->state), t.why);
                return;
        }
        if (t.result != UNIT_RESULT_KEEP && u->result == UNIT_RESULT_SUCCESS)
                u->result = t.result;
        if (t.next == u->state)
                return;
        unit_log(LOG_LEVEL_DEBUG, u, "%s: %s", unit_event_to_string(e), t.why);
        go(u, t.next);
}

/* What the check said (met: unit_conditions_check()'s verdict). As in
 * systemd, the asserts count as checked only once the conditions are met. */
static void note_conditions(struct unit *u, int met) {
        uint64_t now = os_realtime_usec();
        u->condition_realtime = now;
        u->condition_met = met != 0;
        if (met == 0)
                return;
        u->assert_realtime = now;
        u->assert_met = met > 0;
}

void unit_event(struct unit *u, enum unit_event e) {
        if (e == UNIT_EV_DEPS_UP && u->state == UNIT_WAITING) {
                int met = unit_conditions_check(u->config.name, &u->config);
                note_conditions(u, met);
                if (met == 0) {
                        u->start_job = UNIT_JOB_OK;
                        go(u, UNIT_DEAD);
                        return;
                }
                if (met < 0) {   /* Assert*=: the start fails */
                        u->result = UNIT_RESULT_EXIT_CODE;
                        go(u, UNIT_FAILED);
                        return;
                }
                if (!start_limit_allow(&u->limit, u->config.start_limit_interval_usec, u->config.start_limit_burst,
                                       loop_now())) {
                        char span[32];
                        unit_log(LOG_LEVEL_NOTICE, u, "start request repeated too quickly (StartLimitBurst=%u in %s)",
                                 u->config.start_limit_burst,
                                 timespan_format(u->config.start_limit_interval_usec, span, sizeof(span)));
                        u->result = UNIT_RESULT_SUCCESS; /* systemd: the result is start-limit-hit, not the last exit's */
                        unit_feed(u, UNIT_EV_LIMIT_HIT, UNIT_RESULT_KEEP);
                        if (u->state == UNIT_FAILED)
                                action_due(u, u->config.start_limit_action, false);
                        if (u->state == UNIT_FAILED)
                                action_due(u, u->config.failure_action, false);
                        return;
                }
                u->result = UNIT_RESULT_SUCCESS;
                u->main_exit_known = false;
        }
        unit_feed(u, e, UNIT_RESULT_KEEP);
}

void unit_start(struct unit *u) {
        if (!unit_state_is_inactive(u->state) && u->state != UNIT_AUTO_RESTART) {
                unit_log(LOG_LEVEL_DEBUG, u, "start ignored: %s", unit_state_to_string(u->state));
                return;
        }
        u->stop_requested = false;
        u->n_restarts = 0;
        u->start_job = UNIT_JOB_PENDING;
        unit_feed(u, UNIT_EV_START, UNIT_RESULT_KEEP);
}

void unit_stop(struct unit *u) {
        u->stop_requested = true;
        unit_feed(u, UNIT_EV_STOP, UNIT_RESULT_KEEP);
}

void unit_child_exited(struct unit *u, pid_t pid, enum unit_proc_role role, int status) {
        if (role == UNIT_PROC_MAIN && pid == u->main_pid)
                unit_main_exited(u, status);
        else if (role == UNIT_PROC_CONTROL && pid == u->control_pid)
                unit_control_exited(u, status);
        else if (role == UNIT_PROC_PROBE)
                unit_probe_exited(u, pid, status);
}

void unit_check_all_gone(struct unit *u) {
        if (u->state != UNIT_STOP_SIGTERM && u->state != UNIT_STOP_SIGKILL)
                return;
        if (!unit_procs_left(u))
                unit_feed(u, UNIT_EV_ALL_GONE, UNIT_RESULT_KEEP);
}

int unit_signal_all(struct unit *u, int sig) {
        return unit_signal_targets(u, sig, true, false);
}

/* ---------------------------------------------------------------- life cycle */

/* The output prefix: SyslogIdentifier=, else the name without ".service". */
static int set_ident(struct unit *u) {
        if (u->config.syslog_identifier) {
                u->ident = u->config.syslog_identifier;
                return 0;
        }
        char *dot = strrchr(u->config.name, '.');
        size_t len = dot ? (size_t)(dot - u->config.name) : strlen(u->config.name);
        char *id = strndup(u->config.name, len);
        if (!id)
                return -ENOMEM;
        u->ident = id;
        return 0;
}

int unit_set_config(struct unit *u, struct unit_config *config) {
        const char *old_ident = u->ident;
        struct unit_config old = u->config;
        u->config = *config;
        if (set_ident(u) < 0) {
                u->config = old; /* *config stays the caller's */
                u->ident = old_ident;
                return -ENOMEM;
        }
        memset(config, 0, sizeof(*config));
        if (old_ident != old.syslog_identifier)
                free((char *)old_ident);
        unit_config_free(&old);
        return 0;
}

struct unit *unit_new(struct unit_config *config, size_t index) {
        struct unit *u = calloc(1, sizeof(*u));
        if (!u)
                return NULL;
        u->config = *config;
        memset(config, 0, sizeof(*config));
        u->index = index;
        u->state = UNIT_DEAD;
        u->main_status_fd = u->control_status_fd = -1;
        u->stdin_fd = u->stdout_fd = -1;
        u->exec_io.fd = -1;
        loop_timer_init(&u->timer, timer_fired, u);
        loop_timer_init(&u->watchdog_timer, unit_watchdog_fired, u);
        unit_probe_init(u);
        log_ring_init(&u->log, LOG_RING_CAPACITY, u);
        unit_cgroup_init(u);
        if (set_ident(u) < 0) {
                unit_config_free(&u->config);
                free(u);
                return NULL;
        }
        return u;
}

void unit_free(struct unit *u) {
        if (!u)
                return;
        loop_timer_cancel(&u->timer);
        loop_timer_cancel(&u->watchdog_timer);
        unit_probe_free(u);
        free(u->status_text);
        proc_index_forget(u);
        if (u->exec_io.fd >= 0 && u->main_status_fd >= 0)
                loop_io_del(&u->exec_io);
        os_close(u->main_status_fd);
        os_close(u->control_status_fd);
        os_close(u->stdin_fd);
        os_close(u->stdout_fd);
        if (u->ident != u->config.syslog_identifier)
                free((char *)u->ident);
        free(u->groups);
        unit_cgroup_free(u);
        spawn_cache_free(u->spawn_cache);
        output_forget_ring(&u->log);
        log_ring_free(&u->log);
        unit_config_free(&u->config);
        free(u);
}

/* ---------------------------------------------------------------- read side */

const char *unit_name(const struct unit *u) {
        return u->config.name;
}

const struct unit_config *unit_config(const struct unit *u) {
        return &u->config;
}

enum unit_state unit_get_state(const struct unit *u) {
        return u->state;
}

enum unit_result unit_get_result(const struct unit *u) {
        return u->result;
}

enum unit_job unit_get_start_job(const struct unit *u) {
        return u->start_job;
}

const struct exit_info *unit_main_exit(const struct unit *u) {
        return u->main_exit_known ? &u->main_exit : NULL;
}

pid_t unit_main_pid(const struct unit *u) {
        return u->main_pid;
}

size_t unit_index(const struct unit *u) {
        return u->index;
}

void unit_set_index(struct unit *u, size_t index) {
        u->index = index;
}

void *unit_owner(const struct unit *u) {
        return u->owner;
}

void unit_set_owner(struct unit *u, void *owner) {
        u->owner = owner;
}

void unit_set_runit(struct unit *u, bool finish_args, int stdin_fd, int stdout_fd) {
        u->runit = finish_args;
        os_close(u->stdin_fd);
        os_close(u->stdout_fd);
        u->stdin_fd = stdin_fd;
        u->stdout_fd = stdout_fd;
}

