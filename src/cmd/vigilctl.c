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
#include "cmd/systemctl.h"
#include "cmd/vigilctl_format.h"

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
                   "  reboot ARG           system mode: reboot(2) RESTART2 with ARG (e.g. \"0 tryboot\")\n"
                   "  watchdog             the hardware watchdog\n"
                   "  watchdog snooze SEC  pet it whatever the health for SEC (at most 1 h; 0 ends it)\n"
                   "\n"
                   "Options:\n"
                   "  -s, --socket PATH    control socket (default $VIGIL_RUNTIME_DIR/control or /run/vigil/control,\n"
                   "                       else $XDG_RUNTIME_DIR/vigil/control, else @vigil-UID/control)\n"
                   "      --json           status as JSON (schema in docs/CONTROL.md)\n"
                   "  -h, --help           this help\n"
                   "      --version        vigilctl's version\n"
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
        json_put_string(s, len, style, vigilctl_stdout_sink, NULL);
}

static void print_log_line(const struct vigilctl_table *t, char *line) {
        if (strncmp(line, "@dropped\t", 9) == 0) {
                const char *n = line + 9;
                if (vigilctl_json)
                        printf("{\"dropped\":%s}\n", n);
                else
                        printf("-- vigil dropped %s lines here: this reader did not keep up --\n", n);
                return;
        }
        if (line[0] == '@')
                return; /* a newer vigil's notice */
        char *f[VIGILCTL_MAX_FIELDS];
        size_t lens[VIGILCTL_MAX_FIELDS];
        size_t n = split_log_fields(line, f, lens, VIGILCTL_MAX_FIELDS);
        const char *msg = "";
        size_t msg_len = 0;
        for (size_t i = 0; i < t->n_names && i < n; i++)
                if (strcmp(t->names[i], "line") == 0) {
                        msg = f[i];
                        msg_len = lens[i];
                }
        const char *usec = vigilctl_field(t, f, n, "time_usec"), *unit = vigilctl_field(t, f, n, "unit"), *pid = vigilctl_field(t, f, n, "pid");
        bool cut = strcmp(vigilctl_field(t, f, n, "cut"), "yes") == 0;
        char when[48];
        if (vigilctl_json) {
                vigilctl_format_time(usec, when, sizeof(when), true);
                printf("{\"time\":\"%s\",\"time_usec\":%s,\"unit\":", when, *usec ? usec : "0");
                vigilctl_json_string(unit);
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
        struct vigilctl_table names;
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
                        s->names.n_names = control_split_fields(names, s->names.names, VIGILCTL_MAX_FIELDS);
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
                { "version", no_argument, NULL, 'V' },
                { NULL, 0, NULL, 0 },
        };
        int c;
        while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
                switch (c) {
                case 's':
                        cli->address = optarg;
                        break;
                case 'j':
                        vigilctl_json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("vigilctl %s\n", VIGIL_VERSION);
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
                        vigilctl_json = true;
                        continue;
                }
                if (cli->n_args == CONTROL_ARGS_MAX) {
                        fprintf(stderr, "vigilctl: too many arguments\n");
                        return CONTROL_USAGE;
                }
                if (cli->verb == CONTROL_REBOOT) {
                        /* reboot ARG: its words on the wire, one space between them again in vigil. */
                        char *save = NULL;
                        for (char *w = strtok_r(argv[i], " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                                if (cli->n_args == CONTROL_ARGS_MAX) {
                                        fprintf(stderr, "vigilctl: too many arguments\n");
                                        return CONTROL_USAGE;
                                }
                                cli->args[cli->n_args++] = w;
                        }
                        continue;
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
                if (!vigilctl_json && strcmp(text, "status, draining") == 0)
                        printf("vigil is draining: not ready, stopping\n");
                vigilctl_print_status(body ? body : (char *)"");
        } else if (verb == CONTROL_HISTORY) {
                vigilctl_print_history(text, body ? body : (char *)"");
        } else if (verb == CONTROL_WATCHDOG && cli->n_args == 0) {
                vigilctl_print_watchdog(body ? body : (char *)"");
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
        /* Installed or linked as systemctl: systemctl's syntax (cmd/systemctl.h). */
        const char *self = strrchr(argv[0], '/');
        if (strcmp(self ? self + 1 : argv[0], "systemctl") == 0)
                return systemctl_main(argc, argv);
        struct cli cli = { 0 };
        int code = parse_options(argc, argv, &cli);
        if (code < 0)
                code = parse_arguments(argc, argv, &cli);
        if (code >= 0)
                return code;
        vigilctl_color = !vigilctl_json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

        char fallback[128];
        if (!cli.address) {
                control_client_default_address(fallback, sizeof(fallback));
                cli.address = fallback;
        }
        if (cli.verb == CONTROL_LOG)
                return log_command(cli.address, cli.args, cli.n_args);
        return call(&cli);
}
