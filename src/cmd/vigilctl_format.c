/* SPDX-License-Identifier: MIT */
#include "cmd/vigilctl_format.h"

#include "base/json.h"
#include "control/control_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool vigilctl_json, vigilctl_color;

/* ---------------------------------------------------------------- status */

const char *vigilctl_field(const struct vigilctl_table *t, char **f, size_t n, const char *name) {
        for (size_t i = 0; i < t->n_names && i < n; i++)
                if (strcmp(t->names[i], name) == 0)
                        return f[i];
        return "";
}

void vigilctl_stdout_sink(void *ctx, const char *p, size_t len) {
        (void)ctx;
        fwrite(p, 1, len, stdout);
}

/* A status or history field: '"', '\\' and control bytes escaped (as
 * \u00XX), valid UTF-8 as it is, any other byte U+FFFD. The fields carry
 * what units wrote (a unit file's Description=, a probe's output, names
 * and paths): bytes the JSON reader must still be able to parse
 * (RFC 8259 §8.1: JSON text is UTF-8). */
void vigilctl_json_string(const char *s) {
        static const struct json_style style = { JSON_INVALID_REPLACE, 0 };
        json_put_string(s, strlen(s), style, vigilctl_stdout_sink, NULL);
}

static void json_number_or_null(const char *s) {
        if (*s)
                fputs(s, stdout);
        else
                fputs("null", stdout);
}

/* The cgroup columns: bytes as K/M/G (base 1024), CPU usec as seconds; "-" when empty. */
static void format_cgroup(const char *value, bool cpu, char *out, size_t size) {
        if (!*value) {
                snprintf(out, size, "-");
                return;
        }
        double v = strtod(value, NULL);
        if (cpu) {
                snprintf(out, size, "%.2fs", v / 1e6);
                return;
        }
        const char *units = "BKMGT";
        while (v >= 1024 && units[1]) {
                v /= 1024;
                units++;
        }
        snprintf(out, size, *units == 'B' ? "%.0f%c" : "%.1f%c", v, *units);
}

static void format_uptime(const char *usec, char *out, size_t size) {
        if (!*usec) {
                snprintf(out, size, "-");
                return;
        }
        unsigned long long s = strtoull(usec, NULL, 10) / 1000000ULL;
        if (s < 60)
                snprintf(out, size, "%llus", s);
        else if (s < 3600)
                snprintf(out, size, "%llum%02llus", s / 60, s % 60);
        else if (s < 86400)
                snprintf(out, size, "%lluh%02llum", s / 3600, (s / 60) % 60);
        else
                snprintf(out, size, "%llud%02lluh", s / 86400, (s / 3600) % 24);
}

static const char *state_color(const char *active) {
        if (!vigilctl_color)
                return "";
        if (strcmp(active, "active") == 0)
                return "\033[32m";
        if (strcmp(active, "failed") == 0)
                return "\033[31m";
        return "\033[33m";
}

/* The status object of --json, in its documented order (docs/CONTROL.md). */
enum json_kind { JSON_STRING, JSON_NUMBER, JSON_STRING_OR_NULL, JSON_YES_NO };
static const struct {
        const char *name;
        enum json_kind kind;
} json_fields[] = {
        { "name", JSON_STRING },         { "active", JSON_STRING },         { "sub", JSON_STRING },
        { "result", JSON_STRING },       { "pid", JSON_NUMBER },            { "uptime_usec", JSON_NUMBER },
        { "restarts", JSON_NUMBER },     { "last_exit", JSON_STRING_OR_NULL }, { "ready", JSON_YES_NO },
        { "status", JSON_STRING_OR_NULL }, { "notify_denied", JSON_NUMBER }, { "watchdog_misses", JSON_NUMBER },
        { "description", JSON_STRING },
        { "health", JSON_STRING_OR_NULL }, { "health_failures", JSON_NUMBER }, { "health_output", JSON_STRING_OR_NULL },
        { "memory_current", JSON_NUMBER }, { "tasks_current", JSON_NUMBER }, { "cpu_usec", JSON_NUMBER },
        { "oom_kills", JSON_NUMBER },
};

/* The hardware watchdog's fields (docs/CONTROL.md): their JSON types. */
static const struct {
        const char *name;
        enum json_kind kind;
} watchdog_fields[] = {
        { "state", JSON_STRING },         { "device", JSON_STRING_OR_NULL },   { "identity", JSON_STRING_OR_NULL },
        { "firmware_version", JSON_NUMBER }, { "options", JSON_STRING },       { "timeout_sec", JSON_NUMBER },
        { "nowayout", JSON_YES_NO },      { "since_last_pet_usec", JSON_NUMBER }, { "time_left_usec", JSON_NUMBER },
        { "snooze_left_usec", JSON_NUMBER }, { "why", JSON_STRING_OR_NULL },   { "last_boot_watchdog", JSON_YES_NO },
        { "boot_status", JSON_NUMBER },   { "pets", JSON_NUMBER },             { "pet_errors", JSON_NUMBER },
};

