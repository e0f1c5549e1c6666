/* SPDX-License-Identifier: MIT */
/*
 * `vigil --list-unit-keys` (hidden: for tests/docs, not a user interface):
 * one line per row of the unit key table, "SECTION<TAB>KEY<TAB>DEFAULT<TAB>
 * enforced|not-enforced" (unit/unit_key_doc.h), so the man page of the
 * unit-file subset, vigil.service(5), is checked against the binary.
 */
#ifndef VIGIL_CMD_LIST_UNIT_KEYS_H
#define VIGIL_CMD_LIST_UNIT_KEYS_H

#include <stdbool.h>

/* Whether argv asks for the listing (exactly "vigil --list-unit-keys"). */
bool list_unit_keys_requested(int argc, char **argv);
/* Print the listing on stdout; returns the exit code. */
int list_unit_keys_print(void);

#endif
