/* SPDX-License-Identifier: MIT */
#include "control/control_log.h"

#include "base/num.h"
#include "control/control_views.h"
#include "logcap/log_ring.h"
#include "logcap/output.h"
#include "os/event.h"
#include "os/unix_socket.h"
#include "supervise/manager.h"
#include "supervise/unit_view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static struct strbuf scratch;     /* one record being formatted for the followers */

/* The line's bytes as one field: the usual escapes, and NUL as \0 (a body
 * is text: a NUL would end it). */
static void put_log_line(struct strbuf *b, const char *p, size_t len) {
        size_t run = 0;
        for (size_t i = 0; i < len; i++) {
                const char *esc = p[i] == '\\' ? "\\\\" : p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n"
                                : p[i] == '\r' ? "\\r" : p[i] == '\0' ? "\\0" : NULL;
                if (!esc)
                        continue;
                strbuf_put(b, p + run, i - run);
                strbuf_puts(b, esc);
                run = i + 1;
        }
        strbuf_put(b, p + run, len - run);
}

static void put_log_record(struct strbuf *b, const char *unit, const struct log_record *rec) {
        control_put_u64(b, rec->realtime_usec);
        strbuf_putc(b, '\t');
        control_put_field(b, unit);
        strbuf_putc(b, '\t');
        if (rec->pid > 0)
                control_put_u64(b, (uint64_t)rec->pid);
        strbuf_putc(b, '\t');
        strbuf_puts(b, rec->cut ? "yes" : "no");
        strbuf_putc(b, '\t');
        put_log_line(b, rec->line, rec->len);
        strbuf_putc(b, '\n');
}

/* The last `lines` records of all units, oldest first: each ring's last
 * `lines` (the newest overall are among them), merged by seq, minus the
 * surplus at the old end. */
static void put_log_merged(struct strbuf *b, size_t lines) {
        size_t n = manager_n_units();
        struct log_ring_iter *its = calloc(n ? n : 1, sizeof(*its));
        if (!its) {
                b->oom = true;
                return;
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                log_ring_iter_last(unit_view_log(manager_unit_at(i)), lines, &its[i]);
                total += its[i].left;
        }
        size_t skip = total > lines ? total - lines : 0;
        for (;;) {
                size_t best = n;
                struct log_record rec, best_rec = { 0 };
                for (size_t i = 0; i < n; i++)
                        if (log_ring_peek(unit_view_log(manager_unit_at(i)), &its[i], &rec) &&
                            (best == n || rec.seq < best_rec.seq)) {
                                best = i;
                                best_rec = rec;
                        }
                if (best == n)
                        break;
                const struct unit *u = manager_unit_at(best);
                (void)log_ring_next(unit_view_log(u), &its[best], NULL);
                if (skip > 0)
                        skip--;
                else
                        put_log_record(b, unit_name(u), &best_rec);
        }
        free(its);
}

void control_log_reply(struct strbuf *b, const struct control_request *rq, struct control_conn *c) {
        uint64_t lines;
        if (num_parse_u64(rq->args[0], &lines) < 0) {
                control_reply_header(b, CONTROL_USAGE, "LINES must be a number");
                return;
        }
        if (strcmp(rq->args[1], "0") != 0 && strcmp(rq->args[1], "1") != 0) {
                control_reply_header(b, CONTROL_USAGE, "FOLLOW must be 0 or 1");
                return;
        }
        struct unit *u = NULL;
        if (rq->n_args == 3 && !control_find_units(b, rq, 2, &u))
                return;
        bool follow = rq->args[1][0] == '1';
        if (follow && u && !(c->follow.unit = strdup(unit_name(u)))) {
                control_reply_header(b, CONTROL_FAILED, "out of memory");
                return;
        }
        size_t n = lines > SIZE_MAX ? SIZE_MAX : (size_t)lines;
        control_reply_header(b, CONTROL_OK, u ? unit_name(u) : "log");
        strbuf_puts(b, "#time_usec\tunit\tpid\tcut\tline\n");
        if (u) {
                const struct log_ring *ring = unit_view_log(u);
                struct log_ring_iter it;
                struct log_record rec;
                log_ring_iter_last(ring, n, &it);
                while (log_ring_next(ring, &it, &rec))
                        put_log_record(b, unit_name(u), &rec);
        } else {
                put_log_merged(b, n);
        }
        c->follow.on = follow;
}

/* Append to a follower's pending output; false without memory. */
static bool log_queue(struct control_conn *c, const char *p, size_t len) {
        if (c->follow.cap < c->out_len + 1)
                c->follow.cap = c->out_len + 1; /* out came from a strbuf: at least that */
        if (c->out_len + len + 1 > c->follow.cap && c->out_off > 0) {
                memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
                c->out_len -= c->out_off;
                c->out_off = 0;
        }
        if (c->out_len + len + 1 > c->follow.cap) {
                size_t cap = c->follow.cap * 2;
                while (cap < c->out_len + len + 1)
                        cap *= 2;
                char *o = realloc(c->out, cap);
                if (!o)
                        return false;
                c->out = o;
                c->follow.cap = cap;
        }
        memcpy(c->out + c->out_len, p, len);
        c->out_len += len;
        c->out[c->out_len] = '\0';
        return true;
}

/* output.c's line hook: a line went into a unit's ring. */
static void line_added(struct log_ring *ring, const struct log_record *rec) {
        const char *name = unit_name(unit_view_log_owner(ring));
        for (struct control_conn *c = control_conns(); c; c = c->next) {
                if (!c->follow.on || !c->out || (c->follow.unit && strcmp(c->follow.unit, name) != 0))
                        continue;
                size_t pending = c->out_len - c->out_off;
                if (pending >= CONTROL_FOLLOW_MAX || (c->follow.dropped > 0 && pending >= CONTROL_FOLLOW_MAX / 2)) {
                        c->follow.dropped++;
                        continue;
                }
                struct strbuf *b = &scratch;
                b->n = 0;
                if (c->follow.dropped > 0) {
                        strbuf_puts(b, "@dropped\t");
                        control_put_u64(b, c->follow.dropped);
                        strbuf_putc(b, '\n');
                }
                put_log_record(b, name, rec);
                if (b->oom || !log_queue(c, b->s, b->n)) {
                        free(strbuf_take(b));
                        c->follow.dropped++;
                        continue;
                }
                c->follow.dropped = 0;
                control_conn_follow_watch(c);
        }
}


void control_log_ready(struct control_conn *c, uint32_t events) {
        if (events & (OS_EVENT_HUP | OS_EVENT_ERR)) {
                control_conn_close(c); /* it hung up */
                return;
        }
        if (events & OS_EVENT_IN) {
                /* Whatever it sends is ignored; EOF (a half-close) is no hang-up. */
                char sink[256];
                ssize_t n = os_stream_read(c->io.fd, sink, sizeof(sink));
                if (n < 0 && n != -EAGAIN) {
                        control_conn_close(c);
                        return;
                }
                if (n == 0) {
                        c->draining = true; /* here: its input is over */
                        control_conn_follow_watch(c);
                }
        }
        if (events & OS_EVENT_OUT)
                control_conn_flush(c);
}


void control_log_start(void) {
        output_set_line_hook(line_added);
}

void control_log_stop(void) {
        output_set_line_hook(NULL);
        free(strbuf_take(&scratch));
}