static void json_value(enum json_kind kind, const char *v) {
        switch (kind) {
        case JSON_STRING:
                vigilctl_json_string(v);
                break;
        case JSON_NUMBER:
                json_number_or_null(v);
                break;
        case JSON_STRING_OR_NULL:
                if (!*v || strcmp(v, "-") == 0)
                        printf("null");
                else
                        vigilctl_json_string(v);
                break;
        case JSON_YES_NO:
                printf("%s", strcmp(v, "yes") == 0 ? "true" : strcmp(v, "no") == 0 ? "false" : "null");
                break;
        }
}

/* keys[i] = values[i]: the watchdog object of --json. */
static void print_watchdog_json(char **keys, char **values, size_t n) {
        printf("{");
        bool first = true;
        for (size_t k = 0; k < sizeof(watchdog_fields) / sizeof(watchdog_fields[0]); k++)
                for (size_t i = 0; i < n; i++)
                        if (strcmp(keys[i], watchdog_fields[k].name) == 0) {
                                printf("%s\"%s\":", first ? "" : ",", keys[i]);
                                json_value(watchdog_fields[k].kind, values[i]);
                                first = false;
                                break;
                        }
        printf("}");
}

static const char *lookup(char **keys, char **values, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(keys[i], key) == 0)
                        return values[i];
        return "";
}

static void format_seconds(const char *usec, char *out, size_t size) {
        if (!*usec)
                snprintf(out, size, "-");
        else
                snprintf(out, size, "%.1f s", (double)strtoull(usec, NULL, 10) / 1e6);
}

/* `vigilctl watchdog`: one "KEY<TAB>VALUE" line per field. */
int vigilctl_print_watchdog(char *body) {
        char *keys[32], *values[32];
        size_t n = 0;
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line && n < 32;
             line = strtok_r(NULL, "\n", &save)) {
                char *f[2];
                if (control_split_fields(line, f, 2) != 2)
                        continue;
                keys[n] = f[0];
                values[n++] = f[1];
        }
        if (vigilctl_json) {
                printf("{\"version\":1,\"watchdog\":");
                print_watchdog_json(keys, values, n);
                printf("}\n");
                return 0;
        }
#define W(key) lookup(keys, values, n, key)
        const char *state = W("state");
        if (strcmp(state, "off") == 0) {
                printf("hardware watchdog: off (--runtime-watchdog-sec=0)\n");
                return 0;
        }
        char since[32], left[32], snooze[32];
        format_seconds(W("since_last_pet_usec"), since, sizeof(since));
        format_seconds(W("time_left_usec"), left, sizeof(left));
        format_seconds(W("snooze_left_usec"), snooze, sizeof(snooze));
        printf("device:      %s\n", *W("device") ? W("device") : "-");
        printf("identity:    %s (firmware %s)\n", *W("identity") ? W("identity") : "-",
               *W("firmware_version") ? W("firmware_version") : "-");
        printf("options:     %s\n", *W("options") ? W("options") : "-");
        printf("state:       %s%s%s\n", state, *W("why") ? ": " : "", W("why"));
        printf("timeout:     %s%s%s\n", *W("timeout_sec") ? W("timeout_sec") : "-", *W("timeout_sec") ? " s" : "",
               strcmp(W("nowayout"), "yes") == 0 ? " (nowayout)" : "");
        printf("last pet:    %s%s\n", since, *W("since_last_pet_usec") ? " ago" : "");
        printf("time left:   %s\n", left);
        printf("snooze left: %s\n", strcmp(W("snooze_left_usec"), "0") == 0 ? "none" : snooze);
        printf("last boot:   %s (boot status %s)\n",
               strcmp(W("last_boot_watchdog"), "yes") == 0 ? "watchdog reset" :
               strcmp(W("last_boot_watchdog"), "no") == 0 ? "not a watchdog reset" : "unknown",
               *W("boot_status") ? W("boot_status") : "-");
        printf("pets:        %s (%s failed)\n", W("pets"), W("pet_errors"));
#undef W
        return 0;
}

/* The status reply's parts, sorted out of its body. */
struct status_reply {
        struct vigilctl_table t;
        char *notify, *watchdog, *previous;
        char *lines[4096];
        size_t n_lines;
};

