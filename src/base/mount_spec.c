/* SPDX-License-Identifier: MIT */
#include "base/mount_spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const struct {
        const char *word;
        unsigned long set, clear;
} flag_words[] = {
        { "defaults", 0, 0 },
        { "ro", MS_RDONLY, 0 },
        { "rw", 0, MS_RDONLY },
        { "nosuid", MS_NOSUID, 0 },
        { "suid", 0, MS_NOSUID },
        { "nodev", MS_NODEV, 0 },
        { "dev", 0, MS_NODEV },
        { "noexec", MS_NOEXEC, 0 },
        { "exec", 0, MS_NOEXEC },
        { "sync", MS_SYNCHRONOUS, 0 },
        { "async", 0, MS_SYNCHRONOUS },
        { "dirsync", MS_DIRSYNC, 0 },
        { "noatime", MS_NOATIME, 0 },
        { "atime", 0, MS_NOATIME },
        { "nodiratime", MS_NODIRATIME, 0 },
        { "diratime", 0, MS_NODIRATIME },
        { "relatime", MS_RELATIME, 0 },
        { "norelatime", 0, MS_RELATIME },
        { "strictatime", MS_STRICTATIME, 0 },
        { "lazytime", MS_LAZYTIME, 0 },
        { "silent", MS_SILENT, 0 },
        { "mand", MS_MANDLOCK, 0 },
        { "bind", MS_BIND, 0 },
        { "rbind", MS_BIND | MS_REC, 0 },
};

static int parse_flags(char *list, unsigned long *ret, const char **ret_bad) {
        unsigned long flags = 0;
        char *save = NULL;
        for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                size_t i;
                for (i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
                        if (strcmp(w, flag_words[i].word) == 0)
                                break;
                if (i == sizeof(flag_words) / sizeof(flag_words[0])) {
                        *ret_bad = w;
                        return -EINVAL;
                }
                flags = (flags & ~flag_words[i].clear) | flag_words[i].set;
        }
        *ret = flags;
        return 0;
}

int mount_spec_parse(char *text, struct mount_spec *ret, const char **ret_why, const char **ret_bad_word) {
        char *field[5] = { 0 };
        char *p = text;
        *ret_bad_word = NULL;
        for (int i = 0; i < 4; i++) {
                field[i] = p;
                char *colon = strchr(p, ':');
                if (!colon) {
                        if (i < 2) {
                                *ret_why = "expected SRC:TGT:TYPE:FLAGS:DATA";
                                return -EINVAL;
                        }
                        p = NULL;
                        break;
                }
                *colon = '\0';
                p = colon + 1;
        }
        field[4] = p;   /* DATA: the rest, colons and all */
        if (!field[0][0] || !field[1][0] || !field[2] || !field[2][0]) {
                *ret_why = "source, target and type must not be empty";
                return -EINVAL;
        }
        if (field[1][0] != '/') {
                *ret_why = "the target must be an absolute path";
                return -EINVAL;
        }
        unsigned long flags = 0;
        if (field[3] && parse_flags(field[3], &flags, ret_bad_word) < 0) {
                *ret_why = "unknown mount flag";
                return -EINVAL;
        }
        *ret = (struct mount_spec){
                .source = field[0],
                .target = field[1],
                .type = field[2],
                .data = field[4] && field[4][0] ? field[4] : NULL,
                .flags = flags,
        };
        return 0;
}

/* Decode mountinfo's \ooo escapes in place. */
static void unescape(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

static int parse_uint(const char *s, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v > 0xffffffffUL)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
int mountinfo_parse_line(char *line, struct mountinfo_entry *ret) {
        char *f[32];
        size_t n = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\n", &save); w && n < 32; w = strtok_r(NULL, " \t\n", &save))
                f[n++] = w;
        size_t dash = 6;
        while (dash < n && strcmp(f[dash], "-") != 0)
                dash++;
        if (n < 7 || dash + 2 >= n)
                return -EINVAL;
        struct mountinfo_entry e = { 0 };
        if (parse_uint(f[0], &e.id) < 0 || parse_uint(f[1], &e.parent) < 0)
                return -EINVAL;
        e.target = f[4];
        e.type = f[dash + 1];
        e.source = f[dash + 2];
        unescape(e.target);
        unescape(e.source);
        *ret = e;
        return 0;
}

int mount_type_is_api(const char *type) {
        static const char *const api[] = {
                "proc", "sysfs", "devtmpfs", "devpts", "securityfs", "cgroup", "cgroup2", "debugfs",
                "tracefs", "pstore", "bpf", "configfs", "mqueue", "hugetlbfs", "fusectl", "efivarfs",
                "binfmt_misc", "autofs", "rpc_pipefs", "nsfs",
        };
        for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++)
                if (strcmp(type, api[i]) == 0)
                        return 1;
        return 0;
}
