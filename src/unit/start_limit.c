/* SPDX-License-Identifier: MIT */
#include "unit/start_limit.h"

bool start_limit_allow(struct start_limit *s, uint64_t interval_usec, unsigned burst, uint64_t now) {
        if (interval_usec == 0 || burst == 0)
                return true;
        if (s->window_begin == 0 || now < s->window_begin || now - s->window_begin >= interval_usec) {
                s->window_begin = now ? now : 1;
                s->count = 0;
        }
        if (s->count < burst) {
                s->count++;
                return true;
        }
        return false;
}

void start_limit_reset(struct start_limit *s) {
        s->window_begin = 0;
        s->count = 0;
}
