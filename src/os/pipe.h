/* SPDX-License-Identifier: MIT */
/*
 * Output pipes of children, and a writer for vigil's stdout that never
 * blocks. Returns 0/fd/bytes or -errno; never logs.
 */
#ifndef VIGIL_OS_PIPE_H
#define VIGIL_OS_PIPE_H

#include <stddef.h>
#include <sys/types.h>

/* A pipe, both ends O_CLOEXEC and above 2 (so a spawn plan can dup2 the
 * write end onto 0-2 even when vigil's own 0-2 are closed); the read end is
 * O_NONBLOCK, the write end blocking (the child's stdout is). */
int os_pipe_open(int *ret_read_fd, int *ret_write_fd);

/* One read(), retrying EINTR: bytes, 0 at EOF, -EAGAIN when empty. */
ssize_t os_read(int fd, void *buf, size_t len);

enum os_output_kind {
        OS_OUTPUT_NONBLOCK,  /* a private O_NONBLOCK open of the same pipe, FIFO or tty */
        OS_OUTPUT_SOCKET,    /* the fd itself, written with send(MSG_DONTWAIT) */
        OS_OUTPUT_FILE,      /* regular file or block device: writes do not wait for a reader */
        OS_OUTPUT_POLLED,    /* reopening failed: the fd itself, written only when poll()
                              * says so and at most PIPE_BUF bytes at a time */
};

/* How to write to fd without blocking and without changing the flags of its
 * open file description, which vigil shares with the main command and the
 * terminal. *ret_fd is a new fd (close it) for OS_OUTPUT_NONBLOCK, else fd. */
int os_output_open(int fd, int *ret_fd, enum os_output_kind *ret_kind);

/* One non-blocking write of up to len bytes: bytes written or -errno
 * (-EAGAIN when full; -EPIPE when nobody reads, without SIGPIPE for sockets). */
ssize_t os_output_write(int fd, enum os_output_kind kind, const void *buf, size_t len);

/* Wait up to timeout_ms for fd to be writable: 1 yes, 0 timed out, -errno. */
int os_wait_writable(int fd, int timeout_ms);

#endif
