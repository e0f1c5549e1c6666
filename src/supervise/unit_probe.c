/* SPDX-License-Identifier: MIT */
/*
 * The health probe of a unit at run time ([X-Vigil] Health*=, docs/DESIGN.md
 * "Health probes"): part of the unit module, it changes the unit's state
 * only through unit_feed(). The rules (when, what a result means) are the
 * pure unit/probe_schedule.h; this file runs the probes and acts:
 *
 *  - one timer per unit on the loop's one heap: armed to the next probe,
 *    then to the running probe's HealthTimeout=; nothing is armed while no
 *    probe is due, so an idle unit costs no wake-up;
 *  - at most one probe at a time: the next is scheduled when one ends;
 *  - HealthExec= runs as the unit's processes do (User=, Group=, the
 *    environment, WorkingDirectory=; unit_spawn_probe()), in its own
 *    process group, with stdout and stderr on a pipe vigil reads for the
 *    last line; at the timeout the whole group gets SIGKILL and the probe
 *    counts as failed when it is reaped (a probe in D state delays the
 *    next, never overlaps it); its exit status 0 is healthy;
 *  - HealthTCP= is a non-blocking connect; HealthHTTP= then sends one
 *    HTTP/1.0 GET and reads the status line (unit/probe_http.h); both are
 *    abandoned (the socket closed) at the timeout;
 *  - the first success of a run completes the start, held back until then
 *    (unit_probe_holds()): After= dependents, --wait-ready, `check --ready`
 *    and the outer manager's READY=1 all follow the state, so all wait;
 *  - HealthRetries= counted failures in a row feed UNIT_EV_WATCHDOG: the
 *    result is `watchdog` (systemd's name for "alive but not answering"),
 *    so Restart=on-watchdog|on-abnormal|on-failure|always, FailureAction=
 *    and, for a unit whose FailureAction= is a health failure, the
 *    hardware watchdog's gate (supervise/health.c, SPEC §8) act as for
 *    WatchdogSec=. The stop sends KillSignal= (a graceful stop, as
 *    Kubernetes does for a failed liveness probe), not WatchdogSignal=.
 */
#include "supervise/unit_internal.h"

#include "base/timespan.h"
#include "core/log.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/inet.h"
#include "os/pipe.h"
#include "os/proc.h"
#include "supervise/proc_index.h"
#include "unit/probe_http.h"
#include "unit/unit_result.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define READ_BUDGET 16384   /* bytes of probe output read per wake-up */

static bool probing(enum unit_state s) {
        return s == UNIT_START || s == UNIT_START_POST || s == UNIT_RUNNING || s == UNIT_RELOAD;
}

/* text as one printable line (for the status table) in out. */
static void set_text(char out[UNIT_PROBE_OUTPUT], const char *text, size_t len) {
        if (len >= UNIT_PROBE_OUTPUT)
                len = UNIT_PROBE_OUTPUT - 1;
        for (size_t i = 0; i < len; i++)
                out[i] = (unsigned char)text[i] < ' ' || text[i] == 0x7f ? ' ' : text[i];
        out[len] = '\0';
}

static void close_io(struct unit_probe_run *p) {
        if (p->io.fd < 0)
                return;
        loop_io_del(&p->io);
        os_close(p->io.fd);
        p->io.fd = -1;
}

static void arm_next(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        uint64_t due = probe_next_due(&u->config.probe.timing, &p->st, loop_now());
        if (loop_timer_arm(&p->timer, due) < 0)
                unit_log(LOG_LEVEL_ERROR, u, "cannot arm the health probe timer: out of memory");
}

static void log_result(struct unit *u, enum probe_verdict v) {
        struct unit_probe_run *p = &u->probe;
        const struct probe_timing *t = &u->config.probe.timing;
        switch (v) {
        case PROBE_VERDICT_READY:
                unit_log(LOG_LEVEL_INFO, u, "health probe passed: ready (%s)", p->output);
                break;
        case PROBE_VERDICT_HEALTHY:
                unit_log(p->verdict == PROBE_VERDICT_FAILING ? LOG_LEVEL_NOTICE : LOG_LEVEL_DEBUG, u,
                         "health probe passed (%s)", p->output);
                break;
        case PROBE_VERDICT_NOT_COUNTED:
                unit_log(LOG_LEVEL_INFO, u, "health probe failed inside HealthStartPeriod=, not counted: %s",
                         p->output);
                break;
        case PROBE_VERDICT_FAILING:
                unit_log(LOG_LEVEL_WARNING, u, "health probe failed (%u of HealthRetries=%u): %s", p->st.failures,
                         t->retries, p->output);
                break;
        default:
                unit_log(LOG_LEVEL_WARNING, u, "unhealthy: %u health probe failures in a row (HealthRetries=%u), "
                         "last: %s", p->st.failures, t->retries, p->output);
                break;
        }
}

