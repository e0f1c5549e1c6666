/* SPDX-License-Identifier: MIT */
/*
 * A hardware watchdog device (Linux watchdog API, include/uapi/linux/
 * watchdog.h; Documentation/watchdog/watchdog-api.rst). Returns 0 or
 * -errno; never logs; knows nothing of the policy (supervise/hw_watchdog).
 *
 * Opening the device starts the watchdog; the kernel allows one opener
 * (a second open fails with EBUSY). Closing it stops the watchdog only if
 * the magic character 'V' was written first (drivers with
 * WDIOF_MAGICCLOSE), or the driver lacks WDIOF_MAGICCLOSE; never when the
 * watchdog is "nowayout".
 */
#ifndef VIGIL_OS_WATCHDOG_H
#define VIGIL_OS_WATCHDOG_H

#include <stdint.h>

/* WDIOF_* bits of struct watchdog_info.options and of the (boot) status. */
#define OS_WATCHDOG_OVERHEAT      0x0001u
#define OS_WATCHDOG_FANFAULT      0x0002u
#define OS_WATCHDOG_EXTERN1       0x0004u
#define OS_WATCHDOG_EXTERN2       0x0008u
#define OS_WATCHDOG_POWERUNDER    0x0010u
#define OS_WATCHDOG_CARDRESET     0x0020u   /* the card reset the CPU: the last boot */
#define OS_WATCHDOG_POWEROVER     0x0040u
#define OS_WATCHDOG_SETTIMEOUT    0x0080u   /* WDIOC_SETTIMEOUT works */
#define OS_WATCHDOG_MAGICCLOSE    0x0100u   /* 'V' before close disarms */
#define OS_WATCHDOG_PRETIMEOUT    0x0200u
#define OS_WATCHDOG_ALARMONLY     0x0400u
#define OS_WATCHDOG_KEEPALIVEPING 0x8000u

struct os_watchdog_info {
        uint32_t options;               /* OS_WATCHDOG_* */
        uint32_t firmware_version;
        char identity[33];              /* NUL-terminated */
};

/* open(2) O_WRONLY | O_CLOEXEC: the fd, or -errno (-EBUSY: someone else
 * has it open; -ENOENT: no such device). This starts the watchdog. */
int os_watchdog_open(const char *path);

/* WDIOC_GETSUPPORT; -ENOTTY when fd is not a watchdog. */
int os_watchdog_get_support(int fd, struct os_watchdog_info *ret);
/* WDIOC_GETBOOTSTATUS: OS_WATCHDOG_* bits of the last boot. */
int os_watchdog_get_boot_status(int fd, uint32_t *ret);
/* WDIOC_GETTIMEOUT, in seconds. */
int os_watchdog_get_timeout(int fd, unsigned *ret_sec);
/* WDIOC_SETTIMEOUT: ask for sec; the driver writes back what it granted
 * (it may round or clamp), returned in *ret_granted_sec. */
int os_watchdog_set_timeout(int fd, unsigned sec, unsigned *ret_granted_sec);
/* WDIOC_KEEPALIVE: pet it. */
int os_watchdog_keepalive(int fd);
/* Write the magic 'V', then close fd (watchdog-api: "magic close"): the
 * driver stops the watchdog unless it is nowayout. fd is closed in any case. */
int os_watchdog_magic_close(int fd);

/* Whether the watchdog behind fd (opened as path) is nowayout, from sysfs
 * (needs CONFIG_WATCHDOG_SYSFS): /sys/class/watchdog/watchdogN/nowayout for
 * a path named watchdogN, else /sys/dev/char/MAJ:MIN/nowayout of the
 * character device. 1 or 0; -ENOENT when sysfs does not say. */
int os_watchdog_nowayout(const char *path, int fd);

#endif
