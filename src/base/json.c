/* SPDX-License-Identifier: MIT */
#include "base/json.h"

#include "base/utf8.h"

#include <stdbool.h>

/* Does c go out as it is, alone (no escape, no UTF-8 check)? */
static bool is_plain(unsigned char c, struct json_style style) {
        if (c < 0x20 || c == '"' || c == '\\')
                return false;
        if (c == 0x7f)
                return !(style.flags & JSON_ESCAPE_DEL);
        return c < 0x80 || style.invalid == JSON_INVALID_PASS;
}

static void put_u00xx(unsigned char c, json_sink_fn sink, void *ctx) {
        static const char hex[] = "0123456789abcdef";
        char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
        sink(ctx, esc, sizeof(esc));
}

/* One byte that is not plain and not the start of a valid UTF-8 sequence. */
static void put_escape(unsigned char c, struct json_style style, json_sink_fn sink, void *ctx) {
        char esc[2] = { '\\', (char)c };
        const char *named = NULL;
        if (c == '"' || c == '\\') {
                sink(ctx, esc, 2);
                return;
        }
        if (c >= 0x80 && style.invalid == JSON_INVALID_REPLACE) {
                sink(ctx, "\\ufffd", 6);
                return;
        }
        if (style.flags & JSON_SHORT_NRT)
                named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (!named && (style.flags & JSON_SHORT_BF))
                named = c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (named)
                sink(ctx, named, 2);
        else
                put_u00xx(c, sink, ctx);
}

void json_put_string(const char *s, size_t len, struct json_style style, json_sink_fn sink, void *ctx) {
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;
        sink(ctx, "\"", 1);
        while (i < len) {
                size_t run = i;
                while (run < len && is_plain(p[run], style))
                        run++;
                if (run > i)
                        sink(ctx, s + i, run - i);
                if (run == len)
                        break;
                i = run;
                size_t n = p[i] >= 0x80 ? utf8_sequence(p + i, len - i) : 1;
                if (n > 1) {
                        sink(ctx, s + i, n); /* valid UTF-8 */
                        i += n;
                        continue;
                }
                put_escape(p[i], style, sink, ctx);
                i++;
        }
        sink(ctx, "\"", 1);
}

static void strbuf_sink(void *ctx, const char *p, size_t len) {
        strbuf_put(ctx, p, len);
}

void json_strbuf_string(struct strbuf *b, const char *s, size_t len, struct json_style style) {
        json_put_string(s, len, style, strbuf_sink, b);
}
