/* SPDX-License-Identifier: MIT */
/*
 * Mounts as text (SPEC §7): the "-m SRC:TGT:TYPE:FLAGS:DATA" option, and
 * the kernel's mount table (/proc/self/mountinfo) that the shutdown walks in
 * reverse to unmount.
 *
 * FLAGS is a comma list of the mount(8) words below; "rw" clears MS_RDONLY
 * (erlinit's parser masks with it instead, so "nodev,rw" lost nodev), and
 * "defaults" or an empty list means none. DATA is everything after the
 * fourth colon, colons included, handed to the file system as it is.
 *
 * Pure. Strings point into the caller's copy of the text.
 */
#ifndef VIGIL_BASE_MOUNT_SPEC_H
#define VIGIL_BASE_MOUNT_SPEC_H

#include <stddef.h>

struct mount_spec {
        char *source, *target, *type, *data;   /* data: NULL when empty */
        unsigned long flags;                   /* MS_* */
};

/* Split text (modified in place) into *ret. -EINVAL with *ret_why naming
 * the problem: a missing or empty field, a relative target, an unknown
 * flag word (*ret_bad_word then points at it). */
int mount_spec_parse(char *text, struct mount_spec *ret, const char **ret_why, const char **ret_bad_word);

struct mountinfo_entry {
        unsigned id, parent;
        char *target;        /* octal escapes (\040) decoded */
        char *type;
        char *source;
};

/* Parse one line of /proc/self/mountinfo (modified in place). -EINVAL for
 * a line that is not one. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *ret);

/* Whether a mount of this file system type is one the kernel keeps for
 * itself (proc, sysfs, devtmpfs, devpts, cgroup…): never unmounted at
 * shutdown, since nothing is written to them and later steps need them. */
int mount_type_is_api(const char *type);

#endif
