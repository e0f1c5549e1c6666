/* SPDX-License-Identifier: MIT */
/*
 * orphans: an orphan factory, run as vigil's main command.
 *
 *   orphans N READY
 *
 * Forks N children; each forks a grandchild and exits at once, so every
 * grandchild is orphaned and adopted by the nearest subreaper or the PID
 * namespace's init — vigil in both test modes. One grandchild in four exits
 * at once too (usually before its parent, so it reaches vigil as a zombie);
 * the others wait until they have been adopted, report on a pipe whether
 * their new parent is the process that started us ('A') or not ('X'), and
 * exit. We reap only our own children.
 *
 * Then we watch /proc until nothing is left: no process but us whose parent
 * is our parent (alive or zombie) and, when our parent is PID 1 (the
 * namespace's init: /proc is the namespace's), no zombie anywhere. On
 * success READY gets "N ADOPTED MISADOPTED" and we wait for SIGUSR1 to exit
 * 0; on failure (orphans or zombies still there after 30 s, or a
 * misadopted grandchild) we say why on stderr and exit 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_stat(long pid, char *state, int *ppid) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        return p && sscanf(p + 1, " %c %d", state, ppid) == 2 ? 0 : -1;
}

/* Orphans still there (alive or zombie) and zombies (see above). */
static void scan(pid_t adopter, int *ret_left, int *ret_zombies) {
        int left = 0, zombies = 0;
        DIR *d = opendir("/proc");
        if (!d) {
                perror("orphans: /proc");
                exit(1);
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                char state;
                int ppid;
                if (*end != '\0' || pid <= 0 || pid == getpid() || read_stat(pid, &state, &ppid) < 0)
                        continue;
                if (ppid == adopter) {
                        left++;
                        zombies += state == 'Z';
                } else if (adopter == 1 && state == 'Z') {
                        zombies++;
                }
        }
        closedir(d);
        *ret_left = left;
        *ret_zombies = zombies;
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: orphans N READY\n");
                return 3;
        }
        int n = atoi(argv[1]);
        pid_t adopter = getppid();
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, NULL);

        int p[2];
        if (pipe(p) < 0) {
                perror("orphans: pipe");
                return 1;
        }
        for (int i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0 && errno == EAGAIN) {
                        while (waitpid(-1, NULL, WNOHANG) > 0) {
                        }
                        usleep(1000);
                        i--;
                        continue;
                }
                if (pid < 0) {
                        perror("orphans: fork");
                        return 1;
                }
                if (pid == 0) {
                        close(p[0]);
                        pid_t mid = getpid();
                        pid_t g = fork();
                        if (g == 0) {
                                if (i % 4 == 0)
                                        _exit(0);
                                for (int k = 0; getppid() == mid && k < 50000; k++)
                                        usleep(100);
                                char c = getppid() == adopter ? 'A' : 'X';
                                if (write(p[1], &c, 1) != 1)
                                        _exit(1);
                                _exit(0);
                        }
                        _exit(g < 0 ? 1 : 0);
                }
                while (waitpid(-1, NULL, WNOHANG) > 0) {
                }
        }
        close(p[1]);
        while (waitpid(-1, NULL, 0) > 0) {
        }

        /* EOF once every reporting grandchild has exited. */
        int adopted = 0, misadopted = 0;
        char buf[4096];
        ssize_t got;
        while ((got = read(p[0], buf, sizeof(buf))) != 0) {
                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("orphans: read");
                        return 1;
                }
                for (ssize_t k = 0; k < got; k++) {
                        adopted += buf[k] == 'A';
                        misadopted += buf[k] != 'A';
                }
        }
        int expected = n - (n + 3) / 4;
        if (adopted != expected || misadopted != 0) {
                fprintf(stderr, "orphans: %d grandchildren adopted by pid %d, %d by another, %d expected\n",
                        adopted, (int)adopter, misadopted, expected);
                return 1;
        }

        int left = 0, zombies = 0;
        double deadline = now() + 30;
        for (;;) {
                scan(adopter, &left, &zombies);
                if (left == 0 && zombies == 0)
                        break;
                if (now() > deadline) {
                        fprintf(stderr, "orphans: after 30 s, %d orphans of pid %d left, %d zombies\n", left,
                                (int)adopter, zombies);
                        return 1;
                }
                usleep(10000);
        }

        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
        FILE *f = fopen(tmp, "we");
        if (!f || fprintf(f, "%d %d %d\n", n, adopted, misadopted) < 0 || fclose(f) != 0 ||
            rename(tmp, argv[2]) < 0) {
                perror(argv[2]);
                return 1;
        }
        int sig;
        sigwait(&usr1, &sig);
        return 0;
}
