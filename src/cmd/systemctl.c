/* SPDX-License-Identifier: MIT */
/*
 * systemctl(1)'s syntax over vigil's control protocol (systemctl.h). The
 * state a verb reports comes from vigil's `status` reply (its fields are
 * systemd's ActiveState and SubState already); what the files say
 * (UnitFileState, LoadState of a unit not loaded) from systemctl_files.c.
 *
 * Where it differs from systemctl, on purpose: --no-block is accepted but
 * the reply still comes when the job is over (vigil has no job queue to
 * leave it in); --user, --global and -H are refused; vigil not running,
 * a verb that needs it fails with exit 1 and says so (systemctl in a chroot
 * says "Running in chroot, ignoring command" and exits 0: a Dockerfile
 * `RUN systemctl start` would then look as if it worked). daemon-reload
 * with no vigil running is the exception: nothing to reload, exit 0.
 */
#include "cmd/systemctl.h"

#include "base/strbuf.h"
#include "control/control_client.h"
#include "control/control_msg.h"
#include "unit/install_plan.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_NOT_INSTALLED 5   /* systemctl start of a unit that does not exist (LSB) */
#define STATUS_FIELDS_MAX 32

/* ---- talking to vigil --------------------------------------------------------- */

/* One request: 0 with the reply's code, text and body (in *ret_reply,
 * the caller's), or -errno when vigil cannot be reached. */
static int ask(const struct systemctl *sc, enum control_verb verb, const char *const *args, size_t n,
               char **ret_reply, int *ret_code, const char **ret_text, char **ret_body) {
        struct strbuf rq = { 0 };
        *ret_reply = NULL;
        if (control_request_format(verb, args, n, &rq) < 0) {
                free(strbuf_take(&rq));
                return -EINVAL;
        }
        char *request = strbuf_take(&rq);
        int fd;
        int r = request ? control_client_connect(sc->address, &fd) : -ENOMEM;
        if (r == 0)
                r = control_client_call(fd, request, ret_reply, ret_body);
        free(request);
        if (r == 0 && control_reply_parse_header(*ret_reply, ret_code, ret_text) < 0)
                r = -EPROTO;
        if (r < 0) {
                free(*ret_reply);
                *ret_reply = NULL;
        }
        return r;
}

/* One unit's status row, fields by the header's names. */
struct row {
        char *reply;
        char *names[STATUS_FIELDS_MAX], *values[STATUS_FIELDS_MAX];
        size_t n;
        bool loaded;     /* vigil has the unit */
        bool reachable;  /* vigil answered */
};

static const char *row_get(const struct row *r, const char *field) {
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->names[i], field) == 0)
                        return r->values[i];
        return NULL;
}

static void row_free(struct row *r) {
        free(r->reply);
        *r = (struct row){ 0 };
}

static void query(const struct systemctl *sc, const char *name, struct row *ret) {
        const char *args[1] = { name }, *text;
        char *body;
        int code;
        *ret = (struct row){ 0 };
        if (ask(sc, CONTROL_STATUS, args, 1, &ret->reply, &code, &text, &body) < 0)
                return;
        ret->reachable = true;
        if (code != CONTROL_OK || !body)
                return;
        char *header = body, *line = strchr(body, '\n');
        if (!line || header[0] != '#')
                return;
        *line++ = '\0';
        char *end = strchr(line, '\n');
        if (end)
                *end = '\0';
        size_t nh = control_split_fields(header + 1, ret->names, STATUS_FIELDS_MAX);
        size_t nv = control_split_fields(line, ret->values, STATUS_FIELDS_MAX);
        ret->n = nh < nv ? nh : nv;
        ret->loaded = ret->n > 0;
}

static const char *active_state(const struct row *r) {
        const char *a = r->loaded ? row_get(r, "active") : NULL;
        return a ? a : "inactive";
}

/* systemd's SubState: vigil's "waiting" (for After= units) is a start job
 * on a dead unit; a target is "active" or "dead". */
