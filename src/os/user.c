/* SPDX-License-Identifier: MIT */
#include "os/user.h"

#include "base/num.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static void copy(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src ? src : "");
}

int os_user_lookup(const char *name, struct os_user *ret) {
        struct passwd *pw;
        uint64_t id;
        errno = 0;
        if (num_parse_u64_max(name, (uid_t)-2, &id) == 0)
                pw = getpwuid((uid_t)id);
        else
                pw = getpwnam(name);
        if (!pw)
                return errno > 0 && errno != ENOENT ? -errno : -ESRCH;
        ret->uid = pw->pw_uid;
        ret->gid = pw->pw_gid;
        copy(ret->home, sizeof(ret->home), pw->pw_dir);
        copy(ret->shell, sizeof(ret->shell), pw->pw_shell);
        copy(ret->name, sizeof(ret->name), pw->pw_name);
        return 0;
}

int os_group_lookup(const char *name, gid_t *ret) {
        struct group *gr;
        uint64_t id;
        errno = 0;
        if (num_parse_u64_max(name, (gid_t)-2, &id) == 0) {
                *ret = (gid_t)id;
                return 0;
        }
        gr = getgrnam(name);
        if (!gr)
                return errno > 0 && errno != ENOENT ? -errno : -ESRCH;
        *ret = gr->gr_gid;
        return 0;
}

int os_user_groups(const char *name, gid_t gid, gid_t *ret, size_t max) {
        int n = (int)max;
        if (getgrouplist(name, gid, ret, &n) < 0)
                return -ENOSPC;
        return n;
}
