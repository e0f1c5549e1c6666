/* SPDX-License-Identifier: MIT */
#include "base/linebuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define S(lit) { lit, sizeof(lit) - 1 }

struct bytes {
        const char *p;
        size_t len;
};

struct got_line {
        char *p;
        size_t len;
        bool cut;
};

struct got {
        struct got_line v[64];
        size_t n;
};

static void collect(const char *line, size_t len, bool cut, void *userdata) {
        struct got *g = userdata;
        assert_true(g->n < 64);
        assert_true(len <= LINEBUF_MAX);
        g->v[g->n].p = malloc(len + 1);
        assert_non_null(g->v[g->n].p);
        memcpy(g->v[g->n].p, line, len);
        g->v[g->n].len = len;
        g->v[g->n].cut = cut;
        g->n++;
}

static void got_free(struct got *g) {
        for (size_t i = 0; i < g->n; i++)
                free(g->v[i].p);
        g->n = 0;
}

static void assert_line(const struct got *g, size_t i, const char *p, size_t len, bool cut) {
        assert_true(i < g->n);
        assert_int_equal(g->v[i].len, len);
        assert_memory_equal(g->v[i].p, p, len);
        assert_int_equal(g->v[i].cut, cut);
}

struct split_case {
        const char *name;
        struct bytes chunks[4];
        bool flush;
        struct bytes want[4];
};

static const struct split_case split_cases[] = {
        { "one line", { S("hello\n") }, false, { S("hello") } },
        { "two lines in one read", { S("a\nbc\n") }, false, { S("a"), S("bc") } },
        { "a line across reads", { S("hel"), S("lo\nwor"), S("ld\n") }, false, { S("hello"), S("world") } },
        { "empty lines", { S("\n\n") }, false, { S(""), S("") } },
        { "partial line is kept, not handed over", { S("x\npartial") }, false, { S("x") } },
        { "EOF hands over the partial line", { S("x\npar"), S("tial") }, true, { S("x"), S("partial") } },
        { "EOF after a newline adds nothing", { S("x\n") }, true, { S("x") } },
        { "NUL and binary bytes are data", { S("a\0b\xff\x01\n") }, false, { S("a\0b\xff\x01") } },
        { "carriage return is data", { S("x\r\n") }, false, { S("x\r") } },
        { "a lone newline after a partial", { S("abc"), S("\n") }, false, { S("abc") } },
};

static void splits_lines_as_the_table_says(void **state) {
        (void)state;
        static struct linebuf b;
        for (size_t c = 0; c < sizeof(split_cases) / sizeof(split_cases[0]); c++) {
                const struct split_case *t = &split_cases[c];
                struct got g = { .n = 0 };
                linebuf_init(&b);
                for (size_t i = 0; i < 4 && t->chunks[i].p; i++)
                        linebuf_feed(&b, t->chunks[i].p, t->chunks[i].len, collect, &g);
                if (t->flush)
                        linebuf_flush(&b, collect, &g);
                size_t want = 0;
                while (want < 4 && t->want[want].p)
                        want++;
                if (g.n != want)
                        fail_msg("%s: %zu lines, want %zu", t->name, g.n, want);
                for (size_t i = 0; i < want; i++)
                        assert_line(&g, i, t->want[i].p, t->want[i].len, false);
                got_free(&g);
                linebuf_free(&b);
        }
}

/* The same stream fed one byte at a time gives the same lines. */
static void byte_at_a_time_gives_the_same_lines(void **state) {
        (void)state;
        static struct linebuf b;
        static const char text[] = "ab\n\ncd\0e\nlast";
        struct got g = { .n = 0 };
        linebuf_init(&b);
        for (size_t i = 0; i < sizeof(text) - 1; i++)
                linebuf_feed(&b, &text[i], 1, collect, &g);
        linebuf_flush(&b, collect, &g);
        assert_int_equal(g.n, 4);
        assert_line(&g, 0, "ab", 2, false);
        assert_line(&g, 1, "", 0, false);
        assert_line(&g, 2, "cd\0e", 4, false);
        assert_line(&g, 3, "last", 4, false);
        got_free(&g);
        linebuf_free(&b);
}

/* The pending-line buffer exists only once a partial line had to be kept:
 * whole lines in whole feeds (and long lines cut straight from the caller's
 * bytes) allocate nothing. */
