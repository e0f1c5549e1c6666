/* SPDX-License-Identifier: MIT */
/*
 * vigilctl: talk to a running vigil over its control socket (SPEC §6,
 * protocol in docs/CONTROL.md). One request per connection; the reply's
 * code is the exit code (0 ok, 1 failed, 2 usage, 3 unit not found, 4 not
 * authorised), and 5 when vigil cannot be reached.
 */
#include "base/json.h"
#include "base/strbuf.h"
#include "control/control_client.h"
#include "control/control_msg.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_UNREACHABLE 5
#define MAX_FIELDS 64

static bool json, color;

static void usage(FILE *f) {
        fprintf(f, "Usage: vigilctl [--socket PATH] [--json] COMMAND [ARGS...]\n"
                   "\n"
                   "Commands:\n"
                   "  status [UNIT...]     units: state, pid, uptime, restarts, last exit, STATUS=\n"
                   "  start UNIT...        start units\n"
                   "  stop UNIT...         stop units (and what Requires=/BindsTo=/PartOf= them)\n"
                   "  restart UNIT...      stop, then start again\n"
                   "  reload UNIT...       run ExecReload=\n"
                   "  kill [-s SIG] UNIT... signal every process of the units (default SIGTERM)\n"
                   "  check [--live|--ready|--startup]  exit 0 iff every unit is healthy (or the probe\n"
                   "                       passes: Kubernetes liveness, readiness, startup); else one line why\n"
                   "  history UNIT         the unit's last exits: time, cause, code or signal, runtime\n"
                   "  log [-f] [-n N] [UNIT] the last N (50) output lines of a unit, or of all; -f: follow\n"
                   "  metrics              Prometheus text format\n"
                   "  daemon-reload        read the unit files again; restart what changed\n"
                   "  reboot|poweroff|halt stop everything (a container: exit 1, 0, 0)\n"
                   "  watchdog             the hardware watchdog\n"
                   "  watchdog snooze SEC  pet it whatever the health for SEC (at most 1 h; 0 ends it)\n"
                   "\n"
                   "Options:\n"
                   "  -s, --socket PATH    control socket (default $VIGIL_RUNTIME_DIR/control or /run/vigil/control,\n"
                   "                       else $XDG_RUNTIME_DIR/vigil/control, else @vigil-UID/control)\n"
                   "      --json           status as JSON (schema in docs/CONTROL.md)\n"
                   "  -h, --help           this help\n"
                   "\n"
                   "Exit status: 0 ok, 1 failed, 2 usage, 3 unit not found, 4 not authorised,\n"
                   "5 vigil not reachable.\n");
}

/* Connect to vigil, or say why not: -1 with *ret_code the exit code. */
static int connect_or_say(const char *address, int *ret_code) {
        int fd;
        int r = control_client_connect(address, &fd);
        if (r == 0)
                return fd;
        fprintf(stderr, "vigilctl: cannot reach vigil at %s: %s\n", address, strerror(-r));
        /* The socket's mode refused us: that is "not authorised" (SPEC §6). */
        *ret_code = r == -EACCES || r == -EPERM ? CONTROL_DENIED : EXIT_UNREACHABLE;
        return -1;
}

/* ---------------------------------------------------------------- status */

struct table {
        char *names[MAX_FIELDS];
        size_t n_names;
};

static const char *field(const struct table *t, char **f, size_t n, const char *name) {
        for (size_t i = 0; i < t->n_names && i < n; i++)
                if (strcmp(t->names[i], name) == 0)
                        return f[i];
        return "";
}

static void stdout_sink(void *ctx, const char *p, size_t len) {
        (void)ctx;
        fwrite(p, 1, len, stdout);
}

/* A status or history field: '"', '\\' and control bytes escaped (as
 * \u00XX), every other byte as it is. */
static void json_string(const char *s) {
        static const struct json_style style = { JSON_INVALID_PASS, 0 };
        json_put_string(s, strlen(s), style, stdout_sink, NULL);
}

