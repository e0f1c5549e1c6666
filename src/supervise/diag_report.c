/* SPDX-License-Identifier: MIT */
#include "supervise/diag_report.h"

#include "core/log.h"

void unit_report_diags(const struct unit_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                const struct unit_diag *x = &d->v[i];
                int level = x->severity == UNIT_DIAG_ERROR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING;
                if (x->line)
                        log_msg(level, "%s:%u: %s", x->file ? x->file : "?", x->line, x->message);
                else
                        log_msg(level, "%s: %s", x->file ? x->file : "?", x->message);
        }
        if (d->n_dropped)
                log_warning("%zu more messages not shown", d->n_dropped);
}
