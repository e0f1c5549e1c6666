/* SPDX-License-Identifier: MIT */
#include "logcap/output.h"

#include "base/json.h"
#include "base/linebuf.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/pipe.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct output_source {
        struct loop_io io;              /* the pipe's read end; io.data = the source */
        struct output_source *prev, *next;
        pid_t pid;
        struct log_ring *ring;          /* lines go here too; NULL: none */
        bool reading;                   /* registered with the loop */
        struct linebuf lines;
        char ident[];
};

static struct {
        enum log_format format;
        int fd;                         /* where lines go; -1: discard */
        int own_fd;                     /* opened by output_init, or -1 */
        enum os_output_kind kind;
        struct loop_io io;              /* EPOLLOUT on fd while the buffer waits */
        bool io_added;
        bool write_failed;              /* a write error was logged */
        char *buf;                      /* OUTPUT_BUFFER_MAX: buf[off..off+used) waits */
        size_t off, used;
        unsigned long long dropped;     /* lines dropped since the last notice */
        bool paused;                    /* sources not read: buffer high */
        bool stalled;                   /* paused for OUTPUT_STALL_USEC without progress */
        struct loop_timer stall_timer;
        struct output_source *sources;
        size_t n_sources;
        char *chunk;                    /* OUTPUT_READ_MAX: one read */
        uint64_t seq;                   /* of the last line put into a ring */
        uint64_t read_realtime;         /* CLOCK_REALTIME of the current read */
        output_line_hook_fn line_hook;
        output_line_hook_fn file_hook;  /* supervise/postmortem.c: --log-dir */
} out = { .fd = -1, .own_fd = -1 };

/* ---- rendering (pure) ---- */

/* Appends into dst[0..room) that stop at the first one that does not fit. */
struct span {
        char *p;
        size_t room, n;
        bool full;
};

static void put(struct span *s, const char *p, size_t len) {
        if (s->full || len > s->room - s->n) {
                s->full = true;
                return;
        }
        memcpy(s->p + s->n, p, len);
        s->n += len;
}

static void puts_(struct span *s, const char *p) {
        put(s, p, strlen(p));
}

static void span_sink(void *ctx, const char *p, size_t len) {
        put(ctx, p, len);
}

/* Service output: any bytes; what is not UTF-8 becomes U+FFFD. */
static void put_json_string(struct span *s, const char *str, size_t len) {
        static const struct json_style style = { JSON_INVALID_REPLACE, JSON_SHORT_NRT | JSON_SHORT_BF | JSON_ESCAPE_DEL };
        json_put_string(str, len, style, span_sink, s);
}

size_t output_render_line(enum log_format format, const char *ident, pid_t pid, const char *line,
                          size_t len, bool cut, char *dst, size_t room) {
        struct span s = { .p = dst, .room = room };
        char num[32];
        snprintf(num, sizeof(num), "%ld", (long)pid);
        switch (format) {
        case LOG_FORMAT_JSON:
                puts_(&s, "{\"unit\":");
                put_json_string(&s, ident, strlen(ident));
                if (pid > 0) {
                        puts_(&s, ",\"pid\":");
                        puts_(&s, num);
                }
                puts_(&s, ",\"message\":");
                put_json_string(&s, line, len);
                puts_(&s, cut ? ",\"cut\":true}\n" : "}\n");
                break;
        case LOG_FORMAT_PREFIXED:
                puts_(&s, ident);
                if (pid > 0) {
                        puts_(&s, "[");
                        puts_(&s, num);
                        puts_(&s, "]");
                }
                puts_(&s, ": ");
                /* fall through */
        case LOG_FORMAT_PLAIN:
        default:
                put(&s, line, len);
                puts_(&s, cut ? " [line cut]\n" : "\n");
                break;
        }
        return s.full ? 0 : s.n;
}

