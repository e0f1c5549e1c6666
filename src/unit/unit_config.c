/* SPDX-License-Identifier: MIT */
#include "unit/unit_config.h"

#include "base/strv.h"
#include "base/timespan.h"
#include "unit/env_file.h"
#include "unit/exec_line.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Name tables: index = enum value, spelling = systemd's. */
static const char *const service_type_names[SERVICE_TYPE_MAX] = {
        [SERVICE_SIMPLE] = "simple",   [SERVICE_EXEC] = "exec",       [SERVICE_NOTIFY] = "notify",
        [SERVICE_ONESHOT] = "oneshot", [SERVICE_FORKING] = "forking",
};

static const char *const kill_mode_names[KILL_MODE_MAX] = {
        [KILL_CONTROL_GROUP] = "control-group",
        [KILL_MIXED] = "mixed",
        [KILL_PROCESS] = "process",
        [KILL_NONE] = "none",
};

static const char *const oom_policy_names[OOM_POLICY_MAX] = {
        [OOM_POLICY_STOP] = "stop",
        [OOM_POLICY_CONTINUE] = "continue",
        [OOM_POLICY_KILL] = "kill",
};

static const char *const notify_access_names[NOTIFY_ACCESS_MAX] = {
        [NOTIFY_NONE] = "none",
        [NOTIFY_MAIN] = "main",
        [NOTIFY_EXEC] = "exec",
        [NOTIFY_ALL] = "all",
};

static const char *const unit_action_names[ACTION_MAX] = {
        [ACTION_NONE] = "none",
        [ACTION_REBOOT] = "reboot",
        [ACTION_REBOOT_FORCE] = "reboot-force",
        [ACTION_REBOOT_IMMEDIATE] = "reboot-immediate",
        [ACTION_POWEROFF] = "poweroff",
        [ACTION_POWEROFF_FORCE] = "poweroff-force",
        [ACTION_POWEROFF_IMMEDIATE] = "poweroff-immediate",
        [ACTION_EXIT] = "exit",
        [ACTION_EXIT_FORCE] = "exit-force",
        [ACTION_HALT] = "halt",
};

static const char *const output_kind_names[OUTPUT_KIND_MAX] = {
        [OUTPUT_INHERIT] = "inherit", [OUTPUT_NULL] = "null",     [OUTPUT_JOURNAL] = "journal",
        [OUTPUT_FILE] = "file",       [OUTPUT_APPEND] = "append",   [OUTPUT_TTY] = "tty",
};

static int lookup(const char *const *names, int n, const char *s) {
        for (int i = 0; i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0)
                        return i;
        return -EINVAL;
}

const char *service_type_to_string(enum service_type t) {
        return (unsigned)t < SERVICE_TYPE_MAX ? service_type_names[t] : "invalid";
}

const char *kill_mode_to_string(enum kill_mode m) {
        return (unsigned)m < KILL_MODE_MAX ? kill_mode_names[m] : "invalid";
}

const char *notify_access_to_string(enum notify_access a) {
        return (unsigned)a < NOTIFY_ACCESS_MAX ? notify_access_names[a] : "invalid";
}

const char *unit_action_to_string(enum unit_action a) {
        return (unsigned)a < ACTION_MAX ? unit_action_names[a] : "invalid";
}

const char *output_kind_to_string(enum output_kind k) {
        return (unsigned)k < OUTPUT_KIND_MAX ? output_kind_names[k] : "invalid";
}

const char *input_kind_to_string(enum input_kind k) {
        static const char *const names[INPUT_KIND_MAX] = { "null", "tty", "tty-force", "tty-fail" };
        return (unsigned)k < INPUT_KIND_MAX ? names[k] : "invalid";
}

const char *unit_config_tty_path(const struct unit_config *c) {
        return c->tty_path ? c->tty_path : "/dev/console";
}

const char *probe_kind_to_string(enum probe_kind k) {
        static const char *const names[PROBE_KIND_MAX] = { "none", "exec", "tcp", "http" };
        return (unsigned)k < PROBE_KIND_MAX ? names[k] : "invalid";
}

int service_type_from_string(const char *s) {
        return lookup(service_type_names, SERVICE_TYPE_MAX, s);
}

int kill_mode_from_string(const char *s) {
        return lookup(kill_mode_names, KILL_MODE_MAX, s);
}

const char *oom_policy_to_string(enum oom_policy p) {
        return (unsigned)p < OOM_POLICY_MAX ? oom_policy_names[p] : "invalid";
}

int oom_policy_from_string(const char *s) {
        return lookup(oom_policy_names, OOM_POLICY_MAX, s);
}

int notify_access_from_string(const char *s) {
        return lookup(notify_access_names, NOTIFY_ACCESS_MAX, s);
}

int unit_action_from_string(const char *s) {
        return lookup(unit_action_names, ACTION_MAX, s);
}

/* The defaults of systemd.unit(5), systemd.service(5), systemd.exec(5) and
 * systemd.kill(5) for a system service; the header documents each. Only
 * scalars: nothing here allocates, so unit_load.c can keep a pristine copy
 * to reset a key to on an empty assignment. */
