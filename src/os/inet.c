/* SPDX-License-Identifier: MIT */
#include "os/inet.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int os_tcp_connect(const struct inet_target *t, int *ret_fd) {
        struct sockaddr_storage ss;
        socklen_t len;
        memset(&ss, 0, sizeof(ss));
        if (t->family == AF_INET6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons(t->port);
                memcpy(&a->sin6_addr, t->addr, 16);
                len = sizeof(*a);
        } else if (t->family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                a->sin_family = AF_INET;
                a->sin_port = htons(t->port);
                memcpy(&a->sin_addr, t->addr, 4);
                len = sizeof(*a);
        } else
                return -EAFNOSUPPORT;
        int fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* No retry on EINTR: the connection goes on in the background
         * (connect(2)), and the loop sees it complete like EINPROGRESS. */
        int r = connect(fd, (struct sockaddr *)&ss, len);
        if (r == 0) {
                *ret_fd = fd;
                return 0;
        }
        if (errno == EINPROGRESS || errno == EINTR) {
                *ret_fd = fd;
                return 1;
        }
        r = -errno;
        close(fd);
        return r;
}

int os_socket_error(int fd) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                return -errno;
        return err ? -err : 0;
}

ssize_t os_socket_send(int fd, const void *buf, size_t len) {
        for (;;) {
                ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n >= 0)
                        return n;
                if (errno != EINTR)
                        return -errno;
        }
}
