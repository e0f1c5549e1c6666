/* SPDX-License-Identifier: MIT */
#include "base/timespan.h"
#include "unit/start_limit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S USEC_PER_SEC

static void default_five_in_ten_seconds(void **state) {
        struct start_limit s = { 0 };
        (void)state;
        for (int i = 0; i < 5; i++)
                assert_true(start_limit_allow(&s, 10 * S, 5, 1000 * S + (uint64_t)i));
        assert_false(start_limit_allow(&s, 10 * S, 5, 1000 * S + 5)); /* the sixth inside 10 s */
        assert_false(start_limit_allow(&s, 10 * S, 5, 1010 * S - 1)); /* last usec of the window */
        assert_true(start_limit_allow(&s, 10 * S, 5, 1010 * S));      /* window over: new window */
}

static void boundary_of_burst(void **state) {
        struct start_limit s = { 0 };
        (void)state;
        assert_true(start_limit_allow(&s, 1 * S, 1, 5 * S));
        assert_false(start_limit_allow(&s, 1 * S, 1, 5 * S + 999999));
        assert_true(start_limit_allow(&s, 1 * S, 1, 6 * S));
}

static void zero_interval_or_burst_disables(void **state) {
        struct start_limit s = { 0 };
        (void)state;
        for (int i = 0; i < 1000; i++) {
                assert_true(start_limit_allow(&s, 0, 5, (uint64_t)i));
                assert_true(start_limit_allow(&s, 10 * S, 0, (uint64_t)i));
        }
}

static void reset_opens_a_new_window(void **state) {
        struct start_limit s = { 0 };
        (void)state;
        assert_true(start_limit_allow(&s, 10 * S, 1, 1 * S));
        assert_false(start_limit_allow(&s, 10 * S, 1, 2 * S));
        start_limit_reset(&s);
        assert_true(start_limit_allow(&s, 10 * S, 1, 3 * S));
}

static void works_at_time_zero_and_backwards_clock(void **state) {
        struct start_limit s = { 0 };
        (void)state;
        assert_true(start_limit_allow(&s, 10 * S, 2, 0));
        assert_true(start_limit_allow(&s, 10 * S, 2, 1));
        assert_false(start_limit_allow(&s, 10 * S, 2, 2));
        assert_true(start_limit_allow(&s, 10 * S, 2, 0)); /* before the window: reopen */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(default_five_in_ten_seconds),
                cmocka_unit_test(boundary_of_burst),
                cmocka_unit_test(zero_interval_or_burst_disables),
                cmocka_unit_test(reset_opens_a_new_window),
                cmocka_unit_test(works_at_time_zero_and_backwards_clock),
        };
        return cmocka_run_group_tests_name("start_limit", tests, NULL, NULL);
}
