/* SPDX-License-Identifier: MIT */
/*
 * sdclient: an sd_notify client linked with libsystemd, for the integration
 * tests of vigil's notify socket (tests/integ/test_notify_*.py).
 *
 *   sdclient [-s TEXT | -m]... [-p MS] [-b] [-d MS] [-k] LOG
 *
 * Appends "KEY=VALUE" lines to LOG (each written whole, with O_APPEND):
 *   pid=PID  notify_socket=...  watchdog_usec=...  watchdog_pid=...
 *   (each "-" when unset), then
 *   wd_enabled=R wd_usec=U      sd_watchdog_enabled(0, &U) (R < 0: -errno)
 * then "send_at=SECONDS" (the realtime clock, as `date +%s.%N`) and, per -s
 * TEXT in order, sd_notify(0, TEXT) ("\n" in TEXT is a newline) and "sent=R"
 * with its result (-m: "MAINPID=" with the client's own pid); with -b,
 * sd_notify_barrier(0, 5 s) and "barrier=R ms=T" (its result and how long it
 * took). -d MS waits that long before the first send. Then:
 *   -p MS   ping WATCHDOG=1 every MS ms, appending "ping=R" lines, forever;
 *   -k      stay (pause) without pinging;
 *   else    exit 0.
 * SIGTERM ends it with status 0 (a clean stop).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#define MAX_SENDS 16

static int log_fd = -1;

static void out(const char *fmt, ...) {
        char line[4200];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n > sizeof(line) - 2)
                n = (int)sizeof(line) - 2;
        line[n++] = '\n';
        if (write(log_fd, line, (size_t)n) != n)
                exit(4);
}

static const char *env_or_dash(const char *name) {
        const char *v = getenv(name);
        return v ? v : "-";
}

/* "\n" written as two characters on a command line becomes a newline. */
static char *unescape(const char *s) {
        char *r = strdup(s), *w = r;
        if (!r)
                exit(4);
        for (; *s; s++) {
                if (s[0] == '\\' && s[1] == 'n') {
                        *w++ = '\n';
                        s++;
                } else {
                        *w++ = *s;
                }
        }
        *w = '\0';
        return r;
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void on_term(int sig) {
        (void)sig;
        _exit(0);
}

static _Noreturn void usage(void) {
        fprintf(stderr, "usage: sdclient [-s TEXT | -m]... [-p MS] [-b] [-d MS] [-k] LOG\n");
        exit(2);
}

int main(int argc, char **argv) {
        char *sends[MAX_SENDS];
        int n_sends = 0, opt;
        long ping_ms = 0, delay_ms = 0;
        int barrier = 0, stay = 0;
        while ((opt = getopt(argc, argv, "s:mp:bd:k")) != -1) {
                switch (opt) {
                case 's':
                        if (n_sends == MAX_SENDS)
                                usage();
                        sends[n_sends++] = unescape(optarg);
                        break;
                case 'm':
                        if (n_sends == MAX_SENDS || asprintf(&sends[n_sends++], "MAINPID=%d", (int)getpid()) < 0)
                                usage();
                        break;
                case 'p':
                        ping_ms = strtol(optarg, NULL, 10);
                        break;
                case 'b':
                        barrier = 1;
                        break;
                case 'd':
                        delay_ms = strtol(optarg, NULL, 10);
                        break;
                case 'k':
                        stay = 1;
                        break;
                default:
                        usage();
                }
        }
        if (optind != argc - 1)
                usage();
        log_fd = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) {
                perror(argv[optind]);
                return 3;
        }
        signal(SIGTERM, on_term);

        out("pid=%d", (int)getpid());
        out("notify_socket=%s", env_or_dash("NOTIFY_SOCKET"));
        out("watchdog_usec=%s", env_or_dash("WATCHDOG_USEC"));
        out("watchdog_pid=%s", env_or_dash("WATCHDOG_PID"));
        uint64_t usec = 0;
        int r = sd_watchdog_enabled(0, &usec);
        out("wd_enabled=%d wd_usec=%llu", r, (unsigned long long)usec);

        if (delay_ms > 0)
                sleep_ms(delay_ms);
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        out("send_at=%lld.%09ld", (long long)rt.tv_sec, rt.tv_nsec);
        for (int i = 0; i < n_sends; i++) {
                out("sent=%d", sd_notify(0, sends[i]));
                free(sends[i]);
        }
        if (barrier) {
                long long t0 = now_ms();
                r = sd_notify_barrier(0, 5 * 1000000ULL);
                out("barrier=%d ms=%lld", r, now_ms() - t0);
        }
        if (ping_ms > 0) {
                for (;;) {
                        sleep_ms(ping_ms);
                        out("ping=%d", sd_notify(0, "WATCHDOG=1"));
                }
        }
        if (stay)
                for (;;)
                        pause();
        return 0;
}
