/* SPDX-License-Identifier: MIT */
/*
 * Post-mortem line formats (pure): vigil's own log records for /dev/kmsg,
 * breadcrumbs for /dev/pmsg0, and the kernel log text read back for the
 * shutdown report.
 *
 * kmsg: "<PRI>vigil: text\n", PRI the syslog priority: facility daemon (3,
 * as erlinit and nerves_heart use; the kernel would turn facility 0 into
 * "user" anyway) times 8 plus the severity (vigil's log levels are syslog
 * severities: 3 error ... 7 debug). The kernel takes one record per write
 * and cuts it at about 1 KiB; a newline inside the text would end the
 * record early, so control bytes become spaces.
 *
 * pmsg breadcrumb: "2026-12-07T17:05:19.123456Z vigil: text\n" (RFC 3339,
 * UTC, microseconds, as erlinit writes them), at most KMSG_BREADCRUMB_MAX
 * bytes: ramoops' pmsg area is small.
 */
#ifndef VIGIL_BASE_KMSG_FORMAT_H
#define VIGIL_BASE_KMSG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define KMSG_FACILITY_DAEMON 3
#define KMSG_RECORD_MAX 976          /* below the kernel's LOG_LINE_MAX (1024 - 32) */
#define KMSG_BREADCRUMB_MAX 160

/* The priority of a vigil log level (clamped to 0..7). */
int kmsg_priority(int level);

/* Render one kmsg record into dst[0..room) (room >= 16): the bytes written,
 * without a NUL; text longer than fits is cut, never inside a UTF-8
 * sequence, and the record still ends in '\n'. */
size_t kmsg_format_record(int level, const char *ident, const char *text, char *dst, size_t room);

/* Render one breadcrumb (room >= KMSG_BREADCRUMB_MAX is always enough). */
size_t kmsg_format_breadcrumb(uint64_t realtime_usec, const char *text, char *dst, size_t room);

/* The last max_lines lines of a kernel log text (as syslog(2) READ_ALL
 * gives it, each line "<N>[   1.234567] text"), with the "<N>" prefixes
 * dropped, into dst[0..room) NUL-terminated; every line kept ends in '\n'.
 * Returns the length. */
size_t kmsg_tail(const char *text, size_t len, size_t max_lines, char *dst, size_t room);

#endif
