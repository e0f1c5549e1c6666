/* SPDX-License-Identifier: MIT */
#include "base/utf8.h"

size_t utf8_sequence(const unsigned char *p, size_t len) {
        unsigned char c = p[0], lo = 0x80, hi = 0xbf;
        size_t n;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlongs */
                hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                lo = c == 0xf0 ? 0x90 : 0x80;
                hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
        } else {
                return 0;
        }
        if (len < n || p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        return n;
}

bool utf8_is_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *)s;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_sequence(p + i, len - i);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}