static void json_number_or_null(const char *s) {
        if (*s)
                fputs(s, stdout);
        else
                fputs("null", stdout);
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
        if (!color)
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
                json_string(v);
                break;
        case JSON_NUMBER:
                json_number_or_null(v);
                break;
        case JSON_STRING_OR_NULL:
                if (!*v || strcmp(v, "-") == 0)
                        printf("null");
                else
                        json_string(v);
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
static int print_watchdog(char *body) {
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
        if (json) {
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
        struct table t;
        char *notify, *watchdog, *previous;
        char *lines[4096];
        size_t n_lines;
};

/* vigilctl status --json (docs/CONTROL.md). */
static void print_status_json(struct status_reply *s) {
        printf("{\"version\":1,\"units\":[");
        for (size_t i = 0; i < s->n_lines; i++) {
                char *f[MAX_FIELDS];
                size_t n = control_split_fields(s->lines[i], f, MAX_FIELDS);
                for (size_t k = 0; k < sizeof(json_fields) / sizeof(json_fields[0]); k++) {
                        const char *v = field(&s->t, f, n, json_fields[k].name);
                        printf("%s\"%s\":", k ? "," : (i ? ",{" : "{"), json_fields[k].name);
                        json_value(json_fields[k].kind, v);
                }
                printf("}");
        }
        printf("]");
        if (s->notify) {
                printf(",\"notify\":{");
                char *f[MAX_FIELDS];
                size_t n = control_split_fields(s->notify + 1, f, MAX_FIELDS);
                bool first = true;
                for (size_t i = 1; i < n; i++) {
                        char *eq = strchr(f[i], '=');
                        if (!eq)
                                continue;
                        *eq = '\0';
                        printf("%s", first ? "" : ",");
                        json_string(f[i]);
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
                        json_string(f[0]);
                        printf(",\"reason\":");
                        json_string(f[1]);
                        printf("}");
                }
        }
        printf("}\n");
}

static int print_status(char *body) {
        struct status_reply s = { 0 };
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#' && s.t.n_names == 0)
                        s.t.n_names = control_split_fields(line + 1, s.t.names, MAX_FIELDS);
                else if (strncmp(line, "@watchdog\t", 10) == 0)
                        s.watchdog = line;
                else if (strncmp(line, "@previous\t", 10) == 0)
                        s.previous = line + 10;
                else if (line[0] == '@')
                        s.notify = line;
                else if (s.n_lines < sizeof(s.lines) / sizeof(s.lines[0]))
                        s.lines[s.n_lines++] = line;
        }
        if (json) {
                print_status_json(&s);
                return 0;
        }
        printf("%-24s %-10s %-13s %7s %8s %8s %-16s %s\n", "UNIT", "ACTIVE", "SUB", "PID", "UPTIME", "RESTARTS",
               "LAST EXIT", "STATUS");
        for (size_t i = 0; i < s.n_lines; i++) {
                char *f[MAX_FIELDS];
                size_t n = control_split_fields(s.lines[i], f, MAX_FIELDS);
                char up[32];
                format_uptime(field(&s.t, f, n, "uptime_usec"), up, sizeof(up));
                const char *active = field(&s.t, f, n, "active");
                const char *pid = field(&s.t, f, n, "pid");
                const char *st = field(&s.t, f, n, "status");
                const char *ready = field(&s.t, f, n, "ready");
                char status[256];
                snprintf(status, sizeof(status), "%s%s", strcmp(ready, "no") == 0 ? "(not ready) " : "", st);
                for (char *p = status; *p; p++)
                        if ((unsigned char)*p < 0x20)
                                *p = ' ';
                printf("%-24s %s%-10s%s %-13s %7s %8s %8s %-16s %s\n", field(&s.t, f, n, "name"), state_color(active),
                       active, color ? "\033[0m" : "", field(&s.t, f, n, "sub"), *pid ? pid : "-", up,
                       field(&s.t, f, n, "restarts"), field(&s.t, f, n, "last_exit"), status);
        }
        char *pf[2];
        if (s.previous && control_split_fields(s.previous, pf, 2) == 2)
                printf("previous shutdown: %s: %s\n", pf[0], pf[1]);
        return 0;
}

static void format_time(const char *usec, char *out, size_t size, bool utc_iso) {
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

static int print_history(const char *unit, char *body) {
        struct table t = { 0 };
        bool first = true;
        if (json)
                printf("{\"version\":1,\"unit\":\"%s\",\"exits\":[", unit);
        else
                printf("%-23s %9s %8s  %-22s %-16s %s\n", "TIME", "RAN", "PID", "CAUSE", "EXIT", "CORE");
        for (char *save = NULL, *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#') {
                        t.n_names = control_split_fields(line + 1, t.names, MAX_FIELDS);
                        continue;
                }
                char *f[MAX_FIELDS];
                size_t n = control_split_fields(line, f, MAX_FIELDS);
                const char *exit = field(&t, f, n, "exit");
                char when[48], ran[32];
                if (json) {
                        format_time(field(&t, f, n, "time_usec"), when, sizeof(when), true);
                        bool exited = strncmp(exit, "exited ", 7) == 0;
                        printf("%s{\"time\":\"%s\",\"time_usec\":%s,\"runtime_usec\":%s,\"pid\":%s,\"cause\":",
                               first ? "" : ",", when, field(&t, f, n, "time_usec"), field(&t, f, n, "runtime_usec"),
                               field(&t, f, n, "pid"));
                        json_string(field(&t, f, n, "cause"));
                        printf(",\"exit_code\":%s,\"signal\":", exited ? exit + 7 : "null");
                        if (exited)
                                printf("null");
                        else
                                json_string(strncmp(exit, "killed ", 7) == 0 ? exit + 7 : exit);
                        printf(",\"core_dumped\":%s}", strcmp(field(&t, f, n, "core"), "yes") == 0 ? "true" : "false");
                } else {
                        format_time(field(&t, f, n, "time_usec"), when, sizeof(when), false);
                        format_runtime(field(&t, f, n, "runtime_usec"), ran, sizeof(ran));
                        printf("%-23s %9s %8s  %-22s %-16s %s\n", when, ran, field(&t, f, n, "pid"),
                               field(&t, f, n, "cause"), exit, field(&t, f, n, "core"));
                }
                first = false;
        }
        if (json)
                printf("]}\n");
        else if (first)
                printf("(no exits yet)\n");
        return 0;
}

/* ---------------------------------------------------------------- log */

#define LOG_DEFAULT_LINES "50"

/* A log body line split into fields, unescaped in place (\\ \t \n \r, and
 * \0 for NUL, which only a log line carries), with their lengths. */
static size_t split_log_fields(char *line, char **fields, size_t *lens, size_t max) {
        size_t n = 0;
        char *r = line, *w = line;
        fields[n++] = w;
        for (; *r; r++) {
                if (*r == '\t') {
                        lens[n - 1] = (size_t)(w - fields[n - 1]);
                        *w++ = '\0';
                        if (n == max)
                                return n;
                        fields[n++] = w;
                } else if (*r == '\\' && r[1]) {
                        r++;
                        *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r == '0' ? '\0' : *r;
                } else {
                        *w++ = *r;
                }
        }
        lens[n - 1] = (size_t)(w - fields[n - 1]);
        *w = '\0';
        return n;
}

/* JSON string of any bytes: control bytes escaped, invalid UTF-8 as U+FFFD. */
static void json_bytes(const char *s, size_t len) {
        static const struct json_style style = { JSON_INVALID_REPLACE, JSON_SHORT_NRT | JSON_ESCAPE_DEL };
        json_put_string(s, len, style, stdout_sink, NULL);
}

static void print_log_line(const struct table *t, char *line) {
        if (strncmp(line, "@dropped\t", 9) == 0) {
                const char *n = line + 9;
                if (json)
                        printf("{\"dropped\":%s}\n", n);
                else
                        printf("-- vigil dropped %s lines here: this reader did not keep up --\n", n);
                return;
        }
        if (line[0] == '@')
                return; /* a newer vigil's notice */
        char *f[MAX_FIELDS];
        size_t lens[MAX_FIELDS];
        size_t n = split_log_fields(line, f, lens, MAX_FIELDS);
        const char *msg = "";
        size_t msg_len = 0;
        for (size_t i = 0; i < t->n_names && i < n; i++)
                if (strcmp(t->names[i], "line") == 0) {
                        msg = f[i];
                        msg_len = lens[i];
                }
        const char *usec = field(t, f, n, "time_usec"), *unit = field(t, f, n, "unit"), *pid = field(t, f, n, "pid");
        bool cut = strcmp(field(t, f, n, "cut"), "yes") == 0;
        char when[48];
        if (json) {
                format_time(usec, when, sizeof(when), true);
                printf("{\"time\":\"%s\",\"time_usec\":%s,\"unit\":", when, *usec ? usec : "0");
                json_string(unit);
                printf(",\"pid\":%s,\"message\":", *pid ? pid : "null");
                json_bytes(msg, msg_len);
                printf(",\"cut\":%s}\n", cut ? "true" : "false");
                return;
        }
        unsigned long long us = strtoull(usec, NULL, 10);
        time_t secs = (time_t)(us / 1000000ULL);
        struct tm tm;
        localtime_r(&secs, &tm);
        size_t k = strftime(when, sizeof(when), "%H:%M:%S", &tm);
        snprintf(when + k, sizeof(when) - k, ".%03llu", (us / 1000ULL) % 1000ULL);
        printf("%s %s%s%s%s: ", when, unit, *pid ? "[" : "", pid, *pid ? "]" : "");
        fwrite(msg, 1, msg_len, stdout);
        fputs(cut ? " [line cut]\n" : "\n", stdout);
}

static void on_interrupt(int sig) {
        (void)sig;
        _exit(0); /* log -f ends with ^C: that is success */
}

/* Stop quietly when whoever reads our output went away (`| head`). */
static void flush_or_exit(void) {
        if (fflush(stdout) != 0 || ferror(stdout))
                exit(0);
}

/* A log reply as it comes (it may never end: -f). */
struct log_stream {
        const char *address;
        struct table names;
        bool header;
        int code;
};

static int log_reply_line(void *ctx, char *line, size_t len, bool partial) {
        struct log_stream *s = ctx;
        (void)len;
        if (partial)
                return 0; /* cut off by the end: not a line */
        if (!s->header) {
                const char *text;
                s->header = true;
                if (control_reply_parse_header(line, &s->code, &text) < 0) {
                        fprintf(stderr, "vigilctl: unexpected reply from vigil at %s\n", s->address);
                        s->code = EXIT_UNREACHABLE;
                        return -EPROTO;
                }
                if (s->code != CONTROL_OK) {
                        fprintf(stderr, "vigilctl: %s\n", text);
                        return -ECANCELED;
                }
        } else if (line[0] == '#') {
                /* the names stay valid: this line is kept here */
                char *names = strdup(line + 1);
                if (names) {
                        free(s->names.n_names ? s->names.names[0] : NULL);
                        s->names.n_names = control_split_fields(names, s->names.names, MAX_FIELDS);
                }
        } else {
                print_log_line(&s->names, line);
        }
        return 0;
}

static void log_reply_batch(void *ctx) {
        (void)ctx;
        flush_or_exit();
}

/* Send the log request and print the reply as it comes. Returns the exit code. */
static int stream_log(const char *address, const char *request) {
        int code = CONTROL_OK;
        int fd = connect_or_say(address, &code);
        if (fd < 0)
                return code;
        struct log_stream s = { .address = address, .code = CONTROL_OK };
        bool got;
        int r = control_client_exchange(fd, request, log_reply_line, log_reply_batch, &s, &got);
        if (r == -ENOMEM) {
                fprintf(stderr, "vigilctl: out of memory\n");
                s.code = CONTROL_FAILED;
        } else if (!s.header) {
                fprintf(stderr, "vigilctl: unexpected reply from vigil at %s%s\n", address,
                        r == 0 && !got ? " (connection closed)" : "");
                s.code = EXIT_UNREACHABLE;
        }
        flush_or_exit();
        free(s.names.n_names ? s.names.names[0] : NULL);
        return s.code;
}

/* log [-f|--follow] [-n N|--lines N] [UNIT] [--json: taken by main] */
static int log_command(const char *address, const char *const *argv, size_t argc) {
        const char *lines = LOG_DEFAULT_LINES, *unit = NULL;
        bool follow = false;
        for (size_t i = 0; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "-f") == 0 || strcmp(a, "--follow") == 0) {
                        follow = true;
                } else if (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0) {
                        if (i + 1 == argc) {
                                fprintf(stderr, "vigilctl: log: %s needs a number\n", a);
                                return CONTROL_USAGE;
                        }
                        lines = argv[++i];
                } else if (strncmp(a, "--lines=", 8) == 0) {
                        lines = a + 8;
                } else if (strncmp(a, "-n", 2) == 0) {
                        lines = a + 2;
                } else if (a[0] == '-') {
                        fprintf(stderr, "vigilctl: log: unknown option '%s'\n", a);
                        return CONTROL_USAGE;
                } else if (unit) {
                        fprintf(stderr, "vigilctl: log: one unit at most\n");
                        return CONTROL_USAGE;
                } else {
                        unit = a;
                }
        }
        size_t digits = strspn(lines, "0123456789");
        if (digits == 0 || lines[digits] || digits > 18) {
                fprintf(stderr, "vigilctl: log: -n needs a number of lines, not '%s'\n", lines);
                return CONTROL_USAGE;
        }
        const char *args[3] = { lines, follow ? "1" : "0", unit };
        struct strbuf rq = { 0 };
        if (control_request_format(CONTROL_LOG, args, unit ? 3 : 2, &rq) < 0) {
                free(strbuf_take(&rq));
                fprintf(stderr, "vigilctl: log: invalid unit name\n");
                return CONTROL_USAGE;
        }
        char *request = strbuf_take(&rq);
        if (!request) {
                fprintf(stderr, "vigilctl: out of memory\n");
                return CONTROL_FAILED;
        }
        signal(SIGPIPE, SIG_IGN);
        signal(SIGINT, on_interrupt);
        int code = stream_log(address, request);
        free(request);
        return code;
}

