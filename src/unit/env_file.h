/* SPDX-License-Identifier: MIT */
/*
 * Environment lists and EnvironmentFile= files (systemd.exec(5)).
 *
 * An environment list is an array of "KEY=VALUE" strings, NULL-terminated
 * once non-empty, with its count beside it (as unit_config.environment).
 * Setting a key that is already there replaces that entry in place, as
 * systemd's strv_env_replace(): order of first appearance, later value wins.
 *
 * The file format is systemd's parse_env_file_internal() (src/basic/
 * env-file.c) state machine: KEY=VALUE lines; blank lines; '#' or ';' at the
 * start of a line comments it out; whitespace around the key and before the
 * value is dropped, trailing whitespace of an unquoted value too; in an
 * unquoted value a backslash quotes the next character and backslash-newline
 * joins lines; '…' quotes literally; "…" quotes with \" \\ \` \$ and
 * backslash-newline unescaped (any other backslash kept, as the shell does);
 * quoted values may span lines. A quote opens only at the start of the
 * value or right after a closing quote: `A="x" y` gives "xy" and `A=x'y'`
 * keeps its quotes, as in systemd.
 *
 * Where vigil differs, on purpose:
 *  - "export KEY=VALUE" is read as KEY=VALUE, so a file shared with shell
 *    scripts works (systemd rejects it as the invalid name "export KEY");
 *  - lines without '=' and invalid names are warnings, the line skipped
 *    (systemd skips the first silently and drops the second later); an
 *    unterminated quote at the end is kept, with a warning;
 *  - a NUL byte ends the file with a warning (systemd stops there
 *    silently); a file over UNIT_FILE_SIZE_MAX is an error.
 *
 * Pure: takes the text; never reads a file, never logs.
 */
#ifndef VIGIL_UNIT_ENV_FILE_H
#define VIGIL_UNIT_ENV_FILE_H

#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>

/* Letters, digits and '_', not starting with a digit, non-empty
 * (systemd's env_name_is_valid()). */
bool env_name_is_valid(const char *name, size_t len);
/* "NAME=..." with a valid NAME. */
bool env_assignment_is_valid(const char *assignment);

/* Copy assignment ("KEY=VALUE", valid) into the list: replace the entry for
 * KEY in place, or append. 0, -EINVAL (not an assignment), -ENOMEM. */
int env_list_set(char ***env, size_t *n, const char *assignment);
void env_list_free(char ***env, size_t *n);

/* Parse an environment file's text[0..size) into the list (merged with what
 * it holds). Diagnostics carry path:line. 0 (warnings possible), -EFBIG
 * (too large; error added), -ENOMEM. */
int env_file_parse(const char *path, const char *text, size_t size, char ***env, size_t *n,
                   struct unit_diags *diags);

#endif
