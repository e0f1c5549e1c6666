/* SPDX-License-Identifier: MIT */
/*
 * The control protocol, version 1 (docs/CONTROL.md): one request line per
 * connection, one reply (a header line, then body lines, then EOF).
 *
 *   request:  "vigil/1 VERB [ARG...]\n"        at most 4096 bytes
 *   reply:    "vigil/1 CODE TEXT\n" BODY        CODE = vigilctl's exit code
 *
 * Body lines are TAB-separated fields, each escaped (\\ \t \n \r), so any
 * STATUS= text fits in one field. Pure: parsing, formatting, escaping.
 */
#ifndef VIGIL_CONTROL_CONTROL_MSG_H
#define VIGIL_CONTROL_CONTROL_MSG_H

#include "base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

#define CONTROL_VERSION "vigil/1"
#define CONTROL_REQUEST_MAX 4096
#define CONTROL_ARGS_MAX 64

enum control_verb {
        CONTROL_STATUS,          /* [UNIT...] */
        CONTROL_START,           /* UNIT... */
        CONTROL_STOP,            /* UNIT... */
        CONTROL_RESTART,         /* UNIT... */
        CONTROL_RELOAD,          /* UNIT... */
        CONTROL_KILL,            /* SIGNAL UNIT... */
        CONTROL_LOG,             /* LINES FOLLOW(0|1) [UNIT] */
        CONTROL_CHECK,           /* [live|ready|startup] */
        CONTROL_HISTORY,         /* UNIT */
        CONTROL_METRICS,
        CONTROL_DAEMON_RELOAD,
        CONTROL_REBOOT,          /* [WORD...]: the RESTART2 argument, words joined by one space */
        CONTROL_POWEROFF,
        CONTROL_HALT,
        CONTROL_WATCHDOG,        /* [snooze SEC] */
        CONTROL_VERB_MAX,
};

/* Reply codes: the exit codes of vigilctl (SPEC §6). 5 (not reachable) is the client's own. */
enum control_code {
        CONTROL_OK = 0,
        CONTROL_FAILED = 1,
        CONTROL_USAGE = 2,
        CONTROL_NOT_FOUND = 3,
        CONTROL_DENIED = 4,
};

struct control_request {
        enum control_verb verb;
        const char *args[CONTROL_ARGS_MAX];
        size_t n_args;
        char buf[CONTROL_REQUEST_MAX + 1];  /* args point in here */
};

/* Parse one request line (with or without its '\n'). -EPROTO for another
 * version, -EINVAL for anything else malformed; *ret_why says what. */
int control_request_parse(const char *line, size_t len, struct control_request *ret, const char **ret_why);

/* "vigil/1 VERB ARG...\n"; -EINVAL if an argument is empty or has a space
 * or control character, or the line would be too long. */
int control_request_format(enum control_verb verb, const char *const *args, size_t n_args, struct strbuf *out);

const char *control_verb_name(enum control_verb v);
int control_verb_from_name(const char *name);

/* Reply header "vigil/1 CODE TEXT\n". */
void control_reply_header(struct strbuf *out, enum control_code code, const char *text);
/* Parse a reply header: 0 with *ret_code and *ret_text (into line), or -EPROTO. */
int control_reply_parse_header(char *line, int *ret_code, const char **ret_text);

/* One escaped field; fields of a line are separated by '\t' (the caller's). */
void control_put_field(struct strbuf *out, const char *s);
/* v in decimal (a numeric field). */
void control_put_u64(struct strbuf *out, uint64_t v);
/* Split a body line (no '\n') into at most max fields, unescaping in place. */
size_t control_split_fields(char *line, char **fields, size_t max);

#endif
