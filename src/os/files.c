/* SPDX-License-Identifier: MIT */
#include "os/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare_entry(const void *a, const void *b) {
        return strcmp(((const struct os_dir_entry *)a)->name, ((const struct os_dir_entry *)b)->name);
}

void os_dir_list_free(struct os_dir_entry **v, size_t *n) {
        for (size_t i = 0; *v && i < *n; i++)
                free((*v)[i].name);
        free(*v);
        *v = NULL;
        *n = 0;
}

/* Names only, unsorted; the open directory stays open for the caller. */
static int list_names(int dir_fd, size_t max, struct os_dir_entry **ret, size_t *ret_n) {
        /* fdopendir() takes the fd over and closedir() closes it: a
         * CLOEXEC copy, so the caller keeps its own. */
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        struct os_dir_entry *v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        r = -errno;
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n == max) {
                        r = -E2BIG;
                        break;
                }
                if (n == cap) {
                        size_t new_cap = cap ? cap * 2 : 16;
                        struct os_dir_entry *nv = realloc(v, new_cap * sizeof(*v));
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                        cap = new_cap;
                }
                v[n] = (struct os_dir_entry){ .name = strdup(de->d_name) };
                if (!v[n].name) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (r < 0) {
                os_dir_list_free(&v, &n);
                return r;
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), compare_entry);
        *ret = v;
        *ret_n = n;
        return 0;
}

static int open_dir(const char *dir) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int os_dir_list(const char *dir, size_t max, struct os_dir_entry **ret, size_t *ret_n) {
        int fd = open_dir(dir);
        if (fd < 0)
                return fd;
        int r = list_names(fd, max, ret, ret_n);
        for (size_t i = 0; r == 0 && i < *ret_n; i++) {
                struct os_dir_entry *e = &(*ret)[i];
                struct stat st;
                /* .directory as readdir(3)'s d_type would say (the entry
                 * itself); .regular with symlinks followed, as my_init's
                 * os.path.isfile() and os.access() do; a dangling one is
                 * simply not regular. */
                bool seen = fstatat(fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
                e->directory = seen && S_ISDIR(st.st_mode);
                if (seen && S_ISLNK(st.st_mode))
                        seen = fstatat(fd, e->name, &st, 0) == 0;
                e->regular = seen && S_ISREG(st.st_mode);
                e->executable = e->regular && faccessat(fd, e->name, X_OK, 0) == 0;
        }
        close(fd);
        return r;
}

void os_dir_files_free(struct os_file_content **v, size_t *n) {
        for (size_t i = 0; *v && i < *n; i++) {
                free((*v)[i].name);
                free((*v)[i].content);
        }
        free(*v);
        *v = NULL;
        *n = 0;
}

/* The one file reader: path relative to dir_fd (AT_FDCWD for a plain
 * path). O_NONBLOCK on open, so that a FIFO without a writer never blocks
 * PID 1, then fstat(2): only a regular file is read (/proc and sysfs files
 * are regular too; their st_size means nothing, so the size is what read(2)
 * gives, one byte past max to notice a file that is too large). */
static int read_at(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_size) {
        int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        int r = 0;
        char *buf = NULL;
        size_t len = 0;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (S_ISDIR(st.st_mode))
                r = -EISDIR;
        else if (!S_ISREG(st.st_mode))
                r = -EINVAL;
        else if (max == SIZE_MAX || !(buf = malloc(max + 1)))
                r = -ENOMEM;
        while (r == 0) {
                ssize_t got = read(fd, buf + len, max + 1 - len);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0)
                        r = -errno;
                else if (got == 0)
                        break;
                else if ((len += (size_t)got) > max)
                        r = -EFBIG;
        }
        close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[len] = '\0';
        *ret = buf;
        if (ret_size)
                *ret_size = len;
        return 0;
}

int os_read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        return read_at(AT_FDCWD, path, max, ret, ret_len);
}

int os_dir_read_files(const char *dir, size_t max_files, size_t max_size, struct os_file_content **ret,
                      size_t *ret_n) {
        int fd = open_dir(dir);
        if (fd < 0)
                return fd;
        struct os_dir_entry *names;
        size_t n;
        int r = list_names(fd, max_files, &names, &n);
        if (r < 0) {
                close(fd);
                return r;
        }
        struct os_file_content *v = calloc(n + 1, sizeof(*v));
        if (!v)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                v[i].name = names[i].name;
                names[i].name = NULL;
                v[i].error = read_at(fd, v[i].name, max_size, &v[i].content, &v[i].size);
                if (v[i].error == -ENOMEM)
                        r = -ENOMEM;
        }
        close(fd);
        size_t count = n;
        os_dir_list_free(&names, &n);
        if (r < 0) {
                size_t all = v ? count : 0;
                os_dir_files_free(&v, &all);
                return r;
        }
        *ret = v;
        *ret_n = count;
        return 0;
}

/* dirname of path into buf: "." for a bare name. */
static int parent_of(const char *path, char *buf, size_t size) {
        const char *slash = strrchr(path, '/');
        size_t len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
        if (len >= size)
                return -ENAMETOOLONG;
        memcpy(buf, !slash ? "." : path, len);
        buf[len] = '\0';
        return 0;
}

int os_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, gid_t gid) {
        char temp[4096];
        int r = parent_of(path, temp, sizeof(temp));
        if (r < 0)
                return r;
        size_t used = strlen(temp);
        if ((size_t)snprintf(temp + used, sizeof(temp) - used, "/" OS_ATOMIC_TEMP_PREFIX "XXXXXX") >=
            sizeof(temp) - used)
                return -ENAMETOOLONG;
        /* mkostemp creates the file 0600: nobody else can open it before
         * the group and mode below are set. */
        int fd = mkostemp(temp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* chown before chmod: fchown(2) may clear set-id bits. */
        if (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) < 0)
                r = -errno;
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        const char *p = data;
        while (r == 0 && len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                else {
                        p += n;
                        len -= (size_t)n;
                }
        }
        if (close(fd) < 0 && r == 0 && errno != EINTR)
                r = -errno;
        if (r == 0 && rename(temp, path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(temp);
        return r;
}

int os_make_dir(const char *path, mode_t mode) {
        return mkdir(path, mode) < 0 ? -errno : 0;
}

bool os_is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool os_is_executable_file(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int os_group_id(const char *name, gid_t *ret) {
        errno = 0;
        struct group *g = getgrnam(name);
        if (!g)
                /* "not found" may come back as 0, ENOENT, ESRCH, EBADF or
                 * EPERM (getgrnam(3)); only a real failure is passed on. */
                return errno == ENOMEM || errno == EIO || errno == EMFILE || errno == ENFILE ? -errno
                                                                                             : -ENOENT;
        *ret = g->gr_gid;
        return 0;
}
