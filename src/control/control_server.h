/* SPDX-License-Identifier: MIT */
/*
 * The control socket (SPEC §6; protocol in docs/CONTROL.md): a Unix stream
 * socket, mode 0600, in vigil's runtime directory. Every connection is
 * authorised by its peer's credentials (root or vigil's own uid) before a
 * byte is read, carries one request and gets one reply; then vigil closes
 * it. Reads and writes never block: a slow client waits on its own buffer,
 * one that says nothing for 10 s is dropped, and at most 64 connections are
 * open at once (more are told so and closed).
 *
 * This file owns the socket and the reading of a request (authorisation,
 * the bounded request line, malformed counts, timeouts, the cap); the rest
 * of src/control/ one question each: control_conn (the connection record,
 * sending and draining), control_dispatch (request -> handler, the jobs a
 * reply waits for), control_views (status, check, history, watchdog),
 * control_metrics (Prometheus text), control_log (log and its followers),
 * control_msg (the pure wire format), control_client (vigilctl's side).
 */
#ifndef VIGIL_CONTROL_CONTROL_SERVER_H
#define VIGIL_CONTROL_CONTROL_SERVER_H

#include <stdint.h>

struct control_stats {
        uint64_t connections, refused, malformed;
};

/* Listen at address ("/path" or "@name"). 0 or -errno (logged). */
int control_server_open(const char *address);
const struct control_stats *control_server_stats(void);
/* Answer the requests whose jobs are over (start/stop/restart/reload wait
 * for them); called after every batch of events. */
void control_server_settle(void);
struct unit;
/* u is about to be freed (daemon-reload removed it): forget it. */
void control_server_unit_dropped(struct unit *u);
/* Close every connection and the socket, and remove its file. */
void control_server_close(void);

#endif
