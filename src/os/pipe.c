/* SPDX-License-Identifier: MIT */
#include "os/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Move fd above 2 (keeping O_CLOEXEC) if it landed on 0-2. */
static int above_stdio(int fd) {
        if (fd > 2)
                return fd;
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        int r = moved < 0 ? -errno : moved;
        close(fd);
        return r;
}

int os_pipe_open(int *ret_read_fd, int *ret_write_fd) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        int rd = above_stdio(p[0]);
        int wr = above_stdio(p[1]);
        if (rd < 0 || wr < 0 || fcntl(rd, F_SETFL, O_NONBLOCK) < 0) {
                int r = rd < 0 ? rd : wr < 0 ? wr : -errno;
                if (rd >= 0)
                        close(rd);
                if (wr >= 0)
                        close(wr);
                return r;
        }
        *ret_read_fd = rd;
        *ret_write_fd = wr;
        return 0;
}

ssize_t os_read(int fd, void *buf, size_t len) {
        ssize_t n;
        do
                n = read(fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

int os_output_open(int fd, int *ret_fd, enum os_output_kind *ret_kind) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        *ret_fd = fd;
        if (S_ISSOCK(st.st_mode)) {
                *ret_kind = OS_OUTPUT_SOCKET;
                return 0;
        }
        if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
                *ret_kind = OS_OUTPUT_FILE;
                return 0;
        }
        /* Pipe, FIFO, tty: O_NONBLOCK on fd would change it for everyone
         * sharing the description; a new open of the same object does not. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        int own = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (own >= 0)
                own = above_stdio(own);
        if (own < 0) {
                *ret_kind = OS_OUTPUT_POLLED; /* no /proc, or a FIFO without reader (ENXIO) */
                return 0;
        }
        *ret_fd = own;
        *ret_kind = OS_OUTPUT_NONBLOCK;
        return 0;
}

ssize_t os_output_write(int fd, enum os_output_kind kind, const void *buf, size_t len) {
        ssize_t n;
        if (kind == OS_OUTPUT_POLLED) {
                int r = os_wait_writable(fd, 0);
                if (r <= 0)
                        return r < 0 ? r : -EAGAIN;
                if (len > PIPE_BUF)
                        len = PIPE_BUF; /* a pipe with room takes PIPE_BUF bytes at once */
        }
        do
                n = kind == OS_OUTPUT_SOCKET ? send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL)
                                             : write(fd, buf, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        return n;
}

int os_wait_writable(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int n = poll(&p, 1, timeout_ms);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        if (p.revents & POLLNVAL)
                return -EBADF;
        return n > 0 && (p.revents & (POLLOUT | POLLERR | POLLHUP)) ? 1 : 0;
}
