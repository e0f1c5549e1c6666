/* SPDX-License-Identifier: MIT */
#include "core/log.h"

#include "os/fd.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int current_level = LOG_LEVEL_NOTICE; /* set once from the options */

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
}
