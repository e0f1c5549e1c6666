/* SPDX-License-Identifier: MIT */
/*
 * The unit's side of sd_notify (SPEC §5) and its software watchdog:
 * NotifyAccess=, the messages as systemd's service_notify_message() reads
 * them, the WatchdogSec= deadline. Part of the unit module (it writes the
 * unit's state only through unit_feed()).
 */
#include "supervise/unit_internal.h"

#include "base/timespan.h"
#include "core/log.h"
#include "notify/notify_msg.h"
#include "os/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- sd_notify and the software watchdog */

enum notify_access unit_notify_access(const struct unit *u) {
        const struct unit_config *c = &u->config;
        if (c->notify_access_set)
                return c->notify_access;
        if (c->type == SERVICE_NOTIFY || (c->watchdog_usec != 0 && c->watchdog_usec != TIMESPAN_INFINITY))
                return NOTIFY_MAIN;
        return NOTIFY_NONE;
}

bool unit_wants_notify(const struct unit *u) {
        const struct unit_config *c = &u->config;
        return c->type == SERVICE_NOTIFY || (c->watchdog_usec != 0 && c->watchdog_usec != TIMESPAN_INFINITY) ||
               unit_notify_access(u) != NOTIFY_NONE;
}

uint64_t unit_watchdog_usec(const struct unit *u) {
        return u->watchdog_override ? u->watchdog_override_usec : u->config.watchdog_usec;
}

/* A new deadline from now (systemd's service_reset_watchdog()); off when
 * there is no timeout. One heap operation: O(log n) in the number of timers. */
void unit_watchdog_reset(struct unit *u) {
        uint64_t usec = unit_watchdog_usec(u);
        if (usec == 0 || usec == TIMESPAN_INFINITY || !unit_state_has_watchdog(u->state)) {
                loop_timer_cancel(&u->watchdog_timer);
                return;
        }
        if (loop_timer_arm_in(&u->watchdog_timer, usec) < 0)
                unit_log(LOG_LEVEL_ERROR, u, "cannot arm the watchdog timer: out of memory");
}

void unit_watchdog_fired(struct loop_timer *t) {
        struct unit *u = t->data;
        char span[32];
        u->watchdog_misses++;
        unit_log(LOG_LEVEL_WARNING, u, "watchdog timeout: no WATCHDOG=1 for %s%s%s",
                 timespan_format(unit_watchdog_usec(u), span, sizeof(span)), u->status_text ? "; last STATUS=" : "",
                 u->status_text ? u->status_text : "");
        unit_feed(u, UNIT_EV_WATCHDOG, UNIT_RESULT_KEEP);
}

static bool sender_allowed(const struct unit *u, pid_t pid, enum unit_sender sender) {
        switch (unit_notify_access(u)) {
        case NOTIFY_MAIN:
                return sender == UNIT_SENDER_MAIN && pid == u->main_pid;
        case NOTIFY_EXEC:
                return (sender == UNIT_SENDER_MAIN && pid == u->main_pid) ||
                       (sender == UNIT_SENDER_CONTROL && pid == u->control_pid);
        case NOTIFY_ALL:
                return true;  /* the caller found pid among the unit's processes */
        default:
                return false;
        }
}

/* EXTEND_TIMEOUT_USEC=: the running start/stop timer (and the watchdog)
 * fire no sooner than usec from now; never earlier than already due. */
static void extend_timeout(struct unit *u, uint64_t usec) {
        uint64_t now = loop_now();
        uint64_t until = now + usec;
        uint64_t capped = unit_stop_cap(u, until, now); /* no extension past the stop budget */
        if (unit_state_timer(u->state) != UNIT_TIMER_NONE && u->state != UNIT_AUTO_RESTART &&
            u->timer.heap_index != TIMER_NOT_ARMED && u->timer.deadline < capped)
                (void)loop_timer_arm(&u->timer, capped);
        if (u->watchdog_timer.heap_index != TIMER_NOT_ARMED && u->watchdog_timer.deadline < until)
                (void)loop_timer_arm(&u->watchdog_timer, until);
}

/* MAINPID=: only a process of the unit may become its main process. */
static void set_main_pid(struct unit *u, pid_t pid) {
        if (pid == u->main_pid)
                return;
        if (u->state != UNIT_START && u->state != UNIT_START_POST && u->state != UNIT_RUNNING &&
            u->state != UNIT_RELOAD) {
                unit_log(LOG_LEVEL_DEBUG, u, "MAINPID=%d ignored in %s", (int)pid, unit_state_to_string(u->state));
                return;
        }
        pid_t g = os_getpgid(pid);
        if (pid == u->control_pid || g < 0 || !unit_in_groups(u, g)) {
                unit_log(LOG_LEVEL_WARNING, u, "MAINPID=%d refused: %s", (int)pid,
                         g < 0 ? "no such process" : "not a process of this unit");
                return;
        }
        if (u->main_pid > 0)
                proc_index_remove_pid(u->main_pid);
        unit_log(LOG_LEVEL_INFO, u, "main process is now %d (MAINPID=)", (int)pid);
        u->main_pid = pid;
        u->main_exit_known = false;
        if (proc_index_add_pid(pid, u, UNIT_PROC_MAIN) < 0)
                unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking pid %d", (int)pid);
}

