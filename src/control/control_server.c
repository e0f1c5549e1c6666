/* SPDX-License-Identifier: MIT */
#include "control/control_server.h"

#include "base/num.h"
#include "base/signame.h"
#include "base/strbuf.h"
#include "base/timespan.h"
#include "control/control_msg.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/watchdog.h"
#include "os/fd.h"
#include "os/proc.h"
#include "os/unix_socket.h"
#include "watchdog/hw_watchdog.h"
#include "supervise/manager.h"
#include "supervise/unit_internal.h" /* interim: until the control views read unit_view.h */
#include "notify/notify_server.h"
#include "system/shutdown_report.h"
#include "logcap/output.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define IDLE_USEC (10 * USEC_PER_SEC)
#define LOG_FOLLOW_MAX (256 * 1024)       /* a follower's pending output; more is dropped */

struct conn {
        struct loop_io io;
        struct loop_timer timer;
        struct conn *prev, *next;
        uid_t uid;
        pid_t pid;
        char in[CONTROL_REQUEST_MAX + 2];
        size_t in_len;
        char *out;
        size_t out_len, out_off;
        bool draining;             /* reply sent: reading to EOF */
        bool waiting;              /* request read, reply waits for jobs */
        /* A job request waiting for its units (start/stop/restart/reload). */
        enum control_verb job;
        struct unit *jobs[CONTROL_ARGS_MAX];
        size_t n_jobs;
        /* `log` with FOLLOW=1: stays open after the backlog (log_*() below). */
        bool follow;
        char *follow_unit;         /* NULL: every unit */
        uint64_t follow_dropped;   /* lines not queued since the last notice */
        size_t follow_cap;         /* bytes allocated at out */
        uint32_t follow_events;    /* what the loop watches */
};

static struct {
        struct loop_io io;
        char *address;
        struct conn *conns;
        size_t n_conns;
        struct control_stats stats;
        uint64_t started;
        struct loop_timer resume;  /* accept again after running out of fds */
        uint64_t n_no_fds;
        struct strbuf scratch;     /* one log record being formatted */
} srv = { .io = { .fd = -1 }, .resume = { .heap_index = TIMER_NOT_ARMED } };

#define ACCEPT_PAUSE_USEC (100 * 1000)

static void conn_close(struct conn *c) {
        loop_io_del(&c->io);
        loop_timer_cancel(&c->timer);
        os_close(c->io.fd);
        if (c->prev)
                c->prev->next = c->next;
        else
                srv.conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        srv.n_conns--;
        free(c->out);
        free(c->follow_unit);
        free(c);
}

/* ---------------------------------------------------------------- replies */

static void put_u64(struct strbuf *b, uint64_t v) {
        char n[24];
        snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
        strbuf_puts(b, n);
}

static void tab_str(struct strbuf *b, const char *s) {
        strbuf_putc(b, '\t');
        strbuf_puts(b, s);
}

static void tab_u64(struct strbuf *b, uint64_t v) {
        strbuf_putc(b, '\t');
        put_u64(b, v);
}

static const char *const status_fields[] = {
        "name", "active", "sub", "result", "pid", "uptime_usec", "restarts", "last_exit",
        "ready", "status", "notify_denied", "watchdog_misses", "description",
};

static void put_last_exit(struct strbuf *b, const struct unit *u) {
        if (!u->main_exit_known) {
                strbuf_puts(b, "-");
                return;
        }
        char name[16];
        if (u->main_exit.exited) {
                strbuf_puts(b, "exited ");
                put_u64(b, (uint64_t)u->main_exit.code);
        } else {
                strbuf_puts(b, "killed ");
                strbuf_puts(b, signame_from_number(u->main_exit.sig, name, sizeof(name)));
        }
}

static void put_status_line(struct strbuf *b, const struct unit *u, uint64_t now) {
        const struct unit_config *c = &u->config;
        control_put_field(b, c->name);
        tab_str(b, unit_state_active(u->state));
        tab_str(b, unit_state_to_string(u->state));
        tab_str(b, unit_result_to_string(u->result));
        strbuf_putc(b, '\t');
        if (u->main_pid > 0)
                put_u64(b, (uint64_t)u->main_pid);
        strbuf_putc(b, '\t');
        if (unit_state_is_up(u->state) && u->active_since && now >= u->active_since)
                put_u64(b, now - u->active_since);
        tab_u64(b, u->restarts_total);
        strbuf_putc(b, '\t');
        put_last_exit(b, u);
        tab_str(b, c->type != SERVICE_NOTIFY ? "-" : u->ready ? "yes" : "no");
        strbuf_putc(b, '\t');
        control_put_field(b, u->status_text);
        tab_u64(b, u->notify_denied);
        tab_u64(b, u->watchdog_misses);
        strbuf_putc(b, '\t');
        control_put_field(b, c->description);
        strbuf_putc(b, '\n');
}

static bool find_all(struct strbuf *b, const struct control_request *rq, size_t first, struct unit **sel) {
        for (size_t i = first; i < rq->n_args; i++) {
                sel[i - first] = manager_find(rq->args[i]);
                if (!sel[i - first]) {
                        char text[CONTROL_REQUEST_MAX + 32];
                        snprintf(text, sizeof(text), "unit %s not found", rq->args[i]);
                        control_reply_header(b, CONTROL_NOT_FOUND, text);
                        return false;
                }
        }
        return true;
}

/* ---------------------------------------------------------------- hardware watchdog */

static const struct {
        uint32_t bit;
        const char *name;
} watchdog_option_names[] = {
        { OS_WATCHDOG_OVERHEAT, "overheat" },     { OS_WATCHDOG_FANFAULT, "fanfault" },
        { OS_WATCHDOG_EXTERN1, "extern1" },       { OS_WATCHDOG_EXTERN2, "extern2" },
        { OS_WATCHDOG_POWERUNDER, "powerunder" }, { OS_WATCHDOG_CARDRESET, "cardreset" },
        { OS_WATCHDOG_POWEROVER, "powerover" },   { OS_WATCHDOG_SETTIMEOUT, "settimeout" },
        { OS_WATCHDOG_MAGICCLOSE, "magicclose" }, { OS_WATCHDOG_PRETIMEOUT, "pretimeout" },
        { OS_WATCHDOG_ALARMONLY, "alarmonly" },   { OS_WATCHDOG_KEEPALIVEPING, "keepaliveping" },
};

