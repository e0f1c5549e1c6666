/* SPDX-License-Identifier: MIT */
/*
 * sigrec: a signal recorder for the integration tests.
 *
 *   sigrec [-c CHILD_LOG] [-x SIG:CODE] [-r READY] LOG
 *
 * Blocks every signal and takes them one by one with sigwaitinfo(), so no
 * default action (termination, stop) ever applies, and appends one line per
 * signal to LOG: "SIGNO SI_CODE SI_PID". With -c it first forks a second
 * recorder into its own process group (a grandchild of vigil when sigrec is
 * the main command) that logs to CHILD_LOG and dies with its parent. With
 * -x it exits with CODE once SIG has been recorded. READY is written
 * (atomically, by rename) once everything is set up: "PID PGRP FOREGROUND",
 * FOREGROUND being 1 when our group owns the terminal on stdin, 0 when it
 * does not, -1 when stdin is no terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void die(const char *what) {
        fprintf(stderr, "sigrec: %s: %s\n", what, strerror(errno));
        exit(3);
}

static _Noreturn void record(const char *log, const sigset_t *all, int exit_sig, int exit_code) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                die(log);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(all, &si);
                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        die("sigwaitinfo");
                }
                char line[64];
                int n = snprintf(line, sizeof(line), "%d %d %d\n", sig, si.si_code, (int)si.si_pid);
                if (write(fd, line, (size_t)n) != n)
                        die("write");
                if (sig == exit_sig)
                        exit(exit_code);
        }
}

static void write_ready(const char *path) {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "we");
        if (!f)
                die(tmp);
        pid_t fg = tcgetpgrp(STDIN_FILENO);
        fprintf(f, "%d %d %d\n", (int)getpid(), (int)getpgrp(), fg < 0 ? -1 : fg == getpgrp());
        if (fclose(f) != 0 || rename(tmp, path) < 0)
                die(path);
}

int main(int argc, char **argv) {
        const char *child_log = NULL, *ready = NULL;
        int exit_sig = -1, exit_code = 0, opt;
        while ((opt = getopt(argc, argv, "+c:x:r:")) != -1) {
                switch (opt) {
                case 'c': child_log = optarg; break;
                case 'r': ready = optarg; break;
                case 'x':
                        if (sscanf(optarg, "%d:%d", &exit_sig, &exit_code) != 2) {
                                fprintf(stderr, "sigrec: -x SIG:CODE\n");
                                return 3;
                        }
                        break;
                default:
                        return 3;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "usage: sigrec [-c CHILD_LOG] [-x SIG:CODE] [-r READY] LOG\n");
                return 3;
        }
        sigset_t all;
        sigfillset(&all);
        if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
                die("sigprocmask");

        if (child_log) {
                int p[2];
                pid_t parent = getpid();
                if (pipe2(p, O_CLOEXEC) < 0)
                        die("pipe");
                pid_t c = fork();
                if (c < 0)
                        die("fork");
                if (c == 0) {
                        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                                die("prctl");
                        if (getppid() != parent)
                                _exit(0);
                        close(p[0]);
                        /* Open the log before saying ready. */
                        int fd = open(child_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                        if (fd < 0)
                                die(child_log);
                        close(fd);
                        if (write(p[1], "x", 1) != 1)
                                die("write");
                        close(p[1]);
                        record(child_log, &all, -1, 0);
                }
                close(p[1]);
                char x;
                if (read(p[0], &x, 1) != 1)
                        die("child recorder did not start");
                close(p[0]);
        }
        int fd = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                die(argv[optind]);
        close(fd);
        if (ready)
                write_ready(ready);
        record(argv[optind], &all, exit_sig, exit_code);
}
