/* SPDX-License-Identifier: MIT */
/*
 * One datagram of the local syslog protocol (what syslog(3), logger(1) and
 * language runtimes send to /dev/log), parsed. Pure: bytes in, spans out.
 *
 * Accepted forms, after "<PRI>" (RFC 3164 section 4.1.1, RFC 5424 section
 * 6.2.1: 0..191, facility * 8 + severity):
 *  - RFC 5424: "1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG", each
 *    header field one word or "-", SD "-" or "[...]" elements (quoted
 *    values may hold "\]"); APP-NAME is the tag, PROCID the pid when it is
 *    a number; a UTF-8 BOM before MSG is dropped;
 *  - RFC 3164 as the C library sends it locally: an optional
 *    "Mmm dd hh:mm:ss " timestamp, then "TAG[PID]: MSG" or "TAG: MSG"
 *    (TAG: at most 64 bytes with no space, '[' or ':'); without such a tag
 *    the whole rest is the message. No hostname is looked for (local
 *    senders put none, and a word before the tag cannot be told from one).
 * A datagram without "<PRI>" is a message of unknown priority (-1), as a
 * relay would take it (RFC 3164 section 4.3.3). Trailing '\n', '\r' and NUL
 * bytes are dropped (syslog(3) over a stream adds a NUL).
 *
 * Malformed (-EINVAL, with a reason): empty after that, a '<' that opens no
 * valid PRI, a NUL byte inside, an RFC 5424 header cut short.
 */
#ifndef VIGIL_LOGCAP_SYSLOG_MSG_H
#define VIGIL_LOGCAP_SYSLOG_MSG_H

#include <stddef.h>
#include <sys/types.h>

#define SYSLOG_MSG_MAX (16 * 1024)   /* bytes of one datagram kept; longer ones are cut */
#define SYSLOG_TAG_MAX 64

struct syslog_msg {
        int priority;          /* 0..191, -1: none given */
        int version;           /* 1: RFC 5424, 0: RFC 3164 or bare */
        const char *tag;       /* NULL: none */
        size_t tag_len;
        pid_t pid;             /* from "[PID]" or PROCID; 0: none */
        const char *message;   /* never NULL; may be empty */
        size_t message_len;
};

/* 0, or -EINVAL with *ret_why a static reason. */
int syslog_msg_parse(const char *buf, size_t len, struct syslog_msg *ret, const char **ret_why);

/* "emerg" .. "debug" for priority & 7; "?" for -1. */
const char *syslog_severity_name(int priority);

#endif