static void put_watchdog_options(struct strbuf *b, uint32_t options) {
        bool first = true;
        for (size_t i = 0; i < sizeof(watchdog_option_names) / sizeof(watchdog_option_names[0]); i++)
                if (options & watchdog_option_names[i].bit) {
                        if (!first)
                                strbuf_putc(b, ',');
                        strbuf_puts(b, watchdog_option_names[i].name);
                        first = false;
                }
}

/* The hardware watchdog's fields (docs/CONTROL.md), in order: as the body
 * of `watchdog` (one "KEY<TAB>VALUE" line each), or as the "@watchdog"
 * line of `status` (KEY=VALUE fields). An empty value is unknown / none. */
static void put_watchdog(struct strbuf *b, bool status_line) {
        struct hw_watchdog_status st;
        hw_watchdog_get_status(loop_now(), &st);
        char v[64];
        struct strbuf opts = { 0 };
        put_watchdog_options(&opts, st.options);
        char *options = strbuf_take(&opts);
        bool dev = st.state != HW_WATCHDOG_OFF && st.state != HW_WATCHDOG_UNAVAILABLE;
        const struct {
                const char *key;
                const char *value;
                bool number;
                uint64_t n;
        } f[] = {
                { "state", hw_watchdog_state_to_string(st.state), false, 0 },
                { "device", st.device ? st.device : "", false, 0 },
                { "identity", st.identity, false, 0 },
                { "firmware_version", dev ? NULL : "", true, st.firmware_version },
                { "options", options ? options : "", false, 0 },
                { "timeout_sec", dev && st.timeout_sec ? NULL : "", true, st.timeout_sec },
                { "nowayout", dev ? (st.nowayout ? "yes" : "no") : "", false, 0 },
                { "since_last_pet_usec", st.since_last_pet_usec != UINT64_MAX ? NULL : "", true,
                  st.since_last_pet_usec },
                { "time_left_usec", dev && st.state != HW_WATCHDOG_DISARMED && st.since_last_pet_usec != UINT64_MAX
                                            ? NULL : "", true, st.time_left_usec },
                { "snooze_left_usec", NULL, true, st.snooze_left_usec },
                { "why", st.why, false, 0 },
                { "last_boot_watchdog", st.boot_status_known ? (st.last_boot_watchdog ? "yes" : "no") : "", false, 0 },
                { "boot_status", st.boot_status_known ? NULL : "", true, st.boot_status },
                { "pets", NULL, true, st.pets },
                { "pet_errors", NULL, true, st.pet_errors },
        };
        if (status_line)
                strbuf_puts(b, "@watchdog");
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
                const char *value = f[i].value;
                if (!value) {
                        snprintf(v, sizeof(v), "%llu", (unsigned long long)f[i].n);
                        value = v;
                }
                if (status_line) {
                        strbuf_putc(b, '\t');
                        strbuf_puts(b, f[i].key);
                        strbuf_putc(b, '=');
                } else {
                        strbuf_puts(b, f[i].key);
                        strbuf_putc(b, '\t');
                }
                control_put_field(b, value);
                if (!status_line)
                        strbuf_putc(b, '\n');
        }
        if (status_line)
                strbuf_putc(b, '\n');
        free(options);
}

/* watchdog [snooze SEC] */
static void reply_watchdog(struct strbuf *b, const struct control_request *rq) {
        if (rq->n_args == 0) {
                struct hw_watchdog_status st;
                hw_watchdog_get_status(loop_now(), &st);
                char text[600];
                if (st.state == HW_WATCHDOG_OFF) {
                        control_reply_header(b, CONTROL_FAILED, "no hardware watchdog (--runtime-watchdog-sec is 0)");
                } else if (st.state == HW_WATCHDOG_UNAVAILABLE) {
                        snprintf(text, sizeof(text), "no hardware watchdog: %s", st.why);
                        control_reply_header(b, CONTROL_FAILED, text);
                } else {
                        control_reply_header(b, CONTROL_OK, "watchdog");
                        put_watchdog(b, false);
                }
                return;
        }
        uint64_t usec, granted;
        if (rq->n_args != 2 || strcmp(rq->args[0], "snooze") != 0 ||
            timespan_parse(rq->args[1], USEC_PER_SEC, &usec) < 0) {
                control_reply_header(b, CONTROL_USAGE, "usage: watchdog [snooze SEC]");
                return;
        }
        int r = hw_watchdog_snooze(usec == TIMESPAN_INFINITY ? HW_WATCHDOG_SNOOZE_MAX_USEC : usec, &granted);
        char text[96], span[32];
        if (r == -ENODEV)
                control_reply_header(b, CONTROL_FAILED, "no hardware watchdog");
        else if (r == -ESHUTDOWN)
                control_reply_header(b, CONTROL_FAILED, "shutting down: no snooze");
        else if (r < 0)
                control_reply_header(b, CONTROL_FAILED, strerror(-r));
        else if (usec == 0)
                control_reply_header(b, CONTROL_OK, "snooze ended");
        else {
                snprintf(text, sizeof(text), "snoozing for %s%s", timespan_format(granted, span, sizeof(span)),
                         granted < usec ? " (the cap)" : "");
                control_reply_header(b, CONTROL_OK, text);
        }
}

