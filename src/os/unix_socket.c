/* SPDX-License-Identifier: MIT */
#include "os/unix_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

int os_unix_address(const char *address, struct sockaddr_un *sa, socklen_t *ret_len) {
        size_t len = strlen(address);
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (len == 0 || (len < 2 && address[0] == '@') || len >= sizeof(sa->sun_path))
                return -EINVAL;
        memcpy(sa->sun_path, address, len);
        if (address[0] == '@') {
                sa->sun_path[0] = '\0';
                *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
        } else {
                *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
        }
        return 0;
}

int os_unix_claim_path(const char *address, int type) {
        struct sockaddr_un sa;
        socklen_t len;
        int r = os_unix_address(address, &sa, &len);
        if (r < 0 || address[0] == '@')
                return r;
        struct stat st;
        if (lstat(address, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        bool live = connect(fd, (const struct sockaddr *)&sa, len) == 0;
        close(fd);
        if (live)
                return -EADDRINUSE;
        return unlink(address) < 0 && errno != ENOENT ? -errno : 0;
}

int os_stream_listen(const char *address, mode_t mode, int *ret_fd) {
        struct sockaddr_un sa;
        socklen_t len;
        int r = os_unix_address(address, &sa, &len);
        if (r < 0)
                return r;
        r = os_unix_claim_path(address, SOCK_STREAM);
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* Created with mode from the start: no window where others could connect. */
        mode_t old = umask(0777 & ~mode);
        r = bind(fd, (const struct sockaddr *)&sa, len);
        int e = errno;
        umask(old);
        if (r < 0 || listen(fd, 64) < 0) {
                e = r < 0 ? e : errno;
                close(fd);
                if (r == 0 && address[0] != '@')
                        (void)unlink(address);
                return -e;
        }
        *ret_fd = fd;
        return 0;
}

int os_stream_accept(int listen_fd, int *ret_fd, pid_t *ret_pid, uid_t *ret_uid) {
        int fd;
        do
                fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        struct ucred uc;
        socklen_t n = sizeof(uc);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &n) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        *ret_fd = fd;
        *ret_pid = uc.pid;
        *ret_uid = uc.uid;
        return 0;
}

static int stream_connect(const char *address, int timeout_ms, int *ret_fd) {
        struct sockaddr_un sa;
        socklen_t len;
        int r = os_unix_address(address, &sa, &len);
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (timeout_ms > 0) {
                struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
                if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
                        int e = errno;
                        close(fd);
                        return -e;
                }
        }
        do
                r = connect(fd, (const struct sockaddr *)&sa, len);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
                int e = errno;
                close(fd);
                return e == EINPROGRESS ? -EAGAIN : -e;
        }
        *ret_fd = fd;
        return 0;
}

int os_stream_connect(const char *address, int *ret_fd) {
        return stream_connect(address, 0, ret_fd);
}

int os_stream_connect_timeout(const char *address, int timeout_ms, int *ret_fd) {
        return stream_connect(address, timeout_ms, ret_fd);
}

ssize_t os_stream_read(int fd, void *buf, size_t len) {
        ssize_t n;
        do
                n = recv(fd, buf, len, MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        return n;
}

ssize_t os_stream_write(int fd, const void *buf, size_t len) {
        ssize_t n;
        do
                n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        return n;
}

ssize_t os_stream_recv(int fd, void *buf, size_t len) {
        ssize_t n;
        do
                n = recv(fd, buf, len, 0);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

ssize_t os_stream_send(int fd, const void *buf, size_t len) {
        ssize_t n;
        do
                n = send(fd, buf, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

int os_stream_shutdown_write(int fd) {
        return shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
}
