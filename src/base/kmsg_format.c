/* SPDX-License-Identifier: MIT */
#include "base/kmsg_format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int kmsg_priority(int level) {
        if (level < 0)
                level = 0;
        if (level > 7)
                level = 7;
        return KMSG_FACILITY_DAEMON * 8 + level;
}

/* Copy text into dst[0..room), control bytes as spaces, cut before a
 * UTF-8 continuation byte so no character is split. */
static size_t put_clean(char *dst, size_t room, const char *text) {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)text; *p && n < room; p++)
                dst[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
                n--;   /* cut inside a character: back off to its start */
        return n;
}

size_t kmsg_format_record(int level, const char *ident, const char *text, char *dst, size_t room) {
        if (room > KMSG_RECORD_MAX)
                room = KMSG_RECORD_MAX;
        int h = snprintf(dst, room, "<%d>%s: ", kmsg_priority(level), ident);
        if (h < 0 || (size_t)h + 2 > room)
                return 0;
        size_t n = (size_t)h + put_clean(dst + h, room - (size_t)h - 1, text);
        dst[n++] = '\n';
        return n;
}

size_t kmsg_format_breadcrumb(uint64_t realtime_usec, const char *text, char *dst, size_t room) {
        if (room > KMSG_BREADCRUMB_MAX)
                room = KMSG_BREADCRUMB_MAX;
        time_t secs = (time_t)(realtime_usec / 1000000);
        struct tm tm;
        char stamp[32] = "1970-01-01T00:00:00";
        if (gmtime_r(&secs, &tm))
                strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        int h = snprintf(dst, room, "%s.%06uZ vigil: ", stamp, (unsigned)(realtime_usec % 1000000));
        if (h < 0 || (size_t)h + 2 > room)
                return 0;
        size_t n = (size_t)h + put_clean(dst + h, room - (size_t)h - 1, text);
        dst[n++] = '\n';
        return n;
}

size_t kmsg_tail(const char *text, size_t len, size_t max_lines, char *dst, size_t room) {
        if (room == 0)
                return 0;
        dst[0] = '\0';
        if (max_lines == 0)
                return 0;
        /* Walk back over max_lines line ends (a last line without '\n' counts). */
        size_t start = len, lines = 0;
        if (start > 0 && text[start - 1] == '\n')
                start--;
        while (start > 0 && lines < max_lines) {
                if (text[start - 1] == '\n' && ++lines == max_lines)
                        break;
                start--;
        }
        size_t n = 0;
        for (size_t i = start; i < len;) {
                size_t e = i;
                while (e < len && text[e] != '\n')
                        e++;
                size_t b = i;
                if (b < e && text[b] == '<') {
                        size_t q = b + 1;
                        while (q < e && text[q] >= '0' && text[q] <= '9')
                                q++;
                        if (q < e && text[q] == '>')
                                b = q + 1;
                }
                /* Lines past the room are dropped from the front: keep the newest. */
                size_t need = e - b + 1;
                if (need < room) {
                        while (n + need >= room) {
                                char *nl = memchr(dst, '\n', n);
                                size_t cut = nl ? (size_t)(nl - dst) + 1 : n;
                                memmove(dst, dst + cut, n - cut);
                                n -= cut;
                        }
                        memcpy(dst + n, text + b, e - b);
                        n += e - b;
                        dst[n++] = '\n';
                }
                i = e + 1;
        }
        dst[n] = '\0';
        return n;
}
