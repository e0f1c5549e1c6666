/* SPDX-License-Identifier: MIT */
#include "os/fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int cloexec_by_listing(void) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        int self = dirfd(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long fd = strtol(de->d_name, &end, 10);
                if (*end != '\0' || fd <= 2 || fd == self)
                        continue;
                int flags = fcntl((int)fd, F_GETFD);
                if (flags >= 0)
                        (void)fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
        }
        closedir(d);
        return 0;
}

int os_cloexec_inherited_fds(void) {
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        return cloexec_by_listing(); /* kernels before 5.11 */
}

void os_close(int fd) {
        if (fd >= 0)
                (void)close(fd); /* Linux closes the fd even on EINTR */
}

int os_fd_is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

int os_write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int os_isatty(int fd) {
        return isatty(fd);
}

int os_open(const char *path, int flags, mode_t mode) {
        int fd;
        do
                fd = open(path, flags | O_CLOEXEC, mode);
        while (fd < 0 && errno == EINTR);
        return fd < 0 ? -errno : fd;
}

int os_path_exists(const char *path) {
        struct stat st;
        return stat(path, &st) == 0;
}

int os_path_writable(const char *path) {
        return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0 ? 0 : -errno;
}

uid_t os_getuid(void) {
        return getuid();
}

int os_pipe(int fds[2], int extra_flags) {
        return pipe2(fds, O_CLOEXEC | extra_flags) < 0 ? -errno : 0;
}

int os_fd_move_above(int fd, int min) {
        if (fd >= min)
                return fd;
        int r = fcntl(fd, F_DUPFD_CLOEXEC, min);
        int e = errno;
        close(fd);
        return r < 0 ? -e : r;
}

int os_unlink(const char *path) {
        return unlink(path) < 0 ? -errno : 0;
}

int os_fill_stdio(const char *path) {
        for (int fd = 0; fd < 3; fd++) {
                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                /* The lowest free number is fd itself: every lower one is open. */
                int got = open(path, O_RDWR | O_NOCTTY);
                if (got < 0)
                        return -errno;
                if (got != fd) {
                        int r = dup2(got, fd) < 0 ? -errno : 0;
                        close(got);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
