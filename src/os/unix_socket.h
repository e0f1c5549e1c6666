/* SPDX-License-Identifier: MIT */
/*
 * Unix sockets by the address forms NOTIFY_SOCKET uses ("/path" or
 * "@abstract"), and the stream socket of the control interface: listen,
 * accept with the peer's credentials, non-blocking reads and writes, and a
 * client's connect. Returns 0/fd/bytes or -errno; never logs.
 */
#ifndef VIGIL_OS_UNIX_SOCKET_H
#define VIGIL_OS_UNIX_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* address -> sockaddr; -EINVAL if empty, "@" alone, or too long. */
int os_unix_address(const char *address, struct sockaddr_un *sa, socklen_t *ret_len);

/* Before bind(): make a path address free. A stale socket file (nobody
 * accepts on it) is removed; a live one is -EADDRINUSE; another kind of
 * file -EEXIST. Nothing to do for an abstract address. */
int os_unix_claim_path(const char *address, int type);

/* A listening SOCK_STREAM socket (non-blocking, close-on-exec); a path is
 * created with mode. */
int os_stream_listen(const char *address, mode_t mode, int *ret_fd);

/* Accept one connection, non-blocking and close-on-exec, with the peer's
 * credentials (SO_PEERCRED). -EAGAIN when none is pending. */
int os_stream_accept(int listen_fd, int *ret_fd, pid_t *ret_pid, uid_t *ret_uid);

/* Blocking connect (the client side). */
int os_stream_connect(const char *address, int *ret_fd);
/* The same, with every later send and receive on the socket (and the
 * connect itself, when the listener's queue is full) bounded by
 * timeout_ms (SO_SNDTIMEO, SO_RCVTIMEO): a late peer gives -EAGAIN. */
int os_stream_connect_timeout(const char *address, int timeout_ms, int *ret_fd);

/* One non-blocking read / write (no SIGPIPE): bytes, 0 at EOF (read), -EAGAIN. */
ssize_t os_stream_read(int fd, void *buf, size_t len);
ssize_t os_stream_write(int fd, const void *buf, size_t len);
/* One blocking read / write (the client side; no SIGPIPE, EINTR retried):
 * bytes, 0 at EOF (read), or -errno. */
ssize_t os_stream_recv(int fd, void *buf, size_t len);
ssize_t os_stream_send(int fd, const void *buf, size_t len);
/* shutdown(SHUT_WR): the peer reads EOF after what was sent. */
int os_stream_shutdown_write(int fd);

#endif
