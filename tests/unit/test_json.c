/* SPDX-License-Identifier: MIT */
/* base/json: one escaper, a table per style its callers use (vigilctl's
 * fields and log lines, service output, the container environment). */
#include "base/json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define ALL_SHORT (JSON_SHORT_NRT | JSON_SHORT_BF)

static const struct json_style pass_plain = { JSON_INVALID_PASS, 0 };
static const struct json_style replace_nrt_del = { JSON_INVALID_REPLACE, JSON_SHORT_NRT | JSON_ESCAPE_DEL };
static const struct json_style replace_all = { JSON_INVALID_REPLACE, ALL_SHORT | JSON_ESCAPE_DEL };
static const struct json_style latin1_all = { JSON_INVALID_LATIN1, ALL_SHORT };

static const struct {
        const struct json_style *style;
        const char *in;
        size_t len;            /* 0: strlen(in) */
        const char *out;
} cases[] = {
        /* always: quotes around, '"' and '\\' escaped, ASCII as it is */
        { &pass_plain, "", 0, "\"\"" },
        { &replace_all, "", 0, "\"\"" },
        { &pass_plain, "a \"q\" \\ b", 0, "\"a \\\"q\\\" \\\\ b\"" },
        { &latin1_all, "a \"q\" \\ b", 0, "\"a \\\"q\\\" \\\\ b\"" },
        /* control bytes: \u00XX unless a short escape is asked for */
        { &pass_plain, "\n\r\t\b\f\x01\x1f", 0, "\"\\u000a\\u000d\\u0009\\u0008\\u000c\\u0001\\u001f\"" },
        { &replace_nrt_del, "\n\r\t\b\f\x01", 0, "\"\\n\\r\\t\\u0008\\u000c\\u0001\"" },
        { &replace_all, "\n\r\t\b\f\x01", 0, "\"\\n\\r\\t\\b\\f\\u0001\"" },
        { &latin1_all, "\n\r\t\b\f\x1b", 0, "\"\\n\\r\\t\\b\\f\\u001b\"" },
        /* NUL inside the span */
        { &replace_all, "a\0b", 3, "\"a\\u0000b\"" },
        /* DEL: raw unless JSON_ESCAPE_DEL */
        { &pass_plain, "\x7f", 0, "\"\x7f\"" },
        { &latin1_all, "\x7f", 0, "\"\x7f\"" },
        { &replace_nrt_del, "\x7f", 0, "\"\\u007f\"" },
        /* valid UTF-8 passes in every style */
        { &replace_all, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
        { &latin1_all, "caf\xc3\xa9", 0, "\"caf\xc3\xa9\"" },
        /* invalid UTF-8: as it is, U+FFFD per byte, or Latin-1 per byte */
        { &pass_plain, "\xe9t\xc0\xaf", 0, "\"\xe9t\xc0\xaf\"" },
        { &replace_all, "\xe9t\xc0\xaf", 0, "\"\\ufffdt\\ufffd\\ufffd\"" },
        { &latin1_all, "\xe9t\xc0\xaf", 0, "\"\\u00e9t\\u00c0\\u00af\"" },
        /* a surrogate, above U+10FFFF, a sequence cut by the end */
        { &replace_all, "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"" },
        { &latin1_all, "\xf4\x90\x80\x80", 0, "\"\\u00f4\\u0090\\u0080\\u0080\"" },
        { &replace_all, "x\xe2\x82", 0, "\"x\\ufffd\\ufffd\"" },
        { &latin1_all, "\xe2\x82\xac", 2, "\"\\u00e2\\u0082\"" },
};

static void escapes_each_style_as_its_callers_expect(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct strbuf b = { 0 };
                size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
                json_strbuf_string(&b, cases[i].in, len, *cases[i].style);
                char *got = strbuf_take(&b);
                assert_non_null(got);
                if (strcmp(got, cases[i].out) != 0)
                        fail_msg("case %zu: got %s, want %s", i, got, cases[i].out);
                free(got);
        }
}

struct pieces {
        size_t n;
        char joined[64];
};

static void count_sink(void *ctx, const char *p, size_t len) {
        struct pieces *pc = ctx;
        size_t used = strlen(pc->joined);
        assert_true(used + len < sizeof(pc->joined));
        memcpy(pc->joined + used, p, len);
        pc->joined[used + len] = '\0';
        pc->n++;
}

/* Pieces: the quotes, one run of plain bytes, one escape, one sequence. */
static void writes_runs_and_escapes_as_whole_pieces(void **state) {
        (void)state;
        struct pieces pc = { 0 };
        json_put_string("abc\n\xc3\xa9" "de", 8, replace_all, count_sink, &pc);
        assert_string_equal(pc.joined, "\"abc\\n\xc3\xa9" "de\"");
        assert_int_equal(pc.n, 6);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(escapes_each_style_as_its_callers_expect),
                cmocka_unit_test(writes_runs_and_escapes_as_whole_pieces),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
