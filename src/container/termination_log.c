/* SPDX-License-Identifier: MIT */
#include "container/termination_log.h"

#include "core/log.h"
#include "os/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t termination_log_format(const char *reason, int code, char *buf, size_t size) {
        char tail[48];
        int t = snprintf(tail, sizeof(tail), " (vigil exit status %d)\n", code);
        const char *r = reason ? reason : "vigil exited";
        size_t len = strlen(r);
        if ((size_t)t + 4 > size) {      /* no room for any reason: the status alone, cut */
                snprintf(buf, size, "%s", tail + 1);
                return strlen(buf);
        }
        size_t room = size - 1 - (size_t)t;
        if (len <= room) {
                snprintf(buf, size, "%s%s", r, tail);
                return len + (size_t)t;
        }
        /* Too long: as much of the reason as fits before "...", never half
         * a UTF-8 sequence (continuation bytes are 10xxxxxx). */
        size_t keep = room - 3;
        while (keep > 0 && ((unsigned char)r[keep] & 0xC0) == 0x80)
                keep--;
        memcpy(buf, r, keep);
        memcpy(buf + keep, "...", 3);
        memcpy(buf + keep + 3, tail, (size_t)t + 1);
        return keep + 3 + (size_t)t;
}

static bool disabled(const char *path) {
        return path && (path[0] == '\0' || strcmp(path, "none") == 0);
}

void termination_log_write(const char *path, const char *reason, int code) {
        if (disabled(path))
                return;
        bool given = path != NULL;
        if (!given) {
                path = TERMINATION_LOG_DEFAULT;
                if (os_path_exists(path) != 1 || os_path_writable(path) < 0)
                        return; /* not under an orchestrator that reads it */
        }
        char text[TERMINATION_LOG_MAX];
        size_t len = termination_log_format(reason, code, text, sizeof(text));
        /* O_NONBLOCK: a FIFO there must not hang vigil's exit. */
        int fd = os_open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_NONBLOCK | (given ? O_CREAT : 0), 0644);
        int r = fd < 0 ? fd : os_write_all(fd, text, len);
        if (fd >= 0)
                os_close(fd);
        if (r < 0)
                log_warning("cannot write the termination log %s: %s", path, strerror(-r));
        else
                log_debug("termination log %s: %.*s", path, (int)(len - 1), text);
}
