/* SPDX-License-Identifier: MIT */
#include "logcap/syslog_server.h"

#include "core/log.h"
#include "core/loop.h"
#include "logcap/output.h"
#include "logcap/syslog_msg.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/notify_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256   /* datagrams per wake-up */
#define PSEUDO_SOURCE "syslog"

static struct {
        struct loop_io io;
        char *address;
        char *handover;   /* the syslog daemon's unit: the path is its once it is up */
        syslog_attribute_fn attribute;
        struct syslog_stats stats;
        char buf[SYSLOG_MSG_MAX + 1];
        char line[SYSLOG_TAG_MAX + 2 + SYSLOG_MSG_MAX + 1];
} srv = { .io = { .fd = -1 } };

static bool worth_logging(uint64_t n) {
        return (n & (n - 1)) == 0;
}

static void handle(const struct os_datagram *d) {
        struct syslog_msg m;
        const char *why;
        struct log_ring *ring = NULL;
        const char *ident = PSEUDO_SOURCE;
        pid_t pid = d->has_creds ? d->pid : 0;
        size_t n = 0;

        srv.stats.received++;
        if (syslog_msg_parse(srv.buf, d->len, &m, &why) < 0) {
                srv.stats.malformed++;
                if (worth_logging(srv.stats.malformed))
                        log_warning("syslog: dropped a datagram from pid %d: %s (malformed; %llu so far)", (int)pid,
                                    why, (unsigned long long)srv.stats.malformed);
                return;
        }
        if (pid > 0 && srv.attribute(pid, &ring, &ident))
                srv.stats.attributed++;
        else {
                srv.stats.unattributed++;
                ring = NULL;
                ident = PSEUDO_SOURCE;
        }
        if (m.tag) {
                memcpy(srv.line, m.tag, m.tag_len);
                n = m.tag_len;
                srv.line[n++] = ':';
                if (m.message_len > 0)
                        srv.line[n++] = ' ';
        }
        memcpy(srv.line + n, m.message, m.message_len);
        n += m.message_len;
        output_emit_line(ident, pid, ring, srv.line, n, d->truncated);
}

static bool read_some(unsigned max) {
        for (unsigned i = 0; i < max; i++) {
                struct os_datagram d;
                int r = os_notify_recv(srv.io.fd, srv.buf, SYSLOG_MSG_MAX, &d);
                if (r == -EAGAIN)
                        return false;
                if (r < 0) {
                        log_warning("syslog: cannot receive: %s", strerror(-r));
                        return false;
                }
                for (size_t k = 0; k < d.n_fds; k++)
                        os_close(d.fds[k]);   /* syslog carries none; never kept */
                handle(&d);
        }
        return true;
}

static void ready(struct loop_io *io, uint32_t events) {
        (void)io;
        (void)events;
        (void)read_some(BATCH);
}

int syslog_server_open(const char *address, syslog_attribute_fn attribute) {
        int fd, r;
        srv.attribute = attribute;
        r = os_notify_socket_open(address, &fd);
        if (r == -EADDRINUSE)
                return r;
        if (r < 0) {
                log_error("cannot open the syslog socket %s: %s", address, strerror(-r));
                return r;
        }
        srv.address = strdup(address);
        if (!srv.address) {
                os_close(fd);
                os_notify_socket_unlink(address);
                return -ENOMEM;
        }
        srv.io = (struct loop_io){ .fd = fd, .ready = ready };
        r = loop_io_add(&srv.io, OS_EVENT_IN);
        if (r < 0) {
                log_error("cannot watch the syslog socket: %s", strerror(-r));
                syslog_server_close();
                return r;
        }
        log_debug("syslog socket at %s", address);
        return 0;
}

const char *syslog_server_address(void) {
        return srv.address;
}

const struct syslog_stats *syslog_server_stats(void) {
        return &srv.stats;
}

void syslog_server_drain(void) {
        for (int i = 0; i < 16 && srv.io.fd >= 0 && read_some(BATCH); i++)
                ;
}

int syslog_server_hand_over(const char *unit) {
        char *copy = strdup(unit);
        if (!copy)
                return -ENOMEM;
        free(srv.handover);
        srv.handover = copy;
        return 0;
}

const char *syslog_server_handover(void) {
        return srv.address ? srv.handover : NULL;
}

void syslog_server_release(void) {
        free(srv.address);
        srv.address = NULL;   /* the path is the daemon's now: not unlinked */
        syslog_server_close();
}

void syslog_server_close(void) {
        if (srv.io.fd >= 0) {
                loop_io_del(&srv.io);
                os_close(srv.io.fd);
        }
        if (srv.address)
                os_notify_socket_unlink(srv.address);
        free(srv.address);
        srv.address = NULL;
        free(srv.handover);
        srv.handover = NULL;
        srv.io.fd = -1;
}