/* The command line, parsed. */
struct cli {
        const char *address;
        int verb;
        const char *verb_name;
        const char *args[CONTROL_ARGS_MAX];
        size_t n_args;
};

/* -1: go on; else the exit code. */
static int parse_options(int argc, char **argv, struct cli *cli) {
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;
        while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
                switch (c) {
                case 's':
                        cli->address = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return CONTROL_USAGE;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return CONTROL_USAGE;
        }
        cli->verb_name = argv[optind];
        cli->verb = control_verb_from_name(argv[optind]);
        if (cli->verb < 0) {
                fprintf(stderr, "vigilctl: unknown command '%s' (see vigilctl --help)\n", argv[optind]);
                return CONTROL_USAGE;
        }
        return -1;
}

/* The command's arguments after argv[optind]; --json may also follow the
 * command (vigilctl status --json). -1: go on; else the exit code. */
static int parse_arguments(int argc, char **argv, struct cli *cli) {
        if (cli->verb == CONTROL_KILL) {
                /* kill [-s SIG|--signal SIG|--signal=SIG] UNIT...: the signal goes first on the wire. */
                const char *sig = "SIGTERM";
                int i = optind + 1;
                if (i < argc && (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--signal") == 0)) {
                        if (i + 1 >= argc) {
                                fprintf(stderr, "vigilctl: kill: -s needs a signal\n");
                                return CONTROL_USAGE;
                        }
                        sig = argv[i + 1];
                        optind += 2;
                } else if (i < argc && strncmp(argv[i], "--signal=", 9) == 0) {
                        sig = argv[i] + 9;
                        optind += 1;
                }
                cli->args[cli->n_args++] = sig;
        }
        for (int i = optind + 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0) {
                        json = true;
                        continue;
                }
                if (cli->n_args == CONTROL_ARGS_MAX) {
                        fprintf(stderr, "vigilctl: too many arguments\n");
                        return CONTROL_USAGE;
                }
                /* check --live|--ready|--startup: the probe's name on the wire. */
                bool probe = cli->verb == CONTROL_CHECK && strncmp(argv[i], "--", 2) == 0;
                cli->args[cli->n_args++] = argv[i] + (probe ? 2 : 0);
        }
        return -1;
}

