/* SPDX-License-Identifier: MIT */
#include "logcap/log_ring.h"

#include "base/linebuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The header of a record in the buffer (copied in and out with memcpy, so
 * alignment never matters). len_flags: the length, LEN_CUT, or LEN_WRAP for
 * the mark that sends readers back to offset 0. */
struct header {
        uint64_t seq;
        uint64_t realtime_usec;
        int32_t pid;
        uint32_t len_flags;
};

#define HEADER_SIZE sizeof(struct header)
#define LEN_CUT 0x80000000u
#define LEN_WRAP 0x40000000u
#define LEN_MASK 0x3fffffffu

static size_t record_size(size_t len) {
        return (HEADER_SIZE + len + 7) & ~(size_t)7;
}

static struct header header_at(const struct log_ring *r, size_t off) {
        struct header h;
        memcpy(&h, r->buf + off, HEADER_SIZE);
        return h;
}

/* Where the record at off really is: 0 when the writer wrapped there. */
static size_t normalize(const struct log_ring *r, size_t off) {
        if (r->capacity - off < HEADER_SIZE || (header_at(r, off).len_flags & LEN_WRAP))
                return 0;
        return off;
}

void log_ring_init(struct log_ring *r, size_t capacity, void *owner) {
        memset(r, 0, sizeof(*r));
        capacity &= ~(size_t)7;
        r->capacity = capacity < 256 ? 256 : capacity;
        r->owner = owner;
}

void log_ring_free(struct log_ring *r) {
        free(r->buf);
        r->buf = NULL;
        r->head = r->tail = r->newest = r->n = 0;
}

static void drop_oldest(struct log_ring *r) {
        struct header h = header_at(r, r->head);
        r->head += record_size(h.len_flags & LEN_MASK);
        r->n--;
        r->dropped++;
        if (r->n == 0)
                r->head = r->tail = 0;
        else
                r->head = normalize(r, r->head);
}

int log_ring_push(struct log_ring *r, uint64_t seq, uint64_t realtime_usec, pid_t pid, bool cut,
                  const char *line, size_t len) {
        if (!r->buf) {
                r->buf = malloc(r->capacity);
                if (!r->buf)
                        return -ENOMEM;
        }
        if (len > LOG_RING_LINE_MAX(r->capacity)) {
                len = linebuf_utf8_cut(line, LOG_RING_LINE_MAX(r->capacity));
                cut = true;
        }
        size_t size = record_size(len);
        for (;;) {
                if (r->n == 0) {
                        r->head = r->tail = 0;
                        break;
                }
                if (r->tail > r->head) {
                        /* [head, tail) used: room at the end, else wrap. */
                        if (r->capacity - r->tail >= size)
                                break;
                        if (r->capacity - r->tail >= HEADER_SIZE) {
                                struct header mark = { .len_flags = LEN_WRAP };
                                memcpy(r->buf + r->tail, &mark, HEADER_SIZE);
                        }
                        r->tail = 0;
                        continue;
                }
                /* Wrapped: [tail, head) is free. */
                if (r->head - r->tail >= size)
                        break;
                drop_oldest(r);
        }
        struct header h = {
                .seq = seq,
                .realtime_usec = realtime_usec,
                .pid = (int32_t)pid,
                .len_flags = (uint32_t)len | (cut ? LEN_CUT : 0),
        };
        memcpy(r->buf + r->tail, &h, HEADER_SIZE);
        if (len)
                memcpy(r->buf + r->tail + HEADER_SIZE, line, len);
        r->newest = r->tail;
        r->tail += size;
        r->n++;
        r->pushed++;
        return 0;
}

size_t log_ring_count(const struct log_ring *r) {
        return r->n;
}

static void record_at(const struct log_ring *r, size_t off, struct log_record *ret) {
        struct header h = header_at(r, off);
        *ret = (struct log_record){
                .seq = h.seq,
                .realtime_usec = h.realtime_usec,
                .pid = (pid_t)h.pid,
                .cut = (h.len_flags & LEN_CUT) != 0,
                .line = r->buf + off + HEADER_SIZE,
                .len = h.len_flags & LEN_MASK,
        };
}

bool log_ring_newest(const struct log_ring *r, struct log_record *ret) {
        if (r->n == 0)
                return false;
        record_at(r, r->newest, ret);
        return true;
}

void log_ring_iter_all(const struct log_ring *r, struct log_ring_iter *it) {
        it->off = r->head;
        it->left = r->n;
}

bool log_ring_peek(const struct log_ring *r, const struct log_ring_iter *it, struct log_record *ret) {
        if (it->left == 0)
                return false;
        record_at(r, it->off, ret);
        return true;
}

bool log_ring_next(const struct log_ring *r, struct log_ring_iter *it, struct log_record *ret) {
        struct log_record rec;
        if (!log_ring_peek(r, it, &rec))
                return false;
        if (ret)
                *ret = rec;
        it->left--;
        it->off += record_size(rec.len);
        if (it->left > 0)
                it->off = normalize(r, it->off);
        return true;
}

void log_ring_iter_last(const struct log_ring *r, size_t n, struct log_ring_iter *it) {
        log_ring_iter_all(r, it);
        while (it->left > n)
                (void)log_ring_next(r, it, NULL);
}

void log_ring_iter_after(const struct log_ring *r, uint64_t seq, struct log_ring_iter *it) {
        struct log_record rec;
        log_ring_iter_all(r, it);
        while (log_ring_peek(r, it, &rec) && rec.seq <= seq)
                (void)log_ring_next(r, it, NULL);
}
