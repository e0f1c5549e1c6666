/* SPDX-License-Identifier: MIT */
/*
 * A growing string, always NUL-terminated once anything was put. Appends
 * cannot fail visibly: the first allocation failure sticks (oom), later
 * appends do nothing, and strbuf_take() reports it. So a formatter makes
 * all its appends and checks once at the end. Pure.
 */
#ifndef VIGIL_BASE_STRBUF_H
#define VIGIL_BASE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
        char *s;
        size_t n, cap;
        bool oom;
};

void strbuf_put(struct strbuf *b, const char *p, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_putc(struct strbuf *b, char c);
/* The string (never NULL when memory sufficed: "" if empty), or NULL after
 * an allocation failure; either way b is reset and owns nothing. */
char *strbuf_take(struct strbuf *b);

#endif
