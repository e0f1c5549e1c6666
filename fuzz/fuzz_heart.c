/* SPDX-License-Identifier: MIT */
/* Erlang heart port protocol (src/heart/heart_msg.c): the input is the byte
 * stream the VM writes to vigil-heart's stdin, after one byte that picks
 * the size of the pieces it is fed in (as read() might return them: 1..255
 * bytes; 0 = all at once). Each frame goes through the session as the
 * program does, with HEART_COMMAND set or not by the input's size parity. */
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

static void check_reply(const uint8_t *r, size_t len, const char *expect_cmd) {
        FUZZ_CHECK(len >= 3 && len <= HEART_FRAME_MAX);
        FUZZ_CHECK(((size_t)r[0] << 8 | r[1]) == len - 2);
        if (r[2] == HEART_OP_ACK) {
                FUZZ_CHECK(len == 3);
        } else {
                FUZZ_CHECK(r[2] == HEART_OP_CMD);
                size_t want = strlen(expect_cmd);
                if (want > HEART_CMD_MAX)
                        want = HEART_CMD_MAX;
                FUZZ_CHECK(len - 3 == want && memcmp(r + 3, expect_cmd, want) == 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        size_t step = data[0];
        const uint8_t *p = data + 1;
        size_t n = size - 1;
        uint8_t *buf = (uint8_t *)fuzz_memdup(p, n);
        const char *env_cmd = size % 2 ? "reboot -f" : NULL;

        enum { MAX_REF = 4096 };
        static struct ref_frame ref[MAX_REF];
        size_t n_ref = reference(buf, n, ref, MAX_REF);

        static struct heart_reader rd;
        struct heart_session ses;
        static uint8_t reply[HEART_FRAME_MAX];
        static char cmd_model[HEART_CMD_MAX + 1];
        cmd_model[0] = '\0';
        heart_reader_init(&rd);
        heart_session_init(&ses);

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
                        size_t reply_len;
                        enum heart_verdict v = heart_session_handle(&ses, &f, env_cmd, reply, &reply_len);
                        bool usable = f.len > 0 && !f.truncated;
                        switch (v) {
                        case HEART_REPLY:
                                FUZZ_CHECK(usable);
                                if (f.op == HEART_OP_SET_CMD) {
                                        const uint8_t *nul = memchr(f.payload, 0, f.payload_len);
                                        size_t l = nul ? (size_t)(nul - f.payload) : f.payload_len;
                                        memcpy(cmd_model, f.payload, l);
                                        cmd_model[l] = '\0';
                                } else if (f.op == HEART_OP_CLEAR_CMD) {
                                        cmd_model[0] = '\0';
                                } else {
                                        FUZZ_CHECK(f.op == HEART_OP_GET_CMD);
                                }
                                check_reply(reply, reply_len,
                                            cmd_model[0] ? cmd_model : env_cmd ? env_cmd : "");
                                break;
                        case HEART_BEAT:
                                FUZZ_CHECK(usable && f.op == HEART_OP_BEAT && reply_len == 0);
                                break;
                        case HEART_SHUT_DOWN:
                                FUZZ_CHECK(usable && f.op == HEART_OP_SHUT_DOWN && reply_len == 0);
                                break;
                        case HEART_CRASHING:
                                FUZZ_CHECK(usable && f.op == HEART_OP_PREPARING_CRASH && reply_len == 0);
                                break;
                        case HEART_IGNORE:
                                FUZZ_CHECK(reply_len == 0);
                                FUZZ_CHECK(!usable || f.op < HEART_OP_BEAT || f.op == HEART_OP_CMD ||
                                           f.op > HEART_OP_PREPARING_CRASH);
                                break;
                        }
                        FUZZ_CHECK(strlen(ses.cmd) == ses.cmd_len && strcmp(ses.cmd, cmd_model) == 0);
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
