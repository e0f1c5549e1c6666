/* SPDX-License-Identifier: MIT */
#include "base/strv.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void empty_is_zero_and_terminates(void **state) {
        struct strv s = { 0 };
        (void)state;
        assert_null(s.v);
        assert_int_equal(strv_terminate(&s), 0);
        assert_non_null(s.v);
        assert_null(s.v[0]);
        assert_int_equal(s.n, 0);
        assert_int_equal(strv_terminate(&s), 0);   /* idempotent */
        strv_free(&s);
        assert_null(s.v);
        assert_int_equal(s.n, 0);
        strv_free(&s);   /* harmless twice */
}

static void pushes_keep_order_and_null_termination(void **state) {
        struct strv s = { 0 };
        char buf[] = "abcdef";
        (void)state;
        assert_int_equal(strv_push(&s, "one"), 0);
        assert_int_equal(strv_push_len(&s, buf, 3), 0);
        assert_int_equal(strv_push_owned(&s, strdup("three")), 0);
        assert_int_equal(s.n, 3);
        assert_string_equal(s.v[0], "one");
        assert_string_equal(s.v[1], "abc");
        assert_string_equal(s.v[2], "three");
        assert_null(s.v[3]);
        assert_true(strv_contains(&s, "abc"));
        assert_false(strv_contains(&s, "ab"));
        for (int i = 0; i < 1000; i++)
                assert_int_equal(strv_push(&s, "x"), 0);
        assert_int_equal(s.n, 1003);
        assert_null(s.v[1003]);
        strv_free(&s);
}

static void owned_null_is_enomem_and_changes_nothing(void **state) {
        struct strv s = { 0 };
        (void)state;
        assert_int_equal(strv_push_owned(&s, NULL), -ENOMEM);
        assert_null(s.v);
        assert_int_equal(strv_push(&s, "a"), 0);
        assert_int_equal(strv_push_owned(&s, NULL), -ENOMEM);
        assert_int_equal(s.n, 1);
        assert_null(s.v[1]);
        strv_free(&s);
}

static void growth_is_bounded(void **state) {
        /* A vector claiming STRV_MAX entries refuses one more (the check
         * comes before any allocation, so a fake is enough). */
        struct strv s = { .v = NULL, .n = STRV_MAX };
        char *str = strdup("over");
        (void)state;
        assert_int_equal(strv_push_owned(&s, str), -ENOMEM);   /* str freed: ASan would say otherwise */
        assert_null(s.v);
        assert_int_equal(s.n, STRV_MAX);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(empty_is_zero_and_terminates),
                cmocka_unit_test(pushes_keep_order_and_null_termination),
                cmocka_unit_test(owned_null_is_enomem_and_changes_nothing),
                cmocka_unit_test(growth_is_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
