/* SPDX-License-Identifier: MIT */
/*
 * `log LINES FOLLOW [UNIT]` (docs/CONTROL.md): the last LINES records of
 * the unit's output ring, or of every unit's merged by sequence number;
 * with FOLLOW=1 the connection then stays open and gets each new line from
 * the output hook (logcap/output.h) until the client closes it. A
 * follower that does not read is never waited for: past
 * CONTROL_FOLLOW_MAX bytes pending, lines are dropped (counted), and once
 * it is below half of that, one "@dropped N" line goes first. No idle
 * timeout; it counts toward the connection cap. Owns struct
 * control_follow of each connection.
 */
#ifndef VIGIL_CONTROL_CONTROL_LOG_H
#define VIGIL_CONTROL_CONTROL_LOG_H

#include "base/strbuf.h"
#include "control/control_conn.h"
#include "control/control_msg.h"

#include <stdint.h>

/* Hook into the output capture (at open) / out of it (at close). */
void control_log_start(void);
void control_log_stop(void);
/* The reply to a log request; with FOLLOW=1, c becomes a follower. */
void control_log_reply(struct strbuf *b, const struct control_request *rq, struct control_conn *c);
/* A follower's socket is ready (its input, its hang-up, room for output). */
void control_log_ready(struct control_conn *c, uint32_t events);

#endif
