/* SPDX-License-Identifier: MIT */
#include "os/proc.h"

#include "os/fd.h"
#include "os/signals.h"

#include <dirent.h>
#include <poll.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int os_spawn_failure_exit_code(int error) {
        return (error == ENOENT || error == ENOTDIR) ? 127 : 126;
}

static _Noreturn void child_fail(int status_fd, int stage, int error) {
        struct spawn_failure f = { .stage = stage, .error = error };
        ssize_t n;
        do
                n = write(status_fd, &f, sizeof(f));
        while (n < 0 && errno == EINTR);
        _exit(os_spawn_failure_exit_code(error));
}

/* Put fd on target without close-on-exec. Callers pass fds above 2 (or the
 * target itself), so one dup cannot clobber another's source. */
static int dup_onto(int fd, int target) {
        if (fd < 0)
                return 0;
        if (fd == target) {
                int flags = fcntl(fd, F_GETFD);
                return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        return dup2(fd, target) < 0 ? -1 : 0; /* the copy has no CLOEXEC */
}

/* TTYReset=: what `stty sane` gives for the line discipline (canonical
 * input with echo, CR to NL in, NL to CRNL out, the usual signals); a
 * terminal that refuses keeps its settings, as systemd's reset does. */
static void child_tty_reset(void) {
        struct termios t;
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t) < 0)
                return;
        t.c_iflag &= ~(tcflag_t)(IGNBRK | INLCR | IGNCR | ISTRIP | IXOFF);
        t.c_iflag |= BRKINT | ICRNL | IXON | IMAXBEL | IUTF8;
        t.c_oflag &= ~(tcflag_t)(OCRNL | ONOCR | ONLRET);
        t.c_oflag |= OPOST | ONLCR;
        t.c_cflag |= CREAD;
        t.c_lflag = ISIG | ICANON | IEXTEN | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* The process context of systemd.exec(5), in its order: fds, session,
 * limits, priority, umask, credentials, then the working directory as the
 * new user, then no_new_privs. */
