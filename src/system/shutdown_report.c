/* SPDX-License-Identifier: MIT */
#include "system/shutdown_report.h"

#include "base/kmsg_format.h"
#include "base/strbuf.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/klog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EVENTS 32
#define REPORT_MAX (64 * 1024)

static struct {
        char action[16];
        char reason[1024];   /* a long unit name fits; the termination log caps it */
        uint64_t begun;          /* loop_now() */
        bool active;
        size_t n;
        struct {
                uint64_t at;
                char text[96];
        } events[MAX_EVENTS];
        char *prev_action, *prev_reason;
        char *failed_unit, *failed_lines;
        bool kernel_log;
} rep;

#define KLOG_READ_MAX (64 * 1024)
#define KLOG_TAIL_MAX (8 * 1024)

void shutdown_report_set_failed_unit(const char *unit, const char *lines) {
        if (rep.failed_unit)
                return;
        rep.failed_unit = strdup(unit);
        rep.failed_lines = lines ? strdup(lines) : NULL;
}

void shutdown_report_set_kernel_log(bool on) {
        rep.kernel_log = on;
}

/* "  | line" for each line of text. */
static void put_quoted(struct strbuf *b, const char *text) {
        for (const char *p = text; p && *p;) {
                size_t n = strcspn(p, "\n");
                strbuf_puts(b, "  | ");
                strbuf_put(b, p, n);
                strbuf_putc(b, '\n');
                p += n + (p[n] == '\n');
        }
}

static void put_failed_unit(struct strbuf *b) {
        if (!rep.failed_unit)
                return;
        strbuf_puts(b, "failed unit: ");
        strbuf_puts(b, rep.failed_unit);
        strbuf_puts(b, "\nlast lines of ");
        strbuf_puts(b, rep.failed_unit);
        strbuf_puts(b, ":\n");
        put_quoted(b, rep.failed_lines);
}

static void put_kernel_log(struct strbuf *b) {
        if (!rep.kernel_log)
                return;
        char *raw = malloc(KLOG_READ_MAX), *tail = malloc(KLOG_TAIL_MAX);
        int n = raw && tail ? os_klog_read_all(raw, KLOG_READ_MAX) : -ENOMEM;
        if (n >= 0) {
                kmsg_tail(raw, (size_t)n, SHUTDOWN_REPORT_KERNEL_LINES, tail, KLOG_TAIL_MAX);
                strbuf_puts(b, "kernel log:\n");
                put_quoted(b, tail);
        } else {
                strbuf_puts(b, "kernel log: unreadable: ");
                strbuf_puts(b, strerror(-n));
                strbuf_putc(b, '\n');
        }
        free(raw);
        free(tail);
}

void shutdown_report_begin(const char *action, const char *why) {
        snprintf(rep.action, sizeof(rep.action), "%s", action);
        snprintf(rep.reason, sizeof(rep.reason), "%s", why);
        rep.begun = loop_now();
        rep.active = true;
        rep.n = 0;
        shutdown_report_event("shutdown requested");
        log_breadcrumb("shutdown (%s): %s", action, why);
}

void shutdown_report_event(const char *fmt, ...) {
        if (!rep.active || rep.n >= MAX_EVENTS)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rep.events[rep.n].text, sizeof(rep.events[rep.n].text), fmt, ap);
        va_end(ap);
        rep.events[rep.n++].at = loop_now();
}

const char *shutdown_report_reason(void) {
        return rep.active ? rep.reason : NULL;
}

int shutdown_report_write(const char *path) {
        if (!rep.active)
                return -ENODATA;
        struct strbuf b = { 0 };
        char line[1280], stamp[32] = "unknown";
        time_t now = (time_t)(os_realtime_usec() / 1000000);
        struct tm tm;
        if (gmtime_r(&now, &tm))
                strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        uint64_t up = loop_now();
        snprintf(line, sizeof(line), "# vigil shutdown report\naction: %s\nreason: %s\ntime: %s\nuptime: %llu.%03llu s\ntimeline:\n",
                 rep.action, rep.reason, stamp, (unsigned long long)(up / 1000000),
                 (unsigned long long)(up / 1000 % 1000));
        strbuf_puts(&b, line);
        for (size_t i = 0; i < rep.n; i++) {
                uint64_t d = rep.events[i].at - rep.begun;
                snprintf(line, sizeof(line), "  +%llu.%03llu s %s\n", (unsigned long long)(d / 1000000),
                         (unsigned long long)(d / 1000 % 1000), rep.events[i].text);
                strbuf_puts(&b, line);
        }
        put_failed_unit(&b);
        put_kernel_log(&b);
        char *text = strbuf_take(&b);
        if (!text)
                return -ENOMEM;
        int r = os_write_file_atomic(path, text, strlen(text), 0644, (gid_t)-1);
        free(text);
        return r;
}

/* The value of "key: value" in text, or NULL. */
static char *field(const char *text, const char *key) {
        size_t klen = strlen(key);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, key, klen) == 0 && p[klen] == ':' && p[klen + 1] == ' ') {
                        const char *v = p + klen + 2;
                        return strndup(v, strcspn(v, "\n"));
                }
        }
        return NULL;
}

/* The previous failed unit's lines, logged again (bounded by the writer's
 * SHUTDOWN_REPORT_UNIT_LINES, and here too). */
static void log_previous_unit(const char *text) {
        char *unit = field(text, "failed unit");
        if (!unit)
                return;
        char head[300];
        snprintf(head, sizeof(head), "\nlast lines of %s:\n", unit);
        const char *p = strstr(text, head);
        log_notice("previous shutdown: failed unit %s, its last lines:", unit);
        p = p ? p + strlen(head) : NULL;
        for (unsigned i = 0; p && strncmp(p, "  | ", 4) == 0 && i < SHUTDOWN_REPORT_UNIT_LINES; i++) {
                p += 4;
                size_t n = strcspn(p, "\n");
                log_notice("previous shutdown: %s| %.*s", unit, (int)n, p);
                p += n + (p[n] == '\n');
        }
        free(unit);
}

void shutdown_report_load_previous(const char *path) {
        char *text = NULL;
        int r = os_read_file(path, REPORT_MAX, &text, NULL);
        if (r == -ENOENT)
                return;
        if (r < 0) {
                log_warning("cannot read the previous shutdown report %s: %s", path, strerror(-r));
                return;
        }
        free(rep.prev_action);
        free(rep.prev_reason);
        rep.prev_action = field(text, "action");
        rep.prev_reason = field(text, "reason");
        if (!rep.prev_action || !rep.prev_reason) {
                free(text);
                log_warning("%s: not a vigil shutdown report (no action: or reason: line)", path);
                free(rep.prev_action);
                free(rep.prev_reason);
                rep.prev_action = rep.prev_reason = NULL;
                return;
        }
        log_notice("previous shutdown: %s: %s (report %s)", rep.prev_action, rep.prev_reason, path);
        log_previous_unit(text);
        free(text);
}

const char *shutdown_report_previous_action(void) {
        return rep.prev_action;
}

const char *shutdown_report_previous_reason(void) {
        return rep.prev_reason;
}

void shutdown_report_free(void) {
        free(rep.failed_unit);
        free(rep.failed_lines);
        rep.failed_unit = rep.failed_lines = NULL;
        free(rep.prev_action);
        free(rep.prev_reason);
        rep.prev_action = rep.prev_reason = NULL;
}
