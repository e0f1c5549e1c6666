/* SPDX-License-Identifier: MIT */
#include "base/words.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

bool words_is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int words_split(const char *line, struct strv *ret) {
        struct strv w = { 0 };
        size_t cap = strlen(line) + 1, len = 0;
        char *buf = malloc(cap);
        const char *p = line;
        int r = 0;

        if (!buf)
                return -ENOMEM;
        for (;;) {
                bool in_word = false;
                while (words_is_blank(*p))
                        p++;
                if (*p == '\0' || *p == '#')
                        break;
                len = 0;
                while (*p != '\0' && !words_is_blank(*p)) {
                        in_word = true;
                        if (*p == '\'') {
                                const char *end = strchr(p + 1, '\'');
                                if (!end) { r = -EINVAL; goto out; }
                                memcpy(buf + len, p + 1, (size_t)(end - p - 1));
                                len += (size_t)(end - p - 1);
                                p = end + 1;
                        } else if (*p == '"') {
                                p++;
                                while (*p != '"') {
                                        if (*p == '\0') { r = -EINVAL; goto out; }
                                        if (*p == '\\' && p[1] != '\0' && strchr("\\\"$`\n", p[1]))
                                                p++;
                                        buf[len++] = *p++;
                                }
                                p++;
                        } else if (*p == '\\') {
                                if (p[1] == '\0') { r = -EINVAL; goto out; }
                                buf[len++] = p[1];
                                p += 2;
                        } else {
                                buf[len++] = *p++;
                        }
                }
                if (in_word) {
                        r = strv_push_len(&w, buf, len);
                        if (r < 0)
                                goto out;
                }
        }
        r = strv_terminate(&w);
out:
        free(buf);
        if (r < 0) {
                strv_free(&w);
                return r;
        }
        *ret = w;
        return 0;
}