/* vigilctl status --json (docs/CONTROL.md). */
static void print_status_json(struct status_reply *s) {
        printf("{\"version\":1,\"units\":[");
        for (size_t i = 0; i < s->n_lines; i++) {
                char *f[VIGILCTL_MAX_FIELDS];
                size_t n = control_split_fields(s->lines[i], f, VIGILCTL_MAX_FIELDS);
                for (size_t k = 0; k < sizeof(json_fields) / sizeof(json_fields[0]); k++) {
                        const char *v = vigilctl_field(&s->t, f, n, json_fields[k].name);
                        printf("%s\"%s\":", k ? "," : (i ? ",{" : "{"), json_fields[k].name);
                        json_value(json_fields[k].kind, v);
                }
                printf("}");
        }
        printf("]");
        if (s->notify) {
                printf(",\"notify\":{");
                char *f[VIGILCTL_MAX_FIELDS];
                size_t n = control_split_fields(s->notify + 1, f, VIGILCTL_MAX_FIELDS);
                bool first = true;
                for (size_t i = 1; i < n; i++) {
                        char *eq = strchr(f[i], '=');
                        if (!eq)
                                continue;
                        *eq = '\0';
                        printf("%s", first ? "" : ",");
                        vigilctl_json_string(f[i]);
                        printf(":%s", eq + 1);
                        first = false;
                }
                printf("}");
        }
        if (s->watchdog) {
                char *f[32], *keys[32], *values[32];
                size_t n = control_split_fields(s->watchdog + 1, f, 32), m = 0;
                for (size_t i = 1; i < n; i++) {
                        char *eq = strchr(f[i], '=');
                        if (!eq)
                                continue;
                        *eq = '\0';
                        keys[m] = f[i];
                        values[m++] = eq + 1;
                }
                printf(",\"watchdog\":");
                print_watchdog_json(keys, values, m);
        }
        if (s->previous) {
                char *f[2];
                if (control_split_fields(s->previous, f, 2) == 2) {
                        printf(",\"previous_shutdown\":{\"action\":");
                        vigilctl_json_string(f[0]);
                        printf(",\"reason\":");
                        vigilctl_json_string(f[1]);
                        printf("}");
                }
        }
        printf("}\n");
}

int vigilctl_print_status(char *body) {
        struct status_reply s = { 0 };
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#' && s.t.n_names == 0)
                        s.t.n_names = control_split_fields(line + 1, s.t.names, VIGILCTL_MAX_FIELDS);
                else if (strncmp(line, "@watchdog\t", 10) == 0)
                        s.watchdog = line;
                else if (strncmp(line, "@previous\t", 10) == 0)
                        s.previous = line + 10;
                else if (line[0] == '@')
                        s.notify = line;
                else if (s.n_lines < sizeof(s.lines) / sizeof(s.lines[0]))
                        s.lines[s.n_lines++] = line;
        }
        if (vigilctl_json) {
                print_status_json(&s);
                return 0;
        }
        printf("%-24s %-10s %-13s %7s %8s %8s %-16s %7s %5s %8s %s\n", "UNIT", "ACTIVE", "SUB", "PID", "UPTIME",
               "RESTARTS", "LAST EXIT", "MEMORY", "TASKS", "CPU", "STATUS");
        for (size_t i = 0; i < s.n_lines; i++) {
                char *f[VIGILCTL_MAX_FIELDS];
                size_t n = control_split_fields(s.lines[i], f, VIGILCTL_MAX_FIELDS);
                char up[32];
                format_uptime(vigilctl_field(&s.t, f, n, "uptime_usec"), up, sizeof(up));
                const char *active = vigilctl_field(&s.t, f, n, "active");
                const char *pid = vigilctl_field(&s.t, f, n, "pid");
                const char *st = vigilctl_field(&s.t, f, n, "status");
                const char *ready = vigilctl_field(&s.t, f, n, "ready");
                const char *health = vigilctl_field(&s.t, f, n, "health");
                bool probed = *health && strcmp(health, "-") != 0;
                const char *out = probed && strcmp(health, "healthy") != 0 ? vigilctl_field(&s.t, f, n, "health_output")
                                                                            : "";
                char probe[320] = "", status[600];
                if (probed)   /* "[failing: exit status 1: no answer] " */
                        snprintf(probe, sizeof(probe), "[%s%s%s] ", health, *out ? ": " : "", out);
                snprintf(status, sizeof(status), "%s%s%s", strcmp(ready, "no") == 0 ? "(not ready) " : "", probe, st);
                for (char *p = status; *p; p++)
                        if ((unsigned char)*p < 0x20)
                                *p = ' ';
                char mem[16], cpu[24];
                const char *tasks = vigilctl_field(&s.t, f, n, "tasks_current");
                format_cgroup(vigilctl_field(&s.t, f, n, "memory_current"), false, mem, sizeof(mem));
                format_cgroup(vigilctl_field(&s.t, f, n, "cpu_usec"), true, cpu, sizeof(cpu));
                printf("%-24s %s%-10s%s %-13s %7s %8s %8s %-16s %7s %5s %8s %s\n", vigilctl_field(&s.t, f, n, "name"),
                       state_color(active), active, vigilctl_color ? "\033[0m" : "", vigilctl_field(&s.t, f, n, "sub"),
                       *pid ? pid : "-", up, vigilctl_field(&s.t, f, n, "restarts"),
                       vigilctl_field(&s.t, f, n, "last_exit"), mem, *tasks ? tasks : "-", cpu, status);
        }
        char *pf[2];
        if (s.previous && control_split_fields(s.previous, pf, 2) == 2)
                printf("previous shutdown: %s: %s\n", pf[0], pf[1]);
        return 0;
}

