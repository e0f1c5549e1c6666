/* SPDX-License-Identifier: MIT */
#include "core/log.h"

#include "base/kmsg_format.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/klog.h"

#include <errno.h>
#include <fcntl.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int current_level = LOG_LEVEL_NOTICE; /* set once from the options */

static struct {
        char kmsg_path[64];
        int kmsg_fd;                    /* -1: no kmsg sink */
        unsigned kmsg_writes;           /* since the last open (the kernel's rate limit) */
        unsigned long long kmsg_dropped;
        char pmsg_path[128];            /* "": no breadcrumbs */
        int pmsg_fd;                    /* -1: not open (yet) */
        unsigned breadcrumbs;
        unsigned long long pmsg_dropped;
        /* Breadcrumbs made while the device could not be opened, written
         * once it can (the boot's, before its file system is mounted). */
        char pending[LOG_BREADCRUMBS_PENDING][KMSG_BREADCRUMB_MAX];
        size_t pending_len[LOG_BREADCRUMBS_PENDING];
        unsigned n_pending;
} sink = { .kmsg_fd = -1, .pmsg_fd = -1 };

static int open_write_only(const char *path) {
        return os_open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0);
}

int log_open_kmsg(const char *path) {
        if ((size_t)snprintf(sink.kmsg_path, sizeof(sink.kmsg_path), "%s", path) >= sizeof(sink.kmsg_path))
                return -ENAMETOOLONG;
        int fd = open_write_only(path);
        if (fd < 0)
                return fd;
        if (sink.kmsg_fd >= 0)
                os_close(sink.kmsg_fd);
        sink.kmsg_fd = fd;
        sink.kmsg_writes = 0;
        return 0;
}

static void kmsg_write(int level, const char *text) {
        if (sink.kmsg_fd < 0)
                return;
        if (sink.kmsg_writes >= LOG_KMSG_REOPEN) {
                int fd = open_write_only(sink.kmsg_path);
                if (fd >= 0) {     /* else go on with the old fd: its records may be rate-limited */
                        os_close(sink.kmsg_fd);
                        sink.kmsg_fd = fd;
                        sink.kmsg_writes = 0;
                }
        }
        char rec[KMSG_RECORD_MAX];
        size_t n = kmsg_format_record(level, "vigil", text, rec, sizeof(rec));
        sink.kmsg_writes++;
        if (n == 0 || os_write_once(sink.kmsg_fd, rec, n) != (ssize_t)n)
                sink.kmsg_dropped++;
}

static void pmsg_write(const char *line, size_t n) {
        if (os_write_once(sink.pmsg_fd, line, n) != (ssize_t)n)
                sink.pmsg_dropped++;
}

/* O_APPEND: a regular file standing in for the device keeps every boot's. */
static int open_pmsg(void) {
        if (sink.pmsg_fd >= 0 || !sink.pmsg_path[0])
                return sink.pmsg_fd < 0 ? -ENOENT : 0;
        int fd = os_open(sink.pmsg_path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY, 0);
        if (fd < 0)
                return fd;
        sink.pmsg_fd = fd;
        for (unsigned i = 0; i < sink.n_pending; i++)
                pmsg_write(sink.pending[i], sink.pending_len[i]);
        sink.n_pending = 0;
        return 0;
}

int log_open_breadcrumbs(const char *path) {
        if (sink.pmsg_fd >= 0)
                os_close(sink.pmsg_fd);
        sink.pmsg_fd = -1;
        if ((size_t)snprintf(sink.pmsg_path, sizeof(sink.pmsg_path), "%s", path) >= sizeof(sink.pmsg_path)) {
                sink.pmsg_path[0] = '\0';
                return -ENAMETOOLONG;
        }
        return open_pmsg();
}

void log_breadcrumb(const char *fmt, ...) {
        if (!sink.pmsg_path[0])
                return;
        if (sink.breadcrumbs >= LOG_BREADCRUMBS_MAX) {
                sink.pmsg_dropped++;
                return;
        }
        char text[KMSG_BREADCRUMB_MAX], line[KMSG_BREADCRUMB_MAX];
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (m < 0)
                return;
        size_t n = kmsg_format_breadcrumb(os_realtime_usec(), text, line, sizeof(line));
        sink.breadcrumbs++;
        if (n > 0 && open_pmsg() < 0 && sink.n_pending < LOG_BREADCRUMBS_PENDING) {
                memcpy(sink.pending[sink.n_pending], line, n);
                sink.pending_len[sink.n_pending++] = n;
                return;
        }
        if (n == 0 || sink.pmsg_fd < 0 || os_write_once(sink.pmsg_fd, line, n) != (ssize_t)n)
                sink.pmsg_dropped++;
}

void log_release_breadcrumbs(void) {
        if (sink.pmsg_fd >= 0)
                os_close(sink.pmsg_fd);
        sink.pmsg_fd = -1;
}

unsigned long long log_kmsg_dropped(void) {
        return sink.kmsg_dropped;
}

unsigned long long log_breadcrumbs_dropped(void) {
        return sink.pmsg_dropped;
}

void log_close_sinks(void) {
        if (sink.kmsg_fd >= 0)
                os_close(sink.kmsg_fd);
        if (sink.pmsg_fd >= 0)
                os_close(sink.pmsg_fd);
        sink.kmsg_fd = sink.pmsg_fd = -1;
        sink.pmsg_path[0] = '\0';
}

void log_set_level(int level) {
        if (level < LOG_LEVEL_ERROR)
                level = LOG_LEVEL_ERROR;
        if (level > LOG_LEVEL_DEBUG)
                level = LOG_LEVEL_DEBUG;
        current_level = level;
}

int log_get_level(void) {
        return current_level;
}

void log_msg(int level, const char *fmt, ...) {
        char buf[1024];
        if (level > current_level)
                return;
        int n = snprintf(buf, sizeof(buf), "vigil: ");
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        if (m < 0)
                return;
        size_t len = (size_t)n + (size_t)m;
        if (len > sizeof(buf) - 2)
                len = sizeof(buf) - 2; /* truncated: still one whole line */
        buf[len++] = '\n';
        (void)os_write_all(STDERR_FILENO, buf, len);
        buf[len - 1] = '\0';
        kmsg_write(level, buf + n);
}
