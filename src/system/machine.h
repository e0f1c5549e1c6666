/* SPDX-License-Identifier: MIT */
/*
 * System mode's duties to the machine (SPEC §7, erlinit parity): the
 * mounts, the console and the hostname at boot; at the end the shutdown
 * report, sync, the unmount in reverse order, and reboot(2).
 *
 * Boot:  /proc /sys /dev /dev/pts /dev/shm /run /tmp (each unless already a
 *        mount point), then every --mount in order; --ctty; hostname from
 *        --hostname-pattern (unique id from --uniqueid-exec, else
 *        /etc/machine-id, else "00000000") or /etc/hostname; Ctrl-Alt-Del
 *        turned over to vigil (SIGINT).
 * End:   report (--shutdown-report) -> sync -> unmount every mount but "/"
 *        and the kernel's own (proc, sysfs, devtmpfs, devpts, cgroup...), in
 *        reverse order of /proc/self/mountinfo; a busy one is remounted
 *        read-only; then "/" read-only -> sync -> reboot(2) from a child.
 *        Unmounting happens only when vigil is the machine's init: with
 *        --system inside a container the mounts belong to the host.
 */
#ifndef VIGIL_SYSTEM_MACHINE_H
#define VIGIL_SYSTEM_MACHINE_H

#include "system/end_action.h"

#include <stdbool.h>

struct machine_config {
        bool is_machine;                /* PID 1 of the machine (not --system in a container) */
        char *const *mounts;            /* -m SRC:TGT:TYPE:FLAGS:DATA, NULL-terminated or NULL */
        const char *ctty;               /* --ctty */
        const char *hostname_pattern;   /* --hostname-pattern */
        char *const *uniqueid_argv;     /* --uniqueid-exec, split */
        const char *shutdown_report;    /* --shutdown-report */
};

/* Everything of the boot above; each failure is logged and skipped. */
void machine_boot(const struct machine_config *c);

/* The end: never returns when vigil is the machine's init (it reboots,
 * powers off, halts, or waits forever); in a container with --system it
 * returns if reboot(2) did not end vigil, with the exit code to use. */
int machine_end(const struct machine_config *c, enum end_action action);

#endif
