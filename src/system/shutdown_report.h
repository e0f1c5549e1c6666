/* SPDX-License-Identifier: MIT */
/*
 * The shutdown report (SPEC §7, --shutdown-report FILE; erlinit's
 * post-mortem for "why did my device reboot"): why the system went down
 * and when each step happened, written before the unmount, and read back
 * at the next boot, where vigil logs it and `vigilctl status` shows it.
 *
 * The file is text:
 *
 *   # vigil shutdown report
 *   action: reboot
 *   reason: SIGTERM from pid 212
 *   time: 2026-11-23T10:00:00Z
 *   uptime: 83.412 s
 *   timeline:
 *     +0.000 s shutdown requested
 *     +0.021 s units stopped
 *     ...
 *   failed unit: critical
 *   last lines of critical:
 *     | 2026-11-23T10:00:00.120Z [212] PINGER-HANGS
 *   kernel log:
 *     | [   83.100000] vigil: critical: watchdog timeout (2 s)
 *
 * "failed unit:" names the unit whose failure began the shutdown (its
 * FailureAction=, a health failure), with up to SHUTDOWN_REPORT_UNIT_LINES
 * of its last output lines (its log ring, as `vigilctl log` shows them);
 * "kernel log:" is the tail of the kernel log buffer (syslog(2), the last
 * SHUTDOWN_REPORT_KERNEL_LINES lines: vigil's own log is in it, through
 * /dev/kmsg), only when vigil is the machine's init.
 *
 * Read back at the next boot: "action:" and "reason:", and the failed
 * unit's lines, each logged again ("previous shutdown: NAME| line") so that
 * the new boot's console and kernel log show why the last one ended. The
 * rest is for people.
 */
#ifndef VIGIL_SYSTEM_SHUTDOWN_REPORT_H
#define VIGIL_SYSTEM_SHUTDOWN_REPORT_H

#include <stdbool.h>

/* The shutdown starts: its action and reason (copied). */
void shutdown_report_begin(const char *action, const char *why);

/* One step of the timeline, stamped now. At most 32 are kept. */
void shutdown_report_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The reason of the shutdown under way (what began it), NULL before one
 * began. Container mode records one too: the termination log's text. */
const char *shutdown_report_reason(void);

#define SHUTDOWN_REPORT_UNIT_LINES 20
#define SHUTDOWN_REPORT_KERNEL_LINES 40

/* The unit whose failure began the shutdown and its last lines ('\n'
 * after each, copied). The first call wins; NULL lines: none. */
void shutdown_report_set_failed_unit(const char *unit, const char *lines);
/* Put the kernel log's tail in the report (vigil is the machine's init). */
void shutdown_report_set_kernel_log(bool on);

/* Write the report to path (replaced atomically, mode 0644). 0 or -errno. */
int shutdown_report_write(const char *path);

/* At boot: read path's report of the previous shutdown, if any, and log
 * it. A missing file is not an error. */
void shutdown_report_load_previous(const char *path);

/* The previous shutdown's action and reason, NULL when none was read. */
const char *shutdown_report_previous_action(void);
const char *shutdown_report_previous_reason(void);

void shutdown_report_free(void);

#endif