static void reply_status(struct strbuf *b, const struct control_request *rq) {
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!find_all(b, rq, 0, sel))
                return;
        control_reply_header(b, CONTROL_OK, "status");
        strbuf_putc(b, '#');
        for (size_t i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++) {
                if (i)
                        strbuf_putc(b, '\t');
                strbuf_puts(b, status_fields[i]);
        }
        strbuf_putc(b, '\n');
        uint64_t now = loop_now();
        if (rq->n_args) {
                for (size_t i = 0; i < rq->n_args; i++)
                        put_status_line(b, sel[i], now);
        } else {
                for (size_t i = 0; i < manager_n_units(); i++)
                        put_status_line(b, manager_unit_at(i), now);
        }
        /* The manager's own line: notify drops that no unit could be charged with. */
        const struct notify_stats *ns = notify_server_stats();
        const struct {
                const char *key;
                uint64_t value;
        } counts[] = { { "received", ns->received }, { "accepted", ns->accepted }, { "malformed", ns->malformed },
                       { "unattributed", ns->unattributed }, { "unauthorised", ns->unauthorised } };
        strbuf_puts(b, "@notify");
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
                strbuf_putc(b, '\t');
                strbuf_puts(b, counts[i].key);
                strbuf_putc(b, '=');
                put_u64(b, counts[i].value);
        }
        strbuf_putc(b, '\n');        /* The previous shutdown, from --shutdown-report at boot (SPEC §7). */
        if (shutdown_report_previous_action()) {
                strbuf_puts(b, "@previous\t");
                control_put_field(b, shutdown_report_previous_action());
                strbuf_putc(b, '\t');
                control_put_field(b, shutdown_report_previous_reason());
                strbuf_putc(b, '\n');
        }
        put_watchdog(b, true);
}

/* The health rule of `vigilctl check` (docs/CONTROL.md). NULL when healthy. */
static const char *unhealthy(const struct unit *u) {
        switch (u->state) {
        case UNIT_RUNNING:
        case UNIT_RELOAD:
                if (u->config.type == SERVICE_NOTIFY && !u->ready)
                        return "running but not ready";
                return NULL;
        case UNIT_EXITED:
                return NULL;
        case UNIT_DEAD:
                return u->result == UNIT_RESULT_SUCCESS ? NULL : "dead";
        case UNIT_FAILED:
                return "failed";
        case UNIT_AUTO_RESTART:
                return "waiting to restart";
        default:
                return unit_state_is_stopping(u->state) ? "stopping" : "starting";
        }
}

static void reply_check(struct strbuf *b) {
        for (size_t i = 0; i < manager_n_units(); i++) {
                const struct unit *u = manager_unit_at(i);
                const char *why = unhealthy(u);
                if (!why)
                        continue;
                char text[512];
                snprintf(text, sizeof(text), "%s is %s (%s, result %s)", u->config.name, why,
                         unit_state_to_string(u->state), unit_result_to_string(u->result));
                control_reply_header(b, CONTROL_FAILED, text);
                return;
        }
        control_reply_header(b, CONTROL_OK, "healthy");
}

/* start/stop/restart: queue the jobs; the reply waits until they are over
 * (control_server_settle()), as systemctl does. */
static void reply_jobs(struct strbuf *b, const struct control_request *rq, struct conn *c) {
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!find_all(b, rq, 0, sel))
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
                c->jobs[c->n_jobs++] = sel[i];
        }
        c->job = rq->verb;
}

/* Is the job of c on u over? *failed when it did not do what was asked. */
static bool job_over(const struct conn *c, const struct unit *u, bool *failed) {
        switch (c->job) {
        case CONTROL_STOP:
                *failed = false;
                return unit_state_is_inactive(u->state);
        case CONTROL_RELOAD:
                *failed = false;
                return u->state != UNIT_RELOAD;
        default: /* start, restart */
                if (manager_restart_pending(u) || u->start_job == UNIT_JOB_PENDING)
                        return false;
                *failed = u->start_job == UNIT_JOB_FAILED;
                return true;
        }
}

static void reply_kill(struct strbuf *b, const struct control_request *rq) {
        int sig;
        if (signame_to_number(rq->args[0], &sig) < 0 || sig <= 0 || sig >= 65) {
                control_reply_header(b, CONTROL_USAGE, "unknown signal");
                return;
        }
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!find_all(b, rq, 1, sel))
                return;
        int n = 0;
        for (size_t i = 0; i + 1 < rq->n_args; i++) {
                int k = unit_signal_all(sel[i], sig);
                log_info("%s: sent %s to %d process group(s)/process(es) (vigilctl kill)", sel[i]->config.name,
                         rq->args[0], k);
                n += k;
        }
        if (n == 0)
                control_reply_header(b, CONTROL_FAILED, "no process to signal");
        else
                control_reply_header(b, CONTROL_OK, "signalled");
}

static void reply_reload(struct strbuf *b, const struct control_request *rq, struct conn *c) {
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!find_all(b, rq, 0, sel))
                return;
        for (size_t i = 0; i < rq->n_args; i++) {
                char text[600];
                if (!sel[i]->config.exec_reload.n) {
                        snprintf(text, sizeof(text), "%s has no ExecReload=", sel[i]->config.name);
                        control_reply_header(b, CONTROL_FAILED, text);
                        return;
                }
                if (sel[i]->state != UNIT_RUNNING && sel[i]->state != UNIT_EXITED) {
                        snprintf(text, sizeof(text), "%s is not active (%s)", sel[i]->config.name,
                                 unit_state_to_string(sel[i]->state));
                        control_reply_header(b, CONTROL_FAILED, text);
                        return;
                }
        }
        for (size_t i = 0; i < rq->n_args; i++) {
                unit_event(sel[i], UNIT_EV_RELOAD);
                c->jobs[c->n_jobs++] = sel[i];
        }
        c->job = CONTROL_RELOAD;
}

/* The rows of the Restart= table (SPEC §4). */
static const char *cause_row(enum exit_cause c) {
        switch (c) {
        case EXIT_CAUSE_CLEAN: return "clean";
        case EXIT_CAUSE_UNCLEAN_CODE: return "unclean exit code";
        case EXIT_CAUSE_UNCLEAN_SIGNAL: return "unclean signal";
        case EXIT_CAUSE_TIMEOUT: return "timeout";
        case EXIT_CAUSE_WATCHDOG: return "watchdog";
        default: return "?";
        }
}

