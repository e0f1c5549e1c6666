/* SPDX-License-Identifier: MIT */
/*
 * vigil-heart: a drop-in for Erlang's `heart` port program, at nerves_heart's
 * parity (issue 7 item 6, issue 16 item 4; man/vigil-heart.1). The VM starts
 * it through `/bin/sh -c "heart -pid P [-ht N]"` and speaks OTP's heart
 * protocol on fds 0/1 (src/heart/heart_msg.h). vigil-heart's watchdog is
 * the unit's watchdog in vigil: `WATCHDOG_USEC=` = HEART_BEAT_TIMEOUT at
 * start, then each pet is an sd_notify `WATCHDOG=1` on $NOTIFY_SOCKET (on
 * every beat, and at the pet interval while nothing is overdue: the timers
 * and commands are src/heart/heart_state.h). A missed beat or init
 * handshake, `disable_vm`, the VM closing the port without SHUT_DOWN, or a
 * read error: `WATCHDOG=trigger`, so vigil runs the unit's watchdog result
 * (WatchdogSignal=, Restart=, FailureAction=), then exit 1. SHUT_DOWN:
 * `WATCHDOG_USEC=0` (the unit's watchdog is off for the rest of this run),
 * unless petting was stopped (disable_hw, a guarded command: the guard
 * stays armed), then exit 0.
 *
 * GET_CMD answers nerves_heart's status report, with vigil's hardware
 * watchdog facts from its control socket (`watchdog`, docs/CONTROL.md); the
 * guarded commands ask vigil for reboot / poweroff / halt on the same
 * socket. Each exchange is bounded (CONTROL_TIMEOUT_MS). vigil-heart never
 * kills the VM, never runs HEART_COMMAND nor another set_cmd string.
 *
 * One poll() on stdin and the SIGUSR1 (snooze) self-pipe, with the next
 * deadline as its timeout (CLOCK_MONOTONIC, milliseconds); no other timer.
 */
#include "control/control_client.h"
#include "control/control_msg.h"
#include "heart/heart_msg.h"
#include "heart/heart_state.h"
#include "os/notify_socket.h"
#include "os/unix_socket.h"

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
              "Erlang heart port program (nerves_heart's commands and status report) that\n"
              "relays the VM's heartbeats to vigil (sd_notify WATCHDOG=1 on $NOTIFY_SOCKET).\n"
              "Started by `erl -heart`, not by hand.\n"
              "  -ht SECONDS   HEART_BEAT_TIMEOUT, 10 < SECONDS <= 65535 (default 60)\n"
              "  -pid PID      the VM's pid (accepted; vigil-heart never kills it)\n"
              "  --help, --version\n",
              f);
}

/* ---------------------------------------------------------------- vigil's control socket */

#define CONTROL_TIMEOUT_MS 1000

/* As vigilctl finds it (control/control_places.h): $VIGIL_RUNTIME_DIR or
 * /run/vigil, then $XDG_RUNTIME_DIR/vigil, then the abstract name. */
static const char *control_address(void) {
        static char path[256];
        control_client_default_address(path, sizeof(path));
        return path;
}

/* One request (a verb without arguments), bounded: the reply's code and
 * text, the body in *ret_reply's buffer (the caller frees *ret_reply), or
 * -errno. */
static int ask_vigil(const char *verb, int *ret_code, const char **ret_text, char **ret_reply, char **ret_body) {
        char request[64];
        snprintf(request, sizeof(request), CONTROL_VERSION " %s\n", verb);
        int fd;
        int r = os_stream_connect_timeout(control_address(), CONTROL_TIMEOUT_MS, &fd);
        if (r < 0)
                return r;
        r = control_client_call(fd, request, ret_reply, ret_body);
        if (r < 0)
                return r;
        if (control_reply_parse_header(*ret_reply, ret_code, ret_text) < 0) {
                free(*ret_reply);
                *ret_reply = NULL;
                return -EPROTO;
        }
        return 0;
}

