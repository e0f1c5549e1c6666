/* SPDX-License-Identifier: MIT */
/*
 * The sd_notify server (SPEC §5): one datagram socket for every unit,
 * passed as NOTIFY_SOCKET. Each datagram is parsed (notify/notify_msg.h),
 * and handed with the sender's SCM_CREDENTIALS pid to the supervisor side
 * (notify_deliver_fn: supervise/proc_index.h attributes it to a unit,
 * unit_notify() applies NotifyAccess= and the message).
 * Whatever cannot be attributed, is not allowed, or is malformed is dropped
 * and counted, never acted on; fds passed along are always closed (that
 * close is BARRIER=1's answer).
 *
 * A bounded batch is read per wake-up, so a flood cannot starve the other
 * events. notify_server_drain() reads everything queued: the supervisor
 * calls it before reaping, so "READY=1 then exit" is seen while the sender
 * is still known (systemd gives its notify socket priority for the same
 * reason).
 */
#ifndef VIGIL_NOTIFY_NOTIFY_SERVER_H
#define VIGIL_NOTIFY_NOTIFY_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct notify_stats {
        uint64_t received;       /* datagrams read */
        uint64_t accepted;       /* acted on */
        uint64_t malformed;      /* too long, empty, NUL bytes */
        uint64_t unattributed;   /* no credentials, or not a process of any unit */
        uint64_t unauthorised;   /* a unit's process that NotifyAccess= does not allow */
};

struct notify_msg;

/* What became of a datagram, as the supervisor side tells it. */
enum notify_verdict {
        NOTIFY_ACCEPTED,
        NOTIFY_UNATTRIBUTED,   /* not a process of any unit */
        NOTIFY_UNAUTHORISED,   /* a unit's process that NotifyAccess= does not allow */
};
/* The supervisor side (attribution, NotifyAccess=, the unit's reaction):
 * the server knows no units. why: the reason for NOTIFY_UNAUTHORISED;
 * *ret_unit: the unit's name for the debug line of an accepted one. */
typedef enum notify_verdict (*notify_deliver_fn)(pid_t pid, const struct notify_msg *msg, char *why,
                                                 size_t why_size, const char **ret_unit);

/* Bind address ("/path" or "@name"). 0, or -errno (logged). */
int notify_server_open(const char *address, notify_deliver_fn deliver);
/* The NOTIFY_SOCKET value, or NULL when there is no socket. */
const char *notify_server_address(void);
void notify_server_drain(void);
const struct notify_stats *notify_server_stats(void);
/* Close the socket and remove its file. */
void notify_server_close(void);

#endif