static void reply_history(struct strbuf *b, const struct control_request *rq) {
        struct unit *u;
        if (!find_all(b, rq, 0, &u))
                return;
        control_reply_header(b, CONTROL_OK, u->config.name);
        strbuf_puts(b, "#time_usec\truntime_usec\tpid\tcause\texit\tcore\n");
        uint64_t n = u->history_total < UNIT_HISTORY ? u->history_total : UNIT_HISTORY;
        for (uint64_t k = u->history_total - n; k < u->history_total; k++) {
                const struct unit_exit_record *h = &u->history[k % UNIT_HISTORY];
                char name[16];
                put_u64(b, h->realtime_usec);
                strbuf_putc(b, '\t');
                put_u64(b, h->runtime_usec);
                strbuf_putc(b, '\t');
                put_u64(b, (uint64_t)h->pid);
                strbuf_putc(b, '\t');
                strbuf_puts(b, cause_row(h->cause));
                strbuf_putc(b, '\t');
                if (h->exit.exited) {
                        strbuf_puts(b, "exited ");
                        put_u64(b, (uint64_t)h->exit.code);
                } else {
                        strbuf_puts(b, "killed ");
                        strbuf_puts(b, signame_from_number(h->exit.sig, name, sizeof(name)));
                }
                strbuf_putc(b, '\t');
                strbuf_puts(b, h->core ? "yes" : "no");
                strbuf_putc(b, '\n');
        }
}

/* ---------------------------------------------------------------- log */

/* `log LINES FOLLOW [UNIT]` (docs/CONTROL.md): the last LINES records of
 * the unit's ring, or of every unit's merged by sequence number; with
 * FOLLOW=1 the connection then stays open and gets each new line from the
 * output hook (log_line_added) until the client closes it. A follower that
 * does not read is never waited for: past LOG_FOLLOW_MAX bytes pending,
 * lines are dropped (counted), and once it is below half of that, one
 * "@dropped N" line goes first. No idle timeout; it counts toward the
 * connection cap. */

static const char *ring_unit_name(const struct log_ring *r) {
        return ((const struct unit *)r->owner)->config.name;
}

/* The line's bytes as one field: the usual escapes, and NUL as \0 (a body
 * is text: a NUL would end it). */
static void put_log_line(struct strbuf *b, const char *p, size_t len) {
        size_t run = 0;
        for (size_t i = 0; i < len; i++) {
                const char *esc = p[i] == '\\' ? "\\\\" : p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n"
                                : p[i] == '\r' ? "\\r" : p[i] == '\0' ? "\\0" : NULL;
                if (!esc)
                        continue;
                strbuf_put(b, p + run, i - run);
                strbuf_puts(b, esc);
                run = i + 1;
        }
        strbuf_put(b, p + run, len - run);
}

static void put_log_record(struct strbuf *b, const char *unit, const struct log_record *rec) {
        put_u64(b, rec->realtime_usec);
        strbuf_putc(b, '\t');
        control_put_field(b, unit);
        strbuf_putc(b, '\t');
        if (rec->pid > 0)
                put_u64(b, (uint64_t)rec->pid);
        strbuf_putc(b, '\t');
        strbuf_puts(b, rec->cut ? "yes" : "no");
        strbuf_putc(b, '\t');
        put_log_line(b, rec->line, rec->len);
        strbuf_putc(b, '\n');
}

/* The last `lines` records of all units, oldest first: each ring's last
 * `lines` (the newest overall are among them), merged by seq, minus the
 * surplus at the old end. */
static void put_log_merged(struct strbuf *b, size_t lines) {
        size_t n = manager_n_units();
        struct log_ring_iter *its = calloc(n ? n : 1, sizeof(*its));
        if (!its) {
                b->oom = true;
                return;
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                log_ring_iter_last(&manager_unit_at(i)->log, lines, &its[i]);
                total += its[i].left;
        }
        size_t skip = total > lines ? total - lines : 0;
        for (;;) {
                size_t best = n;
                struct log_record rec, best_rec = { 0 };
                for (size_t i = 0; i < n; i++)
                        if (log_ring_peek(&manager_unit_at(i)->log, &its[i], &rec) &&
                            (best == n || rec.seq < best_rec.seq)) {
                                best = i;
                                best_rec = rec;
                        }
                if (best == n)
                        break;
                struct unit *u = manager_unit_at(best);
                (void)log_ring_next(&u->log, &its[best], NULL);
                if (skip > 0)
                        skip--;
                else
                        put_log_record(b, u->config.name, &best_rec);
        }
        free(its);
}

static void reply_log(struct strbuf *b, const struct control_request *rq, struct conn *c) {
        uint64_t lines;
        if (num_parse_u64(rq->args[0], &lines) < 0) {
                control_reply_header(b, CONTROL_USAGE, "LINES must be a number");
                return;
        }
        if (strcmp(rq->args[1], "0") != 0 && strcmp(rq->args[1], "1") != 0) {
                control_reply_header(b, CONTROL_USAGE, "FOLLOW must be 0 or 1");
                return;
        }
        struct unit *u = NULL;
        if (rq->n_args == 3 && !find_all(b, rq, 2, &u))
                return;
        bool follow = rq->args[1][0] == '1';
        if (follow && u && !(c->follow_unit = strdup(u->config.name))) {
                control_reply_header(b, CONTROL_FAILED, "out of memory");
                return;
        }
        size_t n = lines > SIZE_MAX ? SIZE_MAX : (size_t)lines;
        control_reply_header(b, CONTROL_OK, u ? u->config.name : "log");
        strbuf_puts(b, "#time_usec\tunit\tpid\tcut\tline\n");
        if (u) {
                struct log_ring_iter it;
                struct log_record rec;
                log_ring_iter_last(&u->log, n, &it);
                while (log_ring_next(&u->log, &it, &rec))
                        put_log_record(b, u->config.name, &rec);
        } else {
                put_log_merged(b, n);
        }
        c->follow = follow;
}

/* Watch for the client's hang-up, and for room when output waits. */
static void log_follow_watch(struct conn *c) {
        uint32_t ev = (c->draining ? 0 : OS_EVENT_IN) | (c->out_off < c->out_len ? OS_EVENT_OUT : 0);
        if (ev != c->follow_events && loop_io_mod(&c->io, ev) == 0)
                c->follow_events = ev;
}

