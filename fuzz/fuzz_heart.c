/* SPDX-License-Identifier: MIT */
/* Erlang heart port protocol (src/heart/heart_msg.c): the input is the byte
 * stream the VM writes to vigil-heart's stdin, after one byte that picks
 * the size of the pieces it is fed in (as read() might return them: 1..255
 * bytes; 0 = all at once). Each frame goes through the session as the
 * program does: its verdict matches its op. */
#include "fuzz.h"

#include "heart/heart_msg.h"

/* The frames as one simple reading of the whole stream sees them. */
struct ref_frame {
        size_t len;
        uint8_t op;
        size_t at;   /* offset of the body */
};

static size_t reference(const uint8_t *p, size_t n, struct ref_frame *out, size_t max) {
        size_t i = 0, k = 0;
        while (n - i >= 2 && k < max) {
                size_t len = (size_t)p[i] << 8 | p[i + 1];
                if (n - i - 2 < len)
                        break;
                out[k++] = (struct ref_frame){ .len = len, .op = len ? p[i + 2] : 0, .at = i + 2 };
                i += 2 + len;
        }
        return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        size_t step = data[0];
        const uint8_t *p = data + 1;
        size_t n = size - 1;
        uint8_t *buf = (uint8_t *)fuzz_memdup(p, n);

        enum { MAX_REF = 4096 };
        static struct ref_frame ref[MAX_REF];
        size_t n_ref = reference(buf, n, ref, MAX_REF);

        static struct heart_reader rd;
        heart_reader_init(&rd);

        size_t off = 0, k = 0;
        while (off < n) {
                size_t piece = step && n - off > step ? step : n - off;
                size_t pos = 0;
                while (pos < piece) {
                        struct heart_frame f;
                        size_t used;
                        int got = heart_reader_feed(&rd, buf + off + pos, piece - pos, &used, &f);
                        FUZZ_CHECK(used <= piece - pos);
                        pos += used;
                        if (!got) {
                                FUZZ_CHECK(pos == piece);
                                break;
                        }
                        /* The same frame as the one-piece reading. */
                        if (k < MAX_REF) {
                                FUZZ_CHECK(k < n_ref);
                                FUZZ_CHECK(f.len == ref[k].len && f.op == ref[k].op);
                                size_t kept = f.len < HEART_BODY_MAX ? f.len : HEART_BODY_MAX;
                                FUZZ_CHECK(f.truncated == (f.len > HEART_BODY_MAX));
                                FUZZ_CHECK(f.payload_len == (kept ? kept - 1 : 0));
                                if (f.payload_len)
                                        FUZZ_CHECK(memcmp(f.payload, buf + ref[k].at + 1, f.payload_len) == 0);
                        }
                        k++;
                        enum heart_verdict v = heart_frame_verdict(&f);
                        bool usable = f.len > 0 && !f.truncated;
                        static const uint8_t op_of[] = {
                                [HEART_BEAT] = HEART_OP_BEAT,           [HEART_SET_CMD] = HEART_OP_SET_CMD,
                                [HEART_CLEAR_CMD] = HEART_OP_CLEAR_CMD, [HEART_GET_CMD] = HEART_OP_GET_CMD,
                                [HEART_SHUT_DOWN] = HEART_OP_SHUT_DOWN, [HEART_CRASHING] = HEART_OP_PREPARING_CRASH,
                        };
                        if (v == HEART_IGNORE)
                                FUZZ_CHECK(!usable || f.op < HEART_OP_BEAT || f.op == HEART_OP_CMD ||
                                           f.op > HEART_OP_PREPARING_CRASH);
                        else
                                FUZZ_CHECK(usable && f.op == op_of[v]);
                }
                off += piece;
        }
        FUZZ_CHECK(k == n_ref || n_ref == MAX_REF);
        /* Idle exactly when the stream ended on a frame boundary. */
        size_t end = n_ref ? ref[n_ref - 1].at + ref[n_ref - 1].len : 0;
        if (n_ref < MAX_REF)
                FUZZ_CHECK(heart_reader_idle(&rd) == (end == n));
        free(buf);
        return 0;
}
