/* SPDX-License-Identifier: MIT */
#include "control/control_conn.h"

#include "core/log.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/unix_socket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


static struct {
        struct control_conn *head;
        size_t n;
} conns;

struct control_conn *control_conns(void) {
        return conns.head;
}

size_t control_conn_count(void) {
        return conns.n;
}

struct control_conn *control_conn_new(int fd, pid_t pid, uid_t uid) {
        struct control_conn *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->io = (struct loop_io){ .fd = fd, .data = c };
        c->uid = uid;
        c->pid = pid;
        return c;
}

void control_conn_link(struct control_conn *c) {
        c->next = conns.head;
        if (conns.head)
                conns.head->prev = c;
        conns.head = c;
        conns.n++;
}

void control_conn_close(struct control_conn *c) {
        loop_io_del(&c->io);
        loop_timer_cancel(&c->timer);
        os_close(c->io.fd);
        if (c->prev)
                c->prev->next = c->next;
        else
                conns.head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        conns.n--;
        free(c->out);
        free(c->follow.unit);
        free(c);
}

void control_conn_follow_watch(struct control_conn *c) {
        uint32_t ev = (c->draining ? 0 : OS_EVENT_IN) | (c->out_off < c->out_len ? OS_EVENT_OUT : 0);
        if (ev != c->follow.events && loop_io_mod(&c->io, ev) == 0)
                c->follow.events = ev;
}

/* All sent to a follower: it stays for more, with a small buffer again
 * after a big backlog. */
static void follow_sent(struct control_conn *c) {
        char *small = c->out_len > CONTROL_FOLLOW_MAX ? realloc(c->out, 1) : NULL;
        if (small) {
                c->out = small;
                c->follow.cap = 1;
        }
        c->out_off = c->out_len = 0;
        control_conn_follow_watch(c);
}

void control_conn_flush(struct control_conn *c) {
        while (c->out_off < c->out_len) {
                ssize_t n = os_stream_write(c->io.fd, c->out + c->out_off, c->out_len - c->out_off);
                if (n == -EAGAIN)
                        return; /* wait for OUT */
                if (n < 0) {
                        control_conn_close(c); /* the client went away mid-reply */
                        return;
                }
                c->out_off += (size_t)n;
        }
        if (c->follow.on) {
                follow_sent(c);
                return;
        }
        /* Sent: half-close, then discard what the client may still send
         * until it closes (or the idle timer), so closing with unread input
         * never turns into a reset that eats the reply. */
        if (os_stream_shutdown_write(c->io.fd) < 0 || loop_io_mod(&c->io, OS_EVENT_IN) < 0) {
                control_conn_close(c);
                return;
        }
        c->draining = true;
}

void control_conn_reply(struct control_conn *c, struct strbuf *b) {
        c->out = strbuf_take(b);
        if (!c->out) {
                log_warning("control: out of memory building a reply for pid %d", (int)c->pid);
                control_conn_close(c);
                return;
        }
        c->out_len = strlen(c->out);
        if (loop_io_mod(&c->io, OS_EVENT_OUT) < 0) {
                control_conn_close(c);
                return;
        }
        (void)loop_timer_arm_in(&c->timer, CONTROL_IDLE_USEC);
        control_conn_flush(c);
}
