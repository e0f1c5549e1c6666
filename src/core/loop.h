/* SPDX-License-Identifier: MIT */
/*
 * The one event loop of vigil (STYLE §5): epoll over every fd vigil watches,
 * plus one timerfd armed to the earliest deadline of a min-heap. With nothing
 * due it blocks forever: no tick, zero wake-ups when idle.
 *
 * Ownership: struct loop_io and struct loop_timer are embedded in their
 * owners; the loop only points at them. An io deleted while its event is in
 * the batch being dispatched is skipped, so a callback may delete any io.
 */
#ifndef VIGIL_CORE_LOOP_H
#define VIGIL_CORE_LOOP_H

#include "core/timer_heap.h"

#include <stdbool.h>
#include <stdint.h>

struct loop_io;
typedef void (*loop_io_fn)(struct loop_io *io, uint32_t events);

struct loop_io {
        int fd;
        loop_io_fn ready;
        void *data;
};

int loop_init(void);
void loop_free(void);

int loop_io_add(struct loop_io *io, uint32_t events);
int loop_io_mod(struct loop_io *io, uint32_t events);
void loop_io_del(struct loop_io *io);

/* Arm (or move) t to fire at the absolute deadline; 0 or -ENOMEM. */
int loop_timer_arm(struct loop_timer *t, uint64_t deadline);
int loop_timer_arm_in(struct loop_timer *t, uint64_t usec_from_now);
void loop_timer_cancel(struct loop_timer *t);

uint64_t loop_now(void);

/* fn runs after every batch of events, before the loop sleeps again: the
 * place where knock-on effects queued by the callbacks settle (STYLE §3). */
void loop_set_settle(void (*fn)(void));

/* Signals taken by a handler inside the wait (os/signals.h, fast
 * forwarding): before() runs right before each wait and returns the signal
 * mask for it (NULL: a plain wait); after() runs right after each wait it
 * returned a mask for, before any event is dispatched; events: whether the
 * wait returned any (rather than a handler's EINTR). */
void loop_set_wait_signals(const uint64_t *(*before)(void), void (*after)(bool events));

/* Dispatch events until loop_exit() is called; returns its code. */
int loop_run(void);
void loop_exit(int code);

#endif
