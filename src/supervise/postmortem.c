/* SPDX-License-Identifier: MIT */
#include "supervise/postmortem.h"

#include "base/strbuf.h"
#include "core/log.h"
#include "logcap/log_file.h"
#include "logcap/output.h"
#include "supervise/unit_view.h"
#include "system/shutdown_report.h"
#include "unit/unit_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KMSG_DEVICE "/dev/kmsg"
#define PMSG_DEVICE "/dev/pmsg0"
#define UNIT_LINE_MAX 200               /* per line in the report */

static char *cause;                     /* the unit behind the shutdown */

/* output.c's file hook: a line went into a unit's ring. */
static void file_line(struct log_ring *ring, const struct log_record *rec) {
        log_file_line(unit_name(unit_view_log_owner(ring)), rec);
}

static void open_log_files(const struct postmortem_config *c) {
        struct log_file_config lc = {
                .dir = c->log_dir,
                .max_size = c->log_file_size ? c->log_file_size : LOG_FILE_SIZE_DEFAULT,
                .count = c->log_file_count == UINT64_MAX ? LOG_FILE_COUNT_DEFAULT : (unsigned)c->log_file_count,
        };
        int r = log_file_init(&lc);
        if (r < 0) {
                log_warning("--log-dir %s: %s; no log files", c->log_dir, strerror(-r));
                return;
        }
        output_set_file_hook(file_line);
        log_info("unit output also goes to %s/NAME.log (at most %llu bytes each, %u rotated)", c->log_dir,
                 (unsigned long long)lc.max_size, lc.count);
}

void postmortem_init(const struct postmortem_config *c) {
        if (c->is_machine) {
                int r = log_open_kmsg(KMSG_DEVICE);
                if (r < 0)
                        log_warning("cannot open %s, logging to the console only: %s", KMSG_DEVICE, strerror(-r));
                shutdown_report_set_kernel_log(true);
        }
        const char *pmsg = c->pmsg_device ? c->pmsg_device : PMSG_DEVICE;
        if (c->system_mode && strcmp(pmsg, "none") != 0) {
                int r = log_open_breadcrumbs(pmsg);
                if (r == 0)
                        log_info("breadcrumbs go to %s", pmsg);
                else if (r != -ENOENT || c->pmsg_device)
                        log_notice("cannot open %s for breadcrumbs yet: %s; trying again at each one", pmsg,
                                   strerror(-r));
                log_breadcrumb("boot (%s)", c->is_machine ? "the machine's init" : "--system");
        }
        if (c->log_dir)
                open_log_files(c);
}

void postmortem_unit_failed(const struct unit *u) {
        log_breadcrumb("%s failed (result %s)", unit_name(u), unit_result_to_string(unit_get_result(u)));
}

void postmortem_shutdown_cause(const struct unit *u) {
        if (!cause)
                cause = strdup(unit_name(u));
}

/* The last SHUTDOWN_REPORT_UNIT_LINES lines of u's ring, each cut to
 * UNIT_LINE_MAX bytes, control bytes as spaces. NULL without memory. */
static char *last_lines(const struct unit *u) {
        struct strbuf b = { 0 };
        const struct log_ring *ring = unit_view_log(u);
        struct log_ring_iter it;
        struct log_record rec;
        strbuf_puts(&b, "");
        log_ring_iter_last(ring, SHUTDOWN_REPORT_UNIT_LINES, &it);
        while (log_ring_next(ring, &it, &rec)) {
                size_t n = rec.len < UNIT_LINE_MAX ? rec.len : UNIT_LINE_MAX;
                for (size_t i = 0; i < n; i++) {
                        unsigned char ch = (unsigned char)rec.line[i];
                        strbuf_putc(&b, (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch);
                }
                strbuf_putc(&b, '\n');
        }
        return strbuf_take(&b);
}

void postmortem_end(struct unit *(*find)(const char *name)) {
        const struct unit *u = cause ? find(cause) : NULL;
        if (u) {
                char *lines = last_lines(u);
                shutdown_report_set_failed_unit(unit_name(u), lines);
                free(lines);
        }
        log_release_breadcrumbs();   /* its file system may be unmounted next */
        if (log_file_enabled()) {
                log_file_flush();
                if (log_file_dropped() > 0)
                        log_notice("log files: %llu lines dropped", log_file_dropped());
        }
}

void postmortem_free(void) {
        output_set_file_hook(NULL);
        log_file_free();
        free(cause);
        cause = NULL;
}