static const char *sub_state(const struct row *r, const char *name) {
        const char *s = r->loaded ? row_get(r, "sub") : NULL;
        if (!s || strcmp(s, "waiting") == 0)
                return "dead";
        if (strcmp(unit_name_type(name), "target") == 0)
                return strcmp(active_state(r), "active") == 0 ? "active" : "dead";
        return s;
}

static void not_reachable(const struct systemctl *sc, const char *verb) {
        fprintf(stderr, "vigil is not running (no answer on %s): cannot %s.\n", sc->address, verb);
}

/* ---- start, stop, restart, reload, kill --------------------------------------- */

static int job(struct systemctl *sc, enum control_verb verb, const char *verb_name, const char *name) {
        const char *args[1] = { name }, *text;
        char *reply, *body;
        int code;
        if (verb != CONTROL_STOP && strcmp(systemctl_file_state(sc, name, NULL), "masked") == 0) {
                struct row row;
                query(sc, name, &row);
                bool loaded = row.loaded;
                row_free(&row);
                if (!loaded) {
                        fprintf(stderr, "Failed to %s %s: Unit %s is masked.\n", verb_name, name, name);
                        return 1;
                }
        }
        int r = ask(sc, verb, args, 1, &reply, &code, &text, &body);
        if (r < 0) {
                not_reachable(sc, verb_name);
                return 1;
        }
        int exit_code = 0;
        if (code == CONTROL_NOT_FOUND) {
                fprintf(stderr, "Failed to %s %s: Unit %s not found.\n", verb_name, name, name);
                exit_code = EXIT_NOT_INSTALLED;
        } else if (code == CONTROL_DENIED) {
                fprintf(stderr, "Failed to %s %s: Access denied\n", verb_name, name);
                exit_code = 4;
        } else if (code != CONTROL_OK) {
                fprintf(stderr, "Job for %s failed: %s.\nSee \"vigilctl status %s\" and \"vigilctl log %s\" for details.\n",
                        name, text, name, name);
                exit_code = 1;
        }
        free(reply);
        return exit_code;
}

static int kill_verb(struct systemctl *sc, const char *name) {
        const char *args[2] = { sc->signal ? sc->signal : "SIGTERM", name }, *text;
        char *reply, *body;
        int code;
        if (ask(sc, CONTROL_KILL, args, 2, &reply, &code, &text, &body) < 0) {
                not_reachable(sc, "kill");
                return 1;
        }
        if (code != CONTROL_OK && code != CONTROL_FAILED)
                fprintf(stderr, "Failed to kill unit %s: %s\n", name, text);
        free(reply);
        return code == CONTROL_OK || code == CONTROL_FAILED ? 0 : 1;
}

/* try-restart, reload-or-restart, try-reload-or-restart: by the state now. */
static int conditional(struct systemctl *sc, const char *verb, const char *name) {
        struct row row;
        query(sc, name, &row);
        if (!row.reachable) {
                not_reachable(sc, verb);
                return 1;
        }
        const char *a = active_state(&row);
        bool up = strcmp(a, "active") == 0 || strcmp(a, "reloading") == 0 || strcmp(a, "activating") == 0;
        const char *can_reload = row.loaded ? row_get(&row, "can_reload") : NULL;
        bool reload = can_reload && strcmp(can_reload, "yes") == 0;
        row_free(&row);
        if (strcmp(verb, "try-restart") == 0 || strcmp(verb, "condrestart") == 0)
                return up ? job(sc, CONTROL_RESTART, "restart", name) : 0;
        if (!up)
                return strncmp(verb, "try-", 4) == 0 ? 0 : job(sc, CONTROL_START, "start", name);
        return reload ? job(sc, CONTROL_RELOAD, "reload", name) : job(sc, CONTROL_RESTART, "restart", name);
}

/* ---- is-active, is-failed, status ---------------------------------------------- */

