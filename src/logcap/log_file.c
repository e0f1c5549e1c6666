/* SPDX-License-Identifier: MIT */
#include "logcap/log_file.h"

#include "core/log.h"
#include "core/loop.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/klog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct unit_file {
        struct unit_file *next;
        char *name;
        char *buf;                      /* LOG_FILE_BUFFER, NULL until the first line */
        size_t used;
        unsigned lines;                 /* in buf */
        unsigned long long dropped;     /* since the last successful write */
        bool failing;                   /* the last write failed (logged once) */
};

static struct {
        char *dir;
        uint64_t max_size;
        unsigned count;
        struct unit_file *files;
        struct loop_timer timer;
        unsigned long long dropped;
        bool on;
} lf;

static void flush_fired(struct loop_timer *t);

int log_file_init(const struct log_file_config *c) {
        if (!c->dir || c->dir[0] != '/' || c->max_size < LOG_FILE_SIZE_MIN || c->count > LOG_FILE_COUNT_MAX)
                return -EINVAL;
        lf.dir = strdup(c->dir);
        if (!lf.dir)
                return -ENOMEM;
        lf.max_size = c->max_size;
        lf.count = c->count;
        loop_timer_init(&lf.timer, flush_fired, NULL);
        lf.on = true;
        return 0;
}

bool log_file_enabled(void) {
        return lf.on;
}

/* A short list, the unit that wrote last at its head (a flood finds itself at once). */
static struct unit_file *file_of(const char *unit) {
        for (struct unit_file **p = &lf.files; *p; p = &(*p)->next)
                if (strcmp((*p)->name, unit) == 0) {
                        struct unit_file *f = *p;
                        *p = f->next;
                        f->next = lf.files;
                        lf.files = f;
                        return f;
                }
        struct unit_file *f = calloc(1, sizeof(*f));
        if (!f || !(f->name = strdup(unit))) {
                free(f);
                return NULL;
        }
        f->next = lf.files;
        lf.files = f;
        return f;
}

static int path_of(const struct unit_file *f, unsigned generation, char *dst, size_t room) {
        int n = generation ? snprintf(dst, room, "%s/%s.log.%u", lf.dir, f->name, generation)
                           : snprintf(dst, room, "%s/%s.log", lf.dir, f->name);
        return n < 0 || (size_t)n >= room ? -ENAMETOOLONG : 0;
}

/* NAME.log.(N-1) -> NAME.log.N ... NAME.log -> NAME.log.1 (N = 0: NAME.log goes). */
static int rotate(const struct unit_file *f) {
        char from[4096], to[4096];
        if (lf.count == 0) {
                int r = path_of(f, 0, from, sizeof(from));
                return r < 0 ? r : os_unlink(from);
        }
        for (unsigned g = lf.count; g > 0; g--) {
                if (path_of(f, g - 1, from, sizeof(from)) < 0 || path_of(f, g, to, sizeof(to)) < 0)
                        return -ENAMETOOLONG;
                int r = os_rename(from, to);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

/* Open NAME.log for the buffer, rotating first when it would pass the bound. */
static int open_for(const struct unit_file *f) {
        char path[4096];
        off_t size = 0;
        if (path_of(f, 0, path, sizeof(path)) < 0)
                return -ENAMETOOLONG;
        int fd = os_open_append(path, 0644, &size);
        if (fd == -ENOENT && os_make_dir(lf.dir, 0755) == 0)   /* its file system came later */
                fd = os_open_append(path, 0644, &size);
        if (fd < 0 || size == 0 || (uint64_t)size + f->used <= lf.max_size)
                return fd;
        os_close(fd);
        int r = rotate(f);
        if (r < 0)
                return r;
        return os_open_append(path, 0644, &size);
}

static void write_out(struct unit_file *f) {
        if (f->used == 0)
                return;
        int fd = open_for(f);
        ssize_t n = fd < 0 ? fd : os_write_once(fd, f->buf, f->used);
        if (fd >= 0)
                os_close(fd);
        if (n == (ssize_t)f->used) {
                if (f->failing)
                        log_notice("%s: writing %s/%s.log again", f->name, lf.dir, f->name);
                f->failing = false;
        } else {
                /* A short write keeps what went out; the rest counts as lost lines. */
                unsigned lost = n > 0 ? 1 : f->lines;
                if (!f->failing)
                        log_warning("%s: cannot write %s/%s.log: %s; dropping its lines until it works again",
                                    f->name, lf.dir, f->name, n < 0 ? strerror((int)-n) : "short write");
                f->failing = true;
                f->dropped += lost;
                lf.dropped += lost;
        }
        f->used = 0;
        f->lines = 0;
}

static void flush_fired(struct loop_timer *t) {
        (void)t;
        log_file_flush();
}

/* Render "TIME [PID] text\n" into dst (room >= 64). */
static size_t render(const struct log_record *rec, char *dst, size_t room) {
        time_t secs = (time_t)(rec->realtime_usec / 1000000);
        struct tm tm;
        char stamp[32] = "1970-01-01T00:00:00";
        if (gmtime_r(&secs, &tm))
                strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        int h = snprintf(dst, room, "%s.%03uZ [%d] ", stamp, (unsigned)(rec->realtime_usec / 1000 % 1000),
                         (int)rec->pid);
        if (h < 0 || (size_t)h >= room)
                return 0;
        size_t n = (size_t)h;
        for (size_t i = 0; i < rec->len && n + 1 < room; i++) {
                unsigned char c = (unsigned char)rec->line[i];
                dst[n++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
        }
        dst[n++] = '\n';
        return n;
}

static bool append(struct unit_file *f, const char *p, size_t len) {
        if (f->used + len > LOG_FILE_BUFFER)
                return false;
        memcpy(f->buf + f->used, p, len);
        f->used += len;
        f->lines++;
        return true;
}

void log_file_line(const char *unit, const struct log_record *rec) {
        if (!lf.on)
                return;
        struct unit_file *f = file_of(unit);
        if (f && !f->buf)
                f->buf = malloc(LOG_FILE_BUFFER);
        if (!f || !f->buf) {
                lf.dropped++;
                return;
        }
        char line[LOG_FILE_LINE_MAX + 64];
        size_t n = render(rec, line, sizeof(line));
        if (f->used + n > LOG_FILE_BUFFER)
                write_out(f);
        if (f->dropped > 0) {
                char note[96];
                int m = snprintf(note, sizeof(note), "vigil: %llu lines dropped\n", f->dropped);
                if (m > 0 && append(f, note, (size_t)m))
                        f->dropped = 0;
        }
        if (n == 0 || !append(f, line, n)) {
                f->dropped++;
                lf.dropped++;
                return;
        }
        if (f->used >= LOG_FILE_BUFFER / 2)
                write_out(f);
        else if (lf.timer.heap_index == TIMER_NOT_ARMED && loop_timer_arm_in(&lf.timer, LOG_FILE_FLUSH_USEC) < 0)
                write_out(f);
}

void log_file_flush(void) {
        for (struct unit_file *f = lf.files; f; f = f->next)
                write_out(f);
        if (lf.on)
                loop_timer_cancel(&lf.timer);
}

unsigned long long log_file_dropped(void) {
        return lf.dropped;
}

void log_file_free(void) {
        log_file_flush();
        while (lf.files) {
                struct unit_file *f = lf.files;
                lf.files = f->next;
                free(f->name);
                free(f->buf);
                free(f);
        }
        free(lf.dir);
        memset(&lf, 0, sizeof(lf));
}