void vigilctl_format_time(const char *usec, char *out, size_t size, bool utc_iso) {
        unsigned long long us = strtoull(usec, NULL, 10);
        time_t t = (time_t)(us / 1000000ULL);
        struct tm tm;
        if (utc_iso) {
                gmtime_r(&t, &tm);
                size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf(out + n, size - n, ".%03lluZ", (us / 1000ULL) % 1000ULL);
        } else {
                localtime_r(&t, &tm);
                strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
        }
}

static void format_runtime(const char *usec, char *out, size_t size) {
        unsigned long long us = strtoull(usec, NULL, 10);
        if (us < 1000000ULL)
                snprintf(out, size, "%llums", us / 1000ULL);
        else if (us < 60000000ULL)
                snprintf(out, size, "%.1fs", (double)us / 1e6);
        else
                format_uptime(usec, out, size);
}

int vigilctl_print_history(const char *unit, char *body) {
        struct vigilctl_table t = { 0 };
        bool first = true;
        if (vigilctl_json)
                printf("{\"version\":1,\"unit\":\"%s\",\"exits\":[", unit);
        else
                printf("%-23s %9s %8s  %-22s %-16s %-4s %s\n", "TIME", "RAN", "PID", "CAUSE", "EXIT", "CORE", "HEALTH");
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#') {
                        t.n_names = control_split_fields(line + 1, t.names, VIGILCTL_MAX_FIELDS);
                        continue;
                }
                char *f[VIGILCTL_MAX_FIELDS];
                size_t n = control_split_fields(line, f, VIGILCTL_MAX_FIELDS);
                const char *exit = vigilctl_field(&t, f, n, "exit");
                char when[48], ran[32];
                if (vigilctl_json) {
                        vigilctl_format_time(vigilctl_field(&t, f, n, "time_usec"), when, sizeof(when), true);
                        bool exited = strncmp(exit, "exited ", 7) == 0;
                        printf("%s{\"time\":\"%s\",\"time_usec\":%s,\"runtime_usec\":%s,\"pid\":%s,\"cause\":",
                               first ? "" : ",", when, vigilctl_field(&t, f, n, "time_usec"), vigilctl_field(&t, f, n, "runtime_usec"),
                               vigilctl_field(&t, f, n, "pid"));
                        vigilctl_json_string(vigilctl_field(&t, f, n, "cause"));
                        printf(",\"exit_code\":%s,\"signal\":", exited ? exit + 7 : "null");
                        if (exited)
                                printf("null");
                        else
                                vigilctl_json_string(strncmp(exit, "killed ", 7) == 0 ? exit + 7 : exit);
                        printf(",\"core_dumped\":%s,\"health\":", strcmp(vigilctl_field(&t, f, n, "core"), "yes") == 0 ? "true" : "false");
                        json_value(JSON_STRING_OR_NULL, vigilctl_field(&t, f, n, "health"));
                        printf("}");
                } else {
                        vigilctl_format_time(vigilctl_field(&t, f, n, "time_usec"), when, sizeof(when), false);
                        format_runtime(vigilctl_field(&t, f, n, "runtime_usec"), ran, sizeof(ran));
                        const char *health = vigilctl_field(&t, f, n, "health");
                        printf("%-23s %9s %8s  %-22s %-16s %-4s %s\n", when, ran, vigilctl_field(&t, f, n, "pid"),
                               vigilctl_field(&t, f, n, "cause"), exit, vigilctl_field(&t, f, n, "core"),
                               *health ? health : "-");
                }
                first = false;
        }
        if (vigilctl_json)
                printf("]}\n");
        else if (first)
                printf("(no exits yet)\n");
        return 0;
}

