/* SPDX-License-Identifier: MIT */
#include "unit/probe_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define STATUS_LINE_MAX 256

int probe_http_url_parse(const char *url, struct inet_target *ret_target, char *ret_host, size_t host_size,
                         char *ret_path, size_t path_size, const char **ret_why) {
        const char *p = url, *slash;
        size_t hlen;

        if (strncmp(p, "https://", 8) == 0) {
                *ret_why = "https is not supported (no TLS in PID 1); probe the plain port or use HealthExec=";
                return -EINVAL;
        }
        if (strncmp(p, "http://", 7) == 0)
                p += 7;
        slash = strchr(p, '/');
        hlen = slash ? (size_t)(slash - p) : strlen(p);
        if (inet_target_parse(p, hlen, ret_target) < 0) {
                *ret_why = "expected [http://]ADDRESS:PORT[/PATH] with a numeric IPv4 or [IPv6] address, "
                           "localhost, or a bare PORT (host names are not resolved)";
                return -EINVAL;
        }
        if (hlen + 1 > host_size) {
                *ret_why = "address too long";
                return -EINVAL;
        }
        if (memchr(p, ':', hlen))
                memcpy(ret_host, p, hlen), ret_host[hlen] = '\0';   /* as written: a name-based virtual host */
        else
                inet_target_format(ret_target, ret_host, host_size);  /* a bare port */
        const char *path = slash ? slash : "/";
        if (strlen(path) + 1 > path_size) {
                *ret_why = "path too long";
                return -EINVAL;
        }
        for (const char *c = path; *c; c++)
                if ((unsigned char)*c <= ' ' || *c == 0x7f) {
                        *ret_why = "the path must not hold spaces or control characters (write %20)";
                        return -EINVAL;
                }
        strcpy(ret_path, path);
        return 0;
}

size_t probe_http_request(const char *host, const char *path, char *buf, size_t size) {
        int n = snprintf(buf, size,
                         "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: vigil-probe\r\nAccept: */*\r\n"
                         "Connection: close\r\n\r\n",
                         path, host);
        if (n < 0)
                return 0;
        return (size_t)n < size ? (size_t)n : size - 1;
}

static bool digit(char c) {
        return c >= '0' && c <= '9';
}

int probe_http_status_parse(const char *buf, size_t n, int *ret_code) {
        size_t end = 0;
        while (end < n && buf[end] != '\r' && buf[end] != '\n')
                end++;
        if (end == n)   /* no end of line yet */
                return n >= STATUS_LINE_MAX ? -EINVAL : 0;
        if (end >= STATUS_LINE_MAX)   /* as an unended one of that length: never a longer prefix's verdict */
                return -EINVAL;
        /* RFC 1945 6.1: HTTP-Version SP Status-Code SP Reason-Phrase; the
         * reason may be empty and some servers omit the space before it. */
        if (end < 12 || memcmp(buf, "HTTP/", 5) != 0 || !digit(buf[5]) || buf[6] != '.' || !digit(buf[7]) ||
            buf[8] != ' ' || !digit(buf[9]) || !digit(buf[10]) || !digit(buf[11]) || (end > 12 && buf[12] != ' '))
                return -EINVAL;
        int code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
        if (code < 100)
                return -EINVAL;
        *ret_code = code;
        return 1;
}

bool probe_http_status_healthy(int code) {
        return code >= 200 && code <= 399;
}
