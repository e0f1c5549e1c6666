/* SPDX-License-Identifier: MIT */
/*
 * The acting half of unit/exec_dirs.h: a unit's RuntimeDirectory=,
 * StateDirectory=, CacheDirectory=, LogsDirectory= and
 * ConfigurationDirectory= are made at the first spawn of each start
 * (before ExecStartPre=, with the User=/Group= just looked up), and its
 * RuntimeDirectory= removed when it comes to rest (dead, failed) or, with
 * RuntimeDirectoryPreserve=no, also before an automatic restart.
 *
 * Making: the parents 0755 (as they come), the innermost directory with
 * *DirectoryMode= (chmod'ed also when it existed, as systemd does) and the
 * unit's user and group (not for ConfigurationDirectory=). A failure
 * fails the start, logged once here with the unit's name (systemd's
 * 233/RUNTIME_DIRECTORY and kin). The ownership of what is below the
 * innermost directory is left as it is (systemd chowns it recursively when
 * the top's owner changed; not done here).
 */
#ifndef VIGIL_SUPERVISE_UNIT_DIRS_H
#define VIGIL_SUPERVISE_UNIT_DIRS_H

#include "unit/spawn_build.h"
#include "unit/unit_config.h"
#include "unit/unit_state.h"

/* cred: NULL when the unit sets no User=/Group= (root keeps them). 0 or -errno (logged). */
int unit_dirs_make(const char *name, const struct unit_config *c, const struct spawn_credentials *cred);

/* The state change old -> s of the unit: removes its RuntimeDirectory=
 * when RuntimeDirectoryPreserve= says so (failures logged, carrying on). */
void unit_dirs_state_changed(const char *name, const struct unit_config *c, enum unit_state old, enum unit_state s);

#endif
