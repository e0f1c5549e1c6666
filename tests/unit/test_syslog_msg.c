/* SPDX-License-Identifier: MIT */
/* logcap/syslog_msg.h: the local syslog datagram forms. */
#include "logcap/syslog_msg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static int parse(const char *s, struct syslog_msg *m, const char **why) {
        return syslog_msg_parse(s, strlen(s), m, why);
}

static void expect_span(const char *p, size_t len, const char *want) {
        assert_non_null(p);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(p, want, len);
}

static void bsd_as_syslog3_sends_it(void **state) {
        struct syslog_msg m;
        const char *why;
        (void)state;
        assert_int_equal(parse("<78>Dec  7 17:20:01 CRON[4242]: (root) CMD (run-parts)\n", &m, &why), 0);
        assert_int_equal(m.priority, 78);   /* cron.info */
        assert_int_equal(m.version, 0);
        expect_span(m.tag, m.tag_len, "CRON");
        assert_int_equal(m.pid, 4242);
        expect_span(m.message, m.message_len, "(root) CMD (run-parts)");
        assert_string_equal(syslog_severity_name(m.priority), "info");

        assert_int_equal(parse("<22>Dec 17 01:02:03 postfix/smtpd[9]: connect from x", &m, &why), 0);
        expect_span(m.tag, m.tag_len, "postfix/smtpd");
        expect_span(m.message, m.message_len, "connect from x");

        assert_int_equal(parse("<13>root: hello", &m, &why), 0);   /* no timestamp */
        expect_span(m.tag, m.tag_len, "root");
        assert_int_equal(m.pid, 0);
        expect_span(m.message, m.message_len, "hello");
}

static void without_tag_or_priority(void **state) {
        struct syslog_msg m;
        const char *why;
        (void)state;
        assert_int_equal(parse("<13>just some words: here", &m, &why), 0);
        assert_null(m.tag);   /* a space before the ':' */
        expect_span(m.message, m.message_len, "just some words: here");

        assert_int_equal(parse("plain text\r\n\0", &m, &why), 0);
        assert_int_equal(m.priority, -1);
        expect_span(m.message, m.message_len, "plain text");

        assert_int_equal(parse("<0>tag[notapid]: x", &m, &why), 0);
        expect_span(m.tag, m.tag_len, "tag");
        assert_int_equal(m.pid, 0);
        assert_string_equal(syslog_severity_name(0), "emerg");
}

static void rfc5424(void **state) {
        struct syslog_msg m;
        const char *why;
        (void)state;
        assert_int_equal(parse("<165>1 2003-10-11T22:14:15.003Z mymachine evntslog 77 ID47 "
                               "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\]x\"][b@1 c=\"d\"] "
                               "\xEF\xBB\xBF" "An event",
                               &m, &why),
                         0);
        assert_int_equal(m.version, 1);
        assert_int_equal(m.priority, 165);
        expect_span(m.tag, m.tag_len, "evntslog");
        assert_int_equal(m.pid, 77);
        expect_span(m.message, m.message_len, "An event");

        assert_int_equal(parse("<13>1 - - - - - -", &m, &why), 0);
        assert_null(m.tag);
        assert_int_equal(m.message_len, 0);
}

static void malformed(void **state) {
        static const char *const bad[] = { "", "\n\0", "<999>x", "<12", "<>x", "<01>x", "<1a>x",
                                           "<13>1 cut-short", "<13>1 a b c d e [open", "<13>1 a b c d e x" };
        struct syslog_msg m;
        const char *why;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(syslog_msg_parse(bad[i], strlen(bad[i]) + (i == 1), &m, &why), -EINVAL);
                assert_true(why[0] != '\0');
        }
        assert_int_equal(syslog_msg_parse("a\0b", 3, &m, &why), -EINVAL);
        assert_non_null(strstr(why, "NUL"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(bsd_as_syslog3_sends_it),
                cmocka_unit_test(without_tag_or_priority),
                cmocka_unit_test(rfc5424),
                cmocka_unit_test(malformed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