size_t output_render_dropped(enum log_format format, unsigned long long dropped, char *dst, size_t room) {
        char text[96];
        int n = format == LOG_FORMAT_JSON
                ? snprintf(text, sizeof(text),
                           "{\"unit\":\"vigil\",\"message\":\"dropped %llu lines of service output\",\"dropped\":%llu}\n",
                           dropped, dropped)
                : snprintf(text, sizeof(text), "vigil: dropped %llu lines of service output\n", dropped);
        struct span s = { .p = dst, .room = room };
        put(&s, text, (size_t)n);
        return s.full ? 0 : s.n;
}

/* ---- the buffer and vigil's stdout ---- */

/* Render with fn into the buffer's free tail, compacting once if needed.
 * false: it does not fit. */
static bool buffer_append(size_t (*fn)(const void *arg, char *dst, size_t room), const void *arg) {
        size_t n = fn(arg, out.buf + out.off + out.used, OUTPUT_BUFFER_MAX - out.off - out.used);
        if (n == 0 && out.off > 0) {
                memmove(out.buf, out.buf + out.off, out.used);
                out.off = 0;
                n = fn(arg, out.buf + out.used, OUTPUT_BUFFER_MAX - out.used);
        }
        out.used += n;
        return n > 0;
}

static size_t render_dropped(const void *arg, char *dst, size_t room) {
        (void)arg;
        return output_render_dropped(out.format, out.dropped, dst, room);
}

struct line_arg {
        const struct output_source *s;
        const char *line;
        size_t len;
        bool cut;
};

static size_t render_line(const void *arg, char *dst, size_t room) {
        const struct line_arg *a = arg;
        return output_render_line(out.format, a->s->ident, a->s->pid, a->line, a->len, a->cut, dst, room);
}

/* Once lines were dropped, more are dropped until the buffer is below low
 * water again; then the notice goes first. No run of tiny gaps, each with
 * its own notice, while stdout is stuck. */
static void try_notice(void) {
        if (out.dropped > 0 && out.used < OUTPUT_LOW_WATER && buffer_append(render_dropped, NULL))
                out.dropped = 0;
}

/* Into the source's ring (whatever becomes of it on stdout), then the hook. */
static void ring_line(const struct output_source *s, const char *line, size_t len, bool cut) {
        struct log_record rec;
        if (!s->ring || log_ring_push(s->ring, out.seq + 1, out.read_realtime, s->pid, cut, line, len) < 0)
                return;
        out.seq++;
        if ((out.line_hook || out.file_hook) && log_ring_newest(s->ring, &rec)) {
                if (out.line_hook)
                        out.line_hook(s->ring, &rec);
                if (out.file_hook)
                        out.file_hook(s->ring, &rec);
        }
}

static void append_line(const char *line, size_t len, bool cut, void *userdata) {
        struct line_arg a = { userdata, line, len, cut };
        ring_line(a.s, line, len, cut);
        try_notice();
        if (out.dropped > 0 || !buffer_append(render_line, &a))
                out.dropped++;
}

static void out_ready(struct loop_io *io, uint32_t events);
static void update_flow(void);

static void watch_writable(bool on) {
        if (on == out.io_added)
                return;
        if (on) {
                out.io.fd = out.fd;
                out.io.ready = out_ready;
                /* A regular file cannot be polled (EPERM) but never says EAGAIN either. */
                out.io_added = loop_io_add(&out.io, OS_EVENT_OUT) == 0;
        } else {
                loop_io_del(&out.io);
                out.io_added = false;
        }
}

/* Write what stdout takes now; true if it took anything. */
static bool write_out(void) {
        bool progress = false;
        for (;;) {
                try_notice();
                if (out.used == 0)
                        break;
                ssize_t n = out.fd < 0 ? -EBADF : os_output_write(out.fd, out.kind, out.buf + out.off, out.used);
                if (n == -EAGAIN)
                        break;
                if (n < 0) {
                        if (!out.write_failed && out.fd >= 0)
                                log_warning("cannot write service output to stdout: %s, discarding it",
                                            strerror((int)-n));
                        out.write_failed = true;
                        out.used = 0;
                        break;
                }
                out.off += (size_t)n;
                out.used -= (size_t)n;
                progress = true;
                out.write_failed = false;
        }
        if (out.used == 0)
                out.off = 0;
        watch_writable(out.used > 0);
        return progress;
}

