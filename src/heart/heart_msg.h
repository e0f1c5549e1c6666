/* SPDX-License-Identifier: MIT */
/*
 * The Erlang heart port protocol ({packet, 2} on the port program's stdin
 * and stdout; issue 7 item 6), pure: no syscalls, no logging, no clock.
 *
 * A frame is a 2-byte big-endian length, then that many bytes: an op code
 * and its payload. The length counts the op byte, so a bare op is length 1.
 * As OTP's heart program does, vigil-heart keeps at most HEART_BODY_MAX
 * bytes of a frame's body (op + payload); a longer frame is read to its end
 * and then reported as truncated (heart ignores it, as OTP junks it), and a
 * frame of length 0 carries no op (ignored too).
 *
 * heart_reader_feed() takes the bytes in whatever pieces read() returns
 * them (one byte at a time works); heart_frame_verdict() says what a
 * complete frame asks for.
 */
#ifndef VIGIL_HEART_HEART_MSG_H
#define VIGIL_HEART_HEART_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Op codes, as OTP's erts/etc/common/heart.c and kernel's heart.erl. */
enum heart_op {
        HEART_OP_ACK = 1,             /* port -> VM: start-up, after SET_CMD and CLEAR_CMD */
        HEART_OP_BEAT = 2,            /* VM -> port */
        HEART_OP_SHUT_DOWN = 3,       /* VM -> port: stop without the reboot action */
        HEART_OP_SET_CMD = 4,         /* VM -> port: payload = the temporary command */
        HEART_OP_CLEAR_CMD = 5,       /* VM -> port */
        HEART_OP_GET_CMD = 6,         /* VM -> port */
        HEART_OP_CMD = 7,             /* port -> VM: reply to GET_CMD, payload = the command */
        HEART_OP_PREPARING_CRASH = 8, /* emulator -> port: a crash dump is being written */
};

#define HEART_BODY_MAX 2048                  /* op + payload kept of one frame (OTP's MSG_BODY_SIZE) */
#define HEART_CMD_MAX (HEART_BODY_MAX - 1)   /* longest command kept / replied */
#define HEART_FRAME_MAX (2 + HEART_BODY_MAX) /* longest frame heart writes */

/* HEART_BEAT_TIMEOUT (seconds), as OTP's heart: the default, and the range
 * -ht N is accepted in (10 < N <= 65535; anything else leaves the default). */
#define HEART_TIMEOUT_DEFAULT 60
#define HEART_TIMEOUT_MIN_EXCL 10
#define HEART_TIMEOUT_MAX 65535

struct heart_frame {
        size_t len;             /* the announced length (op included); 0: no op */
        uint8_t op;             /* 0 when len == 0 */
        const uint8_t *payload; /* into the reader's buffer; valid until the next feed */
        size_t payload_len;
        bool truncated;         /* len > HEART_BODY_MAX: only the first bytes were kept */
};

struct heart_reader {
        uint8_t hdr[2];
        size_t hdr_got;   /* 0..2 header bytes seen */
        size_t len;       /* the current frame's length, once hdr_got == 2 */
        size_t got;       /* body bytes of the current frame seen so far */
        uint8_t body[HEART_BODY_MAX];
};

void heart_reader_init(struct heart_reader *r);

/* Consume bytes from data[0..n) up to the end of the next complete frame.
 * Returns 1 with *ret filled when a frame completed (*ret_used bytes were
 * taken; feed the rest again), 0 when all n bytes were taken and the frame
 * is still incomplete. */
int heart_reader_feed(struct heart_reader *r, const uint8_t *data, size_t n, size_t *ret_used,
                      struct heart_frame *ret);

/* Whether the reader is between frames (an EOF here loses no message). */
bool heart_reader_idle(const struct heart_reader *r);

/* Write a frame: op and payload[0..len) into buf[0..cap). The frame's size,
 * -EMSGSIZE when the payload is over HEART_CMD_MAX, -ENOBUFS when cap is
 * too small. */
int heart_encode(uint8_t op, const void *payload, size_t len, uint8_t *buf, size_t cap);

/* Parse -ht's value as OTP does (sscanf %i: decimal, 0x hex or 0 octal,
 * optional sign; trailing text ignored). 0 with *ret set when 10 < N <=
 * 65535, else -ERANGE (out of range) or -EINVAL (not a number). */
int heart_parse_timeout(const char *text, unsigned *ret);

/* What a frame asks of the program (nerves_heart's reading of OTP's ops:
 * the command of SET_CMD is a request to act on, GET_CMD asks for the
 * status report; heart/heart_state.h decides both). */
enum heart_verdict {
        HEART_IGNORE,     /* unknown op, empty or truncated frame, a port -> VM op: nothing */
        HEART_BEAT,       /* a heartbeat */
        HEART_SET_CMD,    /* the payload is a command; ACK once it is acted on */
        HEART_CLEAR_CMD,  /* ACK (nothing to clear: commands are acted on, not kept) */
        HEART_GET_CMD,    /* reply HEART_CMD with the status report */
        HEART_SHUT_DOWN,  /* stop watching cleanly */
        HEART_CRASHING,   /* the VM is writing a crash dump */
};

enum heart_verdict heart_frame_verdict(const struct heart_frame *f);

#endif
