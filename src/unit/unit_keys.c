/* SPDX-License-Identifier: MIT */
#include "unit/unit_keys.h"

#include "base/num.h"
#include "base/signame.h"
#include "base/strv.h"
#include "base/timespan.h"
#include "unit/env_file.h"
#include "unit/exec_line.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHITESPACE UNIT_KEY_WHITESPACE

int unit_key_error(const struct unit_key_ctx *k, const char *value, const char *format, ...) {
        char message[512], excerpt[80];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        unit_diags_add(k->diags, UNIT_DIAG_ERROR, k->file, k->line, "%s=%s: %s", k->key,
                       unit_diag_excerpt(value, excerpt, sizeof(excerpt)), message);
        return -EINVAL;
}

void unit_key_warning(const struct unit_key_ctx *k, const char *value, const char *format, ...) {
        char message[512], excerpt[80];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, k->line, "%s=%s: %s", k->key,
                       unit_diag_excerpt(value, excerpt, sizeof(excerpt)), message);
}

int unit_key_next_word(const char **p, char **ret) {
        *p += strspn(*p, WHITESPACE);
        if (**p == '\0')
                return 0;
        size_t len = strcspn(*p, WHITESPACE);
        *ret = strndup(*p, len);
        *p += len;
        return *ret ? 1 : -ENOMEM;
}

void unit_key_list_clear(char ***v, size_t *n) {
        struct strv s = { *v, *n };
        strv_free(&s);
        *v = NULL;
        *n = 0;
}

int unit_key_list_push(char ***v, size_t *n, char *s) {
        struct strv l = { *v, *n };
        int r = strv_push_owned(&l, s);
        *v = l.v;
        *n = l.n;
        return r;
}

/* Specifiers in a setting (systemd's unit_full_printf()); errors are the key's. */
int unit_key_resolve(const struct unit_key_ctx *k, const char *value, char **ret) {
        struct exec_diag d = { 0 };
        int r = unit_specifier_expand(value, k->c->name, ret, &d);
        if (r == -EINVAL)
                return unit_key_error(k, value, "%s", d.error);
        return r;
}

/* ---- generic parsers ---------------------------------------------------- */

static int parse_ignored(const struct unit_key_ctx *k, const char *value, void *field) {
        (void)k, (void)value, (void)field;
        return 0;
}

/* A free-form string; empty = unset. */
int unit_key_parse_string(const struct unit_key_ctx *k, const char *value, void *field) {
        char **s = field, *copy = NULL;
        int r;
        if (*value != '\0') {
                r = unit_key_resolve(k, value, &copy);
                if (r < 0)
                        return r;
        }
        free(*s);
        *s = copy;
        return 0;
}

/* Description=: as systemd.unit(5), but an unknown specifier keeps the text. */
static int parse_description(const struct unit_key_ctx *k, const char *value, void *field) {
        struct exec_diag d = { 0 };
        char **s = field, *copy = NULL;
        int r;
        if (*value != '\0') {
                r = unit_specifier_expand(value, k->c->name, &copy, &d);
                if (r == -EINVAL) {
                        unit_key_warning(k, value, "%s; keeping the text as written", d.error);
                        copy = strdup(value);
                }
                if (!copy)
                        return -ENOMEM;
        }
        free(*s);
        *s = copy;
        return 0;
}

/* systemd's parse_boolean(). */
static int boolean_from_string(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static int parse_bool(const struct unit_key_ctx *k, const char *value, void *field) {
        int b;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(bool));
                return 0;
        }
        b = boolean_from_string(value);
        if (b < 0)
                return unit_key_error(k, value, "expected a boolean (yes/no, true/false, on/off, 1/0)");
        *(bool *)field = b;
        return 0;
}

static const char timespan_help[] = "expected a time span such as 5, 2.5s, 500ms, 1min 30s or infinity";

static int parse_timespan(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t usec;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(uint64_t));
                return 0;
        }
        if (timespan_parse(value, USEC_PER_SEC, &usec) < 0)
                return unit_key_error(k, value, "%s", timespan_help);
        *(uint64_t *)field = usec;
        return 0;
}