/* ---- flow control ---- */

/* A failed add (ENOMEM) is retried on the next flow change. */
static int source_watch(struct output_source *s, bool on) {
        if (on == s->reading)
                return 0;
        if (!on) {
                loop_io_del(&s->io);
                s->reading = false;
                return 0;
        }
        int r = loop_io_add(&s->io, OS_EVENT_IN);
        s->reading = r == 0;
        return r;
}

static void update_flow(void) {
        bool pause = !out.stalled && out.used >= (out.paused ? OUTPUT_LOW_WATER : OUTPUT_HIGH_WATER);
        if (pause && !out.paused)
                (void)loop_timer_arm_in(&out.stall_timer, OUTPUT_STALL_USEC);
        if (!pause)
                loop_timer_cancel(&out.stall_timer);
        out.paused = pause;
        for (struct output_source *s = out.sources; s; s = s->next)
                (void)source_watch(s, !pause);
}

static void stall_timer_fired(struct loop_timer *t) {
        (void)t;
        out.stalled = true; /* read again, drop what does not fit */
        update_flow();
}

static void after_write(bool progress) {
        if (progress) {
                out.stalled = false;
                if (out.paused)
                        (void)loop_timer_arm_in(&out.stall_timer, OUTPUT_STALL_USEC);
        }
        update_flow();
}

static void out_ready(struct loop_io *io, uint32_t events) {
        (void)io;
        (void)events;
        after_write(write_out());
}

/* ---- lines that come from elsewhere (logcap/syslog_server.c) ---- */

struct emit_arg {
        const char *ident;
        pid_t pid;
        const char *line;
        size_t len;
        bool cut;
};

static size_t render_emit(const void *arg, char *dst, size_t room) {
        const struct emit_arg *a = arg;
        return output_render_line(out.format, a->ident, a->pid, a->line, a->len, a->cut, dst, room);
}

void output_emit_line(const char *ident, pid_t pid, struct log_ring *ring, const char *line, size_t len, bool cut) {
        struct emit_arg a = { ident, pid, line, len, cut };
        struct log_record rec;
        if (!out.buf)
                return;
        if (len > LINEBUF_MAX) {
                len = LINEBUF_MAX;
                a.len = len;
                a.cut = cut = true;
        }
        out.read_realtime = os_realtime_usec();
        if (ring && log_ring_push(ring, out.seq + 1, out.read_realtime, pid, cut, line, len) == 0) {
                out.seq++;
                if (out.line_hook && log_ring_newest(ring, &rec))
                        out.line_hook(ring, &rec);
        }
        try_notice();
        if (out.dropped > 0 || !buffer_append(render_emit, &a))
                out.dropped++;
        after_write(write_out());
}

/* ---- sources ---- */

static void source_free(struct output_source *s) {
        (void)source_watch(s, false);
        os_close(s->io.fd);
        if (s->prev)
                s->prev->next = s->next;
        else
                out.sources = s->next;
        if (s->next)
                s->next->prev = s->prev;
        out.n_sources--;
        linebuf_free(&s->lines);
        free(s);
}

/* One read: bytes read (their lines rendered), 0 at EOF (s is freed with its
 * last line rendered), -EAGAIN when empty. */
static ssize_t source_read(struct output_source *s) {
        ssize_t n = os_read(s->io.fd, out.chunk, OUTPUT_READ_MAX);
        if (n == -EAGAIN)
                return n;
        out.read_realtime = os_realtime_usec();
        if (n > 0) {
                linebuf_feed(&s->lines, out.chunk, (size_t)n, append_line, s);
                return n;
        }
        linebuf_flush(&s->lines, append_line, s); /* EOF; a read error ends it the same way */
        source_free(s);
        return 0;
}

static void source_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        (void)source_read(io->data);
        after_write(write_out());
}

