/* SPDX-License-Identifier: MIT */
/*
 * The client side of the control protocol (docs/CONTROL.md), for
 * vigilctl: connect, send one request, read the reply line by line as it
 * comes, until vigil closes (a `log -f` reply may never end). One loop for
 * every verb: control_client_call() collects a whole reply on top of it.
 *
 * Reading: a reset after some reply bytes is the end of the reply (vigil
 * closed with our bytes unread), not an error; EPIPE while sending means
 * vigil answered and closed already (a refusal): the reply is read anyway.
 * Blocking, no timeouts: the reply of a job waits as long as the job.
 */
#ifndef VIGIL_CONTROL_CONTROL_CLIENT_H
#define VIGIL_CONTROL_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* One line of the reply (the header first), NUL-terminated in place, its
 * '\n' removed; partial: the reply ended without one (the last line). A
 * negative return stops the exchange (returned as is). */
typedef int (*control_client_line_fn)(void *ctx, char *line, size_t len, bool partial);
/* After the lines of one read (a good time to flush what was printed). */
typedef void (*control_client_batch_fn)(void *ctx);

/* Without --socket: the control socket of the first place of
 * control_places() (control/control_places.h) whose socket file exists and
 * this uid may write; else the abstract name when a vigil listens there;
 * else the first socket file there is (to be told "permission denied");
 * else the abstract name, which needs no file. */
void control_client_default_address(char *ret, size_t size);

/* Connect to vigil at address: 0 or -errno (-EACCES: the socket's mode
 * refused us). */
int control_client_connect(const char *address, int *ret_fd);

/* On a connected fd (closed here): send the request, then hand out the
 * reply's lines. 0 at the end of the reply, or -errno of sending or
 * reading (or a callback's); *ret_got says whether any reply byte came. */
int control_client_exchange(int fd, const char *request, control_client_line_fn line,
                            control_client_batch_fn batch, void *ctx, bool *ret_got);

/* The whole reply at once: the header line (NUL-terminated) and the body
 * after it (NULL when the reply had no '\n'), both in *ret_reply, the
 * caller's to free. 0 or -errno (*ret_reply NULL then). */
int control_client_call(int fd, const char *request, char **ret_reply, char **ret_body);

#endif
