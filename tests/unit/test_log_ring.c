/* SPDX-License-Identifier: MIT */
#include "logcap/log_ring.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static size_t stored_size(size_t len) {
        return (24 + len + 7) & ~(size_t)7;
}

static void test_empty_ring_allocates_nothing(void **state) {
        (void)state;
        struct log_ring r;
        log_ring_init(&r, 4096, &r);
        assert_null(r.buf);
        assert_ptr_equal(r.owner, &r);
        assert_int_equal(log_ring_count(&r), 0);
        struct log_record rec;
        assert_false(log_ring_newest(&r, &rec));
        struct log_ring_iter it;
        log_ring_iter_all(&r, &it);
        assert_false(log_ring_next(&r, &it, &rec));
        log_ring_iter_last(&r, 10, &it);
        assert_false(log_ring_next(&r, &it, &rec));
        log_ring_free(&r);
        log_ring_free(&r); /* twice is fine */
}

static void test_records_come_back_in_order(void **state) {
        (void)state;
        struct log_ring r;
        log_ring_init(&r, 4096, NULL);
        assert_int_equal(log_ring_push(&r, 7, 1000, 42, false, "one", 3), 0);
        assert_non_null(r.buf);
        assert_int_equal(log_ring_push(&r, 9, 2000, 43, true, "two\0\xff\r", 6), 0);
        assert_int_equal(log_ring_push(&r, 12, 3000, 0, false, "", 0), 0);
        assert_int_equal(log_ring_count(&r), 3);

        struct log_ring_iter it;
        struct log_record rec;
        log_ring_iter_all(&r, &it);
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 7);
        assert_int_equal(rec.realtime_usec, 1000);
        assert_int_equal(rec.pid, 42);
        assert_false(rec.cut);
        assert_int_equal(rec.len, 3);
        assert_memory_equal(rec.line, "one", 3);
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 9);
        assert_true(rec.cut);
        assert_int_equal(rec.len, 6);
        assert_memory_equal(rec.line, "two\0\xff\r", 6); /* bytes as they came */
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 12);
        assert_int_equal(rec.pid, 0);
        assert_int_equal(rec.len, 0);
        assert_false(log_ring_next(&r, &it, &rec));

        assert_true(log_ring_newest(&r, &rec));
        assert_int_equal(rec.seq, 12);
        log_ring_free(&r);
}

static void test_last_n_and_after_seq(void **state) {
        (void)state;
        struct log_ring r;
        log_ring_init(&r, 4096, NULL);
        char line[16];
        for (unsigned i = 0; i < 10; i++) {
                int n = snprintf(line, sizeof(line), "line %u", i);
                assert_int_equal(log_ring_push(&r, 100 + 2 * i, i, 1, false, line, (size_t)n), 0);
        }
        struct log_ring_iter it;
        struct log_record rec;
        log_ring_iter_last(&r, 3, &it);
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 114);
        assert_memory_equal(rec.line, "line 7", 6);
        assert_true(log_ring_next(&r, &it, &rec));
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 118);
        assert_false(log_ring_next(&r, &it, &rec));

        log_ring_iter_last(&r, 50, &it); /* more than there are: all */
        assert_int_equal(it.left, 10);
        log_ring_iter_last(&r, 0, &it);
        assert_false(log_ring_next(&r, &it, &rec));

        log_ring_iter_after(&r, 105, &it); /* between two records */
        assert_true(log_ring_peek(&r, &it, &rec));
        assert_int_equal(rec.seq, 106);
        log_ring_iter_after(&r, 106, &it); /* exactly one */
        assert_true(log_ring_next(&r, &it, &rec));
        assert_int_equal(rec.seq, 108);
        log_ring_iter_after(&r, 0, &it);
        assert_int_equal(it.left, 10);
        log_ring_iter_after(&r, 118, &it);
        assert_false(log_ring_next(&r, &it, &rec));
        log_ring_free(&r);
}

