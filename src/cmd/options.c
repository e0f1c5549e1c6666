/* SPDX-License-Identifier: MIT */
#include "cmd/options.h"

#include "base/num.h"
#include "base/timespan.h"
#include "base/words.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum option_kind {
        KIND_FLAG,
        KIND_STRING,
        KIND_LIST,
        KIND_TIMESPAN,
        KIND_ID,
        KIND_ENUM,
        KIND_VERBOSE,
        KIND_QUIET,
        KIND_CONFIG,
};

typedef int (*option_check_fn)(const char *value, const char **ret_why);

struct option_def {
        const char *name;
        char short_name;
        enum option_kind kind;
        size_t offset;
        const char *const *choices;   /* KIND_ENUM: NULL-terminated names, index = value */
        option_check_fn check;        /* extra validation of a value */
        const char *metavar;
        const char *help;
        bool supported;               /* false: accepted, warned about, no effect yet */
};

static const char *const on_exit_names[] = { "reboot", "poweroff", "halt", "hang", NULL };
static const char *const log_format_names[] = { "prefixed", "plain", "json", NULL };

/* SRC:TGT:TYPE[:FLAGS[:DATA]] — DATA may itself hold colons. */
static int check_mount(const char *value, const char **ret_why) {
        const char *p = value;
        for (int field = 0; field < 2; field++) {
                p = strchr(p, ':');
                if (!p) {
                        *ret_why = "expected SRC:TGT:TYPE:FLAGS:DATA";
                        return -EINVAL;
                }
                p++;
        }
        if (value[0] == ':' || strchr(value, ':')[1] == ':' || *p == '\0' || *p == ':') {
                *ret_why = "source, target and type must not be empty";
                return -EINVAL;
        }
        return 0;
}

static int check_env(const char *value, const char **ret_why) {
        const char *eq = strchr(value, '=');
        if (!eq || eq == value) {
                *ret_why = "expected KEY=VALUE";
                return -EINVAL;
        }
        for (const char *p = value; p < eq; p++)
                if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                      (p > value && *p >= '0' && *p <= '9'))) {
                        *ret_why = "KEY must be letters, digits and '_', not starting with a digit";
                        return -EINVAL;
                }
        return 0;
}

static int check_nonempty(const char *value, const char **ret_why) {
        if (*value == '\0') {
                *ret_why = "must not be empty";
                return -EINVAL;
        }
        return 0;
}

/* A Unix socket address as NOTIFY_SOCKET spells it: absolute path or @name. */
static int check_socket_address(const char *value, const char **ret_why) {
        if (!((value[0] == '/' && value[1]) || (value[0] == '@' && value[1]))) {
                *ret_why = "must be an absolute path or @name (an abstract socket)";
                return -EINVAL;
        }
        if (strlen(value) > 107) {
                *ret_why = "too long for a Unix socket address (at most 107 bytes)";
                return -EINVAL;
        }
        return 0;
}

int options_parse_size(const char *text, uint64_t *ret) {
        char digits[32];
        size_t n = strlen(text), shift = 0;
        if (n == 0 || n >= sizeof(digits))
                return -EINVAL;
        const char *units = "KMG";
        const char *u = strchr(units, text[n - 1] & ~0x20);
        if (text[n - 1] >= 'A' && u) {
                shift = 10 * (size_t)(u - units + 1);
                n--;
        }
        memcpy(digits, text, n);
        digits[n] = '\0';
        uint64_t v;
        if (num_parse_u64_max(digits, UINT64_MAX >> 30, &v) < 0)
                return -EINVAL;
        *ret = v << shift;
        return 0;
}

static int check_log_file_size(const char *value, const char **ret_why) {
        uint64_t v;
        if (options_parse_size(value, &v) < 0 || v < 16384) {
                *ret_why = "expected a size of at least 16K (bytes, or with K, M or G)";
                return -EINVAL;
        }
        return 0;
}

