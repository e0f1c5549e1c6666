/* SPDX-License-Identifier: MIT */
/*
 * leftover: a main command that leaves a process behind.
 *
 *   leftover [-i] [-e CODE] [-w FIFO] PIDFILE LOG
 *
 * Forks a child that starts its own session (as a daemon would), writes its
 * pid to PIDFILE (atomically) and waits forever. Each SIGTERM the child gets
 * is appended to LOG as "15"; without -i it then exits 0 (it obeys), with -i
 * it carries on (it ignores SIGTERM, so only SIGKILL ends it). The parent
 * exits with CODE (default 0) as soon as the child is ready or, with -w,
 * once the test has opened and closed FIFO (so the test can look at the
 * processes first and knows when the main command exits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;
static int ignore_term;

static void on_term(int sig) {
        (void)sig;
        if (write(log_fd, "15\n", 3) < 0) {
        }
        if (!ignore_term)
                _exit(0);
}

static void die(const char *what) {
        fprintf(stderr, "leftover: %s: %s\n", what, strerror(errno));
        exit(3);
}

int main(int argc, char **argv) {
        int code = 0, opt;
        const char *fifo = NULL;
        while ((opt = getopt(argc, argv, "+ie:w:")) != -1) {
                switch (opt) {
                case 'i': ignore_term = 1; break;
                case 'e': code = atoi(optarg); break;
                case 'w': fifo = optarg; break;
                default: return 3;
                }
        }
        if (optind != argc - 2) {
                fprintf(stderr, "usage: leftover [-i] [-e CODE] [-w FIFO] PIDFILE LOG\n");
                return 3;
        }
        const char *pidfile = argv[optind], *log = argv[optind + 1];
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                die("pipe");
        pid_t c = fork();
        if (c < 0)
                die("fork");
        if (c == 0) {
                close(p[0]);
                if (setsid() < 0)
                        die("setsid");
                log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_fd < 0)
                        die(log);
                struct sigaction sa;
                memset(&sa, 0, sizeof(sa));
                sa.sa_handler = on_term;
                if (sigaction(SIGTERM, &sa, NULL) < 0)
                        die("sigaction");
                char tmp[4096];
                snprintf(tmp, sizeof(tmp), "%s.tmp", pidfile);
                FILE *f = fopen(tmp, "we");
                if (!f)
                        die(tmp);
                fprintf(f, "%d\n", (int)getpid());
                if (fclose(f) != 0 || rename(tmp, pidfile) < 0)
                        die(pidfile);
                if (write(p[1], "x", 1) != 1)
                        die("write");
                close(p[1]);
                for (;;)
                        pause();
        }
        close(p[1]);
        char x;
        if (read(p[0], &x, 1) != 1)
                die("child did not start");
        if (fifo) {
                int fd = open(fifo, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        die(fifo);
                while (read(fd, &x, 1) > 0) {
                }
        }
        return code;
}
