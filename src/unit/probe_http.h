/* SPDX-License-Identifier: MIT */
/*
 * The HTTP side of HealthHTTP= (docs/DESIGN.md "Health probes"), pure:
 * the URL the key takes, the one request vigil sends, and the status line
 * it reads back. HTTP/1.0 (RFC 1945) with "Connection: close": one
 * request, one reply, the server closes; no chunking, no keep-alive, no
 * TLS, no redirects followed. A 2xx or 3xx status is healthy, as Docker's
 * curl -f and Kubernetes' httpGet probe (200-399) count it.
 */
#ifndef VIGIL_UNIT_PROBE_HTTP_H
#define VIGIL_UNIT_PROBE_HTTP_H

#include "base/inet_target.h"

#include <stdbool.h>
#include <stddef.h>

#define PROBE_HTTP_PATH_MAX 512
#define PROBE_HTTP_REQUEST_MAX (PROBE_HTTP_PATH_MAX + 160)

/* "http://HOST:PORT/PATH", "HOST:PORT/PATH", "PORT/PATH" (HOST as
 * base/inet_target.h; PATH "/" when absent; no spaces or control bytes).
 * ret_host is the Host: header ("127.0.0.1:8080" as written). 0 or
 * -EINVAL with *ret_why set. */
int probe_http_url_parse(const char *url, struct inet_target *ret_target, char *ret_host, size_t host_size,
                         char *ret_path, size_t path_size, const char **ret_why);

/* The request: "GET PATH HTTP/1.0", Host:, User-Agent:, Connection: close. Its length. */
size_t probe_http_request(const char *host, const char *path, char *buf, size_t size);

/* The status line at the start of the n bytes read so far:
 * 1 with *ret_code (100-999) once the line is complete, 0 when more bytes
 * are needed (no CR/LF yet and n below the limit), -EINVAL when it is not
 * "HTTP/D.D SP DDD" (or the line is 256 bytes or longer). */
int probe_http_status_parse(const char *buf, size_t n, int *ret_code);

/* 200-399. */
bool probe_http_status_healthy(int code);

#endif
