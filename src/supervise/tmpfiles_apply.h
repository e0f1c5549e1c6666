/* SPDX-License-Identifier: MIT */
/*
 * The boot's tmpfiles.d pass (--tmpfiles ROOT): the lines of
 * unit/tmpfiles.h from ROOT's configuration directories, applied below
 * ROOT (ROOT "/" is this machine), before any unit starts. What packages
 * need at boot: /run/sshd, /run/screen, a /var/log file owned by a
 * daemon's user. Each line that cannot be applied is one log line naming
 * FILE:LINE and why; the others go on and vigil boots regardless. Users
 * and groups are looked up in vigil's own databases (the machine's, even
 * for another ROOT). Nothing is followed through a symlink where a path is
 * changed (os/paths.h).
 */
#ifndef VIGIL_SUPERVISE_TMPFILES_APPLY_H
#define VIGIL_SUPERVISE_TMPFILES_APPLY_H

/* Apply ROOT's tmpfiles.d. The number of lines applied, or -errno when
 * nothing could be read (-ENOMEM). Everything is logged here. */
int tmpfiles_apply(const char *root);

#endif