void unit_config_init(struct unit_config *c) {
        memset(c, 0, sizeof(*c));
        c->start_limit_interval_usec = 10 * USEC_PER_SEC;  /* DefaultStartLimitIntervalSec= */
        c->start_limit_burst = 5;                           /* DefaultStartLimitBurst= */
        c->start_limit_action = c->failure_action = c->success_action = ACTION_NONE;
        c->type = SERVICE_SIMPLE;
        c->restart.mode = RESTART_NO;
        c->restart_usec = 100 * USEC_PER_MSEC;              /* RestartSec= */
        c->restart_steps = 0;
        c->restart_max_delay_usec = TIMESPAN_INFINITY;
        c->watchdog_signal = SIGABRT;
        /* Docker's HEALTHCHECK defaults (docker run --health-*). */
        c->probe.timing = (struct probe_timing){ .interval_usec = 30 * USEC_PER_SEC,
                                                 .timeout_usec = 30 * USEC_PER_SEC,
                                                 .start_period_usec = 0,
                                                 .start_interval_usec = 5 * USEC_PER_SEC,
                                                 .retries = 3 };
        c->notify_access = NOTIFY_NONE;
        c->kill_mode = KILL_CONTROL_GROUP;
        c->kill_signal = SIGTERM;
        c->send_sigkill = true;
        c->umask = 0022;
        c->standard_output.kind = OUTPUT_JOURNAL;           /* DefaultStandardOutput=journal */
        c->standard_error.kind = OUTPUT_INHERIT;            /* = wherever stdout goes */
        c->memory_max = UINT64_MAX;
        c->tasks_max = UINT64_MAX;
        c->cpu_weight = 0;
        exec_dirs_init(&c->exec_dirs);
        c->memory_high = UINT64_MAX;
        c->cpu_quota_usec = 0;
        c->io_weight = 0;
        c->default_dependencies = true;
        c->oom_policy = OOM_POLICY_STOP;                    /* DefaultOOMPolicy=stop */
}

void unit_config_apply_derived_defaults(struct unit_config *c) {
        if (!c->notify_access_set && (c->type == SERVICE_NOTIFY || c->watchdog_usec > 0))
                c->notify_access = NOTIFY_MAIN;
        if (c->type == SERVICE_ONESHOT && !c->timeout_start_set) {
                c->timeout_start_usec = TIMESPAN_INFINITY;   /* oneshot: no start timeout by default */
                c->timeout_start_set = true;
        }
        /* systemd.exec(5): with a terminal on stdin, StandardOutput= defaults to inherit (the terminal). */
        if (c->standard_input != INPUT_NULL && !c->standard_output_set)
                c->standard_output.kind = OUTPUT_TTY;
}

void unit_config_apply_manager_defaults(struct unit_config *c, uint64_t timeout_start_usec,
                                        uint64_t timeout_stop_usec) {
        if (!c->timeout_start_set)
                c->timeout_start_usec = c->type == SERVICE_ONESHOT ? TIMESPAN_INFINITY : timeout_start_usec;
        if (!c->timeout_stop_set)
                c->timeout_stop_usec = timeout_stop_usec;
        /* 0 means "no timeout", as for the keys themselves (--default-timeout-stop-sec 0). */
        if (c->timeout_start_usec == 0)
                c->timeout_start_usec = TIMESPAN_INFINITY;
        if (c->timeout_stop_usec == 0)
                c->timeout_stop_usec = TIMESPAN_INFINITY;
}

void unit_config_init_runit(struct unit_config *c) {
        unit_config_init(c);
        c->restart.mode = RESTART_ALWAYS;
        c->start_limit_interval_usec = 0;
}

static void list_free(char ***v, size_t *n) {
        struct strv s = { *v, *n };
        strv_free(&s);
        *v = NULL;
        *n = 0;
}

static void exec_list_free(struct exec_list *l) {
        for (size_t i = 0; i < l->n; i++)
                exec_command_done(&l->v[i]);
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

void unit_config_free(struct unit_config *c) {
        struct unit_dep_list *deps[] = { &c->after, &c->before, &c->requires, &c->wants, &c->binds_to, &c->part_of,
                                         &c->conflicts, &c->on_failure, &c->on_success };
        struct exec_list *execs[] = { &c->exec_start_pre, &c->exec_start, &c->exec_start_post,
                                      &c->exec_reload,    &c->exec_stop,  &c->exec_stop_post, &c->exec_condition };

        free(c->name);
        list_free(&c->sources, &c->n_sources);
        free(c->description);
        for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
                list_free(&deps[i]->v, &deps[i]->n);
        free(c->pid_file);
        for (size_t i = 0; i < sizeof(execs) / sizeof(execs[0]); i++)
                exec_list_free(execs[i]);
        env_list_free(&c->environment, &c->n_environment);
        list_free(&c->environment_files, &c->n_environment_files);
        free(c->working_directory);
        free(c->user);
        free(c->group);
        list_free(&c->supplementary_groups, &c->n_supplementary_groups);
        free(c->standard_output.path);
        free(c->standard_error.path);
        free(c->syslog_identifier);
        exec_command_done(&c->probe.exec);
        free(c->probe.http_host);
        free(c->probe.http_path);
        exec_dirs_free(&c->exec_dirs);
        unit_conditions_free(&c->conditions);
        list_free(&c->unset_environment, &c->n_unset_environment);
        free(c->tty_path);
        memset(c, 0, sizeof(*c));
}

/* ---- names ------------------------------------------------------------------ */

/* systemd's unit types (src/basic/unit-def.c). */
static const char *const unit_types[] = { "service", "socket", "target", "device", "mount", "automount",
                                          "swap",    "timer",  "path",   "slice",  "scope" };

bool unit_name_is_valid(const char *name) {
        const char *dot = strrchr(name, '.'), *at = NULL;
        size_t len = strlen(name);
        bool known = false;

        if (len == 0 || len > 255 || !dot || dot == name)
                return false;
        for (size_t i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++)
                known = known || strcmp(dot + 1, unit_types[i]) == 0;
        if (!known)
                return false;
        for (const char *p = name; p < dot; p++) {
                bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                          strchr(":-_.\\@", *p);
                if (!ok)
                        return false;
                if (*p == '@' && !at)
                        at = p;
        }
        return at != name && (!at || dot > at + 1);   /* no "@x.service", no template "x@.service" */
}
