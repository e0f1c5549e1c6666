/* SPDX-License-Identifier: MIT */
/*
 * System mode's device duties, erlinit's (issue 16 point 2, docs/ERLINIT.md):
 *
 * Boot (after system/machine's mounts, console and hostname):
 *   /dev/rootdisk0* symlinks to the disk holding "/" and its partitions
 *   (the machine's init only; none when "/" is no partition); "lo" up;
 *   --update-clock (the clock raised to vigil's build time or the
 *   --clock-file's mtime, whichever is later; the file touched);
 *   --core-pattern into /proc/sys/kernel/core_pattern; --tty-options on
 *   the console (fd 0); --warn-unused-tty on the other active consoles
 *   (the one in use: --ctty, else the last of /sys/class/tty/console/active,
 *   which is /dev/console's).
 * End: before the kill-all, core dumps off ("|/bin/false", as erlinit: a
 *   process dying of the shutdown writes no core onto a file system being
 *   unmounted); before the unmount, --clock-file touched; the RESTART2
 *   argument chosen (`vigilctl reboot ARG`, else /run/reboot-param).
 *
 * Each failure is one log line and the boot goes on. The decisions are
 * system/device_plan's (pure); the syscalls os/device's.
 */
#ifndef VIGIL_SYSTEM_DEVICES_H
#define VIGIL_SYSTEM_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#define DEVICES_REBOOT_PARAM_FILE "/run/reboot-param"
#define REBOOT_ARG_BUF 256   /* device_plan.h REBOOT_ARG_MAX + 1 */

struct devices_config {
        bool is_machine;            /* PID 1 of the machine (rootdisk, core dumps off) */
        bool update_clock;          /* --update-clock */
        const char *clock_file;     /* --clock-file, or NULL */
        const char *core_pattern;   /* --core-pattern, or NULL */
        const char *tty_options;    /* --tty-options, or NULL */
        bool warn_unused_tty;       /* --warn-unused-tty */
        const char *ctty;           /* --ctty, or NULL */
};

/* The boot's duties; c is kept (its strings must outlive vigil's run). */
void devices_boot(const struct devices_config *c);

/* Before the kill-all's SIGTERM (system mode). */
void devices_before_kill_all(void);

/* `vigilctl reboot ARG`: the RESTART2 argument to use (the last one asked wins). */
void devices_request_reboot_arg(const char *arg);

/* At the end, before the unmount: the clock file. */
void devices_end(void);

/* The RESTART2 argument for a reboot now into buf (size > 255), "" for a
 * plain restart; logs which one and why. */
void devices_reboot_arg(char *buf, size_t size);

#endif