/* Append to a follower's pending output; false without memory. */
static bool log_queue(struct conn *c, const char *p, size_t len) {
        if (c->follow_cap < c->out_len + 1)
                c->follow_cap = c->out_len + 1; /* out came from a strbuf: at least that */
        if (c->out_len + len + 1 > c->follow_cap && c->out_off > 0) {
                memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
                c->out_len -= c->out_off;
                c->out_off = 0;
        }
        if (c->out_len + len + 1 > c->follow_cap) {
                size_t cap = c->follow_cap * 2;
                while (cap < c->out_len + len + 1)
                        cap *= 2;
                char *o = realloc(c->out, cap);
                if (!o)
                        return false;
                c->out = o;
                c->follow_cap = cap;
        }
        memcpy(c->out + c->out_len, p, len);
        c->out_len += len;
        c->out[c->out_len] = '\0';
        return true;
}

/* output.c's line hook: a line went into a unit's ring. */
static void log_line_added(struct log_ring *ring, const struct log_record *rec) {
        const char *name = ring_unit_name(ring);
        for (struct conn *c = srv.conns; c; c = c->next) {
                if (!c->follow || !c->out || (c->follow_unit && strcmp(c->follow_unit, name) != 0))
                        continue;
                size_t pending = c->out_len - c->out_off;
                if (pending >= LOG_FOLLOW_MAX || (c->follow_dropped > 0 && pending >= LOG_FOLLOW_MAX / 2)) {
                        c->follow_dropped++;
                        continue;
                }
                struct strbuf *b = &srv.scratch;
                b->n = 0;
                if (c->follow_dropped > 0) {
                        strbuf_puts(b, "@dropped\t");
                        put_u64(b, c->follow_dropped);
                        strbuf_putc(b, '\n');
                }
                put_log_record(b, name, rec);
                if (b->oom || !log_queue(c, b->s, b->n)) {
                        free(strbuf_take(b));
                        c->follow_dropped++;
                        continue;
                }
                c->follow_dropped = 0;
                log_follow_watch(c);
        }
}

static void conn_close(struct conn *c);
static void conn_flush(struct conn *c);

static void log_follow_ready(struct conn *c, uint32_t events) {
        if (events & (OS_EVENT_HUP | OS_EVENT_ERR)) {
                conn_close(c); /* it hung up */
                return;
        }
        if (events & OS_EVENT_IN) {
                /* Whatever it sends is ignored; EOF (a half-close) is no hang-up. */
                char sink[256];
                ssize_t n = os_stream_read(c->io.fd, sink, sizeof(sink));
                if (n < 0 && n != -EAGAIN) {
                        conn_close(c);
                        return;
                }
                if (n == 0) {
                        c->draining = true; /* here: its input is over */
                        log_follow_watch(c);
                }
        }
        if (events & OS_EVENT_OUT)
                conn_flush(c);
}

/* Prometheus text exposition format 0.0.4. */
static void put_label_value(struct strbuf *b, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        strbuf_putc(b, '\\');
                if (*s == '\n')
                        strbuf_puts(b, "\\n");
                else
                        strbuf_putc(b, *s);
        }
}

static void metric_head(struct strbuf *b, const char *name, const char *type, const char *help) {
        strbuf_puts(b, "# HELP ");
        strbuf_puts(b, name);
        strbuf_putc(b, ' ');
        strbuf_puts(b, help);
        strbuf_puts(b, "\n# TYPE ");
        strbuf_puts(b, name);
        strbuf_putc(b, ' ');
        strbuf_puts(b, type);
        strbuf_putc(b, '\n');
}

static void metric_unit(struct strbuf *b, const char *name, const struct unit *u, const char *extra_label,
                        const char *extra_value, const char *value) {
        strbuf_puts(b, name);
        strbuf_puts(b, "{unit=\"");
        put_label_value(b, u->config.name);
        if (extra_label) {
                strbuf_puts(b, "\",");
                strbuf_puts(b, extra_label);
                strbuf_puts(b, "=\"");
                put_label_value(b, extra_value);
        }
        strbuf_puts(b, "\"} ");
        strbuf_puts(b, value);
        strbuf_putc(b, '\n');
}

/* vigil_watchdog_*: the hardware watchdog (SPEC §8); none when it is off. */
static void put_watchdog_metrics(struct strbuf *b, uint64_t now) {
        struct hw_watchdog_status st;
        hw_watchdog_get_status(now, &st);
        if (st.state == HW_WATCHDOG_OFF)
                return;
        char v[32];
        bool dev = st.state != HW_WATCHDOG_UNAVAILABLE;
        metric_head(b, "vigil_watchdog_info", "gauge", "The hardware watchdog: 1, with its device, identity and state.");
        strbuf_puts(b, "vigil_watchdog_info{device=\"");
        put_label_value(b, st.device ? st.device : "");
        strbuf_puts(b, "\",identity=\"");
        put_label_value(b, st.identity);
        strbuf_puts(b, "\",state=\"");
        put_label_value(b, hw_watchdog_state_to_string(st.state));
        strbuf_puts(b, "\"} 1\n");
        const struct {
                const char *name, *type, *help;
                double value;
                bool shown;
        } rows[] = {
                { "vigil_watchdog_healthy", "gauge", "1 while vigil pets the hardware watchdog as healthy, else 0.",
                  st.state == HW_WATCHDOG_HEALTHY, true },
                { "vigil_watchdog_timeout_seconds", "gauge", "The timeout the driver granted.", st.timeout_sec,
                  dev && st.timeout_sec },
                { "vigil_watchdog_last_pet_seconds", "gauge", "Seconds since vigil last petted the device.",
                  (double)st.since_last_pet_usec / 1e6, st.since_last_pet_usec != UINT64_MAX },
                { "vigil_watchdog_time_left_seconds", "gauge", "Seconds until the device resets the board, from the last pet.",
                  (double)st.time_left_usec / 1e6, dev && st.since_last_pet_usec != UINT64_MAX &&
                                                           st.state != HW_WATCHDOG_DISARMED },
                { "vigil_watchdog_snooze_seconds", "gauge", "Seconds left of a `vigilctl watchdog snooze`.",
                  (double)st.snooze_left_usec / 1e6, true },
                { "vigil_watchdog_nowayout", "gauge", "1 if the device cannot be stopped once started.", st.nowayout,
                  dev },
                { "vigil_watchdog_last_boot_watchdog_reset", "gauge",
                  "1 if the device reported the last boot as a watchdog reset (WDIOF_CARDRESET).",
                  st.last_boot_watchdog, st.boot_status_known },
                { "vigil_watchdog_pets_total", "counter", "Pets (WDIOC_KEEPALIVE) since vigil started.",
                  (double)st.pets, true },
                { "vigil_watchdog_pet_errors_total", "counter", "Pets the driver refused.", (double)st.pet_errors,
                  true },
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                if (!rows[i].shown)
                        continue;
                metric_head(b, rows[i].name, rows[i].type, rows[i].help);
                snprintf(v, sizeof(v), rows[i].value == (double)(uint64_t)rows[i].value ? "%.0f" : "%.3f",
                         rows[i].value);
                strbuf_puts(b, rows[i].name);
                strbuf_putc(b, ' ');
                strbuf_puts(b, v);
                strbuf_putc(b, '\n');
        }
}