static void test_long_lines_are_truncated_and_cut(void **state) {
        (void)state;
        struct log_ring r;
        log_ring_init(&r, 1024, NULL);
        size_t max = LOG_RING_LINE_MAX(r.capacity);
        assert_int_equal(max, 256);
        char big[2000];
        memset(big, 'x', sizeof(big));
        assert_int_equal(log_ring_push(&r, 1, 0, 1, false, big, sizeof(big)), 0);
        struct log_record rec;
        assert_true(log_ring_newest(&r, &rec));
        assert_int_equal(rec.len, max);
        assert_true(rec.cut);
        /* Exactly the limit: kept whole, not cut. */
        assert_int_equal(log_ring_push(&r, 2, 0, 1, false, big, max), 0);
        assert_true(log_ring_newest(&r, &rec));
        assert_int_equal(rec.len, max);
        assert_false(rec.cut);
        /* Never inside a UTF-8 sequence: 'a' then two-byte characters put
         * byte 256 in the middle of one. */
        char utf[401];
        utf[0] = 'a';
        for (size_t i = 1; i + 1 < sizeof(utf); i += 2) {
                utf[i] = (char)0xc3;
                utf[i + 1] = (char)0xa9;
        }
        assert_int_equal(log_ring_push(&r, 3, 0, 1, false, utf, sizeof(utf)), 0);
        assert_true(log_ring_newest(&r, &rec));
        assert_int_equal(rec.len, 255);
        assert_true(rec.cut);
        assert_memory_equal(rec.line, utf, 255);
        log_ring_free(&r);
}

/* A model: every line pushed; the ring must hold exactly the newest ones,
 * bytes intact, and never much less than its capacity. */
struct model_line {
        char p[1100];
        size_t len;
        pid_t pid;
};

static void check_against_model(const struct log_ring *r, const struct model_line *all, size_t total) {
        size_t n = log_ring_count(r);
        assert_true(n >= 1 && n <= total);
        assert_int_equal(r->pushed, total);
        assert_int_equal(r->dropped, total - n);
        struct log_ring_iter it;
        struct log_record rec;
        size_t bytes = 0;
        log_ring_iter_all(r, &it);
        for (size_t k = total - n; k < total; k++) {
                assert_true(log_ring_next(r, &it, &rec));
                assert_int_equal(rec.seq, k + 1);
                assert_int_equal(rec.realtime_usec, 1000 * k);
                assert_int_equal(rec.pid, all[k].pid);
                assert_int_equal(rec.len, all[k].len);
                assert_memory_equal(rec.line, all[k].p, all[k].len);
                assert_true(rec.line >= r->buf && rec.line + rec.len <= r->buf + r->capacity);
                bytes += stored_size(rec.len);
        }
        assert_false(log_ring_next(r, &it, &rec));
        assert_true(bytes <= r->capacity);
        if (n < total) /* it dropped: what stays is most of the ring */
                assert_true(bytes + 2 * stored_size(LOG_RING_LINE_MAX(r->capacity)) >= r->capacity);
}

static void test_full_ring_drops_the_oldest(void **state) {
        (void)state;
        static struct model_line all[5000];
        size_t capacities[] = { 256, 1000, 1024, 4096 };
        for (size_t c = 0; c < sizeof(capacities) / sizeof(capacities[0]); c++) {
                struct log_ring r;
                log_ring_init(&r, capacities[c], NULL);
                size_t max = LOG_RING_LINE_MAX(r.capacity);
                srand(1234 + (unsigned)c);
                for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
                        struct model_line *m = &all[k];
                        /* Mostly short lines, some at and near the limit. */
                        int kind = rand() % 10;
                        m->len = kind == 0 ? 0 : kind == 1 ? max : kind == 2 ? max - 1 - (size_t)(rand() % 8)
                                               : (size_t)(rand() % 40);
                        for (size_t i = 0; i < m->len; i++)
                                m->p[i] = (char)(rand() % 256);
                        m->pid = (pid_t)(rand() % 100000);
                        assert_int_equal(log_ring_push(&r, k + 1, 1000 * k, m->pid, false, m->p, m->len), 0);
                        check_against_model(&r, all, k + 1);
                }
                log_ring_free(&r);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty_ring_allocates_nothing),
                cmocka_unit_test(test_records_come_back_in_order),
                cmocka_unit_test(test_last_n_and_after_seq),
                cmocka_unit_test(test_long_lines_are_truncated_and_cut),
                cmocka_unit_test(test_full_ring_drops_the_oldest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