int output_source_open(const char *ident, struct output_source **ret, int *ret_write_fd) {
        if (!out.buf)
                return -EINVAL; /* output_init() first */
        size_t len = strnlen(ident, OUTPUT_IDENT_MAX);
        struct output_source *s = calloc(1, sizeof(*s) + len + 1);
        if (!s)
                return -ENOMEM;
        int read_fd, write_fd;
        int r = os_pipe_open(&read_fd, &write_fd);
        if (r < 0) {
                free(s);
                return r;
        }
        memcpy(s->ident, ident, len);
        linebuf_init(&s->lines);
        s->io = (struct loop_io){ .fd = read_fd, .ready = source_ready, .data = s };
        s->next = out.sources;
        if (out.sources)
                out.sources->prev = s;
        out.sources = s;
        out.n_sources++;
        r = source_watch(s, !out.paused);
        if (r < 0) {
                source_free(s);
                os_close(write_fd);
                return r;
        }
        *ret = s;
        *ret_write_fd = write_fd;
        return 0;
}

void output_source_set_pid(struct output_source *s, pid_t pid) {
        s->pid = pid;
}

void output_source_set_ring(struct output_source *s, struct log_ring *ring) {
        s->ring = ring;
}

void output_forget_ring(const struct log_ring *ring) {
        for (struct output_source *s = out.sources; s; s = s->next)
                if (s->ring == ring)
                        s->ring = NULL;
}

void output_set_line_hook(output_line_hook_fn fn) {
        out.line_hook = fn;
}

void output_set_file_hook(output_line_hook_fn fn) {
        out.file_hook = fn;
}

size_t output_source_count(void) {
        return out.n_sources;
}

/* ---- init, flush, free ---- */

int output_init(enum log_format format, int out_fd) {
        loop_timer_init(&out.stall_timer, stall_timer_fired, NULL);
        out.buf = malloc(OUTPUT_BUFFER_MAX);
        out.chunk = malloc(OUTPUT_READ_MAX);
        if (!out.buf || !out.chunk) {
                output_free();
                return -ENOMEM;
        }
        out.format = format;
        int fd;
        int r = os_output_open(out_fd, &fd, &out.kind);
        if (r < 0) {
                log_debug("service output is discarded: stdout unusable: %s", strerror(-r));
                return 0;
        }
        out.fd = fd;
        out.own_fd = fd != out_fd ? fd : -1;
        return 0;
}

static int ms_until(uint64_t deadline) {
        uint64_t now = loop_now();
        return now >= deadline ? 0 : (int)((deadline - now + 999) / 1000);
}

/* Write until the buffer is below high (or empty), waiting until deadline. */
static void drain_until(uint64_t deadline, size_t high) {
        for (;;) {
                write_out();
                if (out.used <= high || out.fd < 0 || ms_until(deadline) == 0)
                        return;
                if (os_wait_writable(out.fd, ms_until(deadline)) < 0)
                        return;
        }
}

void output_flush(void) {
        if (!out.buf)
                return;
        uint64_t deadline = loop_now() + OUTPUT_FLUSH_USEC;
        /* Rounds of one read per source, so a flooding one cannot take the
         * whole time; stops when nothing was read or at the deadline. */
        for (bool again = true; again && ms_until(deadline) > 0;) {
                again = false;
                for (struct output_source *s = out.sources, *next; s; s = next) {
                        next = s->next;
                        ssize_t n = source_read(s);
                        if (n > 0)
                                again = true;
                        else if (n == -EAGAIN) {
                                out.read_realtime = os_realtime_usec();
                                linebuf_flush(&s->lines, append_line, s);
                        }
                }
                drain_until(deadline, OUTPUT_LOW_WATER);
        }
        drain_until(deadline, 0);
}

void output_free(void) {
        while (out.sources)
                source_free(out.sources);
        watch_writable(false);
        loop_timer_cancel(&out.stall_timer);
        os_close(out.own_fd);
        free(out.buf);
        free(out.chunk);
        out = (typeof(out)){ .fd = -1, .own_fd = -1 };
}
