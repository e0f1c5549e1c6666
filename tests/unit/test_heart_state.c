/* SPDX-License-Identifier: MIT */
/* vigil-heart's timers and commands at nerves_heart's parity
 * (src/heart/heart_state.c): the command table, the pet interval, grace,
 * init handshake, snooze, disable_hw and the guarded commands, vigil's
 * watchdog facts, and the status report's keys, order and values. */
#include "heart/heart_state.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static enum heart_cmd parse(const char *s) {
        return heart_cmd_parse((const uint8_t *)s, strlen(s));
}

static void the_command_table_is_nerves_hearts(void **state) {
        (void)state;
        static const struct {
                const char *text;
                enum heart_cmd cmd;
                const char *verb;
        } rows[] = {
                { "disable", HEART_CMD_DISABLE_HW, NULL },
                { "disable_hw", HEART_CMD_DISABLE_HW, NULL },
                { "disable_vm", HEART_CMD_DISABLE_VM, NULL },
                { "init_handshake", HEART_CMD_INIT_HANDSHAKE, NULL },
                { "snooze", HEART_CMD_SNOOZE, NULL },
                { "guarded_reboot", HEART_CMD_GUARDED_REBOOT, "reboot" },
                { "guarded_poweroff", HEART_CMD_GUARDED_POWEROFF, "poweroff" },
                { "guarded_halt", HEART_CMD_GUARDED_HALT, "halt" },
                { "guarded_immediate_reboot", HEART_CMD_IMMEDIATE_REBOOT, "reboot" },
                { "guarded_immediate_poweroff", HEART_CMD_IMMEDIATE_POWEROFF, "poweroff" },
                /* Exact bytes only: README's "init_done" is not accepted (nor by nerves_heart). */
                { "init_done", HEART_CMD_OTHER, NULL },
                { "snooze ", HEART_CMD_OTHER, NULL },
                { "Snooze", HEART_CMD_OTHER, NULL },
                { "", HEART_CMD_OTHER, NULL },
                { "echo reboot", HEART_CMD_OTHER, NULL },
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                assert_int_equal(parse(rows[i].text), rows[i].cmd);
                const char *verb = heart_cmd_shutdown_verb(rows[i].cmd);
                if (rows[i].verb)
                        assert_string_equal(verb, rows[i].verb);
                else
                        assert_null(verb);
        }
        /* A trailing NUL is not the command (heart.erl sends none). */
        assert_int_equal(heart_cmd_parse((const uint8_t *)"snooze", 7), HEART_CMD_OTHER);
        assert_string_equal(heart_cmd_name(HEART_CMD_DISABLE_HW), "disable_hw");
        assert_string_equal(heart_cmd_name(HEART_CMD_GUARDED_HALT), "guarded_halt");
}

static void pets_come_at_the_interval_and_a_missed_beat_at_the_timeout(void **state) {
        (void)state;
        struct heart_state s;
        /* 11 s: half; 60 s: 10 s before. */
        heart_state_init(&s, 0, 60, NULL, NULL);
        assert_int_equal(s.pet_interval_ms, 50000);
        heart_state_init(&s, 0, 20, NULL, NULL);
        assert_int_equal(s.pet_interval_ms, 10000);
        heart_state_init(&s, 1000, 11, NULL, NULL);
        assert_int_equal(s.pet_interval_ms, 5500);
        assert_true(s.handshake_done);
        assert_int_equal(heart_state_due(&s, 1000), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_wait_ms(&s, 1000), 5500);
        assert_int_equal(heart_state_due(&s, 6499), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_due(&s, 6500), HEART_DUE_PET);
        heart_state_petted(&s, 6500);
        assert_int_equal(heart_state_wait_ms(&s, 6500), 5500);  /* the beat deadline and the next pet: 12000 */
        assert_int_equal(heart_state_due(&s, 11999), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_due(&s, 12000), HEART_DUE_BEAT_MISSED);
        /* A beat moves the deadline and is relayed. */
        assert_true(heart_state_beat(&s, 11000));
        heart_state_petted(&s, 11000);
        assert_int_equal(heart_state_due(&s, 12000), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_due(&s, 22000), HEART_DUE_BEAT_MISSED);
}

