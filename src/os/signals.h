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

#endif
