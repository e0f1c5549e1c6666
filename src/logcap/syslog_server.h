/* SPDX-License-Identifier: MIT */
/*
 * The /dev/log receiver: a SOCK_DGRAM Unix socket with SO_PASSCRED (the
 * notify socket's kind, os/notify_socket.h) where syslog(3), logger(1) and
 * language runtimes send their lines. Each datagram is parsed
 * (logcap/syslog_msg.h) and attributed to a unit by the sender's
 * kernel-stamped pid (syslog_attribute_fn: supervise/proc_index.h's rule,
 * as for sd_notify), then goes where that unit's stdout lines go: its
 * ring (`vigilctl log`, its JSON) and vigil's stdout under the unit's
 * name, as "TAG: MESSAGE" (the tag as the sender wrote it, e.g. "CRON",
 * "postfix/smtpd"; the message alone when it has none).
 *
 * Unattributed senders (a process of no unit: the main command, a shell
 * in the container, a pid from another namespace) are not dropped: their
 * lines go to vigil's stdout under the pseudo-source "syslog" and are
 * counted, but kept in no unit's ring. Malformed datagrams (syslog_msg.h)
 * are dropped, counted, and logged at the 1st, 2nd, 4th, 8th... so a flood
 * of garbage costs a few lines. A bounded batch is read per wake-up, so a
 * flood cannot starve the other events; a flood's lines beyond what stdout
 * takes are dropped from stdout by logcap/output.c (one notice), still
 * kept in the ring.
 *
 * Attribution needs the sender alive when its datagram is read (or a
 * process vigil reaps itself: what it sent is read before its exit is
 * handled); a short-lived grandchild that is gone by then is unattributed,
 * as for sd_notify.
 *
 * Where: --syslog-socket PATH, "none" off; by default /dev/log when vigil
 * is PID 1 (container or system mode) and nobody listens there (a live
 * socket there, e.g. a syslog daemon's or journald's, is left alone: one
 * info line). The socket file is removed at exit. When a unit is the
 * syslog daemon (manager_syslog_daemon(): rsyslog's Alias=syslog.service),
 * at boot or loaded later, vigil receives only until that unit is up (the
 * lines of daemons started before it are kept), then closes its socket
 * and leaves the path to the daemon (syslog_server_hand_over()).
 */
#ifndef VIGIL_LOGCAP_SYSLOG_SERVER_H
#define VIGIL_LOGCAP_SYSLOG_SERVER_H

#include "logcap/log_ring.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct syslog_stats {
        uint64_t received, attributed, unattributed, malformed;
};

/* The supervisor side: pid's unit's ring and ident (its stdout lines'
 * name), or false when pid is no unit's. */
typedef bool (*syslog_attribute_fn)(pid_t pid, struct log_ring **ret_ring, const char **ret_ident);

/* Bind address ("/path"). 0, -EADDRINUSE when a live socket is there (not
 * logged: the caller decides), or -errno (logged). */
int syslog_server_open(const char *address, syslog_attribute_fn attribute);
const char *syslog_server_address(void);
const struct syslog_stats *syslog_server_stats(void);
/* Read what is queued (bounded), e.g. before reaping: a line sent just
 * before the sender exits is still attributed. */
void syslog_server_drain(void);
/* The syslog daemon's handover: unit (a name) binds the path itself
 * (rsyslog's imuxsock unlinks what is there). Until it is up vigil keeps
 * the lines; then syslog_server_release(): the socket closed, the path
 * left as it is (the daemon's). handover(): the unit, while open. */
int syslog_server_hand_over(const char *unit);
const char *syslog_server_handover(void);
void syslog_server_release(void);
void syslog_server_close(void);

#endif
