/* SPDX-License-Identifier: MIT */
/* The Erlang heart port protocol (src/heart/heart_msg.c): framing in any
 * split, short / long / zero lengths, unknown ops, each frame's verdict. */
#include "heart/heart_msg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define MAX_FRAMES 16

struct seen {
        size_t n;
        struct {
                size_t len;
                uint8_t op;
                bool truncated;
                size_t payload_len;
                uint8_t payload[HEART_BODY_MAX];
        } f[MAX_FRAMES];
};

/* Feed data in pieces of step bytes (0: all at once); record the frames. */
static void feed_all(struct heart_reader *r, const uint8_t *data, size_t n, size_t step, struct seen *out) {
        size_t off = 0;
        while (off < n) {
                size_t piece = step && n - off > step ? step : n - off;
                size_t pos = 0;
                while (pos < piece) {
                        struct heart_frame f;
                        size_t used;
                        int got = heart_reader_feed(r, data + off + pos, piece - pos, &used, &f);
                        assert_true(used <= piece - pos);
                        pos += used;
                        if (!got) {
                                assert_int_equal(pos, piece);
                                break;
                        }
                        assert_true(out->n < MAX_FRAMES);
                        out->f[out->n].len = f.len;
                        out->f[out->n].op = f.op;
                        out->f[out->n].truncated = f.truncated;
                        out->f[out->n].payload_len = f.payload_len;
                        if (f.payload_len)
                                memcpy(out->f[out->n].payload, f.payload, f.payload_len);
                        out->n++;
                }
                off += piece;
        }
}

static const uint8_t STREAM[] = {
        0, 1, HEART_OP_BEAT,                              /* beat */
        0, 6, HEART_OP_SET_CMD, 'a', ' ', 'b', 'c', 'd', /* set_cmd("a bcd") */
        0, 0,                                             /* length 0: no op */
        0, 1, 99,                                         /* unknown op */
        0, 1, HEART_OP_GET_CMD,
        0, 1, HEART_OP_SHUT_DOWN,
};

static void check_stream(const struct seen *s) {
        assert_int_equal(s->n, 6);
        assert_int_equal(s->f[0].op, HEART_OP_BEAT);
        assert_int_equal(s->f[0].payload_len, 0);
        assert_int_equal(s->f[1].op, HEART_OP_SET_CMD);
        assert_int_equal(s->f[1].payload_len, 5);
        assert_memory_equal(s->f[1].payload, "a bcd", 5);
        assert_int_equal(s->f[2].len, 0);
        assert_int_equal(s->f[2].op, 0);
        assert_int_equal(s->f[3].op, 99);
        assert_int_equal(s->f[4].op, HEART_OP_GET_CMD);
        assert_int_equal(s->f[5].op, HEART_OP_SHUT_DOWN);
        for (size_t i = 0; i < s->n; i++)
                assert_false(s->f[i].truncated);
}

static void every_split_gives_the_same_frames(void **state) {
        (void)state;
        for (size_t step = 0; step <= sizeof(STREAM); step++) {
                struct heart_reader r;
                struct seen s = { 0 };
                heart_reader_init(&r);
                feed_all(&r, STREAM, sizeof(STREAM), step, &s);
                check_stream(&s);
                assert_true(heart_reader_idle(&r));
        }
}

static void an_incomplete_frame_waits_and_is_not_idle(void **state) {
        struct heart_reader r;
        struct seen s = { 0 };
        static const uint8_t half[] = { 0, 4, HEART_OP_SET_CMD, 'x' };
        (void)state;
        heart_reader_init(&r);
        assert_true(heart_reader_idle(&r));
        feed_all(&r, half, 1, 0, &s);
        assert_false(heart_reader_idle(&r));   /* half a header */
        feed_all(&r, half + 1, sizeof(half) - 1, 0, &s);
        assert_int_equal(s.n, 0);
        assert_false(heart_reader_idle(&r));   /* header + 2 of 4 body bytes */
        static const uint8_t rest[] = { 'y', 'z', 0, 1, HEART_OP_BEAT };
        feed_all(&r, rest, sizeof(rest), 0, &s);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.f[0].payload_len, 3);
        assert_memory_equal(s.f[0].payload, "xyz", 3);
        assert_int_equal(s.f[1].op, HEART_OP_BEAT);
}

/* Longer than the body buffer: read to its end, kept cut and marked, and
 * the next frame is found where it starts. */
static void a_long_frame_is_truncated_and_the_next_one_is_found(void **state) {
        (void)state;
        for (size_t extra = 0; extra <= 2; extra++) {
                size_t len = HEART_BODY_MAX + extra;   /* op + payload */
                size_t n = 2 + len + 3;
                uint8_t *buf = malloc(n);
                assert_non_null(buf);
                buf[0] = (uint8_t)(len >> 8);
                buf[1] = (uint8_t)len;
                buf[2] = HEART_OP_SET_CMD;
                memset(buf + 3, 'c', len - 1);
                buf[2 + len] = 0;
                buf[2 + len + 1] = 1;
                buf[2 + len + 2] = HEART_OP_BEAT;
                for (size_t step = 0; step <= 7; step += 7) {
                        struct heart_reader r;
                        static struct seen s;
                        memset(&s, 0, sizeof(s));
                        heart_reader_init(&r);
                        feed_all(&r, buf, n, step, &s);
                        assert_int_equal(s.n, 2);
                        assert_int_equal(s.f[0].len, len);
                        assert_int_equal(s.f[0].truncated, extra > 0);
                        assert_int_equal(s.f[0].payload_len, HEART_BODY_MAX - 1);
                        assert_int_equal(s.f[1].op, HEART_OP_BEAT);
                }
                free(buf);
        }
}

