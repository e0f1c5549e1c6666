/* SPDX-License-Identifier: MIT */
/*
 * An LD_PRELOAD shim that plays a Linux watchdog device for the host tests
 * of vigil's hardware watchdog (tests/integ/test_hw_watchdog.py): opening
 * $VIGIL_WDT_SHIM_PATH gives a real fd (on /dev/null) that this library
 * answers for: the WDIOC_* ioctls, writes (pings, the magic 'V') and the
 * close. Every call is recorded, with CLOCK_MONOTONIC seconds and the pid,
 * as one line in $VIGIL_WDT_SHIM_LOG:
 *
 *   T PID open PATH cloexec=yes|no     T PID open-refused PATH ERRNO
 *   T PID getsupport                   T PID getbootstatus 0xN
 *   T PID gettimeout N                 T PID settimeout ASKED GRANTED | refused
 *   T PID keepalive                    T PID write BYTES magic=yes|no
 *   T PID close disarmed|armed[ nowayout]
 *   T PID sysfs-nowayout PATH VALUE|missing
 *
 * Configuration (environment, read at each open):
 *   VIGIL_WDT_SHIM_IDENTITY   identity (default "vigil test watchdog")
 *   VIGIL_WDT_SHIM_OPTIONS    WDIOF_* options (default SETTIMEOUT|MAGICCLOSE|KEEPALIVEPING)
 *   VIGIL_WDT_SHIM_FIRMWARE   firmware version (default 0)
 *   VIGIL_WDT_SHIM_TIMEOUT    the timeout before any SETTIMEOUT (default 60)
 *   VIGIL_WDT_SHIM_ROUND      the driver grants the asked timeout rounded up to this step
 *   VIGIL_WDT_SHIM_MAX        ... and at most this (clamped)
 *   VIGIL_WDT_SHIM_REFUSE     1: SETTIMEOUT fails with EINVAL
 *   VIGIL_WDT_SHIM_OPEN_ERRNO an errno number: open fails with it (16 = EBUSY)
 *   VIGIL_WDT_SHIM_BOOTSTATUS GETBOOTSTATUS value (0x20 = WDIOF_CARDRESET)
 *   VIGIL_WDT_SHIM_NOWAYOUT   0 or 1: /sys/class/watchdog/BASENAME/nowayout reads so;
 *                             unset: that file does not exist
 *
 * Only the process that opened the device answers for its fd (a forked
 * child closing inherited fds is not the device's close). Test code only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct {
        int fd;            /* the device's fd in owner, or -1 */
        pid_t owner;
        int timeout;
        int options;
        int nowayout;      /* -1: sysfs does not say */
        int expect_close;  /* 'V' written since the last ping */
} dev = { .fd = -1 };

static int env_int(const char *name, int fallback) {
        const char *v = getenv(name);
        return v && *v ? (int)strtol(v, NULL, 0) : fallback;
}

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...) {
        const char *log = getenv("VIGIL_WDT_SHIM_LOG");
        if (!log)
                return;
        char line[512];
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int n = snprintf(line, sizeof(line), "%lld.%06ld %d ", (long long)ts.tv_sec, ts.tv_nsec / 1000,
                         (int)getpid());
        va_list ap;
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        if (n > (int)sizeof(line) - 2)
                n = (int)sizeof(line) - 2;
        line[n++] = '\n';
        /* Raw syscalls: never back through the wrappers below. */
        int fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        (void)syscall(SYS_write, fd, line, (size_t)n);
        (void)syscall(SYS_close, fd);
}

static const char *basename_of(const char *path) {
        const char *b = strrchr(path, '/');
        return b ? b + 1 : path;
}

static int is_device(const char *path) {
        const char *dev_path = getenv("VIGIL_WDT_SHIM_PATH");
        return path && dev_path && strcmp(path, dev_path) == 0;
}

/* /sys/class/watchdog/<basename of the device>/nowayout */
static int is_sysfs_nowayout(const char *path) {
        const char *dev_path = getenv("VIGIL_WDT_SHIM_PATH");
        if (!path || !dev_path)
                return 0;
        char want[512];
        snprintf(want, sizeof(want), "/sys/class/watchdog/%s/nowayout", basename_of(dev_path));
        return strcmp(path, want) == 0;
}

