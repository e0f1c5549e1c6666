/* SPDX-License-Identifier: MIT */
/*
 * Bytes in, lines out: the splitter between a unit's output pipe and the
 * writer of vigil's stdout. Pure but for one malloc(): the LINEBUF_MAX bytes
 * that hold a pending partial line are allocated the first time a partial
 * line must be kept (and kept until linebuf_free()), so a source that writes
 * nothing, or only whole lines in whole writes, costs just the struct; one
 * that ever left a line unfinished costs LINEBUF_MAX bytes more.
 *
 *  - A line is the bytes before a '\n' (the '\n' is not handed over).
 *  - A line longer than LINEBUF_MAX is handed over in pieces of at most
 *    LINEBUF_MAX bytes; every piece but the last has cut = true, and the
 *    writer renders the mark (output.c: " [line cut]", or "cut":true in
 *    JSON). A piece never ends inside a UTF-8 sequence: the cut moves back
 *    before a lead byte whose sequence would not fit (at most 3 bytes).
 *    journald splits at LineMax= the same way (systemd journald.conf(5)).
 *  - linebuf_flush() hands over an unterminated last line (EOF).
 *  - Every byte but '\n' is data: NUL, '\r', invalid UTF-8 pass through
 *    untouched (lengths, never strlen); rendering them is the writer's job.
 *  - Complete lines that arrive whole in one feed are handed over straight
 *    from the caller's bytes, without a copy; only a pending partial line is
 *    kept.
 *  - Out of memory for that buffer, the partial line is handed over at
 *    once as a piece with cut = true (the rest of the line follows as the
 *    next piece): a line is marked cut, never lost.
 */
#ifndef VIGIL_BASE_LINEBUF_H
#define VIGIL_BASE_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_MAX 16384

/* line[0..len) is valid only during the call. */
typedef void (*linebuf_line_fn)(const char *line, size_t len, bool cut, void *userdata);

struct linebuf {
        size_t len;                 /* bytes of the pending partial line */
        char *data;                 /* LINEBUF_MAX bytes, or NULL until needed */
};

void linebuf_init(struct linebuf *b);
void linebuf_feed(struct linebuf *b, const char *p, size_t len, linebuf_line_fn fn, void *userdata);
/* At EOF: hand over the pending partial line, if any, as a whole line. */
void linebuf_flush(struct linebuf *b, linebuf_line_fn fn, void *userdata);
/* Releases the buffer (a pending partial line is dropped: flush first). */
void linebuf_free(struct linebuf *b);

/* Where to cut s[0..len) so no UTF-8 sequence is split: len, or the offset
 * of a trailing lead byte whose sequence is incomplete (never 0). */
size_t linebuf_utf8_cut(const char *s, size_t len);

#endif
