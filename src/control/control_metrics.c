/* SPDX-License-Identifier: MIT */
#include "control/control_metrics.h"

#include "control/control_msg.h"
#include "notify/notify_server.h"
#include "supervise/unit_cgroup.h"
#include "supervise/manager.h"
#include "supervise/unit_view.h"
#include "watchdog/hw_watchdog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

static void metric_unit(struct strbuf *b, const char *name, const struct unit_view *u, const char *extra_label,
                        const char *extra_value, const char *value) {
        strbuf_puts(b, name);
        strbuf_puts(b, "{unit=\"");
        put_label_value(b, u->name);
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

static void metric_plain(struct strbuf *b, const char *name, const char *value) {
        strbuf_puts(b, name);
        strbuf_putc(b, ' ');
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

/* The gauges of each unit: state, up, ready, uptime. */
static void put_unit_gauges(struct strbuf *b, uint64_t now) {
        size_t n = manager_n_units();
        struct unit_view u;
        char v[32];
        metric_head(b, "vigil_unit_state", "gauge", "1 for the state the unit is in (sub-state as in vigilctl status).");
        for (size_t i = 0; i < n; i++) {
                unit_view_of(manager_unit_at(i), &u);
                metric_unit(b, "vigil_unit_state", &u, "state", unit_state_to_string(u.state), "1");
        }
        metric_head(b, "vigil_unit_up", "gauge", "1 if the unit is active (running, exited or reloading), else 0.");
        for (size_t i = 0; i < n; i++) {
                unit_view_of(manager_unit_at(i), &u);
                metric_unit(b, "vigil_unit_up", &u, NULL, NULL, unit_state_is_up(u.state) ? "1" : "0");
        }
        metric_head(b, "vigil_unit_ready", "gauge",
                    "Type=notify units: 1 once READY=1 was received; units with a health probe: once it passed.");
        for (size_t i = 0; i < n; i++) {
                unit_view_of(manager_unit_at(i), &u);
                if (u.type == SERVICE_NOTIFY || u.probe.kind != PROBE_NONE)
                        metric_unit(b, "vigil_unit_ready", &u, NULL, NULL, u.ready ? "1" : "0");
        }
        metric_head(b, "vigil_unit_uptime_seconds", "gauge", "Seconds since the unit last came up (0 when not up).");
        for (size_t i = 0; i < n; i++) {
                unit_view_of(manager_unit_at(i), &u);
                uint64_t up = unit_state_is_up(u.state) && u.active_since ? now - u.active_since : 0;
                snprintf(v, sizeof(v), "%.3f", (double)up / 1e6);
                metric_unit(b, "vigil_unit_uptime_seconds", &u, NULL, NULL, v);
        }
}

/* The cgroup's numbers of each unit that has one (supervise/unit_cgroup.h). */
static void put_cgroup_metrics(struct strbuf *b) {
        static const struct {
                const char *name, *type, *help;
        } rows[] = {
                { "vigil_unit_memory_bytes", "gauge", "memory.current of the unit's cgroup." },
                { "vigil_unit_tasks", "gauge", "pids.current of the unit's cgroup." },
                { "vigil_unit_cpu_seconds_total", "counter", "CPU time of the unit's cgroup (cpu.stat usage_usec)." },
                { "vigil_unit_oom_kills_total", "counter", "Processes of the unit's cgroup killed by the OOM killer." },
        };
        char v[32];
        for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
                metric_head(b, rows[k].name, rows[k].type, rows[k].help);
                for (size_t i = 0; i < manager_n_units(); i++) {
                        struct unit_cgroup_stats s;
                        struct unit_view u;
                        if (!unit_cgroup_stats(manager_unit_at(i), &s))
                                continue;
                        const uint64_t values[] = { s.memory_current, s.tasks_current, s.cpu_usage_usec, s.oom_kills };
                        if (values[k] == UINT64_MAX)
                                continue;
                        if (k == 2)
                                snprintf(v, sizeof(v), "%.6f", (double)values[k] / 1e6);
                        else
                                snprintf(v, sizeof(v), "%llu", (unsigned long long)values[k]);
                        unit_view_of(manager_unit_at(i), &u);
                        metric_unit(b, rows[k].name, &u, NULL, NULL, v);
                }
        }
}

/* The counters of each unit, in the order of the table. */
static void put_unit_counters(struct strbuf *b) {
        static const struct {
                const char *name, *help;
        } counters[] = {
                { "vigil_unit_restarts_total", "Automatic restarts (Restart=) since vigil started." },
                { "vigil_unit_exits_total", "Main process exits since vigil started." },
                { "vigil_unit_watchdog_misses_total",
                  "Software watchdog deadlines missed (WatchdogSec=) and WATCHDOG=trigger." },
                { "vigil_unit_notify_denied_total",
                  "sd_notify messages from the unit's processes refused by NotifyAccess=." },
        };
        char v[32];
        for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
                metric_head(b, counters[k].name, "counter", counters[k].help);
                for (size_t i = 0; i < manager_n_units(); i++) {
                        struct unit_view u;
                        unit_view_of(manager_unit_at(i), &u);
                        const uint64_t values[] = { u.restarts_total, u.exits_total, u.watchdog_misses,
                                                    u.notify_denied };
                        snprintf(v, sizeof(v), "%llu", (unsigned long long)values[k]);
                        metric_unit(b, counters[k].name, &u, NULL, NULL, v);
                }
        }
}

