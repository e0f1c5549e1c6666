/* SPDX-License-Identifier: MIT */
#include "os/notify_socket.h"

#include "os/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RCVBUF_SIZE (8 * 1024 * 1024)

int os_notify_socket_open(const char *address, int *ret_fd) {
        struct sockaddr_un sa;
        socklen_t len;
        int r = os_unix_address(address, &sa, &len);
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        int one = 1, size = RCVBUF_SIZE;
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                goto fail;
        /* Beyond rmem_max needs CAP_NET_ADMIN; the plain option is the fallback. */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        r = os_unix_claim_path(address, SOCK_DGRAM);
        if (r < 0) {
                close(fd);
                return r;
        }
        if (bind(fd, (const struct sockaddr *)&sa, len) < 0)
                goto fail;
        if (address[0] != '@' && chmod(address, 0777) < 0) {
                int e = errno;
                (void)unlink(address);
                errno = e;
                goto fail;
        }
        *ret_fd = fd;
        return 0;
fail:
        r = -errno;
        close(fd);
        return r;
}

int os_notify_recv(int fd, char *buf, size_t cap, struct os_datagram *ret) {
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 253)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = cap };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        ssize_t n;
        do
                n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;

        memset(ret, 0, sizeof(*ret));
        ret->truncated = (size_t)n > cap || (mh.msg_flags & MSG_TRUNC);
        ret->len = (size_t)n > cap ? cap : (size_t)n;
        ret->fds_truncated = (mh.msg_flags & MSG_CTRUNC) != 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
                        struct ucred uc;
                        memcpy(&uc, CMSG_DATA(c), sizeof(uc));
                        ret->has_creds = true;
                        ret->pid = uc.pid;
                        ret->uid = uc.uid;
                        ret->gid = uc.gid;
                } else if (c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        const unsigned char *data = CMSG_DATA(c);
                        for (size_t i = 0; i < k; i++) {
                                int passed;
                                memcpy(&passed, data + i * sizeof(int), sizeof(int));
                                if (ret->n_fds < OS_NOTIFY_MAX_FDS) {
                                        ret->fds[ret->n_fds++] = passed;
                                } else {
                                        close(passed);
                                        ret->fds_truncated = true;
                                }
                        }
                }
        }
        return 0;
}

void os_notify_socket_unlink(const char *address) {
        if (address && address[0] == '/')
                (void)unlink(address);
}

static int notify_send(const char *address, const void *msg, size_t len, int pass_fd, int flags) {
        struct sockaddr_un sa;
        socklen_t salen;
        int r = os_unix_address(address, &sa, &salen);
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = salen, .msg_iov = &iov, .msg_iovlen = 1 };
        if (pass_fd >= 0) {
                memset(&control, 0, sizeof(control));
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        ssize_t n;
        do
                n = sendmsg(fd, &mh, MSG_NOSIGNAL | flags);
        while (n < 0 && errno == EINTR);
        r = n < 0 ? -errno : (size_t)n == len ? 0 : -EMSGSIZE;
        close(fd);
        return r;
}

int os_notify_send(const char *address, const void *msg, size_t len, int pass_fd) {
        return notify_send(address, msg, len, pass_fd, 0);
}

int os_notify_client_open(int *ret_fd) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int os_notify_send_nowait(int fd, const char *address, const void *msg, size_t len) {
        struct sockaddr_un sa;
        socklen_t salen;
        int r = os_unix_address(address, &sa, &salen);
        if (r < 0)
                return r;
        ssize_t n;
        do
                n = sendto(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT, (const struct sockaddr *)&sa, salen);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : (size_t)n == len ? 0 : -EMSGSIZE;
}
