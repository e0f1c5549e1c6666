/* SPDX-License-Identifier: MIT */
/*
 * sdnotify: send one sd_notify datagram, for the container images of
 * tests/engine (busybox has no systemd-notify). Built static.
 *
 *   sdnotify MESSAGE [CMD ARGS...]
 *
 * Sends MESSAGE (e.g. "READY=1", or several lines "READY=1\nSTATUS=x") to
 * $NOTIFY_SOCKET, a path or "@abstract-name", then execs CMD if given (so a
 * unit's main process can say READY=1 itself and go on as CMD: a sender
 * that exits at once may be gone before vigil can tell whose it was). Exit
 * 0 once sent, 1 on any failure (said on stderr), 2 on bad usage; with CMD,
 * CMD's status (127 if it cannot be run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: sdnotify MESSAGE [CMD ARGS...]\n");
                return 2;
        }
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path) {
                fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n");
                return 1;
        }
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = strlen(path);
        if (len >= sizeof sa.sun_path) {
                fprintf(stderr, "sdnotify: NOTIFY_SOCKET too long\n");
                return 1;
        }
        memcpy(sa.sun_path, path, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0';
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "sdnotify: socket: %s\n", strerror(errno));
                return 1;
        }
        socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
        if (sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *)&sa, salen) < 0) {
                fprintf(stderr, "sdnotify: sendto %s: %s\n", path, strerror(errno));
                return 1;
        }
        close(fd);
        if (argc > 2) {
                execvp(argv[2], argv + 2);
                fprintf(stderr, "sdnotify: %s: %s\n", argv[2], strerror(errno));
                return 127;
        }
        return 0;
}