static int parse_unsigned(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t n;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(unsigned));
                return 0;
        }
        if (num_parse_u64_max(value, UINT_MAX, &n) < 0)
                return unit_key_error(k, value, "expected a number from 0 to %u", UINT_MAX);
        *(unsigned *)field = (unsigned)n;
        return 0;
}

static int parse_signal(const struct unit_key_ctx *k, const char *value, void *field) {
        int sig;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(int));
                return 0;
        }
        if (signame_to_number(value, &sig) < 0)
                return unit_key_error(k, value, "expected a signal name such as SIGTERM, TERM or a number");
        *(int *)field = sig;
        return 0;
}

/* "a, b, c or d" from a name table, for messages. */
static const char *choices(const char *(*to_string)(int), int n, char *buf, size_t size) {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < n && used < size; i++) {
                int w = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
                                 to_string(i));
                if (w < 0)
                        break;
                used += (size_t)w;
        }
        return buf;
}

/* ---- [Unit] --------------------------------------------------------------- */

static bool list_contains(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

/* After=, Before=, Requires=, Wants=, BindsTo=, PartOf=: unit names; a bad
 * name is a warning and dropped, as systemd's config_parse_unit_deps(). */
static int parse_deps(const struct unit_key_ctx *k, const char *value, void *field) {
        char ***list = field;
        size_t *n = unit_key_list_count(k);
        const char *p = value;

        if (*value == '\0') {
                unit_key_list_clear(list, n);
                return 0;
        }
        for (;;) {
                struct exec_diag d = { 0 };
                char *word, *name = NULL;
                int r = unit_key_next_word(&p, &word);
                if (r <= 0)
                        return r;
                r = unit_specifier_expand(word, k->c->name, &name, &d);
                if (r == -EINVAL)
                        unit_key_warning(k, value, "%s in '%s', ignoring it", d.error, word);
                else if (r == 0 && !unit_name_is_valid(name)) {
                        unit_key_warning(k, value, "'%s' is not a valid unit name, ignoring it", name);
                        r = -EINVAL;
                } else if (r == 0 && list_contains(*list, *n, name))
                        r = -EEXIST;
                free(word);
                if (r == 0)
                        r = unit_key_list_push(list, n, name);
                else
                        free(name);
                if (r == -ENOMEM)
                        return r;
        }
}

static const char *action_name(int i) {
        return unit_action_to_string((enum unit_action)i);
}

/* StartLimitAction=, FailureAction=, SuccessAction= (systemd.unit(5)). */
static int parse_action(const struct unit_key_ctx *k, const char *value, void *field) {
        static const char *const unsupported[] = { "halt-force", "halt-immediate", "kexec",
                                                   "kexec-force", "soft-reboot", "soft-reboot-force" };
        enum unit_action *a = field;
        char buf[256];
        int i;

        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*a));
                return 0;
        }
        i = unit_action_from_string(value);
        if (i >= 0) {
                *a = (enum unit_action)i;
                return 0;
        }
        for (size_t j = 0; j < sizeof(unsupported) / sizeof(unsupported[0]); j++)
                if (strcmp(value, unsupported[j]) == 0)
                        return unit_key_error(k, value, "not supported by vigil; use one of %s",
                                         choices(action_name, ACTION_MAX, buf, sizeof(buf)));
        return unit_key_error(k, value, "expected one of %s", choices(action_name, ACTION_MAX, buf, sizeof(buf)));
}

/* ---- [Service] ------------------------------------------------------------ */

static const char *type_name(int i) {
        return service_type_to_string((enum service_type)i);
}

static int parse_type(const struct unit_key_ctx *k, const char *value, void *field) {
        enum service_type *t = field;
        char buf[128];
        int i;

        k->marks->type_file = k->file;
        k->marks->type_line = k->line;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*t));
                return 0;
        }
        i = service_type_from_string(value);
        if (i >= 0) {
                *t = (enum service_type)i;
        } else if (strcmp(value, "idle") == 0 || strcmp(value, "dbus") == 0) {
                unit_key_warning(k, value, "not supported by vigil, treated as Type=simple");
                *t = SERVICE_SIMPLE;
        } else if (strcmp(value, "notify-reload") == 0) {
                unit_key_warning(k, value, "treated as Type=notify (ExecReload= is used for reloading)");
                *t = SERVICE_NOTIFY;
        } else
                return unit_key_error(k, value, "expected one of %s",
                                 choices(type_name, SERVICE_TYPE_MAX, buf, sizeof(buf)));
        return 0;
}

