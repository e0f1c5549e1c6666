/* SPDX-License-Identifier: MIT */
#include "heart/heart_msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void heart_reader_init(struct heart_reader *r) {
        r->hdr_got = 0;
        r->len = 0;
        r->got = 0;
}

bool heart_reader_idle(const struct heart_reader *r) {
        return r->hdr_got == 0;
}

static void complete(struct heart_reader *r, struct heart_frame *ret) {
        size_t kept = r->len < HEART_BODY_MAX ? r->len : HEART_BODY_MAX;
        *ret = (struct heart_frame){ .len = r->len, .truncated = r->len > HEART_BODY_MAX };
        if (kept > 0) {
                ret->op = r->body[0];
                ret->payload = r->body + 1;
                ret->payload_len = kept - 1;
        }
        heart_reader_init(r);
}

int heart_reader_feed(struct heart_reader *r, const uint8_t *data, size_t n, size_t *ret_used,
                      struct heart_frame *ret) {
        size_t i = 0;
        while (r->hdr_got < 2) {
                if (i == n) {
                        *ret_used = i;
                        return 0;
                }
                r->hdr[r->hdr_got++] = data[i++];
                if (r->hdr_got == 2) {
                        r->len = (size_t)r->hdr[0] << 8 | r->hdr[1];
                        r->got = 0;
                }
        }
        size_t want = r->len - r->got;
        size_t take = n - i < want ? n - i : want;
        if (r->got < HEART_BODY_MAX) {
                size_t room = HEART_BODY_MAX - r->got;
                memcpy(r->body + r->got, data + i, take < room ? take : room);
        }
        r->got += take;
        i += take;
        *ret_used = i;
        if (r->got < r->len)
                return 0;
        complete(r, ret);
        return 1;
}

int heart_encode(uint8_t op, const void *payload, size_t len, uint8_t *buf, size_t cap) {
        if (len > HEART_CMD_MAX)
                return -EMSGSIZE;
        if (cap < len + 3)
                return -ENOBUFS;
        buf[0] = (uint8_t)((len + 1) >> 8);
        buf[1] = (uint8_t)((len + 1) & 0xff);
        buf[2] = op;
        if (len)
                memcpy(buf + 3, payload, len);
        return (int)(len + 3);
}

int heart_parse_timeout(const char *text, unsigned *ret) {
        if (!text)
                return -EINVAL;
        char *end;
        errno = 0;
        long v = strtol(text, &end, 0);
        if (end == text)
                return -EINVAL;
        if (errno == ERANGE || v <= HEART_TIMEOUT_MIN_EXCL || v > HEART_TIMEOUT_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

enum heart_verdict heart_frame_verdict(const struct heart_frame *f) {
        if (f->len == 0 || f->truncated)
                return HEART_IGNORE;
        switch (f->op) {
        case HEART_OP_BEAT:
                return HEART_BEAT;
        case HEART_OP_SHUT_DOWN:
                return HEART_SHUT_DOWN;
        case HEART_OP_SET_CMD:
                return HEART_SET_CMD;
        case HEART_OP_CLEAR_CMD:
                return HEART_CLEAR_CMD;
        case HEART_OP_GET_CMD:
                return HEART_GET_CMD;
        case HEART_OP_PREPARING_CRASH:
                return HEART_CRASHING;
        default:
                return HEART_IGNORE;  /* ACK, CMD (port -> VM only) and unknown ops */
        }
}
