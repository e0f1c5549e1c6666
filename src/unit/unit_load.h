/* SPDX-License-Identifier: MIT */
/*
 * Loading a NAME.service (SPEC §4): the unit file, then its drop-ins
 * NAME.service.d/ *.conf in lexical order, applied assignment by assignment
 * to a struct unit_config through one key table (section, key, parser,
 * offset) in unit_keys.c (unit_keys.h).
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
 * A NAME.target loads too (systemd.target(5)): its [Unit] keys, no
 * [Service]; it becomes a Type=oneshot RemainAfterExit=yes unit with no
 * command, active once started: a grouping and ordering point.
 *
 * Pure: the caller reads the files (supervise/unit_source.c) and hands
 * their bytes over.
 */
#ifndef VIGIL_UNIT_UNIT_LOAD_H
#define VIGIL_UNIT_UNIT_LOAD_H

#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>

struct unit_source {
        const char *path;    /* for diagnostics, and kept in unit_config.sources */
        const char *text;    /* need not be NUL-terminated; NULL when the file was
                              * too large to read (size > UNIT_FILE_SIZE_MAX):
                              * the lexer reports it */
        size_t size;
};

/* Is section.key in the key table (supported, or deliberately ignored)? */
bool unit_load_key_known(const char *section, const char *key);

/* Load the service `name` from sources[0] (the unit file) and
 * sources[1..n) (its drop-ins, in the order to apply). ret is always
 * initialised: on success it holds the unit; on failure it has been freed
 * (unit_config_free() on it is harmless either way). Diagnostics are
 * appended to diags. 0, -EINVAL (errors diagnosed), -ENOMEM. */
int unit_load_from_texts(const char *name, const struct unit_source *sources, size_t n_sources,
                         struct unit_config *ret, struct unit_diags *diags);


#endif
