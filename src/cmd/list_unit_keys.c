/* SPDX-License-Identifier: MIT */
#include "cmd/list_unit_keys.h"

#include "base/timespan.h"
#include "cmd/options.h"
#include "os/fd.h"
#include "unit/unit_key_doc.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool list_unit_keys_requested(int argc, char **argv) {
        return argc == 2 && strcmp(argv[1], "--list-unit-keys") == 0;
}

/* TimeoutStopSec='s default is --default-timeout-stop-sec's, per mode. */
static void timeout_stop_text(char *buf, size_t size) {
        struct vigil_options container, system;
        char a[32], b[32];

        options_init(&container);
        options_init(&system);
        options_apply_defaults(&container, false);
        options_apply_defaults(&system, true);
        snprintf(buf, size, "%s (container mode), %s (system mode)",
                 timespan_format(container.default_timeout_stop_usec, a, sizeof(a)),
                 timespan_format(system.default_timeout_stop_usec, b, sizeof(b)));
        options_free(&container);
        options_free(&system);
}

int list_unit_keys_print(void) {
        struct unit_key_doc d;
        char stop[96], line[256];

        timeout_stop_text(stop, sizeof(stop));
        for (size_t i = 0; unit_key_doc_at(i, stop, &d) == 0; i++) {
                int n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\n", d.section, d.key, d.default_text,
                                 d.enforced ? "enforced" : "not-enforced");
                if (n < 0 || (size_t)n >= sizeof(line) || os_write_all(STDOUT_FILENO, line, (size_t)n) < 0)
                        return 1;
        }
        return 0;
}
