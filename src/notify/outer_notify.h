/* SPDX-License-Identifier: MIT */
/*
 * vigil as a client of the manager that started it (podman
 * --sdnotify=container, a systemd unit with Type=notify): when vigil
 * inherits NOTIFY_SOCKET ("/path" or "@abstract", as sd_notify(3) allows)
 * it sends READY=1 once the boot is complete, STATUS= summaries,
 * STOPPING=1 when the stop begins, and WATCHDOG=1 from a loop timer at half
 * of an inherited WATCHDOG_USEC (only when WATCHDOG_PID is unset or is
 * vigil's pid as vigil sees itself; in a PID namespace of its own that is
 * 1). Every datagram is sent without blocking from one client socket kept
 * for the run (opened at the first send; a failure of the socket itself,
 * not of the receiver, closes it, and the datagram is tried once more
 * from a fresh one); a
 * missing or full outer socket is one warning until a send works again,
 * and vigil runs on. A READY=1 or STOPPING=1 that did not get through is
 * sent again every second, for a minute at most (a ping is not: the next
 * one follows anyway). The inherited variables are read once at
 * outer_notify_init(); what units and the main command see is
 * unit/spawn_build.c's business (it drops them).
 */
#ifndef VIGIL_NOTIFY_OUTER_NOTIFY_H
#define VIGIL_NOTIFY_OUTER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What vigil inherited (NULL: unset). */
struct outer_notify_env {
        const char *notify_socket;   /* $NOTIFY_SOCKET */
        const char *watchdog_usec;   /* $WATCHDOG_USEC */
        const char *watchdog_pid;    /* $WATCHDOG_PID */
};

/* The watchdog rule, pure: the ping interval (half of WATCHDOG_USEC), or 0
 * when there is none to send: unset, not a positive number, infinity (any
 * value above 2^62), or
 * WATCHDOG_PID given and not self. */
uint64_t outer_notify_watchdog_interval(const struct outer_notify_env *env, pid_t self);

/* Take the address and arm the watchdog timer (the loop must exist).
 * Without NOTIFY_SOCKET every call below does nothing. 0 or -errno (the
 * timer could not be armed: logged, the rest works). */
int outer_notify_init(const struct outer_notify_env *env, pid_t self);
/* Whether READY=1 is still to be sent (an outer manager, neither READY=1
 * nor STOPPING=1 sent yet): the supervisor checks the boot only then. */
bool outer_notify_wants_ready(void);

/* READY=1 with STATUS=status, once; later calls send nothing. */
void outer_notify_ready(const char *status);
/* STOPPING=1 with STATUS=status, once. */
void outer_notify_stopping(const char *status);

void outer_notify_free(void);

#endif