#define OFF(field) offsetof(struct vigil_options, field)

/* The one table of options; order is --help's order. */
static const struct option_def option_table[] = {
        { "units", 0, KIND_LIST, OFF(units), NULL, check_nonempty, "DIR", "directory of .service files (repeatable)", true },
        { "runit-dir", 0, KIND_STRING, OFF(runit_dir), NULL, check_nonempty, "DIR", "also supervise runit-style service directories", true },
        { "systemd-layout", 0, KIND_STRING, OFF(systemd_layout), NULL, check_nonempty, "ROOT|no", "units from ROOT's systemd layout, enabled ones started", true },
        { "startup-dir", 0, KIND_STRING, OFF(startup_dir), NULL, check_nonempty, "DIR", "startup scripts run in order before units", true },
        { "container-env", 0, KIND_FLAG, OFF(container_env), NULL, NULL, NULL, "import/export /etc/container_environment", true },
        { "wait-ready", 0, KIND_FLAG, OFF(wait_ready), NULL, NULL, NULL, "start the main command once every unit is ready", true },
        { "process-group", 'g', KIND_FLAG, OFF(process_group), NULL, NULL, NULL, "forward signals to the main command's whole process group", true },
        { "kill-all-timeout", 0, KIND_TIMESPAN, OFF(kill_all_timeout_usec), NULL, NULL, "SEC", "grace between SIGTERM and SIGKILL for leftover processes", true },
        { "default-timeout-stop-sec", 0, KIND_TIMESPAN, OFF(default_timeout_stop_usec), NULL, NULL, "SEC", "TimeoutStopSec= of units that set none", true },
        { "no-kill-all", 0, KIND_FLAG, OFF(no_kill_all), NULL, NULL, NULL, "do not kill leftover processes at exit", true },
        { "stop-timeout", 0, KIND_TIMESPAN, OFF(stop_timeout_usec), NULL, NULL, "SEC", "the whole stop's budget: SIGKILL to everything left at its end (0 = none)", true },
        { "drain-sec", 0, KIND_TIMESPAN, OFF(drain_usec), NULL, NULL, "SEC", "on SIGTERM, report not ready for SEC before stopping (container mode)", true },
        { "system", 0, KIND_FLAG, OFF(system), NULL, NULL, NULL, "force system mode", true },
        { "pre-run-exec", 0, KIND_STRING, OFF(pre_run_exec), NULL, check_nonempty, "CMD", "run CMD before starting units", true },
        { "run-on-exit", 0, KIND_STRING, OFF(run_on_exit), NULL, check_nonempty, "CMD", "run CMD once the units have stopped, before the kill-all", true },
        { "on-exit", 0, KIND_ENUM, OFF(on_exit), on_exit_names, NULL, "ACTION", "system mode: reboot|poweroff|halt|hang when the main command exits", true },
        { "hostname-pattern", 0, KIND_STRING, OFF(hostname_pattern), NULL, check_nonempty, "PAT", "system mode: hostname, %s = unique id", true },
        { "uniqueid-exec", 0, KIND_STRING, OFF(uniqueid_exec), NULL, check_nonempty, "CMD", "system mode: command printing the unique id", true },
        { "mount", 'm', KIND_LIST, OFF(mounts), NULL, check_mount, "SRC:TGT:TYPE:FLAGS:DATA", "system mode: extra mount (repeatable)", true },
        { "ctty", 0, KIND_STRING, OFF(ctty), NULL, check_nonempty, "TTY", "system mode: controlling terminal of the main command", true },
        { "env", 0, KIND_LIST, OFF(env), NULL, check_env, "KEY=VAL", "system mode: environment of the main command (repeatable)", true },
        { "uid", 0, KIND_ID, OFF(uid), NULL, NULL, "N", "system mode: user id of the main command", true },
        { "gid", 0, KIND_ID, OFF(gid), NULL, NULL, "N", "system mode: group id of the main command", true },
        { "working-directory", 0, KIND_STRING, OFF(working_directory), NULL, check_nonempty, "DIR", "system mode: working directory of the main command", true },
        { "update-clock", 0, KIND_FLAG, OFF(update_clock), NULL, NULL, NULL, "system mode: never let the clock be behind the build time or --clock-file", true },
        { "clock-file", 0, KIND_STRING, OFF(clock_file), NULL, check_nonempty, "FILE", "system mode: with --update-clock, FILE's mtime is a floor too; touched at boot and shutdown", true },
        { "core-pattern", 0, KIND_STRING, OFF(core_pattern), NULL, check_nonempty, "PAT", "system mode: write PAT to /proc/sys/kernel/core_pattern at boot", true },
        { "tty-options", 0, KIND_STRING, OFF(tty_options), NULL, check_nonempty, "BAUD[PBITS]", "system mode: the console's serial line, e.g. 115200n8", true },
        { "warn-unused-tty", 0, KIND_FLAG, OFF(warn_unused_tty), NULL, NULL, NULL, "system mode: a note on the active consoles that are not the console", true },
        { "watchdog-device", 0, KIND_STRING, OFF(watchdog_device), NULL, check_nonempty, "PATH", "hardware watchdog device", true },
        { "runtime-watchdog-sec", 0, KIND_TIMESPAN, OFF(runtime_watchdog_usec), NULL, NULL, "SEC", "hardware watchdog timeout while running (0 = off)", true },
        { "reboot-watchdog-sec", 0, KIND_TIMESPAN, OFF(reboot_watchdog_usec), NULL, NULL, "SEC", "hardware watchdog timeout for the shutdown path", true },
        { "shutdown-report", 0, KIND_STRING, OFF(shutdown_report), NULL, check_nonempty, "FILE", "write why and how the system went down", true },
        { "termination-log", 0, KIND_STRING, OFF(termination_log), NULL, NULL, "FILE", "on exit write why vigil ended to FILE ('' or none: off; default /dev/termination-log when writable)", true },
        { "log-dir", 0, KIND_STRING, OFF(log_dir), NULL, check_nonempty, "DIR", "also write each unit's output to DIR/NAME.log, rotated", true },
        { "log-file-size", 0, KIND_STRING, OFF(log_file_size), NULL, check_log_file_size, "SIZE", "--log-dir: rotate a file at SIZE bytes (K, M, G; default 256K)", true },
        { "log-file-count", 0, KIND_ID, OFF(log_file_count), NULL, NULL, "N", "--log-dir: rotated files kept per unit (default 2, at most 99)", true },
        { "pmsg-device", 0, KIND_STRING, OFF(pmsg_device), NULL, check_nonempty, "PATH", "system mode: breadcrumbs device (default /dev/pmsg0 when present; none: off)", true },
        { "syslog-socket", 0, KIND_STRING, OFF(syslog_socket), NULL, check_nonempty, "PATH", "syslog receiver for the units' syslog(3) lines (none: off; default /dev/log when PID 1 and nobody listens there)", true },
        { "check-units", 0, KIND_STRING, OFF(check_units), NULL, check_nonempty, "DIR", "load DIR's .service files as vigil would, report (FILE:LINE, then a summary) and exit; start nothing", true },
        { "tmpfiles", 0, KIND_STRING, OFF(tmpfiles_root), NULL, check_nonempty, "ROOT", "at boot, apply the d/D/f/L/z lines of ROOT's tmpfiles.d (/: this machine's)", true },
        { "cgroup-root", 0, KIND_STRING, OFF(cgroup_root), NULL, check_nonempty, "DIR", "cgroup2 directory for the units' groups (off: process groups only; default: /sys/fs/cgroup in system mode, vigil's own group when writable)", true },
        { "log-format", 0, KIND_ENUM, OFF(log_format), log_format_names, NULL, "FORMAT", "service output: prefixed|plain|json", true },
        { "control-socket", 0, KIND_STRING, OFF(control_socket), NULL, check_socket_address, "PATH", "control socket (vigilctl): a path or @abstract-name", true },
        { "notify-socket", 0, KIND_STRING, OFF(notify_socket), NULL, check_socket_address, "PATH", "sd_notify socket: a path or @abstract-name", true },
        { "config", 0, KIND_CONFIG, OFF(config), NULL, check_nonempty, "FILE", "options file (default /etc/vigil.conf if it exists)", true },
        { "verbose", 'v', KIND_VERBOSE, 0, NULL, NULL, NULL, "more log output (repeatable)", true },
        { "quiet", 'q', KIND_QUIET, 0, NULL, NULL, NULL, "less log output (repeatable)", true },
        { "help", 'h', KIND_FLAG, OFF(help), NULL, NULL, NULL, "show this help and exit", true },
        { "version", 0, KIND_FLAG, OFF(version), NULL, NULL, NULL, "show the version and exit", true },
};

