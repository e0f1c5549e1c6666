/* SPDX-License-Identifier: MIT */
/*
 * An IPv4 or IPv6 address and a TCP port, as the health probes name them
 * (HealthTCP=, HealthHTTP=): "127.0.0.1:8080", "[::1]:8080", "localhost:8080"
 * (127.0.0.1) or a bare port "8080" (127.0.0.1). No host names: resolving
 * one (getaddrinfo, NSS, DNS) can block, and PID 1 never blocks; a probe
 * checks the unit's own socket, which has an address. Pure.
 */
#ifndef VIGIL_BASE_INET_TARGET_H
#define VIGIL_BASE_INET_TARGET_H

#include <stddef.h>
#include <stdint.h>

struct inet_target {
        int family;            /* AF_INET or AF_INET6 */
        uint8_t addr[16];      /* network order; the first 4 bytes for AF_INET */
        uint16_t port;         /* host order, 1-65535 */
};

/* Exactly HOST:PORT (or PORT) over the first len bytes of s. 0 or -EINVAL. */
int inet_target_parse(const char *s, size_t len, struct inet_target *ret);

/* "127.0.0.1:8080" / "[::1]:8080" into buf (INET_TARGET_STRLEN is enough); returns buf. */
#define INET_TARGET_STRLEN 56
const char *inet_target_format(const struct inet_target *t, char *buf, size_t size);

#endif
