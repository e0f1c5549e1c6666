/* SPDX-License-Identifier: MIT */
#include "notify/outer_notify.h"

#include "base/num.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/fd.h"
#include "os/notify_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A READY=1 or STOPPING=1 that did not get through is sent again this
 * often, this many times (the outer manager may be waiting for it:
 * `podman run --sdnotify=container` returns only on READY=1). */
#define RETRY_USEC (1 * UINT64_C(1000000))
#define RETRY_MAX 60

static struct {
        char *address;            /* NULL: no outer manager */
        int fd;                   /* the one client socket; -1: opened at the next send */
        uint64_t interval;        /* WATCHDOG=1 every this often; 0: none */
        struct loop_timer timer;
        bool timer_init;
        bool ready_sent, stopping_sent;
        int last_error;           /* the failure already logged; 0 after a success */
        char pending[512];        /* a state message to send again; "" : none */
        unsigned retries;
        struct loop_timer retry;
} outer = { .fd = -1 };

uint64_t outer_notify_watchdog_interval(const struct outer_notify_env *env, pid_t self) {
        uint64_t usec, pid;
        /* Above 2^62 us (146,000 years; systemd's infinity is UINT64_MAX): no
         * pings, and now + interval cannot overflow. */
        if (!env->watchdog_usec || num_parse_u64_max(env->watchdog_usec, UINT64_C(1) << 62, &usec) < 0 || usec == 0)
                return 0;
        if (env->watchdog_pid && (num_parse_u64(env->watchdog_pid, &pid) < 0 || pid != (uint64_t)self))
                return 0;
        return usec / 2 > 0 ? usec / 2 : 1;
}

/* The receiver's side, not the socket's: a full queue, nobody bound there. */
static bool peer_error(int r) {
        return r == -EAGAIN || r == -ENOENT || r == -ECONNREFUSED;
}

/* One datagram from the kept socket. A failure of the socket itself (not
 * peer_error()) closes it, and a socket that had already been used is
 * replaced and the datagram tried once more at once (whatever went wrong
 * with the old socket, a fresh one does not inherit it). */
static int send_once(const char *text) {
        for (int attempt = 0;; attempt++) {
                bool fresh = outer.fd < 0;
                int r = fresh ? os_notify_client_open(&outer.fd) : 0;
                if (r == 0)
                        r = os_notify_send_nowait(outer.fd, outer.address, text, strlen(text));
                if (r == 0 || peer_error(r))
                        return r;
                os_close(outer.fd);
                outer.fd = -1;
                if (fresh || attempt > 0)
                        return r;
        }
}

/* One datagram; the first failure of a kind is logged, repeats are not
 * until a send works again (a full socket would log at every ping). */
static int send_text(const char *text) {
        if (!outer.address)
                return 0;
        int r = send_once(text);
        if (r == 0) {
                if (outer.last_error)
                        log_info("NOTIFY_SOCKET=%s: the outer manager's socket takes messages again", outer.address);
                outer.last_error = 0;
                return 0;
        }
        if (r == outer.last_error)
                return r;
        outer.last_error = r;
        log_warning("NOTIFY_SOCKET=%s (inherited): cannot tell the outer manager: %s%s; running on, "
                    "repeats not logged", outer.address, strerror(-r),
                    r == -EAGAIN ? " (its socket is full)" : "");
        return r;
}

static void retry_fired(struct loop_timer *t) {
        (void)t;
        if (!outer.pending[0] || send_text(outer.pending) == 0) {
                outer.pending[0] = '\0';
                return;
        }
        if (++outer.retries < RETRY_MAX && loop_timer_arm_in(&outer.retry, RETRY_USEC) == 0)
                return;
        log_warning("NOTIFY_SOCKET=%s: gave up sending %.*s to the outer manager", outer.address,
                    (int)strcspn(outer.pending, "\n"), outer.pending);
        outer.pending[0] = '\0';
}

/* A state message ("READY=1" then STATUS=): sent again until it gets
 * through (a later one replaces it). */
static void send_state(const char *first, const char *status) {
        snprintf(outer.pending, sizeof(outer.pending), "%s\nSTATUS=%s", first, status);
        outer.retries = 0;
        if (send_text(outer.pending) == 0 || loop_timer_arm_in(&outer.retry, RETRY_USEC) < 0)
                outer.pending[0] = '\0';
}

static void watchdog_fired(struct loop_timer *t) {
        (void)t;
        send_text("WATCHDOG=1");
        if (loop_timer_arm_in(&outer.timer, outer.interval) < 0)
                log_warning("cannot re-arm the outer manager's watchdog timer; WATCHDOG=1 stops");
}

int outer_notify_init(const struct outer_notify_env *env, pid_t self) {
        if (!env->notify_socket || !env->notify_socket[0])
                return 0;
        if (env->notify_socket[0] != '/' && env->notify_socket[0] != '@') {
                log_warning("NOTIFY_SOCKET=%s (inherited): not a path or an abstract name (@...), ignoring it",
                            env->notify_socket);
                return 0;
        }
        outer.address = strdup(env->notify_socket);
        if (!outer.address) {
                log_error("out of memory: the outer manager (NOTIFY_SOCKET) will not be told anything");
                return -ENOMEM;
        }
        loop_timer_init(&outer.retry, retry_fired, NULL);
        outer.interval = outer_notify_watchdog_interval(env, self);
        log_info("NOTIFY_SOCKET=%s inherited: telling the outer manager%s", outer.address,
                 outer.interval ? ", with watchdog pings" : "");
        if (env->watchdog_usec && !outer.interval)
                log_info("WATCHDOG_USEC=%s inherited but not for vigil (WATCHDOG_PID=%s, vigil is %d): no pings",
                         env->watchdog_usec, env->watchdog_pid ? env->watchdog_pid : "", (int)self);
        if (!outer.interval)
                return 0;
        loop_timer_init(&outer.timer, watchdog_fired, NULL);
        outer.timer_init = true;
        int r = loop_timer_arm_in(&outer.timer, outer.interval);
        if (r < 0)
                log_warning("cannot arm the outer manager's watchdog timer: %s", strerror(-r));
        return r;
}

bool outer_notify_wants_ready(void) {
        return outer.address && !outer.ready_sent && !outer.stopping_sent;
}

void outer_notify_ready(const char *status) {
        if (!outer.address || outer.ready_sent || outer.stopping_sent)
                return;
        outer.ready_sent = true;
        send_state("READY=1", status);
}

void outer_notify_stopping(const char *status) {
        if (!outer.address || outer.stopping_sent)
                return;
        outer.stopping_sent = true;
        send_state("STOPPING=1", status);
}

void outer_notify_free(void) {
        if (outer.timer_init)
                loop_timer_cancel(&outer.timer);
        if (outer.address)
                loop_timer_cancel(&outer.retry);
        free(outer.address);
        os_close(outer.fd);
        memset(&outer, 0, sizeof(outer));
        outer.fd = -1;
}