#define N_OPTIONS (sizeof(option_table) / sizeof(option_table[0]))
_Static_assert(N_OPTIONS <= OPTIONS_MAX, "raise OPTIONS_MAX");

static int fail(struct options_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct options_error *err, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

void options_init(struct vigil_options *o) {
        memset(o, 0, sizeof(*o));
}

void options_free(struct vigil_options *o) {
        for (size_t i = 0; i < N_OPTIONS; i++) {
                char *field = (char *)o + option_table[i].offset;
                if (option_table[i].kind == KIND_LIST)
                        strv_free((struct strv *)field);
                else if (option_table[i].kind == KIND_STRING || option_table[i].kind == KIND_CONFIG)
                        free(*(char **)field);
        }
        strv_free(&o->command);
        memset(o, 0, sizeof(*o));
}

static const struct option_def *find_long(const char *name, size_t len) {
        for (size_t i = 0; i < N_OPTIONS; i++)
                if (strlen(option_table[i].name) == len && strncmp(option_table[i].name, name, len) == 0)
                        return &option_table[i];
        return NULL;
}

static const struct option_def *find_short(char c) {
        for (size_t i = 0; i < N_OPTIONS; i++)
                if (option_table[i].short_name == c)
                        return &option_table[i];
        return NULL;
}

static bool takes_value(const struct option_def *d) {
        return d->kind != KIND_FLAG && d->kind != KIND_VERBOSE && d->kind != KIND_QUIET;
}

static int set_value(struct vigil_options *o, const struct option_def *d, const char *value,
                     enum option_source source, struct options_error *err) {
        size_t index = (size_t)(d - option_table);
        char *field = (char *)o + d->offset;
        const char *why = NULL;
        uint64_t number;
        int r;

        if (d->check && d->check(value, &why) < 0)
                return fail(err, "invalid value '%s' for --%s: %s", value, d->name, why);
        o->set[index] = true;
        switch (d->kind) {
        case KIND_FLAG:
                *(bool *)field = true;
                return 0;
        case KIND_VERBOSE:
                o->verbosity++;
                return 0;
        case KIND_QUIET:
                o->verbosity--;
                return 0;
        case KIND_STRING:
        case KIND_CONFIG: {
                char *copy = strdup(value);
                if (!copy)
                        return fail(err, "out of memory");
                free(*(char **)field);
                *(char **)field = copy;
                return 0;
        }
        case KIND_LIST:
                if (o->list_source[index] < (unsigned char)(source + 1)) {
                        strv_free((struct strv *)field);
                        o->list_source[index] = (unsigned char)(source + 1);
                }
                return strv_push((struct strv *)field, value) < 0 ? fail(err, "out of memory") : 0;
        case KIND_TIMESPAN:
                r = timespan_parse(value, USEC_PER_SEC, &number);
                if (r < 0)
                        return fail(err, "invalid value '%s' for --%s: expected a time span such as 5, 2.5s or 500ms",
                                    value, d->name);
                *(uint64_t *)field = number;
                return 0;
        case KIND_ID:
                r = num_parse_u64_max(value, UINT32_MAX - 1, &number);
                if (r < 0)
                        return fail(err, "invalid value '%s' for --%s: expected a number from 0 to %u", value,
                                    d->name, UINT32_MAX - 1);
                *(uint64_t *)field = number;
                return 0;
        case KIND_ENUM:
                for (int i = 0; d->choices[i]; i++)
                        if (strcmp(d->choices[i], value) == 0) {
                                *(int *)field = i;
                                return 0;
                        }
                char choices[128] = "";
                for (int i = 0; d->choices[i]; i++) {
                        strncat(choices, i ? "|" : "", sizeof(choices) - strlen(choices) - 1);
                        strncat(choices, d->choices[i], sizeof(choices) - strlen(choices) - 1);
                }
                return fail(err, "invalid value '%s' for --%s: expected %s", value, d->name, choices);
        }
        return fail(err, "internal error: option kind");
}

/* Parse the option at argv[*i] (which starts with '-'), advancing *i past it
 * and its value. */
static int parse_one(struct vigil_options *o, int argc, char *const *argv, int *i,
                     enum option_source source, struct options_error *err) {
        const char *arg = argv[*i];
        (*i)++;
        if (arg[1] == '-') {
                const char *name = arg + 2, *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const struct option_def *d = find_long(name, len);
                if (!d)
                        return fail(err, "unknown option '--%.*s' (see vigil --help)", (int)len, name);
                if (d->kind == KIND_CONFIG && source == OPTION_SOURCE_FILE)
                        return fail(err, "--config cannot be used inside an options file");
                if (!takes_value(d)) {
                        if (eq)
                                return fail(err, "option '--%s' takes no value", d->name);
                        return set_value(o, d, "", source, err);
                }
                if (eq)
                        return set_value(o, d, eq + 1, source, err);
                if (*i >= argc)
                        return fail(err, "option '--%s' needs a value (%s)", d->name, d->metavar);
                return set_value(o, d, argv[(*i)++], source, err);
        }
        for (const char *p = arg + 1; *p; p++) {
                const struct option_def *d = find_short(*p);
                if (!d)
                        return fail(err, "unknown option '-%c' (see vigil --help)", *p);
                if (!takes_value(d)) {
                        int r = set_value(o, d, "", source, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (p[1] != '\0')
                        return set_value(o, d, p + 1, source, err);
                if (*i >= argc)
                        return fail(err, "option '-%c' (--%s) needs a value (%s)", *p, d->name, d->metavar);
                return set_value(o, d, argv[(*i)++], source, err);
        }
        return 0;
}

static int set_command(struct vigil_options *o, int argc, char *const *argv, struct options_error *err) {
        strv_free(&o->command);
        for (int i = 0; i < argc; i++)
                if (strv_push(&o->command, argv[i]) < 0)
                        return fail(err, "out of memory");
        return 0;
}

/* A bad option: fatal, or reported and skipped with o->report. */
static int bad(const struct vigil_options *o, enum option_source source, unsigned line, int r,
               struct options_error *err) {
        if (!o->report || r == -ENOMEM)
                return r;
        o->report(source, line, err->message);
        return 0;
}

int options_parse_args(struct vigil_options *o, int argc, char *const *argv,
                       enum option_source source, struct options_error *err) {
        int i = 0;
        while (i < argc) {
                const char *arg = argv[i];
                if (strcmp(arg, "--") == 0)
                        return set_command(o, argc - i - 1, argv + i + 1, err);
                if (arg[0] != '-' || arg[1] == '\0') {
                        if (!o->init_argv)
                                return set_command(o, argc - i, argv + i, err);
                        /* The kernel hands init every word it does not know ("single", "splash"). */
                        fail(err, "ignoring '%s' from the kernel command line (a main command needs '--')", arg);
                        if (o->report)
                                o->report(source, 0, err->message);
                        i++;
                        continue;
                }
                int r = parse_one(o, argc, argv, &i, source, err);
                if (r < 0 && (r = bad(o, source, 0, r, err)) < 0)
                        return r;
        }
        return 0;
}

static int parse_bool(const char *v) {
        static const char *const yes[] = { "1", "yes", "true", "on" }, *const no[] = { "0", "no", "false", "off" };
        for (size_t i = 0; i < 4; i++) {
                if (strcmp(v, yes[i]) == 0)
                        return 1;
                if (strcmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

int options_parse_kernel(struct vigil_options *o, char *const *words, size_t n, struct options_error *err) {
        for (size_t k = 0; k < n; k++) {
                const char *name = words[k] + 2, *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const struct option_def *d = find_long(name, len);
                int r = 0;
                if (!d)
                        r = fail(err, "unknown option 'vigil.%.*s' on the kernel command line", (int)len, name);
                else if (d->kind == KIND_CONFIG)
                        r = fail(err, "vigil.config cannot be given on the kernel command line (the options "
                                      "file is read first)");
                else if (!takes_value(d)) {
                        int b = eq ? parse_bool(eq + 1) : 1;
                        if (b < 0)
                                r = fail(err, "invalid value '%s' for vigil.%s: expected 1|0|yes|no|true|false|on|off",
                                         eq + 1, d->name);
                        else if (b == 1)
                                r = set_value(o, d, "", OPTION_SOURCE_KERNEL, err);
                } else if (!eq)
                        r = fail(err, "vigil.%s needs a value (vigil.%s=%s)", d->name, d->name, d->metavar);
                else
                        r = set_value(o, d, eq + 1, OPTION_SOURCE_KERNEL, err);
                if (r < 0 && (r = bad(o, OPTION_SOURCE_KERNEL, 0, r, err)) < 0)
                        return r;
        }
        return 0;
}

int options_parse_file(struct vigil_options *o, const char *text, unsigned *ret_line,
                       struct options_error *err) {
        const char *line = text;
        unsigned lineno = 0;
        int r = 0;

        while (*line != '\0' && r == 0) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                char *copy = strndup(line, len);
                struct strv w;
                lineno++;
                if (!copy)
                        return fail(err, "out of memory");
                r = words_split(copy, &w);
                free(copy);
                if (r == -EINVAL)
                        r = fail(err, "unterminated quote or trailing backslash");
                else if (r < 0)
                        r = fail(err, "out of memory");
                else {
                        if (w.n > 0 && strcmp(w.v[0], "--") == 0)
                                r = set_command(o, (int)w.n - 1, w.v + 1, err);
                        else if (w.n > 0 && (w.v[0][0] != '-' || w.v[0][1] == '\0'))
                                r = fail(err, "expected an option, found '%s'", w.v[0]);
                        else if (w.n > 0) {
                                int i = 0;
                                r = parse_one(o, (int)w.n, w.v, &i, OPTION_SOURCE_FILE, err);
                                if (r == 0 && (size_t)i < w.n)
                                        r = fail(err, "one option per line: unexpected '%s'", w.v[i]);
                        }
                        strv_free(&w);
                }
                if (r < 0)
                        r = bad(o, OPTION_SOURCE_FILE, lineno, r, err);
                line += len + (end ? 1 : 0);
        }
        *ret_line = lineno;
        return r;
}

int options_find_config(int argc, char *const *argv, const char **ret, struct options_error *err) {
        *ret = NULL;
        for (int i = 0; i < argc; i++) {
                const char *arg = argv[i];
                if (strcmp(arg, "--") == 0 || arg[0] != '-' || arg[1] == '\0')
                        break;
                if (strncmp(arg, "--config", 8) == 0 && (arg[8] == '\0' || arg[8] == '=')) {
                        if (arg[8] == '=')
                                *ret = arg + 9;
                        else if (i + 1 < argc)
                                *ret = argv[++i];
                        else
                                return fail(err, "option '--config' needs a value (FILE)");
                        continue;
                }
                /* Skip the value of any other option that takes one. */
                if (arg[1] == '-') {
                        const struct option_def *d = find_long(arg + 2, strcspn(arg + 2, "="));
                        if (d && takes_value(d) && !strchr(arg, '='))
                                i++;
                } else {
                        for (const char *p = arg + 1; *p; p++) {
                                const struct option_def *d = find_short(*p);
                                if (d && takes_value(d)) {
                                        if (p[1] == '\0')
                                                i++;
                                        break;
                                }
                        }
                }
        }
        return 0;
}

void options_apply_defaults(struct vigil_options *o, bool system_mode) {
        /* SPEC §3 defaults. Container mode fits Docker's 10 s stop grace. */
        for (size_t i = 0; i < N_OPTIONS; i++) {
                if (o->set[i])
                        continue;
                size_t off = option_table[i].offset;
                if (off == OFF(kill_all_timeout_usec))
                        o->kill_all_timeout_usec = (system_mode ? 5 : 3) * USEC_PER_SEC;
                else if (off == OFF(default_timeout_stop_usec))
                        o->default_timeout_stop_usec = (system_mode ? 90 : 5) * USEC_PER_SEC;
                else if (off == OFF(reboot_watchdog_usec))
                        o->reboot_watchdog_usec = 600 * USEC_PER_SEC;
                else if (off == OFF(stop_timeout_usec))
                        o->stop_timeout_usec = system_mode ? 0 : 9 * USEC_PER_SEC; /* Docker's 10 s, minus a margin */
                else if (off == OFF(runtime_watchdog_usec))
                        o->runtime_watchdog_usec = system_mode ? 30 * USEC_PER_SEC : 0;
        }
}

bool options_is_set(const struct vigil_options *o, const char *name) {
        const struct option_def *d = find_long(name, strlen(name));
        return d && o->set[d - option_table];
}

size_t options_unsupported_given(const struct vigil_options *o, const char **ret, size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < N_OPTIONS && n < max; i++)
                if (o->set[i] && !option_table[i].supported)
                        ret[n++] = option_table[i].name;
        return n;
}

const char *options_lookup(const char *name, size_t len, char short_name, bool *ret_takes_value) {
        const struct option_def *d = len ? find_long(name, len) : find_short(short_name);
        if (!d)
                return NULL;
        *ret_takes_value = takes_value(d);
        return d->name;
}

void options_print_help(int fd) {
        dprintf(fd, "Usage: vigil [OPTIONS] [-- CMD [ARGS...]]\n\n"
                    "An init and service supervisor: runs CMD as the main program, reaps every\n"
                    "process, forwards signals, and stops everything in order.\n\nOptions:\n");
        for (size_t i = 0; i < N_OPTIONS; i++) {
                const struct option_def *d = &option_table[i];
                char left[64];
                snprintf(left, sizeof(left), "%c%c%s--%s%s%s", d->short_name ? '-' : ' ',
                         d->short_name ? d->short_name : ' ', d->short_name ? ", " : "  ", d->name,
                         d->metavar ? " " : "", d->metavar ? d->metavar : "");
                dprintf(fd, "  %-36s %s%s\n", left, d->help, d->supported ? "" : " [not yet supported]");
        }
        dprintf(fd, "\nOptions may also be given in /etc/vigil.conf (or --config FILE), one per line\n"
                    "as on the command line; the command line wins. Exit status: the main command's\n"
                    "(128+N if killed by signal N, 127 not found, 126 not executable), 2 on bad usage.\n");
}
