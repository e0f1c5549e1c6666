/* SPDX-License-Identifier: MIT */
#include "base/kcmdline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int kcmdline_vigil_args(const char *cmdline, struct strv *ret) {
        struct strv w = { 0 };
        size_t len = strlen(cmdline);
        char *word = malloc(len + 1);
        if (!word)
                return -ENOMEM;
        const char *p = cmdline;
        int r = 0;
        for (;;) {
                while (words_is_blank(*p))
                        p++;
                if (*p == '\0')
                        break;
                /* One word: quotes toggle, are dropped, and protect blanks. */
                size_t n = 0;
                bool quoted = false;
                for (; *p && (quoted || !words_is_blank(*p)); p++) {
                        if (*p == '"')
                                quoted = !quoted;
                        else
                                word[n++] = *p;
                }
                word[n] = '\0';
                if (strcmp(word, "--") == 0)
                        break;
                size_t plen = strlen(KCMDLINE_PREFIX);
                if (n <= plen || strncmp(word, KCMDLINE_PREFIX, plen) != 0)
                        continue;
                const char *name = word + plen;
                if (*name == '=')
                        continue;
                /* "--" + "NAME[=VALUE]": one word, as "--name=value" on a command line. */
                word[plen - 2] = '-';
                word[plen - 1] = '-';
                r = strv_push_len(&w, word + plen - 2, n - plen + 2);
                if (r < 0)
                        break;
        }
        free(word);
        if (r < 0) {
                strv_free(&w);
                return r;
        }
        if (strv_terminate(&w) < 0)
                return -ENOMEM;
        *ret = w;
        return 0;
}
