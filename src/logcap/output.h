/* SPDX-License-Identifier: MIT */
/*
 * Service output (SPEC §6): each process vigil starts for a unit writes its
 * stdout and stderr into one pipe; vigil splits what arrives into lines
 * (base/linebuf.h) and writes each line to its own stdout, rendered per
 * --log-format:
 *
 *   prefixed  NAME[PID]: line            (NAME: line while the pid is unknown)
 *   plain     line
 *   json      {"unit":"NAME","pid":PID,"message":"line"}
 *
 * The bytes of a line are written verbatim in prefixed and plain (colour
 * codes, '\r', NUL survive). JSON: one object per line, keys always in this
 * order; "pid" left out while unknown; '"', '\\' and every control byte
 * escaped (\b \f \n \r \t, else \u00XX, DEL too); valid UTF-8 passes as is;
 * every byte that does not start a valid UTF-8 sequence (overlong,
 * surrogate, above U+10FFFF, truncated) becomes \ufffd, as Go's
 * encoding/json (Docker's json-file) does. There is no "stream" key: stdout
 * and stderr share one pipe, as with systemd's StandardError=inherit, so
 * they cannot be told apart. A line longer than LINEBUF_MAX (16 KiB) comes
 * in pieces; each piece but the last ends in " [line cut]", or carries
 * "cut":true after "message" in JSON.
 *
 * Never blocking on vigil's stdout: fd 1's open file description is shared
 * with the main command and the terminal, so its flags are left alone;
 * vigil writes through a private O_NONBLOCK open of the same pipe/FIFO/tty
 * (/proc/self/fd/N), with send(MSG_DONTWAIT) to a socket, and plainly to a
 * regular file (os/pipe.h). Rendered lines wait in one buffer of
 * OUTPUT_BUFFER_MAX bytes, written whenever the fd takes them (EPOLLOUT).
 *
 * Flow control, in three regimes:
 *  - Normal: every source readable is read, at most OUTPUT_READ_MAX bytes
 *    per wake-up each (level-triggered epoll), so a flooding unit gets one
 *    read per turn like everyone else.
 *  - Buffer at OUTPUT_HIGH_WATER: no source is read until it drains to
 *    OUTPUT_LOW_WATER. A flooding unit then blocks in write() on its own
 *    pipe: back-pressure, no loss, vigil's memory stays bounded.
 *  - Stdout stalled (no byte taken for OUTPUT_STALL_USEC while sources wait,
 *    e.g. `vigil | sleep 1000`, a tty stopped with ^S): units must not hang
 *    forever on a dead reader, so sources are read again and every line that
 *    does not fit in the buffer is dropped. Once stdout takes bytes again,
 *    one line says how many were dropped ("vigil: dropped N lines of service
 *    output", in JSON {"unit":"vigil","message":"...","dropped":N}), then
 *    output resumes. A write error other than EAGAIN (EPIPE: nobody reads)
 *    discards the buffer, logged once.
 *
 * Memory: LINEBUF_MAX per source plus one buffer and one read chunk,
 * allocated by output_init(); nothing grows with the amount of output.
 *
 * Rings (`vigilctl log`): a source may carry its owner's ring
 * (supervise/log_ring.h; unit.c gives each unit's). Every line rendered
 * from the source, each cut piece with its flag, goes into that ring with
 * a global sequence number and the time it was read, whether or not it
 * could be written to stdout: lines dropped from stdout while it stalls are
 * still in the ring. Then the line hook, if set (the control server's, for
 * followers), is called with the ring and the record. This file knows
 * nothing of units or control.
 *
 * Lifetime: a source frees itself once its pipe reads EOF (every process
 * holding the write end is gone) and its last line is rendered; the caller's
 * pointer is valid only until it returns to the loop. output_flush() then
 * output_free() at exit, both before loop_free().
 */
#ifndef VIGIL_LOGCAP_OUTPUT_H
#define VIGIL_LOGCAP_OUTPUT_H

#include "base/log_format.h"
#include "logcap/log_ring.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OUTPUT_BUFFER_MAX (256 * 1024)
#define OUTPUT_HIGH_WATER (OUTPUT_BUFFER_MAX / 2)  /* the rest: room for one read's lines */
#define OUTPUT_LOW_WATER (OUTPUT_BUFFER_MAX / 4)
#define OUTPUT_READ_MAX (16 * 1024)
#define OUTPUT_STALL_USEC (2 * 1000000ULL)
#define OUTPUT_FLUSH_USEC (1 * 1000000ULL)        /* output_flush() gives up after this */
#define OUTPUT_IDENT_MAX 255                       /* longer idents are truncated */

/* out_fd is STDOUT_FILENO normally; it is not closed or changed. -ENOMEM, or
 * 0 (an out_fd that cannot be written, e.g. closed, discards output). */
int output_init(enum log_format format, int out_fd);

struct output_source;

/* A pipe for one child's stdout+stderr. *ret_write_fd (> 2, O_CLOEXEC,
 * blocking) goes into the spawn plan as stdout_fd and stderr_fd; the caller
 * closes it right after the spawn (also when the spawn failed: the source
 * then reads EOF and frees itself). ident (the NAME above) is copied. */
int output_source_open(const char *ident, struct output_source **ret, int *ret_write_fd);
/* Right after the spawn, before returning to the loop. */
void output_source_set_pid(struct output_source *s, pid_t pid);

/* Lines from s go into ring too (NULL: none). */
void output_source_set_ring(struct output_source *s, struct log_ring *ring);
/* The ring is going away: no source puts lines into it any more. */
void output_forget_ring(const struct log_ring *ring);
/* Called after every line is put into a ring (NULL: none). rec is valid
 * only during the call. */
typedef void (*output_line_hook_fn)(struct log_ring *ring, const struct log_record *rec);
void output_set_line_hook(output_line_hook_fn fn);
/* A second hook, called the same way after the line hook: the persistent
 * log files' (logcap/log_file.h through supervise/postmortem.c). */
void output_set_file_hook(output_line_hook_fn fn);

/* One line that came another way (a syslog datagram, logcap/syslog_server.h):
 * into ring (NULL: none) and the hook as a source's line would go, then
 * rendered to stdout under ident and pid (dropped and counted like any
 * line when the buffer is full). Longer than LINEBUF_MAX: cut there. */
void output_emit_line(const char *ident, pid_t pid, struct log_ring *ring, const char *line, size_t len, bool cut);

/* Open sources (each frees itself after EOF); for status and tests. */
size_t output_source_count(void);

/* At vigil's exit: read what every source has ready (a partial last line
 * included), and write the buffer out, waiting at most OUTPUT_FLUSH_USEC in
 * all for stdout. Sources at EOF are freed; the others stay for output_free. */
void output_flush(void);
void output_free(void);

/* Pure, exposed for tests: render one line into dst[0..room). Returns the
 * bytes written, or 0 when it does not fit (nothing is ever 0 bytes). pid 0
 * means unknown. */
size_t output_render_line(enum log_format format, const char *ident, pid_t pid, const char *line,
                          size_t len, bool cut, char *dst, size_t room);
/* The drop notice the same way. */
size_t output_render_dropped(enum log_format format, unsigned long long dropped, char *dst, size_t room);

#endif