/* A whole reply (not log's) as the command shows it. */
static void print_reply(const struct cli *cli, int code, const char *text, char *body) {
        int verb = cli->verb;
        if (verb == CONTROL_DAEMON_RELOAD && body)
                fputs(body, stdout); /* what changed, and what could not be loaded */
        if (code != CONTROL_OK) {
                fprintf(stderr, "vigilctl: %s\n", text);
        } else if (verb == CONTROL_DAEMON_RELOAD) {
                /* printed above */
        } else if (verb == CONTROL_STATUS) {
                print_status(body ? body : (char *)"");
        } else if (verb == CONTROL_HISTORY) {
                print_history(text, body ? body : (char *)"");
        } else if (verb == CONTROL_WATCHDOG && cli->n_args == 0) {
                print_watchdog(body ? body : (char *)"");
        } else if (verb == CONTROL_WATCHDOG) {
                printf("%s\n", text);
        } else if (verb == CONTROL_CHECK || verb == CONTROL_REBOOT || verb == CONTROL_POWEROFF ||
                   verb == CONTROL_HALT) {
                printf("%s\n", text);
        } else if (body && *body) {
                fputs(body, stdout);
        }
}

/* One request, one whole reply. Returns the exit code. */
static int call(const struct cli *cli) {
        struct strbuf rq = { 0 };
        if (control_request_format((enum control_verb)cli->verb, cli->args, cli->n_args, &rq) < 0) {
                free(strbuf_take(&rq));
                fprintf(stderr, "vigilctl: invalid arguments for '%s' (names may not be empty or contain spaces)\n",
                        cli->verb_name);
                return CONTROL_USAGE;
        }
        char *request = strbuf_take(&rq);
        if (!request) {
                fprintf(stderr, "vigilctl: out of memory\n");
                return CONTROL_FAILED;
        }
        int code = CONTROL_OK;
        int fd = connect_or_say(cli->address, &code);
        if (fd < 0) {
                free(request);
                return code;
        }
        char *reply, *body;
        int r = control_client_call(fd, request, &reply, &body);
        free(request);
        if (r < 0) {
                fprintf(stderr, "vigilctl: cannot reach vigil at %s: %s\n", cli->address, strerror(-r));
                return r == -EACCES || r == -EPERM ? CONTROL_DENIED : EXIT_UNREACHABLE;
        }
        const char *text;
        if (control_reply_parse_header(reply, &code, &text) < 0) {
                fprintf(stderr, "vigilctl: unexpected reply from vigil at %s%s\n", cli->address,
                        *reply ? "" : " (connection closed)");
                free(reply);
                return EXIT_UNREACHABLE;
        }
        print_reply(cli, code, text, body);
        free(reply);
        return code;
}

int main(int argc, char **argv) {
        struct cli cli = { 0 };
        int code = parse_options(argc, argv, &cli);
        if (code < 0)
                code = parse_arguments(argc, argv, &cli);
        if (code >= 0)
                return code;
        color = !json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

        char fallback[128];
        if (!cli.address) {
                control_client_default_address(fallback, sizeof(fallback));
                cli.address = fallback;
        }
        if (cli.verb == CONTROL_LOG)
                return log_command(cli.address, cli.args, cli.n_args);
        return call(&cli);
}
