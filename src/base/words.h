/* SPDX-License-Identifier: MIT */
/*
 * Split one line into words as a POSIX shell would, without expanding
 * anything: blanks separate words; '…' quotes literally; "…" quotes with
 * backslash escaping only \ " $ ` and newline; an unquoted backslash quotes
 * the next character. Used by the options file (SPEC §3).
 *
 * Pure. The caller owns the result and frees it with words_free().
 */
#ifndef VIGIL_BASE_WORDS_H
#define VIGIL_BASE_WORDS_H

#include <stdbool.h>
#include <stddef.h>

struct words {
        char **v;     /* NULL-terminated */
        size_t n;
};

/* 0, -EINVAL for an unterminated quote or a trailing backslash, -ENOMEM.
 * An unquoted '#' at the start of a word begins a comment. */
int words_split(const char *line, struct words *ret);
void words_free(struct words *w);

/* Append a copy of buf[0..len) to w, keeping it NULL-terminated. */
int words_push(struct words *w, const char *buf, size_t len);

/* Whether c separates words (blank, tab, newline, carriage return). */
bool words_is_blank(char c);

#endif
