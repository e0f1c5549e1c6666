/* SPDX-License-Identifier: MIT */
#include "base/timespan.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void parses_systemd_spans(void **state) {
        static const struct { const char *text; uint64_t usec; } cases[] = {
                { "5", 5 * USEC_PER_SEC },
                { "0", 0 },
                { "2.5", 2500000 },
                { "2.5s", 2500000 },
                { "500ms", 500000 },
                { "500 ms", 500000 },
                { "1min 30s", 90 * USEC_PER_SEC },
                { "1min30s", 90 * USEC_PER_SEC },
                { "2h", 7200 * USEC_PER_SEC },
                { "1d", 86400 * USEC_PER_SEC },
                { "1w", 604800 * USEC_PER_SEC },
                { "10us", 10 },
                { "0.1", 100000 },
                { "  3s  ", 3 * USEC_PER_SEC },
                { "1.5min", 90 * USEC_PER_SEC },
                { "infinity", TIMESPAN_INFINITY },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint64_t v = 1;
                assert_int_equal(timespan_parse(cases[i].text, USEC_PER_SEC, &v), 0);
                assert_true(v == cases[i].usec);
        }
}

static void rejects_malformed_spans(void **state) {
        static const char *const bad[] = { "", "abc", "-1", "+1", "1x", "5 apples", "s", ".", "1..2",
                                           "99999999999999999999", "18446744073709551615s" };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                uint64_t v = 7;
                assert_true(timespan_parse(bad[i], USEC_PER_SEC, &v) < 0);
                assert_true(v == 7);
        }
}

static void bare_number_uses_default_unit(void **state) {
        uint64_t v;
        (void)state;
        assert_int_equal(timespan_parse("250", USEC_PER_MSEC, &v), 0);
        assert_true(v == 250000);
}

static void formats_for_humans(void **state) {
        char buf[32];
        (void)state;
        assert_string_equal(timespan_format(3 * USEC_PER_SEC, buf, sizeof(buf)), "3s");
        assert_string_equal(timespan_format(500000, buf, sizeof(buf)), "500ms");
        assert_string_equal(timespan_format(2500000, buf, sizeof(buf)), "2.500000s");
        assert_string_equal(timespan_format(TIMESPAN_INFINITY, buf, sizeof(buf)), "infinity");
        assert_string_equal(timespan_format(7, buf, sizeof(buf)), "7us");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parses_systemd_spans),
                cmocka_unit_test(rejects_malformed_spans),
                cmocka_unit_test(bare_number_uses_default_unit),
                cmocka_unit_test(formats_for_humans),
        };
        return cmocka_run_group_tests_name("timespan", tests, NULL, NULL);
}