/* A probe ended; what happened, for the log and vigilctl. */
static void finish(struct unit *u, bool ok, const char *what) {
        struct unit_probe_run *p = &u->probe;
        close_io(p);
        loop_timer_cancel(&p->timer);
        p->running = false;
        set_text(p->output, what, strlen(what));
        enum probe_verdict v = probe_record(&u->config.probe.timing, &p->st, p->began, ok);
        log_result(u, v);
        p->last = ok;
        p->verdict = v;
        p->last_realtime = os_realtime_usec();
        p->runs++;
        p->failed += !ok;
        if (v == PROBE_VERDICT_UNHEALTHY) {
                p->unhealthy = true;
                unit_feed(u, UNIT_EV_WATCHDOG, UNIT_RESULT_KEEP);
                return;
        }
        arm_next(u);
        if (v == PROBE_VERDICT_READY && p->held != UNIT_EVENT_MAX) {
                enum unit_event e = p->held;
                p->held = UNIT_EVENT_MAX;
                unit_feed(u, e, UNIT_RESULT_KEEP);
        }
}

/* vigil itself is short of fds, memory or processes: that says nothing
 * about the service, so the probe is not counted; the next one is tried
 * one interval later. */
static bool vigil_short(int r) {
        return r == -EMFILE || r == -ENFILE || r == -ENOMEM || r == -ENOBUFS || r == -EAGAIN;
}

static void skip(struct unit *u, int r) {
        struct unit_probe_run *p = &u->probe;
        close_io(p);
        loop_timer_cancel(&p->timer);
        p->running = false;
        unit_log(LOG_LEVEL_WARNING, u, "health probe not run: %s (not counted against the service)", strerror(-r));
        arm_next(u);
}

/* ---------------------------------------------------------------- HealthExec= */

/* Keep the last non-empty line of the output in p->line. */
static void take_output(struct unit_probe_run *p, const char *buf, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                        if (p->n > 0)
                                set_text(p->line, p->buf, p->n);
                        p->n = 0;
                } else if (p->n < sizeof(p->buf))
                        p->buf[p->n++] = buf[i];
        }
}

static void drain_output(struct unit_probe_run *p) {
        char buf[4096];
        for (size_t total = 0; total < READ_BUDGET;) {
                ssize_t n = os_read(p->io.fd, buf, sizeof(buf));
                if (n == -EAGAIN)
                        return;
                if (n <= 0) {   /* EOF, or an error: nothing more to read */
                        close_io(p);
                        return;
                }
                take_output(p, buf, (size_t)n);
                total += (size_t)n;
        }
}

static void exec_output_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        struct unit *u = io->data;
        drain_output(&u->probe);
}

static void exec_start(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        int rd, wr, status_fd;
        pid_t pid;
        int r = os_pipe_open(&rd, &wr);
        if (r < 0) {
                skip(u, r);
                return;
        }
        r = unit_spawn_probe(u, &u->config.probe.exec, wr, &pid, &status_fd);
        os_close(wr);
        if (r < 0 && vigil_short(r)) {
                os_close(rd);
                skip(u, r);
                return;
        }
        if (r < 0) {
                os_close(rd);
                char why[128];
                snprintf(why, sizeof(why), "cannot spawn %s: %s", u->config.probe.exec.path, strerror(-r));
                finish(u, false, why);
                return;
        }
        p->pid = pid;
        p->status_fd = status_fd;
        p->line[0] = '\0';
        if (proc_index_add_pid(pid, u, UNIT_PROC_PROBE) < 0)
                unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking pid %d", (int)pid);
        p->io = (struct loop_io){ .fd = rd, .ready = exec_output_ready, .data = u };
        if (loop_io_add(&p->io, OS_EVENT_IN) < 0) {
                os_close(rd);   /* no output then; the exit status still counts */
                p->io.fd = -1;
        }
        unit_log(LOG_LEVEL_DEBUG, u, "health probe %s (pid %d)", u->config.probe.exec.path, (int)pid);
}