static const char *restart_name(int i) {
        return restart_mode_to_string((enum restart_mode)i);
}

static int parse_restart(const struct unit_key_ctx *k, const char *value, void *field) {
        enum restart_mode *m = field;
        char buf[256];
        int i;

        k->marks->restart_file = k->file;
        k->marks->restart_line = k->line;
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*m));
                return 0;
        }
        i = restart_mode_from_string(value);
        if (i < 0)
                return unit_key_error(k, value, "expected one of %s",
                                 choices(restart_name, RESTART_MODE_MAX, buf, sizeof(buf)));
        *m = (enum restart_mode)i;
        return 0;
}

/* PIDFile=: relative paths are below /run, /var/run/ is /run/ (systemd's config_parse_pid_file()). */
static int parse_pid_file(const struct unit_key_ctx *k, const char *value, void *field) {
        char **s = field, *resolved = NULL, *path = NULL;
        int r;

        if (*value != '\0') {
                r = unit_key_resolve(k, value, &resolved);
                if (r < 0)
                        return r;
                if (strncmp(resolved, "/var/run/", 9) == 0) {
                        unit_key_warning(k, value, "below the legacy directory /var/run/, using /run/%s", resolved + 9);
                        r = asprintf(&path, "/run/%s", resolved + 9);
                } else if (!unit_key_is_absolute_path(resolved))
                        r = asprintf(&path, "/run/%s", resolved);
                else {
                        path = resolved;
                        resolved = NULL;
                        r = 0;
                }
                free(resolved);
                if (r < 0)
                        return -ENOMEM;
        }
        free(*s);
        *s = path;
        return 0;
}

static int parse_exec(const struct unit_key_ctx *k, const char *value, void *field) {
        struct exec_list *l = field;
        struct exec_command cmd, *grown;
        struct exec_diag d;
        int r;

        if (*value == '\0') {
                for (size_t i = 0; i < l->n; i++)
                        exec_command_done(&l->v[i]);
                free(l->v);
                l->v = NULL;
                l->n = 0;
                return 0;
        }
        r = exec_line_split(value, k->c->name, &cmd, &d);
        if (r == -EINVAL && l == &k->c->exec_start)
                k->marks->exec_start_error = true;
        if (r == -EINVAL)
                return unit_key_error(k, value, "%s", d.error);
        if (r < 0)
                return r;
        if (d.warning[0] != '\0')
                unit_key_warning(k, value, "%s", d.warning);
        grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
        if (!grown) {
                exec_command_done(&cmd);
                return -ENOMEM;
        }
        cmd.file = k->file;
        cmd.line = k->line;
        grown[l->n++] = cmd;
        l->v = grown;
        return 0;
}

/* SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus=:
 * exit codes 0-255 and signal names (systemd's config_parse_set_status()). */
static int parse_exit_status(const struct unit_key_ctx *k, const char *value, void *field) {
        struct exit_status_set *set = field;
        const char *p = value;
        int r = 0;

        if (*value == '\0') {
                memset(set, 0, sizeof(*set));
                return 0;
        }
        for (;;) {
                char word[64];
                uint64_t code;
                size_t len;
                int sig;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        return r;
                len = strcspn(p, WHITESPACE);
                snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) - 1 ? len : sizeof(word) - 1), p);
                p += len;
                if (len < sizeof(word) && num_parse_u64(word, &code) == 0) {
                        if (code > 255)
                                r = unit_key_error(k, value, "exit code %s is out of range 0-255", word);
                        else
                                exit_status_set_add_code(set, (int)code);
                } else if (len < sizeof(word) && signame_to_number(word, &sig) == 0 && sig <= 64)
                        exit_status_set_add_signal(set, sig);
                else
                        r = unit_key_error(k, value, "'%s' is neither an exit code (0-255) nor a signal name", word);
        }
}

#define TIMEOUT_START 1
#define TIMEOUT_STOP 2

