/* SPDX-License-Identifier: MIT */
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

void strbuf_put(struct strbuf *b, const char *p, size_t len) {
        if (b->oom)
                return;
        if (!b->s || b->n + len + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->n + len + 1)
                        cap *= 2;
                char *s = realloc(b->s, cap);
                if (!s) {
                        b->oom = true;
                        return;
                }
                b->s = s;
                b->cap = cap;
        }
        if (len > 0)
                memcpy(b->s + b->n, p, len);
        b->n += len;
        b->s[b->n] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s) {
        strbuf_put(b, s, strlen(s));
}

void strbuf_putc(struct strbuf *b, char c) {
        strbuf_put(b, &c, 1);
}

char *strbuf_take(struct strbuf *b) {
        if (!b->s)
                strbuf_put(b, "", 0);
        char *s = b->oom ? NULL : b->s;
        if (b->oom)
                free(b->s);
        *b = (struct strbuf){ 0 };
        return s;
}
