/* SPDX-License-Identifier: MIT */
/*
 * Loading a NAME.service (SPEC §4): the unit file, then its drop-ins
 * NAME.service.d/ *.conf in lexical order, applied assignment by assignment
 * to a struct unit_config through one key table (section, key, parser,
 * offset) in unit_load.c.
 *
 * Rules (systemd.unit(5), systemd.service(5)):
 *  - a later assignment overrides an earlier one; list keys accumulate, and
 *    an empty assignment ("ExecStart=") empties the list; an empty
 *    assignment of a scalar key puts its default back;
 *  - unknown sections and keys are warnings with file:line, then ignored;
 *    names starting "X-" are ignored silently, and so is all of [Install]
 *    (and Documentation=, which only informs);
 *  - a malformed value is an error with file:line naming the key; loading
 *    goes on so that every diagnostic is collected in one pass, and the
 *    load then fails with -EINVAL;
 *  - a value systemd accepts but vigil cannot honour is a warning saying
 *    what vigil does instead (StandardOutput=tty -> inherit, MemoryMax=50%
 *    -> unset, Type=idle -> simple, ...);
 *  - at the end, systemd's service_verify() and service_add_extras():
 *    ExecStart= is required and unique unless Type=oneshot, which needs
 *    ExecStart=, RemainAfterExit=yes or SuccessAction=; Type=oneshot may
 *    not have Restart=always/on-success; Type=forking without PIDFile= is a
 *    warning; NotifyAccess=none becomes main for Type=notify and for
 *    WatchdogSec= (systemd does this even when none was written); a
 *    oneshot without TimeoutStartSec= gets infinity (and _set = true).
 *
 * Where vigil differs from systemd, on purpose:
 *  - systemd warns and goes on for most malformed values; vigil refuses the
 *    unit (SPEC §4). Invalid names in After=/Wants=/... stay warnings, as
 *    in systemd: the name is dropped, the unit loads.
 *  - An empty After=/Before=/Requires=/Wants=/BindsTo=/PartOf= empties the
 *    list (SPEC §4: "empty assignment resets a list"); systemd ignores it.
 *  - Description= keeps its text when it has an unsupported specifier
 *    ("100% busy"), with a warning.
 *
 * Pure except the three functions marked "reads the filesystem", which are
 * the only ones here that touch it.
 */
#ifndef VIGIL_UNIT_UNIT_LOAD_H
#define VIGIL_UNIT_UNIT_LOAD_H

#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>

struct unit_source {
        const char *path;    /* for diagnostics, and kept in unit_config.sources */
        const char *text;    /* need not be NUL-terminated */
        size_t size;
};

/* A plain or instance unit name of a known type ("db.service",
 * "getty@tty1.service", "network.target"), as systemd's
 * unit_name_is_valid(PLAIN | INSTANCE). */
bool unit_name_is_valid(const char *name);

/* Is section.key in the key table (supported, or deliberately ignored)? */
bool unit_load_key_known(const char *section, const char *key);

/* Load the service `name` from sources[0] (the unit file) and
 * sources[1..n) (its drop-ins, in the order to apply). ret is always
 * initialised: on success it holds the unit; on failure it has been freed
 * (unit_config_free() on it is harmless either way). Diagnostics are
 * appended to diags. 0, -EINVAL (errors diagnosed), -ENOMEM. */
int unit_load_from_texts(const char *name, const struct unit_source *sources, size_t n_sources,
                         struct unit_config *ret, struct unit_diags *diags);

/* Reads the filesystem: the paths of dir's *.conf files (hidden ones and
 * directories skipped), sorted by file name (strcmp, like systemd's
 * conf_files_list()). A missing dir is 0 entries. 0 or -errno. */
int unit_load_list_dropins(const char *dir, char ***ret_paths, size_t *ret_n);
/* Reads the filesystem: the sorted paths of dir's non-hidden entries whose
 * name ends in suffix (not directories); none when dir does not exist. */
int unit_load_list_dir(const char *dir, const char *suffix, char ***ret_paths, size_t *ret_n);
void unit_load_paths_free(char **paths, size_t n);

/* Reads the filesystem: a whole file, at most UNIT_FILE_SIZE_MAX + 1 bytes
 * (so that the lexer can report a file as too large), NUL-terminated for
 * convenience. 0 or -errno. */
int unit_load_read_file(const char *path, char **ret_text, size_t *ret_size);

/* Reads the filesystem: path (".../NAME.service"), then path + ".d/"
 * drop-ins, then unit_load_from_texts() with NAME = the file name. A file
 * that cannot be read is an error diagnostic and -errno. */
int unit_load_from_path(const char *path, struct unit_config *ret, struct unit_diags *diags);

#endif
