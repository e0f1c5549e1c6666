/* SPDX-License-Identifier: MIT */
/*
 * What the post-mortem needs from the kernel and the file system: the
 * kernel log buffer's text (syslog(2) READ_ALL: one call, non-destructive,
 * the newest bytes when the buffer is bigger than ours), and the size and
 * renaming of log files for rotation. 0 / -errno; never logs.
 */
#ifndef VIGIL_OS_KLOG_H
#define VIGIL_OS_KLOG_H

#include <stddef.h>
#include <sys/types.h>

/* The last up to len bytes of the kernel log ("<N>[time] text" lines):
 * the byte count, or -errno (-EPERM without CAP_SYSLOG). */
int os_klog_read_all(char *buf, size_t len);

/* Open path for appending (O_WRONLY|O_APPEND|O_CREAT|O_NONBLOCK|O_CLOEXEC,
 * mode): the fd, and its size now in *ret_size. -errno. */
int os_open_append(const char *path, mode_t mode, off_t *ret_size);

/* One write(2), retried on EINTR only: the bytes written or -errno. */
ssize_t os_write_once(int fd, const void *buf, size_t len);

/* rename(2): 0 or -errno. */
int os_rename(const char *from, const char *to);

#endif
