/* SPDX-License-Identifier: MIT */
#include "unit/unit_load.h"

#include "base/num.h"
#include "base/signame.h"
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

#define WHITESPACE " \t\n\r"

/* Where the settings that verify() talks about were written. */
struct load_marks {
        const char *type_file, *restart_file;
        unsigned type_line, restart_line;
        bool exec_start_error;   /* a malformed ExecStart= was reported already */
};

/* What a key parser gets besides the value and its field. */
struct load_ctx {
        struct unit_config *c;
        const struct unit_config *defaults;   /* unit_config_init(): for empty assignments */
        struct unit_diags *diags;
        struct load_marks *marks;
        const struct unit_key *def;
        const char *file;                     /* points into c->sources */
        const char *key;
        unsigned line;
};

/* 0; -EINVAL after adding an error diagnostic; -ENOMEM stops the load. */
typedef int (*key_parser)(const struct load_ctx *k, const char *value, void *field);

struct unit_key {
        const char *section, *key;
        key_parser parse;
        size_t offset;      /* of the field in struct unit_config */
        size_t offset_n;    /* string lists: of the count beside it */
        int arg;            /* parser-specific */
};

static int key_error(const struct load_ctx *k, const char *value, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
static int key_error(const struct load_ctx *k, const char *value, const char *format, ...) {
        char message[512], excerpt[80];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        unit_diags_add(k->diags, UNIT_DIAG_ERROR, k->file, k->line, "%s=%s: %s", k->key,
                       unit_diag_excerpt(value, excerpt, sizeof(excerpt)), message);
        return -EINVAL;
}

static void key_warning(const struct load_ctx *k, const char *value, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
static void key_warning(const struct load_ctx *k, const char *value, const char *format, ...) {
        char message[512], excerpt[80];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, k->line, "%s=%s: %s", k->key,
                       unit_diag_excerpt(value, excerpt, sizeof(excerpt)), message);
}

/* Put the default back (empty assignment of a scalar key). */
static void reset_field(const struct load_ctx *k, void *field, size_t size) {
        memcpy(field, (const char *)k->defaults + k->def->offset, size);
}

/* The count beside a string-list field. */
static size_t *list_count(const struct load_ctx *k) {
        return (size_t *)((char *)k->c + k->def->offset_n);
}

static void strv_clear(char ***v, size_t *n) {
        for (size_t i = 0; i < *n; i++)
                free((*v)[i]);
        free(*v);
        *v = NULL;
        *n = 0;
}

/* Append s (taken over; NULL = out of memory) to a NULL-terminated list. */
static int strv_push(char ***v, size_t *n, char *s) {
        char **grown;
        if (!s)
                return -ENOMEM;
        grown = realloc(*v, (*n + 2) * sizeof(char *));
        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        grown[(*n)++] = s;
        grown[*n] = NULL;
        *v = grown;
        return 0;
}

/* Specifiers in a setting (systemd's unit_full_printf()); errors are the key's. */
static int resolve(const struct load_ctx *k, const char *value, char **ret) {
        struct exec_diag d = { 0 };
        int r = unit_specifier_expand(value, k->c->name, ret, &d);
        if (r == -EINVAL)
                return key_error(k, value, "%s", d.error);
        return r;
}

static bool is_absolute_path(const char *s) {
        return s[0] == '/';
}

/* ---- generic parsers ---------------------------------------------------- */

static int parse_ignored(const struct load_ctx *k, const char *value, void *field) {
        (void)k, (void)value, (void)field;
        return 0;
}

/* A free-form string; empty = unset. */
static int parse_string(const struct load_ctx *k, const char *value, void *field) {
        char **s = field, *copy = NULL;
        int r;
        if (*value != '\0') {
                r = resolve(k, value, &copy);
                if (r < 0)
                        return r;
        }
        free(*s);
        *s = copy;
        return 0;
}

/* Description=: as systemd.unit(5), but an unknown specifier keeps the text. */
static int parse_description(const struct load_ctx *k, const char *value, void *field) {
        struct exec_diag d = { 0 };
        char **s = field, *copy = NULL;
        int r;
        if (*value != '\0') {
                r = unit_specifier_expand(value, k->c->name, &copy, &d);
                if (r == -EINVAL) {
                        key_warning(k, value, "%s; keeping the text as written", d.error);
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

static int parse_bool(const struct load_ctx *k, const char *value, void *field) {
        int b;
        if (*value == '\0') {
                reset_field(k, field, sizeof(bool));
                return 0;
        }
        b = boolean_from_string(value);
        if (b < 0)
                return key_error(k, value, "expected a boolean (yes/no, true/false, on/off, 1/0)");
        *(bool *)field = b;
        return 0;
}

static const char timespan_help[] = "expected a time span such as 5, 2.5s, 500ms, 1min 30s or infinity";

static int parse_timespan(const struct load_ctx *k, const char *value, void *field) {
        uint64_t usec;
        if (*value == '\0') {
                reset_field(k, field, sizeof(uint64_t));
                return 0;
        }
        if (timespan_parse(value, USEC_PER_SEC, &usec) < 0)
                return key_error(k, value, "%s", timespan_help);
        *(uint64_t *)field = usec;
        return 0;
}

static int parse_unsigned(const struct load_ctx *k, const char *value, void *field) {
        uint64_t n;
        if (*value == '\0') {
                reset_field(k, field, sizeof(unsigned));
                return 0;
        }
        if (num_parse_u64_max(value, UINT_MAX, &n) < 0)
                return key_error(k, value, "expected a number from 0 to %u", UINT_MAX);
        *(unsigned *)field = (unsigned)n;
        return 0;
}

static int parse_signal(const struct load_ctx *k, const char *value, void *field) {
        int sig;
        if (*value == '\0') {
                reset_field(k, field, sizeof(int));
                return 0;
        }
        if (signame_to_number(value, &sig) < 0)
                return key_error(k, value, "expected a signal name such as SIGTERM, TERM or a number");
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
static int parse_deps(const struct load_ctx *k, const char *value, void *field) {
        char ***list = field;
        size_t *n = list_count(k);
        const char *p = value;

        if (*value == '\0') {
                strv_clear(list, n);
                return 0;
        }
        for (;;) {
                struct exec_diag d = { 0 };
                char *word, *name = NULL;
                size_t len;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        return 0;
                len = strcspn(p, WHITESPACE);
                word = strndup(p, len);
                p += len;
                if (!word)
                        return -ENOMEM;
                r = unit_specifier_expand(word, k->c->name, &name, &d);
                if (r == -EINVAL)
                        key_warning(k, value, "%s in '%s', ignoring it", d.error, word);
                else if (r == 0 && !unit_name_is_valid(name)) {
                        key_warning(k, value, "'%s' is not a valid unit name, ignoring it", name);
                        r = -EINVAL;
                } else if (r == 0 && list_contains(*list, *n, name))
                        r = -EEXIST;
                free(word);
                if (r == 0)
                        r = strv_push(list, n, name);
                else
                        free(name);
                if (r == -ENOMEM)
                        return r;
        }
}

/* ConditionPathExists=: "|" (trigger) then "!" (negate), then an absolute path. */
static int parse_condition_path(const struct load_ctx *k, const char *value, void *field) {
        char ***list = field, *resolved;
        size_t *n = list_count(k);
        const char *p;
        int r;

        if (*value == '\0') {
                strv_clear(list, n);
                return 0;
        }
        r = resolve(k, value, &resolved);
        if (r < 0)
                return r;
        p = resolved;
        if (*p == '|')
                p += 1 + strspn(p + 1, WHITESPACE);
        if (*p == '!')
                p += 1 + strspn(p + 1, WHITESPACE);
        if (!is_absolute_path(p)) {
                free(resolved);
                return key_error(k, value, "the path must be absolute");
        }
        return strv_push(list, n, resolved);
}

static const char *action_name(int i) {
        return unit_action_to_string((enum unit_action)i);
}

/* StartLimitAction=, FailureAction=, SuccessAction= (systemd.unit(5)). */
static int parse_action(const struct load_ctx *k, const char *value, void *field) {
        static const char *const unsupported[] = { "halt-force", "halt-immediate", "kexec",
                                                   "kexec-force", "soft-reboot", "soft-reboot-force" };
        enum unit_action *a = field;
        char buf[256];
        int i;

        if (*value == '\0') {
                reset_field(k, field, sizeof(*a));
                return 0;
        }
        i = unit_action_from_string(value);
        if (i >= 0) {
                *a = (enum unit_action)i;
                return 0;
        }
        for (size_t j = 0; j < sizeof(unsupported) / sizeof(unsupported[0]); j++)
                if (strcmp(value, unsupported[j]) == 0)
                        return key_error(k, value, "not supported by vigil; use one of %s",
                                         choices(action_name, ACTION_MAX, buf, sizeof(buf)));
        return key_error(k, value, "expected one of %s", choices(action_name, ACTION_MAX, buf, sizeof(buf)));
}

/* ---- [Service] ------------------------------------------------------------ */

static const char *type_name(int i) {
        return service_type_to_string((enum service_type)i);
}

static int parse_type(const struct load_ctx *k, const char *value, void *field) {
        enum service_type *t = field;
        char buf[128];
        int i;

        k->marks->type_file = k->file;
        k->marks->type_line = k->line;
        if (*value == '\0') {
                reset_field(k, field, sizeof(*t));
                return 0;
        }
        i = service_type_from_string(value);
        if (i >= 0) {
                *t = (enum service_type)i;
        } else if (strcmp(value, "idle") == 0 || strcmp(value, "dbus") == 0) {
                key_warning(k, value, "not supported by vigil, treated as Type=simple");
                *t = SERVICE_SIMPLE;
        } else if (strcmp(value, "notify-reload") == 0) {
                key_warning(k, value, "treated as Type=notify (ExecReload= is used for reloading)");
                *t = SERVICE_NOTIFY;
        } else
                return key_error(k, value, "expected one of %s",
                                 choices(type_name, SERVICE_TYPE_MAX, buf, sizeof(buf)));
        return 0;
}

static const char *restart_name(int i) {
        return restart_mode_to_string((enum restart_mode)i);
}

static int parse_restart(const struct load_ctx *k, const char *value, void *field) {
        enum restart_mode *m = field;
        char buf[256];
        int i;

        k->marks->restart_file = k->file;
        k->marks->restart_line = k->line;
        if (*value == '\0') {
                reset_field(k, field, sizeof(*m));
                return 0;
        }
        i = restart_mode_from_string(value);
        if (i < 0)
                return key_error(k, value, "expected one of %s",
                                 choices(restart_name, RESTART_MODE_MAX, buf, sizeof(buf)));
        *m = (enum restart_mode)i;
        return 0;
}

/* PIDFile=: relative paths are below /run, /var/run/ is /run/ (systemd's config_parse_pid_file()). */
static int parse_pid_file(const struct load_ctx *k, const char *value, void *field) {
        char **s = field, *resolved = NULL, *path = NULL;
        int r;

        if (*value != '\0') {
                r = resolve(k, value, &resolved);
                if (r < 0)
                        return r;
                if (strncmp(resolved, "/var/run/", 9) == 0) {
                        key_warning(k, value, "below the legacy directory /var/run/, using /run/%s", resolved + 9);
                        r = asprintf(&path, "/run/%s", resolved + 9);
                } else if (!is_absolute_path(resolved))
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

static int parse_exec(const struct load_ctx *k, const char *value, void *field) {
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
                return key_error(k, value, "%s", d.error);
        if (r < 0)
                return r;
        if (d.warning[0] != '\0')
                key_warning(k, value, "%s", d.warning);
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
static int parse_exit_status(const struct load_ctx *k, const char *value, void *field) {
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
                                r = key_error(k, value, "exit code %s is out of range 0-255", word);
                        else
                                exit_status_set_add_code(set, (int)code);
                } else if (len < sizeof(word) && signame_to_number(word, &sig) == 0 && sig <= 64)
                        exit_status_set_add_signal(set, sig);
                else
                        r = key_error(k, value, "'%s' is neither an exit code (0-255) nor a signal name", word);
        }
}

#define TIMEOUT_START 1
#define TIMEOUT_STOP 2

/* TimeoutStartSec=, TimeoutStopSec=, TimeoutSec= (both); 0 means infinity,
 * as systemd's parse_sec_fix_0(). */
static int parse_timeout(const struct load_ctx *k, const char *value, void *field) {
        struct unit_config *c = k->c;
        uint64_t usec = 0;
        bool set = *value != '\0';

        (void)field;
        if (set && timespan_parse(value, USEC_PER_SEC, &usec) < 0)
                return key_error(k, value, "%s", timespan_help);
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
static int parse_watchdog_sec(const struct load_ctx *k, const char *value, void *field) {
        int r = parse_timespan(k, value, field);
        if (r == 0 && *(uint64_t *)field == TIMESPAN_INFINITY)
                *(uint64_t *)field = 0;
        return r;
}

static const char *notify_name(int i) {
        return notify_access_to_string((enum notify_access)i);
}

static int parse_notify_access(const struct load_ctx *k, const char *value, void *field) {
        enum notify_access *a = field;
        char buf[128];
        int i;

        if (*value == '\0') {
                reset_field(k, field, sizeof(*a));
                k->c->notify_access_set = false;
                return 0;
        }
        i = notify_access_from_string(value);
        if (i < 0)
                return key_error(k, value, "expected one of %s",
                                 choices(notify_name, NOTIFY_ACCESS_MAX, buf, sizeof(buf)));
        *a = (enum notify_access)i;
        k->c->notify_access_set = true;
        return 0;
}

static const char *kill_mode_name(int i) {
        return kill_mode_to_string((enum kill_mode)i);
}

static int parse_kill_mode(const struct load_ctx *k, const char *value, void *field) {
        enum kill_mode *m = field;
        char buf[128];
        int i;

        if (*value == '\0') {
                reset_field(k, field, sizeof(*m));
                return 0;
        }
        i = kill_mode_from_string(value);
        if (i < 0)
                return key_error(k, value, "expected one of %s",
                                 choices(kill_mode_name, KILL_MODE_MAX, buf, sizeof(buf)));
        *m = (enum kill_mode)i;
        return 0;
}

/* Environment=: words unquoted and C-unescaped, each KEY=VALUE
 * (systemd's config_parse_environ()). */
static int parse_environment(const struct load_ctx *k, const char *value, void *field) {
        struct unit_config *c = k->c;
        const char *p = value;
        int result = 0;

        (void)field;
        if (*value == '\0') {
                env_list_free(&c->environment, &c->n_environment);
                return 0;
        }
        for (;;) {
                struct exec_diag d = { 0 };
                char *word, *assignment;
                int r = exec_word_next(&p, &word, &d);
                if (r == 0)
                        return result;
                if (r == -EINVAL)
                        return key_error(k, value, "%s", d.error);
                if (r < 0)
                        return r;
                if (d.warning[0] != '\0')
                        key_warning(k, value, "%s", d.warning);
                r = resolve(k, word, &assignment);
                free(word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        result = r;
                        continue;
                }
                if (!env_assignment_is_valid(assignment))
                        result = key_error(k, value, "'%s' is not a KEY=VALUE assignment with a valid name",
                                           assignment);
                else
                        r = env_list_set(&c->environment, &c->n_environment, assignment);
                free(assignment);
                if (r == -ENOMEM)
                        return r;
        }
}

/* EnvironmentFile=: an absolute path, "-" prefix = optional; kept raw for
 * the supervisor, which reads the file at spawn time. */
static int parse_environment_file(const struct load_ctx *k, const char *value, void *field) {
        char ***list = field, *resolved;
        size_t *n = list_count(k);
        int r;

        if (*value == '\0') {
                strv_clear(list, n);
                return 0;
        }
        r = resolve(k, value, &resolved);
        if (r < 0)
                return r;
        if (!is_absolute_path(resolved[0] == '-' ? resolved + 1 : resolved)) {
                free(resolved);
                return key_error(k, value, "the path must be absolute (optionally prefixed with '-')");
        }
        return strv_push(list, n, resolved);
}

/* WorkingDirectory=: "-" prefix = optional; "~" = the user's home; else absolute. */
static int parse_working_directory(const struct load_ctx *k, const char *value, void *field) {
        char *resolved;
        const char *p;
        int r;

        if (*value == '\0')
                return parse_string(k, value, field);
        r = resolve(k, value, &resolved);
        if (r < 0)
                return r;
        p = resolved[0] == '-' ? resolved + 1 : resolved;
        if (strcmp(p, "~") != 0 && !is_absolute_path(p)) {
                free(resolved);
                return key_error(k, value, "expected an absolute path or '~' (optionally prefixed with '-')");
        }
        free(*(char **)field);
        *(char **)field = resolved;
        return 0;
}

/* A user or group: a number (not -1 or the 16-bit -1) or a name without
 * whitespace, ':', '/', control characters or a leading '-' (systemd's
 * relaxed valid_user_group_name()). */
static bool user_group_is_valid(const char *s) {
        uint64_t id;
        size_t len = strlen(s);
        if (num_parse_u64(s, &id) == 0)
                return id < UINT32_MAX && id != 65535;
        if (len == 0 || len > 255 || s[0] == '-' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ':' || *p == '/')
                        return false;
        return true;
}

static int parse_user_group(const struct load_ctx *k, const char *value, void *field) {
        char *resolved;
        int r;

        if (*value == '\0')
                return parse_string(k, value, field);
        r = resolve(k, value, &resolved);
        if (r < 0)
                return r;
        if (!user_group_is_valid(resolved)) {
                free(resolved);
                return key_error(k, value, "expected a %s name or a numeric id", k->def->arg ? "group" : "user");
        }
        free(*(char **)field);
        *(char **)field = resolved;
        return 0;
}

static int parse_supplementary_groups(const struct load_ctx *k, const char *value, void *field) {
        char ***list = field;
        size_t *n = list_count(k);
        const char *p = value;
        int result = 0;

        if (*value == '\0') {
                strv_clear(list, n);
                return 0;
        }
        for (;;) {
                size_t len;
                char *word, *resolved;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        return result;
                len = strcspn(p, WHITESPACE);
                word = strndup(p, len);
                p += len;
                if (!word)
                        return -ENOMEM;
                r = resolve(k, word, &resolved);
                free(word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        result = r;
                        continue;
                }
                if (!user_group_is_valid(resolved)) {
                        result = key_error(k, value, "'%s' is not a valid group name or id", resolved);
                        free(resolved);
                        continue;
                }
                r = strv_push(list, n, resolved);
                if (r < 0)
                        return r;
        }
}

/* UMask=: octal, at most 07777 (systemd's parse_mode()). */
static int parse_umask(const struct load_ctx *k, const char *value, void *field) {
        mode_t *m = field;
        unsigned v = 0;

        if (*value == '\0') {
                reset_field(k, field, sizeof(*m));
                k->c->umask_set = false;
                return 0;
        }
        for (const char *p = value; *p; p++) {
                if (*p < '0' || *p > '7' || v > 07777)
                        return key_error(k, value, "expected an octal mode such as 0022, at most 07777");
                v = v * 8 + (unsigned)(*p - '0');
        }
        if (v > 07777)
                return key_error(k, value, "expected an octal mode such as 0022, at most 07777");
        *m = (mode_t)v;
        k->c->umask_set = true;
        return 0;
}

/* Nice=: -20..19 (systemd's parse_nice()). */
static int parse_nice(const struct load_ctx *k, const char *value, void *field) {
        int *nice = field;
        bool negative = value[0] == '-';
        uint64_t v;

        if (*value == '\0') {
                reset_field(k, field, sizeof(*nice));
                k->c->nice_set = false;
                return 0;
        }
        if (num_parse_u64_max(value + (value[0] == '-' || value[0] == '+'), negative ? 20 : 19, &v) < 0)
                return key_error(k, value, "expected a nice level from -20 to 19");
        *nice = negative ? -(int)v : (int)v;
        k->c->nice_set = true;
        return 0;
}

/* A size in bytes with the base-1024 suffixes B K M G T P E, fractions and
 * sums ("1.5G", "1G 512M") as systemd's parse_size(); suffixes in
 * decreasing order, a bare number only last. */
static int parse_size_iec(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                unsigned shift;
        } units[] = { { 'E', 60 }, { 'P', 50 }, { 'T', 40 }, { 'G', 30 }, { 'M', 20 }, { 'K', 10 }, { 'B', 0 } };
        const size_t n_units = sizeof(units) / sizeof(units[0]);
        uint64_t total = 0;
        size_t start = 0;
        const char *p = s;

        do {
                uint64_t whole = 0, frac = 0, den = 1, unit, value;
                unsigned shift = 0;
                size_t i;

                p += strspn(p, " \t");
                if (*p < '0' || *p > '9' || start > n_units)
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++) {
                        if (whole > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (uint64_t)(*p - '0');
                }
                if (*p == '.')
                        for (p++; *p >= '0' && *p <= '9'; p++)
                                if (den < 1000000) {   /* beyond 6 digits cannot matter */
                                        frac = frac * 10 + (uint64_t)(*p - '0');
                                        den *= 10;
                                }
                p += strspn(p, " \t");
                for (i = start; i < n_units && *p != units[i].suffix; i++)
                        ;
                if (i < n_units) {
                        shift = units[i].shift;
                        p++;
                        start = i + 1;
                } else
                        start = n_units + 1;   /* a bare number: nothing may follow */
                unit = UINT64_C(1) << shift;
                if (whole > UINT64_MAX >> shift)
                        return -ERANGE;
                value = (whole << shift) + (unit / den) * frac + ((unit % den) * frac) / den;
                if (value < (whole << shift) || total > UINT64_MAX - value)
                        return -ERANGE;
                total += value;
        } while (*p != '\0');
        *ret = total;
        return 0;
}

/* "50%" or "12.5%", at most 100% (systemd's parse_permyriad()). */
static bool is_percentage(const char *s) {
        size_t len = strlen(s), digits = strspn(s, "0123456789"), frac = 0;
        unsigned whole = 0;

        if (len < 2 || s[len - 1] != '%' || digits == 0 || digits > 3)
                return false;
        if (s[digits] == '.') {
                frac = strspn(s + digits + 1, "0123456789");
                if (frac == 0 || digits + 1 + frac != len - 1)
                        return false;
        } else if (digits != len - 1)
                return false;
        for (size_t i = 0; i < digits; i++)
                whole = whole * 10 + (unsigned)(s[i] - '0');
        return whole < 100 || (whole == 100 && strspn(s + digits + 1, "0") == frac);
}

enum rlimit_kind { RLIMIT_KIND_NUMBER, RLIMIT_KIND_SIZE, RLIMIT_KIND_SEC, RLIMIT_KIND_USEC, RLIMIT_KIND_NICE };

/* systemd.exec(5), "Process properties", table 1: the unit of each Limit*=. */
static enum rlimit_kind rlimit_kind_of(int resource) {
        switch (resource) {
        case RLIMIT_FSIZE:
        case RLIMIT_DATA:
        case RLIMIT_STACK:
        case RLIMIT_CORE:
        case RLIMIT_RSS:
        case RLIMIT_AS:
        case RLIMIT_MEMLOCK:
        case RLIMIT_MSGQUEUE:
                return RLIMIT_KIND_SIZE;
        case RLIMIT_CPU:
                return RLIMIT_KIND_SEC;
        case RLIMIT_RTTIME:
                return RLIMIT_KIND_USEC;
        case RLIMIT_NICE:
                return RLIMIT_KIND_NICE;
        default:
                return RLIMIT_KIND_NUMBER;
        }
}

/* One side of a Limit*= value (systemd's rlimit_parse_one()). */
static int rlimit_parse_one(const char *s, enum rlimit_kind kind, rlim_t *ret) {
        uint64_t v;
        int r;

        if (kind != RLIMIT_KIND_NICE && strcmp(s, "infinity") == 0) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (kind) {
        case RLIMIT_KIND_NUMBER:
                r = num_parse_u64(s, &v);
                break;
        case RLIMIT_KIND_SIZE:
                r = parse_size_iec(s, &v);
                break;
        case RLIMIT_KIND_SEC:
                r = timespan_parse(s, USEC_PER_SEC, &v);
                if (r == 0 && v != TIMESPAN_INFINITY)
                        v = v / USEC_PER_SEC + (v % USEC_PER_SEC != 0);   /* round up */
                break;
        case RLIMIT_KIND_USEC:
                r = timespan_parse(s, 1, &v);
                break;
        case RLIMIT_KIND_NICE:
                /* "+N"/"-N" is a nice level (limit 20 - N); a bare number is the raw limit 0..40. */
                r = num_parse_u64_max(s + (s[0] == '+' || s[0] == '-'), s[0] == '+' ? 19 : s[0] == '-' ? 20 : 40, &v);
                if (r == 0 && (s[0] == '+' || s[0] == '-'))
                        v = s[0] == '+' ? 20 - v : 20 + v;
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        if (v == TIMESPAN_INFINITY && (kind == RLIMIT_KIND_SEC || kind == RLIMIT_KIND_USEC)) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        if (v >= (uint64_t)RLIM_INFINITY)
                return -ERANGE;
        *ret = (rlim_t)v;
        return 0;
}

static const char *const rlimit_help[] = {
        [RLIMIT_KIND_NUMBER] = "a number or infinity",
        [RLIMIT_KIND_SIZE] = "a size in bytes with an optional K, M, G, T, P or E suffix (base 1024), or infinity",
        [RLIMIT_KIND_SEC] = "a time span (bare number = seconds) or infinity",
        [RLIMIT_KIND_USEC] = "a time span (bare number = microseconds) or infinity",
        [RLIMIT_KIND_NICE] = "a nice level +19..-20 or a raw limit 0..40",
};

/* Limit*=: VALUE or SOFT:HARD (systemd's rlimit_parse()). */
static int parse_rlimit(const struct load_ctx *k, const char *value, void *field) {
        struct unit_rlimit *limits = field, *l;
        enum rlimit_kind kind = rlimit_kind_of(k->def->arg);
        const char *colon = strchr(value, ':');
        rlim_t soft, hard;
        char soft_text[128];

        if (k->def->arg < 0 || k->def->arg >= UNIT_RLIMIT_MAX)
                return key_error(k, value, "internal error: resource out of range");
        l = &limits[k->def->arg];
        if (*value == '\0') {
                memset(l, 0, sizeof(*l));
                return 0;
        }
        if (colon) {
                size_t len = (size_t)(colon - value);
                bool ok = len < sizeof(soft_text);
                if (ok) {
                        memcpy(soft_text, value, len);
                        soft_text[len] = '\0';
                        ok = rlimit_parse_one(soft_text, kind, &soft) == 0 &&
                             rlimit_parse_one(colon + 1, kind, &hard) == 0;
                }
                if (!ok)
                        return key_error(k, value, "expected SOFT:HARD, each %s", rlimit_help[kind]);
                if (soft > hard)
                        return key_error(k, value, "the soft limit is higher than the hard limit");
        } else if (rlimit_parse_one(value, kind, &soft) < 0)
                return key_error(k, value, "expected %s, or SOFT:HARD", rlimit_help[kind]);
        else
                hard = soft;
        l->set = true;
        l->value.rlim_cur = soft;
        l->value.rlim_max = hard;
        return 0;
}

/* StandardOutput=, StandardError= (systemd.exec(5), "Logging and standard input/output"). */
static int parse_output(const struct load_ctx *k, const char *value, void *field) {
        struct unit_output *o = field, *def = (struct unit_output *)((char *)k->defaults + k->def->offset);
        enum output_kind kind;
        char *path = NULL;
        int r;

        if (*value == '\0') {
                kind = def->kind;
        } else if (strncmp(value, "file:", 5) == 0 || strncmp(value, "append:", 7) == 0) {
                kind = value[0] == 'f' ? OUTPUT_FILE : OUTPUT_APPEND;
                r = resolve(k, strchr(value, ':') + 1, &path);
                if (r < 0)
                        return r;
                if (!is_absolute_path(path)) {
                        free(path);
                        return key_error(k, value, "the path after '%.*s' must be absolute",
                                         (int)(strchr(value, ':') - value + 1), value);
                }
        } else if (strcmp(value, "inherit") == 0) {
                kind = OUTPUT_INHERIT;
        } else if (strcmp(value, "null") == 0) {
                kind = OUTPUT_NULL;
        } else if (strcmp(value, "journal") == 0 || strcmp(value, "syslog") == 0 ||
                   strcmp(value, "journal+console") == 0 || strcmp(value, "syslog+console") == 0) {
                kind = OUTPUT_JOURNAL;   /* SPEC §4: journal and syslog are vigil's log */
        } else if (strcmp(value, "kmsg") == 0 || strcmp(value, "kmsg+console") == 0) {
                key_warning(k, value, "vigil writes it to its own log, not the kernel log buffer");
                kind = OUTPUT_JOURNAL;
        } else if (strcmp(value, "tty") == 0) {
                key_warning(k, value, "vigil gives services no terminal, using inherit");
                kind = OUTPUT_INHERIT;
        } else if (strncmp(value, "truncate:", 9) == 0 || strcmp(value, "socket") == 0 ||
                   strncmp(value, "fd:", 3) == 0) {
                return key_error(k, value, "not supported by vigil; use inherit, null, journal, file:PATH "
                                           "or append:PATH");
        } else {
                return key_error(k, value, "expected inherit, null, journal, syslog, kmsg, tty, file:PATH or "
                                           "append:PATH");
        }
        free(o->path);
        o->kind = kind;
        o->path = path;
        return 0;
}

/* MemoryMax=: bytes (K/M/G/T/P/E, base 1024) or infinity; a percentage of
 * RAM would need the machine's memory size, so it is a warning and unset. */
static int parse_memory_max(const struct load_ctx *k, const char *value, void *field) {
        uint64_t *m = field, bytes;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *m = UINT64_MAX;
                return 0;
        }
        if (is_percentage(value)) {
                key_warning(k, value, "percentages of memory are not supported by vigil, leaving it unset");
                *m = UINT64_MAX;
                return 0;
        }
        if (parse_size_iec(value, &bytes) < 0 || bytes == 0 || bytes == UINT64_MAX)
                return key_error(k, value, "expected a size in bytes above 0 with an optional K, M, G or T "
                                           "suffix, a percentage, or infinity");
        *m = bytes;
        return 0;
}

static int parse_tasks_max(const struct load_ctx *k, const char *value, void *field) {
        uint64_t *t = field, n;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *t = UINT64_MAX;
                return 0;
        }
        if (is_percentage(value)) {
                key_warning(k, value, "percentages of the kernel's task limit are not supported by vigil, "
                                      "leaving it unset");
                *t = UINT64_MAX;
                return 0;
        }
        if (num_parse_u64_max(value, UINT64_MAX - 1, &n) < 0 || n == 0)
                return key_error(k, value, "expected a number above 0, a percentage, or infinity");
        *t = n;
        return 0;
}

/* CPUWeight=: 1..10000 (cgroup v2 cpu.weight). */
static int parse_cpu_weight(const struct load_ctx *k, const char *value, void *field) {
        uint64_t *w = field, n;

        if (*value == '\0') {
                *w = 0;
                return 0;
        }
        if (strcmp(value, "idle") == 0) {
                key_warning(k, value, "not supported by vigil, leaving it unset");
                *w = 0;
                return 0;
        }
        if (num_parse_u64_max(value, 10000, &n) < 0 || n == 0)
                return key_error(k, value, "expected a weight from 1 to 10000");
        *w = n;
        return 0;
}

/* ---- the table -------------------------------------------------------------- */

#define OFF(field) offsetof(struct unit_config, field)
#define LIST(field, count) OFF(field), OFF(count)
#define DEPS(field) OFF(field.v), OFF(field.n)
#define LIMIT(name, resource) { "Service", name, parse_rlimit, OFF(limits), 0, resource }

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
        { "Unit", "ConditionPathExists", parse_condition_path,
          LIST(condition_path_exists, n_condition_path_exists), 0 },
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
        { "Service", "Environment", parse_environment, 0, 0, 0 },
        { "Service", "EnvironmentFile", parse_environment_file, LIST(environment_files, n_environment_files), 0 },
        { "Service", "WorkingDirectory", parse_working_directory, OFF(working_directory), 0, 0 },
        { "Service", "User", parse_user_group, OFF(user), 0, 0 },
        { "Service", "Group", parse_user_group, OFF(group), 0, 1 },
        { "Service", "SupplementaryGroups", parse_supplementary_groups,
          LIST(supplementary_groups, n_supplementary_groups), 0 },
        { "Service", "UMask", parse_umask, OFF(umask), 0, 0 },
        { "Service", "Nice", parse_nice, OFF(nice), 0, 0 },
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
        { "Service", "StandardOutput", parse_output, OFF(standard_output), 0, 0 },
        { "Service", "StandardError", parse_output, OFF(standard_error), 0, 0 },
        { "Service", "SyslogIdentifier", parse_string, OFF(syslog_identifier), 0, 0 },
        { "Service", "MemoryMax", parse_memory_max, OFF(memory_max), 0, 0 },
        { "Service", "TasksMax", parse_tasks_max, OFF(tasks_max), 0, 0 },
        { "Service", "CPUWeight", parse_cpu_weight, OFF(cpu_weight), 0, 0 },
};

#define N_KEYS (sizeof(key_table) / sizeof(key_table[0]))
_Static_assert(RLIMIT_NLIMITS <= UNIT_RLIMIT_MAX, "UNIT_RLIMIT_MAX too small");

static const struct unit_key *find_key(const char *section, const char *key) {
        for (size_t i = 0; i < N_KEYS; i++)
                if (strcmp(key_table[i].key, key) == 0 && strcmp(key_table[i].section, section) == 0)
                        return &key_table[i];
        return NULL;
}

bool unit_load_key_known(const char *section, const char *key) {
        return find_key(section, key) != NULL;
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

/* ---- applying a file -------------------------------------------------------- */

static int apply_assignment(struct load_ctx *k, const char *section, const struct unit_assignment *a) {
        const struct unit_key *def = find_key(section, a->key);
        int r;

        if (!def) {
                if (strncmp(a->key, "X-", 2) != 0)
                        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, a->line,
                                       "unknown key '%s' in section [%s], ignoring", a->key, section);
                return 0;
        }
        k->def = def;
        k->key = a->key;
        k->line = a->line;
        r = def->parse(k, a->value, (char *)k->c + def->offset);
        return r == -ENOMEM ? r : 0;
}

static int apply_file(struct load_ctx *k, const struct unit_file *f) {
        size_t a = 0;
        for (size_t s = 0; s < f->n_sections; s++) {
                const char *name = f->sections[s].name;
                bool apply = strcmp(name, "Unit") == 0 || strcmp(name, "Service") == 0;
                if (!apply && strcmp(name, "Install") != 0 && strncmp(name, "X-", 2) != 0)
                        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, f->sections[s].line,
                                       "unknown section [%s], ignoring it", name);
                for (; a < f->n_assignments && f->assignments[a].section == s; a++) {
                        if (!apply)
                                continue;   /* [Install] is for systemctl enable: nothing to do */
                        int r = apply_assignment(k, name, &f->assignments[a]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* systemd's service_verify() and the parts of service_add_extras() that
 * change the configuration. */
static void verify(struct load_ctx *k) {
        struct unit_config *c = k->c;
        const char *main_file = c->n_sources > 0 ? c->sources[0] : c->name;

        if (k->marks->exec_start_error)
                ;   /* "no ExecStart=" would only repeat that error */
        else if (c->type != SERVICE_ONESHOT && c->exec_start.n == 0)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, main_file, 0,
                               "no ExecStart= (only Type=oneshot services may have none)");
        else if (c->type == SERVICE_ONESHOT && c->exec_start.n == 0 && !c->remain_after_exit &&
                 c->success_action == ACTION_NONE)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, main_file, 0,
                               "Type=oneshot without ExecStart= needs RemainAfterExit=yes or SuccessAction=");
        if (c->type != SERVICE_ONESHOT && c->exec_start.n > 1)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, c->exec_start.v[1].file, c->exec_start.v[1].line,
                               "more than one ExecStart= (only Type=oneshot services may have several; an "
                               "empty ExecStart= first resets the list)");
        if (c->type == SERVICE_ONESHOT &&
            (c->restart.mode == RESTART_ALWAYS || c->restart.mode == RESTART_ON_SUCCESS))
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, k->marks->restart_file ? k->marks->restart_file : main_file,
                               k->marks->restart_line, "Restart=%s is not allowed for Type=oneshot services",
                               restart_mode_to_string(c->restart.mode));
        if (c->type == SERVICE_FORKING && !c->pid_file)
                unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->marks->type_file ? k->marks->type_file : main_file,
                               k->marks->type_line,
                               "Type=forking without PIDFile=: the main process will be guessed");
        if (!c->notify_access_set && (c->type == SERVICE_NOTIFY || c->watchdog_usec > 0))
                c->notify_access = NOTIFY_MAIN;
        if (c->type == SERVICE_ONESHOT && !c->timeout_start_set) {
                c->timeout_start_usec = TIMESPAN_INFINITY;   /* oneshot: no start timeout by default */
                c->timeout_start_set = true;
        }
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* FNV-1a, 64 bits. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
        return h;
}

int unit_load_from_texts(const char *name, const struct unit_source *sources, size_t n_sources,
                         struct unit_config *ret, struct unit_diags *diags) {
        struct unit_config defaults;
        struct load_marks marks = { 0 };
        struct load_ctx k = { .c = ret, .defaults = &defaults, .diags = diags, .marks = &marks };
        size_t errors_before = diags->n_errors;
        bool oom_before = diags->oom, too_big = false;
        int r = 0;

        unit_config_init(ret);
        unit_config_init(&defaults);
        if (!unit_name_is_valid(name) || !has_suffix(name, ".service"))
                unit_diags_add(diags, UNIT_DIAG_ERROR, n_sources > 0 ? sources[0].path : name, 0,
                               "'%s' is not a valid service name (NAME.service or NAME@INSTANCE.service)", name);
        ret->name = strdup(name);
        if (!ret->name)
                r = -ENOMEM;
        /* daemon-reload tells a changed definition by this (the same bytes
         * the parser read, so no second read can disagree). */
        ret->fingerprint = 1469598103934665603ULL;
        for (size_t i = 0; i < n_sources; i++) {
                ret->fingerprint = fnv1a(ret->fingerprint, sources[i].path, strlen(sources[i].path) + 1);
                if (sources[i].text)   /* NULL for a file too large to read */
                        ret->fingerprint = fnv1a(ret->fingerprint, sources[i].text, sources[i].size);
                ret->fingerprint = fnv1a(ret->fingerprint, "\n--\n", 4);
        }
        for (size_t i = 0; i < n_sources && r == 0; i++) {
                struct unit_file f;
                r = strv_push(&ret->sources, &ret->n_sources, strdup(sources[i].path));
                if (r < 0)
                        break;
                k.file = ret->sources[i];
                r = unit_file_parse(sources[i].path, sources[i].text, sources[i].size, &f, diags);
                too_big = too_big || r == -EFBIG;
                if (r != -ENOMEM)
                        r = apply_file(&k, &f);
                unit_file_free(&f);
        }
        if (r == 0 && !too_big)
                verify(&k);   /* a file not read would only add noise */
        if (r == 0 && diags->oom && !oom_before)
                r = -ENOMEM;
        if (r == 0 && diags->n_errors > errors_before)
                r = -EINVAL;
        if (r < 0)
                unit_config_free(ret);
        return r;
}
