/* SPDX-License-Identifier: MIT */
/*
 * The hostname from --hostname-pattern (SPEC §7, erlinit's -n): "%s" is the
 * unique id, "%.Ns" its leftmost N characters, "%-.Ns" its rightmost N
 * (N one or two digits), "%%" a percent sign. The result is lowercased and
 * keeps only a-z, 0-9, '-' and '.' (RFC 1123), at most 64 bytes.
 *
 * Pure.
 */
#ifndef VIGIL_BASE_HOSTNAME_H
#define VIGIL_BASE_HOSTNAME_H

#include <stddef.h>

#define HOSTNAME_MAX 64

/* 0 with ret (size HOSTNAME_MAX + 1) filled, -EINVAL for a bad '%'
 * sequence, -ENOENT when nothing is left after cleaning. */
int hostname_expand(const char *pattern, const char *id, char *ret);

/* The unique id from a program's output: the first word, at most 63
 * bytes, into ret (size 64). -ENOENT when there is none. */
int hostname_id_from_output(const char *out, size_t len, char *ret);

#endif
