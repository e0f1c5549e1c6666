/* SPDX-License-Identifier: MIT */
/*
 * Condition*= and Assert*= (systemd.unit(5), "Conditions and Asserts"):
 * the loaded form, the parsers' checks and the verdict. Pure: the facts a
 * condition tests (a path, /proc/cmdline, the capability bounding set...)
 * are found by supervise/unit_conditions.c through os/; this file decides.
 *
 * systemd's meaning, kept: each value may start with "|" (a triggering
 * condition) then "!" (negated); all non-triggering conditions must hold,
 * and when there are triggering ones, at least one of them must. A failed
 * Condition*= skips the start (the unit stays dead, its job succeeds); a
 * failed Assert*= fails it. An empty assignment resets the list of that key
 * (both the Condition and the Assert of one kind keep one list per key).
 *
 * Kinds vigil evaluates: Path{Exists,ExistsGlob,IsDirectory,IsSymbolicLink,
 * IsMountPoint,IsReadWrite}, DirectoryNotEmpty, FileNotEmpty,
 * FileIsExecutable, KernelCommandLine, Virtualization, Capability,
 * Environment, Architecture, Host, User, Group, FirstBoot, NeedsUpdate,
 * Security, ACPower. What vigil cannot know is documented per kind in
 * docs/UNITS.md (ACPower= is taken as on AC power; Security= knows only
 * apparmor and selinux by their /sys files).
 */
#ifndef VIGIL_UNIT_UNIT_CONDITION_H
#define VIGIL_UNIT_UNIT_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

enum condition_kind {
        COND_PATH_EXISTS,
        COND_PATH_EXISTS_GLOB,
        COND_PATH_IS_DIRECTORY,
        COND_PATH_IS_SYMBOLIC_LINK,
        COND_PATH_IS_MOUNT_POINT,
        COND_PATH_IS_READ_WRITE,
        COND_DIRECTORY_NOT_EMPTY,
        COND_FILE_NOT_EMPTY,
        COND_FILE_IS_EXECUTABLE,
        COND_KERNEL_COMMAND_LINE,
        COND_VIRTUALIZATION,
        COND_CAPABILITY,
        COND_ENVIRONMENT,
        COND_ARCHITECTURE,
        COND_HOST,
        COND_USER,
        COND_GROUP,
        COND_FIRST_BOOT,
        COND_NEEDS_UPDATE,
        COND_SECURITY,
        COND_AC_POWER,
        COND_KIND_MAX,
};

struct unit_condition {
        enum condition_kind kind;
        bool assert;           /* Assert*= */
        bool trigger, negate;  /* "|", "!" */
        char *value;           /* after the prefixes */
        const char *file;      /* where it was written (the loader's source string) */
        unsigned line;
};

struct unit_conditions {
        struct unit_condition *v;
        size_t n;
};

void unit_conditions_free(struct unit_conditions *l);

/* "PathExists" ... for kind; -EINVAL if name is none. */
const char *condition_kind_to_string(enum condition_kind k);
int condition_kind_from_string(const char *name);

/* Check value (after "|" and "!") for kind: NULL when fine, else why not. */
const char *condition_value_check(enum condition_kind kind, const char *value);

/* The capability number of "CAP_NET_ADMIN" (case-insensitive, "CAP_"
 * optional), -EINVAL if unknown. */
int condition_capability_from_string(const char *name);

/* systemd's architecture name of a uname(2) machine ("x86_64" ->
 * "x86-64", "aarch64" -> "arm64", ...); the machine itself when unknown. */
const char *condition_architecture_of(const char *machine);

/* Whether KernelCommandLine=value holds for the words of cmdline: "WORD"
 * matches a word WORD or WORD=..., "WORD=VALUE" that word exactly. */
bool condition_kernel_cmdline_matches(const char *cmdline, const char *value);

/* Whether Environment=value holds in env (NULL-terminated "K=V"). */
bool condition_environment_matches(char *const *env, const char *value);

/* The verdict over the results of l's entries (results[i]: did l->v[i]'s
 * test, before negation, hold). *ret_failed: the index of the first
 * failing condition, or of the first trigger when none of them held
 * (SIZE_MAX when all hold). Asserts and conditions are judged apart:
 * returns 1 all hold, 0 a Condition failed (skip), -1 an Assert failed. */
int unit_conditions_verdict(const struct unit_conditions *l, const bool *results, size_t *ret_failed);

#endif