/* vigil's hardware watchdog, for the status report. */
static void watchdog_facts(struct heart_wdt *w) {
        int code;
        const char *text;
        char *reply, *body;
        int r = ask_vigil("watchdog", &code, &text, &reply, &body);
        if (r < 0) {
                heart_wdt_init(w, "unknown");
                if (debug_on)
                        say("cannot ask vigil for its watchdog at %s: %s", control_address(), strerror(-r));
                return;
        }
        /* "no hardware watchdog (...)": none configured; "no hardware
         * watchdog: why": a device vigil cannot use. */
        const char *state = "unknown";
        if (code != CONTROL_OK && strncmp(text, "no hardware watchdog", 20) == 0)
                state = text[20] == ':' ? "unavailable" : "off";
        heart_wdt_init(w, state);
        for (char *line = body, *next; code == CONTROL_OK && line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *f[2];
                if (control_split_fields(line, f, 2) == 2)
                        heart_wdt_set(w, f[0], f[1]);
        }
        free(reply);
}

/* A guarded or immediate command: vigil's ordered, bounded shutdown. If
 * vigil cannot be asked, the guard (petting has stopped) still ends the
 * unit within HEART_BEAT_TIMEOUT. */
static void request_shutdown(const char *verb, unsigned timeout_s) {
        int code;
        const char *text;
        char *reply, *body;
        int r = ask_vigil(verb, &code, &text, &reply, &body);
        if (r == 0 && code == CONTROL_OK)
                say("asked vigil to %s; no longer petting the watchdog", verb);
        else if (r == 0)
                say("vigil refused to %s: %s; no longer petting the watchdog: the unit's watchdog fires in %u s", verb,
                    text, timeout_s);
        else
                say("cannot ask vigil to %s (%s: %s); no longer petting the watchdog: the unit's watchdog fires in %u s",
                    verb, control_address(), strerror(-r), timeout_s);
        if (r == 0)
                free(reply);
}

/* ---------------------------------------------------------------- SIGUSR1: snooze */

static int snooze_pipe[2] = { -1, -1 };

static void on_sigusr1(int sig) {
        (void)sig;
        int e = errno;
        if (write(snooze_pipe[1], "s", 1) < 0) {
                /* full: a snooze is already pending */
        }
        errno = e;
}