/* TimeoutStartSec=, TimeoutStopSec=, TimeoutSec= (both); 0 means infinity,
 * as systemd's parse_sec_fix_0(). */
static int parse_timeout(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_config *c = k->c;
        uint64_t usec = 0;
        bool set = *value != '\0';

        (void)field;
        if (set && timespan_parse(value, USEC_PER_SEC, &usec) < 0)
                return unit_key_error(k, value, "%s", timespan_help);
        if (set && usec == 0)
                usec = TIMESPAN_INFINITY;
        if (k->def->arg & TIMEOUT_START) {
                c->timeout_start_usec = usec;
                c->timeout_start_set = set;
        }
        if (k->def->arg & TIMEOUT_STOP) {
                c->timeout_stop_usec = usec;
                c->timeout_stop_set = set;
        }
        return 0;
}

/* WatchdogSec=: 0 or infinity = off. */
static int parse_watchdog_sec(const struct unit_key_ctx *k, const char *value, void *field) {
        int r = parse_timespan(k, value, field);
        if (r == 0 && *(uint64_t *)field == TIMESPAN_INFINITY)
                *(uint64_t *)field = 0;
        return r;
}

static const char *notify_name(int i) {
        return notify_access_to_string((enum notify_access)i);
}

static int parse_notify_access(const struct unit_key_ctx *k, const char *value, void *field) {
        enum notify_access *a = field;
        char buf[128];
        int i;

        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*a));
                k->c->notify_access_set = false;
                return 0;
        }
        i = notify_access_from_string(value);
        if (i < 0)
                return unit_key_error(k, value, "expected one of %s",
                                 choices(notify_name, NOTIFY_ACCESS_MAX, buf, sizeof(buf)));
        *a = (enum notify_access)i;
        k->c->notify_access_set = true;
        return 0;
}

static const char *kill_mode_name(int i) {
        return kill_mode_to_string((enum kill_mode)i);
}

static int parse_kill_mode(const struct unit_key_ctx *k, const char *value, void *field) {
        enum kill_mode *m = field;
        char buf[128];
        int i;

        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*m));
                return 0;
        }
        i = kill_mode_from_string(value);
        if (i < 0)
                return unit_key_error(k, value, "expected one of %s",
                                 choices(kill_mode_name, KILL_MODE_MAX, buf, sizeof(buf)));
        *m = (enum kill_mode)i;
        return 0;
}

static const char *oom_policy_name(int i) {
        return oom_policy_to_string((enum oom_policy)i);
}

/* OOMPolicy= (systemd.service(5)): continue, stop or kill. */
static int parse_oom_policy(const struct unit_key_ctx *k, const char *value, void *field) {
        enum oom_policy *p = field;
        char buf[128];
        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*p));
                return 0;
        }
        int i = oom_policy_from_string(value);
        if (i < 0)
                return unit_key_error(k, value, "expected one of %s",
                                      choices(oom_policy_name, OOM_POLICY_MAX, buf, sizeof(buf)));
        *p = (enum oom_policy)i;
        return 0;
}

/* ---- the table -------------------------------------------------------------- */

#define OFF(field) offsetof(struct unit_config, field)
#define LIST(field, count) OFF(field), OFF(count)
#define DEPS(field) OFF(field.v), OFF(field.n)
#define COND(name, kind)                                                                      \
        { "Unit", "Condition" name, unit_key_parse_condition, OFF(conditions), 0, kind },             \
        { "Unit", "Assert" name, unit_key_parse_condition, OFF(conditions), 0, (kind) | UNIT_KEY_ASSERT }
#define LIMIT(name, resource) { "Service", name, unit_key_parse_rlimit, OFF(limits), 0, resource }

/* Every key vigil reads, with systemd's section. StartLimit*= and
 * FailureAction= are also accepted in [Service], as systemd still does for
 * old unit files. */
