/* SPDX-License-Identifier: MIT */
#include "supervise/control_server.h"

#include "base/signame.h"
#include "base/strbuf.h"
#include "base/timespan.h"
#include "control/control_msg.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/proc.h"
#include "os/unix_socket.h"
#include "supervise/manager.h"
#include "supervise/notify_server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define IDLE_USEC (10 * USEC_PER_SEC)

struct conn {
        struct loop_io io;
        struct loop_timer timer;
        struct conn *prev, *next;
        uid_t uid;
        pid_t pid;
        char in[CONTROL_REQUEST_MAX + 2];
        size_t in_len;
        char *out;
        size_t out_len, out_off;
        bool draining;             /* reply sent: reading to EOF */
};

static struct {
        struct loop_io io;
        char *address;
        struct conn *conns;
        size_t n_conns;
        struct control_stats stats;
} srv = { .io = { .fd = -1 } };

static void conn_close(struct conn *c) {
        loop_io_del(&c->io);
        loop_timer_cancel(&c->timer);
        os_close(c->io.fd);
        if (c->prev)
                c->prev->next = c->next;
        else
                srv.conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        srv.n_conns--;
        free(c->out);
        free(c);
}

/* ---------------------------------------------------------------- replies */

static void put_u64(struct strbuf *b, uint64_t v) {
        char n[24];
        snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
        strbuf_puts(b, n);
}

static const char *const status_fields[] = {
        "name", "active", "sub", "result", "pid", "uptime_usec", "restarts", "last_exit",
        "ready", "status", "notify_denied", "watchdog_misses", "description",
};

static void put_last_exit(struct strbuf *b, const struct unit *u) {
        if (!u->main_exit_known) {
                strbuf_puts(b, "-");
                return;
        }
        char name[16];
        if (u->main_exit.exited) {
                strbuf_puts(b, "exited ");
                put_u64(b, (uint64_t)u->main_exit.code);
        } else {
                strbuf_puts(b, "killed ");
                strbuf_puts(b, signame_from_number(u->main_exit.sig, name, sizeof(name)));
        }
}

static void put_status_line(struct strbuf *b, const struct unit *u, uint64_t now) {
        const struct unit_config *c = &u->config;
        control_put_field(b, c->name);
        strbuf_putc(b, '\t');
        strbuf_puts(b, unit_state_active(u->state));
        strbuf_putc(b, '\t');
        strbuf_puts(b, unit_state_to_string(u->state));
        strbuf_putc(b, '\t');
        strbuf_puts(b, unit_result_to_string(u->result));
        strbuf_putc(b, '\t');
        if (u->main_pid > 0)
                put_u64(b, (uint64_t)u->main_pid);
        strbuf_putc(b, '\t');
        if (unit_state_is_up(u->state) && u->active_since && now >= u->active_since)
                put_u64(b, now - u->active_since);
        strbuf_putc(b, '\t');
        put_u64(b, u->restarts_total);
        strbuf_putc(b, '\t');
        put_last_exit(b, u);
        strbuf_putc(b, '\t');
        strbuf_puts(b, c->type != SERVICE_NOTIFY ? "-" : u->ready ? "yes" : "no");
        strbuf_putc(b, '\t');
        control_put_field(b, u->status_text);
        strbuf_putc(b, '\t');
        put_u64(b, u->notify_denied);
        strbuf_putc(b, '\t');
        put_u64(b, u->watchdog_misses);
        strbuf_putc(b, '\t');
        control_put_field(b, c->description);
        strbuf_putc(b, '\n');
}

static void reply_status(struct strbuf *b, const struct control_request *rq) {
        struct unit *sel[CONTROL_ARGS_MAX];
        for (size_t i = 0; i < rq->n_args; i++) {
                sel[i] = manager_find(rq->args[i]);
                if (!sel[i]) {
                        char text[CONTROL_REQUEST_MAX + 32];
                        snprintf(text, sizeof(text), "unit %s not found", rq->args[i]);
                        control_reply_header(b, CONTROL_NOT_FOUND, text);
                        return;
                }
        }
        control_reply_header(b, CONTROL_OK, "status");
        strbuf_putc(b, '#');
        for (size_t i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++) {
                if (i)
                        strbuf_putc(b, '\t');
                strbuf_puts(b, status_fields[i]);
        }
        strbuf_putc(b, '\n');
        uint64_t now = loop_now();
        if (rq->n_args) {
                for (size_t i = 0; i < rq->n_args; i++)
                        put_status_line(b, sel[i], now);
        } else {
                for (size_t i = 0; i < manager_n_units(); i++)
                        put_status_line(b, manager_unit_at(i), now);
        }
        /* The manager's own line: notify drops that no unit could be charged with. */
        const struct notify_stats *ns = notify_server_stats();
        strbuf_puts(b, "@notify\treceived=");
        put_u64(b, ns->received);
        strbuf_puts(b, "\taccepted=");
        put_u64(b, ns->accepted);
        strbuf_puts(b, "\tmalformed=");
        put_u64(b, ns->malformed);
        strbuf_puts(b, "\tunattributed=");
        put_u64(b, ns->unattributed);
        strbuf_puts(b, "\tunauthorised=");
        put_u64(b, ns->unauthorised);
        strbuf_putc(b, '\n');
}

