/* SPDX-License-Identifier: MIT */
/*
 * A parsed control request to its handler, and the requests that act:
 * start/stop/restart/reload queue their jobs and the reply waits until
 * they are over, as systemctl does (the jobs of a connection live in its
 * struct control_jobs, owned here); kill, daemon-reload and the power
 * verbs answer at once. The read-only replies are control_views.c's,
 * metrics control_metrics.c's, log control_log.c's.
 */
#ifndef VIGIL_CONTROL_CONTROL_DISPATCH_H
#define VIGIL_CONTROL_CONTROL_DISPATCH_H

#include "base/strbuf.h"
#include "control/control_conn.h"
#include "control/control_msg.h"

#include <stdbool.h>
#include <stdint.h>

/* What the server knows that a reply may show (metrics). */
struct control_dispatch_facts {
        uint64_t started;          /* loop_now() when the socket opened */
        uint64_t malformed;        /* requests refused as malformed */
};

/* The reply to rq from c, into b; when it queued jobs (c->jobs.n > 0),
 * b holds nothing to send: the reply waits for control_dispatch_settle(). */
void control_dispatch(struct control_conn *c, const struct control_request *rq,
                      const struct control_dispatch_facts *facts, struct strbuf *b);
/* Are c's jobs over? Then true, with the reply header in b. */
bool control_dispatch_settle(struct control_conn *c, struct strbuf *b);
/* u is about to be freed: no job waits for it any more. */
void control_dispatch_forget(struct control_conn *c, const struct unit *u);

#endif
