/* SPDX-License-Identifier: MIT */
/* Signal masks, dispositions and the signalfd. Returns 0/fd or -errno. */
#ifndef VIGIL_OS_SIGNALS_H
#define VIGIL_OS_SIGNALS_H

#include <stdint.h>
#include <sys/types.h>

/* One received signal, as vigil needs it. */
struct signal_event {
        int signo;
        int code;        /* si_code: SI_USER, SI_KERNEL, ... */
        pid_t sender;    /* 0 when the sender is outside our PID namespace */
};

/* Block every signal that can be caught except SIGTTOU (asynchronous fault
 * signals included; real faults are forced through), set SIGTTOU to ignored, and open a CLOEXEC|NONBLOCK signalfd
 * for the blocked set. Returns the fd. */
int os_signals_take_over(void);
/* In a child before exec: every disposition back to default (only the
 * ignored ones need it; see os_signals_take_over). */
void os_signals_reset_for_child(void);
/* Unblock every signal, reserved ones included. */
int os_signals_set_mask_empty(void);
/* Read up to max events; 0 when none are pending. */
int os_signals_read(int fd, struct signal_event *ret, int max);
/* Whether vigil catches (and so may forward) this signal. */
int os_signal_is_caught(int sig);

/*
 * Fast forwarding (docs/DESIGN.md "Signal forwarding"). An SA_SIGINFO
 * handler on each signal that may be forwarded as it is (not SIGCHLD, not
 * the fault signals, not SIGTTOU, not a libc-reserved one). Those signals
 * stay blocked like every other: the handler runs only inside the loop's
 * epoll_pwait(), whose mask unblocks exactly the set armed for that wait, so
 * it never interrupts vigil's own code. It asks forward_decide() (pure),
 * forwards with one kill() and records the event in a fixed ring the loop
 * drains after the wait; its sa_mask blocks everything, so at most one
 * handler runs per wait and never nested. A signal not taken by the handler
 * stays pending and is read from the signalfd as before: each pending
 * signal is dequeued once, by one path or the other.
 */
struct os_fwd_record {
        struct signal_event ev;
        int verdict;     /* enum forward_verdict */
        int result;      /* kill()'s: 0 or -errno; 0 when not forwarded */
};
/* Install the handler once (idempotent). Returns the set it is installed
 * on as a kernel mask (bit sig-1), or 0 when none could be. */
uint64_t os_fwd_install(void);
/* For the next wait: the handler sends to target (kill(target): negative
 * for a process group; 0 takes nothing) the signals of want that have the
 * handler; self is vigil's pid for forward_decide(). Returns the signal mask
 * for the wait, or NULL when the handler takes nothing (a plain wait). Must
 * not be called inside the wait (it never is: the loop calls it before). */
const uint64_t *os_fwd_arm(pid_t target, pid_t self, uint64_t want);
/* A wait that returned events returned before any handler could run (epoll
 * looks at ready fds first), and the signalfd does not report the armed
 * set: dequeue what of it is pending now (sigtimedwait, no wait), up to max,
 * so a busy loop cannot starve it. 0 when none (or nothing is armed). */
int os_fwd_take_pending(struct signal_event *ret, int max);
/* Move the records the handler made into ret, oldest first; *lost gets
 * how many it could not record since the last call (a full ring: they were
 * still forwarded). Only after the wait. */
#define OS_FWD_RING 8
int os_fwd_drain(struct os_fwd_record ret[OS_FWD_RING], unsigned *lost);

#endif