static void reply_metrics(struct strbuf *b) {
        char v[32];
        uint64_t now = loop_now();
        size_t n = manager_n_units();
        control_reply_header(b, CONTROL_OK, "metrics");

        metric_head(b, "vigil_unit_state", "gauge", "1 for the state the unit is in (sub-state as in vigilctl status).");
        for (size_t i = 0; i < n; i++) {
                const struct unit *u = manager_unit_at(i);
                metric_unit(b, "vigil_unit_state", u, "state", unit_state_to_string(u->state), "1");
        }
        metric_head(b, "vigil_unit_up", "gauge", "1 if the unit is active (running, exited or reloading), else 0.");
        for (size_t i = 0; i < n; i++) {
                const struct unit *u = manager_unit_at(i);
                metric_unit(b, "vigil_unit_up", u, NULL, NULL, unit_state_is_up(u->state) ? "1" : "0");
        }
        metric_head(b, "vigil_unit_ready", "gauge", "Type=notify units: 1 once READY=1 was received.");
        for (size_t i = 0; i < n; i++) {
                const struct unit *u = manager_unit_at(i);
                if (u->config.type == SERVICE_NOTIFY)
                        metric_unit(b, "vigil_unit_ready", u, NULL, NULL, u->ready ? "1" : "0");
        }
        metric_head(b, "vigil_unit_uptime_seconds", "gauge", "Seconds since the unit last came up (0 when not up).");
        for (size_t i = 0; i < n; i++) {
                const struct unit *u = manager_unit_at(i);
                uint64_t up = unit_state_is_up(u->state) && u->active_since ? now - u->active_since : 0;
                snprintf(v, sizeof(v), "%.3f", (double)up / 1e6);
                metric_unit(b, "vigil_unit_uptime_seconds", u, NULL, NULL, v);
        }
        static const struct {
                const char *name, *help;
                size_t offset;  /* of a uint64_t in struct unit */
        } counters[] = {
                { "vigil_unit_restarts_total", "Automatic restarts (Restart=) since vigil started.",
                  offsetof(struct unit, restarts_total) },
                { "vigil_unit_exits_total", "Main process exits since vigil started.",
                  offsetof(struct unit, history_total) },
                { "vigil_unit_watchdog_misses_total",
                  "Software watchdog deadlines missed (WatchdogSec=) and WATCHDOG=trigger.",
                  offsetof(struct unit, watchdog_misses) },
                { "vigil_unit_notify_denied_total",
                  "sd_notify messages from the unit's processes refused by NotifyAccess=.",
                  offsetof(struct unit, notify_denied) },
        };
        for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
                metric_head(b, counters[k].name, "counter", counters[k].help);
                for (size_t i = 0; i < n; i++) {
                        const struct unit *u = manager_unit_at(i);
                        uint64_t value;
                        memcpy(&value, (const char *)u + counters[k].offset, sizeof(value));
                        snprintf(v, sizeof(v), "%llu", (unsigned long long)value);
                        metric_unit(b, counters[k].name, u, NULL, NULL, v);
                }
        }
        const struct notify_stats *ns = notify_server_stats();
        metric_head(b, "vigil_notify_messages_total", "counter",
                    "sd_notify datagrams received, by what became of them.");
        const struct {
                const char *result;
                uint64_t n;
        } rows[] = { { "accepted", ns->accepted }, { "malformed", ns->malformed },
                     { "unattributed", ns->unattributed }, { "unauthorised", ns->unauthorised } };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                snprintf(v, sizeof(v), "%llu", (unsigned long long)rows[i].n);
                strbuf_puts(b, "vigil_notify_messages_total{result=\"");
                strbuf_puts(b, rows[i].result);
                strbuf_puts(b, "\"} ");
                strbuf_puts(b, v);
                strbuf_putc(b, '\n');
        }
        metric_head(b, "vigil_control_requests_malformed_total", "counter", "Malformed control requests.");
        snprintf(v, sizeof(v), "%llu", (unsigned long long)srv.stats.malformed);
        strbuf_puts(b, "vigil_control_requests_malformed_total ");
        strbuf_puts(b, v);
        strbuf_putc(b, '\n');
        put_watchdog_metrics(b, now);
        metric_head(b, "vigil_uptime_seconds", "gauge", "Seconds since vigil started its loop.");
        snprintf(v, sizeof(v), "%.3f", (double)(now - srv.started) / 1e6);
        strbuf_puts(b, "vigil_uptime_seconds ");
        strbuf_puts(b, v);
        strbuf_putc(b, '\n');
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

static void reply_power(struct strbuf *b, const struct control_request *rq, const struct conn *c) {
        /* Container mode: the orchestrator restarts the container on a
         * non-zero exit (reboot); poweroff and halt end it cleanly. */
        enum unit_action action = rq->verb == CONTROL_REBOOT ? ACTION_REBOOT
                                  : rq->verb == CONTROL_HALT ? ACTION_HALT : ACTION_POWEROFF;
        int code = rq->verb == CONTROL_REBOOT ? 1 : 0;
        char why[96];
        snprintf(why, sizeof(why), "vigilctl %s (pid %d, uid %u)", control_verb_name(rq->verb), (int)c->pid,
                 (unsigned)c->uid);
        control_reply_header(b, CONTROL_OK, "shutting down");
        manager_request_shutdown(action, code, why);
}