void unit_probe_exited(struct unit *u, pid_t pid, int wait_status) {
        struct unit_probe_run *p = &u->probe;
        if (pid != p->pid)
                return;
        p->pid = 0;
        (void)os_kill(-pid, SIGKILL);   /* what it left behind in its group */
        unit_log_spawn_failure(u, p->status_fd, u->config.probe.exec.path);
        os_close(p->status_fd);
        p->status_fd = -1;
        if (p->io.fd >= 0)
                drain_output(p);
        if (p->n > 0)   /* a last line without its newline */
                take_output(p, "\n", 1);
        close_io(p);
        bool core;
        struct exit_info e = unit_exit_from_wait(wait_status, &core);
        char why[UNIT_PROBE_OUTPUT + 64], span[32];
        const char *sep = p->line[0] ? ": " : "";
        if (p->timed_out)
                snprintf(why, sizeof(why), "timed out after %s%s%s",
                         timespan_format(u->config.probe.timing.timeout_usec, span, sizeof(span)), sep, p->line);
        else if (e.exited)
                snprintf(why, sizeof(why), "exit status %d%s%s", e.code, sep, p->line);
        else
                snprintf(why, sizeof(why), "killed by signal %d%s%s", e.sig, sep, p->line);
        finish(u, e.exited && e.code == 0 && !p->timed_out, why);
}

/* ---------------------------------------------------------------- HealthTCP=, HealthHTTP= */

static void socket_fail(struct unit *u, const char *what, int error) {
        char why[160], addr[INET_TARGET_STRLEN];
        snprintf(why, sizeof(why), "%s %s: %s", what, inet_target_format(&u->config.probe.target, addr, sizeof(addr)),
                 strerror(error));
        finish(u, false, why);
}

static void http_send(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        char req[PROBE_HTTP_REQUEST_MAX];
        size_t len = probe_http_request(u->config.probe.http_host, u->config.probe.http_path, req, sizeof(req));
        /* A fresh socket's buffer takes a request this small whole. */
        ssize_t n = os_socket_send(p->io.fd, req, len);
        if (n < 0) {
                socket_fail(u, "send to", (int)-n);
                return;
        }
        if ((size_t)n != len) {
                finish(u, false, "the request did not fit the socket buffer");
                return;
        }
        p->connected = true;
        p->n = 0;
        if (loop_io_mod(&p->io, OS_EVENT_IN) < 0)
                finish(u, false, "cannot watch the socket: out of memory");
}

static void http_read(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        ssize_t n = os_read(p->io.fd, p->buf + p->n, sizeof(p->buf) - p->n);
        if (n == -EAGAIN)
                return;
        if (n < 0) {
                socket_fail(u, "read from", (int)-n);
                return;
        }
        p->n += (size_t)n;
        int code = 0;
        int r = probe_http_status_parse(p->buf, p->n, &code);
        if (r == 0 && n > 0 && p->n < sizeof(p->buf))
                return;   /* more to come */
        char why[160];
        if (r == 1) {
                snprintf(why, sizeof(why), "HTTP %d from %s%s", code, u->config.probe.http_host,
                         u->config.probe.http_path);
                finish(u, probe_http_status_healthy(code), why);
        } else if (r == 0)
                finish(u, false, "the connection closed before an HTTP status line");
        else
                finish(u, false, "the reply is not HTTP (no HTTP/1.x status line)");
}

static void socket_ready(struct loop_io *io, uint32_t events) {
        struct unit *u = io->data;
        struct unit_probe_run *p = &u->probe;
        if (!p->connected) {
                int r = os_socket_error(io->fd);
                if (r < 0) {
                        socket_fail(u, "connect to", -r);
                        return;
                }
                if (!(events & (OS_EVENT_OUT | OS_EVENT_ERR | OS_EVENT_HUP)))
                        return;
                if (u->config.probe.kind == PROBE_TCP) {
                        char why[96], addr[INET_TARGET_STRLEN];
                        snprintf(why, sizeof(why), "connected to %s",
                                 inet_target_format(&u->config.probe.target, addr, sizeof(addr)));
                        finish(u, true, why);
                } else
                        http_send(u);
                return;
        }
        http_read(u);
}

