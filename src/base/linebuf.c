/* SPDX-License-Identifier: MIT */
#include "base/linebuf.h"

#include <stdlib.h>
#include <string.h>

void linebuf_init(struct linebuf *b) {
        b->len = 0;
        b->data = NULL;
}

void linebuf_free(struct linebuf *b) {
        free(b->data);
        b->data = NULL;
        b->len = 0;
}

/* Keep p[0..len) (len <= LINEBUF_MAX - b->len) as the pending partial line;
 * without memory for it, hand it over as a cut piece instead. */
static void keep_partial(struct linebuf *b, const char *p, size_t len, linebuf_line_fn fn, void *userdata) {
        if (!b->data && !(b->data = malloc(LINEBUF_MAX))) {
                fn(p, len, true, userdata); /* b->len is 0: nothing pending */
                return;
        }
        memcpy(b->data + b->len, p, len);
        b->len += len;
}

size_t linebuf_utf8_cut(const char *s, size_t len) {
        const unsigned char *u = (const unsigned char *)s;
        for (size_t back = 1; back <= 3 && back < len; back++) {
                unsigned char c = u[len - back];
                if ((c & 0xc0) == 0x80)
                        continue; /* continuation byte: its lead is further back */
                size_t need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
                return need > back ? len - back : len;
        }
        return len;
}

/* The pending line plus the next bytes exceed LINEBUF_MAX: hand over one
 * piece; returns how many of p's bytes it consumed. */
static size_t hand_over_piece(struct linebuf *b, const char *p, linebuf_line_fn fn, void *userdata) {
        if (b->len == 0) {
                size_t n = linebuf_utf8_cut(p, LINEBUF_MAX);
                fn(p, n, true, userdata);
                return n;
        }
        size_t room = LINEBUF_MAX - b->len;
        memcpy(b->data + b->len, p, room);
        size_t n = linebuf_utf8_cut(b->data, LINEBUF_MAX);
        fn(b->data, n, true, userdata);
        b->len = LINEBUF_MAX - n; /* at most 3 bytes of a split sequence stay */
        memmove(b->data, b->data + n, b->len);
        return room;
}

void linebuf_feed(struct linebuf *b, const char *p, size_t len, linebuf_line_fn fn, void *userdata) {
        const char *nl = NULL;
        bool searched = false; /* nl stays valid while p moves towards it */
        while (len > 0) {
                if (!searched) {
                        nl = memchr(p, '\n', len);
                        searched = true;
                }
                size_t take = nl ? (size_t)(nl - p) : len; /* line bytes available */
                if (take > LINEBUF_MAX - b->len) {
                        size_t n = hand_over_piece(b, p, fn, userdata);
                        p += n;
                        len -= n;
                        continue;
                }
                if (!nl) {
                        keep_partial(b, p, len, fn, userdata);
                        return;
                }
                if (b->len == 0) {
                        fn(p, take, false, userdata);
                } else {
                        memcpy(b->data + b->len, p, take);
                        fn(b->data, b->len + take, false, userdata);
                        b->len = 0;
                }
                p += take + 1;
                len -= take + 1;
                searched = false;
        }
}

void linebuf_flush(struct linebuf *b, linebuf_line_fn fn, void *userdata) {
        if (b->len == 0)
                return;
        fn(b->data, b->len, false, userdata);
        b->len = 0;
}