static void build_reply(struct conn *c, struct strbuf *b) {
        struct control_request rq;
        const char *why = NULL;
        size_t len = strnlen(c->in, c->in_len);
        if (len < c->in_len || control_request_parse(c->in, c->in_len, &rq, &why) < 0) {
                srv.stats.malformed++;
                if ((srv.stats.malformed & (srv.stats.malformed - 1)) == 0)
                        log_warning("control: malformed request from pid %d: %s (%llu so far)", (int)c->pid,
                                    why ? why : "NUL byte", (unsigned long long)srv.stats.malformed);
                control_reply_header(b, CONTROL_USAGE, why ? why : "NUL byte in request");
                return;
        }
        log_debug("control: pid %d uid %u: %s", (int)c->pid, (unsigned)c->uid, control_verb_name(rq.verb));
        switch (rq.verb) {
        case CONTROL_STATUS:
                reply_status(b, &rq);
                break;
        case CONTROL_CHECK:
                reply_check(b);
                break;
        case CONTROL_START:
        case CONTROL_STOP:
        case CONTROL_RESTART:
                reply_jobs(b, &rq, c);
                break;
        case CONTROL_KILL:
                reply_kill(b, &rq);
                break;
        case CONTROL_RELOAD:
                reply_reload(b, &rq, c);
                break;
        case CONTROL_HISTORY:
                reply_history(b, &rq);
                break;
        case CONTROL_METRICS:
                reply_metrics(b);
                break;
        case CONTROL_REBOOT:
        case CONTROL_POWEROFF:
        case CONTROL_HALT:
                reply_power(b, &rq, c);
                break;
        case CONTROL_DAEMON_RELOAD:
                reply_daemon_reload(b);
                break;
        case CONTROL_WATCHDOG:
                reply_watchdog(b, &rq);
                break;
        case CONTROL_LOG:
                reply_log(b, &rq, c);
                break;
        default:
                control_reply_header(b, CONTROL_FAILED, "not supported by this vigil yet");
                break;
        }
}


/* ---------------------------------------------------------------- connections */

static void conn_flush(struct conn *c) {
        while (c->out_off < c->out_len) {
                ssize_t n = os_stream_write(c->io.fd, c->out + c->out_off, c->out_len - c->out_off);
                if (n == -EAGAIN)
                        return; /* wait for OUT */
                if (n < 0) {
                        conn_close(c); /* the client went away mid-reply */
                        return;
                }
                c->out_off += (size_t)n;
        }
        if (c->follow) {
                /* All sent; the follower stays for more, with a small
                 * buffer again after a big backlog. */
                char *small = c->out_len > LOG_FOLLOW_MAX ? realloc(c->out, 1) : NULL;
                if (small) {
                        c->out = small;
                        c->follow_cap = 1;
                }
                c->out_off = c->out_len = 0;
                log_follow_watch(c);
                return;
        }
        /* Sent: half-close, then discard what the client may still send
         * until it closes (or the idle timer), so closing with unread input
         * never turns into a reset that eats the reply. */
        if (os_stream_shutdown_write(c->io.fd) < 0 || loop_io_mod(&c->io, OS_EVENT_IN) < 0) {
                conn_close(c);
                return;
        }
        c->draining = true;
}

static void conn_reply(struct conn *c, struct strbuf *b) {
        c->out = strbuf_take(b);
        if (!c->out) {
                log_warning("control: out of memory building a reply for pid %d", (int)c->pid);
                conn_close(c);
                return;
        }
        c->out_len = strlen(c->out);
        if (loop_io_mod(&c->io, OS_EVENT_OUT) < 0) {
                conn_close(c);
                return;
        }
        (void)loop_timer_arm_in(&c->timer, IDLE_USEC);
        conn_flush(c);
}

static void conn_ready(struct loop_io *io, uint32_t events) {
        struct conn *c = io->data;
        if (c->follow) {
                log_follow_ready(c, events);
                return;
        }
        if (c->draining) {
                char sink[4096];
                ssize_t n = os_stream_read(io->fd, sink, sizeof(sink));
                if (n != -EAGAIN && n <= 0)
                        conn_close(c);
                return;
        }
        if (c->out) {
                if (events & (OS_EVENT_OUT | OS_EVENT_ERR | OS_EVENT_HUP))
                        conn_flush(c);
                return;
        }
        if (c->waiting) {
                /* The client hung up: it gave up waiting (its jobs go on). A
                 * half-close (EOF on read) is no hang-up: stop reading, wait on. */
                if (events & (OS_EVENT_HUP | OS_EVENT_ERR)) {
                        conn_close(c);
                        return;
                }
                char sink[256];
                ssize_t n = os_stream_read(io->fd, sink, sizeof(sink));
                if (n == 0 && loop_io_mod(&c->io, 0) == 0)
                        return;
                if (n != -EAGAIN && n <= 0)
                        conn_close(c);
                return;
        }
        size_t room = sizeof(c->in) - 1 - c->in_len;
        ssize_t n = os_stream_read(io->fd, c->in + c->in_len, room);
        if (n == -EAGAIN)
                return;
        if (n < 0 || (n == 0 && c->in_len == 0)) {
                conn_close(c);
                return;
        }
        c->in_len += (size_t)n;
        char *nl = memchr(c->in, '\n', c->in_len);
        struct strbuf b = { 0 };
        if (nl) {
                c->in_len = (size_t)(nl - c->in);
        } else if (n > 0 && c->in_len < sizeof(c->in) - 1) {
                return; /* more to come */
        } else if (c->in_len >= sizeof(c->in) - 1) {
                srv.stats.malformed++;
                control_reply_header(&b, CONTROL_USAGE, "request too long");
                conn_reply(c, &b);
                return;
        }
        /* A whole line, or EOF after a last line without '\n'. */
        build_reply(c, &b);
        if (c->n_jobs > 0) {
                /* The reply waits for the jobs; the client waits as long. */
                free(strbuf_take(&b));
                loop_timer_cancel(&c->timer);
                c->waiting = true;
                control_server_settle();
                return;
        }
        conn_reply(c, &b);
}

