/* SPDX-License-Identifier: MIT */
/*
 * cgroup v2 (the kernel's Documentation/admin-guide/cgroup-v2.rst): the
 * file system check, the mount, a group's directory as an fd, and the
 * reads and writes of its interface files relative to that fd. Returns 0
 * (or a count) or -errno; never logs; knows nothing of units. The policy
 * (which groups, which values, when) is supervise/unit_cgroup.c's.
 *
 * Every file is opened relative to the group's directory fd (O_CLOEXEC),
 * so a unit's group is named once, when it is made.
 */
#ifndef VIGIL_OS_CGROUP_H
#define VIGIL_OS_CGROUP_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* 1 if path is the top of, or inside, a cgroup2 file system; 0 if not. */
int os_cgroup_is_cgroup2(const char *path);
/* Mount the cgroup2 hierarchy on path (nosuid, nodev, noexec). */
int os_cgroup_mount(const char *path);
/* This process's cgroup v2 path ("0::PATH" of /proc/self/cgroup) into buf. */
int os_cgroup_self(char *buf, size_t cap);
/* The same of process pid (0: this process); -ENOENT once it is gone. */
int os_cgroup_of(pid_t pid, char *buf, size_t cap);

#define OS_CGROUP_CWD AT_FDCWD

/* The directory fd of path (at = OS_CGROUP_CWD) or of name under the group
 * at; create: mkdir first (an existing one is fine). */
int os_cgroup_open(int at, const char *name, bool create, int *ret_fd);
/* rmdir name under the group at (-EBUSY while it has processes). */
int os_cgroup_remove(int at, const char *name);

/* Write value to file of the group (one write, as the kernel wants). */
int os_cgroup_write(int dir_fd, const char *file, const char *value);
/* Read file of the group into buf (NUL-terminated, at most cap - 1 bytes). */
int os_cgroup_read(int dir_fd, const char *file, char *buf, size_t cap);
/* Open file of the group for reading (cgroup.events: epoll EPOLLPRI
 * reports its changes) or, write, for writing (cgroup.procs at spawn). */
int os_cgroup_open_file(int dir_fd, const char *file, bool write, int *ret_fd);
/* Read an open interface file again from its start. */
int os_cgroup_read_fd(int fd, char *buf, size_t cap);

/* Move pid (0: the caller) into the group. */
int os_cgroup_attach(int dir_fd, pid_t pid);
/* SIGKILL to every process of the group and its children through
 * cgroup.kill (Linux 5.14); -ENOENT where the kernel has no cgroup.kill. */
int os_cgroup_kill(int dir_fd);
/* sig to each pid cgroup.procs lists (bounded: the first 64 KiB of it);
 * returns how many took it. The kernel lists only live members, but a pid
 * may exit and be reused between the read and the kill: the window is the
 * same as kill(-pgid)'s and far shorter than a /proc walk's. */
int os_cgroup_signal_procs(int dir_fd, int sig);

#endif