static void child_apply_context(const struct spawn_plan *plan, int status_fd) {
        /* First, before the child can fork or change user: everything it
         * will ever start is then born in the group. */
        if (plan->set_cgroup) {
                ssize_t n;
                do
                        n = write(plan->cgroup_procs_fd, "0", 1);
                while (n < 0 && errno == EINTR);
                if (n != 1)
                        child_fail(status_fd, SPAWN_STAGE_CGROUP, n < 0 ? errno : EIO);
        }
        if (dup_onto(plan->stdin_fd, 0) < 0 || dup_onto(plan->stdout_fd, 1) < 0 ||
            dup_onto(plan->stderr_fd, 2) < 0)
                child_fail(status_fd, SPAWN_STAGE_FDS, errno);
        if (plan->group == SPAWN_GROUP_NEW && setpgid(0, 0) < 0)
                child_fail(status_fd, SPAWN_STAGE_GROUP, errno);
        if (plan->group == SPAWN_SESSION_NEW && setsid() < 0)
                child_fail(status_fd, SPAWN_STAGE_GROUP, errno);
        /* The child, not the parent, takes the terminal: done here it cannot
         * race with the child's own first read (tini does the same). ENOTTY
         * and ENXIO just mean there is no terminal to hand over. SIGTTOU is
         * still ignored at this point, so a background caller is allowed. */
        /* A console that cannot be a controlling terminal still works as stdio:
         * job control is a comfort, not a reason to fail the main command. */
        if (plan->controlling_tty && plan->group == SPAWN_SESSION_NEW && isatty(STDIN_FILENO)) {
                if (ioctl(STDIN_FILENO, TIOCSCTTY, plan->controlling_tty_force ? 1 : 0) < 0 &&
                    plan->controlling_tty_required)
                        child_fail(status_fd, SPAWN_STAGE_FDS, errno);
        } else if (plan->controlling_tty_required)
                child_fail(status_fd, SPAWN_STAGE_FDS, ENOTTY);
        if (plan->tty_reset)
                child_tty_reset();
        if (plan->tty_foreground && tcsetpgrp(STDIN_FILENO, getpid()) < 0 && errno != ENOTTY &&
            errno != ENXIO && errno != EBADF && errno != EPERM)
                child_fail(status_fd, SPAWN_STAGE_GROUP, errno);
        for (int fd = 3; fd < 3 + plan->n_pass_fds; fd++)
                if (fcntl(fd, F_SETFD, 0) < 0)
                        child_fail(status_fd, SPAWN_STAGE_FDS, errno);
        for (size_t i = 0; i < plan->n_rlimits; i++)
                if (setrlimit(plan->rlimits[i].resource, &plan->rlimits[i].value) < 0)
                        child_fail(status_fd, SPAWN_STAGE_RLIMITS, errno);
        if (plan->set_nice && setpriority(PRIO_PROCESS, 0, plan->nice) < 0)
                child_fail(status_fd, SPAWN_STAGE_NICE, errno);
        if (plan->set_umask)
                umask(plan->umask);
        if (plan->set_ids && (setgroups(plan->n_groups, plan->groups) < 0 || setresgid(plan->gid, plan->gid, plan->gid) < 0 ||
                              setresuid(plan->uid, plan->uid, plan->uid) < 0))
                child_fail(status_fd, SPAWN_STAGE_USER, errno);
        if (plan->working_directory && chdir(plan->working_directory) < 0 &&
            !(plan->working_directory_optional && errno == ENOENT))
                child_fail(status_fd, SPAWN_STAGE_CHDIR, errno);
        if (plan->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(status_fd, SPAWN_STAGE_NO_NEW_PRIVILEGES, errno);
}

/* Runs in the child between fork and exec: vigil is single-threaded, so any
 * libc call is safe here, but each failure is reported, not ignored. */
static _Noreturn void child_run(const struct spawn_plan *plan, int status_fd) {
        child_apply_context(plan, status_fd);
        os_signals_reset_for_child();
        int r = os_signals_set_mask_empty();
        if (r < 0)
                child_fail(status_fd, SPAWN_STAGE_SIGNALS, -r);

        if (plan->self_pid_env) {
                char *value = strchr(plan->self_pid_env, '=');
                size_t room = value ? strlen(value + 1) : 0;
                if (room > 0)
                        snprintf(value + 1, room + 1, "%d", (int)getpid());
        }
        const char *path = plan->path ? plan->path : plan->argv[0];
        if (plan->envp)
                execvpe(path, plan->argv, plan->envp);
        else
                execvp(path, plan->argv);
        child_fail(status_fd, SPAWN_STAGE_EXEC, errno);
}

int os_spawn(const struct spawn_plan *plan, pid_t *ret_pid, int *ret_status_fd) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid == 0) {
                close(fds[0]);
                child_run(plan, fds[1]);
        }
        close(fds[1]);
        /* Also from the parent, so a signal to the group sent right after
         * fork cannot miss the child; EACCES once the child has exec'd. */
        if (plan->group == SPAWN_GROUP_NEW)
                (void)setpgid(pid, pid);
        /* The same for the cgroup: a kill of the group right after fork
         * reaches the child. Harmless once the child has moved itself. */
        if (plan->set_cgroup) {
                char v[24];
                int len = snprintf(v, sizeof(v), "%d", (int)pid);
                ssize_t n;
                do
                        n = write(plan->cgroup_procs_fd, v, (size_t)len);
                while (n < 0 && errno == EINTR);
        }
        if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
                /* Harmless: the pipe is then read only after the child is reaped. */
        }
        *ret_pid = pid;
        *ret_status_fd = fds[0];
        return 0;
}

int os_spawn_read_status(int status_fd, struct spawn_failure *ret) {
        ssize_t n;
        do
                n = read(status_fd, ret, sizeof(*ret));
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        if ((size_t)n != sizeof(*ret))
                return -EIO;
        return 1;
}

