/* SPDX-License-Identifier: MIT */
/*
 * The control protocol (src/control/control_msg.c): the input is read as a
 * request line, as a reply header and as a body line, and its NUL-separated
 * pieces as fields.
 * Invariants: a request that parses formats back to a line that parses to
 * the same verb and arguments; a reply header that parses, written again,
 * parses to the same code and text; any string without a NUL goes through
 * control_put_field() and control_split_fields() unchanged, alone or as one
 * of several TAB-separated fields.
 */
#include "fuzz.h"

#include "control/control_msg.h"

#include <errno.h>

static void check_request(const uint8_t *data, size_t size) {
        struct control_request *rq = fuzz_alloc(sizeof(*rq));
        struct control_request *again = fuzz_alloc(sizeof(*again));
        char *line = fuzz_memdup(data, size);
        const char *why = NULL;
        int r = control_request_parse(line, size, rq, &why);

        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EPROTO);
        if (r < 0) {
                FUZZ_CHECK(why && why[0]);
                goto out;
        }
        FUZZ_CHECK(rq->verb < CONTROL_VERB_MAX && rq->n_args <= CONTROL_ARGS_MAX);
        /* The canonical line: single spaces, then '\n'. */
        size_t canonical = strlen(CONTROL_VERSION) + 1 + strlen(control_verb_name(rq->verb)) + 1;
        for (size_t i = 0; i < rq->n_args; i++)
                canonical += 1 + strlen(rq->args[i]);
        struct strbuf out = { 0 };
        r = control_request_format(rq->verb, rq->args, rq->n_args, &out);
        char *text = strbuf_take(&out);
        FUZZ_CHECK(text);
        /* Both count CONTROL_REQUEST_MAX without the '\n': whatever parses formats. */
        FUZZ_CHECK(r == 0);
        {
                size_t len = strlen(text);
                FUZZ_CHECK(len == canonical && text[len - 1] == '\n');
                FUZZ_CHECK(control_request_parse(text, len, again, &why) == 0);
                FUZZ_CHECK(again->verb == rq->verb && again->n_args == rq->n_args);
                for (size_t i = 0; i < rq->n_args; i++)
                        FUZZ_CHECK(strcmp(again->args[i], rq->args[i]) == 0);
        }
        free(text);
out:
        free(line);
        free(again);
        free(rq);
}

static void check_reply_header(const uint8_t *data, size_t size) {
        char *line = fuzz_strndup(data, size);
        int code;
        const char *text;

        if (control_reply_parse_header(line, &code, &text) == 0) {
                FUZZ_CHECK(code >= 0 && code <= 99);
                FUZZ_CHECK(text >= line && text <= line + strlen(line));
                struct strbuf out = { 0 };
                control_reply_header(&out, (enum control_code)code, text);
                char *header = strbuf_take(&out);
                FUZZ_CHECK(header);
                size_t len = strlen(header);
                FUZZ_CHECK(len > 0 && header[len - 1] == '\n');
                header[len - 1] = '\0';
                FUZZ_CHECK(!strpbrk(header, "\r\n"));
                int code2;
                const char *text2;
                FUZZ_CHECK(control_reply_parse_header(header, &code2, &text2) == 0);
                FUZZ_CHECK(code2 == code && strlen(text2) == strlen(text));
                for (size_t i = 0; text[i]; i++)
                        FUZZ_CHECK(text2[i] == ((text[i] == '\n' || text[i] == '\r') ? ' ' : text[i]));
                free(header);
        }
        free(line);
}

#define FIELDS_MAX 16

static void check_fields(const uint8_t *data, size_t size) {
        /* The raw input as a body line: split, never past max. */
        char *line = fuzz_strndup(data, size);
        char *fields[FIELDS_MAX];
        size_t n = control_split_fields(line, fields, FIELDS_MAX);
        FUZZ_CHECK(n >= 1 && n <= FIELDS_MAX);
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(fields[i] >= line && fields[i] <= line + size);
        FUZZ_CHECK(control_split_fields(line, fields, 0) == 0);
        free(line);

        /* NUL-separated pieces as fields: put, join with TABs, split back. */
        char *want[FIELDS_MAX];
        size_t n_want = 0;
        struct fuzz_cutter c = fuzz_cutter(data, size, "\0", 1);
        const uint8_t *piece;
        size_t len;
        while (n_want < FIELDS_MAX && fuzz_next_piece(&c, &piece, &len))
                want[n_want++] = fuzz_strndup(piece, len);
        struct strbuf out = { 0 };
        for (size_t i = 0; i < n_want; i++) {
                if (i)
                        strbuf_putc(&out, '\t');
                control_put_field(&out, want[i]);
        }
        char *joined = strbuf_take(&out);
        FUZZ_CHECK(joined);
        FUZZ_CHECK(!strpbrk(joined, "\n\r"));
        n = control_split_fields(joined, fields, FIELDS_MAX);
        FUZZ_CHECK(n == n_want);
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(strcmp(fields[i], want[i]) == 0);
        free(joined);
        for (size_t i = 0; i < n_want; i++)
                free(want[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        check_request(data, size);
        check_reply_header(data, size);
        check_fields(data, size);
        return 0;
}
