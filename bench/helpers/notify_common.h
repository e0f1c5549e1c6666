/* Shared bits of the notify bench helpers: a datagram socket connected to
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace, as
 * sd_notify(3) reads it), one-message sends, and BARRIER=1 (sd_notify_barrier
 * semantics: pass the write end of a pipe, wait until the supervisor closed
 * it, which it does once it has handled everything sent before). Written
 * from the sd_notify(3) description; header-only. */
#ifndef BENCH_NOTIFY_COMMON_H
#define BENCH_NOTIFY_COMMON_H

#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <stddef.h>
#include <sys/un.h>

static inline int notify_connect(void)
{
	const char *addr = getenv("NOTIFY_SOCKET");
	if (!addr || !addr[0] || strlen(addr) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "no usable NOTIFY_SOCKET\n");
		exit(2);
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	memcpy(sa.sun_path, addr, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		perror("NOTIFY_SOCKET");
		exit(2);
	}
	return fd;
}

/* 0, or -errno. Blocking: a full receive queue makes the sender wait, as
 * with sd_notify(); nothing is lost. */
static inline int notify_send(int fd, const char *msg, size_t len)
{
	for (;;) {
		if (send(fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* BARRIER=1: returns once the supervisor has handled every message sent
 * before it (0), or -errno / -ETIMEDOUT. */
static inline int notify_barrier(int fd, int timeout_ms)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	char text[] = "BARRIER=1";
	struct iovec iov = { text, sizeof text - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	memset(&c, 0, sizeof c);
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	ssize_t n;
	while ((n = sendmsg(fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	int err = n < 0 ? -errno : 0;
	close(p[1]);
	if (err == 0) {
		struct pollfd pfd = { .fd = p[0], .events = 0 };
		int r;
		while ((r = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		err = r < 0 ? -errno : r == 0 ? -ETIMEDOUT : 0;
	}
	close(p[0]);
	return err;
}

/* Write text to path atomically (tmp + rename). */
static inline void write_file(const char *path, const char *text)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) < 0 || rename(tmp, path) < 0) {
		perror(path);
		exit(2);
	}
}

#endif