static void socket_start(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        int fd;
        int r = os_tcp_connect(&u->config.probe.target, &fd);
        if (r < 0 && vigil_short(r)) {
                skip(u, r);
                return;
        }
        if (r < 0) {
                socket_fail(u, "connect to", -r);
                return;
        }
        p->connected = false;
        p->io = (struct loop_io){ .fd = fd, .ready = socket_ready, .data = u };
        if (loop_io_add(&p->io, OS_EVENT_OUT) < 0) {
                os_close(fd);
                p->io.fd = -1;
                finish(u, false, "cannot watch the socket: out of memory");
        }
}

/* ---------------------------------------------------------------- schedule */

static void probe_start(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        p->running = true;
        p->timed_out = false;
        p->began = loop_now();
        p->n = 0;
        if (loop_timer_arm_in(&p->timer, u->config.probe.timing.timeout_usec) < 0)
                unit_log(LOG_LEVEL_ERROR, u, "cannot arm the health probe timeout: out of memory");
        if (u->config.probe.kind == PROBE_EXEC)
                exec_start(u);
        else
                socket_start(u);
}

static void probe_timer_fired(struct loop_timer *t) {
        struct unit *u = t->data;
        struct unit_probe_run *p = &u->probe;
        char why[64], span[32];
        if (!p->running) {
                probe_start(u);
                return;
        }
        timespan_format(u->config.probe.timing.timeout_usec, span, sizeof(span));
        if (p->pid > 0) {
                /* Killed with its group; it counts as failed when reaped. */
                p->timed_out = true;
                unit_log(LOG_LEVEL_WARNING, u, "health probe %s (pid %d) timed out after %s, killing it",
                         u->config.probe.exec.path, (int)p->pid, span);
                (void)os_kill(-p->pid, SIGKILL);
                (void)os_kill(p->pid, SIGKILL);
                return;
        }
        snprintf(why, sizeof(why), "timed out after %s", span);
        finish(u, false, why);
}

/* Stop probing: the running probe is abandoned (its group killed and
 * forgotten: the supervisor reaps it as any stray child). */
static void probe_end(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        loop_timer_cancel(&p->timer);
        if (p->pid > 0) {
                (void)os_kill(-p->pid, SIGKILL);
                (void)os_kill(p->pid, SIGKILL);
                proc_index_remove_pid(p->pid);
                p->pid = 0;
        }
        os_close(p->status_fd);
        p->status_fd = -1;
        close_io(p);
        p->running = false;
        p->held = UNIT_EVENT_MAX;
}

void unit_probe_state_changed(struct unit *u, enum unit_state old) {
        struct unit_probe_run *p = &u->probe;
        if (u->config.probe.kind == PROBE_NONE)
                return;
        if (u->state == UNIT_START) {
                probe_end(u);   /* a probe of the last run still being reaped stays abandoned */
                probe_state_begin(&p->st, loop_now());
                p->unhealthy = false;
                p->last = -1;   /* "starting" again, as Docker after a restart */
                arm_next(u);
        } else if (probing(old) && !probing(u->state))
                probe_end(u);
}

bool unit_probe_holds(struct unit *u, enum unit_event e) {
        if (u->config.probe.kind == PROBE_NONE || u->state != UNIT_START || u->probe.st.passed)
                return false;
        if (e != UNIT_EV_STARTED && !(e == UNIT_EV_NOTIFY_READY && u->config.type == SERVICE_NOTIFY))
                return false;
        if (u->probe.held == UNIT_EVENT_MAX)
                unit_log(LOG_LEVEL_DEBUG, u, "%s: ready at the first health probe success",
                         unit_event_to_string(e));
        u->probe.held = e;
        return true;
}

const char *unit_probe_health(const struct unit *u) {
        const struct unit_probe_run *p = &u->probe;
        if (u->config.probe.kind == PROBE_NONE)
                return "-";
        if (p->last < 0 || p->verdict == PROBE_VERDICT_NOT_COUNTED)
                return "starting";
        return p->verdict == PROBE_VERDICT_READY ? "healthy" : probe_verdict_to_string(p->verdict);
}

bool unit_probe_unhealthy(const struct unit *u) {
        return u->probe.unhealthy;
}

void unit_probe_init(struct unit *u) {
        struct unit_probe_run *p = &u->probe;
        loop_timer_init(&p->timer, probe_timer_fired, u);
        p->io.fd = -1;
        p->status_fd = -1;
        p->held = UNIT_EVENT_MAX;
        p->last = -1;
}

void unit_probe_free(struct unit *u) {
        probe_end(u);
}
