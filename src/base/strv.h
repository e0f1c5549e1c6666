/* SPDX-License-Identifier: MIT */
/*
 * One string vector: a malloc'd, NULL-terminated char ** of malloc'd
 * strings and its count, as execve(2) and the option and unit lists want.
 *
 * Invariants: v is NULL (nothing pushed yet) or NULL-terminated with
 * v[n] == NULL; every v[i] is the vector's own. A vector holds at most
 * STRV_MAX strings: growth past it, like an allocation failure, is -ENOMEM
 * and leaves the vector as it was. Growth is one slot at a time (realloc),
 * so a vector may also be grown from a pair built elsewhere the same way
 * (unit_config's lists).
 *
 * Pure. The zero value { 0 } is the empty vector; strv_free() makes it
 * empty again.
 */
#ifndef VIGIL_BASE_STRV_H
#define VIGIL_BASE_STRV_H

#include <stdbool.h>
#include <stddef.h>

#define STRV_MAX (1u << 20)

struct strv {
        char **v;     /* NULL-terminated once non-empty */
        size_t n;
};

/* Append a copy of s. 0 or -ENOMEM. */
int strv_push(struct strv *s, const char *str);
/* Append a copy of buf[0..len) (which need not be NUL-terminated). */
int strv_push_len(struct strv *s, const char *buf, size_t len);
/* Append str itself, which the vector takes over: on failure it is freed,
 * and a NULL str (a failed strdup() of the caller's) is -ENOMEM. */
int strv_push_owned(struct strv *s, char *str);
/* Make v NULL-terminated even when empty (execve(2)'s argv/envp). */
int strv_terminate(struct strv *s);
/* Whether str is one of the strings. */
bool strv_contains(const struct strv *s, const char *str);
void strv_free(struct strv *s);

#endif
