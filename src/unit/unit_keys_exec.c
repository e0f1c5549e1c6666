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


/* Environment=: words unquoted and C-unescaped, each KEY=VALUE
 * (systemd's config_parse_environ()). */
int unit_key_parse_environment(const struct unit_key_ctx *k, const char *value, void *field) {
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
                        return unit_key_error(k, value, "%s", d.error);
                if (r < 0)
                        return r;
                if (d.warning[0] != '\0')
                        unit_key_warning(k, value, "%s", d.warning);
                r = unit_key_resolve(k, word, &assignment);
                free(word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        result = r;
                        continue;
                }
                if (!env_assignment_is_valid(assignment))
                        result = unit_key_error(k, value, "'%s' is not a KEY=VALUE assignment with a valid name",
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
int unit_key_parse_environment_file(const struct unit_key_ctx *k, const char *value, void *field) {
        char ***list = field, *resolved;
        size_t *n = unit_key_list_count(k);
        int r;

        if (*value == '\0') {
                unit_key_list_clear(list, n);
                return 0;
        }
        r = unit_key_resolve(k, value, &resolved);
        if (r < 0)
                return r;
        if (!unit_key_is_absolute_path(resolved[0] == '-' ? resolved + 1 : resolved)) {
                free(resolved);
                return unit_key_error(k, value, "the path must be absolute (optionally prefixed with '-')");
        }
        return unit_key_list_push(list, n, resolved);
}

/* WorkingDirectory=: "-" prefix = optional; "~" = the user's home; else absolute. */
int unit_key_parse_working_directory(const struct unit_key_ctx *k, const char *value, void *field) {
        char *resolved;
        const char *p;
        int r;

        if (*value == '\0')
                return unit_key_parse_string(k, value, field);
        r = unit_key_resolve(k, value, &resolved);
        if (r < 0)
                return r;
        p = resolved[0] == '-' ? resolved + 1 : resolved;
        if (strcmp(p, "~") != 0 && !unit_key_is_absolute_path(p)) {
                free(resolved);
                return unit_key_error(k, value, "expected an absolute path or '~' (optionally prefixed with '-')");
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

int unit_key_parse_user_group(const struct unit_key_ctx *k, const char *value, void *field) {
        char *resolved;
        int r;

        if (*value == '\0')
                return unit_key_parse_string(k, value, field);
        r = unit_key_resolve(k, value, &resolved);
        if (r < 0)
                return r;
        if (!user_group_is_valid(resolved)) {
                free(resolved);
                return unit_key_error(k, value, "expected a %s name or a numeric id", k->def->arg ? "group" : "user");
        }
        free(*(char **)field);
        *(char **)field = resolved;
        return 0;
}

int unit_key_parse_supplementary_groups(const struct unit_key_ctx *k, const char *value, void *field) {
        char ***list = field;
        size_t *n = unit_key_list_count(k);
        const char *p = value;
        int result = 0;

        if (*value == '\0') {
                unit_key_list_clear(list, n);
                return 0;
        }
        for (;;) {
                char *word, *resolved;
                int r = unit_key_next_word(&p, &word);
                if (r <= 0)
                        return r < 0 ? r : result;
                r = unit_key_resolve(k, word, &resolved);
                free(word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        result = r;
                        continue;
                }
                if (!user_group_is_valid(resolved)) {
                        result = unit_key_error(k, value, "'%s' is not a valid group name or id", resolved);
                        free(resolved);
                        continue;
                }
                r = unit_key_list_push(list, n, resolved);
                if (r < 0)
                        return r;
        }
}

/* UMask=: octal, at most 07777 (systemd's parse_mode()). */
int unit_key_parse_umask(const struct unit_key_ctx *k, const char *value, void *field) {
        mode_t *m = field;
        unsigned v = 0;

        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*m));
                k->c->umask_set = false;
                return 0;
        }
        for (const char *p = value; *p; p++) {
                if (*p < '0' || *p > '7' || v > 07777)
                        return unit_key_error(k, value, "expected an octal mode such as 0022, at most 07777");
                v = v * 8 + (unsigned)(*p - '0');
        }
        if (v > 07777)
                return unit_key_error(k, value, "expected an octal mode such as 0022, at most 07777");
        *m = (mode_t)v;
        k->c->umask_set = true;
        return 0;
}

/* Nice=: -20..19 (systemd's unit_key_parse_nice()). */
int unit_key_parse_nice(const struct unit_key_ctx *k, const char *value, void *field) {
        int *nice = field;
        bool negative = value[0] == '-';
        uint64_t v;

        if (*value == '\0') {
                unit_key_reset_field(k, field, sizeof(*nice));
                k->c->nice_set = false;
                return 0;
        }
        if (num_parse_u64_max(value + (value[0] == '-' || value[0] == '+'), negative ? 20 : 19, &v) < 0)
                return unit_key_error(k, value, "expected a nice level from -20 to 19");
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
int unit_key_parse_rlimit(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_rlimit *limits = field, *l;
        enum rlimit_kind kind = rlimit_kind_of(k->def->arg);
        const char *colon = strchr(value, ':');
        rlim_t soft, hard;
        char soft_text[128];

        if (k->def->arg < 0 || k->def->arg >= UNIT_RLIMIT_MAX)
                return unit_key_error(k, value, "internal error: resource out of range");
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
                        return unit_key_error(k, value, "expected SOFT:HARD, each %s", rlimit_help[kind]);
                if (soft > hard)
                        return unit_key_error(k, value, "the soft limit is higher than the hard limit");
        } else if (rlimit_parse_one(value, kind, &soft) < 0)
                return unit_key_error(k, value, "expected %s, or SOFT:HARD", rlimit_help[kind]);
        else
                hard = soft;
        l->set = true;
        l->file = k->file;
        l->line = k->line;
        l->value.rlim_cur = soft;
        l->value.rlim_max = hard;
        return 0;
}

/* StandardOutput=, StandardError= (systemd.exec(5), "Logging and standard input/output"). */
int unit_key_parse_output(const struct unit_key_ctx *k, const char *value, void *field) {
        struct unit_output *o = field, *def = (struct unit_output *)((char *)k->defaults + k->def->offset);
        enum output_kind kind;
        char *path = NULL;
        int r;

        if (*value == '\0') {
                kind = def->kind;
        } else if (strncmp(value, "file:", 5) == 0 || strncmp(value, "append:", 7) == 0) {
                kind = value[0] == 'f' ? OUTPUT_FILE : OUTPUT_APPEND;
                r = unit_key_resolve(k, strchr(value, ':') + 1, &path);
                if (r < 0)
                        return r;
                if (!unit_key_is_absolute_path(path)) {
                        free(path);
                        return unit_key_error(k, value, "the path after '%.*s' must be absolute",
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
                unit_key_warning(k, value, "vigil writes it to its own log, not the kernel log buffer");
                kind = OUTPUT_JOURNAL;
        } else if (strcmp(value, "tty") == 0) {
                kind = OUTPUT_TTY;   /* TTYPath= */
        } else if (strncmp(value, "truncate:", 9) == 0 || strcmp(value, "socket") == 0 ||
                   strncmp(value, "fd:", 3) == 0) {
                return unit_key_error(k, value, "not supported by vigil; use inherit, null, journal, file:PATH "
                                           "or append:PATH");
        } else {
                return unit_key_error(k, value, "expected inherit, null, journal, syslog, kmsg, tty, file:PATH or "
                                           "append:PATH");
        }
        free(o->path);
        o->kind = kind;
        o->path = path;
        if (o == &k->c->standard_output)
                k->c->standard_output_set = *value != '\0';
        return 0;
}

/* MemoryMax=: bytes (K/M/G/T/P/E, base 1024) or infinity; a percentage of
 * RAM would need the machine's memory size, so it is a warning and unset. */
int unit_key_parse_memory_max(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t *m = field, bytes;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *m = UINT64_MAX;
                return 0;
        }
        if (is_percentage(value)) {
                unit_key_warning(k, value, "percentages of memory are not supported by vigil, leaving it unset");
                *m = UINT64_MAX;
                return 0;
        }
        if (parse_size_iec(value, &bytes) < 0 || bytes == 0 || bytes == UINT64_MAX)
                return unit_key_error(k, value, "expected a size in bytes above 0 with an optional K, M, G or T "
                                           "suffix, a percentage, or infinity");
        *m = bytes;
        return 0;
}

int unit_key_parse_tasks_max(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t *t = field, n;

        if (*value == '\0' || strcmp(value, "infinity") == 0) {
                *t = UINT64_MAX;
                return 0;
        }
        if (is_percentage(value)) {
                unit_key_warning(k, value, "percentages of the kernel's task limit are not supported by vigil, "
                                      "leaving it unset");
                *t = UINT64_MAX;
                return 0;
        }
        if (num_parse_u64_max(value, UINT64_MAX - 1, &n) < 0 || n == 0)
                return unit_key_error(k, value, "expected a number above 0, a percentage, or infinity");
        *t = n;
        return 0;
}

/* CPUWeight=: 1..10000 (cgroup v2 cpu.weight). */
int unit_key_parse_cpu_weight(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t *w = field, n;

        if (*value == '\0') {
                *w = 0;
                return 0;
        }
        if (strcmp(value, "idle") == 0) {
                unit_key_warning(k, value, "not supported by vigil, leaving it unset");
                *w = 0;
                return 0;
        }
        if (num_parse_u64_max(value, 10000, &n) < 0 || n == 0)
                return unit_key_error(k, value, "expected a weight from 1 to 10000");
        *w = n;
        return 0;
}


/* CPUQuota=: "N%" or "N.M%" of one CPU, above 100% for more than one
 * (systemd.resource-control(5)); stored as CPU usec per second of wall
 * time (1% = 10 ms/s, digits past the second decimal refused). Empty:
 * unset. */
int unit_key_parse_cpu_quota(const struct unit_key_ctx *k, const char *value, void *field) {
        uint64_t *q = field, whole = 0, frac = 0;
        size_t len = strlen(value), digits = strspn(value, "0123456789"), nfrac = 0;

        if (*value == '\0') {
                *q = 0;
                return 0;
        }
        bool ok = len >= 2 && value[len - 1] == '%' && digits > 0 && digits <= 7;
        if (ok && value[digits] == '.') {
                nfrac = strspn(value + digits + 1, "0123456789");
                ok = nfrac > 0 && nfrac <= 2 && digits + 1 + nfrac == len - 1;
        } else if (ok) {
                ok = digits == len - 1;
        }
        for (size_t i = 0; ok && i < digits; i++)
                whole = whole * 10 + (uint64_t)(value[i] - '0');
        for (size_t i = 0; ok && i < 2; i++)
                frac = frac * 10 + (i < nfrac ? (uint64_t)(value[digits + 1 + i] - '0') : 0);
        uint64_t usec = whole * 10000 + frac * 100;
        if (!ok || usec == 0)
                return unit_key_error(k, value, "expected a percentage above 0%%, such as 50%% or 150%%");
        *q = usec;
        return 0;
}
