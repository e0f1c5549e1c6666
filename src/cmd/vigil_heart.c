/* SPDX-License-Identifier: MIT */
/*
 * vigil-heart: a drop-in for Erlang's `heart` port program (issue 7 item 6;
 * man/vigil-heart.1). The VM starts it through `/bin/sh -c "heart -pid P
 * [-ht N]"` and speaks OTP's heart protocol on fds 0/1 (src/heart/); each
 * HEART_BEAT is relayed to vigil as an sd_notify `WATCHDOG=1` on
 * $NOTIFY_SOCKET, after `WATCHDOG_USEC=` = HEART_BEAT_TIMEOUT at start.
 * A missed beat, the VM closing the port without SHUT_DOWN, or a read
 * error: `WATCHDOG=trigger`, so vigil runs the unit's watchdog result
 * (WatchdogSignal=, Restart=, FailureAction=), then exit 1. SHUT_DOWN:
 * `WATCHDOG_USEC=0` (the unit's watchdog is off for the rest of this run),
 * then exit 0. vigil-heart never kills the VM, never runs HEART_COMMAND or
 * the set_cmd command (it answers them as OTP does): vigil's unit decides.
 *
 * One poll() on stdin with the beat deadline as its timeout (CLOCK_MONOTONIC,
 * milliseconds); no polling loop, no other timer.
 */
#include "heart/heart_msg.h"
#include "os/notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IN_FD 0
#define OUT_FD 1

static const char *notify_address;
static bool debug_on;
static bool send_failed_logged;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("vigil-heart: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\n", stderr);
        va_end(ap);
}

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One sd_notify datagram to vigil; a failure is reported once, then the
 * program carries on (vigil's own WATCHDOG_USEC deadline still stands). */
static void notify(const char *msg) {
        if (!notify_address)
                return;
        int r = os_notify_send(notify_address, msg, strlen(msg), -1);
        if (r < 0 && !send_failed_logged) {
                say("cannot send \"%s\" to NOTIFY_SOCKET=%s: %s", msg, notify_address, strerror(-r));
                send_failed_logged = true;
        } else if (r == 0 && debug_on) {
                say("sent %s", msg);
        }
}

/* The last word before exit: msg, then BARRIER=1 with a pipe's write end
 * (sd_notify_barrier(3)), and wait (at most BARRIER_MS) until vigil has
 * handled both and closed it. vigil finds a sender's unit through /proc,
 * so heart must still be alive when its last datagram is read. */
#define BARRIER_MS 5000
static void notify_last(const char *msg) {
        if (!notify_address)
                return;
        notify(msg);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return;
        int r = os_notify_send(notify_address, "BARRIER=1", 9, p[1]);
        close(p[1]);
        if (r == 0) {
                struct pollfd pf = { .fd = p[0], .events = POLLIN };
                uint64_t end = now_ms() + BARRIER_MS;
                for (uint64_t t = now_ms(); t < end; t = now_ms())
                        if (poll(&pf, 1, (int)(end - t)) >= 0 || errno != EINTR)
                                break;
        }
        close(p[0]);
}

static int write_all(int fd, const uint8_t *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static void usage(FILE *f) {
        fputs("usage: vigil-heart [-pid PID] [-ht SECONDS]\n"
              "Erlang heart port program that relays the VM's heartbeats to vigil\n"
              "(sd_notify WATCHDOG=1 on $NOTIFY_SOCKET). Started by `erl -heart`, not by hand.\n"
              "  -ht SECONDS   HEART_BEAT_TIMEOUT, 10 < SECONDS <= 65535 (default 60)\n"
              "  -pid PID      the VM's pid (accepted; vigil-heart never kills it)\n"
              "  --help, --version\n",
              f);
}

enum reason { R_TIMEOUT, R_CLOSED, R_ERROR, R_SHUT_DOWN, R_CRASHING };

/* The message loop: returns why it ended. */
static enum reason run(unsigned timeout_s) {
        struct heart_reader rd;
        struct heart_session ses;
        static uint8_t reply[HEART_FRAME_MAX];
        uint8_t buf[4096];
        const uint64_t timeout_ms = (uint64_t)timeout_s * 1000;
        uint64_t deadline = now_ms() + timeout_ms;

        heart_reader_init(&rd);
        heart_session_init(&ses);
        for (;;) {
                uint64_t now = now_ms();
                if (now >= deadline) {
                        say("heart-beat time-out: no beat for %u s", timeout_s);
                        return R_TIMEOUT;
                }
                struct pollfd p = { .fd = IN_FD, .events = POLLIN };
                uint64_t wait = deadline - now;
                int r = poll(&p, 1, wait > INT32_MAX ? INT32_MAX : (int)wait);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        say("poll: %s", strerror(errno));
                        return R_ERROR;
                }
                if (r == 0)
                        continue;  /* the deadline check above decides */
                ssize_t n = read(IN_FD, buf, sizeof(buf));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0) {
                        say("read: %s", strerror(errno));
                        return R_ERROR;
                }
                if (n == 0) {
                        say("Erlang has closed the port%s", heart_reader_idle(&rd) ? "" : " in mid-message");
                        return R_CLOSED;
                }
                size_t off = 0;
                while (off < (size_t)n) {
                        struct heart_frame f;
                        size_t used;
                        int got = heart_reader_feed(&rd, buf + off, (size_t)n - off, &used, &f);
                        off += used;
                        if (!got)
                                break;
                        size_t reply_len;
                        enum heart_verdict v = heart_session_handle(&ses, &f, getenv("HEART_COMMAND"), reply,
                                                                    &reply_len);
                        if (debug_on)
                                say("frame len %zu op %u -> %d", f.len, f.op, (int)v);
                        switch (v) {
                        case HEART_BEAT:
                                deadline = now_ms() + timeout_ms;
                                notify("WATCHDOG=1");
                                break;
                        case HEART_REPLY:
                                if (write_all(OUT_FD, reply, reply_len) < 0) {
                                        say("write: %s", strerror(errno));
                                        return R_ERROR;
                                }
                                break;
                        case HEART_SHUT_DOWN:
                                return R_SHUT_DOWN;
                        case HEART_CRASHING:
                                return R_CRASHING;
                        case HEART_IGNORE:
                                break;
                        }
                }
        }
}

