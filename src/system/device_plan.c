/* SPDX-License-Identifier: MIT */
#include "system/device_plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The first line of text, trimmed: its start and length. */
static size_t trimmed_line(const char *text, const char **ret_start) {
        while (*text && *text != '\n' && is_space(*text))
                text++;
        size_t len = strcspn(text, "\n");
        while (len > 0 && is_space(text[len - 1]))
                len--;
        *ret_start = text;
        return len;
}

int device_plan_reboot_arg(const char *requested, const char *param_text, char *ret, size_t size) {
        const char *start = NULL;
        size_t len = 0;
        if (requested)
                len = trimmed_line(requested, &start);
        if (len == 0 && param_text)
                len = trimmed_line(param_text, &start);
        ret[0] = '\0';
        if (len == 0)
                return 0;
        if (len > REBOOT_ARG_MAX || len >= size)
                return -E2BIG;
        memcpy(ret, start, len);
        ret[len] = '\0';
        return 1;
}

int device_plan_tty_options(const char *text, struct tty_line *ret, const char **ret_why) {
        unsigned long baud = 0;
        const char *p = text;
        *ret = (struct tty_line){ .parity = 'n', .bits = 8 };
        for (; *p >= '0' && *p <= '9'; p++) {
                baud = baud * 10 + (unsigned long)(*p - '0');
                if (baud > 100000000UL) {
                        *ret_why = "baud rate too large";
                        return -EINVAL;
                }
        }
        if (p == text || baud == 0) {
                *ret_why = "expected BAUD[PARITY[BITS]], e.g. 115200n8";
                return -EINVAL;
        }
        ret->baud = (unsigned)baud;
        if (*p) {
                if (*p != 'n' && *p != 'o' && *p != 'e') {
                        *ret_why = "parity must be n, o or e";
                        return -EINVAL;
                }
                ret->parity = *p++;
        }
        if (*p) {
                if (*p < '5' || *p > '8' || p[1]) {
                        *ret_why = "bits must be 5, 6, 7 or 8";
                        return -EINVAL;
                }
                ret->bits = (unsigned)(*p - '0');
        }
        return 0;
}

bool device_plan_clock_floor(int64_t now, int64_t build_time, int64_t file_mtime, int64_t *ret_sec,
                             const char **ret_from) {
        bool file_later = file_mtime > build_time;
        int64_t floor = file_later ? file_mtime : build_time;
        *ret_from = file_later ? "--clock-file" : "the build time";
        if (floor <= 0 || now >= floor)
                return false;
        *ret_sec = floor;
        return true;
}

size_t device_plan_rootdisk(const struct block_dev *devs, size_t n, unsigned root_major, unsigned root_minor,
                            struct rootdisk_link *ret, size_t max) {
        int disk = -1;
        for (size_t i = 0; i < n && disk < 0; i++)
                if (devs[i].major == root_major && devs[i].minor == root_minor && devs[i].parent >= 0 &&
                    (size_t)devs[i].parent < n)
                        disk = devs[i].parent;
        if (disk < 0 || max == 0)
                return 0;
        size_t k = 0;
        snprintf(ret[k].link, sizeof(ret[k].link), "/dev/rootdisk0");
        ret[k++].name = devs[disk].name;
        for (size_t i = 0; i < n && k < max; i++) {
                if (devs[i].parent != disk || devs[i].partition == 0)
                        continue;
                snprintf(ret[k].link, sizeof(ret[k].link), "/dev/rootdisk0p%u", devs[i].partition);
                ret[k++].name = devs[i].name;
        }
        return k;
}