/* vigil_unit_health_*: the units with a health probe ([X-Vigil]) only. */
static void put_unit_health(struct strbuf *b) {
        static const struct {
                const char *name, *type, *help;
        } rows[] = {
                { "vigil_unit_healthy", "gauge", "Units with a health probe: 1 if its last result was a success." },
                { "vigil_unit_health_failures", "gauge", "Health probe failures in a row (counted against HealthRetries=)." },
                { "vigil_unit_health_probes_total", "counter", "Health probes run since vigil started." },
                { "vigil_unit_health_probe_failures_total", "counter", "Health probes failed since vigil started." },
        };
        char v[32];
        for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
                metric_head(b, rows[k].name, rows[k].type, rows[k].help);
                for (size_t i = 0; i < manager_n_units(); i++) {
                        struct unit_view u;
                        unit_view_of(manager_unit_at(i), &u);
                        if (u.probe.kind == PROBE_NONE)
                                continue;
                        bool healthy = u.probe.health[0] == 'h';
                        const uint64_t values[] = { healthy, u.probe.failures, u.probe.runs, u.probe.failed };
                        snprintf(v, sizeof(v), "%llu", (unsigned long long)values[k]);
                        metric_unit(b, rows[k].name, &u, NULL, NULL, v);
                }
        }
}

static void put_notify_metrics(struct strbuf *b) {
        const struct notify_stats *ns = notify_server_stats();
        char v[32];
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
}

void control_metrics_reply(struct strbuf *b, uint64_t now, uint64_t started, uint64_t malformed) {
        char v[32];
        control_reply_header(b, CONTROL_OK, "metrics");
        put_unit_gauges(b, now);
        put_unit_counters(b);
        put_unit_health(b);
        put_cgroup_metrics(b);
        put_notify_metrics(b);
        metric_head(b, "vigil_control_requests_malformed_total", "counter", "Malformed control requests.");
        snprintf(v, sizeof(v), "%llu", (unsigned long long)malformed);
        metric_plain(b, "vigil_control_requests_malformed_total", v);
        put_watchdog_metrics(b, now);
        metric_head(b, "vigil_uptime_seconds", "gauge", "Seconds since vigil started its loop.");
        snprintf(v, sizeof(v), "%.3f", (double)(now - started) / 1e6);
        metric_plain(b, "vigil_uptime_seconds", v);
}
