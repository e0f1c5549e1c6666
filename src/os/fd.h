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
/* write() all of buf, retrying EINTR; -EAGAIN is returned as is. */
int os_write_all(int fd, const void *buf, size_t len);
int os_isatty(int fd);
/* Read a whole small file into a NUL-terminated malloc'd buffer (max bytes). */
int os_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

#endif
