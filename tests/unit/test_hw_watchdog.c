/* SPDX-License-Identifier: MIT */
/* The hardware watchdog's pure parts (the gate, the pet interval, what a
 * health failure is) and its refusals without a usable device. The device
 * paths themselves run against tests/shim in tests/integ/test_hw_watchdog.py. */
#include "base/timespan.h"
#include "os/watchdog.h"
#include "watchdog/hw_watchdog.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#define SEC USEC_PER_SEC

static void the_gate_pets_only_while_healthy_or_snoozing(void **state) {
        (void)state;
        const struct {
                bool healthy, shutting_down, hanging;
                uint64_t snooze_until, now;
                enum hw_watchdog_verdict want;
                const char *reason;
        } rows[] = {
                { true, false, false, 0, 10 * SEC, HW_WATCHDOG_PET, "healthy" },
                { false, false, false, 0, 10 * SEC, HW_WATCHDOG_WITHHOLD, "unhealthy" },
                /* A snooze pets whatever the health, until it ends (exclusive). */
                { false, false, false, 20 * SEC, 10 * SEC, HW_WATCHDOG_PET, "snoozing" },
                { false, false, false, 20 * SEC, 20 * SEC - 1, HW_WATCHDOG_PET, "snoozing" },
                { false, false, false, 20 * SEC, 20 * SEC, HW_WATCHDOG_WITHHOLD, "unhealthy" },
                { true, false, false, 20 * SEC, 30 * SEC, HW_WATCHDOG_PET, "healthy" },
                /* Shutting down: never, snooze or not. */
                { true, true, false, 0, 10 * SEC, HW_WATCHDOG_WITHHOLD, NULL },
                { false, true, false, 20 * SEC, 10 * SEC, HW_WATCHDOG_WITHHOLD, NULL },
                /* --on-exit hang with a nowayout device: pet on, whatever else. */
                { false, false, true, 0, 10 * SEC, HW_WATCHDOG_PET, "hanging with a nowayout device" },
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                struct hw_watchdog_gate g = { .healthy = rows[i].healthy, .shutting_down = rows[i].shutting_down,
                                              .hanging = rows[i].hanging, .snooze_until = rows[i].snooze_until };
                const char *why = NULL;
                assert_int_equal(hw_watchdog_decide(&g, rows[i].now, &why), rows[i].want);
                assert_non_null(why);
                if (rows[i].reason)
                        assert_string_equal(why, rows[i].reason);
                else
                        assert_non_null(strstr(why, "shutting down"));
        }
}

static void pets_come_every_half_timeout(void **state) {
        (void)state;
        assert_int_equal(hw_watchdog_pet_interval(30), 15 * SEC);
        assert_int_equal(hw_watchdog_pet_interval(2), 1 * SEC);
        assert_int_equal(hw_watchdog_pet_interval(1), SEC / 2);
        assert_int_equal(hw_watchdog_pet_interval(0), SEC / 2);
        assert_int_equal(hw_watchdog_pet_interval(65535), (uint64_t)65535 * SEC / 2);
}

static void state_names(void **state) {
        (void)state;
        assert_string_equal(hw_watchdog_state_to_string(HW_WATCHDOG_OFF), "off");
        assert_string_equal(hw_watchdog_state_to_string(HW_WATCHDOG_HEALTHY), "healthy");
        assert_string_equal(hw_watchdog_state_to_string(HW_WATCHDOG_UNHEALTHY), "unhealthy");
        assert_string_equal(hw_watchdog_state_to_string(HW_WATCHDOG_DISARMED), "disarmed");
        assert_string_equal(hw_watchdog_state_to_string(HW_WATCHDOG_HANGING), "hanging");
        assert_string_equal(hw_watchdog_state_to_string((enum hw_watchdog_state)99), "?");
}

/* /dev/null opens but answers no WDIOC_*: not a watchdog. */
static void a_file_that_is_not_a_watchdog_is_refused(void **state) {
        (void)state;
        int fd = os_watchdog_open("/dev/null");
        assert_true(fd >= 0);
        struct os_watchdog_info info;
        assert_int_equal(os_watchdog_get_support(fd, &info), -ENOTTY);
        assert_int_equal(os_watchdog_nowayout("/no/such/dir/watchdog4242", fd), -ENOENT);
        (void)os_watchdog_magic_close(fd);
        assert_int_equal(os_watchdog_open("/no/such/watchdog"), -ENOENT);
}

static void without_a_usable_device_vigil_runs_on_and_says_why(void **state) {
        (void)state;
        struct hw_watchdog_status st;
        struct hw_watchdog_config off = { .device = "/dev/null", .runtime_usec = 0, .reboot_usec = 600 * SEC };
        assert_int_equal(hw_watchdog_open(&off), 0);
        hw_watchdog_get_status(0, &st);
        assert_int_equal(st.state, HW_WATCHDOG_OFF);
        assert_null(st.device);

        struct hw_watchdog_config c = { .device = "/dev/null", .runtime_usec = 30 * SEC, .reboot_usec = 600 * SEC };
        assert_int_equal(hw_watchdog_open(&c), 0);
        hw_watchdog_get_status(0, &st);
        assert_int_equal(st.state, HW_WATCHDOG_UNAVAILABLE);
        assert_string_equal(st.device, "/dev/null");
        assert_non_null(strstr(st.why, "not a watchdog"));
        assert_int_equal(st.timeout_sec, 0);
        assert_true(st.since_last_pet_usec == UINT64_MAX);

        uint64_t granted = 1;
        assert_int_equal(hw_watchdog_snooze(10 * SEC, &granted), -ENODEV);
        assert_int_equal(granted, 0);
        /* Every other call is a no-op without a device. */
        hw_watchdog_unhealthy("test");
        assert_false(hw_watchdog_hold("test", NULL));
        hw_watchdog_shutdown(false);
        hw_watchdog_final(HW_WATCHDOG_FINAL_HANG);
        hw_watchdog_get_status(0, &st);
        assert_int_equal(st.state, HW_WATCHDOG_UNAVAILABLE);
        hw_watchdog_free();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(the_gate_pets_only_while_healthy_or_snoozing),
                cmocka_unit_test(pets_come_every_half_timeout),
                cmocka_unit_test(state_names),
                cmocka_unit_test(a_file_that_is_not_a_watchdog_is_refused),
                cmocka_unit_test(without_a_usable_device_vigil_runs_on_and_says_why),
        };
        return cmocka_run_group_tests_name("hw_watchdog", tests, NULL, NULL);
}