static int is_active_verb(struct systemctl *sc, char **names, size_t n, bool failed) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                char *m = systemctl_mangle(names[i]);
                struct row row;
                if (!m)
                        return 1;
                query(sc, m, &row);
                const char *a = active_state(&row);
                if (!sc->quiet)
                        printf("%s\n", a);
                any = any || (failed ? strcmp(a, "failed") == 0
                                     : strcmp(a, "active") == 0 || strcmp(a, "reloading") == 0);
                row_free(&row);
                free(m);
        }
        return any ? 0 : failed ? 1 : 3;
}

static int status_one(struct systemctl *sc, const char *name, bool first) {
        struct row row;
        char *path = NULL;
        const char *file_state = systemctl_file_state(sc, name, &path);
        query(sc, name, &row);
        if (!row.loaded && strcmp(file_state, "not-found") == 0) {
                fprintf(stderr, "Unit %s could not be found.\n", name);
                row_free(&row);
                free(path);
                return 4;
        }
        const char *a = active_state(&row), *desc = row.loaded ? row_get(&row, "description") : NULL;
        const char *pid = row.loaded ? row_get(&row, "pid") : NULL;
        printf("%s\u25cf %s%s%s\n", first ? "" : "\n", name, desc && *desc ? " - " : "", desc ? desc : "");
        if (strcmp(file_state, "masked") == 0)
                printf("     Loaded: masked (Reason: Unit %s is masked.)\n", name);
        else
                printf("     Loaded: loaded (%s; %s)\n", row.loaded && row_get(&row, "path") ? row_get(&row, "path")
                                                       : path ? path : name, file_state);
        printf("     Active: %s (%s)%s\n", a, sub_state(&row, name), row.reachable ? "" : " (vigil not running)");
        if (pid && *pid)
                printf("   Main PID: %s\n", pid);
        const char *last = row.loaded ? row_get(&row, "last_exit") : NULL;
        if (last && strcmp(last, "-") != 0)
                printf("  Last exit: %s\n", last);
        int code = strcmp(a, "active") == 0 || strcmp(a, "reloading") == 0 ? 0 : 3;
        row_free(&row);
        free(path);
        return code;
}

/* ---- show ---------------------------------------------------------------------- */

static bool wanted(const struct systemctl *sc, const char *property) {
        return sc->properties.n == 0 || strv_contains(&sc->properties, property);
}

static void prop(const struct systemctl *sc, const char *property, const char *value) {
        if (!wanted(sc, property) || (!value && sc->properties.n == 0))
                return;
        if (sc->value)
                printf("%s\n", value ? value : "");
        else
                printf("%s=%s\n", property, value ? value : "");
}

