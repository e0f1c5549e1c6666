/* SPDX-License-Identifier: MIT */
#include "core/timer_heap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

void loop_timer_init(struct loop_timer *t, loop_timer_fn fire, void *data) {
        t->deadline = 0;
        t->seq = 0;
        t->heap_index = TIMER_NOT_ARMED;
        t->fire = fire;
        t->data = data;
}

static bool before(const struct loop_timer *a, const struct loop_timer *b) {
        return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(struct timer_heap *h, size_t i, struct loop_timer *t) {
        h->v[i] = t;
        t->heap_index = i;
}

static void sift_up(struct timer_heap *h, size_t i) {
        struct loop_timer *t = h->v[i];
        while (i > 0) {
                size_t parent = (i - 1) / 2;
                if (!before(t, h->v[parent]))
                        break;
                place(h, i, h->v[parent]);
                i = parent;
        }
        place(h, i, t);
}

static void sift_down(struct timer_heap *h, size_t i) {
        struct loop_timer *t = h->v[i];
        for (;;) {
                size_t child = 2 * i + 1;
                if (child >= h->n)
                        break;
                if (child + 1 < h->n && before(h->v[child + 1], h->v[child]))
                        child++;
                if (!before(h->v[child], t))
                        break;
                place(h, i, h->v[child]);
                i = child;
        }
        place(h, i, t);
}

void timer_heap_cancel(struct timer_heap *h, struct loop_timer *t) {
        size_t i = t->heap_index;
        if (i == TIMER_NOT_ARMED || i >= h->n || h->v[i] != t)
                return;
        t->heap_index = TIMER_NOT_ARMED;
        h->n--;
        if (i == h->n)
                return;
        struct loop_timer *moved = h->v[h->n];
        place(h, i, moved);
        sift_up(h, i);
        sift_down(h, moved->heap_index);
}

int timer_heap_arm(struct timer_heap *h, struct loop_timer *t, uint64_t deadline) {
        if (t->heap_index != TIMER_NOT_ARMED)
                timer_heap_cancel(h, t);
        if (h->n == h->cap) {
                size_t cap = h->cap ? h->cap * 2 : 16;
                struct loop_timer **v = realloc(h->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                h->v = v;
                h->cap = cap;
        }
        t->deadline = deadline;
        t->seq = h->next_seq++;
        place(h, h->n++, t);
        sift_up(h, h->n - 1);
        return 0;
}

struct loop_timer *timer_heap_peek(const struct timer_heap *h) {
        return h->n > 0 ? h->v[0] : NULL;
}

struct loop_timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now) {
        struct loop_timer *t = timer_heap_peek(h);
        if (!t || t->deadline > now)
                return NULL;
        timer_heap_cancel(h, t);
        return t;
}

void timer_heap_free(struct timer_heap *h) {
        for (size_t i = 0; i < h->n; i++)
                h->v[i]->heap_index = TIMER_NOT_ARMED;
        free(h->v);
        h->v = NULL;
        h->n = h->cap = 0;
}
