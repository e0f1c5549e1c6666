/* SPDX-License-Identifier: MIT */
/*
 * The [X-Vigil] section's keys: the health probe (docs/DESIGN.md "Health
 * probes", unit_config.h struct unit_probe). systemd ignores every section
 * whose name begins with "X-" (systemd.unit(5), "[X-...] sections"), so a
 * unit file with a probe still loads unchanged under systemd. The names are
 * Docker's HEALTHCHECK options with a Health prefix: HealthInterval= is
 * --interval, HealthTimeout= --timeout, HealthStartPeriod= --start-period,
 * HealthStartInterval= --start-interval, HealthRetries= --retries. The
 * probe itself is HealthExec= (HEALTHCHECK CMD), HealthTCP= or HealthHTTP=.
 * Pure, as unit_keys.c.
 */
#include "unit/unit_keys.h"

#include "base/inet_target.h"
#include "base/num.h"
#include "base/timespan.h"
#include "unit/exec_line.h"
#include "unit/probe_http.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_SECTION "X-Vigil"

/* Empty: the probe is off (drop-ins can remove it). */
static void probe_clear(struct unit_probe *p) {
        exec_command_done(&p->exec);
        free(p->http_host);
        free(p->http_path);
        p->http_host = p->http_path = NULL;
        memset(&p->target, 0, sizeof(p->target));
        p->kind = PROBE_NONE;
        p->file = NULL;
        p->line = 0;
}

/* One probe per unit: a second kind is refused (a later assignment of the
 * same key, e.g. in a drop-in, replaces the first). */
static int probe_claim(const struct unit_key_ctx *k, const char *value, struct unit_probe *p, enum probe_kind kind) {
        if (p->kind != PROBE_NONE && p->kind != kind)
                return unit_key_error(k, value, "a unit has one probe, and %s:%u already set a %s probe (an empty "
                                      "assignment of that key removes it)",
                                      p->file, p->line, probe_kind_to_string(p->kind));
        probe_clear(p);
        p->kind = kind;
        p->file = k->file;
        p->line = k->line;
        return 0;
}

static int parse_health_exec(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_probe *p = field;
        struct exec_command cmd;
        struct exec_diag d;
        int r;

        if (*value == '\0') {
                if (p->kind == PROBE_EXEC)
                        probe_clear(p);
                return 0;
        }
        r = exec_line_split(value, k->c->name, &cmd, &d);
        if (r == -EINVAL)
                return unit_key_error(k, value, "%s", d.error);
        if (r < 0)
                return r;
        if (cmd.flags & EXEC_FLAG_IGNORE_FAILURE) {
                exec_command_done(&cmd);
                return unit_key_error(k, value, "the '-' prefix makes no sense for a probe: its exit status is the answer");
        }
        if (d.warning[0] != '\0')
                unit_key_warning(k, value, "%s", d.warning);
        r = probe_claim(k, value, p, PROBE_EXEC);
        if (r < 0) {
                exec_command_done(&cmd);
                return r;
        }
        cmd.file = k->file;
        cmd.line = k->line;
        p->exec = cmd;
        return 0;
}

static int parse_health_tcp(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_probe *p = field;
        struct inet_target t;
        if (*value == '\0') {
                if (p->kind == PROBE_TCP)
                        probe_clear(p);
                return 0;
        }
        if (inet_target_parse(value, strlen(value), &t) < 0)
                return unit_key_error(k, value, "expected ADDRESS:PORT with a numeric IPv4 or [IPv6] address, "
                                      "localhost, or a bare PORT (host names are not resolved)");
        int r = probe_claim(k, value, p, PROBE_TCP);
        if (r == 0)
                p->target = t;
        return r;
}

static int parse_health_http(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_probe *p = field;
        struct inet_target t;
        char host[INET_TARGET_STRLEN + 16], path[PROBE_HTTP_PATH_MAX];
        const char *why = NULL;
        if (*value == '\0') {
                if (p->kind == PROBE_HTTP)
                        probe_clear(p);
                return 0;
        }
        if (probe_http_url_parse(value, &t, host, sizeof(host), path, sizeof(path), &why) < 0)
                return unit_key_error(k, value, "%s", why);
        int r = probe_claim(k, value, p, PROBE_HTTP);
        if (r < 0)
                return r;
        p->target = t;
        p->http_host = strdup(host);
        p->http_path = strdup(path);
        if (!p->http_host || !p->http_path)
                return -ENOMEM;
        return 0;
}

#define SPAN_POSITIVE 1   /* 0 and infinity refused (an interval, a timeout) */

/* HealthInterval=, HealthTimeout=, HealthStartInterval= (a positive,
 * finite span) and HealthStartPeriod= (0 allowed). As Docker, which
 * refuses intervals and timeouts under 1 ms. */
static int parse_health_span(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t usec;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(uint64_t));
                return 0;
        }
        if (timespan_parse(value, USEC_PER_SEC, &usec) < 0)
                return unit_key_error(k, value, "expected a time span such as 30s, 500ms or 1min");
        if (usec == TIMESPAN_INFINITY)
                return unit_key_error(k, value, "must be finite");
        if ((k->def->arg & SPAN_POSITIVE) && usec < USEC_PER_MSEC)
                return unit_key_error(k, value, "must be at least 1ms");
        *(uint64_t *)field = usec;
        return 0;
}

static int parse_health_retries(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t n;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(unsigned));
                return 0;
        }
        if (num_parse_u64_max(value, 10000, &n) < 0 || n == 0)
                return unit_key_error(k, value, "expected a number of failures in a row from 1 to 10000");
        *(unsigned *)field = (unsigned)n;
        return 0;
}

#define OFF(field) offsetof(struct unit_config, field)

static const struct unit_key probe_keys[] = {
        { PROBE_SECTION, "HealthExec", parse_health_exec, OFF(probe), 0, 0 },
        { PROBE_SECTION, "HealthTCP", parse_health_tcp, OFF(probe), 0, 0 },
        { PROBE_SECTION, "HealthHTTP", parse_health_http, OFF(probe), 0, 0 },
        { PROBE_SECTION, "HealthInterval", parse_health_span, OFF(probe.timing.interval_usec), 0, SPAN_POSITIVE },
        { PROBE_SECTION, "HealthTimeout", parse_health_span, OFF(probe.timing.timeout_usec), 0, SPAN_POSITIVE },
        { PROBE_SECTION, "HealthStartPeriod", parse_health_span, OFF(probe.timing.start_period_usec), 0, 0 },
        { PROBE_SECTION, "HealthStartInterval", parse_health_span, OFF(probe.timing.start_interval_usec), 0,
          SPAN_POSITIVE },
        { PROBE_SECTION, "HealthRetries", parse_health_retries, OFF(probe.timing.retries), 0, 0 },
};

const struct unit_key *unit_keys_probe_at(size_t i) {
        return i < sizeof(probe_keys) / sizeof(probe_keys[0]) ? &probe_keys[i] : NULL;
}

const struct unit_key *unit_keys_probe_find(const char *section, const char *key) {
        for (size_t i = 0; i < sizeof(probe_keys) / sizeof(probe_keys[0]); i++)
                if (strcmp(probe_keys[i].key, key) == 0 && strcmp(probe_keys[i].section, section) == 0)
                        return &probe_keys[i];
        return NULL;
}
