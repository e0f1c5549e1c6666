/* SPDX-License-Identifier: MIT */
/*
 * The per-unit output ring behind `vigilctl log` (SPEC §6): the last lines
 * of one unit's output, in a fixed number of bytes. Pure (no syscalls, no
 * clock: the caller gives the time and the sequence number).
 *
 * A record is one line as output.c rendered it: a global sequence number
 * (the caller's counter across all rings, so rings merge in order), the
 * CLOCK_REALTIME time it was read, the pid that wrote it (0: unknown), the
 * cut flag of base/linebuf.h, and its bytes (any bytes: NUL, '\r', invalid
 * UTF-8 are kept as they are).
 *
 * Layout: one buffer of `capacity` bytes, allocated on the first push (a
 * unit that never writes costs nothing), holding records back to back, each
 * a fixed header and its bytes padded to 8. A record never wraps around the
 * end of the buffer, so readers get each line as one span: when the next
 * record does not fit before the end, the writer leaves a wrap mark (or,
 * with less room than a header, nothing: readers wrap there too) and
 * continues at 0. Pushing into a full ring drops the oldest records until
 * the new one fits. A line longer than LOG_RING_LINE_MAX(capacity) (a
 * quarter of it) is truncated, never inside a UTF-8 sequence, and marked
 * cut, so one line can never take the whole ring.
 *
 * Iterating: oldest to newest, from the oldest record, the last N, or the
 * first one after a given sequence number. An iterator is valid until the
 * next push or free (the control server uses them within one loop turn).
 */
#ifndef VIGIL_LOGCAP_LOG_RING_H
#define VIGIL_LOGCAP_LOG_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOG_RING_CAPACITY (64 * 1024)            /* per unit */
#define LOG_RING_LINE_MAX(capacity) ((capacity) / 4)

struct log_ring {
        char *buf;                      /* NULL until the first push */
        size_t capacity;                /* bytes, a multiple of 8 */
        size_t head, tail;              /* oldest record; where the next goes */
        size_t newest;                  /* the newest record (when n > 0) */
        size_t n;                       /* records held */
        uint64_t pushed, dropped;       /* records ever pushed; dropped to make room */
        void *owner;                    /* the caller's (supervise/unit.c: the unit) */
};

/* One record as the reader sees it; line points into the ring. */
struct log_record {
        uint64_t seq;
        uint64_t realtime_usec;
        pid_t pid;
        bool cut;
        const char *line;
        size_t len;
};

struct log_ring_iter {
        size_t off;                     /* of the next record */
        size_t left;                    /* records still to visit */
};

/* capacity is rounded down to a multiple of 8; at least 256. No allocation. */
void log_ring_init(struct log_ring *r, size_t capacity, void *owner);
void log_ring_free(struct log_ring *r);

/* Append a line, dropping the oldest records as needed. 0, or -ENOMEM (the
 * first push could not allocate: the line is lost, the ring stays empty). */
int log_ring_push(struct log_ring *r, uint64_t seq, uint64_t realtime_usec, pid_t pid, bool cut,
                  const char *line, size_t len);

size_t log_ring_count(const struct log_ring *r);
/* The newest record; false when empty. */
bool log_ring_newest(const struct log_ring *r, struct log_record *ret);

/* Position it at the oldest record. */
void log_ring_iter_all(const struct log_ring *r, struct log_ring_iter *it);
/* At the oldest of the last n records (all of them when fewer). */
void log_ring_iter_last(const struct log_ring *r, size_t n, struct log_ring_iter *it);
/* At the first record whose seq is greater than seq. */
void log_ring_iter_after(const struct log_ring *r, uint64_t seq, struct log_ring_iter *it);
/* The next record without moving on; false at the end. */
bool log_ring_peek(const struct log_ring *r, const struct log_ring_iter *it, struct log_record *ret);
/* The next record, moving on; false at the end. */
bool log_ring_next(const struct log_ring *r, struct log_ring_iter *it, struct log_record *ret);

#endif