static void grace_pushes_the_first_deadline_and_raises_the_handshake(void **state) {
        (void)state;
        struct heart_state s;
        heart_state_init(&s, 0, 11, "5", "30");
        assert_int_equal(s.handshake_timeout_s, 30);  /* raised to the grace time */
        assert_false(s.handshake_done);
        assert_int_equal(heart_state_due(&s, 29999), HEART_DUE_PET);  /* pets go on meanwhile */
        heart_state_petted(&s, 29999);
        assert_int_equal(heart_state_due(&s, 30000), HEART_DUE_NO_HANDSHAKE);
        heart_state_command(&s, 100, HEART_CMD_INIT_HANDSHAKE);
        assert_true(s.handshake_done);
        assert_int_equal(heart_state_due(&s, 30000), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_wait_ms(&s, 30000), 5499);  /* the next pet */
        assert_int_equal(heart_state_due(&s, 40999), HEART_DUE_PET);
        assert_int_equal(heart_state_due(&s, 41000), HEART_DUE_BEAT_MISSED);  /* grace + timeout */
        /* A beat during the grace never pulls the deadline back. */
        heart_state_beat(&s, 1000);
        assert_int_equal(s.last_beat_ms, 30000);
        /* Clamped to 600; nonsense is 0; no handshake without a timeout. */
        heart_state_init(&s, 0, 11, "0", "9999");
        assert_int_equal(s.grace_end_ms, 600000);
        assert_true(s.handshake_done);
        heart_state_init(&s, 0, 11, "abc", "-5");
        assert_int_equal(s.grace_end_ms, 0);
        assert_true(s.handshake_done);
        heart_state_init(&s, 0, 11, "900", NULL);
        assert_int_equal(s.handshake_timeout_s, 900);
}

static void snooze_gives_fifteen_minutes_and_counts_as_the_handshake(void **state) {
        (void)state;
        struct heart_state s;
        heart_state_init(&s, 0, 11, "20", NULL);
        assert_true(heart_state_command(&s, 5000, HEART_CMD_SNOOZE));  /* pet now */
        assert_true(s.handshake_done);
        uint64_t end = 5000 + HEART_SNOOZE_MS;
        assert_int_equal(s.last_beat_ms, end);
        assert_int_equal(heart_state_due(&s, 25000), HEART_DUE_PET);  /* no handshake miss any more */
        heart_state_petted(&s, 25000);
        assert_int_equal(heart_state_due(&s, 30000), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_due(&s, end + 10999), HEART_DUE_PET);
        assert_int_equal(heart_state_due(&s, end + 11000), HEART_DUE_BEAT_MISSED);
        heart_state_beat(&s, 6000);
        assert_int_equal(s.last_beat_ms, end);
}

static void disable_hw_and_guarded_commands_stop_the_pets(void **state) {
        (void)state;
        struct heart_state s;
        heart_state_init(&s, 0, 11, NULL, NULL);
        assert_false(heart_state_command(&s, 100, HEART_CMD_DISABLE_HW));
        assert_true(s.pets_off);
        assert_null(s.shutdown_verb);
        assert_false(heart_state_beat(&s, 1000));   /* beats count, but are not relayed */
        assert_int_equal(heart_state_due(&s, 9000), HEART_DUE_NOTHING);
        assert_int_equal(heart_state_wait_ms(&s, 9000), 3000);  /* only the beat deadline is left */
        assert_int_equal(heart_state_due(&s, 12000), HEART_DUE_BEAT_MISSED);

        heart_state_init(&s, 0, 11, NULL, NULL);
        assert_true(heart_state_command(&s, 100, HEART_CMD_GUARDED_REBOOT));  /* the last pet */
        assert_true(s.pets_off);
        assert_string_equal(s.shutdown_verb, "reboot");
        assert_false(heart_state_command(&s, 200, HEART_CMD_GUARDED_HALT));   /* no pet once off */
        assert_string_equal(s.shutdown_verb, "halt");
        assert_false(heart_state_command(&s, 300, HEART_CMD_SNOOZE));         /* snooze does not pet again */

        heart_state_init(&s, 0, 11, NULL, NULL);
        assert_false(heart_state_command(&s, 100, HEART_CMD_IMMEDIATE_POWEROFF));  /* no pet first */
        assert_true(s.pets_off);
        assert_string_equal(s.shutdown_verb, "poweroff");

        heart_state_init(&s, 0, 11, NULL, NULL);
        assert_false(heart_state_command(&s, 100, HEART_CMD_DISABLE_VM));
        assert_false(heart_state_command(&s, 100, HEART_CMD_OTHER));
        assert_false(s.pets_off);
}

