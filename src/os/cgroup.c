/* SPDX-License-Identifier: MIT */
#include "os/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int os_cgroup_is_cgroup2(const char *path) {
        struct statfs s;
        if (statfs(path, &s) < 0)
                return -errno;
        return s.f_type == CGROUP2_SUPER_MAGIC;
}

int os_cgroup_mount(const char *path) {
        return mount("cgroup2", path, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ? -errno : 0;
}

static int read_all(int fd, char *buf, size_t cap, bool from_start) {
        size_t len = 0;
        if (cap == 0)
                return -EINVAL;
        while (len < cap - 1) {
                ssize_t n = from_start ? pread(fd, buf + len, cap - 1 - len, (off_t)len) : read(fd, buf + len, cap - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return (int)len;
}

int os_cgroup_self(char *buf, size_t cap) {
        return os_cgroup_of(0, buf, cap);
}

int os_cgroup_of(pid_t pid, char *buf, size_t cap) {
        char text[4096], path[64];
        if (pid > 0)
                snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        else
                snprintf(path, sizeof(path), "/proc/self/cgroup");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int n = read_all(fd, text, sizeof(text), false);
        close(fd);
        if (n < 0)
                return n;
        for (char *p = text; p && *p;) {
                char *eol = strchr(p, '\n');
                if (eol)
                        *eol = '\0';
                if (strncmp(p, "0::", 3) == 0) {
                        if (strlen(p + 3) >= cap)
                                return -ENAMETOOLONG;
                        strcpy(buf, p + 3);
                        return 0;
                }
                p = eol ? eol + 1 : NULL;
        }
        return -ENOENT;
}

int os_cgroup_open(int at, const char *name, bool create, int *ret_fd) {
        if (create && mkdirat(at, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int os_cgroup_remove(int at, const char *name) {
        return unlinkat(at, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int os_cgroup_open_file(int dir_fd, const char *file, bool write, int *ret_fd) {
        int fd = openat(dir_fd, file, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int os_cgroup_write(int dir_fd, const char *file, const char *value) {
        int fd = -1;
        int r = os_cgroup_open_file(dir_fd, file, true, &fd);
        if (r < 0)
                return r;
        size_t len = strlen(value);
        ssize_t n;
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
        close(fd);
        return r;
}

int os_cgroup_read_fd(int fd, char *buf, size_t cap) {
        return read_all(fd, buf, cap, true);
}

int os_cgroup_read(int dir_fd, const char *file, char *buf, size_t cap) {
        int fd = -1;
        int r = os_cgroup_open_file(dir_fd, file, false, &fd);
        if (r < 0)
                return r;
        r = read_all(fd, buf, cap, true);
        close(fd);
        return r;
}

int os_cgroup_attach(int dir_fd, pid_t pid) {
        char v[24];
        snprintf(v, sizeof(v), "%d", (int)pid);
        return os_cgroup_write(dir_fd, "cgroup.procs", v);
}

int os_cgroup_kill(int dir_fd) {
        return os_cgroup_write(dir_fd, "cgroup.kill", "1");
}

int os_cgroup_signal_procs(int dir_fd, int sig) {
        enum { CAP = 64 * 1024 };
        char *text = malloc(CAP);
        if (!text)
                return -ENOMEM;
        int r = os_cgroup_read(dir_fd, "cgroup.procs", text, CAP);
        int count = 0;
        for (char *p = text; r >= 0 && *p;) {
                char *end;
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (pid > 0 && kill((pid_t)pid, sig) == 0)
                        count++;
                p = end;
                while (*p == '\n')
                        p++;
        }
        free(text);
        return r < 0 ? r : count;
}
