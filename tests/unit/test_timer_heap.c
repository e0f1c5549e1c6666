/* SPDX-License-Identifier: MIT */
#include "core/timer_heap.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

static void noop(struct loop_timer *t) {
        (void)t;
}

static void pops_in_deadline_order_then_arming_order(void **state) {
        struct timer_heap h = { 0 };
        struct loop_timer t[5];
        const uint64_t deadlines[] = { 50, 10, 30, 10, 20 };
        (void)state;
        for (int i = 0; i < 5; i++) {
                loop_timer_init(&t[i], noop, NULL);
                assert_int_equal(timer_heap_arm(&h, &t[i], deadlines[i]), 0);
        }
        assert_null(timer_heap_pop_due(&h, 9));
        const int order[] = { 1, 3, 4, 2, 0 };
        for (int i = 0; i < 5; i++)
                assert_ptr_equal(timer_heap_pop_due(&h, 100), &t[order[i]]);
        assert_null(timer_heap_peek(&h));
        timer_heap_free(&h);
}

/* Random arm/re-arm/cancel against a brute-force model. */
static void matches_a_model_under_random_operations(void **state) {
        enum { N = 200 };
        struct timer_heap h = { 0 };
        struct loop_timer t[N];
        bool armed[N] = { false };
        (void)state;
        srand(12345);
        for (int i = 0; i < N; i++)
                loop_timer_init(&t[i], noop, NULL);
        for (int step = 0; step < 20000; step++) {
                int i = rand() % N;
                if (rand() % 3 == 0) {
                        timer_heap_cancel(&h, &t[i]);
                        armed[i] = false;
                } else {
                        assert_int_equal(timer_heap_arm(&h, &t[i], (uint64_t)(rand() % 1000)), 0);
                        armed[i] = true;
                }
                if (step % 97 == 0) {
                        struct loop_timer *head = timer_heap_peek(&h);
                        uint64_t min = UINT64_MAX;
                        size_t count = 0;
                        for (int j = 0; j < N; j++)
                                if (armed[j]) {
                                        count++;
                                        if (t[j].deadline < min)
                                                min = t[j].deadline;
                                }
                        assert_int_equal(h.n, count);
                        if (count)
                                assert_true(head && head->deadline == min);
                }
        }
        uint64_t last = 0;
        struct loop_timer *x;
        while ((x = timer_heap_pop_due(&h, UINT64_MAX))) {
                assert_true(x->deadline >= last);
                assert_int_equal(x->heap_index, TIMER_NOT_ARMED);
                last = x->deadline;
        }
        timer_heap_free(&h);
}

static void cancel_of_unarmed_timer_is_harmless(void **state) {
        struct timer_heap h = { 0 };
        struct loop_timer a, b;
        (void)state;
        loop_timer_init(&a, noop, NULL);
        loop_timer_init(&b, noop, NULL);
        timer_heap_cancel(&h, &a);
        assert_int_equal(timer_heap_arm(&h, &b, 5), 0);
        timer_heap_cancel(&h, &a);
        assert_ptr_equal(timer_heap_peek(&h), &b);
        timer_heap_free(&h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pops_in_deadline_order_then_arming_order),
                cmocka_unit_test(matches_a_model_under_random_operations),
                cmocka_unit_test(cancel_of_unarmed_timer_is_harmless),
        };
        return cmocka_run_group_tests_name("timer_heap", tests, NULL, NULL);
}
