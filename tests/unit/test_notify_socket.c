/* SPDX-License-Identifier: MIT */
/* The notify socket at the syscall boundary: both address forms, the
 * sender's credentials, passed fds, oversized datagrams, and a path that is
 * taken (live socket, other file) or stale. */
#include "os/notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[64];

static int setup(void **state) {
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/vigil-nsock-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        (void)state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* Send buf to address as a client would (sd_notify), with fd if >= 0. */
static void send_to(const char *address, const void *buf, size_t len, int fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t n = strlen(address);
        memcpy(sa.sun_path, address, n);
        socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (address[0] == '@' ? 0 : 1));
        if (address[0] == '@')
                sa.sun_path[0] = '\0';
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(int))];
        } control;
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = salen, .msg_iov = &iov, .msg_iovlen = 1 };
        if (fd >= 0) {
                memset(&control, 0, sizeof(control));
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        assert_int_equal(sendmsg(s, &mh, 0), (ssize_t)len);
        close(s);
}

static void path_socket_gets_credentials_and_fds(void **state) {
        (void)state;
        char path[96];
        snprintf(path, sizeof(path), "%s/notify", dir);
        int fd;
        assert_int_equal(os_notify_socket_open(path, &fd), 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0777);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);

        char buf[4097];
        struct os_datagram d;
        assert_int_equal(os_notify_recv(fd, buf, sizeof(buf), &d), -EAGAIN);

        int p[2];
        assert_int_equal(pipe(p), 0);
        send_to(path, "READY=1", 7, p[1]);
        close(p[1]);
        assert_int_equal(os_notify_recv(fd, buf, sizeof(buf), &d), 0);
        assert_int_equal(d.len, 7);
        assert_memory_equal(buf, "READY=1", 7);
        assert_false(d.truncated);
        assert_true(d.has_creds);
        assert_int_equal(d.pid, getpid());
        assert_int_equal(d.uid, getuid());
        assert_int_equal(d.n_fds, 1);
        assert_true(fcntl(d.fds[0], F_GETFD) & FD_CLOEXEC);
        /* Closing the passed fd is the barrier's answer: the reader sees EOF. */
        close(d.fds[0]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 0);
        close(p[0]);

        /* Longer than the buffer: flagged, never silently cut into a valid message. */
        char big[5000];
        memset(big, 'x', sizeof(big));
        send_to(path, big, sizeof(big), -1);
        assert_int_equal(os_notify_recv(fd, buf, sizeof(buf), &d), 0);
        assert_true(d.truncated);
        assert_int_equal(d.len, sizeof(buf));
        close(fd);
        os_notify_socket_unlink(path);
        assert_int_equal(access(path, F_OK), -1);
}

static void abstract_socket(void **state) {
        (void)state;
        char address[64];
        snprintf(address, sizeof(address), "@vigil-test-%d", (int)getpid());
        int fd;
        assert_int_equal(os_notify_socket_open(address, &fd), 0);
        send_to(address, "WATCHDOG=1\n", 11, -1);
        char buf[64];
        struct os_datagram d;
        assert_int_equal(os_notify_recv(fd, buf, sizeof(buf), &d), 0);
        assert_int_equal(d.len, 11);
        assert_int_equal(d.pid, getpid());
        /* Abstract names are unique while bound. */
        int again;
        assert_int_equal(os_notify_socket_open(address, &again), -EADDRINUSE);
        close(fd);
}

static void taken_and_stale_paths(void **state) {
        (void)state;
        char path[96];
        snprintf(path, sizeof(path), "%s/taken", dir);
        int fd, other;
        assert_int_equal(os_notify_socket_open(path, &fd), 0);
        /* A live listener is never stolen from. */
        assert_int_equal(os_notify_socket_open(path, &other), -EADDRINUSE);
        close(fd);
        /* Its socket file left behind (a crash) is stale: replaced. */
        assert_int_equal(os_notify_socket_open(path, &fd), 0);
        close(fd);
        os_notify_socket_unlink(path);

        snprintf(path, sizeof(path), "%s/file", dir);
        int f = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(os_notify_socket_open(path, &fd), -EEXIST);
        assert_int_equal(access(path, F_OK), 0); /* not removed */

        assert_int_equal(os_notify_socket_open("", &fd), -EINVAL);
        assert_int_equal(os_notify_socket_open("@", &fd), -EINVAL);
        char longpath[200];
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';
        assert_int_equal(os_notify_socket_open(longpath, &fd), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(path_socket_gets_credentials_and_fds),
                cmocka_unit_test(abstract_socket),
                cmocka_unit_test(taken_and_stale_paths),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
