/* SPDX-License-Identifier: MIT */
#include "os/links.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int os_read_link(const char *path, char **ret) {
        char buf[PATH_MAX];
        *ret = NULL;
        ssize_t n = readlink(path, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        if ((size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        *ret = strndup(buf, (size_t)n);
        return *ret ? 0 : -ENOMEM;
}

int os_symlink(const char *target, const char *path) {
        return symlink(target, path) < 0 ? -errno : 0;
}
