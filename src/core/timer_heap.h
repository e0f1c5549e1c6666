/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap of deadlines (STYLE §5): the loop arms its one timerfd to
 * the head. Timers are intrusive (owned by whoever arms them) and know their
 * heap index, so cancel and re-arm are O(log n), never a scan. Pure: no
 * syscalls, no clock; the caller passes deadlines.
 */
#ifndef VIGIL_CORE_TIMER_HEAP_H
#define VIGIL_CORE_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define TIMER_NOT_ARMED SIZE_MAX

struct loop_timer;
typedef void (*loop_timer_fn)(struct loop_timer *t);

struct loop_timer {
        uint64_t deadline;      /* CLOCK_MONOTONIC usec */
        uint64_t seq;           /* arming order: equal deadlines fire first-armed-first */
        size_t heap_index;      /* TIMER_NOT_ARMED when not in the heap */
        loop_timer_fn fire;
        void *data;
};

struct timer_heap {
        struct loop_timer **v;
        size_t n, cap;
        uint64_t next_seq;
};

void loop_timer_init(struct loop_timer *t, loop_timer_fn fire, void *data);
/* Insert or move t. -ENOMEM leaves the heap as it was (t not armed). */
int timer_heap_arm(struct timer_heap *h, struct loop_timer *t, uint64_t deadline);
void timer_heap_cancel(struct timer_heap *h, struct loop_timer *t);
struct loop_timer *timer_heap_peek(const struct timer_heap *h);
/* Remove and return the head if its deadline is <= now, else NULL. */
struct loop_timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now);
void timer_heap_free(struct timer_heap *h);

#endif