static void the_largest_length_is_read_whole(void **state) {
        size_t len = 0xffff, n = 2 + len;
        uint8_t *buf = calloc(1, n);
        struct heart_reader r;
        static struct seen s;
        (void)state;
        assert_non_null(buf);
        buf[0] = 0xff;
        buf[1] = 0xff;
        buf[2] = HEART_OP_BEAT;
        heart_reader_init(&r);
        feed_all(&r, buf, n, 4096, &s);
        assert_int_equal(s.n, 1);
        assert_true(s.f[0].truncated);
        assert_true(heart_reader_idle(&r));
        free(buf);
}

static void encode_writes_the_length_with_the_op(void **state) {
        uint8_t buf[HEART_FRAME_MAX + 1];
        (void)state;
        assert_int_equal(heart_encode(HEART_OP_ACK, NULL, 0, buf, sizeof(buf)), 3);
        assert_memory_equal(buf, "\x00\x01\x01", 3);   /* the start-up ACK */
        assert_int_equal(heart_encode(HEART_OP_CMD, "abc", 3, buf, sizeof(buf)), 6);
        assert_memory_equal(buf, "\x00\x04\x07" "abc", 6);
        static char big[HEART_CMD_MAX + 1];
        memset(big, 'b', sizeof(big));
        assert_int_equal(heart_encode(HEART_OP_CMD, big, HEART_CMD_MAX, buf, sizeof(buf)), HEART_FRAME_MAX);
        assert_int_equal(buf[0], 0x08);
        assert_int_equal(buf[1], 0x00);
        assert_int_equal(heart_encode(HEART_OP_CMD, big, HEART_CMD_MAX + 1, buf, sizeof(buf)), -EMSGSIZE);
        assert_int_equal(heart_encode(HEART_OP_CMD, "abc", 3, buf, 5), -ENOBUFS);
}

static void timeout_range_is_otps(void **state) {
        static const struct {
                const char *text;
                int ret;
                unsigned value;
        } cases[] = {
                { "11", 0, 11 }, { "60", 0, 60 }, { "65535", 0, 65535 }, { "0x10", 0, 16 },
                { "012", -ERANGE, 0 } /* octal 10 */, { "013", 0, 11 }, { "10", -ERANGE, 0 },
                { "0", -ERANGE, 0 }, { "-20", -ERANGE, 0 }, { "65536", -ERANGE, 0 },
                { "99999999999999999999", -ERANGE, 0 }, { "abc", -EINVAL, 0 }, { "", -EINVAL, 0 },
                { "30s", 0, 30 } /* sscanf stops at the s */,
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                unsigned v = 7;
                assert_int_equal(heart_parse_timeout(cases[i].text, &v), cases[i].ret);
                assert_int_equal(v, cases[i].ret == 0 ? cases[i].value : 7);
        }
        unsigned v;
        assert_int_equal(heart_parse_timeout(NULL, &v), -EINVAL);
}

static enum heart_verdict verdict(uint8_t op) {
        struct heart_frame f = { .len = 1, .op = op };
        return heart_frame_verdict(&f);
}

static void each_op_has_its_verdict(void **state) {
        (void)state;
        assert_int_equal(verdict(HEART_OP_BEAT), HEART_BEAT);
        assert_int_equal(verdict(HEART_OP_SET_CMD), HEART_SET_CMD);
        assert_int_equal(verdict(HEART_OP_CLEAR_CMD), HEART_CLEAR_CMD);
        assert_int_equal(verdict(HEART_OP_GET_CMD), HEART_GET_CMD);
        assert_int_equal(verdict(HEART_OP_SHUT_DOWN), HEART_SHUT_DOWN);
        assert_int_equal(verdict(HEART_OP_PREPARING_CRASH), HEART_CRASHING);
        /* Port -> VM ops and unknown ones are ignored. */
        assert_int_equal(verdict(HEART_OP_ACK), HEART_IGNORE);
        assert_int_equal(verdict(HEART_OP_CMD), HEART_IGNORE);
        assert_int_equal(verdict(0), HEART_IGNORE);
        assert_int_equal(verdict(200), HEART_IGNORE);
}

static void empty_and_truncated_frames_are_ignored(void **state) {
        (void)state;
        struct heart_frame none = { .len = 0 };
        assert_int_equal(heart_frame_verdict(&none), HEART_IGNORE);
        struct heart_frame cut = { .len = 5000, .op = HEART_OP_SHUT_DOWN, .truncated = true };
        assert_int_equal(heart_frame_verdict(&cut), HEART_IGNORE);
        struct heart_frame set = { .len = 5, .op = HEART_OP_SET_CMD, .payload = (const uint8_t *)"snze",
                                   .payload_len = 4 };
        assert_int_equal(heart_frame_verdict(&set), HEART_SET_CMD);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_split_gives_the_same_frames),
                cmocka_unit_test(an_incomplete_frame_waits_and_is_not_idle),
                cmocka_unit_test(a_long_frame_is_truncated_and_the_next_one_is_found),
                cmocka_unit_test(the_largest_length_is_read_whole),
                cmocka_unit_test(encode_writes_the_length_with_the_op),
                cmocka_unit_test(timeout_range_is_otps),
                cmocka_unit_test(each_op_has_its_verdict),
                cmocka_unit_test(empty_and_truncated_frames_are_ignored),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
