/* SPDX-License-Identifier: MIT */
/* epoll, one timerfd and the monotonic clock. Returns 0/fd or -errno. */
#ifndef VIGIL_OS_EVENT_H
#define VIGIL_OS_EVENT_H

#include <stdint.h>

#define OS_EVENT_IN 0x001u
#define OS_EVENT_PRI 0x002u   /* EPOLLPRI: a kernfs file changed (cgroup.events) */
#define OS_EVENT_OUT 0x004u
#define OS_EVENT_ERR 0x008u
#define OS_EVENT_HUP 0x010u

struct os_event {
        uint32_t events;
        void *data;
};

int os_epoll_create(void);
int os_epoll_add(int epfd, int fd, uint32_t events, void *data);
int os_epoll_mod(int epfd, int fd, uint32_t events, void *data);
int os_epoll_del(int epfd, int fd);
/* Block until an event (timeout_ms -1: forever). 0 on EINTR. */
int os_epoll_wait(int epfd, struct os_event *ret, int max, int timeout_ms);
/* The same with mask (a kernel signal mask, bit sig-1) as the signal mask
 * for the wait only (epoll_pwait); NULL: os_epoll_wait. 0 on EINTR, the
 * return of a handler that ran in the wait. */
int os_epoll_pwait(int epfd, struct os_event *ret, int max, int timeout_ms, const uint64_t *mask);

int os_timerfd_create(void);
/* Arm for an absolute CLOCK_MONOTONIC deadline in usec; 0 disarms. */
int os_timerfd_set(int fd, uint64_t deadline_usec);
/* Consume the expiration count (0 if none). */
int os_timerfd_drain(int fd);

uint64_t os_now_usec(void);
/* CLOCK_REALTIME in usec: for timestamps shown to people, never for timers. */
uint64_t os_realtime_usec(void);

#endif
