/* SPDX-License-Identifier: MIT */
/* unit/unit_condition.h: the verdict table and the pure matchers. */
#include "unit/unit_condition.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define C(t, n, a) { .kind = COND_PATH_EXISTS, .trigger = (t), .negate = (n), .assert = (a) }

static void verdict_table(void **state) {
        struct unit_condition v[] = { C(false, false, false), C(false, true, false), C(true, false, false),
                                      C(true, false, false), C(false, false, true) };
        struct unit_conditions l = { v, 5 };
        size_t failed;
        (void)state;
        /* results: the test before negation */
        assert_int_equal(unit_conditions_verdict(&l, (bool[]){ 1, 0, 1, 0, 1 }, &failed), 1);
        assert_int_equal(failed, SIZE_MAX);
        assert_int_equal(unit_conditions_verdict(&l, (bool[]){ 1, 0, 0, 1, 1 }, &failed), 1);   /* one trigger */
        assert_int_equal(unit_conditions_verdict(&l, (bool[]){ 1, 0, 0, 0, 1 }, &failed), 0);   /* no trigger held */
        assert_int_equal(failed, 2);
        assert_int_equal(unit_conditions_verdict(&l, (bool[]){ 1, 1, 1, 1, 1 }, &failed), 0);   /* negated held */
        assert_int_equal(failed, 1);
        assert_int_equal(unit_conditions_verdict(&l, (bool[]){ 0, 0, 1, 1, 0 }, &failed), -1);  /* assert first */
        assert_int_equal(failed, 4);
        struct unit_conditions none = { 0 };
        assert_int_equal(unit_conditions_verdict(&none, NULL, &failed), 1);
}

static void matchers(void **state) {
        char *env[] = { "A=1", "B=", NULL };
        (void)state;
        assert_true(condition_kernel_cmdline_matches("ro quiet root=/dev/sda1", "quiet"));
        assert_true(condition_kernel_cmdline_matches("ro quiet root=/dev/sda1", "root"));
        assert_true(condition_kernel_cmdline_matches("ro root=/dev/sda1", "root=/dev/sda1"));
        assert_false(condition_kernel_cmdline_matches("ro root=/dev/sda1", "root=/dev/sda"));
        assert_false(condition_kernel_cmdline_matches("ro quietly", "quiet"));
        assert_true(condition_kernel_cmdline_matches("x \"a b\" y", "\"a b\""));
        assert_true(condition_environment_matches(env, "A"));
        assert_true(condition_environment_matches(env, "A=1"));
        assert_true(condition_environment_matches(env, "B="));
        assert_false(condition_environment_matches(env, "A=2"));
        assert_false(condition_environment_matches(env, "C"));
        assert_int_equal(condition_capability_from_string("CAP_NET_ADMIN"), 12);
        assert_int_equal(condition_capability_from_string("sys_admin"), 21);
        assert_true(condition_capability_from_string("CAP_NOPE") < 0);
        assert_string_equal(condition_architecture_of("x86_64"), "x86-64");
        assert_string_equal(condition_architecture_of("aarch64"), "arm64");
        assert_string_equal(condition_architecture_of("weird"), "weird");
        assert_null(condition_value_check(COND_PATH_EXISTS, "/x"));
        assert_non_null(condition_value_check(COND_PATH_EXISTS, "x"));
        assert_non_null(condition_value_check(COND_NEEDS_UPDATE, "/usr"));
        assert_null(condition_value_check(COND_VIRTUALIZATION, "container"));
        assert_int_equal(condition_kind_from_string("ACPower"), COND_AC_POWER);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(verdict_table),
                cmocka_unit_test(matchers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
