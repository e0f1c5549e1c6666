/* SPDX-License-Identifier: MIT */
/*
 * One sd_notify(3) datagram, parsed (SPEC §5; issue 4 groundwork): newline
 * separated KEY=VALUE assignments, the last one optionally unterminated, as
 * systemd's manager reads them. Pure: no syscalls, no logging; the caller
 * attributes the sender and applies NotifyAccess=.
 *
 * Whole-datagram rejections, as systemd's manager_dispatch_notify_fd():
 * empty, longer than NOTIFY_MSG_MAX, or holding a NUL byte -> -EBADMSG.
 * Field-level problems never reject the rest: a bad value (MAINPID=abc,
 * STATUS= not UTF-8, WATCHDOG=maybe) is counted in n_invalid and that field
 * is ignored; an unknown key, or a line without '=', is counted in
 * n_unknown (systemd ignores both silently; vigil counts them for status).
 */
#ifndef VIGIL_NOTIFY_NOTIFY_MSG_H
#define VIGIL_NOTIFY_NOTIFY_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NOTIFY_MSG_MAX 4096   /* systemd's NOTIFY_BUFFER_MAX (PIPE_BUF) */

enum {
        NOTIFY_READY = 1u << 0,             /* READY=1 */
        NOTIFY_RELOADING = 1u << 1,         /* RELOADING=1 */
        NOTIFY_STOPPING = 1u << 2,          /* STOPPING=1 */
        NOTIFY_WATCHDOG = 1u << 3,          /* WATCHDOG=1 */
        NOTIFY_WATCHDOG_TRIGGER = 1u << 4,  /* WATCHDOG=trigger */
        NOTIFY_BARRIER = 1u << 5,           /* BARRIER=1 (ack: close the passed fd) */
        NOTIFY_HAS_STATUS = 1u << 6,
        NOTIFY_HAS_ERRNO = 1u << 7,
        NOTIFY_HAS_MAINPID = 1u << 8,
        NOTIFY_HAS_WATCHDOG_USEC = 1u << 9,
        NOTIFY_HAS_EXTEND_TIMEOUT = 1u << 10,
        NOTIFY_HAS_MONOTONIC = 1u << 11,    /* MONOTONIC_USEC= (sent with RELOADING=1) */
};

struct notify_msg {
        unsigned flags;
        const char *status;          /* into the parsed buffer, not NUL-terminated */
        size_t status_len;
        int error;                   /* ERRNO= */
        pid_t main_pid;              /* MAINPID= (> 0) */
        uint64_t watchdog_usec;      /* WATCHDOG_USEC= (0: the watchdog off for this run) */
        uint64_t extend_timeout_usec;/* EXTEND_TIMEOUT_USEC= */
        uint64_t monotonic_usec;     /* MONOTONIC_USEC= */
        unsigned n_unknown, n_invalid;
};

/* Parse buf[0..len). Later assignments of the same key win, as in systemd. */
int notify_msg_parse(const char *buf, size_t len, struct notify_msg *ret);

#endif
