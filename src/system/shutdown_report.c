/* SPDX-License-Identifier: MIT */
#include "system/shutdown_report.h"

#include "base/strbuf.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/files.h"

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
} rep;

void shutdown_report_begin(const char *action, const char *why) {
        snprintf(rep.action, sizeof(rep.action), "%s", action);
        snprintf(rep.reason, sizeof(rep.reason), "%s", why);
        rep.begun = loop_now();
        rep.active = true;
        rep.n = 0;
        shutdown_report_event("shutdown requested");
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
        free(text);
        if (!rep.prev_action || !rep.prev_reason) {
                log_warning("%s: not a vigil shutdown report (no action: or reason: line)", path);
                free(rep.prev_action);
                free(rep.prev_reason);
                rep.prev_action = rep.prev_reason = NULL;
                return;
        }
        log_notice("previous shutdown: %s: %s (report %s)", rep.prev_action, rep.prev_reason, path);
}

const char *shutdown_report_previous_action(void) {
        return rep.prev_action;
}

const char *shutdown_report_previous_reason(void) {
        return rep.prev_reason;
}

void shutdown_report_free(void) {
        free(rep.prev_action);
        free(rep.prev_reason);
        rep.prev_action = rep.prev_reason = NULL;
}
