/* SPDX-License-Identifier: MIT */
#include "notify/notify_server.h"

#include "core/log.h"
#include "core/loop.h"
#include "notify/notify_msg.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/notify_socket.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256  /* datagrams per wake-up */

static struct {
        struct loop_io io;
        char *address;
        struct notify_stats stats;
        notify_deliver_fn deliver;
        char buf[NOTIFY_MSG_MAX + 1];  /* one more: a datagram that fills it is too long */
} srv = { .io = { .fd = -1 } };

/* Log the 1st, 2nd, 4th, 8th... drop of a kind: a flood costs a few lines. */
static bool worth_logging(uint64_t n) {
        return (n & (n - 1)) == 0;
}

static void dropped(uint64_t *counter, const char *kind, const struct os_datagram *d, const char *why) {
        (*counter)++;
        if (!worth_logging(*counter))
                return;
        log_warning("notify: dropped a datagram from pid %d: %s (%s; %llu so far)", d->has_creds ? (int)d->pid : 0,
                    why, kind, (unsigned long long)*counter);
}

static void handle(const struct os_datagram *d) {
        srv.stats.received++;
        struct notify_msg msg;
        if (d->truncated) {
                dropped(&srv.stats.malformed, "malformed", d, "longer than 4096 bytes");
                return;
        }
        if (notify_msg_parse(srv.buf, d->len, &msg) < 0) {
                dropped(&srv.stats.malformed, "malformed", d, d->len == 0 ? "empty" : "holds a NUL byte");
                return;
        }
        if (!d->has_creds || d->pid <= 0) {
                dropped(&srv.stats.unattributed, "unattributed", d, "no sender credentials");
                return;
        }
        char why[160] = "";
        const char *unit = "?";
        switch (srv.deliver(d->pid, &msg, why, sizeof(why), &unit)) {
        case NOTIFY_UNATTRIBUTED:
                dropped(&srv.stats.unattributed, "unattributed", d, "not a process of any unit");
                return;
        case NOTIFY_UNAUTHORISED:
                dropped(&srv.stats.unauthorised, "unauthorised", d, why);
                return;
        case NOTIFY_ACCEPTED:
                break;
        }
        srv.stats.accepted++;
        if (msg.n_unknown || msg.n_invalid)
                log_debug("notify: %s: %u unknown and %u invalid fields ignored", unit, msg.n_unknown, msg.n_invalid);
}

/* Read up to max datagrams; false when the queue is empty. */
static bool read_some(unsigned max) {
        for (unsigned i = 0; i < max; i++) {
                struct os_datagram d;
                int r = os_notify_recv(srv.io.fd, srv.buf, sizeof(srv.buf), &d);
                if (r == -EAGAIN)
                        return false;
                if (r < 0) {
                        /* ENOMEM/ENOBUFS: try again at the next wake-up. */
                        log_warning("notify: cannot receive: %s", strerror(-r));
                        return false;
                }
                handle(&d);
                /* After handling: BARRIER=1 is answered once what came before it is done. */
                for (size_t k = 0; k < d.n_fds; k++)
                        os_close(d.fds[k]);
                if (d.fds_truncated)
                        log_debug("notify: pid %d passed more fds than kept; all closed", (int)d.pid);
        }
        return true;
}

static void ready(struct loop_io *io, uint32_t events) {
        (void)io;
        (void)events;
        (void)read_some(BATCH);
}

int notify_server_open(const char *address, notify_deliver_fn deliver) {
        srv.deliver = deliver;
        int fd;
        int r = os_notify_socket_open(address, &fd);
        if (r < 0) {
                log_error("cannot open the notify socket %s: %s%s", address, strerror(-r),
                          r == -EADDRINUSE ? " (another vigil listens there; use --notify-socket)" : "");
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
                log_error("cannot watch the notify socket: %s", strerror(-r));
                notify_server_close();
                return r;
        }
        log_debug("notify socket at %s", address);
        return 0;
}

const char *notify_server_address(void) {
        return srv.address;
}

void notify_server_drain(void) {
        /* Bounded too: under a flood the reaper must still get its turn. */
        for (int i = 0; i < 16 && srv.io.fd >= 0 && read_some(BATCH); i++)
                ;
}

const struct notify_stats *notify_server_stats(void) {
        return &srv.stats;
}

void notify_server_close(void) {
        if (srv.io.fd >= 0) {
                loop_io_del(&srv.io);
                os_close(srv.io.fd);
        }
        os_notify_socket_unlink(srv.address);
        free(srv.address);
        srv.address = NULL;
        srv.io.fd = -1;
}
