/* SPDX-License-Identifier: MIT */
/*
 * The machine's small device duties for system mode (erlinit parity, issue
 * 16): the loopback interface, the real-time clock, file times, symlinks,
 * a serial line's settings, /proc/sys writes, and stdio handed to /dev/null
 * before reboot(2). Each call is one kernel facility; the decisions are
 * system/device_plan's, the logging system/devices'. Returns 0 or -errno;
 * never logs.
 */
#ifndef VIGIL_OS_DEVICE_H
#define VIGIL_OS_DEVICE_H

#include <stddef.h>
#include <stdint.h>

/* Set IFF_UP on "lo" (SIOCGIFFLAGS, then SIOCSIFFLAGS; no `ip` binary).
 * The kernel gives it 127.0.0.1/8 and ::1 itself when it comes up
 * (net/ipv4/devinet.c, net/ipv6/addrconf.c). 1 when it was up already. */
int os_loopback_up(void);

/* CLOCK_REALTIME in whole seconds; setting it needs CAP_SYS_TIME. */
int os_clock_realtime(int64_t *ret_sec);
int os_clock_set_realtime(int64_t sec);

/* Create path if missing (0644) and set its times to now; fsync'd. */
int os_touch(const char *path);

/* 1 when path exists as anything (a dangling symlink counts), 0 when not. */
int os_link_exists(const char *path);
/* The device number of the file system holding path: major and minor. */
int os_path_device(const char *path, unsigned *ret_major, unsigned *ret_minor);

/* Write text (not atomically: for /proc/sys files) to an existing path. */
int os_write_text(const char *path, const char *text);

/* A serial line on fd: baud (a termios rate), parity 'n' 'o' 'e', bits 5-8,
 * one stop bit, no flow control, raw (erlinit's --tty-options). -EINVAL for
 * a rate termios lacks, -ENOTTY when fd is no terminal. */
int os_tty_set_line(int fd, unsigned baud, char parity, unsigned bits);

/* Open path write-only without blocking or becoming the controlling
 * terminal, write text, close. For a message on a console. */
int os_write_to_tty(const char *path, const char *text, size_t len);

/* fds 0, 1 and 2 onto /dev/null: the console's tty is no longer held open
 * (erlinit: a g_serial gadget can hang reboot(2) otherwise) while every
 * later write to stdio still goes somewhere harmless. */
int os_stdio_to_null(void);

#endif
