/* SPDX-License-Identifier: MIT */
#include "control/control_server.h"

#include "base/strbuf.h"
#include "control/control_conn.h"
#include "control/control_dispatch.h"
#include "control/control_log.h"
#include "control/control_msg.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/unix_socket.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define ACCEPT_PAUSE_USEC (100 * 1000)

static struct {
        struct loop_io io;
        char *address;
        struct control_stats stats;
        uint64_t started;
        struct loop_timer resume;  /* accept again after running out of fds */
        uint64_t n_no_fds;
} srv = { .io = { .fd = -1 }, .resume = { .heap_index = TIMER_NOT_ARMED } };

/* ---------------------------------------------------------------- one request */

/* Parse c's request line; the reply (or nothing yet: jobs) into b. */
static void build_reply(struct control_conn *c, struct strbuf *b) {
        struct control_request rq;
        const char *why = NULL;
        size_t len = strnlen(c->in, c->in_len);
        if (len < c->in_len || control_request_parse(c->in, c->in_len, &rq, &why) < 0) {
                srv.stats.malformed++;
                if ((srv.stats.malformed & (srv.stats.malformed - 1)) == 0)
                        log_warning("control: malformed request from pid %d: %s (%llu so far)", (int)c->pid,
                                    why ? why : "NUL byte", (unsigned long long)srv.stats.malformed);
                control_reply_header(b, CONTROL_USAGE, why ? why : "NUL byte in request");
                return;
        }
        const struct control_dispatch_facts facts = { .started = srv.started, .malformed = srv.stats.malformed };
        control_dispatch(c, &rq, &facts, b);
}

/* The request is in: answer it, or wait for its jobs. */
static void request_read(struct control_conn *c) {
        struct strbuf b = { 0 };
        build_reply(c, &b);
        if (c->jobs.n > 0) {
                /* The reply waits for the jobs; the client waits as long. */
                free(strbuf_take(&b));
                loop_timer_cancel(&c->timer);
                c->waiting = true;
                control_server_settle();
                return;
        }
        control_conn_reply(c, &b);
}

/* Read the request line, bounded by CONTROL_REQUEST_MAX. */
static void read_request(struct control_conn *c) {
        size_t room = sizeof(c->in) - 1 - c->in_len;
        ssize_t n = os_stream_read(c->io.fd, c->in + c->in_len, room);
        if (n == -EAGAIN)
                return;
        if (n < 0 || (n == 0 && c->in_len == 0)) {
                control_conn_close(c);
                return;
        }
        c->in_len += (size_t)n;
        char *nl = memchr(c->in, '\n', c->in_len);
        if (nl) {
                c->in_len = (size_t)(nl - c->in);
        } else if (n > 0 && c->in_len < sizeof(c->in) - 1) {
                return; /* more to come */
        } else if (c->in_len >= sizeof(c->in) - 1) {
                struct strbuf b = { 0 };
                srv.stats.malformed++;
                control_reply_header(&b, CONTROL_USAGE, "request too long");
                control_conn_reply(c, &b);
                return;
        }
        request_read(c); /* a whole line, or EOF after a last line without '\n' */
}

/* Waiting for jobs: the client hung up, it gave up waiting (its jobs go
 * on). A half-close (EOF on read) is no hang-up: stop reading, wait on. */
static void waiting_ready(struct control_conn *c, uint32_t events) {
        if (events & (OS_EVENT_HUP | OS_EVENT_ERR)) {
                control_conn_close(c);
                return;
        }
        char sink[256];
        ssize_t n = os_stream_read(c->io.fd, sink, sizeof(sink));
        if (n == 0 && loop_io_mod(&c->io, 0) == 0)
                return;
        if (n != -EAGAIN && n <= 0)
                control_conn_close(c);
}

static void conn_ready(struct loop_io *io, uint32_t events) {
        struct control_conn *c = io->data;
        if (c->follow.on) {
                control_log_ready(c, events);
        } else if (c->draining) {
                char sink[4096];
                ssize_t n = os_stream_read(io->fd, sink, sizeof(sink));
                if (n != -EAGAIN && n <= 0)
                        control_conn_close(c);
        } else if (c->out) {
                if (events & (OS_EVENT_OUT | OS_EVENT_ERR | OS_EVENT_HUP))
                        control_conn_flush(c);
        } else if (c->waiting) {
                waiting_ready(c, events);
        } else {
                read_request(c);
        }
}

void control_server_unit_dropped(struct unit *u) {
        for (struct control_conn *c = control_conns(); c; c = c->next)
                control_dispatch_forget(c, u);
}

void control_server_settle(void) {
        for (struct control_conn *c = control_conns(), *next; c; c = next) {
                next = c->next;
                if (!c->waiting)
                        continue;
                struct strbuf b = { 0 };
                if (!control_dispatch_settle(c, &b))
                        continue;
                c->waiting = false;
                control_conn_reply(c, &b);
        }
}