static const struct unit_key key_table[] = {
        { "Unit", "Description", parse_description, OFF(description), 0, 0 },
        { "Unit", "Documentation", parse_ignored, 0, 0, 0 },
        { "Unit", "After", parse_deps, DEPS(after), 0 },
        { "Unit", "Before", parse_deps, DEPS(before), 0 },
        { "Unit", "Requires", parse_deps, DEPS(requires), 0 },
        { "Unit", "Wants", parse_deps, DEPS(wants), 0 },
        { "Unit", "BindsTo", parse_deps, DEPS(binds_to), 0 },
        { "Unit", "PartOf", parse_deps, DEPS(part_of), 0 },
        { "Unit", "StartLimitIntervalSec", parse_timespan, OFF(start_limit_interval_usec), 0, 0 },
        { "Unit", "StartLimitInterval", parse_timespan, OFF(start_limit_interval_usec), 0, 0 },
        { "Unit", "StartLimitBurst", parse_unsigned, OFF(start_limit_burst), 0, 0 },
        { "Unit", "StartLimitAction", parse_action, OFF(start_limit_action), 0, 0 },
        { "Unit", "FailureAction", parse_action, OFF(failure_action), 0, 0 },
        { "Unit", "SuccessAction", parse_action, OFF(success_action), 0, 0 },

        { "Service", "StartLimitInterval", parse_timespan, OFF(start_limit_interval_usec), 0, 0 },
        { "Service", "StartLimitBurst", parse_unsigned, OFF(start_limit_burst), 0, 0 },
        { "Service", "StartLimitAction", parse_action, OFF(start_limit_action), 0, 0 },
        { "Service", "FailureAction", parse_action, OFF(failure_action), 0, 0 },
        { "Service", "Type", parse_type, OFF(type), 0, 0 },
        { "Service", "PIDFile", parse_pid_file, OFF(pid_file), 0, 0 },
        { "Service", "ExecStartPre", parse_exec, OFF(exec_start_pre), 0, 0 },
        { "Service", "ExecStart", parse_exec, OFF(exec_start), 0, 0 },
        { "Service", "ExecStartPost", parse_exec, OFF(exec_start_post), 0, 0 },
        { "Service", "ExecReload", parse_exec, OFF(exec_reload), 0, 0 },
        { "Service", "ExecStop", parse_exec, OFF(exec_stop), 0, 0 },
        { "Service", "ExecStopPost", parse_exec, OFF(exec_stop_post), 0, 0 },
        { "Service", "RemainAfterExit", parse_bool, OFF(remain_after_exit), 0, 0 },
        { "Service", "Restart", parse_restart, OFF(restart.mode), 0, 0 },
        { "Service", "RestartSec", parse_timespan, OFF(restart_usec), 0, 0 },
        { "Service", "RestartSteps", parse_unsigned, OFF(restart_steps), 0, 0 },
        { "Service", "RestartMaxDelaySec", parse_timespan, OFF(restart_max_delay_usec), 0, 0 },
        { "Service", "SuccessExitStatus", parse_exit_status, OFF(restart.success), 0, 0 },
        { "Service", "RestartPreventExitStatus", parse_exit_status, OFF(restart.prevent), 0, 0 },
        { "Service", "RestartForceExitStatus", parse_exit_status, OFF(restart.force), 0, 0 },
        { "Service", "TimeoutStartSec", parse_timeout, 0, 0, TIMEOUT_START },
        { "Service", "TimeoutStopSec", parse_timeout, 0, 0, TIMEOUT_STOP },
        { "Service", "TimeoutSec", parse_timeout, 0, 0, TIMEOUT_START | TIMEOUT_STOP },
        { "Service", "WatchdogSec", parse_watchdog_sec, OFF(watchdog_usec), 0, 0 },
        { "Service", "WatchdogSignal", parse_signal, OFF(watchdog_signal), 0, 0 },
        { "Service", "NotifyAccess", parse_notify_access, OFF(notify_access), 0, 0 },
        { "Service", "KillMode", parse_kill_mode, OFF(kill_mode), 0, 0 },
        { "Service", "KillSignal", parse_signal, OFF(kill_signal), 0, 0 },
        { "Service", "SendSIGKILL", parse_bool, OFF(send_sigkill), 0, 0 },
        { "Service", "Environment", unit_key_parse_environment, 0, 0, 0 },
        { "Service", "EnvironmentFile", unit_key_parse_environment_file, LIST(environment_files, n_environment_files), 0 },
        { "Service", "WorkingDirectory", unit_key_parse_working_directory, OFF(working_directory), 0, 0 },
        { "Service", "User", unit_key_parse_user_group, OFF(user), 0, 0 },
        { "Service", "Group", unit_key_parse_user_group, OFF(group), 0, 1 },
        { "Service", "SupplementaryGroups", unit_key_parse_supplementary_groups,
          LIST(supplementary_groups, n_supplementary_groups), 0 },
        { "Service", "UMask", unit_key_parse_umask, OFF(umask), 0, 0 },
        { "Service", "Nice", unit_key_parse_nice, OFF(nice), 0, 0 },
        LIMIT("LimitCPU", RLIMIT_CPU),
        LIMIT("LimitFSIZE", RLIMIT_FSIZE),
        LIMIT("LimitDATA", RLIMIT_DATA),
        LIMIT("LimitSTACK", RLIMIT_STACK),
        LIMIT("LimitCORE", RLIMIT_CORE),
        LIMIT("LimitRSS", RLIMIT_RSS),
        LIMIT("LimitNOFILE", RLIMIT_NOFILE),
        LIMIT("LimitAS", RLIMIT_AS),
        LIMIT("LimitNPROC", RLIMIT_NPROC),
        LIMIT("LimitMEMLOCK", RLIMIT_MEMLOCK),
        LIMIT("LimitLOCKS", RLIMIT_LOCKS),
        LIMIT("LimitSIGPENDING", RLIMIT_SIGPENDING),
        LIMIT("LimitMSGQUEUE", RLIMIT_MSGQUEUE),
        LIMIT("LimitNICE", RLIMIT_NICE),
        LIMIT("LimitRTPRIO", RLIMIT_RTPRIO),
        LIMIT("LimitRTTIME", RLIMIT_RTTIME),
        { "Service", "NoNewPrivileges", parse_bool, OFF(no_new_privileges), 0, 0 },
        { "Service", "StandardOutput", unit_key_parse_output, OFF(standard_output), 0, 0 },
        { "Service", "StandardError", unit_key_parse_output, OFF(standard_error), 0, 0 },
        { "Service", "SyslogIdentifier", unit_key_parse_string, OFF(syslog_identifier), 0, 0 },
        { "Service", "MemoryMax", unit_key_parse_memory_max, OFF(memory_max), 0, 0 },
        { "Service", "TasksMax", unit_key_parse_tasks_max, OFF(tasks_max), 0, 0 },
        { "Service", "CPUWeight", unit_key_parse_cpu_weight, OFF(cpu_weight), 0, 0 },

        /* systemd.exec(5) "Paths": unit_keys_dirs.c */
        { "Service", "RuntimeDirectory", unit_key_parse_exec_dirs, OFF(exec_dirs), 0, EXEC_DIR_RUNTIME },
        { "Service", "StateDirectory", unit_key_parse_exec_dirs, OFF(exec_dirs), 0, EXEC_DIR_STATE },
        { "Service", "CacheDirectory", unit_key_parse_exec_dirs, OFF(exec_dirs), 0, EXEC_DIR_CACHE },
        { "Service", "LogsDirectory", unit_key_parse_exec_dirs, OFF(exec_dirs), 0, EXEC_DIR_LOGS },
        { "Service", "ConfigurationDirectory", unit_key_parse_exec_dirs, OFF(exec_dirs), 0, EXEC_DIR_CONFIGURATION },
        { "Service", "RuntimeDirectoryMode", unit_key_parse_exec_dir_mode, OFF(exec_dirs), 0, EXEC_DIR_RUNTIME },
        { "Service", "StateDirectoryMode", unit_key_parse_exec_dir_mode, OFF(exec_dirs), 0, EXEC_DIR_STATE },
        { "Service", "CacheDirectoryMode", unit_key_parse_exec_dir_mode, OFF(exec_dirs), 0, EXEC_DIR_CACHE },
        { "Service", "LogsDirectoryMode", unit_key_parse_exec_dir_mode, OFF(exec_dirs), 0, EXEC_DIR_LOGS },
        { "Service", "ConfigurationDirectoryMode", unit_key_parse_exec_dir_mode, OFF(exec_dirs), 0,
          EXEC_DIR_CONFIGURATION },
        { "Service", "RuntimeDirectoryPreserve", unit_key_parse_preserve, OFF(exec_dirs), 0, 0 },
        { "Service", "MemoryHigh", unit_key_parse_memory_max, OFF(memory_high), 0, 0 },
        { "Service", "CPUQuota", unit_key_parse_cpu_quota, OFF(cpu_quota_usec), 0, 0 },
        { "Service", "IOWeight", unit_key_parse_cpu_weight, OFF(io_weight), 0, 0 },

        { "Unit", "DefaultDependencies", parse_bool, OFF(default_dependencies), 0, 0 },
        { "Service", "StandardInput", unit_key_parse_standard_input, 0, 0, 0 },
        { "Service", "SendSIGHUP", parse_bool, OFF(send_sighup), 0, 0 },
        { "Service", "PassEnvironment", unit_key_parse_pass_environment, 0, 0, 0 },
        { "Service", "UnsetEnvironment", unit_key_parse_unset_environment,
          LIST(unset_environment, n_unset_environment), 0 },
        { "Service", "OOMPolicy", parse_oom_policy, OFF(oom_policy), 0, 0 },
        /* issue 15 point 6: supervise/unit_relations.c, ExecCondition= in unit_exec.c, the terminal in spawn_inputs.c */
        { "Unit", "Conflicts", parse_deps, DEPS(conflicts), 0 },
        { "Unit", "OnFailure", parse_deps, DEPS(on_failure), 0 },
        { "Unit", "OnSuccess", parse_deps, DEPS(on_success), 0 },
        { "Service", "ExecCondition", parse_exec, OFF(exec_condition), 0, 0 },
        { "Service", "TTYPath", unit_key_parse_tty_path, OFF(tty_path), 0, 0 },
        { "Service", "TTYReset", parse_bool, OFF(tty_reset), 0, 0 },
        /* systemd.unit(5) "Conditions and Asserts": unit_keys_dirs.c, unit/unit_condition.h */
        COND("PathExists", COND_PATH_EXISTS),
        COND("PathExistsGlob", COND_PATH_EXISTS_GLOB),
        COND("PathIsDirectory", COND_PATH_IS_DIRECTORY),
        COND("PathIsSymbolicLink", COND_PATH_IS_SYMBOLIC_LINK),
        COND("PathIsMountPoint", COND_PATH_IS_MOUNT_POINT),
        COND("PathIsReadWrite", COND_PATH_IS_READ_WRITE),
        COND("DirectoryNotEmpty", COND_DIRECTORY_NOT_EMPTY),
        COND("FileNotEmpty", COND_FILE_NOT_EMPTY),
        COND("FileIsExecutable", COND_FILE_IS_EXECUTABLE),
        COND("KernelCommandLine", COND_KERNEL_COMMAND_LINE),
        COND("Virtualization", COND_VIRTUALIZATION),
        COND("Capability", COND_CAPABILITY),
        COND("Environment", COND_ENVIRONMENT),
        COND("Architecture", COND_ARCHITECTURE),
        COND("Host", COND_HOST),
        COND("User", COND_USER),
        COND("Group", COND_GROUP),
        COND("FirstBoot", COND_FIRST_BOOT),
        COND("NeedsUpdate", COND_NEEDS_UPDATE),
        COND("Security", COND_SECURITY),
        COND("ACPower", COND_AC_POWER),
};

#define N_KEYS (sizeof(key_table) / sizeof(key_table[0]))
_Static_assert(RLIMIT_NLIMITS <= UNIT_RLIMIT_MAX, "UNIT_RLIMIT_MAX too small");

const struct unit_key *unit_keys_find(const char *section, const char *key) {
        for (size_t i = 0; i < N_KEYS; i++)
                if (strcmp(key_table[i].key, key) == 0 && strcmp(key_table[i].section, section) == 0)
                        return &key_table[i];
        return unit_keys_probe_find(section, key);
}

/* The i-th row (the docs listing, unit_key_doc.h): the main table, then
 * the [X-Vigil] rows; NULL past the end. */
const struct unit_key *unit_keys_at(size_t i) {
        return i < N_KEYS ? &key_table[i] : unit_keys_probe_at(i - N_KEYS);
}