/* The value of key in report, or NULL; every line must be key=value. */
static const char *value_of(const char *report, const char *key, char *buf, size_t cap) {
        size_t klen = strlen(key);
        for (const char *line = report; *line;) {
                const char *nl = strchr(line, '\n');
                assert_non_null(nl);
                if ((size_t)(nl - line) > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
                        snprintf(buf, cap, "%.*s", (int)(nl - line - (long)klen - 1), line + klen + 1);
                        return buf;
                }
                line = nl + 1;
        }
        return NULL;
}

static void the_status_report_has_nerves_hearts_keys_in_order(void **state) {
        (void)state;
        struct heart_state s;
        struct heart_wdt w;
        char report[2048], v[128];
        heart_state_init(&s, 0, 30, "900", "60");
        heart_wdt_init(&w, "off");
        size_t len = heart_status_format(&s, 10000, &w, report, sizeof(report));
        assert_int_equal(len, strlen(report));
        static const char *keys[] = {
                "program_name", "program_version", "heartbeat_timeout", "heartbeat_time_left",
                "init_grace_time_left", "snooze_time_left", "wdt_pet_time_left", "init_handshake_happened",
                "init_handshake_timeout", "init_handshake_time_left", "wdt_identity", "wdt_firmware_version",
                "wdt_options", "wdt_time_left", "wdt_pre_timeout", "wdt_timeout", "wdt_last_boot",
                "vigil_heart_version", "vigil_watchdog",
        };
        const char *line = report;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                assert_int_equal(strncmp(line, keys[i], strlen(keys[i])), 0);
                assert_int_equal(line[strlen(keys[i])], '=');
                line = strchr(line, '\n') + 1;
        }
        assert_string_equal(line, "");
        assert_string_equal(value_of(report, "program_name", v, sizeof(v)), "nerves_heart");
        assert_string_equal(value_of(report, "program_version", v, sizeof(v)), "2.5.0");
        assert_string_equal(value_of(report, "heartbeat_timeout", v, sizeof(v)), "30");
        assert_string_equal(value_of(report, "heartbeat_time_left", v, sizeof(v)), "80");  /* 60 + 30 - 10 */
        assert_string_equal(value_of(report, "init_grace_time_left", v, sizeof(v)), "50");
        assert_string_equal(value_of(report, "snooze_time_left", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "wdt_pet_time_left", v, sizeof(v)), "10");  /* 20 - 10 */
        assert_string_equal(value_of(report, "init_handshake_happened", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "init_handshake_timeout", v, sizeof(v)), "900");
        assert_string_equal(value_of(report, "init_handshake_time_left", v, sizeof(v)), "890");
        /* Without vigil's hardware watchdog: nerves_heart's "no WDT" values. */
        assert_string_equal(value_of(report, "wdt_identity", v, sizeof(v)), "none");
        assert_string_equal(value_of(report, "wdt_firmware_version", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "wdt_options", v, sizeof(v)), "");
        assert_string_equal(value_of(report, "wdt_timeout", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "wdt_last_boot", v, sizeof(v)), "power_on");
        assert_string_equal(value_of(report, "vigil_watchdog", v, sizeof(v)), "off");

        /* After the handshake and a snooze; petting stopped. */
        heart_state_command(&s, 20000, HEART_CMD_SNOOZE);
        heart_state_command(&s, 20000, HEART_CMD_DISABLE_HW);
        heart_status_format(&s, 20000, &w, report, sizeof(report));
        assert_string_equal(value_of(report, "init_handshake_happened", v, sizeof(v)), "1");
        assert_string_equal(value_of(report, "init_handshake_time_left", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "snooze_time_left", v, sizeof(v)), "900");
        assert_string_equal(value_of(report, "heartbeat_time_left", v, sizeof(v)), "930");
        assert_string_equal(value_of(report, "wdt_pet_time_left", v, sizeof(v)), "0");
}

