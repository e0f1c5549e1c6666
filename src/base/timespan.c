/* SPDX-License-Identifier: MIT */
#include "base/timespan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Unit suffixes accepted by systemd.time(7), longest spellings first where
 * one is a prefix of another ("ms" before "m", "min" before "m"). */
static const struct {
        const char *suffix;
        uint64_t usec;
} units[] = {
        { "usec", 1 },
        { "us", 1 },
        { "µs", 1 },
        { "msec", USEC_PER_MSEC },
        { "ms", USEC_PER_MSEC },
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "minute", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "months", 2629800 * USEC_PER_SEC },
        { "month", 2629800 * USEC_PER_SEC },
        { "M", 2629800 * USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "hour", 3600 * USEC_PER_SEC },
        { "hr", 3600 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "days", 86400 * USEC_PER_SEC },
        { "day", 86400 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
        { "weeks", 604800 * USEC_PER_SEC },
        { "week", 604800 * USEC_PER_SEC },
        { "w", 604800 * USEC_PER_SEC },
        { "years", 31557600 * USEC_PER_SEC },
        { "year", 31557600 * USEC_PER_SEC },
        { "y", 31557600 * USEC_PER_SEC },
};

static bool is_space(char c) {
        return c == ' ' || c == '\t';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Match the unit suffix at *p: the suffix must end at a space, a digit or
 * the end of the string ("5min3s" is valid systemd). */
static int match_unit(const char **p, uint64_t default_unit, uint64_t *ret) {
        if (**p == '\0' || is_space(**p)) {
                *ret = default_unit;
                return 0;
        }
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                size_t n = strlen(units[i].suffix);
                if (strncmp(*p, units[i].suffix, n) != 0)
                        continue;
                char next = (*p)[n];
                if (next != '\0' && !is_space(next) && !is_digit(next))
                        continue;
                *p += n;
                *ret = units[i].usec;
                return 0;
        }
        return -EINVAL;
}

/* One "<number>[.<fraction>]<unit>" component. */
static int parse_component(const char **p, uint64_t default_unit, uint64_t *ret) {
        uint64_t whole = 0, frac_num = 0, frac_den = 1, unit;
        bool digits = false;

        while (is_digit(**p)) {
                if (whole > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t)(**p - '0');
                (*p)++;
                digits = true;
        }
        if (**p == '.') {
                (*p)++;
                while (is_digit(**p)) {
                        /* Beyond nanosecond precision the digits cannot matter. */
                        if (frac_den < UINT64_C(1000000000000)) {
                                frac_num = frac_num * 10 + (uint64_t)(**p - '0');
                                frac_den *= 10;
                        }
                        (*p)++;
                        digits = true;
                }
        }
        if (!digits)
                return -EINVAL;
        while (is_space(**p))
                (*p)++;
        int r = match_unit(p, default_unit, &unit);
        if (r < 0)
                return r;
        if (unit != 0 && whole > UINT64_MAX / unit)
                return -ERANGE;
        uint64_t value = whole * unit;
        /* frac_num < frac_den <= 1e12 and unit <= ~3.2e13: split to avoid overflow. */
        uint64_t frac = (unit / frac_den) * frac_num + ((unit % frac_den) * frac_num) / frac_den;
        if (value > UINT64_MAX - frac)
                return -ERANGE;
        *ret = value + frac;
        return 0;
}

int timespan_parse(const char *text, uint64_t default_unit_usec, uint64_t *ret_usec) {
        const char *p = text;
        uint64_t total = 0;
        bool any = false;

        while (is_space(*p))
                p++;
        if (strcmp(p, "infinity") == 0) {
                *ret_usec = TIMESPAN_INFINITY;
                return 0;
        }
        while (*p != '\0') {
                uint64_t part;
                if (*p == '-' || *p == '+')
                        return -EINVAL;
                int r = parse_component(&p, default_unit_usec, &part);
                if (r < 0)
                        return r;
                if (total > UINT64_MAX - 1 - part)
                        return -ERANGE;
                total += part;
                any = true;
                while (is_space(*p))
                        p++;
        }
        if (!any)
                return -EINVAL;
        *ret_usec = total;
        return 0;
}

const char *timespan_format(uint64_t usec, char *buf, size_t size) {
        if (usec == TIMESPAN_INFINITY)
                snprintf(buf, size, "infinity");
        else if (usec % USEC_PER_SEC == 0)
                snprintf(buf, size, "%llus", (unsigned long long)(usec / USEC_PER_SEC));
        else if (usec >= USEC_PER_SEC)
                snprintf(buf, size, "%llu.%06llus", (unsigned long long)(usec / USEC_PER_SEC),
                         (unsigned long long)(usec % USEC_PER_SEC));
        else if (usec % USEC_PER_MSEC == 0)
                snprintf(buf, size, "%llums", (unsigned long long)(usec / USEC_PER_MSEC));
        else
                snprintf(buf, size, "%lluus", (unsigned long long)usec);
        return buf;
}
