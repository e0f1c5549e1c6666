/* SPDX-License-Identifier: MIT */
#include "control/control_views.h"

#include "base/signame.h"
#include "base/timespan.h"
#include "core/loop.h"
#include "notify/notify_server.h"
#include "os/watchdog.h"
#include "supervise/unit_cgroup.h"
#include "supervise/manager.h"
#include "supervise/supervisor.h"
#include "supervise/unit_view.h"
#include "system/shutdown_report.h"
#include "watchdog/hw_watchdog.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tab_str(struct strbuf *b, const char *s) {
        strbuf_putc(b, '\t');
        strbuf_puts(b, s);
}

static void tab_u64(struct strbuf *b, uint64_t v) {
        strbuf_putc(b, '\t');
        control_put_u64(b, v);
}

bool control_find_units(struct strbuf *b, const struct control_request *rq, size_t first, struct unit **sel) {
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

/* ---------------------------------------------------------------- status */

static const char *const status_fields[] = {
        "name", "active", "sub", "result", "pid", "uptime_usec", "restarts", "last_exit",
        "ready", "status", "notify_denied", "watchdog_misses", "description",
        "health", "health_failures", "health_output",
        "type", "restart", "path", "can_reload",
        "memory_current", "tasks_current", "cpu_usec", "oom_kills",
        "condition_result", "condition_usec", "assert_result", "assert_usec",
};

/* The cgroup's numbers (supervise/unit_cgroup.h): empty when unknown. */
static void put_cgroup_fields(struct strbuf *b, const struct unit *u) {
        struct unit_cgroup_stats s;
        (void)unit_cgroup_stats(u, &s);
        const uint64_t v[] = { s.memory_current, s.tasks_current, s.cpu_usage_usec, s.oom_kills };
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                strbuf_putc(b, '\t');
                if (v[i] != UINT64_MAX)
                        control_put_u64(b, v[i]);
        }
}

/* The last check's verdict and CLOCK_REALTIME time: "yes\tUSEC", "no\tUSEC", or
 * two empty fields when never checked. */
static void put_check(struct strbuf *b, bool met, uint64_t realtime) {
        strbuf_putc(b, '\t');
        if (realtime)
                strbuf_puts(b, met ? "yes" : "no");
        strbuf_putc(b, '\t');
        if (realtime)
                control_put_u64(b, realtime);
}

/* "exited CODE" or "killed SIGNAME" */
static void put_exit(struct strbuf *b, const struct exit_info *e) {
        char name[16];
        if (e->exited) {
                strbuf_puts(b, "exited ");
                control_put_u64(b, (uint64_t)e->code);
        } else {
                strbuf_puts(b, "killed ");
                strbuf_puts(b, signame_from_number(e->sig, name, sizeof(name)));
        }
}