/* PREPARING_CRASH: as OTP's heart, wait for the dump when
 * ERL_CRASH_DUMP_SECONDS asks (S > 0: up to S s; S < 0: until the VM
 * writes or closes), with the unit's watchdog off meanwhile. */
static void wait_for_crash_dump(void) {
        const char *env = getenv("ERL_CRASH_DUMP_SECONDS");
        long s = env ? strtol(env, NULL, 10) : 0;
        if (s == 0)
                return;
        say("Erlang is crashing: waiting for the crash dump (%ld s)", s);
        notify("WATCHDOG_USEC=0");
        struct pollfd p = { .fd = IN_FD, .events = POLLIN };
        int ms = s < 0 || s > INT32_MAX / 1000 ? -1 : (int)s * 1000;
        while (poll(&p, 1, ms) < 0 && errno == EINTR)
                ;
}

int main(int argc, char **argv) {
        unsigned timeout_s = HEART_TIMEOUT_DEFAULT;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--help") == 0) {
                        usage(stdout);
                        return 0;
                }
                if (strcmp(argv[i], "--version") == 0) {
                        printf("vigil-heart %s\n", VIGIL_VERSION);
                        return 0;
                }
        }
        debug_on = getenv("HEART_DEBUG") != NULL;
        /* Arguments as OTP's heart reads them: a bad or out-of-range value
         * is ignored (the default stays) and unknown words are skipped. */
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "-ht") == 0 && i + 1 < argc) {
                        unsigned t;
                        if (heart_parse_timeout(argv[i + 1], &t) == 0) {
                                timeout_s = t;
                                i++;
                        } else {
                                say("-ht %s ignored (10 < N <= 65535); heart-beat timeout stays %u s", argv[i + 1],
                                    timeout_s);
                        }
                } else if (strcmp(argv[i], "-pid") == 0 && i + 1 < argc) {
                        i++;  /* accepted; vigil, not heart, stops the VM */
                }
        }
        /* The VM may close the port while a reply is written: an error, not a signal. */
        signal(SIGPIPE, SIG_IGN);

        notify_address = getenv("NOTIFY_SOCKET");
        if (notify_address && !notify_address[0])
                notify_address = NULL;

        uint8_t ack[3];
        heart_encode(HEART_OP_ACK, NULL, 0, ack, sizeof(ack));
        if (write_all(OUT_FD, ack, sizeof(ack)) < 0) {
                say("cannot write the start-up ACK: %s", strerror(errno));
                return 1;
        }
        if (notify_address) {
                char msg[64];
                snprintf(msg, sizeof(msg), "WATCHDOG_USEC=%" PRIu64, (uint64_t)timeout_s * 1000000);
                notify(msg);
        } else {
                say("NOTIFY_SOCKET is not set: beats go nowhere and a missed beat only ends vigil-heart");
        }
        if (debug_on)
                say("heart-beat timeout %u s, NOTIFY_SOCKET=%s", timeout_s,
                    notify_address ? notify_address : "(none)");

        enum reason why = run(timeout_s);
        switch (why) {
        case R_SHUT_DOWN:
                notify_last("WATCHDOG_USEC=0");
                return 0;
        case R_CRASHING:
                wait_for_crash_dump();
                break;
        default:
                break;
        }
        if (notify_address) {
                notify_last("WATCHDOG=trigger");
                say("told vigil: WATCHDOG=trigger");
        } else {
                say("Would reboot. Terminating.");
        }
        return 1;
}