static int open_sysfs_nowayout(const char *path) {
        const char *v = getenv("VIGIL_WDT_SHIM_NOWAYOUT");
        if (!v || !*v) {
                record("sysfs-nowayout %s missing", path);
                errno = ENOENT;
                return -1;
        }
        int fd = (int)syscall(SYS_memfd_create, "nowayout", MFD_CLOEXEC);
        if (fd < 0)
                return -1;
        char text[8];
        int n = snprintf(text, sizeof(text), "%c\n", v[0] == '1' ? '1' : '0');
        (void)syscall(SYS_write, fd, text, (size_t)n);
        (void)lseek(fd, 0, SEEK_SET);
        record("sysfs-nowayout %s %c", path, text[0]);
        return fd;
}

static int open_device(const char *path, int flags) {
        int err = env_int("VIGIL_WDT_SHIM_OPEN_ERRNO", 0);
        if (err > 0) {
                record("open-refused %s %d", path, err);
                errno = err;
                return -1;
        }
        if (dev.fd >= 0 && dev.owner == getpid()) {
                record("open-refused %s %d", path, EBUSY);  /* the kernel's single open */
                errno = EBUSY;
                return -1;
        }
        int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", flags & (O_ACCMODE | O_CLOEXEC), 0);
        if (fd < 0)
                return -1;
        dev.fd = fd;
        dev.owner = getpid();
        dev.timeout = env_int("VIGIL_WDT_SHIM_TIMEOUT", 60);
        dev.options = env_int("VIGIL_WDT_SHIM_OPTIONS", WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING);
        const char *nw = getenv("VIGIL_WDT_SHIM_NOWAYOUT");
        dev.nowayout = nw && *nw ? nw[0] == '1' : -1;
        dev.expect_close = 0;
        record("open %s cloexec=%s", path, (flags & O_CLOEXEC) ? "yes" : "no");
        return fd;
}

static int mine(int fd) {
        return fd >= 0 && fd == dev.fd && dev.owner == getpid();
}

/* ---------------------------------------------------------------- open */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

static int intercept_open(const char *path, int flags, int *ret) {
        if (is_device(path)) {
                *ret = open_device(path, flags);
                return 1;
        }
        if (is_sysfs_nowayout(path)) {
                *ret = open_sysfs_nowayout(path);
                return 1;
        }
        return 0;
}

