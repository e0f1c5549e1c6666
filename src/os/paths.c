/* SPDX-License-Identifier: MIT */
#include "os/paths.h"

#include "os/fd.h"

#include <dirent.h>
#include <glob.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int os_path_stat(const char *path, mode_t *ret_type, mode_t *ret_mode, uid_t *ret_uid, gid_t *ret_gid) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return -errno;
        if (ret_type)
                *ret_type = st.st_mode & S_IFMT;
        if (ret_mode)
                *ret_mode = st.st_mode & 07777;
        if (ret_uid)
                *ret_uid = st.st_uid;
        if (ret_gid)
                *ret_gid = st.st_gid;
        return 0;
}

int os_path_chown(const char *path, uid_t uid, gid_t gid) {
        return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int os_path_chmod(const char *path, mode_t mode) {
        /* fchmodat(AT_SYMLINK_NOFOLLOW) is not in every kernel: open the
         * path itself (O_PATH | O_NOFOLLOW) and refuse a symlink. */
        struct stat st;
        int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        char proc[64];
        int r = 0;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (S_ISLNK(st.st_mode))
                r = -ELOOP;
        else {
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                if (chmod(proc, mode) < 0)
                        r = errno == ENOENT ? -ENOSYS : -errno;   /* no /proc */
        }
        close(fd);
        if (r == -ENOSYS)
                r = chmod(path, mode) < 0 ? -errno : 0;   /* checked above: not a symlink */
        return r;
}

/* Everything below the directory dirfd, then (unless keep_top) itself. */
static int remove_below(int dirfd, unsigned depth, dev_t dev) {
        DIR *d;
        struct dirent *e;
        int r = 0;

        if (depth > 64) {
                close(dirfd);
                return -ELOOP;
        }
        d = fdopendir(dirfd);
        if (!d) {
                r = -errno;
                close(dirfd);
                return r;
        }
        while (errno = 0, (e = readdir(d)) != NULL) {
                struct stat st;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                r = -errno;
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev)
                                continue;   /* a mount below: not ours to empty */
                        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        int k = sub < 0 ? -errno : remove_below(sub, depth + 1, dev);
                        if (k == 0 && unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                                k = -errno;
                        if (k < 0)
                                r = k;
                } else if (unlinkat(dirfd, e->d_name, 0) < 0 && errno != ENOENT)
                        r = -errno;
        }
        if (errno != 0 && r == 0)
                r = -errno;
        closedir(d);
        return r;
}

int os_remove_tree(const char *path, bool keep_top) {
        struct stat st;
        int fd, r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode)) {
                if (keep_top)
                        return -ENOTDIR;
                return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
        }
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = remove_below(fd, 0, st.st_dev);
        if (r == 0 && !keep_top && rmdir(path) < 0 && errno != ENOENT)
                r = -errno;
        return r;
}

int os_write_new_file(const char *path, mode_t mode, const void *data, size_t len, bool truncate) {
        int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | (truncate ? O_TRUNC : O_EXCL);
        int fd = open(path, flags, mode);
        if (fd < 0)
                return -errno;
        int r = os_write_all(fd, data, len);
        if (close(fd) < 0 && r == 0 && errno != EINTR)
                r = -errno;
        return r;
}

int os_glob_matches(const char *pattern) {
        glob_t g;
        int r = glob(pattern, GLOB_NOSORT, NULL, &g);
        if (r == GLOB_NOMATCH)
                return 0;
        if (r != 0)
                return r == GLOB_NOSPACE ? -ENOMEM : -EIO;
        globfree(&g);
        return 1;
}

int os_path_read_only(const char *path) {
        struct statvfs s;
        if (statvfs(path, &s) < 0)
                return -errno;
        return (s.f_flag & ST_RDONLY) ? 1 : 0;
}

int os_path_size_mtime(const char *path, unsigned long long *ret_size, unsigned long long *ret_mtime_usec) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) && ret_size)
                *ret_size = 0;
        else if (ret_size)
                *ret_size = (unsigned long long)st.st_size;
        if (ret_mtime_usec)
                *ret_mtime_usec = (unsigned long long)st.st_mtim.tv_sec * 1000000ULL +
                                  (unsigned long long)st.st_mtim.tv_nsec / 1000ULL;
        return 0;
}

int os_uname_machine(char *buf, size_t size) {
        struct utsname u;
        if (uname(&u) < 0)
                return -errno;
        snprintf(buf, size, "%s", u.machine);
        return 0;
}

int os_get_hostname(char *buf, size_t size) {
        if (gethostname(buf, size) < 0)
                return -errno;
        buf[size - 1] = '\0';
        return 0;
}

gid_t os_getgid(void) {
        return getgid();
}