int os_kill(pid_t pid, int sig) {
        return kill(pid, sig) < 0 ? -errno : 0;
}

pid_t os_getpgid(pid_t pid) {
        pid_t g = getpgid(pid);
        return g < 0 ? -errno : g;
}

pid_t os_reap_one(int *ret_status) {
        for (;;) {
                pid_t pid = waitpid(-1, ret_status, WNOHANG);
                if (pid >= 0)
                        return pid;
                if (errno != EINTR)
                        return -errno;
        }
}

bool os_has_children(void) {
        siginfo_t info;
        for (;;) {
                info.si_pid = 0;
                if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0)
                        return true;
                if (errno != EINTR)
                        return errno != ECHILD;
        }
}

int os_set_child_subreaper(void) {
        return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
}

pid_t os_getpid(void) {
        return getpid();
}

/* Read "pid (comm) S ppid ..." from /proc/PID/stat; comm may hold spaces
 * and parentheses, so parse after the last ')'. */
static int read_stat(pid_t pid, pid_t *ret_ppid, char *ret_state) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n;
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        int saved = errno;
        close(fd);
        if (n < 0)
                return -saved;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        int ppid;
        if (!p || sscanf(p + 1, " %c %d", ret_state, &ppid) != 2)
                return -EIO;
        *ret_ppid = ppid;
        return 0;
}

pid_t os_parent_of(pid_t pid) {
        pid_t ppid;
        char state;
        int r = read_stat(pid, &ppid, &state);
        if (r < 0)
                return r;
        if (state == 'Z' || state == 'X')
                return -ESRCH;
        return ppid;
}

void proc_tree_mark_descendants(const pid_t *pid, const pid_t *ppid, bool *is_desc, size_t n,
                                pid_t root) {
        for (size_t i = 0; i < n; i++)
                is_desc[i] = ppid[i] == root;
        /* Fixpoint: a process descends from root if its parent does. At most
         * depth-of-tree passes, each O(n^2) worst case; trees are shallow and
         * this runs only at shutdown. */
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < n; i++) {
                        if (is_desc[i])
                                continue;
                        for (size_t j = 0; j < n; j++)
                                if (is_desc[j] && pid[j] == ppid[i]) {
                                        is_desc[i] = changed = true;
                                        break;
                                }
                }
        }
}

struct proc_list {
        pid_t *pid, *ppid;
        bool *is_desc;
        size_t n, cap;
};

static int proc_list_scan(struct proc_list *l) {
        DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d))) {
                char *end;
                long v = strtol(de->d_name, &end, 10);
                if (*end != '\0' || v <= 0)
                        continue;
                pid_t ppid;
                char state;
                if (read_stat((pid_t)v, &ppid, &state) < 0 || state == 'Z' || state == 'X')
                        continue;
                if (l->n == l->cap) {
                        size_t cap = l->cap ? l->cap * 2 : 256;
                        pid_t *a = realloc(l->pid, cap * sizeof(pid_t));
                        if (a)
                                l->pid = a;
                        pid_t *b = realloc(l->ppid, cap * sizeof(pid_t));
                        if (b)
                                l->ppid = b;
                        bool *c = realloc(l->is_desc, cap * sizeof(bool));
                        if (c)
                                l->is_desc = c;
                        if (!a || !b || !c) {
                                r = -ENOMEM;
                                break;
                        }
                        l->cap = cap;
                }
                l->pid[l->n] = (pid_t)v;
                l->ppid[l->n] = ppid;
                l->n++;
        }
        closedir(d);
        return r;
}

static int signal_pinned(pid_t pid, pid_t expected_ppid, int sig) {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                if (errno != ENOSYS)
                        return -errno;
                return kill(pid, sig) < 0 ? -errno : 0; /* old kernel: best effort */
        }
        pid_t ppid;
        char state;
        int r = read_stat(pid, &ppid, &state);
        /* The pid now names some other process, unless its parent died and
         * it was re-parented to us (the subreaper): still ours to signal. */
        if (r == 0 && ppid != expected_ppid && ppid != getpid())
                r = -ESRCH;
        if (r == 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                r = -errno;
        close(pidfd);
        return r;
}

