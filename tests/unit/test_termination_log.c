/* SPDX-License-Identifier: MIT */
#include "container/termination_log.h"
#include "control/control_places.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void short_reason_whole(void **state) {
        (void)state;
        char buf[TERMINATION_LOG_MAX];
        size_t n = termination_log_format("main command app exited with status 3", 3, buf, sizeof(buf));
        assert_string_equal(buf, "main command app exited with status 3 (vigil exit status 3)\n");
        assert_int_equal(n, strlen(buf));
        termination_log_format(NULL, 0, buf, sizeof(buf));
        assert_string_equal(buf, "vigil exited (vigil exit status 0)\n");
}

/* A reason of n bytes of 'é' (2 bytes each): cut whole, within the limit, status kept. */
static void long_reason_cut_at_a_character(void **state) {
        (void)state;
        for (size_t len = 4100; len < 4300; len++) {
                char *reason = malloc(len + 1);
                assert_non_null(reason);
                reason[0] = 'x';  /* shift the pairs by one byte on odd lengths */
                for (size_t i = 1; i + 1 < len; i += 2)
                        memcpy(reason + i, "\xc3\xa9", 2);
                reason[len - (len % 2 == 0 ? 1 : 0)] = '\0';
                char buf[TERMINATION_LOG_MAX];
                size_t n = termination_log_format(reason, 134, buf, sizeof(buf));
                assert_true(n < TERMINATION_LOG_MAX);
                assert_int_equal(n, strlen(buf));
                const char *tail = "... (vigil exit status 134)\n";
                assert_int_equal(memcmp(buf + n - strlen(tail), tail, strlen(tail)), 0);
                /* The kept part ends with a whole character: its last lead byte has its continuation. */
                size_t kept = n - strlen(tail);
                assert_true(kept > 3000);
                assert_true(kept == 1 || (kept - 1) % 2 == 0);
                free(reason);
        }
}

static void tiny_buffer(void **state) {
        (void)state;
        char buf[8];
        size_t n = termination_log_format("a reason", 1, buf, sizeof(buf));
        assert_int_equal(n, strlen(buf));
        assert_true(n < sizeof(buf));
}

static void places_in_order(void **state) {
        (void)state;
        struct control_place p[CONTROL_PLACES_MAX];
        bool too_long;
        size_t n = control_places(NULL, NULL, 12345, p, &too_long);
        assert_int_equal(n, 2);
        assert_string_equal(p[0].control, "/run/vigil/control");
        assert_string_equal(p[1].control, "@vigil-12345/control");
        assert_string_equal(p[1].notify, "@vigil-12345/notify");
        assert_string_equal(p[1].dir, "");
        n = control_places("/tmp/vr", "/run/user/12345", 12345, p, &too_long);
        assert_int_equal(n, 3);
        assert_false(too_long);
        assert_string_equal(p[0].notify, "/tmp/vr/notify");
        assert_string_equal(p[1].dir, "/run/user/12345/vigil");
        assert_string_equal(p[1].control, "/run/user/12345/vigil/control");
        /* Relative values are ignored; a runtime dir too long for sun_path falls back to /run/vigil. */
        char longdir[200];
        memset(longdir, 'd', sizeof(longdir));
        longdir[0] = '/';
        longdir[sizeof(longdir) - 1] = '\0';
        n = control_places(longdir, "relative", 0, p, &too_long);
        assert_int_equal(n, 2);
        assert_true(too_long);
        assert_string_equal(p[0].dir, "/run/vigil");
        assert_string_equal(p[1].control, "@vigil-0/control");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(short_reason_whole),
                cmocka_unit_test(long_reason_cut_at_a_character),
                cmocka_unit_test(tiny_buffer),
                cmocka_unit_test(places_in_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