static mode_t mode_arg(int flags, va_list ap) {
        return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

#define DEFINE_OPEN(name)                                                         \
        int name(const char *path, int flags, ...) {                             \
                va_list ap;                                                      \
                va_start(ap, flags);                                             \
                mode_t mode = mode_arg(flags, ap);                               \
                va_end(ap);                                                      \
                int r;                                                           \
                if (intercept_open(path, flags, &r))                             \
                        return r;                                                \
                open_fn real = (open_fn)dlsym(RTLD_NEXT, #name);                  \
                return real(path, flags, mode);                                  \
        }
DEFINE_OPEN(open)
DEFINE_OPEN(open64)

#define DEFINE_OPENAT(name)                                                       \
        int name(int dirfd, const char *path, int flags, ...) {                  \
                va_list ap;                                                      \
                va_start(ap, flags);                                             \
                mode_t mode = mode_arg(flags, ap);                               \
                va_end(ap);                                                      \
                int r;                                                           \
                if (intercept_open(path, flags, &r))                             \
                        return r;                                                \
                openat_fn real = (openat_fn)dlsym(RTLD_NEXT, #name);              \
                return real(dirfd, path, flags, mode);                           \
        }
DEFINE_OPENAT(openat)
DEFINE_OPENAT(openat64)

/* _FORTIFY_SOURCE's checked variants (two-argument open). */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags) {
        int r;
        if (intercept_open(path, flags, &r))
                return r;
        open_fn real = (open_fn)dlsym(RTLD_NEXT, "__open_2");
        return real(path, flags);
}
int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags) {
        int r;
        if (intercept_open(path, flags, &r))
                return r;
        open_fn real = (open_fn)dlsym(RTLD_NEXT, "__open64_2");
        return real(path, flags);
}

/* ---------------------------------------------------------------- ioctl */

static int grant(int asked) {
        int step = env_int("VIGIL_WDT_SHIM_ROUND", 0), max = env_int("VIGIL_WDT_SHIM_MAX", 0);
        int g = asked;
        if (step > 0)
                g = (g + step - 1) / step * step;
        if (max > 0 && g > max)
                g = max;
        return g;
}

static int device_ioctl(unsigned long request, void *arg) {
        int *value = arg;
        switch (request) {
        case WDIOC_GETSUPPORT: {
                struct watchdog_info info;
                memset(&info, 0, sizeof(info));
                info.options = (unsigned)dev.options;
                info.firmware_version = (unsigned)env_int("VIGIL_WDT_SHIM_FIRMWARE", 0);
                const char *id = getenv("VIGIL_WDT_SHIM_IDENTITY");
                snprintf((char *)info.identity, sizeof(info.identity), "%s", id ? id : "vigil test watchdog");
                memcpy(arg, &info, sizeof(info));
                record("getsupport");
                return 0;
        }
        case WDIOC_GETBOOTSTATUS:
                *value = env_int("VIGIL_WDT_SHIM_BOOTSTATUS", 0);
                record("getbootstatus 0x%x", (unsigned)*value);
                return 0;
        case WDIOC_GETSTATUS:
                *value = 0;
                record("getstatus");
                return 0;
        case WDIOC_GETTIMEOUT:
                *value = dev.timeout;
                record("gettimeout %d", dev.timeout);
                return 0;
        case WDIOC_SETTIMEOUT:
                if (!(dev.options & WDIOF_SETTIMEOUT) || env_int("VIGIL_WDT_SHIM_REFUSE", 0)) {
                        record("settimeout %d refused", *value);
                        errno = EINVAL;
                        return -1;
                }
                dev.timeout = grant(*value);
                record("settimeout %d %d", *value, dev.timeout);
                *value = dev.timeout;
                dev.expect_close = 0;  /* the core pings after setting */
                return 0;
        case WDIOC_KEEPALIVE:
                dev.expect_close = 0;
                record("keepalive");
                return 0;
        default:
                record("ioctl-unknown 0x%lx", request);
                errno = ENOTTY;
                return -1;
        }
}

typedef int (*ioctl_fn)(int, unsigned long, ...);
int ioctl(int fd, unsigned long request, ...) {
        va_list ap;
        va_start(ap, request);
        void *arg = va_arg(ap, void *);
        va_end(ap);
        if (mine(fd))
                return device_ioctl(request, arg);
        ioctl_fn real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
        return real(fd, request, arg);
}

/* ---------------------------------------------------------------- write, close */

typedef ssize_t (*write_fn)(int, const void *, size_t);
ssize_t write(int fd, const void *buf, size_t len) {
        if (mine(fd)) {
                /* watchdog_dev.c: any write pings; a 'V' in it arms the magic close. */
                int magic = memchr(buf, 'V', len) != NULL;
                dev.expect_close = magic && (dev.options & WDIOF_MAGICCLOSE);
                record("write %zu magic=%s", len, magic ? "yes" : "no");
                return (ssize_t)len;
        }
        write_fn real = (write_fn)dlsym(RTLD_NEXT, "write");
        return real(fd, buf, len);
}

typedef int (*close_fn)(int);
int close(int fd) {
        if (mine(fd)) {
                /* watchdog_release(): stopped only if the magic close was
                 * armed or the driver has no MAGICCLOSE, and never nowayout. */
                int stops = (dev.expect_close || !(dev.options & WDIOF_MAGICCLOSE)) && dev.nowayout != 1;
                record("close %s%s", stops ? "disarmed" : "armed", dev.nowayout == 1 ? " nowayout" : "");
                dev.fd = -1;
        }
        close_fn real = (close_fn)dlsym(RTLD_NEXT, "close");
        return real(fd);
}
