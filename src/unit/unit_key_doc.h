/* SPDX-License-Identifier: MIT */
/*
 * The unit keys as the documentation must state them, taken from the
 * binary itself: every row of the key table (unit_keys.c), its default as
 * unit_config_init() sets it, formatted as man/vigil.service.5 writes it
 * ("100ms", "infinity", "control-group", "SIGTERM", "yes"), and whether vigil
 * enforces it or only accepts it. `vigil --list-unit-keys` prints these
 * rows; tests/docs checks the man page against them, so a key added to the
 * table without a man page entry, or a default changed in one place only,
 * fails the docs test.
 *
 * Defaults that are not a unit key's own (TimeoutStartSec=/TimeoutStopSec=
 * come from the manager, per mode) are passed in by the caller. A key with
 * no fixed default (ExecStart=, User=, a list) has the text "-". Pure.
 */
#ifndef VIGIL_UNIT_UNIT_KEY_DOC_H
#define VIGIL_UNIT_UNIT_KEY_DOC_H

#include <stdbool.h>
#include <stddef.h>

struct unit_key_doc {
        const char *section, *key;
        char default_text[96];
        bool enforced;        /* false: parsed and validated, no effect yet */
};

/* Row i of the key table; -ENOENT past its end. timeout_stop_text is the
 * default of TimeoutStopSec= as the manager applies it (it depends on the
 * mode: --default-timeout-stop-sec). */
int unit_key_doc_at(size_t i, const char *timeout_stop_text, struct unit_key_doc *ret);

#endif