void control_server_unit_dropped(struct unit *u) {
        for (struct conn *c = srv.conns; c; c = c->next) {
                size_t k = 0;
                for (size_t i = 0; i < c->n_jobs; i++)
                        if (c->jobs[i] != u)
                                c->jobs[k++] = c->jobs[i];
                c->n_jobs = k;
        }
}

void control_server_settle(void) {
        for (struct conn *c = srv.conns, *next; c; c = next) {
                next = c->next;
                if (!c->waiting)
                        continue;
                const char *why = NULL;
                char text[600];
                size_t done = 0;
                for (size_t i = 0; i < c->n_jobs; i++) {
                        bool failed = false;
                        if (!job_over(c, c->jobs[i], &failed))
                                break;
                        done++;
                        if (failed && !why) {
                                snprintf(text, sizeof(text), "%s failed to start (%s, result %s)",
                                         c->jobs[i]->config.name, unit_state_to_string(c->jobs[i]->state),
                                         unit_result_to_string(c->jobs[i]->result));
                                why = text;
                        }
                }
                if (done < c->n_jobs)
                        continue;
                c->waiting = false;
                c->n_jobs = 0;
                struct strbuf b = { 0 };
                control_reply_header(&b, why ? CONTROL_FAILED : CONTROL_OK, why ? why : "done");
                conn_reply(c, &b);
        }
}

static void conn_timeout(struct loop_timer *t) {
        struct conn *c = t->data;
        if (c->follow)
                return; /* a follower may wait for lines as long as it likes */
        log_debug("control: dropping pid %d: idle for 10 s", (int)c->pid);
        conn_close(c);
}

static void refuse(int fd, enum control_code code, const char *text) {
        struct strbuf b = { 0 };
        control_reply_header(&b, code, text);
        char *s = strbuf_take(&b);
        if (s)
                (void)os_stream_write(fd, s, strlen(s));
        free(s);
        os_close(fd);
}

static void accept_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        for (int i = 0; i < 16; i++) {
                int fd;
                pid_t pid;
                uid_t uid;
                int r = os_stream_accept(io->fd, &fd, &pid, &uid);
                if (r == -EAGAIN)
                        return;
                if (r < 0) {
                        /* Out of fds (EMFILE/ENFILE) or memory: the pending
                         * connection keeps the socket readable, so stop
                         * watching it for a moment (a level-triggered epoll
                         * would spin) and try again then. */
                        srv.n_no_fds++;
                        if ((srv.n_no_fds & (srv.n_no_fds - 1)) == 0)
                                log_warning("control: cannot accept: %s; pausing for 100 ms (%llu times so far)",
                                            strerror(-r), (unsigned long long)srv.n_no_fds);
                        if (loop_io_mod(&srv.io, 0) == 0)
                                (void)loop_timer_arm_in(&srv.resume, ACCEPT_PAUSE_USEC);
                        return;
                }
                srv.stats.connections++;
                if (uid != 0 && uid != geteuid()) {
                        srv.stats.refused++;
                        log_notice("control: refused pid %d uid %u: only root or uid %u may control vigil",
                                   (int)pid, (unsigned)uid, (unsigned)geteuid());
                        refuse(fd, CONTROL_DENIED, "not authorised");
                        continue;
                }
                if (srv.n_conns >= MAX_CONNECTIONS) {
                        srv.stats.refused++;
                        refuse(fd, CONTROL_FAILED, "too many connections, try again");
                        continue;
                }
                struct conn *c = calloc(1, sizeof(*c));
                if (!c) {
                        refuse(fd, CONTROL_FAILED, "out of memory");
                        continue;
                }
                c->io = (struct loop_io){ .fd = fd, .ready = conn_ready, .data = c };
                c->uid = uid;
                c->pid = pid;
                loop_timer_init(&c->timer, conn_timeout, c);
                if (loop_io_add(&c->io, OS_EVENT_IN) < 0 || loop_timer_arm_in(&c->timer, IDLE_USEC) < 0) {
                        loop_timer_cancel(&c->timer);
                        os_close(fd);
                        free(c);
                        continue;
                }
                c->next = srv.conns;
                if (srv.conns)
                        srv.conns->prev = c;
                srv.conns = c;
                srv.n_conns++;
        }
}

static void resume_accepting(struct loop_timer *t) {
        (void)t;
        if (srv.io.fd >= 0)
                (void)loop_io_mod(&srv.io, OS_EVENT_IN);
}

int control_server_open(const char *address) {
        int fd;
        int r = os_stream_listen(address, 0600, &fd);
        if (r < 0) {
                log_error("cannot open the control socket %s: %s%s", address, strerror(-r),
                          r == -EADDRINUSE ? " (another vigil listens there; use --control-socket)" : "");
                return r;
        }
        srv.address = strdup(address);
        srv.io = (struct loop_io){ .fd = fd, .ready = accept_ready };
        if (!srv.address)
                r = -ENOMEM;
        else
                r = loop_io_add(&srv.io, OS_EVENT_IN);
        if (r < 0) {
                log_error("cannot set up the control socket: %s", strerror(-r));
                os_close(fd);
                srv.io.fd = -1;
                if (address[0] == '/')
                        (void)os_unlink(address);
                free(srv.address);
                srv.address = NULL;
                return r;
        }
        srv.started = loop_now();
        loop_timer_init(&srv.resume, resume_accepting, NULL);
        output_set_line_hook(log_line_added);
        log_debug("control socket at %s", address);
        return 0;
}

const struct control_stats *control_server_stats(void) {
        return &srv.stats;
}

void control_server_close(void) {
        loop_timer_cancel(&srv.resume);
        output_set_line_hook(NULL);
        free(strbuf_take(&srv.scratch));
        while (srv.conns)
                conn_close(srv.conns);
        if (srv.io.fd >= 0) {
                loop_io_del(&srv.io);
                os_close(srv.io.fd);
                srv.io.fd = -1;
        }
        if (srv.address && srv.address[0] == '/')
                (void)os_unlink(srv.address);
        free(srv.address);
        srv.address = NULL;
}
