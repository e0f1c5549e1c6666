/* SPDX-License-Identifier: MIT */
/* sd_notify datagrams as systemd's manager reads them. */
#include "base/utf8.h"
#include "notify/notify_msg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int parse(const char *s, struct notify_msg *m) {
        return notify_msg_parse(s, strlen(s), m);
}

static void ready_and_status(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("READY=1\nSTATUS=Processing requests...\n", &m), 0);
        assert_int_equal(m.flags, NOTIFY_READY | NOTIFY_HAS_STATUS);
        assert_int_equal(m.status_len, strlen("Processing requests..."));
        assert_memory_equal(m.status, "Processing requests...", m.status_len);
        assert_int_equal(m.n_unknown + m.n_invalid, 0);
}

static void last_line_may_be_unterminated(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("WATCHDOG=1", &m), 0);
        assert_int_equal(m.flags, NOTIFY_WATCHDOG);
        assert_int_equal(parse("STATUS=", &m), 0);   /* empty status clears it */
        assert_int_equal(m.flags, NOTIFY_HAS_STATUS);
        assert_int_equal(m.status_len, 0);
}

static void every_key(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("RELOADING=1\nMONOTONIC_USEC=123456\nSTOPPING=1\nERRNO=5\nMAINPID=4242\n"
                               "WATCHDOG=trigger\nWATCHDOG_USEC=2000000\nEXTEND_TIMEOUT_USEC=30000000\nBARRIER=1\n",
                               &m),
                         0);
        assert_int_equal(m.flags, NOTIFY_RELOADING | NOTIFY_HAS_MONOTONIC | NOTIFY_STOPPING | NOTIFY_HAS_ERRNO |
                                          NOTIFY_HAS_MAINPID | NOTIFY_WATCHDOG_TRIGGER | NOTIFY_HAS_WATCHDOG_USEC |
                                          NOTIFY_HAS_EXTEND_TIMEOUT | NOTIFY_BARRIER);
        assert_int_equal(m.monotonic_usec, 123456);
        assert_int_equal(m.error, 5);
        assert_int_equal(m.main_pid, 4242);
        assert_int_equal(m.watchdog_usec, 2000000);
        assert_int_equal(m.extend_timeout_usec, 30000000);
}

static void later_assignment_wins(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("MAINPID=10\nMAINPID=20\nSTATUS=a\nSTATUS=bb", &m), 0);
        assert_int_equal(m.main_pid, 20);
        assert_int_equal(m.status_len, 2);
}

static void bad_fields_are_counted_and_ignored(void **state) {
        static const char *const bad[] = {
                "READY=0", "READY=yes", "WATCHDOG=2", "MAINPID=0", "MAINPID=-1", "MAINPID=abc",
                "MAINPID=99999999999", "ERRNO=x", "WATCHDOG_USEC=-1", "WATCHDOG_USEC=1s", "STATUS=\xff\xfe",
                "STATUS=\xed\xa0\x80", "EXTEND_TIMEOUT_USEC=", "BARRIER=2",
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct notify_msg m;
                char buf[128];
                snprintf(buf, sizeof(buf), "%s\nREADY=1\n", bad[i]);
                assert_int_equal(parse(buf, &m), 0);
                assert_int_equal(m.flags, NOTIFY_READY);   /* the good field still counts */
                assert_int_equal(m.n_invalid, 1);
        }
}

/* WATCHDOG_USEC=0 turns the watchdog off for the run (systemd; vigil-heart
 * sends it on SHUT_DOWN): a valid field, not an invalid one. */
static void watchdog_usec_zero_is_valid(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("WATCHDOG_USEC=0", &m), 0);
        assert_int_equal(m.flags, NOTIFY_HAS_WATCHDOG_USEC);
        assert_int_equal(m.watchdog_usec, 0);
        assert_int_equal(m.n_invalid, 0);
}

static void unknown_keys_and_junk_lines(void **state) {
        struct notify_msg m;
        (void)state;
        assert_int_equal(parse("FDSTORE=1\nno equals sign\n=1\n\n\nX_CUSTOM=1\nREADY=1", &m), 0);
        assert_int_equal(m.flags, NOTIFY_READY);
        assert_int_equal(m.n_unknown, 4);
        assert_int_equal(m.n_invalid, 0);
}

static void whole_datagram_rejections(void **state) {
        struct notify_msg m;
        char big[NOTIFY_MSG_MAX + 2];
        (void)state;
        assert_int_equal(notify_msg_parse("", 0, &m), -EBADMSG);
        assert_int_equal(notify_msg_parse("READY=1\0x", 9, &m), -EBADMSG);
        memset(big, 'a', sizeof(big));
        memcpy(big, "STATUS=", 7);
        assert_int_equal(notify_msg_parse(big, NOTIFY_MSG_MAX + 1, &m), -EBADMSG);
        assert_int_equal(notify_msg_parse(big, NOTIFY_MSG_MAX, &m), 0);
        assert_int_equal(m.status_len, NOTIFY_MSG_MAX - 7);
}

/* Every prefix of a valid datagram parses without reading past its end (ASan). */
static void every_prefix(void **state) {
        const char *s = "READY=1\nSTATUS=héllo wörld\nMAINPID=123\nWATCHDOG_USEC=5000000\n";
        (void)state;
        for (size_t n = 1; n <= strlen(s); n++) {
                char *copy = malloc(n);
                memcpy(copy, s, n);
                struct notify_msg m;
                assert_int_equal(notify_msg_parse(copy, n, &m), 0);
                free(copy);
        }
}

static void utf8_table(void **state) {
        (void)state;
        assert_true(utf8_is_valid("", 0));
        assert_true(utf8_is_valid("plain", 5));
        assert_true(utf8_is_valid("\xc3\xa9", 2));            /* é */
        assert_true(utf8_is_valid("\xf0\x9f\x98\x80", 4));    /* U+1F600 */
        assert_false(utf8_is_valid("\xc3", 1));               /* truncated */
        assert_false(utf8_is_valid("\xc0\xaf", 2));           /* overlong */
        assert_false(utf8_is_valid("\xed\xa0\x80", 3));       /* surrogate */
        assert_false(utf8_is_valid("\xf4\x90\x80\x80", 4));   /* above U+10FFFF */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ready_and_status),
                cmocka_unit_test(last_line_may_be_unterminated),
                cmocka_unit_test(every_key),
                cmocka_unit_test(later_assignment_wins),
                cmocka_unit_test(bad_fields_are_counted_and_ignored),
                cmocka_unit_test(watchdog_usec_zero_is_valid),
                cmocka_unit_test(unknown_keys_and_junk_lines),
                cmocka_unit_test(whole_datagram_rejections),
                cmocka_unit_test(every_prefix),
                cmocka_unit_test(utf8_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
