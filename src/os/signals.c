/* SPDX-License-Identifier: MIT */
#include "os/signals.h"

#include "base/exit_status.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Only KILL and STOP cannot be caught; TTOU is ignored instead (below).
 * The fault signals are blocked too: a real fault (SEGV from a bug, abort())
 * is forced through a blocked mask by the kernel and still kills vigil
 * visibly, while a user's asynchronous `kill -SEGV 1` only reaches the
 * signalfd, where the supervisor refuses to forward it (SPEC §2) — PID 1
 * must not die of a stray signal. */
typedef uint64_t kernel_sigset;
#define KSIG(sig) ((kernel_sigset)1 << ((sig) - 1))
#define KERNEL_NSIG 64

static int is_uncaught(int sig) {
        return sig == SIGKILL || sig == SIGSTOP || sig == SIGTTOU;
}

int os_signal_is_caught(int sig) {
        return sig > 0 && sig <= KERNEL_NSIG && !is_uncaught(sig);
}

/* Signal sets are built as the kernel's 64-bit mask and installed with the
 * raw rt_sigprocmask/signalfd4 calls: the libcs' sigaddset() refuses the
 * signals they reserve for threads (glibc 32-33, musl 32-34), which would
 * leave them unblocked — a `kill -34` would then kill a musl-built vigil.
 * vigil has no threads, so it may take them over. */

/* Dispositions that survive exec: only SIG_IGN does (handlers reset to the
 * default). Recorded once here, so a child resets just these instead of
 * making one sigaction() call per signal; and the forwarding handler's, so
 * that a signal between the child's unblocking and its exec is the child's
 * (the handler would forward it to the main command). */
static kernel_sigset ignored_at_start;
static kernel_sigset blocked;         /* the mask os_signals_take_over() set */
static kernel_sigset fwd_installed;   /* signals with the forwarding handler */
static int signal_fd = -1;
static kernel_sigset signal_fd_mask;  /* what the signalfd reports */

void os_signals_reset_for_child(void) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig <= KERNEL_NSIG; sig++)
                if ((ignored_at_start | fwd_installed) & KSIG(sig))
                        (void)sigaction(sig, &dfl, NULL);
}

int os_signals_set_mask_empty(void) {
        kernel_sigset none = 0;
        return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none)) < 0 ? -errno : 0;
}

int os_signals_take_over(void) {
        kernel_sigset set = 0;
        ignored_at_start = 0;
        for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
                struct sigaction old;
                if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &old) == 0 &&
                    old.sa_handler == SIG_IGN)
                        ignored_at_start |= KSIG(sig);
                if (!is_uncaught(sig))
                        set |= KSIG(sig);
        }
        ignored_at_start |= KSIG(SIGTTOU); /* vigil ignores it below */

        /* Ignored, not blocked: a blocked signal is never ignored by the
         * kernel, and vigil must be able to write to a terminal it no longer
         * owns in the foreground. */
        struct sigaction ign;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        if (sigaction(SIGTTOU, &ign, NULL) < 0)
                return -errno;
        if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, sizeof(set)) < 0)
                return -errno;
        blocked = set;
        long fd = syscall(SYS_signalfd4, -1, &set, sizeof(set), SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        signal_fd = (int)fd;
        signal_fd_mask = set;
        return (int)fd;
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

/* ------------------------------------------------------- fast forwarding */

/* Written only outside the wait (os_fwd_arm) and read by the handler, which
 * runs only inside it: no race. The ring is written only by the handler and
 * read only after the wait. */
static volatile sig_atomic_t fwd_target, fwd_self;
static kernel_sigset fwd_mask, fwd_want;
static struct {
        volatile sig_atomic_t signo, code, sender, verdict, result;
} fwd_ring[OS_FWD_RING];
static volatile sig_atomic_t fwd_len, fwd_lost;

static int is_fault(int sig) {
        return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT ||
               sig == SIGTRAP || sig == SIGSYS;
}

#define FWD_WARM_VALUE 0x76696769 /* "vigi" */
static volatile sig_atomic_t fwd_warm_pid;

/* Async-signal-safe: a pure decision, one kill(), plain stores. */
static void fwd_handler(int sig, siginfo_t *si, void *uc) {
        (void)uc;
        int saved = errno;
        if (si->si_code == SI_QUEUE && si->si_pid == fwd_warm_pid && fwd_warm_pid != 0 &&
            si->si_value.sival_int == FWD_WARM_VALUE) {
                (void)kill(si->si_pid, 0); /* binds and touches kill(), sends nothing */
                errno = saved;
                return;
        }
        pid_t target = (pid_t)fwd_target;
        enum forward_verdict v = forward_decide(sig, si->si_code, si->si_pid, (pid_t)fwd_self);
        int result = 0;
        if (v == FORWARD_YES && target != 0)
                result = kill(target, sig) < 0 ? -errno : 0;
        int i = fwd_len;
        if (i < OS_FWD_RING) {
                fwd_ring[i].signo = sig;
                fwd_ring[i].code = si->si_code;
                fwd_ring[i].sender = si->si_pid;
                fwd_ring[i].verdict = v;
                fwd_ring[i].result = result;
                fwd_len = i + 1;
        } else {
                fwd_lost = fwd_lost + 1;
        }
        errno = saved;
}

uint64_t os_fwd_install(void) {
        if (fwd_installed)
                return fwd_installed;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = fwd_handler;
        sa.sa_flags = SA_SIGINFO;
        sigfillset(&sa.sa_mask); /* one handler per wait, never nested */
        for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
                if (!(blocked & KSIG(sig)) || sig == SIGCHLD || is_fault(sig))
                        continue;
                /* The libc refuses the signals it reserves (EINVAL): those
                 * stay on the signalfd path. */
                if (sigaction(sig, &sa, NULL) == 0)
                        fwd_installed |= KSIG(sig);
        }
        /* musl unblocks the signals it reserves the first time a handler is
         * installed: block them again, or a `kill -34` would kill vigil. */
        if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &blocked, NULL, sizeof(blocked)) < 0)
                fwd_installed = 0; /* cannot happen (valid arguments); take nothing then */
        return fwd_installed;
}

