/* SPDX-License-Identifier: MIT */
/* The pure parts of the health probes: the schedule (unit/probe_schedule.h,
 * Docker's HEALTHCHECK rules), the HTTP status line and URL
 * (unit/probe_http.h), addresses (base/inet_target.h), and the [X-Vigil]
 * keys with their FILE:LINE refusals (unit_keys_probe.c). */
#include "base/inet_target.h"
#include "base/timespan.h"
#include "unit/probe_http.h"
#include "unit/probe_schedule.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#define S USEC_PER_SEC

static const struct probe_timing docker = { 30 * S, 30 * S, 0, 5 * S, 3 };

static void schedule_first_probe_and_each_next_from_the_end(void **state) {
        (void)state;
        struct probe_state s;
        probe_state_begin(&s, 100 * S);
        assert_int_equal(probe_next_due(&docker, &s, 100 * S), 130 * S);   /* no start period: no start interval */
        assert_int_equal(probe_next_due(&docker, &s, 177 * S), 207 * S);
        struct probe_timing t = docker;
        t.start_period_usec = 60 * S;
        assert_int_equal(probe_next_due(&t, &s, 100 * S), 105 * S);        /* inside: --start-interval */
        assert_int_equal(probe_next_due(&t, &s, 159 * S), 164 * S);
        assert_int_equal(probe_next_due(&t, &s, 160 * S), 190 * S);        /* the period is over */
        t.start_interval_usec = 0;
        assert_int_equal(probe_next_due(&t, &s, 100 * S), 130 * S);
        assert_int_equal(probe_record(&t, &s, 101 * S, true), PROBE_VERDICT_READY);
        t.start_interval_usec = 5 * S;
        assert_int_equal(probe_next_due(&t, &s, 101 * S), 131 * S);        /* passed: the period ended early */
        /* No overflow at the end of time. */
        assert_true(probe_next_due(&docker, &s, UINT64_MAX - 1) == UINT64_MAX);
}

static void schedule_retries_start_period_and_reset(void **state) {
        (void)state;
        struct probe_timing t = docker;
        t.start_period_usec = 10 * S;
        struct probe_state s;
        probe_state_begin(&s, 0);
        assert_int_equal(probe_record(&t, &s, 5 * S, false), PROBE_VERDICT_NOT_COUNTED);
        assert_int_equal(probe_record(&t, &s, 10 * S - 1, false), PROBE_VERDICT_NOT_COUNTED);
        assert_int_equal(s.failures, 0);
        assert_int_equal(probe_record(&t, &s, 10 * S, false), PROBE_VERDICT_FAILING);   /* began at the end */
        assert_int_equal(probe_record(&t, &s, 11 * S, false), PROBE_VERDICT_FAILING);
        assert_int_equal(s.failures, 2);
        assert_int_equal(probe_record(&t, &s, 12 * S, true), PROBE_VERDICT_READY);
        assert_int_equal(s.failures, 0);
        assert_int_equal(probe_record(&t, &s, 13 * S, true), PROBE_VERDICT_HEALTHY);
        assert_int_equal(probe_record(&t, &s, 14 * S, false), PROBE_VERDICT_FAILING);
        assert_int_equal(probe_record(&t, &s, 15 * S, false), PROBE_VERDICT_FAILING);
        assert_int_equal(probe_record(&t, &s, 16 * S, false), PROBE_VERDICT_UNHEALTHY);  /* exactly the 3rd */
        /* After a success the start period no longer shields failures. */
        probe_state_begin(&s, 0);
        assert_int_equal(probe_record(&t, &s, 1 * S, true), PROBE_VERDICT_READY);
        assert_int_equal(probe_record(&t, &s, 2 * S, false), PROBE_VERDICT_FAILING);
        t.retries = 1;
        probe_state_begin(&s, 0);
        assert_int_equal(probe_record(&t, &s, 20 * S, false), PROBE_VERDICT_UNHEALTHY);
        assert_string_equal(probe_verdict_to_string(PROBE_VERDICT_UNHEALTHY), "unhealthy");
}

