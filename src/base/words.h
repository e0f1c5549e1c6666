/* SPDX-License-Identifier: MIT */
/*
 * Split one line into words as a POSIX shell would, without expanding
 * anything: blanks separate words; '…' quotes literally; "…" quotes with
 * backslash escaping only \ " $ ` and newline; an unquoted backslash quotes
 * the next character. Used by the options file (SPEC §3).
 *
 * Pure. The result is a string vector (base/strv.h) the caller owns and
 * frees with strv_free().
 */
#ifndef VIGIL_BASE_WORDS_H
#define VIGIL_BASE_WORDS_H

#include "base/strv.h"

#include <stdbool.h>
#include <stddef.h>

/* 0, -EINVAL for an unterminated quote or a trailing backslash, -ENOMEM.
 * An unquoted '#' at the start of a word begins a comment. ret->v is
 * never NULL on success (an empty line is the empty, NULL-terminated list). */
int words_split(const char *line, struct strv *ret);

/* Whether c separates words (blank, tab, newline, carriage return). */
bool words_is_blank(char c);

#endif
