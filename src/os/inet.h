/* SPDX-License-Identifier: MIT */
/*
 * TCP client sockets for the health probes (supervise/unit_probe.c): a
 * non-blocking connect the event loop completes, its outcome, and
 * non-blocking sends. Every socket is SOCK_NONBLOCK | SOCK_CLOEXEC; reads
 * use os_read() (os/pipe.h). Returns 0/fd/bytes or -errno; never logs.
 */
#ifndef VIGIL_OS_INET_H
#define VIGIL_OS_INET_H

#include "base/inet_target.h"

#include <stddef.h>
#include <sys/types.h>

/* Begin a connection to t: 0 connected at once, 1 in progress (wait for
 * the fd to be writable, then os_socket_error()), -errno (no fd left open).
 * *ret_fd is set for 0 and 1. */
int os_tcp_connect(const struct inet_target *t, int *ret_fd);

/* The connection's outcome once writable: 0 connected, or -errno (SO_ERROR). */
int os_socket_error(int fd);

/* One non-blocking send without SIGPIPE, retrying EINTR: bytes or -errno. */
ssize_t os_socket_send(int fd, const void *buf, size_t len);

#endif