static void the_buffer_is_allocated_on_first_partial_line(void **state) {
        (void)state;
        static struct linebuf b;
        struct got g = { .n = 0 };
        linebuf_init(&b);
        assert_null(b.data);
        linebuf_feed(&b, "one\ntwo\n", 8, collect, &g);
        linebuf_flush(&b, collect, &g);
        assert_null(b.data);
        assert_int_equal(g.n, 2);
        linebuf_feed(&b, "thr", 3, collect, &g);
        assert_non_null(b.data);
        linebuf_feed(&b, "ee\n", 3, collect, &g);
        assert_int_equal(g.n, 3);
        assert_line(&g, 2, "three", 5, false);
        got_free(&g);
        linebuf_free(&b);
        assert_null(b.data);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void a_line_of_exactly_the_cap_is_whole(void **state) {
        (void)state;
        static struct linebuf b;
        char *s = repeat('a', LINEBUF_MAX + 1);
        s[LINEBUF_MAX] = '\n';
        for (size_t split = 0; split <= LINEBUF_MAX + 1; split += LINEBUF_MAX / 2 + 1) {
                struct got g = { .n = 0 };
                linebuf_init(&b);
                linebuf_feed(&b, s, split, collect, &g);
                linebuf_feed(&b, s + split, LINEBUF_MAX + 1 - split, collect, &g);
                assert_int_equal(g.n, 1);
                assert_line(&g, 0, s, LINEBUF_MAX, false);
                got_free(&g);
                linebuf_free(&b);
        }
        free(s);
}

/* 3 * cap + 5 bytes without a newline, fed in several read sizes: three
 * pieces marked cut, then the rest at EOF, unmarked. */
static void a_long_line_is_cut_into_marked_pieces(void **state) {
        (void)state;
        static struct linebuf b;
        const size_t total = 3 * LINEBUF_MAX + 5;
        char *s = malloc(total);
        assert_non_null(s);
        for (size_t i = 0; i < total; i++)
                s[i] = (char)('a' + i % 26);
        const size_t reads[] = { total, 1000, 1, LINEBUF_MAX, LINEBUF_MAX - 1 };
        for (size_t r = 0; r < sizeof(reads) / sizeof(reads[0]); r++) {
                struct got g = { .n = 0 };
                linebuf_init(&b);
                for (size_t off = 0; off < total; off += reads[r])
                        linebuf_feed(&b, s + off, off + reads[r] > total ? total - off : reads[r], collect, &g);
                assert_int_equal(g.n, 3);
                linebuf_flush(&b, collect, &g);
                assert_int_equal(g.n, 4);
                for (size_t i = 0; i < 3; i++)
                        assert_line(&g, i, s + i * LINEBUF_MAX, LINEBUF_MAX, true);
                assert_line(&g, 3, s + 3 * LINEBUF_MAX, 5, false);
                got_free(&g);
                linebuf_free(&b);
        }
        free(s);
}

/* Where a cut falls inside a UTF-8 character, the piece ends before it. */
static void a_cut_never_splits_a_utf8_character(void **state) {
        (void)state;
        static struct linebuf b;
        static const struct {
                const char *ch;
                size_t at; /* bytes of 'a' before the character */
                size_t want_first;
        } cases[] = {
                { "\xc3\xa9", LINEBUF_MAX - 1, LINEBUF_MAX - 1 },          /* é straddles the cap */
                { "\xe2\x82\xac", LINEBUF_MAX - 2, LINEBUF_MAX - 2 },      /* € */
                { "\xe2\x82\xac", LINEBUF_MAX - 1, LINEBUF_MAX - 1 },
                { "\xf0\x9f\x98\x80", LINEBUF_MAX - 3, LINEBUF_MAX - 3 },  /* 😀 */
                { "\xe2\x82\xac", LINEBUF_MAX - 3, LINEBUF_MAX },          /* fits exactly */
                { "\xff\xfe", LINEBUF_MAX - 1, LINEBUF_MAX },              /* not UTF-8: cut anywhere */
        };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                size_t chlen = strlen(cases[c].ch);
                size_t total = cases[c].at + chlen + 10;
                char *s = repeat('a', total);
                memcpy(s + cases[c].at, cases[c].ch, chlen);
                s[total - 1] = '\n';
                for (int whole = 0; whole < 2; whole++) {
                        struct got g = { .n = 0 };
                        linebuf_init(&b);
                        if (whole) {
                                linebuf_feed(&b, s, total, collect, &g);
                        } else {
                                linebuf_feed(&b, s, 7, collect, &g); /* through the pending copy */
                                linebuf_feed(&b, s + 7, total - 7, collect, &g);
                        }
                        assert_int_equal(g.n, 2);
                        assert_line(&g, 0, s, cases[c].want_first, true);
                        assert_line(&g, 1, s + cases[c].want_first, total - 1 - cases[c].want_first, false);
                        got_free(&g);
                        linebuf_free(&b);
                }
                free(s);
        }
}

static void utf8_cut_points(void **state) {
        (void)state;
        static const struct {
                struct bytes s;
                size_t want;
        } cases[] = {
                { S("abc"), 3 },
                { S("ab\xc3"), 2 },
                { S("ab\xc3\xa9"), 4 },
                { S("a\xe2\x82"), 1 },
                { S("a\xe2\x82\xac"), 4 },
                { S("a\xf0\x9f\x98"), 1 },
                { S("a\xf0\x9f\x98\x80"), 5 },
                { S("a\x80\x80\x80"), 4 },  /* stray continuations: nothing to protect */
                { S("ab\xc0"), 3 },         /* never a lead byte */
                { S("ab\xf5\x80"), 4 },
                { S("\xc3"), 1 },           /* never 0 */
                { S("\xe2\x82"), 2 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                assert_int_equal(linebuf_utf8_cut(cases[i].s.p, cases[i].s.len), cases[i].want);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(splits_lines_as_the_table_says),
                cmocka_unit_test(byte_at_a_time_gives_the_same_lines),
                cmocka_unit_test(the_buffer_is_allocated_on_first_partial_line),
                cmocka_unit_test(a_line_of_exactly_the_cap_is_whole),
                cmocka_unit_test(a_long_line_is_cut_into_marked_pieces),
                cmocka_unit_test(a_cut_never_splits_a_utf8_character),
                cmocka_unit_test(utf8_cut_points),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
