/* SPDX-License-Identifier: MIT */
/*
 * Users and groups by name or number, from the libc's NSS (/etc/passwd and
 * /etc/group for the static musl build). Returns 0 or -errno (-ESRCH: no
 * such user/group); never logs.
 */
#ifndef VIGIL_OS_USER_H
#define VIGIL_OS_USER_H

#include <stddef.h>
#include <sys/types.h>

struct os_user {
        uid_t uid;
        gid_t gid;            /* primary group */
        char home[256];
        char shell[256];
        char name[64];
};

/* name may also be a decimal uid. */
int os_user_lookup(const char *name, struct os_user *ret);
/* name may also be a decimal gid. */
int os_group_lookup(const char *name, gid_t *ret);
/* The user's groups (primary included) into ret[0..max); their number, or
 * -ENOSPC when there are more than max. */
int os_user_groups(const char *name, gid_t gid, gid_t *ret, size_t max);

#endif