/* The health rule of `vigilctl check` (docs/CONTROL.md). NULL when healthy. */
static const char *unhealthy(const struct unit *u) {
        switch (u->state) {
        case UNIT_RUNNING:
        case UNIT_RELOAD:
                if (u->config.type == SERVICE_NOTIFY && !u->ready)
                        return "running but not ready";
                return NULL;
        case UNIT_EXITED:
                return NULL;
        case UNIT_DEAD:
                return u->result == UNIT_RESULT_SUCCESS ? NULL : "dead";
        case UNIT_FAILED:
                return "failed";
        case UNIT_AUTO_RESTART:
                return "waiting to restart";
        default:
                return unit_state_is_stopping(u->state) ? "stopping" : "starting";
        }
}

static void reply_check(struct strbuf *b) {
        for (size_t i = 0; i < manager_n_units(); i++) {
                const struct unit *u = manager_unit_at(i);
                const char *why = unhealthy(u);
                if (!why)
                        continue;
                char text[512];
                snprintf(text, sizeof(text), "%s is %s (%s, result %s)", u->config.name, why,
                         unit_state_to_string(u->state), unit_result_to_string(u->result));
                control_reply_header(b, CONTROL_FAILED, text);
                return;
        }
        control_reply_header(b, CONTROL_OK, "healthy");
}

static void reply_jobs(struct strbuf *b, const struct control_request *rq) {
        struct unit *sel[CONTROL_ARGS_MAX];
        for (size_t i = 0; i < rq->n_args; i++) {
                sel[i] = manager_find(rq->args[i]);
                if (!sel[i]) {
                        char text[CONTROL_REQUEST_MAX + 32];
                        snprintf(text, sizeof(text), "unit %s not found", rq->args[i]);
                        control_reply_header(b, CONTROL_NOT_FOUND, text);
                        return;
                }
        }
        for (size_t i = 0; i < rq->n_args; i++) {
                if (rq->verb == CONTROL_START)
                        manager_request_start(sel[i]);
                else if (rq->verb == CONTROL_STOP)
                        manager_request_stop(sel[i]);
                else
                        manager_request_restart(sel[i]);
        }
        control_reply_header(b, CONTROL_OK, "queued");
}

static void build_reply(struct conn *c, struct strbuf *b) {
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
        log_debug("control: pid %d uid %u: %s", (int)c->pid, (unsigned)c->uid, control_verb_name(rq.verb));
        switch (rq.verb) {
        case CONTROL_STATUS:
                reply_status(b, &rq);
                break;
        case CONTROL_CHECK:
                reply_check(b);
                break;
        case CONTROL_START:
        case CONTROL_STOP:
        case CONTROL_RESTART:
                reply_jobs(b, &rq);
                break;
        case CONTROL_WATCHDOG:
                control_reply_header(b, CONTROL_FAILED, "no hardware watchdog");
                break;
        default:
                control_reply_header(b, CONTROL_FAILED, "not supported by this vigil yet");
                break;
        }
}

/* ---------------------------------------------------------------- connections */

static void conn_flush(struct conn *c) {
        while (c->out_off < c->out_len) {
                ssize_t n = os_stream_write(c->io.fd, c->out + c->out_off, c->out_len - c->out_off);
                if (n == -EAGAIN)
                        return; /* wait for OUT */
                if (n < 0) {
                        conn_close(c); /* the client went away mid-reply */
                        return;
                }
                c->out_off += (size_t)n;
        }
        /* Sent: half-close, then discard what the client may still send
         * until it closes (or the idle timer), so closing with unread input
         * never turns into a reset that eats the reply. */
        if (os_stream_shutdown_write(c->io.fd) < 0 || loop_io_mod(&c->io, OS_EVENT_IN) < 0) {
                conn_close(c);
                return;
        }
        c->draining = true;
}

