/* SPDX-License-Identifier: MIT */
#include "os/system.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* include/uapi/linux/reboot.h (spelled here: musl's headers lack linux/). */
#define VIGIL_REBOOT_MAGIC1 0xfee1deadU
#define VIGIL_REBOOT_MAGIC2 672274793U
#define VIGIL_REBOOT_CMD_RESTART2 0xA1B2C3D4U

/* include/linux/proc_ns.h: the initial PID namespace's inode number. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

bool os_is_machine_init(const char **ret_why) {
        struct stat st;
        if (getpid() != 1) {
                *ret_why = "not PID 1";
                return false;
        }
        if (stat("/proc/self/ns/pid", &st) == 0) {
                bool initial = st.st_ino == PROC_PID_INIT_INO;
                *ret_why = initial ? "PID 1 of the initial PID namespace" : "PID 1 of a PID namespace (a container)";
                return initial;
        }
        if (access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0 || getenv("container")) {
                *ret_why = "PID 1 with a container marker";
                return false;
        }
        *ret_why = "PID 1 without /proc and with no container marker";
        return true;
}

int os_make_dirs(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        size_t len = strlen(path);
        if (len == 0 || len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1; ; p++) {
                if (*p == '/' || *p == '\0') {
                        char saved = *p;
                        *p = '\0';
                        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                                return -errno;
                        *p = saved;
                        if (saved == '\0')
                                break;
                }
        }
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int os_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data) {
        int r = os_make_dirs(target, 0755);
        if (r < 0)
                return r;
        if (mount(source, target, type, flags, data) < 0)
                return -errno;
        return 0;
}

int os_umount(const char *target) {
        if (umount2(target, UMOUNT_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

int os_remount_read_only(const char *target) {
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
                return -errno;
        return 0;
}

int os_is_mount_point(const char *path) {
        struct stat st, parent;
        char up[PATH_MAX];
        if (strcmp(path, "/") == 0)
                return 1;
        if (lstat(path, &st) < 0)
                return -errno;
        if ((size_t)snprintf(up, sizeof(up), "%s/..", path) >= sizeof(up))
                return -ENAMETOOLONG;
        if (stat(up, &parent) < 0)
                return -errno;
        return st.st_dev != parent.st_dev || st.st_ino == parent.st_ino;
}

int os_set_hostname(const char *name) {
        if (sethostname(name, strlen(name)) < 0)
                return -errno;
        return 0;
}

int os_use_console(const char *name) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s%s", name[0] == '/' ? "" : "/dev/", name) >= sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (dup2(fd, i) < 0) {
                        int e = -errno;
                        if (fd > 2)
                                close(fd);
                        return e;
                }
        if (fd > 2)
                close(fd);
        return 0;
}

int os_reopen_console(void) {
        char path[PATH_MAX];
        ssize_t n = readlink("/proc/self/fd/2", path, sizeof(path) - 1);
        if (n < 0)
                return -errno;
        path[n] = '\0';
        if (strncmp(path, "/dev/", 5) != 0 || strcmp(path, "/dev/null") == 0)
                return -ENOTTY;
        return os_use_console(path);
}

void os_sync(void) {
        sync();
}

int os_disable_cad(void) {
        if (reboot(RB_DISABLE_CAD) < 0)
                return -errno;
        return 0;
}

/* reboot(2) itself; with an argument LINUX_REBOOT_CMD_RESTART2, which glibc's
 * and musl's reboot() wrappers cannot pass. */
static int call_reboot(int how, const char *arg) {
        if (arg)
                return (int)syscall(SYS_reboot, VIGIL_REBOOT_MAGIC1, VIGIL_REBOOT_MAGIC2, VIGIL_REBOOT_CMD_RESTART2, arg);
        return reboot(how);
}

int os_reboot(enum os_reboot_cmd cmd, const char *arg) {
        int how = cmd == OS_REBOOT_RESTART ? RB_AUTOBOOT : cmd == OS_REBOOT_POWER_OFF ? RB_POWER_OFF : RB_HALT_SYSTEM;
        if (cmd != OS_REBOOT_RESTART || (arg && !arg[0]))
                arg = NULL;
        pid_t pid = fork();
        if (pid < 0) {
                /* No child: PID 1 calls it itself; restart does not return. */
                if (cmd != OS_REBOOT_RESTART)
                        return -errno;
                if (call_reboot(how, arg) < 0)
                        return -errno;
                return 0;
        }
        if (pid == 0) {
                (void)call_reboot(how, arg);
                _exit(errno & 0xff);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                return -WEXITSTATUS(status);
        return 0;
}

void os_pause_forever(void) {
        sigset_t all;
        sigfillset(&all);
        for (;;)
                sigsuspend(&all);
}
