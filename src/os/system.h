/* SPDX-License-Identifier: MIT */
/*
 * The machine, for system mode (SPEC §7): mounts, hostname, console,
 * reboot(2), and whether vigil is the machine's init at all. Returns 0 or
 * -errno; never logs.
 */
#ifndef VIGIL_OS_SYSTEM_H
#define VIGIL_OS_SYSTEM_H

#include <stdbool.h>
#include <sys/types.h>

enum os_reboot_cmd { OS_REBOOT_RESTART, OS_REBOOT_POWER_OFF, OS_REBOOT_HALT };

/* Whether this process is PID 1 of the machine, not of a container: PID 1
 * in the initial PID namespace (its /proc/self/ns/pid is the kernel's
 * fixed PROC_PID_INIT_INO). Without /proc that cannot be read: then
 * PID 1 with no container marker (/.dockerenv, /run/.containerenv,
 * $container) counts as the machine's. *ret_why says which rule decided. */
bool os_is_machine_init(const char **ret_why);

/* mount(2); the target directory is made first (mkdir -p, 0755). */
int os_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data);
int os_umount(const char *target);
/* Remount the file system at target read-only (its superblock: the point
 * is a clean file system at power-off). */
int os_remount_read_only(const char *target);
/* 1 when path is a mount point (its device differs from its parent's, or
 * it is "/"), 0 when not, -errno when path cannot be examined. */
int os_is_mount_point(const char *path);
int os_make_dirs(const char *path, mode_t mode);

int os_set_hostname(const char *name);

/* Open /dev/NAME (or NAME when absolute) and put it on fds 0, 1 and 2,
 * without making it vigil's controlling terminal. */
int os_use_console(const char *name);

/* Open again the terminal fd 2 is on (/proc/self/fd/2, a /dev/ path) and
 * put it on fds 0, 1 and 2: a hangup (vhangup) leaves open files of a tty
 * dead, a new open works. 0, -ENOTTY when fd 2 is no /dev/ file, or -errno. */
int os_reopen_console(void);

void os_sync(void);

/* Turn the kernel's Ctrl-Alt-Del handling over to init (SIGINT to PID 1). */
int os_disable_cad(void);

/* reboot(2) with cmd, called from a forked child so that halt and power-off,
 * which end their caller, never end PID 1 (a panic). Returns only when the
 * call failed (-errno) or did not end the machine; in a PID namespace the
 * kernel kills the namespace's init instead (SIGHUP for restart, SIGINT
 * for the others), so this does not return there either. arg (restart
 * only; NULL or "" for none): LINUX_REBOOT_CMD_RESTART2 with that string,
 * which the kernel hands to the platform's restart handler and logs as
 * "Restarting system with command 'ARG'". */
int os_reboot(enum os_reboot_cmd cmd, const char *arg);

/* Block forever without spinning (hang, or waiting for the machine to go). */
void os_pause_forever(void) __attribute__((noreturn));

#endif
