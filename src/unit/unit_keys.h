/* SPDX-License-Identifier: MIT */
/*
 * The key table of the unit loader (unit_load.h): one row per section.key
 * vigil reads (section, key, parser, offset of the field in struct
 * unit_config, of the count beside a string list, a parser argument), and
 * the per-key parsers, in unit_keys.c ([Unit] and the [Service] basics) and
 * unit_keys_exec.c (the process settings of systemd.exec(5),
 * systemd.resource-control(5)).
 *
 * Internal to src/unit/: unit_load.c walks the assignments and calls
 * def->parse(k, value, field). A parser returns 0 (the field set, or a
 * warning added), -EINVAL after adding an error diagnostic naming
 * file:line and the key (unit_key_error()), or -ENOMEM, which stops the
 * load. Pure.
 */
#ifndef VIGIL_UNIT_UNIT_KEYS_H
#define VIGIL_UNIT_UNIT_KEYS_H

#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define UNIT_KEY_WHITESPACE " \t\n\r"

/* Where the settings that verify() talks about were written. */
struct unit_key_marks {
        const char *type_file, *restart_file;
        unsigned type_line, restart_line;
        bool exec_start_error;   /* a malformed ExecStart= was reported already */
        /* Known keys not applied (unit_keys_known.c): names for the summaries. */
        char sandboxing[768], not_applied[768];
        unsigned n_sandboxing, n_not_applied;
};

/* What a key parser gets besides the value and its field. */
struct unit_key_ctx {
        struct unit_config *c;
        const struct unit_config *defaults;   /* unit_config_init(): for empty assignments */
        struct unit_diags *diags;
        struct unit_key_marks *marks;
        const struct unit_key *def;
        const char *file;                     /* points into c->sources */
        const char *key;
        unsigned line;
};

/* 0; -EINVAL after adding an error diagnostic; -ENOMEM stops the load. */
typedef int (*unit_key_parser)(const struct unit_key_ctx *k, const char *value, void *field);

struct unit_key {
        const char *section, *key;
        unit_key_parser parse;
        size_t offset;      /* of the field in struct unit_config */
        size_t offset_n;    /* string lists: of the count beside it */
        int arg;            /* parser-specific */
};


/* unit_keys_known.c: a key without a row that vigil knows of (docs/UNITS.md). */
enum unit_key_known { UNIT_KEY_UNKNOWN, UNIT_KEY_SANDBOXING, UNIT_KEY_NOT_APPLIED };
enum unit_key_known unit_keys_known(const char *key);

/* The row of section.key, or NULL. */
const struct unit_key *unit_keys_find(const char *section, const char *key);
/* The i-th row of the table, NULL past the end (unit_key_doc.c lists them). */
const struct unit_key *unit_keys_at(size_t i);

/* Diagnostics "KEY=VALUE-EXCERPT: message" at k's file:line. */
int unit_key_error(const struct unit_key_ctx *k, const char *value, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
void unit_key_warning(const struct unit_key_ctx *k, const char *value, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

/* Put the default back (empty assignment of a scalar key). */
static inline void unit_key_reset_field(const struct unit_key_ctx *k, void *field, size_t size) {
        memcpy(field, (const char *)k->defaults + k->def->offset, size);
}
/* The count beside a string-list field. */
static inline size_t *unit_key_list_count(const struct unit_key_ctx *k) {
        return (size_t *)((char *)k->c + k->def->offset_n);
}
static inline bool unit_key_is_absolute_path(const char *s) {
        return s[0] == '/';
}

/* unit_config's string lists (char ** and a count) as base/strv vectors:
 * push takes s over (NULL = out of memory). */
void unit_key_list_clear(char ***v, size_t *n);
int unit_key_list_push(char ***v, size_t *n, char *s);
/* The next blank-separated word at *p into *ret (malloc'd), *p moved past
 * it: 1, 0 when none is left, -ENOMEM. The list keys' one word reader. */
int unit_key_next_word(const char **p, char **ret);
/* Specifiers in a setting (systemd's unit_full_printf()); errors are the key's. */
int unit_key_resolve(const struct unit_key_ctx *k, const char *value, char **ret);

/* A free-form string; empty = unset. */
int unit_key_parse_string(const struct unit_key_ctx *k, const char *value, void *field);

/* unit_keys_exec.c */
int unit_key_parse_environment(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_environment_file(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_working_directory(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_user_group(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_supplementary_groups(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_umask(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_nice(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_rlimit(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_output(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_memory_max(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_tasks_max(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_cpu_weight(const struct unit_key_ctx *k, const char *value, void *field);
/* CPUQuota=: a percentage of one CPU (may exceed 100%), as usec per second. */
int unit_key_parse_cpu_quota(const struct unit_key_ctx *k, const char *value, void *field);

/* unit_keys_probe.c: the [X-Vigil] health probe keys; the row or NULL. */
const struct unit_key *unit_keys_probe_find(const char *section, const char *key);
/* Its i-th row (after the main table's in unit_keys_at()), NULL past the end. */
const struct unit_key *unit_keys_probe_at(size_t i);
/* unit_keys_dirs.c (unit/exec_dirs.h); arg = enum exec_dir_kind */
int unit_key_parse_exec_dirs(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_exec_dir_mode(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_preserve(const struct unit_key_ctx *k, const char *value, void *field);
/* arg = enum condition_kind, | UNIT_KEY_ASSERT for Assert*= */
#define UNIT_KEY_ASSERT 0x100
int unit_key_parse_standard_input(const struct unit_key_ctx *k, const char *value, void *field);
/* TTYPath=: an absolute path (specifiers resolved). */
int unit_key_parse_tty_path(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_pass_environment(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_unset_environment(const struct unit_key_ctx *k, const char *value, void *field);
int unit_key_parse_condition(const struct unit_key_ctx *k, const char *value, void *field);

#endif
