/* SPDX-License-Identifier: MIT */
/*
 * Persistent per-unit log files (--log-dir DIR, issue 16 "post-mortem"):
 * every line a unit writes also goes to DIR/NAME.log, so the next boot can
 * read why the last one ended. Off unless --log-dir is given.
 *
 * Bounded for flash: NAME.log grows to at most --log-file-size bytes
 * (default 256 KiB), then is rotated: NAME.log.(N-1) -> NAME.log.N ...
 * NAME.log -> NAME.log.1, and a new NAME.log begins; --log-file-count N
 * (default 2) rotated files are kept, 0 keeps none (NAME.log starts over).
 * So a unit never holds more than (N + 1) * size bytes of DIR. The
 * defaults follow busybox syslogd (-s 200 KiB, -b 1) with one more
 * generation; like journald's SyncIntervalSec= the data is never fsync'ed
 * by vigil: the page cache batches the writes, and sync(2) at shutdown
 * (system/machine.c) puts them on the medium.
 *
 * Never blocking the loop: lines are rendered into a per-unit buffer of
 * LOG_FILE_BUFFER bytes (allocated on a unit's first line) and written
 * with one open(O_APPEND|O_NONBLOCK)/write/close once it is half full, or
 * LOG_FILE_FLUSH_USEC after its first line (one timer for all; none armed
 * while nothing waits). A full buffer whose write failed (ENOSPC, EROFS, a
 * missing directory) drops lines, counted; the next successful write
 * starts with "vigil: N lines dropped". A failure is logged once per unit
 * until a write succeeds again. Writes to a regular file do not wait for
 * the device, only for the page cache: this is best effort, not a promise
 * for a file system that hangs.
 *
 * Line format: "2026-12-07T17:05:19.123Z [PID] text\n" (UTC; PID 0 when
 * unknown), control bytes as spaces, cut at LOG_FILE_LINE_MAX bytes.
 */
#ifndef VIGIL_LOGCAP_LOG_FILE_H
#define VIGIL_LOGCAP_LOG_FILE_H

#include "logcap/log_ring.h"

#include <stdint.h>

#define LOG_FILE_BUFFER (8 * 1024)
#define LOG_FILE_LINE_MAX 1024
#define LOG_FILE_FLUSH_USEC (1 * 1000000ULL)
#define LOG_FILE_SIZE_DEFAULT (256 * 1024)
#define LOG_FILE_SIZE_MIN (2 * LOG_FILE_BUFFER)   /* one flush always fits a fresh file */
#define LOG_FILE_COUNT_DEFAULT 2
#define LOG_FILE_COUNT_MAX 99

struct log_file_config {
        const char *dir;                /* made (0755) if missing */
        uint64_t max_size;              /* bytes per file, >= LOG_FILE_SIZE_MIN */
        unsigned count;                 /* rotated files kept, <= LOG_FILE_COUNT_MAX */
};

/* 0 or -errno (-EINVAL: bad config; the directory may appear later). */
int log_file_init(const struct log_file_config *c);
bool log_file_enabled(void);
/* One line of unit's output (rec as the ring holds it). */
void log_file_line(const char *unit, const struct log_record *rec);
/* Write every buffer now (at exit). */
void log_file_flush(void);
/* Lines dropped so far, over all units. */
unsigned long long log_file_dropped(void);
void log_file_free(void);

#endif
