/* SPDX-License-Identifier: MIT */
/*
 * The sd_notify socket at the syscall boundary: a SOCK_DGRAM Unix socket
 * with SO_PASSCRED, bound to a path or to an abstract name ("@name", as
 * NOTIFY_SOCKET spells it), and one non-blocking receive that returns the
 * datagram, the sender's credentials and any fds it carried. Returns 0/fd/
 * bytes or -errno; never logs; knows nothing of units.
 */
#ifndef VIGIL_OS_NOTIFY_SOCKET_H
#define VIGIL_OS_NOTIFY_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OS_NOTIFY_MAX_FDS 16  /* fds kept per datagram; more are closed at once */

/* Bind the socket at address ("/path" or "@abstract"). A path is created
 * mode 0777 (anyone may send; the sender's credentials decide what counts),
 * replacing a stale socket file but never one a live process listens on
 * (-EADDRINUSE). The receive buffer is raised so bursts are queued, not lost. */
int os_notify_socket_open(const char *address, int *ret_fd);

struct os_datagram {
        size_t len;            /* bytes in the caller's buffer */
        bool truncated;        /* longer than the buffer: the rest is lost */
        bool has_creds;
        pid_t pid;             /* SCM_CREDENTIALS, as seen from vigil's pid namespace (0: not visible) */
        uid_t uid;
        gid_t gid;
        int fds[OS_NOTIFY_MAX_FDS];  /* close-on-exec; the caller closes them */
        size_t n_fds;
        bool fds_truncated;    /* more fds were sent than kept (those are closed) */
};

/* Receive one datagram without blocking: 0 with *ret filled, -EAGAIN when
 * the queue is empty, other -errno on error. */
int os_notify_recv(int fd, char *buf, size_t cap, struct os_datagram *ret);

/* Remove the socket file of a path address (nothing for an abstract one). */
void os_notify_socket_unlink(const char *address);

/* The client side: send one datagram msg[0..len) to address ("/path" or
 * "@abstract", as $NOTIFY_SOCKET spells it) from a fresh socket, closed
 * again before returning, with pass_fd attached (SCM_RIGHTS) unless it is
 * -1. 0 or -errno. */
int os_notify_send(const char *address, const void *msg, size_t len, int pass_fd);
/* A client socket for os_notify_send_nowait(), kept by the caller across
 * datagrams (vigil telling its outer manager: one socket, not one per
 * WATCHDOG=1): unbound, non-blocking, close-on-exec. 0 or -errno. */
int os_notify_client_open(int *ret_fd);
/* One datagram msg[0..len) from fd (os_notify_client_open()) to address,
 * without blocking and without fds: -EAGAIN when the receiver's queue is
 * full, -ENOENT/-ECONNREFUSED when nobody listens there. */
int os_notify_send_nowait(int fd, const char *address, const void *msg, size_t len);

#endif