static void conn_reply(struct conn *c, struct strbuf *b) {
        c->out = strbuf_take(b);
        if (!c->out) {
                log_warning("control: out of memory building a reply for pid %d", (int)c->pid);
                conn_close(c);
                return;
        }
        c->out_len = strlen(c->out);
        if (loop_io_mod(&c->io, OS_EVENT_OUT) < 0) {
                conn_close(c);
                return;
        }
        (void)loop_timer_arm_in(&c->timer, IDLE_USEC);
        conn_flush(c);
}

static void conn_ready(struct loop_io *io, uint32_t events) {
        struct conn *c = io->data;
        if (c->draining) {
                char sink[4096];
                ssize_t n = os_stream_read(io->fd, sink, sizeof(sink));
                if (n != -EAGAIN && n <= 0)
                        conn_close(c);
                return;
        }
        if (c->out) {
                if (events & (OS_EVENT_OUT | OS_EVENT_ERR | OS_EVENT_HUP))
                        conn_flush(c);
                return;
        }
        size_t room = sizeof(c->in) - 1 - c->in_len;
        ssize_t n = os_stream_read(io->fd, c->in + c->in_len, room);
        if (n == -EAGAIN)
                return;
        if (n < 0 || (n == 0 && c->in_len == 0)) {
                conn_close(c);
                return;
        }
        c->in_len += (size_t)n;
        char *nl = memchr(c->in, '\n', c->in_len);
        struct strbuf b = { 0 };
        if (nl) {
                c->in_len = (size_t)(nl - c->in);
        } else if (n > 0 && c->in_len < sizeof(c->in) - 1) {
                return; /* more to come */
        } else if (c->in_len >= sizeof(c->in) - 1) {
                srv.stats.malformed++;
                control_reply_header(&b, CONTROL_USAGE, "request too long");
                conn_reply(c, &b);
                return;
        }
        /* A whole line, or EOF after a last line without '\n'. */
        build_reply(c, &b);
        conn_reply(c, &b);
}

static void conn_timeout(struct loop_timer *t) {
        struct conn *c = t->data;
        log_debug("control: dropping pid %d: idle for 10 s", (int)c->pid);
        conn_close(c);
}

static void refuse(int fd, const char *text) {
        struct strbuf b = { 0 };
        control_reply_header(&b, CONTROL_DENIED, text);
        char *s = strbuf_take(&b);
        if (s)
                (void)os_stream_write(fd, s, strlen(s));
        free(s);
        os_close(fd);
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
                        /* EMFILE/ENFILE: the pending connection waits for the next wake-up. */
                        log_warning("control: cannot accept: %s", strerror(-r));
                        return;
                }
                srv.stats.connections++;
                if (uid != 0 && uid != geteuid()) {
                        srv.stats.refused++;
                        log_notice("control: refused pid %d uid %u: only root or uid %u may control vigil",
                                   (int)pid, (unsigned)uid, (unsigned)geteuid());
                        refuse(fd, "not authorised");
                        continue;
                }
                if (srv.n_conns >= MAX_CONNECTIONS) {
                        srv.stats.refused++;
                        refuse(fd, "too many connections");
                        continue;
                }
                struct conn *c = calloc(1, sizeof(*c));
                if (!c) {
                        refuse(fd, "out of memory");
                        continue;
                }
                c->io = (struct loop_io){ .fd = fd, .ready = conn_ready, .data = c };
                c->uid = uid;
                c->pid = pid;
                loop_timer_init(&c->timer, conn_timeout, c);
                if (loop_io_add(&c->io, OS_EVENT_IN) < 0 || loop_timer_arm_in(&c->timer, IDLE_USEC) < 0) {
                        loop_timer_cancel(&c->timer);
                        os_close(fd);
                        free(c);
                        continue;
                }
                c->next = srv.conns;
                if (srv.conns)
                        srv.conns->prev = c;
                srv.conns = c;
                srv.n_conns++;
        }
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
        log_debug("control socket at %s", address);
        return 0;
}

const struct control_stats *control_server_stats(void) {
        return &srv.stats;
}

void control_server_close(void) {
        while (srv.conns)
                conn_close(srv.conns);
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
