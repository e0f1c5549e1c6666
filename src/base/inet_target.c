/* SPDX-License-Identifier: MIT */
#include "base/inet_target.h"

#include "base/num.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int parse_port(const char *s, size_t len, uint16_t *ret) {
        char buf[8];
        uint64_t n;
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (num_parse_u64_max(buf, 65535, &n) < 0 || n == 0)
                return -EINVAL;
        *ret = (uint16_t)n;
        return 0;
}

int inet_target_parse(const char *s, size_t len, struct inet_target *ret) {
        const char *colon = NULL;
        char host[64];
        size_t hlen;

        memset(ret, 0, sizeof(*ret));
        if (len > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', len);
                if (!close || (size_t)(close - s) + 1 >= len || close[1] != ':')
                        return -EINVAL;
                hlen = (size_t)(close - s) - 1;
                if (hlen == 0 || hlen >= sizeof(host))
                        return -EINVAL;
                memcpy(host, s + 1, hlen);
                host[hlen] = '\0';
                ret->family = AF_INET6;
                if (inet_pton(AF_INET6, host, ret->addr) != 1)
                        return -EINVAL;
                return parse_port(close + 2, len - (size_t)(close + 2 - s), &ret->port);
        }
        for (size_t i = 0; i < len; i++)
                if (s[i] == ':')
                        colon = s + i;
        ret->family = AF_INET;
        if (!colon) {   /* a bare port: this machine */
                ret->addr[0] = 127, ret->addr[3] = 1;
                return parse_port(s, len, &ret->port);
        }
        hlen = (size_t)(colon - s);
        if (hlen == 0 || hlen >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, hlen);
        host[hlen] = '\0';
        if (strcmp(host, "localhost") == 0)
                ret->addr[0] = 127, ret->addr[3] = 1;
        else if (inet_pton(AF_INET, host, ret->addr) != 1)
                return -EINVAL;
        return parse_port(colon + 1, len - hlen - 1, &ret->port);
}

const char *inet_target_format(const struct inet_target *t, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN] = "?";
        inet_ntop(t->family, t->addr, a, sizeof(a));
        snprintf(buf, size, t->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, (unsigned)t->port);
        return buf;
}
