/* SPDX-License-Identifier: MIT */
#include "os/signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* Only KILL and STOP cannot be caught; TTOU is ignored instead (below).
 * The fault signals are blocked too: a real fault (SEGV from a bug, abort())
 * is forced through a blocked mask by the kernel and still kills vigil
 * visibly, while a user's asynchronous `kill -SEGV 1` only reaches the
 * signalfd, where the supervisor refuses to forward it (SPEC §2) — PID 1
 * must not die of a stray signal. */
static int is_uncaught(int sig) {
        return sig == SIGKILL || sig == SIGSTOP || sig == SIGTTOU;
}

int os_signal_is_caught(int sig) {
        return sig > 0 && sig < _NSIG && !is_uncaught(sig);
}

/* Dispositions that survive exec: only SIG_IGN does (handlers reset to the
 * default). Recorded once here, so a child resets just these instead of
 * making one sigaction() call per signal. */
static sigset_t ignored_at_start;

void os_signals_reset_for_child(void) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < _NSIG; sig++)
                if (sigismember(&ignored_at_start, sig) == 1)
                        (void)sigaction(sig, &dfl, NULL);
}

int os_signals_take_over(void) {
        sigset_t set;
        sigemptyset(&ignored_at_start);
        for (int sig = 1; sig < _NSIG; sig++) {
                struct sigaction old;
                if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &old) == 0 &&
                    old.sa_handler == SIG_IGN)
                        (void)sigaddset(&ignored_at_start, sig);
        }
        (void)sigaddset(&ignored_at_start, SIGTTOU); /* vigil ignores it below */
        sigemptyset(&set);
        for (int sig = 1; sig < _NSIG; sig++)
                if (!is_uncaught(sig))
                        (void)sigaddset(&set, sig); /* EINVAL for libc-reserved 32/33 */

        /* Ignored, not blocked: a blocked signal is never ignored by the
         * kernel, and vigil must be able to write to a terminal it no longer
         * owns in the foreground. */
        struct sigaction ign;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        if (sigaction(SIGTTOU, &ign, NULL) < 0)
                return -errno;
        if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
                return -errno;
        int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

int os_signals_read(int fd, struct signal_event *ret, int max) {
        struct signalfd_siginfo info[16];
        if (max > 16)
                max = 16;
        ssize_t n;
        do
                n = read(fd, info, sizeof(info[0]) * (size_t)max);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        int count = (int)((size_t)n / sizeof(info[0]));
        for (int i = 0; i < count; i++) {
                ret[i].signo = (int)info[i].ssi_signo;
                ret[i].code = info[i].ssi_code;
                ret[i].sender = (pid_t)info[i].ssi_pid;
        }
        return count;
}