static void conn_timeout(struct loop_timer *t) {
        struct control_conn *c = t->data;
        if (c->follow.on)
                return; /* a follower may wait for lines as long as it likes */
        log_debug("control: dropping pid %d: idle for 10 s", (int)c->pid);
        control_conn_close(c);
}

/* ---------------------------------------------------------------- the socket */

static void refuse(int fd, enum control_code code, const char *text) {
        struct strbuf b = { 0 };
        control_reply_header(&b, code, text);
        char *s = strbuf_take(&b);
        if (s)
                (void)os_stream_write(fd, s, strlen(s));
        free(s);
        os_close(fd);
}

/* Out of fds (EMFILE/ENFILE) or memory: the pending connection keeps the
 * socket readable, so stop watching it for a moment (a level-triggered
 * epoll would spin) and try again then. */
static void pause_accepting(int r) {
        srv.n_no_fds++;
        if ((srv.n_no_fds & (srv.n_no_fds - 1)) == 0)
                log_warning("control: cannot accept: %s; pausing for 100 ms (%llu times so far)", strerror(-r),
                            (unsigned long long)srv.n_no_fds);
        if (loop_io_mod(&srv.io, 0) == 0)
                (void)loop_timer_arm_in(&srv.resume, ACCEPT_PAUSE_USEC);
}

/* Authorise and admit one accepted connection. */
static void admit(int fd, pid_t pid, uid_t uid) {
        srv.stats.connections++;
        if (uid != 0 && uid != geteuid()) {
                srv.stats.refused++;
                log_notice("control: refused pid %d uid %u: only root or uid %u may control vigil", (int)pid,
                           (unsigned)uid, (unsigned)geteuid());
                refuse(fd, CONTROL_DENIED, "not authorised");
                return;
        }
        if (control_conn_count() >= MAX_CONNECTIONS) {
                srv.stats.refused++;
                refuse(fd, CONTROL_FAILED, "too many connections, try again");
                return;
        }
        struct control_conn *c = control_conn_new(fd, pid, uid);
        if (!c) {
                refuse(fd, CONTROL_FAILED, "out of memory");
                return;
        }
        c->io.ready = conn_ready;
        loop_timer_init(&c->timer, conn_timeout, c);
        if (loop_io_add(&c->io, OS_EVENT_IN) < 0 || loop_timer_arm_in(&c->timer, CONTROL_IDLE_USEC) < 0) {
                loop_timer_cancel(&c->timer);
                os_close(fd);
                free(c);
                return;
        }
        control_conn_link(c);
}

static void accept_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        for (int i = 0; i < 16; i++) {
                int fd;
                pid_t pid;
                uid_t uid;
                int r = os_stream_accept(io->fd, &fd, &pid, &uid);
                if (r == -EAGAIN)
                        return;
                if (r < 0) {
                        pause_accepting(r);
                        return;
                }
                admit(fd, pid, uid);
        }
}

static void resume_accepting(struct loop_timer *t) {
        (void)t;
        if (srv.io.fd >= 0)
                (void)loop_io_mod(&srv.io, OS_EVENT_IN);
}

int control_server_open(const char *address) {
        int fd;
        int r = os_stream_listen(address, 0600, &fd);
        if (r < 0) {
                log_error("cannot open the control socket %s: %s%s", address, strerror(-r),
                          r == -EADDRINUSE ? " (another vigil listens there; use --control-socket)" : "");
                return r;
        }
        srv.address = strdup(address);
        srv.io = (struct loop_io){ .fd = fd, .ready = accept_ready };
        if (!srv.address)
                r = -ENOMEM;
        else
                r = loop_io_add(&srv.io, OS_EVENT_IN);
        if (r < 0) {
                log_error("cannot set up the control socket: %s", strerror(-r));
                os_close(fd);
                srv.io.fd = -1;
                if (address[0] == '/')
                        (void)os_unlink(address);
                free(srv.address);
                srv.address = NULL;
                return r;
        }
        srv.started = loop_now();
        loop_timer_init(&srv.resume, resume_accepting, NULL);
        control_log_start();
        log_debug("control socket at %s", address);
        return 0;
}

const struct control_stats *control_server_stats(void) {
        return &srv.stats;
}

void control_server_close(void) {
        loop_timer_cancel(&srv.resume);
        control_log_stop();
        while (control_conns())
                control_conn_close(control_conns());
        if (srv.io.fd >= 0) {
                loop_io_del(&srv.io);
                os_close(srv.io.fd);
                srv.io.fd = -1;
        }
        if (srv.address && srv.address[0] == '/')
                (void)os_unlink(srv.address);
        free(srv.address);
        srv.address = NULL;
}
