/* SPDX-License-Identifier: MIT */
/*
 * Symbolic links, for the systemd unit layout (supervise/unit_layout.h):
 * reading a link (masks "-> /dev/null", aliases, *.wants/ entries) and
 * making and removing the links `systemctl enable` / `mask` write.
 * Returns 0 or -errno; never logs.
 */
#ifndef VIGIL_OS_LINKS_H
#define VIGIL_OS_LINKS_H

/* The target of the symlink path (malloc'd, NUL-terminated, at most 4095
 * bytes). -EINVAL when path is not a symlink, -ENOENT when nothing is there. */
int os_read_link(const char *path, char **ret);

/* symlink(2) target at path; -EEXIST when something is there. */
int os_symlink(const char *target, const char *path);

/* (Removing a link: os_unlink() of os/fd.h.) */

#endif