int os_signal_descendants(int sig) {
        struct proc_list l = { 0 };
        int r = proc_list_scan(&l);
        /* On ENOMEM part-way, still signal what was listed: the caller
         * repeats the kill passes, and a partial kill beats none. */
        if (l.n > 0) {
                int count = 0;
                proc_tree_mark_descendants(l.pid, l.ppid, l.is_desc, l.n, getpid());
                for (size_t i = 0; i < l.n; i++)
                        if (l.is_desc[i] && signal_pinned(l.pid[i], l.ppid[i], sig) == 0)
                                count++;
                r = count;
        }
        free(l.pid);
        free(l.ppid);
        free(l.is_desc);
        return r;
}

int os_run_capture(char *const *argv, int timeout_ms, char *buf, size_t cap, size_t *ret_len, int *ret_status) {
        int fds[2];
        int r = os_pipe(fds, 0);
        if (r < 0)
                return r;
        int w = os_fd_move_above(fds[1], 2);
        int rd = w < 0 ? w : os_fd_move_above(fds[0], 2);
        if (w < 0 || rd < 0) {
                os_close(w < 0 ? fds[1] : w);
                os_close(rd < 0 ? fds[0] : rd);
                return w < 0 ? w : rd;
        }
        struct spawn_plan plan = {
                .argv = argv,
                .stdin_fd = -1,
                .stdout_fd = w,
                .stderr_fd = -1,
                .group = SPAWN_GROUP_NEW,
        };
        pid_t pid;
        int status_fd;
        r = os_spawn(&plan, &pid, &status_fd);
        os_close(w);
        if (r < 0) {
                os_close(rd);
                return r;
        }
        os_close(status_fd);
        size_t len = 0;
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                if (spent >= timeout_ms) {
                        r = -ETIMEDOUT;
                        break;
                }
                struct pollfd p = { .fd = rd, .events = POLLIN };
                int n = poll(&p, 1, (int)(timeout_ms - spent));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? -errno : -ETIMEDOUT;
                        break;
                }
                char scratch[256];
                ssize_t got = read(rd, len < cap ? buf + len : scratch, len < cap ? cap - len : sizeof(scratch));
                if (got < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (got <= 0) {
                        r = got < 0 ? -errno : 0;
                        break;
                }
                if (len < cap)
                        len += (size_t)got;
        }
        os_close(rd);
        if (r == -ETIMEDOUT)
                (void)kill(-pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        *ret_len = len;
        *ret_status = status;
        return r;
}

/* capget(2) by its raw ABI (linux/capability.h: the musl build has no
 * kernel headers): version 3, two 32-bit words per set. */
#define CAP_VERSION_3 0x20080522u
#define CAP_SYS_RESOURCE_BIT 24
static bool has_sys_resource(void) {
        struct { uint32_t version; int pid; } hdr = { CAP_VERSION_3, 0 };
        struct { uint32_t effective, permitted, inheritable; } data[2] = { 0 };
        if (syscall(SYS_capget, &hdr, data) < 0)
                return false;
        return (data[0].effective >> CAP_SYS_RESOURCE_BIT) & 1;
}

int os_rlimit_ceiling(int resource, rlim_t *ret) {
        struct rlimit own;
        if (!has_sys_resource()) {
                if (getrlimit(resource, &own) < 0)
                        return -errno;
                *ret = own.rlim_max;
                return 0;
        }
        *ret = RLIM_INFINITY;
        if (resource != RLIMIT_NOFILE)
                return 0;
        char buf[32];
        int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n;
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        int r = n < 0 ? -errno : 0;
        close(fd);
        if (r < 0)
                return r;
        buf[n] = '\0';
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        if (errno || end == buf)
                return -EINVAL;
        *ret = (rlim_t)v;
        return 0;
}
