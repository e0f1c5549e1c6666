/* SPDX-License-Identifier: MIT */
#include "base/num.h"

#include <errno.h>

int num_parse_u64(const char *text, uint64_t *ret) {
        uint64_t value = 0;
        const char *p = text;

        if (*p == '\0')
                return -EINVAL;
        for (; *p != '\0'; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                uint64_t digit = (uint64_t)(*p - '0');
                if (value > (UINT64_MAX - digit) / 10)
                        return -ERANGE;
                value = value * 10 + digit;
        }
        *ret = value;
        return 0;
}

int num_parse_u64_max(const char *text, uint64_t max, uint64_t *ret) {
        uint64_t value;
        int r = num_parse_u64(text, &value);
        if (r < 0)
                return r;
        if (value > max)
                return -ERANGE;
        *ret = value;
        return 0;
}
