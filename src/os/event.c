/* SPDX-License-Identifier: MIT */
#include "os/event.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int os_epoll_create(void) {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int epoll_op(int epfd, int op, int fd, uint32_t events, void *data) {
        struct epoll_event ev = { .events = events, .data.ptr = data };
        return epoll_ctl(epfd, op, fd, &ev) < 0 ? -errno : 0;
}

int os_epoll_add(int epfd, int fd, uint32_t events, void *data) {
        return epoll_op(epfd, EPOLL_CTL_ADD, fd, events, data);
}

int os_epoll_mod(int epfd, int fd, uint32_t events, void *data) {
        return epoll_op(epfd, EPOLL_CTL_MOD, fd, events, data);
}

int os_epoll_del(int epfd, int fd) {
        return epoll_op(epfd, EPOLL_CTL_DEL, fd, 0, NULL);
}

int os_epoll_wait(int epfd, struct os_event *ret, int max, int timeout_ms) {
        struct epoll_event ev[32];
        if (max > 32)
                max = 32;
        int n = epoll_wait(epfd, ev, max, timeout_ms);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        for (int i = 0; i < n; i++) {
                ret[i].events = ev[i].events;
                ret[i].data = ev[i].data.ptr;
        }
        return n;
}

int os_epoll_pwait(int epfd, struct os_event *ret, int max, int timeout_ms, const uint64_t *mask) {
        if (!mask)
                return os_epoll_wait(epfd, ret, max, timeout_ms);
        struct epoll_event ev[32];
        if (max > 32)
                max = 32;
        /* Raw: the kernel's 64-bit mask, as os/signals.c builds it (the libc
         * wrappers refuse the signals they reserve). */
        long n = syscall(SYS_epoll_pwait, epfd, ev, max, timeout_ms, mask, sizeof(*mask));
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        for (long i = 0; i < n; i++) {
                ret[i].events = ev[i].events;
                ret[i].data = ev[i].data.ptr;
        }
        return (int)n;
}

int os_timerfd_create(void) {
        int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

int os_timerfd_set(int fd, uint64_t deadline_usec) {
        struct itimerspec its = { 0 };
        its.it_value.tv_sec = (time_t)(deadline_usec / 1000000);
        its.it_value.tv_nsec = (long)(deadline_usec % 1000000) * 1000;
        /* A deadline of exactly 0 would disarm; anything due is "now". */
        if (deadline_usec != 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1;
        return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

int os_timerfd_drain(int fd) {
        uint64_t count;
        ssize_t n;
        do
                n = read(fd, &count, sizeof(count));
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        return 1;
}

uint64_t os_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t os_realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
