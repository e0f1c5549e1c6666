/* SPDX-License-Identifier: MIT */
/* system/device_plan: the decisions of system mode's device duties (issue 16 point 2). */
#include "system/device_plan.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static void reboot_argument_rows(void **state) {
        static const struct { const char *requested, *file, *want; int r; } rows[] = {
                { NULL, NULL, "", 0 },                          /* neither: a plain restart */
                { NULL, "0 tryboot\n", "0 tryboot", 1 },       /* erlinit: the file's line, trimmed */
                { NULL, "  0 tryboot  \nsecond line\n", "0 tryboot", 1 },
                { NULL, "\n", "", 0 },                          /* an empty file is no argument */
                { NULL, "   \t ", "", 0 },
                { "recovery", "0 tryboot\n", "recovery", 1 },   /* vigilctl reboot ARG wins */
                { "", "0 tryboot", "0 tryboot", 1 },           /* an empty request does not */
                { " ", "bootloader", "bootloader", 1 },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                char buf[REBOOT_ARG_MAX + 1];
                assert_int_equal(device_plan_reboot_arg(rows[i].requested, rows[i].file, buf, sizeof(buf)), rows[i].r);
                assert_string_equal(buf, rows[i].want);
        }
}

static void reboot_argument_longer_than_the_kernel_takes_is_refused(void **state) {
        char text[REBOOT_ARG_MAX + 2], buf[REBOOT_ARG_MAX + 1];
        (void)state;
        memset(text, 'a', sizeof(text) - 1);
        text[sizeof(text) - 1] = '\0';
        assert_int_equal(device_plan_reboot_arg(NULL, text, buf, sizeof(buf)), -E2BIG);
        assert_string_equal(buf, "");
        text[REBOOT_ARG_MAX] = '\0';   /* exactly 255: taken */
        assert_int_equal(device_plan_reboot_arg(text, NULL, buf, sizeof(buf)), 1);
        assert_int_equal(strlen(buf), REBOOT_ARG_MAX);
}

static void tty_options_rows(void **state) {
        static const struct { const char *text; unsigned baud; char parity; unsigned bits; } good[] = {
                { "115200n8", 115200, 'n', 8 }, { "9600", 9600, 'n', 8 }, { "115200e7", 115200, 'e', 7 },
                { "57600o", 57600, 'o', 8 },    { "1500000n8", 1500000, 'n', 8 }, { "300n5", 300, 'n', 5 },
        };
        static const char *const bad[] = { "", "n8", "115200x8", "115200n9", "115200n4", "115200n88", "0",
                                           "115200 n8", "999999999999" };
        struct tty_line line;
        const char *why = NULL;
        (void)state;
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(device_plan_tty_options(good[i].text, &line, &why), 0);
                assert_int_equal(line.baud, good[i].baud);
                assert_int_equal(line.parity, good[i].parity);
                assert_int_equal(line.bits, good[i].bits);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                assert_int_equal(device_plan_tty_options(bad[i], &line, &why), -EINVAL);
                assert_non_null(why);
        }
}

static void clock_floor_rows(void **state) {
        static const struct { int64_t now, build, file; bool set; int64_t want; const char *from; } rows[] = {
                { 100, 1000, -1, true, 1000, "the build time" },        /* 1970 after a flat RTC */
                { 5000, 1000, -1, false, 0, NULL },                     /* ahead: left alone */
                { 100, 1000, 2000, true, 2000, "--clock-file" },        /* the last shutdown is later */
                { 100, 3000, 2000, true, 3000, "the build time" },      /* a new firmware, an old file */
                { 2500, 1000, 2000, false, 0, NULL },
                { 1000, 1000, -1, false, 0, NULL },                      /* equal is not behind */
                { 100, 0, -1, false, 0, NULL },                          /* no build time known */
        };
        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                int64_t sec = 0;
                const char *from = NULL;
                assert_int_equal(device_plan_clock_floor(rows[i].now, rows[i].build, rows[i].file, &sec, &from),
                                 rows[i].set);
                if (rows[i].set) {
                        assert_int_equal(sec, rows[i].want);
                        assert_string_equal(from, rows[i].from);
                }
        }
}

/* /sys/block as a machine with an SD card (root on p2) and a USB disk shows it. */
static const struct block_dev machine[] = {
        { "mmcblk0", 179, 0, 0, -1 }, { "mmcblk0p1", 179, 1, 1, 0 }, { "mmcblk0p2", 179, 2, 2, 0 },
        { "mmcblk0p3", 179, 3, 3, 0 }, { "sda", 8, 0, 0, -1 }, { "sda1", 8, 1, 1, 4 },
};

static void rootdisk_links_the_disk_and_all_its_partitions(void **state) {
        struct rootdisk_link links[8];
        (void)state;
        size_t n = device_plan_rootdisk(machine, 6, 179, 2, links, 8);
        assert_int_equal(n, 4);
        assert_string_equal(links[0].link, "/dev/rootdisk0");
        assert_string_equal(links[0].name, "mmcblk0");
        assert_string_equal(links[1].link, "/dev/rootdisk0p1");
        assert_string_equal(links[1].name, "mmcblk0p1");
        assert_string_equal(links[3].link, "/dev/rootdisk0p3");
        assert_string_equal(links[3].name, "mmcblk0p3");
        /* The same on the other disk: sdb1 would be rootdisk0p1 too (erlinit's README). */
        n = device_plan_rootdisk(machine, 6, 8, 1, links, 8);
        assert_int_equal(n, 2);
        assert_string_equal(links[0].name, "sda");
        assert_string_equal(links[1].link, "/dev/rootdisk0p1");
}

static void rootdisk_needs_a_partition_as_root(void **state) {
        struct rootdisk_link links[8];
        (void)state;
        assert_int_equal(device_plan_rootdisk(machine, 6, 179, 0, links, 8), 0);  /* a whole disk */
        assert_int_equal(device_plan_rootdisk(machine, 6, 0, 2, links, 8), 0);    /* an initramfs (tmpfs) */
        assert_int_equal(device_plan_rootdisk(machine, 0, 179, 2, links, 8), 0);
        assert_int_equal(device_plan_rootdisk(machine, 6, 179, 2, links, 2), 2);  /* bounded by max */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(reboot_argument_rows),
                cmocka_unit_test(reboot_argument_longer_than_the_kernel_takes_is_refused),
                cmocka_unit_test(tty_options_rows),
                cmocka_unit_test(clock_floor_rows),
                cmocka_unit_test(rootdisk_links_the_disk_and_all_its_partitions),
                cmocka_unit_test(rootdisk_needs_a_partition_as_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
