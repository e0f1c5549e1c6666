/* SPDX-License-Identifier: MIT */
#include "control/control_client.h"

#include "base/strbuf.h"
#include "control/control_places.h"
#include "os/fd.h"
#include "os/unix_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK 16384

static int send_request(int fd, const char *request) {
        for (size_t off = 0, len = strlen(request); off < len;) {
                ssize_t n = os_stream_send(fd, request + off, len - off);
                if (n == -EPIPE)
                        return 0; /* vigil answered and closed already (a refusal): read it */
                if (n < 0)
                        return (int)n;
                off += (size_t)n;
        }
        return 0;
}

/* The reply's bytes not yet handed out: buf[0..len), a partial line. */
struct pending {
        char *buf;
        size_t len, cap;
};

/* Room for one more read (and a NUL). */
static int make_room(struct pending *p) {
        if (p->cap - p->len > READ_CHUNK)
                return 0;
        size_t cap = p->cap ? p->cap * 2 : 4 * READ_CHUNK;
        char *nb = realloc(p->buf, cap);
        if (!nb)
                return -ENOMEM;
        p->buf = nb;
        p->cap = cap;
        return 0;
}

/* Hand out every whole line of p, keeping the rest. */
static int split_lines(struct pending *p, control_client_line_fn line, void *ctx) {
        char *start = p->buf, *nl;
        int r = 0;
        while (r >= 0 && (nl = memchr(start, '\n', p->len - (size_t)(start - p->buf)))) {
                *nl = '\0';
                r = line(ctx, start, (size_t)(nl - start), false);
                start = nl + 1;
        }
        p->len -= (size_t)(start - p->buf);
        memmove(p->buf, start, p->len);
        return r;
}

static int read_reply(int fd, control_client_line_fn line, control_client_batch_fn batch, void *ctx,
                      bool *ret_got) {
        struct pending p = { 0 };
        int r = 0;
        *ret_got = false;
        for (;;) {
                if ((r = make_room(&p)) < 0)
                        break;
                ssize_t n = os_stream_recv(fd, p.buf + p.len, p.cap - p.len - 1);
                if (n == -ECONNRESET && *ret_got)
                        n = 0; /* a reset after a full reply is still a reply */
                if (n <= 0) {
                        r = (int)n;
                        if (n == 0 && p.len > 0) {
                                p.buf[p.len] = '\0';
                                r = line(ctx, p.buf, p.len, true);
                        }
                        break;
                }
                *ret_got = true;
                p.len += (size_t)n;
                if ((r = split_lines(&p, line, ctx)) < 0)
                        break;
                if (batch)
                        batch(ctx);
        }
        free(p.buf);
        return r;
}

/* Whether a vigil listens on the abstract name: a connect, closed at once
 * (vigil drops a connection that says nothing without a word). */
static bool abstract_listening(const char *address) {
        int fd;
        if (os_stream_connect_timeout(address, 200, &fd) < 0)
                return false;
        os_close(fd);
        return true;
}

void control_client_default_address(char *ret, size_t size) {
        struct control_place places[CONTROL_PLACES_MAX];
        bool too_long;
        size_t n = control_places(getenv("VIGIL_RUNTIME_DIR"), getenv("XDG_RUNTIME_DIR"), (unsigned long)os_getuid(),
                                  places, &too_long);
        /* The first socket file this uid may write. Failing that, the abstract
         * name when a vigil listens there, so that a socket file this uid may
         * not write (root's /run/vigil/control, live or stale, seen by a
         * non-root vigilctl) does not hide its own vigil; else the first socket
         * file there is, so that "permission denied" is what is said. */
        size_t i = n - 1, first = n;
        for (size_t k = 0; k + 1 < n; k++)
                if (os_path_exists(places[k].control) == 1) {
                        if (os_path_writable(places[k].control) == 0) {
                                first = n;
                                i = k;
                                break;
                        }
                        if (first == n)
                                first = i = k;
                }
        if (first < n && abstract_listening(places[n - 1].control))
                i = n - 1;
        snprintf(ret, size, "%s", places[i].control);
}

int control_client_connect(const char *address, int *ret_fd) {
        return os_stream_connect(address, ret_fd);
}

int control_client_exchange(int fd, const char *request, control_client_line_fn line,
                            control_client_batch_fn batch, void *ctx, bool *ret_got) {
        *ret_got = false;
        int r = send_request(fd, request);
        if (r == 0)
                r = read_reply(fd, line, batch, ctx, ret_got);
        os_close(fd);
        return r;
}

/* control_client_call(): the lines back into one string. */
static int collect_line(void *ctx, char *line, size_t len, bool partial) {
        struct strbuf *b = ctx;
        strbuf_put(b, line, len);
        if (!partial)
                strbuf_putc(b, '\n');
        return 0;
}

int control_client_call(int fd, const char *request, char **ret_reply, char **ret_body) {
        struct strbuf b = { 0 };
        bool got;
        *ret_reply = *ret_body = NULL;
        int r = control_client_exchange(fd, request, collect_line, NULL, &b, &got);
        char *reply = strbuf_take(&b);
        if (r == 0 && !reply)
                r = -ENOMEM;
        if (r < 0) {
                free(reply);
                return r;
        }
        char *body = strchr(reply, '\n');
        if (body)
                *body++ = '\0';
        *ret_reply = reply;
        *ret_body = body;
        return 0;
}