/* ExecMainCode= (CLD_EXITED 1, CLD_KILLED 2) and ExecMainStatus= of "exited N" / "killed SIG". */
static void put_exec_main(const struct systemctl *sc, const struct row *row) {
        const char *last = row->loaded ? row_get(row, "last_exit") : NULL;
        char code[4] = "0", status[16] = "0";
        if (last && strncmp(last, "exited ", 7) == 0) {
                snprintf(code, sizeof(code), "1");
                snprintf(status, sizeof(status), "%s", last + 7);
        } else if (last && strncmp(last, "killed ", 7) == 0) {
                static const char *const sigs[] = { "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
                                                    "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
                                                    "SIGPIPE", "SIGALRM", "SIGTERM" };
                snprintf(code, sizeof(code), "2");
                for (size_t i = 1; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                        if (strcmp(last + 7, sigs[i]) == 0)
                                snprintf(status, sizeof(status), "%zu", i);
        }
        prop(sc, "ExecMainCode", code);
        prop(sc, "ExecMainStatus", status);
}

/* A CLOCK_REALTIME usec field of the row as systemd prints a timestamp
 * ("Mon 2026-12-07 23:51:34 UTC", local time); NULL when empty or bad. */
static const char *timestamp(const struct row *row, const char *field, char *buf, size_t size) {
        const char *v = row->loaded ? row_get(row, field) : NULL;
        char *end;
        errno = 0;
        unsigned long long usec = v && *v ? strtoull(v, &end, 10) : 0;
        if (usec == 0 || errno || *end)
                return NULL;
        time_t t = (time_t)(usec / 1000000);
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return NULL;
        return buf;
}

/* ConditionResult=, AssertResult= (org.freedesktop.systemd1(5)): "no" until
 * checked, as in systemd. A Condition*= skip, and an ExecCondition= one
 * (Result=exec-condition), say ConditionResult=no; a failed Assert*=
 * AssertResult=no. */
static void put_checks(const struct systemctl *sc, const struct row *row) {
        const char *result = row->loaded ? row_get(row, "result") : NULL;
        const char *cond = row->loaded ? row_get(row, "condition_result") : NULL;
        const char *asserted = row->loaded ? row_get(row, "assert_result") : NULL;
        bool exec_skip = result && strcmp(result, "exec-condition") == 0;
        char when[64];
        prop(sc, "ConditionResult", !exec_skip && cond && strcmp(cond, "yes") == 0 ? "yes" : "no");
        prop(sc, "ConditionTimestamp", timestamp(row, "condition_usec", when, sizeof(when)));
        prop(sc, "AssertResult", asserted && strcmp(asserted, "yes") == 0 ? "yes" : "no");
        prop(sc, "AssertTimestamp", timestamp(row, "assert_usec", when, sizeof(when)));
}

static int show_one(struct systemctl *sc, const char *name, bool first) {
        struct row row;
        char *path = NULL, *type = NULL, *restart = NULL, *desc = NULL;
        const char *file_state = systemctl_file_state(sc, name, &path);
        query(sc, name, &row);
        bool masked = strcmp(file_state, "masked") == 0, found = row.loaded || strcmp(file_state, "not-found") != 0;
        if (!row.loaded) {
                type = systemctl_file_value(sc, name, "Service", "Type");
                restart = systemctl_file_value(sc, name, "Service", "Restart");
                desc = systemctl_file_value(sc, name, "Unit", "Description");
        }
        const char *pid = row.loaded ? row_get(&row, "pid") : NULL;
        if (!first && !sc->value)
                printf("\n");
        prop(sc, "Id", name);
        prop(sc, "Names", name);
        prop(sc, "Description", row.loaded ? row_get(&row, "description") : desc ? desc : name);
        prop(sc, "LoadState", masked ? "masked" : found ? "loaded" : "not-found");
        prop(sc, "ActiveState", active_state(&row));
        prop(sc, "SubState", sub_state(&row, name));
        prop(sc, "Result", row.loaded ? row_get(&row, "result") : "success");
        put_checks(sc, &row);
        prop(sc, "UnitFileState", strcmp(file_state, "not-found") == 0 ? "" : file_state);
        prop(sc, "UnitFilePreset", "enabled");
        prop(sc, "FragmentPath", row.loaded ? row_get(&row, "path") : path ? path : "");
        prop(sc, "Type", row.loaded ? row_get(&row, "type") : type ? type : "simple");
        prop(sc, "Restart", row.loaded ? row_get(&row, "restart") : restart ? restart : "no");
        prop(sc, "MainPID", pid && *pid ? pid : "0");
        prop(sc, "ExecMainPID", pid && *pid ? pid : "0");
        put_exec_main(sc, &row);
        prop(sc, "NRestarts", row.loaded ? row_get(&row, "restarts") : "0");
        prop(sc, "StatusText", row.loaded ? row_get(&row, "status") : "");
        prop(sc, "CanStart", found && !masked ? "yes" : "no");
        prop(sc, "CanStop", found && !masked ? "yes" : "no");
        prop(sc, "CanReload", row.loaded ? row_get(&row, "can_reload") : "no");
        row_free(&row);
        free(path);
        free(type);
        free(restart);
        free(desc);
        return 0;
}

static int show_manager(struct systemctl *sc) {
        struct row row;
        query(sc, "-", &row);   /* only to see whether vigil answers */
        prop(sc, "Version", "vigil " VIGIL_VERSION);
        prop(sc, "SystemState", row.reachable ? "running" : "offline");
        prop(sc, "Virtualization", "");
        row_free(&row);
        return 0;
}

/* ---- list-units ---------------------------------------------------------------- */

static int list_units_verb(struct systemctl *sc) {
        char *reply, *body;
        const char *text;
        int code;
        if (ask(sc, CONTROL_STATUS, NULL, 0, &reply, &code, &text, &body) < 0) {
                not_reachable(sc, "list units");
                return 1;
        }
        char *names[STATUS_FIELDS_MAX], *values[STATUS_FIELDS_MAX];
        size_t nh = 0, listed = 0;
        if (!sc->no_legend)
                printf("  %-40s %-7s %-8s %-12s %s\n", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION");
        for (char *line = body, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (line[0] == '#') {
                        nh = control_split_fields(line + 1, names, STATUS_FIELDS_MAX);
                        continue;
                }
                if (line[0] == '@' || nh == 0)
                        continue;
                struct row row = { .loaded = true };
                row.n = control_split_fields(line, values, STATUS_FIELDS_MAX);
                row.n = row.n < nh ? row.n : nh;
                memcpy(row.names, names, sizeof(names));
                memcpy(row.values, values, sizeof(values));
                const char *name = row_get(&row, "name"), *a = active_state(&row);
                if (!name || (sc->type && strcmp(unit_name_type(name), sc->type) != 0) ||
                    (sc->state && strcmp(sc->state, a) != 0 && strcmp(sc->state, sub_state(&row, name)) != 0))
                        continue;
                const char *desc = row_get(&row, "description");
                printf("%s %-40s %-7s %-8s %-12s %s\n", strcmp(a, "failed") == 0 ? "\u25cf" : " ", name, "loaded", a,
                       sub_state(&row, name), desc ? desc : "");
                listed++;
        }
        if (!sc->no_legend)
                printf("\n%zu loaded units listed.\n", listed);
        free(reply);
        return 0;
}

/* ---- the command line ---------------------------------------------------------- */

static void usage(FILE *f) {
        fprintf(f, "Usage: systemctl [OPTIONS...] COMMAND [UNIT...]\n"
                   "\n"
                   "vigil's systemctl (vigilctl(1)): the running vigil, or the unit files.\n"
                   "Units: start stop restart try-restart reload reload-or-restart status\n"
                   "       is-active is-failed show [-p PROP...] [--value] list-units cat kill\n"
                   "Files: enable disable reenable preset [--now] mask unmask is-enabled\n"
                   "       list-unit-files\n"
                   "vigil: daemon-reload\n"
                   "Options: --root=DIR --quiet --no-block --no-reload --now --force --no-legend\n"
                   "         --type=TYPE --state=STATE -s SIGNAL --system (and --no-pager --full\n"
                   "         --no-ask-password --plain --all, accepted)\n");
}

static int add_properties(struct systemctl *sc, const char *arg) {
        char *copy = strdup(arg), *save = NULL;
        if (!copy)
                return -ENOMEM;
        int r = 0;
        for (char *p = strtok_r(copy, ",", &save); p && r == 0; p = strtok_r(NULL, ",", &save))
                r = strv_push(&sc->properties, p);
        free(copy);
        return r;
}

enum {
        OPT_VALUE = 1000, OPT_NO_PAGER, OPT_NO_BLOCK, OPT_NOW, OPT_SYSTEM, OPT_NO_RELOAD, OPT_ROOT, OPT_USER,
        OPT_TYPE, OPT_STATE, OPT_NO_LEGEND, OPT_IGNORED, OPT_VERSION, OPT_FAILED, OPT_RUNTIME,
};

static const struct option long_options[] = {
        { "property", required_argument, NULL, 'p' }, { "value", no_argument, NULL, OPT_VALUE },
        { "quiet", no_argument, NULL, 'q' },          { "no-pager", no_argument, NULL, OPT_IGNORED },
        { "no-block", no_argument, NULL, OPT_IGNORED }, { "now", no_argument, NULL, OPT_NOW },
        { "system", no_argument, NULL, OPT_IGNORED }, { "no-reload", no_argument, NULL, OPT_NO_RELOAD },
        { "root", required_argument, NULL, OPT_ROOT }, { "user", no_argument, NULL, OPT_USER },
        { "global", no_argument, NULL, OPT_USER },    { "host", required_argument, NULL, 'H' },
        { "type", required_argument, NULL, 't' },     { "state", required_argument, NULL, OPT_STATE },
        { "no-legend", no_argument, NULL, OPT_NO_LEGEND }, { "full", no_argument, NULL, 'l' },
        { "all", no_argument, NULL, 'a' },            { "plain", no_argument, NULL, OPT_IGNORED },
        { "no-ask-password", no_argument, NULL, OPT_IGNORED }, { "force", no_argument, NULL, 'f' },
        { "signal", required_argument, NULL, 's' },   { "kill-whom", required_argument, NULL, OPT_IGNORED },
        { "job-mode", required_argument, NULL, OPT_IGNORED }, { "lines", required_argument, NULL, 'n' },
        { "output", required_argument, NULL, 'o' },   { "version", no_argument, NULL, OPT_VERSION },
        { "failed", no_argument, NULL, OPT_FAILED },  { "runtime", no_argument, NULL, OPT_RUNTIME },
        { "help", no_argument, NULL, 'h' },           { "socket", required_argument, NULL, 'S' },
        { "preset-mode", required_argument, NULL, OPT_IGNORED },
        { NULL, 0, NULL, 0 },
};

/* -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct systemctl *sc) {
        int c;
        while ((c = getopt_long(argc, argv, "p:qt:s:n:o:H:hlafP", long_options, NULL)) != -1) {
                switch (c) {
                case 'p': if (add_properties(sc, optarg) < 0) return 1; break;
                case 'P': sc->value = true; break;
                case OPT_VALUE: sc->value = true; break;
                case 'q': sc->quiet = true; break;
                case OPT_NOW: sc->now = true; break;
                case OPT_NO_RELOAD: sc->no_reload = true; break;
                case OPT_ROOT: sc->root = optarg; break;
                case 't': sc->type = strncmp(optarg, "service", 7) == 0 ? "service" : optarg; break;
                case OPT_STATE: sc->state = optarg; break;
                case OPT_FAILED: sc->state = "failed"; break;
                case OPT_NO_LEGEND: sc->no_legend = true; break;
                case 'a': sc->all = true; break;
                case 'f': sc->force = true; break;
                case 's': sc->signal = optarg; break;
                case 'S': sc->address = optarg; break;
                case OPT_RUNTIME: sc->runtime = true; break;
                case OPT_VERSION: printf("vigil %s (systemctl compatible)\n", VIGIL_VERSION); return 0;
                case 'h': usage(stdout); return 0;
                case OPT_USER:
                case 'H':
                        fprintf(stderr, "systemctl: --user, --global and --host are not supported by vigil.\n");
                        return 1;
                case 'l': case 'n': case 'o': case OPT_IGNORED: break;
                default: usage(stderr); return 1;
                }
        }
        return -1;
}

static const char *const online_verbs[] = {
        "start", "stop", "restart", "try-restart", "condrestart", "reload", "reload-or-restart",
        "try-reload-or-restart", "force-reload", "status", "is-active", "is-failed", "show", "list-units", "kill",
        "daemon-reload", "daemon-reexec", NULL,
};

static bool is_online_verb(const char *verb) {
        for (size_t i = 0; online_verbs[i]; i++)
                if (strcmp(online_verbs[i], verb) == 0)
                        return true;
        return false;
}

static int daemon_reload(struct systemctl *sc, bool quiet_offline) {
        char *reply, *body;
        const char *text;
        int code;
        if (ask(sc, CONTROL_DAEMON_RELOAD, NULL, 0, &reply, &code, &text, &body) < 0) {
                if (!quiet_offline && !sc->quiet)
                        fprintf(stderr, "vigil is not running: nothing to reload.\n");
                return 0;
        }
        free(reply);
        return code == CONTROL_OK ? 0 : 1;
}

/* One verb on each unit in turn; the worst exit code (status: the first's). */
static int each_unit(struct systemctl *sc, const char *verb, char **names, size_t n) {
        int worst = 0;
        if (n == 0) {
                fprintf(stderr, "Too few arguments.\n");
                return 1;
        }
        for (size_t i = 0; i < n; i++) {
                char *m = systemctl_mangle(names[i]);
                int code;
                if (!m)
                        return 1;
                if (strcmp(verb, "start") == 0)
                        code = job(sc, CONTROL_START, verb, m);
                else if (strcmp(verb, "stop") == 0)
                        code = job(sc, CONTROL_STOP, verb, m);
                else if (strcmp(verb, "restart") == 0)
                        code = job(sc, CONTROL_RESTART, verb, m);
                else if (strcmp(verb, "reload") == 0)
                        code = job(sc, CONTROL_RELOAD, verb, m);
                else if (strcmp(verb, "kill") == 0)
                        code = kill_verb(sc, m);
                else if (strcmp(verb, "status") == 0)
                        code = status_one(sc, m, i == 0);
                else
                        code = conditional(sc, strcmp(verb, "force-reload") == 0 ? "reload-or-restart" : verb, m);
                free(m);
                if (worst == 0 || (strcmp(verb, "status") != 0 && code > worst))
                        worst = code;
        }
        return worst;
}

static int online(struct systemctl *sc, const char *verb, char **names, size_t n) {
        if (strcmp(verb, "is-active") == 0 || strcmp(verb, "is-failed") == 0)
                return n ? is_active_verb(sc, names, n, verb[3] == 'f') : (fprintf(stderr, "Too few arguments.\n"), 1);
        if (strcmp(verb, "daemon-reload") == 0 || strcmp(verb, "daemon-reexec") == 0)
                return daemon_reload(sc, false);
        if (strcmp(verb, "list-units") == 0)
                return list_units_verb(sc);
        if (strcmp(verb, "show") == 0) {
                if (n == 0)
                        return show_manager(sc);
                for (size_t i = 0; i < n; i++) {
                        char *m = systemctl_mangle(names[i]);
                        if (!m)
                                return 1;
                        show_one(sc, m, i == 0);
                        free(m);
                }
                return 0;
        }
        return each_unit(sc, verb, names, n);
}

/* enable/disable/mask/unmask: then vigil reloads (unless --no-reload), and
 * --now starts or stops. */
static int files(struct systemctl *sc, const char *verb, char **names, size_t n) {
        bool changed = false;
        int code = systemctl_files_verb(sc, verb, names, n, &changed);
        if (code != 0)
                return code;
        bool edits = strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0 || strcmp(verb, "mask") == 0 ||
                     strcmp(verb, "unmask") == 0 || strcmp(verb, "reenable") == 0 || strcmp(verb, "preset") == 0;
        if (edits && changed && !sc->no_reload)
                (void)daemon_reload(sc, true);
        if (edits && sc->now && (strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0 || strcmp(verb, "mask") == 0))
                return each_unit(sc, verb[0] == 'e' ? "start" : "stop", names, n);
        return 0;
}

int systemctl_main(int argc, char **argv) {
        struct systemctl sc = { .root = "" };
        char fallback[128];
        int code = parse_options(argc, argv, &sc);
        if (code >= 0)
                return code;
        if (!sc.address) {
                control_client_default_address(fallback, sizeof(fallback));
                sc.address = fallback;
        }
        if (unit_layout_systemd(sc.root, &sc.layout) < 0) {
                fprintf(stderr, "systemctl: out of memory\n");
                return 1;
        }
        const char *verb = optind < argc ? argv[optind] : "list-units";
        char **names = argv + optind + (optind < argc);
        size_t n = (size_t)(argc - optind - (optind < argc));
        if (is_online_verb(verb))
                code = online(&sc, verb, names, n);
        else if ((code = files(&sc, verb, names, n)) < 0) {
                fprintf(stderr, "Unknown command verb '%s'.\n", verb);
                code = 1;
        }
        strv_free(&sc.properties);
        unit_layout_free(&sc.layout);
        return code;
}
