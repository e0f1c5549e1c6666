/* SPDX-License-Identifier: MIT */
#include "logcap/syslog_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* "<PRI>" at buf: its length (3..5) and value, 0 when buf opens none, -1 when malformed. */
static int parse_pri(const char *buf, size_t len, int *ret) {
        size_t i = 1;
        int v = 0;
        if (len == 0 || buf[0] != '<')
                return 0;
        while (i < len && i <= 3 && is_digit(buf[i]))
                v = v * 10 + (buf[i++] - '0');
        if (i == 1 || i >= len || buf[i] != '>' || v > 191 || (buf[1] == '0' && i > 2))
                return -1;
        *ret = v;
        return (int)i + 1;
}

/* "Mmm dd hh:mm:ss " (RFC 3164 section 4.1.2; the day space-padded). */
static bool is_bsd_timestamp(const char *p, size_t len) {
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
                return false;
        bool month = false;
        for (int m = 0; m < 12 && !month; m++)
                month = memcmp(p, months + 3 * m, 3) == 0;
        return month && (p[4] == ' ' || is_digit(p[4])) && is_digit(p[5]) && is_digit(p[7]) && is_digit(p[8]) &&
               is_digit(p[10]) && is_digit(p[11]) && is_digit(p[13]) && is_digit(p[14]);
}

static pid_t parse_pid(const char *p, size_t len) {
        long v = 0;
        if (len == 0 || len > 9)
                return 0;
        for (size_t i = 0; i < len; i++) {
                if (!is_digit(p[i]))
                        return 0;
                v = v * 10 + (p[i] - '0');
        }
        return (pid_t)v;
}

/* "TAG[PID]: " or "TAG: " at p; the rest is the message either way. */
static void parse_bsd_body(const char *p, size_t len, struct syslog_msg *m) {
        size_t t = 0;
        if (len >= 16 && is_bsd_timestamp(p, len)) {
                p += 16;
                len -= 16;
        }
        m->message = p;
        m->message_len = len;
        while (t < len && t <= SYSLOG_TAG_MAX && p[t] != ' ' && p[t] != '[' && p[t] != ':')
                t++;
        if (t == 0 || t > SYSLOG_TAG_MAX || t == len)
                return;
        size_t after = t;
        pid_t pid = 0;
        if (p[t] == '[') {
                const char *close = memchr(p + t, ']', len - t);
                if (!close)
                        return;
                pid = parse_pid(p + t + 1, (size_t)(close - p) - t - 1);
                after = (size_t)(close - p) + 1;
        }
        if (after >= len || p[after] != ':')
                return;
        after++;
        if (after < len && p[after] == ' ')
                after++;
        m->tag = p;
        m->tag_len = t;
        m->pid = pid;
        m->message = p + after;
        m->message_len = len - after;
}

/* One RFC 5424 header word at *p: its span; false when none is left. */
static bool next_word(const char **p, const char *end, const char **ret, size_t *ret_len) {
        const char *s = *p;
        const char *e = memchr(s, ' ', (size_t)(end - s));
        if (s >= end)
                return false;
        if (!e)
                e = end;
        *ret = s;
        *ret_len = (size_t)(e - s);
        *p = e < end ? e + 1 : end;
        return *ret_len > 0;
}

/* STRUCTURED-DATA: "-" or "[...]"+ (RFC 5424 section 6.3); the end, or NULL. */
static const char *skip_sd(const char *p, const char *end) {
        if (p < end && *p == '-')
                return p + 1;
        if (p >= end || *p != '[')
                return NULL;
        while (p < end && *p == '[') {
                bool quoted = false;
                for (p++; p < end; p++) {
                        if (quoted && *p == '\\' && p + 1 < end)
                                p++;
                        else if (*p == '"')
                                quoted = !quoted;
                        else if (!quoted && *p == ']')
                                break;
                }
                if (p >= end)
                        return NULL;
                p++;
        }
        return p;
}

static int parse_5424(const char *p, const char *end, struct syslog_msg *m, const char **why) {
        const char *w[5];
        size_t wl[5];
        for (int i = 0; i < 5; i++)   /* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID */
                if (!next_word(&p, end, &w[i], &wl[i])) {
                        *why = "an RFC 5424 header cut short";
                        return -EINVAL;
                }
        p = skip_sd(p, end);
        if (!p || (p < end && *p != ' ')) {
                *why = "malformed RFC 5424 structured data";
                return -EINVAL;
        }
        if (p < end)
                p++;
        if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
                p += 3;
        m->version = 1;
        if (!(wl[2] == 1 && w[2][0] == '-')) {
                m->tag = w[2];
                m->tag_len = wl[2] > SYSLOG_TAG_MAX ? SYSLOG_TAG_MAX : wl[2];
        }
        m->pid = parse_pid(w[3], wl[3]);
        m->message = p;
        m->message_len = (size_t)(end - p);
        return 0;
}

int syslog_msg_parse(const char *buf, size_t len, struct syslog_msg *m, const char **why) {
        int pri = -1, n;
        *m = (struct syslog_msg){ .priority = -1, .message = buf };
        *why = "";
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == '\0'))
                len--;
        if (len == 0) {
                *why = "empty";
                return -EINVAL;
        }
        if (memchr(buf, '\0', len)) {
                *why = "holds a NUL byte";
                return -EINVAL;
        }
        n = parse_pri(buf, len, &pri);
        if (n < 0) {
                *why = "a '<' that opens no priority <0> to <191>";
                return -EINVAL;
        }
        m->priority = pri;
        buf += n;
        len -= (size_t)n;
        if (n > 0 && len >= 2 && buf[0] == '1' && buf[1] == ' ')
                return parse_5424(buf + 2, buf + len, m, why);
        parse_bsd_body(buf, len, m);
        return 0;
}

const char *syslog_severity_name(int priority) {
        static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };
        return priority < 0 ? "?" : names[priority & 7];
}
