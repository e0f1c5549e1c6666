/* SPDX-License-Identifier: MIT */
#include "core/loop.h"

#include "core/log.h"
#include "os/event.h"
#include "os/fd.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static int epoll_fd = -1;
static struct loop_io timer_io = { .fd = -1 };
static struct timer_heap timers;
static uint64_t armed_deadline;      /* what the timerfd is set to; 0 = disarmed */
static struct os_event batch[32];     /* events being dispatched */
static int batch_len;
static bool exiting;
static int exit_code;

static void fire_due_timers(struct loop_io *io, uint32_t events) {
        (void)events;
        (void)os_timerfd_drain(io->fd);
        armed_deadline = 0; /* expired: the kernel disarmed it */
        uint64_t now = os_now_usec();
        struct loop_timer *t;
        while ((t = timer_heap_pop_due(&timers, now)))
                t->fire(t);
}

int loop_init(void) {
        epoll_fd = os_epoll_create();
        if (epoll_fd < 0)
                return epoll_fd;
        int fd = os_timerfd_create();
        if (fd < 0)
                return fd;
        timer_io.fd = fd;
        timer_io.ready = fire_due_timers;
        return loop_io_add(&timer_io, OS_EVENT_IN);
}

void loop_free(void) {
        timer_heap_free(&timers);
        os_close(timer_io.fd);
        os_close(epoll_fd);
        timer_io.fd = epoll_fd = -1;
}

int loop_io_add(struct loop_io *io, uint32_t events) {
        return os_epoll_add(epoll_fd, io->fd, events, io);
}

int loop_io_mod(struct loop_io *io, uint32_t events) {
        return os_epoll_mod(epoll_fd, io->fd, events, io);
}

void loop_io_del(struct loop_io *io) {
        (void)os_epoll_del(epoll_fd, io->fd);
        for (int i = 0; i < batch_len; i++)
                if (batch[i].data == io)
                        batch[i].data = NULL;
}

int loop_timer_arm(struct loop_timer *t, uint64_t deadline) {
        return timer_heap_arm(&timers, t, deadline);
}

int loop_timer_arm_in(struct loop_timer *t, uint64_t usec_from_now) {
        return loop_timer_arm(t, os_now_usec() + usec_from_now);
}

void loop_timer_cancel(struct loop_timer *t) {
        timer_heap_cancel(&timers, t);
}

static void (*settle)(void);

uint64_t loop_now(void) {
        return os_now_usec();
}

void loop_exit(int code) {
        exiting = true;
        exit_code = code;
}

/* Keep the timerfd on the heap's head; a syscall only when it changes. */
static void rearm_timerfd(void) {
        struct loop_timer *head = timer_heap_peek(&timers);
        uint64_t want = head ? head->deadline : 0;
        if (want == armed_deadline)
                return;
        int r = os_timerfd_set(timer_io.fd, want);
        if (r < 0) {
                log_error("cannot arm the loop's timer: %s", strerror(-r));
                return;
        }
        armed_deadline = want;
}

void loop_set_settle(void (*fn)(void)) {
        settle = fn;
}

static const uint64_t *(*wait_before)(void);
static void (*wait_after)(bool events);

void loop_set_wait_signals(const uint64_t *(*before)(void), void (*after)(bool events)) {
        wait_before = before;
        wait_after = after;
}

int loop_run(void) {
        while (!exiting) {
                if (settle)
                        settle();
                if (exiting)
                        break;
                rearm_timerfd();
                const uint64_t *mask = wait_before ? wait_before() : NULL;
                /* 0 on EINTR: a handler ran in the wait; one more turn. */
                int n = os_epoll_pwait(epoll_fd, batch, 32, -1, mask);
                if (mask && wait_after)
                        wait_after(n > 0);
                if (n < 0) {
                        /* Only EBADF/EFAULT/EINVAL: a bug, not a condition to spin on. */
                        log_error("epoll_wait failed: %s", strerror(-n));
                        return 1;
                }
                batch_len = n;
                for (int i = 0; i < n && !exiting; i++) {
                        struct loop_io *io = batch[i].data;
                        if (io)
                                io->ready(io, batch[i].events);
                }
                batch_len = 0;
        }
        exiting = false; /* loop_run() may be called again (tests, shutdown phases) */
        return exit_code;
}
