/* SPDX-License-Identifier: MIT */
/*
 * Making, owning and removing paths, for a unit's RuntimeDirectory= and
 * its kin (supervise/unit_dirs.c) and the boot's tmpfiles.d pass
 * (supervise/tmpfiles_apply.c). Returns 0 or -errno; never logs. Symlinks are
 * never followed where a path is changed (chown, chmod, removal), so a
 * link planted in /run cannot turn a change on to another file.
 */
#ifndef VIGIL_OS_PATHS_H
#define VIGIL_OS_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Of path itself (lstat(2)): its S_IFMT bits into *ret_type, its owner
 * and mode bits (07777) into the others (each may be NULL). */
int os_path_stat(const char *path, mode_t *ret_type, mode_t *ret_mode, uid_t *ret_uid, gid_t *ret_gid);

/* chown(2)/chmod(2) of path itself, never through a symlink (-ELOOP for one). */
int os_path_chown(const char *path, uid_t uid, gid_t gid);
int os_path_chmod(const char *path, mode_t mode);

/* Remove path and everything below it, not following symlinks nor
 * crossing mounts; keep_top: only what is below it. A missing path is 0.
 * Bounded by depth (-ELOOP deeper than 64 levels). */
int os_remove_tree(const char *path, bool keep_top);

/* A regular file at path with data[0..len): made when missing (-EEXIST
 * when something is there and !truncate), emptied first when truncate
 * (O_NOFOLLOW: a symlink is -ELOOP). mode before the umask. */
int os_write_new_file(const char *path, mode_t mode, const void *data, size_t len, bool truncate);

/* For Condition*= (supervise/unit_conditions.c): whether any path matches
 * the glob(3) pattern; whether path (symlinks followed) is on a read-only
 * file system (1) or not (0); the size and mtime (usec) of what path names
 * (followed). -errno when it cannot be examined. */
int os_glob_matches(const char *pattern);
int os_path_read_only(const char *path);
int os_path_size_mtime(const char *path, unsigned long long *ret_size, unsigned long long *ret_mtime_usec);

/* uname(2)'s machine ("x86_64"), and the host name, into buf. */
int os_uname_machine(char *buf, size_t size);
int os_get_hostname(char *buf, size_t size);
/* getgid(2). */
gid_t os_getgid(void);

#endif
