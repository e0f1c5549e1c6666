/* SPDX-License-Identifier: MIT */
/*
 * One control connection, as the control modules share it (internal to
 * src/control/). This file owns the list of open connections and the
 * sending side: queue a reply, write it without blocking, half-close and
 * drain, close. control_server.c accepts, authorises and reads the
 * request; control_dispatch.c owns the jobs a reply waits for,
 * control_log.c a follower's stream. Invariant: a connection is in one
 * phase at a time — reading the request, waiting for jobs, sending (out
 * set), following, or draining after the reply.
 */
#ifndef VIGIL_CONTROL_CONTROL_CONN_H
#define VIGIL_CONTROL_CONTROL_CONN_H

#include "base/strbuf.h"
#include "base/timespan.h"
#include "control/control_msg.h"
#include "core/loop.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONTROL_IDLE_USEC (10 * USEC_PER_SEC)    /* a request or reply that makes no progress */
#define CONTROL_FOLLOW_MAX (256 * 1024)          /* a follower's pending output; more is dropped */

struct unit;

/* A job request waiting for its units (start/stop/restart/reload). */
struct control_jobs {
        enum control_verb verb;
        struct unit *units[CONTROL_ARGS_MAX];
        size_t n;
};

/* `log` with FOLLOW=1: the connection stays open after the backlog. */
struct control_follow {
        bool on;
        char *unit;                /* NULL: every unit */
        uint64_t dropped;          /* lines not queued since the last notice */
        size_t cap;                /* bytes allocated at out */
        uint32_t events;           /* what the loop watches */
};

struct control_conn {
        struct loop_io io;
        struct loop_timer timer;
        struct control_conn *prev, *next;
        uid_t uid;
        pid_t pid;
        char in[CONTROL_REQUEST_MAX + 2];
        size_t in_len;
        char *out;
        size_t out_len, out_off;
        bool draining;             /* reply sent (a follower: its input is over) */
        bool waiting;              /* request read, reply waits for jobs */
        struct control_jobs jobs;
        struct control_follow follow;
};

/* Every open connection (a list; control_conn_close() may unlink any). */
struct control_conn *control_conns(void);
size_t control_conn_count(void);
/* A new connection on fd (owned from now on), or NULL without memory. */
struct control_conn *control_conn_new(int fd, pid_t pid, uid_t uid);
/* Put c in the list once the loop watches it. */
void control_conn_link(struct control_conn *c);
void control_conn_close(struct control_conn *c);
/* Send b (taken) as the reply; closes c on failure. */
void control_conn_reply(struct control_conn *c, struct strbuf *b);
/* Write what is pending; closes c when the client went away. */
void control_conn_flush(struct control_conn *c);
/* A follower: watch for its hang-up, and for room when output waits. */
void control_conn_follow_watch(struct control_conn *c);

#endif
