/* SPDX-License-Identifier: MIT */
/* base/kmsg_format: kmsg records, pmsg breadcrumbs, the kernel log tail;
 * and cmd/options' size values (--log-file-size). */
#include "base/kmsg_format.h"
#include "cmd/options.h"
#include "core/log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static char out[2048];

static const char *record(int level, const char *text) {
        size_t n = kmsg_format_record(level, "vigil", text, out, sizeof(out));
        out[n] = '\0';
        return out;
}

/* Facility daemon (3) * 8 + the syslog severity, one per vigil log level. */
static void priorities(void **state) {
        (void)state;
        assert_string_equal(record(LOG_LEVEL_ERROR, "x"), "<27>vigil: x\n");
        assert_string_equal(record(LOG_LEVEL_WARNING, "x"), "<28>vigil: x\n");
        assert_string_equal(record(LOG_LEVEL_NOTICE, "hostname set to a"), "<29>vigil: hostname set to a\n");
        assert_string_equal(record(LOG_LEVEL_INFO, "x"), "<30>vigil: x\n");
        assert_string_equal(record(LOG_LEVEL_DEBUG, "x"), "<31>vigil: x\n");
        assert_int_equal(kmsg_priority(-1), 24);
        assert_int_equal(kmsg_priority(99), 31);
}

/* One record per write: a newline or control byte inside would split or
 * garble it. */
static void control_bytes_become_spaces(void **state) {
        (void)state;
        assert_string_equal(record(5, "a\nb\tc\x7f" "d\r"), "<29>vigil: a b c d \n");
        assert_string_equal(record(5, ""), "<29>vigil: \n");
}

/* Cut below the kernel's record size, never inside a UTF-8 character,
 * always ending in '\n'. */
static void long_text_cut_at_a_character(void **state) {
        (void)state;
        char text[3000];
        for (size_t shift = 0; shift < 2; shift++) {
                memset(text, 'x', shift);
                for (size_t i = shift; i + 2 < sizeof(text); i += 2)
                        memcpy(text + i, "\xc3\xa9", 2);
                text[sizeof(text) - 2 - ((sizeof(text) - shift) % 2)] = '\0';
                size_t n = kmsg_format_record(3, "vigil", text, out, sizeof(out));
                assert_true(n <= KMSG_RECORD_MAX);
                assert_int_equal(out[n - 1], '\n');
                /* The byte before '\n' ends a whole character: not a lead byte. */
                assert_int_not_equal((unsigned char)out[n - 2], 0xc3);
                size_t body = n - 1 - strlen("<27>vigil: ");
                assert_int_equal((body - shift) % 2, 0);
        }
        /* A tiny room: nothing rather than a broken record. */
        assert_int_equal(kmsg_format_record(3, "vigil", "x", out, 8), 0);
}

static void breadcrumb(void **state) {
        (void)state;
        /* 2026-12-07T17:05:19.000042Z */
        uint64_t t = 1796663119ULL * 1000000 + 42;
        size_t n = kmsg_format_breadcrumb(t, "shutdown (reboot): FailureAction=reboot of critical", out,
                                          sizeof(out));
        out[n] = '\0';
        assert_string_equal(out, "2026-12-07T17:05:19.000042Z vigil: shutdown (reboot): FailureAction=reboot of critical\n");
        char text[400];
        memset(text, 'y', sizeof(text) - 1);
        text[sizeof(text) - 1] = '\0';
        n = kmsg_format_breadcrumb(t, text, out, sizeof(out));
        assert_true(n <= KMSG_BREADCRUMB_MAX);
        assert_int_equal(out[n - 1], '\n');
}

static void tail(void **state) {
        (void)state;
        const char *klog = "<6>[    0.000000] Linux version\n<29>[    3.1] vigil: system mode\n"
                           "<27>[    4.2] vigil: bad\n<4>[    5.0] last";
        char dst[256];
        size_t n = kmsg_tail(klog, strlen(klog), 2, dst, sizeof(dst));
        assert_string_equal(dst, "[    4.2] vigil: bad\n[    5.0] last\n");
        assert_int_equal(n, strlen(dst));
        kmsg_tail(klog, strlen(klog), 10, dst, sizeof(dst));
        assert_string_equal(dst, "[    0.000000] Linux version\n[    3.1] vigil: system mode\n"
                                 "[    4.2] vigil: bad\n[    5.0] last\n");
        /* A trailing newline does not count as a line. */
        const char *two = "<6>a\n<6>b\n";
        kmsg_tail(two, strlen(two), 1, dst, sizeof(dst));
        assert_string_equal(dst, "b\n");
        /* Too little room: the newest lines are kept. */
        kmsg_tail(klog, strlen(klog), 10, dst, 40);
        assert_string_equal(dst, "[    4.2] vigil: bad\n[    5.0] last\n");
        assert_int_equal(kmsg_tail(klog, strlen(klog), 0, dst, sizeof(dst)), 0);
        assert_int_equal(kmsg_tail("", 0, 5, dst, sizeof(dst)), 0);
        assert_string_equal(dst, "");
}

static void sizes(void **state) {
        (void)state;
        uint64_t v;
        assert_int_equal(options_parse_size("16384", &v), 0);
        assert_int_equal(v, 16384);
        assert_int_equal(options_parse_size("256K", &v), 0);
        assert_int_equal(v, 256 * 1024);
        assert_int_equal(options_parse_size("2m", &v), 0);
        assert_int_equal(v, 2 * 1024 * 1024);
        assert_int_equal(options_parse_size("1G", &v), 0);
        assert_int_equal(v, 1024ULL * 1024 * 1024);
        assert_int_equal(options_parse_size("", &v), -22);
        assert_int_equal(options_parse_size("K", &v), -22);
        assert_int_equal(options_parse_size("12Q", &v), -22);
        assert_int_equal(options_parse_size("-1", &v), -22);
        assert_int_equal(options_parse_size("1.5M", &v), -22);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(priorities),
                cmocka_unit_test(control_bytes_become_spaces),
                cmocka_unit_test(long_text_cut_at_a_character),
                cmocka_unit_test(breadcrumb),
                cmocka_unit_test(tail),
                cmocka_unit_test(sizes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
