/* SPDX-License-Identifier: MIT */
#include "os/klog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL 3   /* syslog(2) */

int os_klog_read_all(char *buf, size_t len) {
        if (len > (size_t)1 << 30)
                len = (size_t)1 << 30;
        int n = klogctl(SYSLOG_ACTION_READ_ALL, buf, (int)len);
        return n < 0 ? -errno : n;
}

int os_open_append(const char *path, mode_t mode, off_t *ret_size) {
        int fd;
        do
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        *ret_size = st.st_size;
        return fd;
}

ssize_t os_write_once(int fd, const void *buf, size_t len) {
        ssize_t n;
        do
                n = write(fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

int os_rename(const char *from, const char *to) {
        return rename(from, to) < 0 ? -errno : 0;
}
