/* SPDX-License-Identifier: MIT */
#include "control/control_dispatch.h"

#include "base/signame.h"
#include "control/control_log.h"
#include "control/control_metrics.h"
#include "control/control_probes.h"
#include "control/control_views.h"
#include "core/log.h"
#include "core/loop.h"
#include "supervise/manager.h"
#include "supervise/unit.h"
#include "supervise/unit_view.h"
#include "system/devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* start/stop/restart: queue the jobs; the reply waits until they are over. */
static void reply_jobs(struct strbuf *b, const struct control_request *rq, struct control_conn *c) {
        struct unit *sel[CONTROL_ARGS_MAX];
        /* A unit not loaded yet (a template's instance, a unit that is not
         * enabled) is looked up in the unit directories to be started. */
        for (size_t i = 0; i < rq->n_args && rq->verb != CONTROL_STOP; i++)
                (void)manager_load_on_demand(rq->args[i]);
        if (!control_find_units(b, rq, 0, sel))
                return;
        if (manager_stopping()) {
                control_reply_header(b, CONTROL_FAILED, "vigil is shutting down");
                return;
        }
        for (size_t i = 0; i < rq->n_args; i++) {
                if (rq->verb == CONTROL_START)
                        manager_request_start(sel[i]);
                else if (rq->verb == CONTROL_STOP)
                        manager_request_stop(sel[i]);
                else
                        manager_request_restart(sel[i]);
                c->jobs.units[c->jobs.n++] = sel[i];
        }
        c->jobs.verb = rq->verb;
}

/* Why u cannot reload (into text), or NULL. */
static const char *cannot_reload(const struct unit *u, char *text, size_t size) {
        struct unit_view v;
        unit_view_of(u, &v);
        if (!v.has_exec_reload) {
                snprintf(text, size, "%s has no ExecReload=", v.name);
                return text;
        }
        if (v.state != UNIT_RUNNING && v.state != UNIT_EXITED) {
                snprintf(text, size, "%s is not active (%s)", v.name, unit_state_to_string(v.state));
                return text;
        }
        return NULL;
}

static void reply_reload(struct strbuf *b, const struct control_request *rq, struct control_conn *c) {
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!control_find_units(b, rq, 0, sel))
                return;
        for (size_t i = 0; i < rq->n_args; i++) {
                char text[600];
                const char *why = cannot_reload(sel[i], text, sizeof(text));
                if (why) {
                        control_reply_header(b, CONTROL_FAILED, why);
                        return;
                }
        }
        for (size_t i = 0; i < rq->n_args; i++) {
                unit_event(sel[i], UNIT_EV_RELOAD);
                c->jobs.units[c->jobs.n++] = sel[i];
        }
        c->jobs.verb = CONTROL_RELOAD;
}

static void reply_kill(struct strbuf *b, const struct control_request *rq) {
        int sig;
        if (signame_to_number(rq->args[0], &sig) < 0 || sig <= 0 || sig >= 65) {
                control_reply_header(b, CONTROL_USAGE, "unknown signal");
                return;
        }
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!control_find_units(b, rq, 1, sel))
                return;
        int n = 0;
        for (size_t i = 0; i + 1 < rq->n_args; i++) {
                int k = unit_signal_all(sel[i], sig);
                log_info("%s: sent %s to %d process group(s)/process(es) (vigilctl kill)", unit_name(sel[i]),
                         rq->args[0], k);
                n += k;
        }
        if (n == 0)
                control_reply_header(b, CONTROL_FAILED, "no process to signal");
        else
                control_reply_header(b, CONTROL_OK, "signalled");
}

static void reply_daemon_reload(struct strbuf *b) {
        struct strbuf report = { 0 };
        unsigned errors = 0;
        int r = manager_reload(&report, &errors);
        char *body = strbuf_take(&report);
        char text[64];
        if (r < 0 || !body) {
                control_reply_header(b, CONTROL_FAILED, "out of memory during daemon-reload");
        } else {
                snprintf(text, sizeof(text), errors ? "reloaded, %u error%s" : "reloaded", errors, errors == 1 ? "" : "s");
                control_reply_header(b, errors ? CONTROL_FAILED : CONTROL_OK, text);
                strbuf_puts(b, body);
        }
        free(body);
}