static void vigils_watchdog_facts_fill_the_wdt_keys(void **state) {
        (void)state;
        struct heart_state s;
        struct heart_wdt w;
        char report[2048], v[128];
        heart_state_init(&s, 0, 11, NULL, NULL);
        heart_wdt_init(&w, "unknown");
        static const char *body[][2] = {
                { "state", "healthy" },        { "device", "/dev/watchdog0" },
                { "identity", "i6300ESB\ntimer" }, { "firmware_version", "7" },
                { "options", "settimeout,magicclose,keepaliveping" }, { "timeout_sec", "30" },
                { "nowayout", "yes" },         { "since_last_pet_usec", "1000" },
                { "time_left_usec", "14999999" }, { "snooze_left_usec", "0" },
                { "why", "" },                 { "last_boot_watchdog", "yes" },
                { "boot_status", "32" },       { "pets", "5" },
                { "some_new_field", "x" },
        };
        for (size_t i = 0; i < sizeof(body) / sizeof(body[0]); i++)
                heart_wdt_set(&w, body[i][0], body[i][1]);
        heart_status_format(&s, 0, &w, report, sizeof(report));
        assert_string_equal(value_of(report, "wdt_identity", v, sizeof(v)), "i6300ESB timer");  /* one line */
        assert_string_equal(value_of(report, "wdt_firmware_version", v, sizeof(v)), "7");
        assert_string_equal(value_of(report, "wdt_options", v, sizeof(v)), "settimeout,magicclose,keepaliveping,");
        assert_string_equal(value_of(report, "wdt_time_left", v, sizeof(v)), "14");
        assert_string_equal(value_of(report, "wdt_pre_timeout", v, sizeof(v)), "0");
        assert_string_equal(value_of(report, "wdt_timeout", v, sizeof(v)), "30");
        assert_string_equal(value_of(report, "wdt_last_boot", v, sizeof(v)), "watchdog");
        assert_string_equal(value_of(report, "vigil_watchdog", v, sizeof(v)), "healthy");
        /* A device vigil lists as unavailable is none. */
        heart_wdt_set(&w, "state", "unavailable");
        heart_status_format(&s, 0, &w, report, sizeof(report));
        assert_string_equal(value_of(report, "wdt_identity", v, sizeof(v)), "none");
        assert_string_equal(value_of(report, "wdt_options", v, sizeof(v)), "");
        /* A small buffer: cut, still NUL-terminated. */
        size_t n = heart_status_format(&s, 0, &w, report, 20);
        assert_int_equal(n, 19);
        assert_int_equal(strlen(report), 19);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(the_command_table_is_nerves_hearts),
                cmocka_unit_test(pets_come_at_the_interval_and_a_missed_beat_at_the_timeout),
                cmocka_unit_test(grace_pushes_the_first_deadline_and_raises_the_handshake),
                cmocka_unit_test(snooze_gives_fifteen_minutes_and_counts_as_the_handshake),
                cmocka_unit_test(disable_hw_and_guarded_commands_stop_the_pets),
                cmocka_unit_test(the_status_report_has_nerves_hearts_keys_in_order),
                cmocka_unit_test(vigils_watchdog_facts_fill_the_wdt_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
