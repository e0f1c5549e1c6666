/* SPDX-License-Identifier: MIT */
/*
 * The decisions of system mode's device duties (system/devices), pure so
 * every case is a table-driven unit test: the reboot argument, a serial
 * line's "115200n8", the clock's lower bound, and the /dev/rootdisk0*
 * links. Text and numbers in, a verdict out; no syscalls.
 */
#ifndef VIGIL_SYSTEM_DEVICE_PLAN_H
#define VIGIL_SYSTEM_DEVICE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel copies at most 255 bytes of a RESTART2 argument (kernel/reboot.c). */
#define REBOOT_ARG_MAX 255

/* The argument of reboot(2) RESTART2: `vigilctl reboot ARG` (requested,
 * may be NULL) wins, else the first line of /run/reboot-param (param_text,
 * may be NULL), both trimmed of white space as erlinit trims the file.
 * 1 with ret filled (size > REBOOT_ARG_MAX), 0 for none (a plain
 * restart), -E2BIG when the chosen text is longer than the kernel takes
 * (the caller restarts without it rather than pass a cut one). */
int device_plan_reboot_arg(const char *requested, const char *param_text, char *ret, size_t size);

/* erlinit's --tty-options, the kernel's console= form: BAUD[PARITY[BITS]],
 * parity n, o or e (default n), bits 5-8 (default 8): "115200", "9600n8",
 * "115200e7". -EINVAL with *ret_why otherwise. Whether termios has the rate
 * is os_tty_set_line()'s to say. */
struct tty_line {
        unsigned baud;
        char parity;
        unsigned bits;
};
int device_plan_tty_options(const char *text, struct tty_line *ret, const char **ret_why);

/* --update-clock: the clock must never be behind vigil's build time or
 * the mtime of --clock-file (left at the last shutdown; < 0: none). true
 * with *ret_sec the time to set when now is behind the later of the two,
 * *ret_from naming which one it is. */
bool device_plan_clock_floor(int64_t now, int64_t build_time, int64_t file_mtime, int64_t *ret_sec,
                             const char **ret_from);

/* A block device as /sys/block lists it: a disk (parent < 0) or one of its
 * partitions (parent: the disk's index, partition >= 1). */
struct block_dev {
        const char *name;
        unsigned major, minor;
        unsigned partition;
        int parent;
};

struct rootdisk_link {
        char link[40];           /* "/dev/rootdisk0", "/dev/rootdisk0p2" */
        const char *name;        /* the device's name: its node is /dev/NAME */
};

/* erlinit's /dev/rootdisk0*: when the root file system (root major:minor)
 * is a partition of a disk, rootdisk0 -> the disk and rootdisk0pN -> each
 * of that disk's partitions; a root that is a whole disk, or no block
 * device at all (an initramfs, a network root), gets none. Returns how many
 * links went into ret (at most max). */
size_t device_plan_rootdisk(const struct block_dev *devs, size_t n, unsigned root_major, unsigned root_minor,
                            struct rootdisk_link *ret, size_t max);

#endif
