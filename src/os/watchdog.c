/* SPDX-License-Identifier: MIT */
#include "os/watchdog.h"

#include "os/fd.h"
#include "os/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The watchdog ioctls (include/uapi/linux/watchdog.h, base 'W'), spelled
 * out here: musl's toolchain (the static build) has no kernel headers. The
 * numbers are the kernel's ABI. */
struct watchdog_info {
        uint32_t options;
        uint32_t firmware_version;
        uint8_t identity[32];
};
#define WDIOC_GETSUPPORT _IOR('W', 0, struct watchdog_info)
#define WDIOC_GETBOOTSTATUS _IOR('W', 2, int)
#define WDIOC_KEEPALIVE _IOR('W', 5, int)
#define WDIOC_SETTIMEOUT _IOWR('W', 6, int)
#define WDIOC_GETTIMEOUT _IOR('W', 7, int)

/* The misc device /dev/watchdog (10:130) is the legacy name of the first
 * watchdog registered (drivers/watchdog/watchdog_dev.c). */
#define MISC_MAJOR_NUMBER 10
#define WATCHDOG_MISC_MINOR 130

int os_watchdog_open(const char *path) {
        return os_open(path, O_WRONLY, 0);
}

static int watchdog_ioctl(int fd, unsigned long request, void *arg) {
        int r;
        do
                r = ioctl(fd, request, arg);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : 0;
}

int os_watchdog_get_support(int fd, struct os_watchdog_info *ret) {
        struct watchdog_info info;
        memset(&info, 0, sizeof(info));
        int r = watchdog_ioctl(fd, WDIOC_GETSUPPORT, &info);
        if (r < 0)
                return r;
        ret->options = info.options;
        ret->firmware_version = info.firmware_version;
        size_t n = strnlen((const char *)info.identity, sizeof(info.identity));
        memcpy(ret->identity, info.identity, n);
        ret->identity[n] = '\0';
        return 0;
}

int os_watchdog_get_boot_status(int fd, uint32_t *ret) {
        int v = 0;
        int r = watchdog_ioctl(fd, WDIOC_GETBOOTSTATUS, &v);
        if (r < 0)
                return r;
        *ret = (uint32_t)v;
        return 0;
}

int os_watchdog_get_timeout(int fd, unsigned *ret_sec) {
        int v = 0;
        int r = watchdog_ioctl(fd, WDIOC_GETTIMEOUT, &v);
        if (r < 0)
                return r;
        if (v <= 0)
                return -EIO;
        *ret_sec = (unsigned)v;
        return 0;
}

int os_watchdog_set_timeout(int fd, unsigned sec, unsigned *ret_granted_sec) {
        int v = sec > (unsigned)INT32_MAX ? INT32_MAX : (int)sec;
        int r = watchdog_ioctl(fd, WDIOC_SETTIMEOUT, &v);
        if (r < 0)
                return r;
        /* The driver writes back what it set; one that leaves the value
         * alone set what was asked. */
        *ret_granted_sec = v > 0 ? (unsigned)v : sec;
        return 0;
}

int os_watchdog_keepalive(int fd) {
        int dummy = 0;
        return watchdog_ioctl(fd, WDIOC_KEEPALIVE, &dummy);
}

int os_watchdog_magic_close(int fd) {
        int r = os_write_all(fd, "V", 1);
        os_close(fd);
        return r;
}

static int read_flag(const char *path) {
        char *text = NULL;
        int r = os_read_file(path, 64, &text, NULL);
        if (r < 0)
                return r == -ENOTDIR ? -ENOENT : r;
        r = text[0] == '1' ? 1 : text[0] == '0' ? 0 : -EIO;
        free(text);
        return r;
}

/* "watchdogN" (N decimal digits only): 0 and *ret_n, else -EINVAL. */
static int watchdog_number(const char *name, unsigned *ret_n) {
        if (strncmp(name, "watchdog", 8) != 0 || !name[8])
                return -EINVAL;
        unsigned long n = 0;
        for (const char *p = name + 8; *p; p++) {
                if (*p < '0' || *p > '9' || n > 100000)
                        return -EINVAL;
                n = n * 10 + (unsigned long)(*p - '0');
        }
        *ret_n = (unsigned)n;
        return 0;
}

int os_watchdog_nowayout(const char *path, int fd) {
        char sysfs[128];
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        unsigned n;
        struct stat st;
        if (watchdog_number(base, &n) == 0) {
                snprintf(sysfs, sizeof(sysfs), "/sys/class/watchdog/watchdog%u/nowayout", n);
        } else if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode)) {
                if (major(st.st_rdev) == MISC_MAJOR_NUMBER && minor(st.st_rdev) == WATCHDOG_MISC_MINOR)
                        snprintf(sysfs, sizeof(sysfs), "/sys/class/watchdog/watchdog0/nowayout");
                else
                        snprintf(sysfs, sizeof(sysfs), "/sys/dev/char/%u:%u/nowayout", major(st.st_rdev),
                                 minor(st.st_rdev));
        } else {
                return -ENOENT;
        }
        return read_flag(sysfs);
}