static int snooze_signal_setup(void) {
        if (pipe2(snooze_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        signal(SIGUSR1, on_sigusr1);
        return 0;
}

static bool snooze_signalled(void) {
        char buf[64];
        bool got = false;
        while (read(snooze_pipe[0], buf, sizeof(buf)) > 0)
                got = true;
        return got;
}

/* ---------------------------------------------------------------- the loop */

enum reason { R_CONTINUE, R_TIMEOUT, R_CLOSED, R_ERROR, R_SHUT_DOWN, R_CRASHING };

static void pet(struct heart_state *st, uint64_t now) {
        notify("WATCHDOG=1");
        heart_state_petted(st, now);
}

static int write_ack(void) {
        uint8_t ack[3];
        heart_encode(HEART_OP_ACK, NULL, 0, ack, sizeof(ack));
        return write_all(OUT_FD, ack, sizeof(ack));
}

static void snooze(struct heart_state *st, const char *how) {
        uint64_t now = now_ms();
        say("snoozing (%s): the heartbeat deadline is 15 min + %llu s away", how,
            (unsigned long long)st->timeout_ms / 1000);
        if (heart_state_snooze(st, now))
                pet(st, now);
}

static void ignored_command(const struct heart_frame *f) {
        char shown[81];  /* one log line: control bytes shown as '?' */
        size_t n = f->payload_len < sizeof(shown) - 1 ? f->payload_len : sizeof(shown) - 1;
        for (size_t i = 0; i < n; i++)
                shown[i] = f->payload[i] < 0x20 || f->payload[i] == 0x7f ? '?' : (char)f->payload[i];
        shown[n] = '\0';
        say("set_cmd \"%s\" ignored: not a nerves_heart command (vigil-heart runs no command)", shown);
}

/* SET_CMD: nerves_heart's commands; anything else is acknowledged only. */
static enum reason set_cmd(struct heart_state *st, const struct heart_frame *f) {
        enum heart_cmd c = heart_cmd_parse(f->payload, f->payload_len);
        uint64_t now = now_ms();
        bool was_off = st->pets_off;
        if (c == HEART_CMD_SNOOZE)
                snooze(st, "set_cmd");
        else if (heart_state_command(st, now, c))
                pet(st, now);  /* the last pet of a guarded command */
        if (c == HEART_CMD_OTHER)
                ignored_command(f);
        else if (heart_cmd_shutdown_verb(c))
                request_shutdown(heart_cmd_shutdown_verb(c), (unsigned)(st->timeout_ms / 1000));
        else if (c == HEART_CMD_DISABLE_HW && !was_off)
                say("disable_hw: no longer petting the watchdog; the unit's watchdog fires in %llu s",
                    (unsigned long long)st->timeout_ms / 1000);
        else if (c == HEART_CMD_INIT_HANDSHAKE)
                say("init handshake received");
        else if (c == HEART_CMD_DISABLE_VM)
                say("disable_vm: acting as if the heartbeat timed out");
        if (write_ack() < 0) {
                say("write: %s", strerror(errno));
                return R_ERROR;
        }
        return c == HEART_CMD_DISABLE_VM ? R_TIMEOUT : R_CONTINUE;
}

static enum reason get_cmd(const struct heart_state *st) {
        static char report[HEART_CMD_MAX + 1];
        static uint8_t frame[HEART_FRAME_MAX];
        struct heart_wdt w;
        watchdog_facts(&w);
        size_t len = heart_status_format(st, now_ms(), &w, report, sizeof(report));
        int n = heart_encode(HEART_OP_CMD, report, len, frame, sizeof(frame));
        if (n < 0 || write_all(OUT_FD, frame, (size_t)n) < 0) {
                say("write: %s", strerror(n < 0 ? -n : errno));
                return R_ERROR;
        }
        return R_CONTINUE;
}

static enum reason handle_frame(struct heart_state *st, const struct heart_frame *f) {
        enum heart_verdict v = heart_frame_verdict(f);
        if (debug_on)
                say("frame len %zu op %u -> %d", f->len, f->op, (int)v);
        switch (v) {
        case HEART_BEAT: {
                uint64_t now = now_ms();
                if (heart_state_beat(st, now))
                        pet(st, now);
                return R_CONTINUE;
        }
        case HEART_SET_CMD:
                return set_cmd(st, f);
        case HEART_CLEAR_CMD:
                if (write_ack() < 0) {
                        say("write: %s", strerror(errno));
                        return R_ERROR;
                }
                return R_CONTINUE;
        case HEART_GET_CMD:
                return get_cmd(st);
        case HEART_SHUT_DOWN:
                return R_SHUT_DOWN;
        case HEART_CRASHING:
                return R_CRASHING;
        case HEART_IGNORE:
                break;
        }
        return R_CONTINUE;
}

/* What is due now: a pet (handled), a miss (the loop ends), or nothing. */
static enum reason check_due(struct heart_state *st) {
        for (;;) {
                uint64_t now = now_ms();
                switch (heart_state_due(st, now)) {
                case HEART_DUE_BEAT_MISSED:
                        say("heart-beat time-out: no beat for %llu s", (unsigned long long)st->timeout_ms / 1000);
                        return R_TIMEOUT;
                case HEART_DUE_NO_HANDSHAKE:
                        say("init handshake never happened: not received in %u s (HEART_INIT_TIMEOUT)",
                            st->handshake_timeout_s);
                        return R_TIMEOUT;
                case HEART_DUE_PET:
                        pet(st, now);
                        continue;
                case HEART_DUE_NOTHING:
                        return R_CONTINUE;
                }
        }
}

static enum reason read_frames(struct heart_state *st, struct heart_reader *rd) {
        uint8_t buf[4096];
        ssize_t n = read(IN_FD, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return R_CONTINUE;
        if (n < 0) {
                say("read: %s", strerror(errno));
                return R_ERROR;
        }
        if (n == 0) {
                say("Erlang has closed the port%s", heart_reader_idle(rd) ? "" : " in mid-message");
                return R_CLOSED;
        }
        for (size_t off = 0; off < (size_t)n;) {
                struct heart_frame f;
                size_t used;
                int got = heart_reader_feed(rd, buf + off, (size_t)n - off, &used, &f);
                off += used;
                if (!got)
                        break;
                enum reason why = handle_frame(st, &f);
                if (why != R_CONTINUE)
                        return why;
        }
        return R_CONTINUE;
}

/* The message loop: returns why it ended. */
static enum reason run(struct heart_state *st) {
        struct heart_reader rd;
        heart_reader_init(&rd);
        for (;;) {
                enum reason why = check_due(st);
                if (why != R_CONTINUE)
                        return why;
                struct pollfd p[2] = { { .fd = IN_FD, .events = POLLIN }, { .fd = snooze_pipe[0], .events = POLLIN } };
                uint64_t wait = heart_state_wait_ms(st, now_ms());
                int r = poll(p, 2, wait > INT32_MAX ? INT32_MAX : (int)wait);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        say("poll: %s", strerror(errno));
                        return R_ERROR;
                }
                if (p[1].revents && snooze_signalled())
                        snooze(st, "SIGUSR1");
                if (p[0].revents && (why = read_frames(st, &rd)) != R_CONTINUE)
                        return why;
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

/* Arguments as OTP's heart reads them: a bad or out-of-range value is
 * ignored (the default stays) and unknown words are skipped. */
static unsigned parse_arguments(int argc, char **argv) {
        unsigned timeout_s = HEART_TIMEOUT_DEFAULT;
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
        return timeout_s;
}

/* How the loop's end is told to vigil; the exit status. */
static int finish(enum reason why, const struct heart_state *st) {
        if (why == R_SHUT_DOWN && st->pets_off) {
                /* Petting stopped (disable_hw, a guarded command): the
                 * unit's watchdog stays armed, the guard of the shutdown. */
                say("shut down with petting stopped: the unit's watchdog stays armed");
                return 0;
        }
        if (why == R_SHUT_DOWN) {
                notify_last("WATCHDOG_USEC=0");
                return 0;
        }
        if (why == R_CRASHING)
                wait_for_crash_dump();
        if (notify_address) {
                notify_last("WATCHDOG=trigger");
                say("told vigil: WATCHDOG=trigger");
        } else {
                say("Would reboot. Terminating.");
        }
        return 1;
}

int main(int argc, char **argv) {
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
        unsigned timeout_s = parse_arguments(argc, argv);
        /* The VM may close the port while a reply is written: an error, not a signal. */
        signal(SIGPIPE, SIG_IGN);
        if (snooze_signal_setup() < 0)
                say("cannot set up SIGUSR1 (snooze): %s", strerror(errno));

        notify_address = getenv("NOTIFY_SOCKET");
        if (notify_address && !notify_address[0])
                notify_address = NULL;

        if (write_ack() < 0) {
                say("cannot write the start-up ACK: %s", strerror(errno));
                return 1;
        }
        struct heart_state st;
        heart_state_init(&st, now_ms(), timeout_s, getenv("HEART_INIT_TIMEOUT"), getenv("HEART_INIT_GRACE_TIME"));
        if (notify_address) {
                char msg[64];
                snprintf(msg, sizeof(msg), "WATCHDOG_USEC=%" PRIu64, (uint64_t)timeout_s * 1000000);
                notify(msg);
                pet(&st, now_ms());  /* nerves_heart pets on start */
        } else {
                say("NOTIFY_SOCKET is not set: beats go nowhere and a missed beat only ends vigil-heart");
        }
        if (debug_on)
                say("heart-beat timeout %u s, pet interval %llu ms, init handshake %u s, grace %llu ms, "
                    "NOTIFY_SOCKET=%s",
                    timeout_s, (unsigned long long)st.pet_interval_ms, st.handshake_timeout_s,
                    (unsigned long long)(st.grace_end_ms - st.last_pet_ms), notify_address ? notify_address : "(none)");
        return finish(run(&st), &st);
}
