/* SPDX-License-Identifier: MIT */
/*
 * Where unit definitions come from (SPEC §4): the supervisor side of unit
 * loading. It lists a units directory, finds NAME.service.d/ *.conf
 * drop-ins, reads every file with os/files' one bounded, FIFO-safe reader
 * and hands the bytes to the pure loader (unit/unit_load.h
 * unit_load_from_texts()); src/unit/ itself never touches the filesystem.
 *
 * Listings are os_dir_list()'s: sorted bytewise (strcmp, as systemd's
 * conf_files_list()), hidden names and directories skipped, bounded.
 * Diagnostics are the loader's, plus "cannot read" / "cannot list drop-ins"
 * with the file's path; nothing here logs.
 */
#ifndef VIGIL_SUPERVISE_UNIT_SOURCE_H
#define VIGIL_SUPERVISE_UNIT_SOURCE_H

#include "supervise/unit_layout.h"
#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <stddef.h>

/* At most this many matching entries in one directory: nobody has 10,000
 * drop-ins or units. */
#define UNIT_SOURCE_FILES_MAX 10000

/* The sorted paths "dir/NAME" of dir's non-hidden entries whose name ends in
 * suffix (directories skipped); none when dir does not exist or is not a
 * directory. 0, -E2BIG past UNIT_SOURCE_FILES_MAX, or -errno. */
int unit_source_list_dir(const char *dir, const char *suffix, char ***ret_paths, size_t *ret_n);
void unit_source_paths_free(char **paths, size_t n);

/* path (".../NAME.service"), then its path + ".d/" *.conf drop-ins, read and
 * loaded by unit_load_from_texts() with NAME = the file name. ret is always
 * initialised (see unit_load_from_texts()). A file that cannot be read is an
 * error diagnostic and -errno. */
int unit_source_load(const char *path, struct unit_config *ret, struct unit_diags *diags);

/* The unit `name` from paths[0] (its file) and paths[1..n) (drop-ins, in
 * the order to apply), as unit_source_load(). */
int unit_source_load_files(const char *name, char *const *paths, size_t n_paths, struct unit_config *ret,
                           struct unit_diags *diags);

/* The unit found in the layout (kind UNIT_FOUND_FILE): its file and the
 * drop-ins of every directory read and loaded under f->name. */
int unit_source_load_found(const struct unit_layout *l, const struct unit_found *f, struct unit_config *ret,
                     struct unit_diags *diags);

/* A small file (an EnvironmentFile=, a PIDFile=): os/files' bounded reader
 * with the unit file's cap (UNIT_FILE_SIZE_MAX). 0 or -errno. */
int unit_source_read_file(const char *path, char **ret_text, size_t *ret_size);

#endif
