/* SPDX-License-Identifier: MIT */
#include "notify/notify_msg.h"

#include "base/num.h"
#include "base/utf8.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static bool is(const char *key, size_t klen, const char *name) {
        return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

/* A decimal number written as sd_notify clients write it (no sign, no
 * spaces), within max. */
static bool number(const char *v, size_t len, uint64_t max, uint64_t *ret) {
        char buf[32];
        if (len == 0 || len >= sizeof(buf))
                return false;
        memcpy(buf, v, len);
        buf[len] = '\0';
        return num_parse_u64_max(buf, max, ret) == 0;
}

static void field(struct notify_msg *m, const char *key, size_t klen, const char *v, size_t vlen) {
        uint64_t n;
        if (is(key, klen, "READY") || is(key, klen, "RELOADING") || is(key, klen, "STOPPING") ||
            is(key, klen, "BARRIER")) {
                if (vlen != 1 || v[0] != '1') {
                        m->n_invalid++;
                        return;
                }
                m->flags |= is(key, klen, "READY")       ? NOTIFY_READY
                            : is(key, klen, "RELOADING") ? NOTIFY_RELOADING
                            : is(key, klen, "STOPPING")  ? NOTIFY_STOPPING
                                                         : NOTIFY_BARRIER;
        } else if (is(key, klen, "WATCHDOG")) {
                if (vlen == 1 && v[0] == '1')
                        m->flags |= NOTIFY_WATCHDOG;
                else if (vlen == 7 && memcmp(v, "trigger", 7) == 0)
                        m->flags |= NOTIFY_WATCHDOG_TRIGGER;
                else
                        m->n_invalid++;
        } else if (is(key, klen, "STATUS")) {
                if (!utf8_is_valid(v, vlen)) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_STATUS;
                m->status = v;
                m->status_len = vlen;
        } else if (is(key, klen, "ERRNO")) {
                if (!number(v, vlen, INT_MAX, &n)) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_ERRNO;
                m->error = (int)n;
        } else if (is(key, klen, "MAINPID")) {
                if (!number(v, vlen, INT_MAX, &n) || n == 0) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_MAINPID;
                m->main_pid = (pid_t)n;
        } else if (is(key, klen, "WATCHDOG_USEC")) {
                /* 0 is valid: the watchdog is off for this run (systemd). */
                if (!number(v, vlen, UINT64_MAX - 1, &n)) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_WATCHDOG_USEC;
                m->watchdog_usec = n;
        } else if (is(key, klen, "EXTEND_TIMEOUT_USEC")) {
                if (!number(v, vlen, UINT64_MAX - 1, &n)) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_EXTEND_TIMEOUT;
                m->extend_timeout_usec = n;
        } else if (is(key, klen, "MONOTONIC_USEC")) {
                if (!number(v, vlen, UINT64_MAX - 1, &n)) {
                        m->n_invalid++;
                        return;
                }
                m->flags |= NOTIFY_HAS_MONOTONIC;
                m->monotonic_usec = n;
        } else {
                m->n_unknown++;
        }
}

int notify_msg_parse(const char *buf, size_t len, struct notify_msg *ret) {
        memset(ret, 0, sizeof(*ret));
        if (len == 0 || len > NOTIFY_MSG_MAX || memchr(buf, '\0', len))
                return -EBADMSG;
        const char *p = buf, *end = buf + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = nl ? nl : end;
                if (line_end > p) {
                        const char *eq = memchr(p, '=', (size_t)(line_end - p));
                        if (!eq || eq == p)
                                ret->n_unknown++;
                        else
                                field(ret, p, (size_t)(eq - p), eq + 1, (size_t)(line_end - eq - 1));
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}