static void http_status_lines(void **state) {
        (void)state;
        static const struct {
                const char *text;
                int r, code;
        } cases[] = {
                { "HTTP/1.0 200 OK\r\n", 1, 200 },
                { "HTTP/1.1 204 No Content\r\nServer: x\r\n", 1, 204 },
                { "HTTP/1.1 302\r\n", 1, 302 },
                { "HTTP/1.0 503 Service Unavailable\n", 1, 503 },
                { "HTTP/1.0 200 O", 0, 0 },                /* the line goes on */
                { "HTTP/1.", 0, 0 },
                { "", 0, 0 },
                { "SSH-2.0-OpenSSH\r\n", -EINVAL, 0 },
                { "HTTP/1.0 20 OK\r\n", -EINVAL, 0 },
                { "HTTP/1.0 2000 OK\r\n", -EINVAL, 0 },
                { "HTTP/1.0 099 x\r\n", -EINVAL, 0 },
                { "http/1.0 200 OK\r\n", -EINVAL, 0 },
                { "HTTP/1.0  200 OK\r\n", -EINVAL, 0 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int code = 0;
                int r = probe_http_status_parse(cases[i].text, strlen(cases[i].text), &code);
                if (r != cases[i].r || (r == 1 && code != cases[i].code))
                        fail_msg("'%s': %d %d", cases[i].text, r, code);
        }
        char big[300];
        memset(big, 'x', sizeof(big));
        int code;
        assert_int_equal(probe_http_status_parse(big, sizeof(big), &code), -EINVAL);   /* no line end, too long */
        assert_false(probe_http_status_healthy(199));
        assert_true(probe_http_status_healthy(200));
        assert_true(probe_http_status_healthy(399));
        assert_false(probe_http_status_healthy(400));
}

static void http_urls_and_request(void **state) {
        (void)state;
        struct inet_target t;
        char host[64], path[128], buf[PROBE_HTTP_REQUEST_MAX];
        const char *why = NULL;
        assert_int_equal(probe_http_url_parse("http://127.0.0.1:8080/healthz?x=1", &t, host, sizeof(host), path,
                                              sizeof(path), &why), 0);
        assert_int_equal(t.family, AF_INET);
        assert_int_equal(t.port, 8080);
        assert_string_equal(host, "127.0.0.1:8080");
        assert_string_equal(path, "/healthz?x=1");
        assert_int_equal(probe_http_url_parse("[::1]:81", &t, host, sizeof(host), path, sizeof(path), &why), 0);
        assert_int_equal(t.family, AF_INET6);
        assert_string_equal(path, "/");
        assert_int_equal(probe_http_url_parse("8080/x", &t, host, sizeof(host), path, sizeof(path), &why), 0);
        assert_int_equal(t.addr[0], 127);
        assert_string_equal(host, "127.0.0.1:8080");   /* Host: for a bare port */
        assert_int_equal(probe_http_url_parse("https://127.0.0.1/", &t, host, sizeof(host), path, sizeof(path), &why),
                         -EINVAL);
        assert_non_null(strstr(why, "https"));
        assert_int_equal(probe_http_url_parse("http://example.com/", &t, host, sizeof(host), path, sizeof(path), &why),
                         -EINVAL);
        assert_int_equal(probe_http_url_parse("http://127.0.0.1:80/a b", &t, host, sizeof(host), path, sizeof(path),
                                              &why), -EINVAL);
        size_t n = probe_http_request("127.0.0.1:8080", "/healthz", buf, sizeof(buf));
        assert_int_equal(n, strlen(buf));
        assert_non_null(strstr(buf, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n"));
        assert_non_null(strstr(buf, "Connection: close\r\n\r\n"));
}

static void addresses(void **state) {
        (void)state;
        struct inet_target t;
        char buf[INET_TARGET_STRLEN];
        static const char *const good[] = { "127.0.0.1:1", "10.0.0.2:65535", "[::1]:80", "localhost:5432", "5432" };
        static const char *const want[] = { "127.0.0.1:1", "10.0.0.2:65535", "[::1]:80", "127.0.0.1:5432",
                                            "127.0.0.1:5432" };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(inet_target_parse(good[i], strlen(good[i]), &t), 0);
                assert_string_equal(inet_target_format(&t, buf, sizeof(buf)), want[i]);
        }
        static const char *const bad[] = { "", "0", "65536", "127.0.0.1:", ":80", "host:80", "::1:80", "[::1]80",
                                           "[::1]:", "1.2.3.4:80x", "[zz]:80", "127.0.0.1:-1" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (inet_target_parse(bad[i], strlen(bad[i]), &t) == 0)
                        fail_msg("'%s' accepted", bad[i]);
}

static int load(const char *text, struct unit_config *c, struct unit_diags *d) {
        struct unit_source s = { "t.service", text, strlen(text) };
        return unit_load_from_texts("t.service", &s, 1, c, d);
}

static void keys_load_with_dockers_defaults(void **state) {
        (void)state;
        struct unit_config c;
        struct unit_diags d = { 0 };
        assert_int_equal(load("[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthExec=/bin/check --quick\n", &c, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(c.probe.kind, PROBE_EXEC);
        assert_string_equal(c.probe.exec.path, "/bin/check");
        assert_string_equal(c.probe.exec.argv[1], "--quick");
        assert_int_equal(c.probe.timing.interval_usec, 30 * S);
        assert_int_equal(c.probe.timing.timeout_usec, 30 * S);
        assert_int_equal(c.probe.timing.start_period_usec, 0);
        assert_int_equal(c.probe.timing.start_interval_usec, 5 * S);
        assert_int_equal(c.probe.timing.retries, 3);
        unit_config_free(&c);
        unit_diags_free(&d);

        assert_int_equal(load("[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthHTTP=http://127.0.0.1:8080/ok\n"
                              "HealthInterval=1s\nHealthTimeout=500ms\nHealthStartPeriod=1min\n"
                              "HealthStartInterval=2\nHealthRetries=7\nX-Other=1\n",
                              &c, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(c.probe.kind, PROBE_HTTP);
        assert_string_equal(c.probe.http_path, "/ok");
        assert_int_equal(c.probe.timing.interval_usec, 1 * S);
        assert_int_equal(c.probe.timing.timeout_usec, 500 * USEC_PER_MSEC);
        assert_int_equal(c.probe.timing.start_period_usec, 60 * S);
        assert_int_equal(c.probe.timing.start_interval_usec, 2 * S);
        assert_int_equal(c.probe.timing.retries, 7);
        unit_config_free(&c);
        unit_diags_free(&d);

        /* An empty assignment removes the probe (a drop-in can turn it off). */
        assert_int_equal(load("[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthTCP=5432\nHealthTCP=\n"
                              "HealthExec=/bin/x\n", &c, &d), 0);
        assert_int_equal(c.probe.kind, PROBE_EXEC);
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void bad_keys_are_refused_with_file_and_line(void **state) {
        (void)state;
        static const struct {
                const char *lines;
                unsigned line;
                const char *message;
        } bad[] = {
                { "HealthInterval=0", 4, "at least 1ms" },
                { "HealthTimeout=infinity", 4, "finite" },
                { "HealthTimeout=soon", 4, "time span" },
                { "HealthStartInterval=0", 4, "at least 1ms" },
                { "HealthRetries=0", 4, "from 1 to 10000" },
                { "HealthRetries=-1", 4, "from 1 to 10000" },
                { "HealthTCP=db.local:5432", 4, "host names are not resolved" },
                { "HealthHTTP=https://127.0.0.1/", 4, "https" },
                { "HealthExec=-/bin/check", 4, "'-' prefix" },
                { "HealthExec=/bin/check 'x", 4, "" },
                { "HealthTCP=5432\nHealthHTTP=8080/", 5, "one probe" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/a\n[X-Vigil]\n%s\n", bad[i].lines);
                struct unit_config c;
                struct unit_diags d = { 0 };
                assert_int_equal(load(text, &c, &d), -EINVAL);
                bool found = false;
                for (size_t k = 0; k < d.n; k++)
                        found = found || (d.v[k].severity == UNIT_DIAG_ERROR && d.v[k].line == bad[i].line &&
                                          strcmp(d.v[k].file, "t.service") == 0 &&
                                          strstr(d.v[k].message, bad[i].message));
                if (!found)
                        fail_msg("'%s': no error at t.service:%u with '%s' (%zu diagnostics, first: %s)",
                                 bad[i].lines, bad[i].line, bad[i].message, d.n, d.n ? d.v[0].message : "-");
                unit_diags_free(&d);
        }
        /* A whole-unit check: a oneshot has nothing to probe. */
        struct unit_config c;
        struct unit_diags d = { 0 };
        assert_int_equal(load("[Service]\nType=oneshot\nExecStart=/bin/a\n[X-Vigil]\nHealthTCP=1\n", &c, &d), -EINVAL);
        assert_true(d.n >= 1 && d.v[0].line == 5 && strstr(d.v[0].message, "oneshot"));
        unit_diags_free(&d);
        /* An unknown key in [X-Vigil] is a warning, as elsewhere. */
        assert_int_equal(load("[Service]\nExecStart=/bin/a\n[X-Vigil]\nHealthFoo=1\n", &c, &d), 0);
        assert_true(d.n == 1 && d.v[0].severity == UNIT_DIAG_WARNING && d.v[0].line == 4);
        unit_config_free(&c);
        unit_diags_free(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(schedule_first_probe_and_each_next_from_the_end),
                cmocka_unit_test(schedule_retries_start_period_and_reset),
                cmocka_unit_test(http_status_lines),
                cmocka_unit_test(http_urls_and_request),
                cmocka_unit_test(addresses),
                cmocka_unit_test(keys_load_with_dockers_defaults),
                cmocka_unit_test(bad_keys_are_refused_with_file_and_line),
        };
        return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