/* The signalfd must not report what the handler takes: a signal arriving
 * in the wait wakes the signalfd's waiters, and epoll returns a ready fd
 * before it looks at pending signals, so the handler would never run. One
 * signalfd4() when the set changes (the main command's start and end, the
 * drain's), none per turn. */
static int signal_fd_set(kernel_sigset mask) {
        if (mask == signal_fd_mask)
                return 0;
        if (syscall(SYS_signalfd4, signal_fd, &mask, sizeof(mask), 0) < 0)
                return -errno;
        signal_fd_mask = mask;
        return 0;
}

/* Once, at the first arming: one real delivery of an armed signal to vigil
 * itself, sent nowhere, so the handler's and forward_decide()'s code, kill()'s
 * binding and the stack pages a signal frame takes are touched now, not at
 * the first signal a user sends (a fresh vigil's first forwarding paid for
 * them). A real signal caught in this window is forwarded as in the wait. */
static void fwd_warm(kernel_sigset want) {
        static bool done;
        if (done)
                return;
        done = true;
        int sig = KERNEL_NSIG;
        while (sig > 0 && !(want & KSIG(sig)))
                sig--;
        pid_t pid = getpid();
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        si.si_signo = sig;
        si.si_code = SI_QUEUE;
        si.si_pid = pid;
        si.si_uid = getuid();
        si.si_value.sival_int = FWD_WARM_VALUE;
        fwd_warm_pid = pid;
        kernel_sigset open_one = blocked & ~KSIG(sig);
        /* Failures only leave the path cold: nothing to report. */
        if (syscall(SYS_rt_tgsigqueueinfo, pid, (pid_t)syscall(SYS_gettid), sig, &si) == 0 &&
            syscall(SYS_rt_sigprocmask, SIG_SETMASK, &open_one, NULL, sizeof(open_one)) == 0)
                (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &blocked, NULL, sizeof(blocked));
        fwd_warm_pid = 0;
}

const uint64_t *os_fwd_arm(pid_t target, pid_t self, uint64_t want) {
        want &= fwd_installed;
        if (target == 0 || signal_fd < 0)
                want = 0;
        if (signal_fd_set(blocked & ~want) < 0) {
                /* Cannot split the set: everything stays on the signalfd. */
                fwd_target = 0;
                return NULL;
        }
        if (want == 0) {
                fwd_target = 0;
                return NULL;
        }
        fwd_target = target;
        fwd_self = self;
        fwd_want = want;
        fwd_mask = blocked & ~want;
        fwd_warm(want);
        return &fwd_mask;
}

int os_fwd_take_pending(struct signal_event *ret, int max) {
        if (fwd_target == 0)
                return 0;
        struct timespec zero = { 0, 0 };
        int n = 0;
        while (n < max) {
                siginfo_t si;
                long sig = syscall(SYS_rt_sigtimedwait, &fwd_want, &si, &zero, sizeof(fwd_want));
                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        return n > 0 || errno == EAGAIN ? n : -errno;
                }
                ret[n].signo = (int)sig;
                ret[n].code = si.si_code;
                ret[n].sender = si.si_pid;
                n++;
        }
        return n;
}

int os_fwd_drain(struct os_fwd_record ret[OS_FWD_RING], unsigned *lost) {
        int n = fwd_len;
        for (int i = 0; i < n; i++) {
                ret[i].ev.signo = fwd_ring[i].signo;
                ret[i].ev.code = fwd_ring[i].code;
                ret[i].ev.sender = (pid_t)fwd_ring[i].sender;
                ret[i].verdict = fwd_ring[i].verdict;
                ret[i].result = fwd_ring[i].result;
        }
        fwd_len = 0;
        *lost = (unsigned)fwd_lost;
        fwd_lost = 0;
        return n;
}
