/* SPDX-License-Identifier: MIT */
/*
 * One JSON string escaper (RFC 8259 §7) for every JSON vigil and vigilctl
 * write. The callers differ in what they promise about their bytes, so the
 * differences are parameters, not copies:
 *
 *  - invalid: what becomes of a byte >= 0x80 that is not part of valid
 *    UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF):
 *    JSON_INVALID_PASS writes every byte >= 0x80 as it is, unchecked (the
 *    caller's text is UTF-8 by construction, or its reader copes);
 *    JSON_INVALID_REPLACE writes U+FFFD ("\ufffd") for each such byte
 *    (service output: unreadable bytes are noise); JSON_INVALID_LATIN1
 *    writes "\u00XX", the byte as a Latin-1 code point (the container
 *    environment: every byte survives, at the price of ambiguity).
 *  - flags: the short escapes used for control bytes (\n \r \t, and \b
 *    \f); any other control byte is "\u00XX" (lowercase hex). DEL (0x7f)
 *    is legal in JSON and goes out raw unless JSON_ESCAPE_DEL.
 *
 * '"' and '\\' are always escaped. The output goes to a sink in pieces (the
 * quotes, runs of bytes written as they are, one escape or one UTF-8
 * sequence), so a caller can write to a stream, a strbuf or a bounded span
 * without allocating. Pure.
 */
#ifndef VIGIL_BASE_JSON_H
#define VIGIL_BASE_JSON_H

#include "base/strbuf.h"

#include <stddef.h>

enum json_invalid {
        JSON_INVALID_PASS,
        JSON_INVALID_REPLACE,
        JSON_INVALID_LATIN1,
};

enum {
        JSON_SHORT_NRT = 1 << 0,  /* \n \r \t rather than \u000a \u000d \u0009 */
        JSON_SHORT_BF = 1 << 1,   /* \b \f rather than \u0008 \u000c */
        JSON_ESCAPE_DEL = 1 << 2, /* 0x7f as \u007f */
};

struct json_style {
        enum json_invalid invalid;
        unsigned flags;
};

typedef void (*json_sink_fn)(void *ctx, const char *p, size_t len);

/* s[0..len) (any bytes, NUL included) as one quoted JSON string. */
void json_put_string(const char *s, size_t len, struct json_style style, json_sink_fn sink, void *ctx);
/* The same, appended to b. */
void json_strbuf_string(struct strbuf *b, const char *s, size_t len, struct json_style style);

#endif