static void reply_power(struct strbuf *b, const struct control_request *rq, const struct control_conn *c) {
        /* Container mode: the orchestrator restarts the container on a
         * non-zero exit (reboot); poweroff and halt end it cleanly. */
        enum unit_action action = rq->verb == CONTROL_REBOOT ? ACTION_REBOOT
                                  : rq->verb == CONTROL_HALT ? ACTION_HALT : ACTION_POWEROFF;
        int code = rq->verb == CONTROL_REBOOT ? 1 : 0;
        char why[96];
        snprintf(why, sizeof(why), "vigilctl %s (pid %d, uid %u)", control_verb_name(rq->verb), (int)c->pid,
                 (unsigned)c->uid);
        if (rq->verb == CONTROL_REBOOT) {
                /* vigilctl reboot ARG: reboot(2) RESTART2 (system/devices.h); none clears an earlier one. */
                char arg[REBOOT_ARG_BUF] = "";
                size_t len = 0;
                for (size_t i = 0; i < rq->n_args; i++) {
                        size_t w = strlen(rq->args[i]);
                        if (len + w + (len > 0) >= sizeof(arg)) {
                                control_reply_header(b, CONTROL_USAGE, "reboot argument longer than 255 bytes");
                                return;
                        }
                        len += (size_t)snprintf(arg + len, sizeof(arg) - len, "%s%s", len ? " " : "", rq->args[i]);
                }
                devices_request_reboot_arg(arg);
        }
        control_reply_header(b, CONTROL_OK, "shutting down");
        manager_request_shutdown(action, code, why);
}

void control_dispatch(struct control_conn *c, const struct control_request *rq,
                      const struct control_dispatch_facts *facts, struct strbuf *b) {
        log_debug("control: pid %d uid %u: %s", (int)c->pid, (unsigned)c->uid, control_verb_name(rq->verb));
        switch (rq->verb) {
        case CONTROL_STATUS:
                control_views_status(b, rq);
                break;
        case CONTROL_CHECK:
                control_probes_check(b, rq);
                break;
        case CONTROL_START:
        case CONTROL_STOP:
        case CONTROL_RESTART:
                reply_jobs(b, rq, c);
                break;
        case CONTROL_KILL:
                reply_kill(b, rq);
                break;
        case CONTROL_RELOAD:
                reply_reload(b, rq, c);
                break;
        case CONTROL_HISTORY:
                control_views_history(b, rq);
                break;
        case CONTROL_METRICS:
                control_metrics_reply(b, loop_now(), facts->started, facts->malformed);
                break;
        case CONTROL_REBOOT:
        case CONTROL_POWEROFF:
        case CONTROL_HALT:
                reply_power(b, rq, c);
                break;
        case CONTROL_DAEMON_RELOAD:
                reply_daemon_reload(b);
                break;
        case CONTROL_WATCHDOG:
                control_views_watchdog(b, rq);
                break;
        case CONTROL_LOG:
                control_log_reply(b, rq, c);
                break;
        default:
                control_reply_header(b, CONTROL_FAILED, "not supported by this vigil yet");
                break;
        }
}

/* Is the job on u over? *failed when it did not do what was asked. */
static bool job_over(enum control_verb verb, const struct unit *u, bool *failed) {
        struct unit_view v;
        unit_view_of(u, &v);
        switch (verb) {
        case CONTROL_STOP:
                *failed = false;
                return unit_state_is_inactive(v.state);
        case CONTROL_RELOAD:
                *failed = false;
                return v.state != UNIT_RELOAD;
        default: /* start, restart */
                if (v.start_pending || manager_restart_pending(u))
                        return false;
                *failed = v.start_failed;
                return true;
        }
}

bool control_dispatch_settle(struct control_conn *c, struct strbuf *b) {
        const char *why = NULL;
        char text[600];
        for (size_t i = 0; i < c->jobs.n; i++) {
                bool failed = false;
                if (!job_over(c->jobs.verb, c->jobs.units[i], &failed))
                        return false;
                if (failed && !why) {
                        struct unit_view v;
                        unit_view_of(c->jobs.units[i], &v);
                        snprintf(text, sizeof(text), "%s failed to start (%s, result %s)", v.name,
                                 unit_state_to_string(v.state), unit_result_to_string(v.result));
                        why = text;
                }
        }
        c->jobs.n = 0;
        control_reply_header(b, why ? CONTROL_FAILED : CONTROL_OK, why ? why : "done");
        return true;
}

void control_dispatch_forget(struct control_conn *c, const struct unit *u) {
        size_t k = 0;
        for (size_t i = 0; i < c->jobs.n; i++)
                if (c->jobs.units[i] != u)
                        c->jobs.units[k++] = c->jobs.units[i];
        c->jobs.n = k;
}
