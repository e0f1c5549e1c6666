/* SPDX-License-Identifier: MIT */
#include "control/control_msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verb_names[CONTROL_VERB_MAX] = {
        [CONTROL_STATUS] = "status",     [CONTROL_START] = "start",
        [CONTROL_STOP] = "stop",         [CONTROL_RESTART] = "restart",
        [CONTROL_RELOAD] = "reload",     [CONTROL_KILL] = "kill",
        [CONTROL_LOG] = "log",           [CONTROL_CHECK] = "check",
        [CONTROL_HISTORY] = "history",   [CONTROL_METRICS] = "metrics",
        [CONTROL_DAEMON_RELOAD] = "daemon-reload",
        [CONTROL_REBOOT] = "reboot",     [CONTROL_POWEROFF] = "poweroff",
        [CONTROL_HALT] = "halt",         [CONTROL_WATCHDOG] = "watchdog",
};

/* Arguments each verb takes: [min, max]. */
static const struct {
        unsigned char min, max;
} arity[CONTROL_VERB_MAX] = {
        [CONTROL_STATUS] = { 0, CONTROL_ARGS_MAX },  [CONTROL_START] = { 1, CONTROL_ARGS_MAX },
        [CONTROL_STOP] = { 1, CONTROL_ARGS_MAX },    [CONTROL_RESTART] = { 1, CONTROL_ARGS_MAX },
        [CONTROL_RELOAD] = { 1, CONTROL_ARGS_MAX },  [CONTROL_KILL] = { 2, CONTROL_ARGS_MAX },
        [CONTROL_LOG] = { 2, 3 },                    [CONTROL_CHECK] = { 0, 1 },  
        [CONTROL_HISTORY] = { 1, 1 },                [CONTROL_METRICS] = { 0, 0 },
        [CONTROL_DAEMON_RELOAD] = { 0, 0 },          [CONTROL_REBOOT] = { 0, 32 },
        [CONTROL_POWEROFF] = { 0, 0 },               [CONTROL_HALT] = { 0, 0 },
        [CONTROL_WATCHDOG] = { 0, 2 },
};

const char *control_verb_name(enum control_verb v) {
        return (unsigned)v < CONTROL_VERB_MAX ? verb_names[v] : "?";
}

int control_verb_from_name(const char *name) {
        for (int i = 0; i < CONTROL_VERB_MAX; i++)
                if (strcmp(verb_names[i], name) == 0)
                        return i;
        return -EINVAL;
}

static int fail(const char **ret_why, const char *why, int r) {
        if (ret_why)
                *ret_why = why;
        return r;
}

int control_request_parse(const char *line, size_t len, struct control_request *ret, const char **ret_why) {
        if (len > 0 && line[len - 1] == '\n')
                len--;
        if (len == 0)
                return fail(ret_why, "empty request", -EINVAL);
        if (len > CONTROL_REQUEST_MAX)
                return fail(ret_why, "request too long", -EINVAL);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)line[i];
                if (c < 0x20 || c == 0x7f)
                        return fail(ret_why, "control character in request", -EINVAL);
        }
        memcpy(ret->buf, line, len);
        ret->buf[len] = '\0';
        ret->n_args = 0;

        char *save = NULL;
        char *version = strtok_r(ret->buf, " ", &save);
        if (!version || strcmp(version, CONTROL_VERSION) != 0)
                return fail(ret_why, "unsupported protocol version (this vigil speaks " CONTROL_VERSION ")", -EPROTO);
        char *verb = strtok_r(NULL, " ", &save);
        if (!verb)
                return fail(ret_why, "missing command", -EINVAL);
        int v = control_verb_from_name(verb);
        if (v < 0)
                return fail(ret_why, "unknown command", -EINVAL);
        ret->verb = (enum control_verb)v;
        for (char *a; (a = strtok_r(NULL, " ", &save));) {
                if (ret->n_args == CONTROL_ARGS_MAX)
                        return fail(ret_why, "too many arguments", -EINVAL);
                ret->args[ret->n_args++] = a;
        }
        if (ret->n_args < arity[v].min)
                return fail(ret_why, "missing argument", -EINVAL);
        if (ret->n_args > arity[v].max)
                return fail(ret_why, "too many arguments", -EINVAL);
        return 0;
}

int control_request_format(enum control_verb verb, const char *const *args, size_t n_args, struct strbuf *out) {
        if ((unsigned)verb >= CONTROL_VERB_MAX || n_args > CONTROL_ARGS_MAX)
                return -EINVAL;
        /* The line without its '\n', as control_request_parse() counts it. */
        size_t len = strlen(CONTROL_VERSION) + 1 + strlen(verb_names[verb]);
        for (size_t i = 0; i < n_args; i++) {
                if (!args[i][0])
                        return -EINVAL;
                for (const char *p = args[i]; *p; p++)
                        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
                                return -EINVAL;
                len += strlen(args[i]) + 1;
        }
        if (len > CONTROL_REQUEST_MAX)
                return -EINVAL;
        strbuf_puts(out, CONTROL_VERSION " ");
        strbuf_puts(out, verb_names[verb]);
        for (size_t i = 0; i < n_args; i++) {
                strbuf_putc(out, ' ');
                strbuf_puts(out, args[i]);
        }
        strbuf_putc(out, '\n');
        return out->oom ? -ENOMEM : 0;
}

void control_reply_header(struct strbuf *out, enum control_code code, const char *text) {
        char head[32];
        snprintf(head, sizeof(head), CONTROL_VERSION " %d ", (int)code);
        strbuf_puts(out, head);
        for (const char *p = text; *p; p++)
                strbuf_putc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
        strbuf_putc(out, '\n');
}

int control_reply_parse_header(char *line, int *ret_code, const char **ret_text) {
        size_t vl = strlen(CONTROL_VERSION);
        if (strncmp(line, CONTROL_VERSION " ", vl + 1) != 0)
                return -EPROTO;
        char *p = line + vl + 1, *end;
        long code = strtol(p, &end, 10);
        if (end == p || code < 0 || code > 99 || (*end != ' ' && *end != '\0'))
                return -EPROTO;
        *ret_code = (int)code;
        *ret_text = *end ? end + 1 : end;
        return 0;
}

void control_put_field(struct strbuf *out, const char *s) {
        for (const char *p = s ? s : ""; *p; p++) {
                switch (*p) {
                case '\\': strbuf_puts(out, "\\\\"); break;
                case '\t': strbuf_puts(out, "\\t"); break;
                case '\n': strbuf_puts(out, "\\n"); break;
                case '\r': strbuf_puts(out, "\\r"); break;
                default: strbuf_putc(out, *p); break;
                }
        }
}

void control_put_u64(struct strbuf *out, uint64_t v) {
        char n[24];
        snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
        strbuf_puts(out, n);
}

size_t control_split_fields(char *line, char **fields, size_t max) {
        size_t n = 0;
        if (max == 0)
                return 0;
        char *r = line, *w = line;
        fields[n++] = w;
        for (; *r; r++) {
                if (*r == '\t') {
                        *w++ = '\0';
                        if (n == max)
                                return n;  /* extra fields (a newer vigil) are ignored */
                        fields[n++] = w;
                } else if (*r == '\\' && r[1]) {
                        r++;
                        *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
        return n;
}