static void put_status_line(struct strbuf *b, const struct unit *u, uint64_t now) {
        struct unit_view v;
        unit_view_of(u, &v);
        control_put_field(b, v.name);
        tab_str(b, unit_state_active(v.state));
        tab_str(b, unit_state_to_string(v.state));
        tab_str(b, unit_result_to_string(v.result));
        strbuf_putc(b, '\t');
        if (v.main_pid > 0)
                control_put_u64(b, (uint64_t)v.main_pid);
        strbuf_putc(b, '\t');
        if (unit_state_is_up(v.state) && v.active_since && now >= v.active_since)
                control_put_u64(b, now - v.active_since);
        tab_u64(b, v.restarts_total);
        strbuf_putc(b, '\t');
        if (v.main_exit_known)
                put_exit(b, &v.main_exit);
        else
                strbuf_puts(b, "-");
        tab_str(b, v.type != SERVICE_NOTIFY && v.probe.kind == PROBE_NONE ? "-" : v.ready ? "yes" : "no");
        strbuf_putc(b, '\t');
        control_put_field(b, v.status_text);
        tab_u64(b, v.notify_denied);
        tab_u64(b, v.watchdog_misses);
        strbuf_putc(b, '\t');
        control_put_field(b, v.description);
        tab_str(b, v.probe.health);
        strbuf_putc(b, '\t');
        if (v.probe.kind != PROBE_NONE)
                control_put_u64(b, v.probe.failures);
        strbuf_putc(b, '\t');
        control_put_field(b, v.probe.kind != PROBE_NONE ? v.probe.output : NULL);
        /* For systemctl show's Type=, Restart=, FragmentPath=, CanReload=. */
        const struct unit_config *c = unit_config(u);
        tab_str(b, service_type_to_string(v.type));
        tab_str(b, restart_mode_to_string(c->restart.mode));
        strbuf_putc(b, '\t');
        control_put_field(b, c->n_sources ? c->sources[0] : "");
        tab_str(b, v.has_exec_reload ? "yes" : "no");
        put_cgroup_fields(b, u);
        /* For systemctl show's ConditionResult=, AssertResult= and their timestamps. */
        put_check(b, v.condition_met, v.condition_realtime);
        put_check(b, v.assert_met, v.assert_realtime);
        strbuf_putc(b, '\n');
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
void control_views_watchdog(struct strbuf *b, const struct control_request *rq) {
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

/* ---------------------------------------------------------------- status, history */

/* The manager's own line: notify drops that no unit could be charged with. */
static void put_notify_line(struct strbuf *b) {
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
                control_put_u64(b, counts[i].value);
        }
        strbuf_putc(b, '\n');
}

/* The previous shutdown, from --shutdown-report at boot (SPEC §7). */
static void put_previous_line(struct strbuf *b) {
        if (!shutdown_report_previous_action())
                return;
        strbuf_puts(b, "@previous\t");
        control_put_field(b, shutdown_report_previous_action());
        strbuf_putc(b, '\t');
        control_put_field(b, shutdown_report_previous_reason());
        strbuf_putc(b, '\n');
}

void control_views_status(struct strbuf *b, const struct control_request *rq) {
        struct unit *sel[CONTROL_ARGS_MAX];
        if (!control_find_units(b, rq, 0, sel))
                return;
        /* Draining (--drain-sec) or stopping: vigil is on its way out (issue 14). */
        control_reply_header(b, CONTROL_OK, supervisor_draining() ? "status, draining" : "status");
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
        put_notify_line(b);
        put_previous_line(b);
        put_watchdog(b, true);
}

/* The rows of the Restart= table (SPEC §4). */
static const char *cause_row(enum exit_cause c) {
        switch (c) {
        case EXIT_CAUSE_CLEAN: return "clean";
        case EXIT_CAUSE_UNCLEAN_CODE: return "unclean exit code";
        case EXIT_CAUSE_UNCLEAN_SIGNAL: return "unclean signal";
        case EXIT_CAUSE_TIMEOUT: return "timeout";
        case EXIT_CAUSE_WATCHDOG: return "watchdog";
        case EXIT_CAUSE_OOM_KILL: return "oom-kill";
        default: return "?";
        }
}

void control_views_history(struct strbuf *b, const struct control_request *rq) {
        struct unit *u;
        if (!control_find_units(b, rq, 0, &u))
                return;
        control_reply_header(b, CONTROL_OK, unit_name(u));
        strbuf_puts(b, "#time_usec\truntime_usec\tpid\tcause\texit\tcore\thealth\n");
        for (size_t i = 0, n = unit_view_history_count(u); i < n; i++) {
                const struct unit_exit_record *h = unit_view_history_at(u, i);
                control_put_u64(b, h->realtime_usec);
                tab_u64(b, h->runtime_usec);
                tab_u64(b, (uint64_t)h->pid);
                tab_str(b, cause_row(h->cause));
                strbuf_putc(b, '\t');
                put_exit(b, &h->exit);
                tab_str(b, h->core ? "yes" : "no");
                tab_str(b, h->health ? h->health : "-");
                strbuf_putc(b, '\n');
        }
}
