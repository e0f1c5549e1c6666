/* SPDX-License-Identifier: MIT */
/*
 * vigil's own log: one line per message on stderr, "vigil: text". The level
 * decides what is shown: notice by default, -v info, -vv debug, -q warnings,
 * -qq errors only. A message is formatted into a bounded buffer and written
 * with one write(), so lines from vigil and its children never interleave
 * mid-line. Write errors (EPIPE, a full non-blocking pipe) drop the line:
 * logging must never stop PID 1.
 *
 * System mode (vigil is the machine's init) adds two sinks for the
 * post-mortem (issue 16):
 *  - /dev/kmsg: every message also goes into the kernel log as
 *    "<PRI>vigil: text" (base/kmsg_format.h), so dmesg, ramoops' console
 *    dump and the shutdown report's kernel-log tail carry it. The console
 *    copy on stderr stays as it was (the kernel prints kmsg records below
 *    its console_loglevel to the console too: with `quiet` that is errors
 *    only, so those show twice there). The kernel rate-limits writes per
 *    open file (printk.devkmsg=ratelimit: 10 per 5 s), dropping the rest
 *    silently, so the device is reopened every LOG_KMSG_REOPEN writes, as
 *    erlinit (which opens it per message) effectively does. Opened
 *    O_NONBLOCK; a failed write (EINVAL, ENOSPC, EAGAIN...) drops that
 *    record and is counted, never retried.
 *  - breadcrumbs: log_breadcrumb() appends one short timestamped line to
 *    /dev/pmsg0 (ramoops' user message area, kept across a warm reboot, read
 *    back from /sys/fs/pstore/pmsg-ramoops-0): boot, unit failures, the
 *    shutdown's cause. Write-only, at most LOG_BREADCRUMBS_MAX per boot and
 *    KMSG_BREADCRUMB_MAX bytes each, so the small pmsg area is not flooded.
 *    --pmsg-device, default /dev/pmsg0; opened O_APPEND, never created:
 *    while it cannot be opened (no device, or its file system comes later)
 *    each breadcrumb tries again; the first LOG_BREADCRUMBS_PENDING wait
 *    for the open that works, later ones are dropped (counted).
 */
#ifndef VIGIL_CORE_LOG_H
#define VIGIL_CORE_LOG_H

enum log_level {
        LOG_LEVEL_ERROR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

void log_set_level(int level);
int log_get_level(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_KMSG_REOPEN 8
#define LOG_BREADCRUMBS_MAX 64
#define LOG_BREADCRUMBS_PENDING 4

/* System mode: also log to the kernel log (path: /dev/kmsg). 0 or -errno
 * (then only stderr, as before). */
int log_open_kmsg(const char *path);
/* Breadcrumbs into path (a pmsg device) from now on: 0, or the -errno of
 * the first open (-ENOENT: not there yet, or no pmsg on this kernel). */
int log_open_breadcrumbs(const char *path);
/* One breadcrumb line; nothing without an open pmsg. */
void log_breadcrumb(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Close the breadcrumbs' fd (before the unmount; a later breadcrumb
 * opens it again). */
void log_release_breadcrumbs(void);
/* Records the kmsg / pmsg sinks dropped (write errors, the pmsg bound). */
unsigned long long log_kmsg_dropped(void);
unsigned long long log_breadcrumbs_dropped(void);
void log_close_sinks(void);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
