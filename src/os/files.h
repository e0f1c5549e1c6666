/* SPDX-License-Identifier: MIT */
/*
 * Files and directories: the one bounded file reader and the one sorted
 * directory lister, for unit loading (SPEC §4), start-up scripts and the
 * container environment (SPEC §9), the options file and the shutdown
 * report. Returns 0 or -errno; never logs.
 *
 * Every listing is sorted bytewise by name (strcmp, never the locale), so
 * the order is the one Python's sorted() gives my_init for UTF-8 names.
 * Every loop over a directory is bounded by the caller's maximum.
 */
#ifndef VIGIL_OS_FILES_H
#define VIGIL_OS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Prefix of the temporary files os_write_file_atomic() makes next to its
 * target; a reader of the directory skips such names (a crash may leave
 * one behind). */
#define OS_ATOMIC_TEMP_PREFIX ".vigil-tmp."

struct os_dir_entry {
        char *name;
        bool directory;     /* lstat(2): the entry itself is a directory */
        bool regular;       /* stat(2), symlinks followed: a regular file */
        bool executable;    /* regular, and access(2) X_OK grants execution */
};

/* The entries of dir but "." and "..", sorted. -ENOENT / -ENOTDIR when dir
 * is missing / not a directory, -E2BIG when it has more than max entries. */
int os_dir_list(const char *dir, size_t max, struct os_dir_entry **ret, size_t *ret_n);
void os_dir_list_free(struct os_dir_entry **v, size_t *n);

/* The one file reader: the whole of path into a NUL-terminated malloc'd
 * buffer (*ret_len, when not NULL, its length without the NUL). Bounded and
 * FIFO-safe: opened O_NONBLOCK, then only a regular file is read (symlinks
 * followed); -EISDIR for a directory, -EINVAL for anything else that is not
 * a regular file (a FIFO, a device), -EFBIG when it has more than max bytes,
 * or the open/read error. */
int os_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

struct os_file_content {
        char *name;
        char *content;      /* NUL-terminated as well; NULL when error != 0 */
        size_t size;
        int error;          /* -errno: -EISDIR / -EINVAL for what is not a regular
                             * file, -EFBIG above max_size, or the read error */
};

/* Read every entry of dir (sorted), each as a regular file of at most
 * max_size bytes. A FIFO or device is never opened for reading (O_NONBLOCK,
 * then fstat). Per-file failures are in .error; the call itself fails only
 * when dir cannot be listed (as os_dir_list) or on -ENOMEM. */
int os_dir_read_files(const char *dir, size_t max_files, size_t max_size, struct os_file_content **ret,
                      size_t *ret_n);
void os_dir_files_free(struct os_file_content **v, size_t *n);

/* Replace path with data[0..len) so that a reader sees the old or the new
 * content, never a mix: a temporary file OS_ATOMIC_TEMP_PREFIX... in the same
 * directory (created 0600), its group set to gid (unless gid == (gid_t)-1)
 * and then its mode to mode, the data written, then rename(2) over path. The
 * owner is the caller's. No fsync: this is about readers, not power loss. */
int os_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, gid_t gid);

/* mkdir(2); 0 when made, -EEXIST when something is already there. */
int os_make_dir(const char *path, mode_t mode);

/* Whether path names a directory (stat(2), symlinks followed). */
bool os_is_dir(const char *path);
/* Whether path names a regular file (symlinks followed) this process may
 * execute (access(2) X_OK), as os_dir_entry.executable. */
bool os_is_executable_file(const char *path);

/* The id of group name, from the group database (getgrnam(3): /etc/group in
 * a static musl build). -ENOENT when there is no such group. */
int os_group_id(const char *name, gid_t *ret);

#endif