bool unit_notify(struct unit *u, pid_t pid, enum unit_sender sender, const struct notify_msg *msg) {
        if (!sender_allowed(u, pid, sender)) {
                u->notify_denied++;
                return false;
        }
        u->notify_accepted++;
        unsigned f = msg->flags;

        /* In systemd's order: MAINPID, then the state changes, then the rest. */
        if (f & NOTIFY_HAS_MAINPID)
                set_main_pid(u, msg->main_pid);
        if (f & NOTIFY_HAS_STATUS) {
                char *t = msg->status_len ? strndup(msg->status, msg->status_len) : NULL;
                if (msg->status_len && !t) {
                        unit_log(LOG_LEVEL_WARNING, u, "out of memory storing STATUS=");
                } else {
                        free(u->status_text);
                        u->status_text = t;
                        unit_log(LOG_LEVEL_DEBUG, u, "status: %s", t ? t : "(cleared)");
                }
        }
        if (f & NOTIFY_HAS_ERRNO)
                u->status_errno = msg->error;
        if (f & NOTIFY_HAS_WATCHDOG_USEC) {
                char span[32];
                /* As systemd: the value replaces WatchdogSec= until the
                 * next start, and 0 turns the watchdog off for this run. */
                u->watchdog_override_usec = msg->watchdog_usec;
                u->watchdog_override = true;
                if (msg->watchdog_usec == 0)
                        unit_log(LOG_LEVEL_INFO, u, "watchdog turned off by the service (WATCHDOG_USEC=0)");
                else
                        unit_log(LOG_LEVEL_INFO, u, "watchdog timeout set to %s by the service",
                                 timespan_format(msg->watchdog_usec, span, sizeof(span)));
                unit_watchdog_reset(u);
        }
        if (f & NOTIFY_WATCHDOG) {
                u->watchdog_last_ping = loop_now();
                unit_watchdog_reset(u);
        }
        if (f & NOTIFY_HAS_EXTEND_TIMEOUT)
                extend_timeout(u, msg->extend_timeout_usec);
        if (f & NOTIFY_RELOADING) {
                u->ready = false;
                if (u->state == UNIT_RUNNING)
                        u->reload_by_notify = true;
                unit_feed(u, UNIT_EV_NOTIFY_RELOADING, UNIT_RESULT_KEEP);
        }
        if (f & NOTIFY_READY) {
                u->ready = true;
                unit_feed(u, UNIT_EV_NOTIFY_READY, UNIT_RESULT_KEEP);
        }
        if (f & NOTIFY_STOPPING) {
                u->ready = false;
                if (u->state == UNIT_RUNNING)
                        u->stop_by_notify = true;
                unit_feed(u, UNIT_EV_NOTIFY_STOPPING, UNIT_RESULT_KEEP);
        }
        if ((f & NOTIFY_WATCHDOG_TRIGGER) && unit_state_has_watchdog(u->state)) {
                u->watchdog_misses++;
                unit_log(LOG_LEVEL_WARNING, u, "watchdog triggered by the service (WATCHDOG=trigger)");
                unit_feed(u, UNIT_EV_WATCHDOG, UNIT_RESULT_KEEP);
        }
        return true;
}

/* The syslog server's attribution (logcap/syslog_server.h): the same rule
 * as for sd_notify; the line goes into the unit's ring under its ident. */
bool unit_syslog_attribute(pid_t pid, struct log_ring **ret_ring, const char **ret_ident) {
        struct unit *u;
        enum unit_sender sender;
        if (!proc_index_attribute(pid, &u, &sender))
                return false;
        unit_syslog_of(u, ret_ring, ret_ident);
        return true;
}

void unit_syslog_of(struct unit *u, struct log_ring **ret_ring, const char **ret_ident) {
        *ret_ring = &u->log;
        *ret_ident = u->ident;
}

/* The notify server's delivery (notify/notify_server.h): attribution by
 * the process index, then NotifyAccess= and the message. */
enum notify_verdict unit_notify_from(pid_t pid, const struct notify_msg *msg, char *why, size_t why_size,
                                     const char **ret_unit) {
        struct unit *u;
        enum unit_sender sender;
        if (!proc_index_attribute(pid, &u, &sender))
                return NOTIFY_UNATTRIBUTED;
        *ret_unit = u->config.name;
        if (!unit_notify(u, pid, sender, msg)) {
                snprintf(why, why_size, "%s does not allow it (NotifyAccess=%s, main pid %d)", u->config.name,
                         notify_access_to_string(unit_notify_access(u)), (int)u->main_pid);
                return NOTIFY_UNAUTHORISED;
        }
        return NOTIFY_ACCEPTED;
}

