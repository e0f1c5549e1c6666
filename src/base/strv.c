/* SPDX-License-Identifier: MIT */
#include "base/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int strv_push_owned(struct strv *s, char *str) {
        if (!str)
                return -ENOMEM;
        char **v = s->n < STRV_MAX ? realloc(s->v, (s->n + 2) * sizeof(char *)) : NULL;
        if (!v) {
                free(str);
                return -ENOMEM;
        }
        v[s->n++] = str;
        v[s->n] = NULL;
        s->v = v;
        return 0;
}

int strv_push(struct strv *s, const char *str) {
        return strv_push_owned(s, strdup(str));
}

int strv_push_len(struct strv *s, const char *buf, size_t len) {
        return strv_push_owned(s, strndup(buf, len));
}

int strv_terminate(struct strv *s) {
        if (s->v)
                return 0;
        s->v = calloc(1, sizeof(char *));
        return s->v ? 0 : -ENOMEM;
}

bool strv_contains(const struct strv *s, const char *str) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], str) == 0)
                        return true;
        return false;
}

void strv_free(struct strv *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        s->v = NULL;
        s->n = 0;
}
