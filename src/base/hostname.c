/* SPDX-License-Identifier: MIT */
#include "base/hostname.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static void put(char *ret, size_t *n, char c) {
        if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
                return;
        if (*n < HOSTNAME_MAX)
                ret[(*n)++] = c;
}

int hostname_expand(const char *pattern, const char *id, char *ret) {
        size_t n = 0, idlen = strlen(id);
        for (const char *p = pattern; *p; p++) {
                if (*p != '%') {
                        put(ret, &n, *p);
                        continue;
                }
                p++;
                if (*p == '%') {
                        put(ret, &n, '%');
                        continue;
                }
                if (*p == 's') {
                        for (size_t i = 0; i < idlen; i++)
                                put(ret, &n, id[i]);
                        continue;
                }
                bool right = false;
                if (*p == '-') {
                        right = true;
                        p++;
                }
                if (*p != '.' || !(p[1] >= '0' && p[1] <= '9'))
                        return -EINVAL;
                p++;
                size_t width = (size_t)(*p - '0');
                if (p[1] >= '0' && p[1] <= '9')
                        width = width * 10 + (size_t)(*++p - '0');
                if (*++p != 's')
                        return -EINVAL;
                size_t take = width < idlen ? width : idlen;
                const char *from = right ? id + idlen - take : id;
                for (size_t i = 0; i < take; i++)
                        put(ret, &n, from[i]);
        }
        ret[n] = '\0';
        return n ? 0 : -ENOENT;
}

int hostname_id_from_output(const char *out, size_t len, char *ret) {
        size_t i = 0, n = 0;
        while (i < len && (out[i] == ' ' || out[i] == '\t' || out[i] == '\n' || out[i] == '\r'))
                i++;
        while (i < len && n < 63 && out[i] && out[i] != ' ' && out[i] != '\t' && out[i] != '\n' &&
               out[i] != '\r')
                ret[n++] = out[i++];
        ret[n] = '\0';
        return n ? 0 : -ENOENT;
}
