/* SPDX-License-Identifier: MIT */
/* File descriptors. Returns 0/fd or -errno; never logs. */
#ifndef VIGIL_OS_FD_H
#define VIGIL_OS_FD_H

#include <stddef.h>
#include <sys/types.h>

/* Mark every fd above 2 close-on-exec: what vigil inherited must not leak
 * into the processes it starts. */
int os_cloexec_inherited_fds(void);
void os_close(int fd);
/* Whether fd is open: 1 or 0. */
int os_fd_is_open(int fd);
/* Open path onto whichever of fds 0, 1, 2 is closed (an init started without
 * a console), so nothing vigil opens later lands there by accident. */
int os_fill_stdio(const char *path);
/* write() all of buf, retrying EINTR; -EAGAIN is returned as is. */
int os_write_all(int fd, const void *buf, size_t len);
int os_isatty(int fd);

/* open(2) with O_CLOEXEC added; the fd or -errno. */
int os_open(const char *path, int flags, mode_t mode);
/* Whether path exists (stat follows symlinks). */
int os_path_exists(const char *path);
/* Whether vigil's effective ids may write path (faccessat AT_EACCESS): 0 or -errno. */
int os_path_writable(const char *path);
/* The real uid (here, not in proc.c, so that vigilctl's small link has it). */
uid_t os_getuid(void);
/* pipe2(O_CLOEXEC | extra); 0 or -errno. */
int os_pipe(int fds[2], int extra_flags);

/* Make fd at least min (dup, close the original) if it is below; the fd or -errno. */
int os_fd_move_above(int fd, int min);


/* unlink(2); 0, or -errno (-ENOENT when already gone). */
int os_unlink(const char *path);

#endif
