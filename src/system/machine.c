/* SPDX-License-Identifier: MIT */
#include "system/machine.h"

#include "base/hostname.h"
#include "base/mount_spec.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "os/system.h"
#include "system/devices.h"
#include "system/shutdown_report.h"
#include "os/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#define UNIQUEID_TIMEOUT_MS 5000
#define MOUNTINFO_MAX (1024 * 1024)
#define MAX_MOUNTS 512

static const struct {
        const char *source, *target, *type;
        unsigned long flags;
        const char *data;
} api_mounts[] = {
        { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
        { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
        { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
        { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=000" },
        { "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
        { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
        { "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
};

/* Whether target is a mount point: by the kernel's mount table once /proc
 * is there (a bind mount of the same file system counts), else by device. */
static bool is_mounted(const char *target) {
        char *text = NULL;
        if (strcmp(target, "/proc") == 0 || os_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL) < 0)
                return os_is_mount_point(target) == 1;
        bool found = false;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
                struct mountinfo_entry e;
                found = mountinfo_parse_line(line, &e) == 0 && strcmp(e.target, target) == 0;
        }
        free(text);
        return found;
}

static void mount_api(void) {
        for (size_t i = 0; i < sizeof(api_mounts) / sizeof(api_mounts[0]); i++) {
                if (is_mounted(api_mounts[i].target)) {
                        log_debug("%s is already mounted", api_mounts[i].target);
                        continue;
                }
                int r = os_mount(api_mounts[i].source, api_mounts[i].target, api_mounts[i].type, api_mounts[i].flags,
                             api_mounts[i].data);
                if (r < 0)
                        log_warning("cannot mount %s on %s: %s", api_mounts[i].type, api_mounts[i].target,
                                    strerror(-r));
                else
                        log_info("mounted %s on %s", api_mounts[i].type, api_mounts[i].target);
        }
}

static void mount_extra(char *const *mounts) {
        for (size_t i = 0; mounts && mounts[i]; i++) {
                char *copy = strdup(mounts[i]);
                struct mount_spec m;
                const char *why, *bad;
                if (!copy) {
                        log_error("out of memory for --mount %s", mounts[i]);
                        continue;
                }
                if (mount_spec_parse(copy, &m, &why, &bad) < 0) {
                        log_warning("--mount %s: %s%s%s", mounts[i], why, bad ? ": " : "", bad ? bad : "");
                } else {
                        int r = os_mount(m.source, m.target, m.type, m.flags, m.data);
                        if (r < 0)
                                log_warning("--mount %s: cannot mount: %s", mounts[i], strerror(-r));
                        else
                                log_notice("mounted %s on %s (%s)", m.source, m.target, m.type);
                }
                free(copy);
        }
}

/* The unique id for %s, and where it came from. */
static void unique_id(const struct machine_config *c, char id[64], const char **from) {
        if (c->uniqueid_argv && c->uniqueid_argv[0]) {
                char out[256];
                size_t len = 0;
                int status = 0;
                int r = os_run_capture(c->uniqueid_argv, UNIQUEID_TIMEOUT_MS, out, sizeof(out) - 1, &len, &status);
                if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                    hostname_id_from_output(out, len, id) == 0) {
                        *from = "--uniqueid-exec";
                        return;
                }
                if (r < 0)
                        log_warning("--uniqueid-exec %s: %s", c->uniqueid_argv[0],
                                    r == -ETIMEDOUT ? "no answer within 5 s, killed" : strerror(-r));
                else
                        log_warning("--uniqueid-exec %s: exited with status %d and printed %s",
                                    c->uniqueid_argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                                    len ? "no usable id" : "nothing");
        }
        char *text = NULL;
        if (os_read_file("/etc/machine-id", 4096, &text, NULL) == 0 && hostname_id_from_output(text, strlen(text), id) == 0) {
                free(text);
                *from = "/etc/machine-id";
                return;
        }
        free(text);
        snprintf(id, 64, "00000000");
        *from = "the fallback 00000000 (no --uniqueid-exec answer, no /etc/machine-id)";
}

static void set_hostname(const struct machine_config *c) {
        char name[HOSTNAME_MAX + 1];
        if (c->hostname_pattern) {
                char id[64];
                const char *from;
                unique_id(c, id, &from);
                int r = hostname_expand(c->hostname_pattern, id, name);
                if (r < 0) {
                        log_warning("--hostname-pattern %s: %s", c->hostname_pattern,
                                    r == -EINVAL ? "bad %% sequence (use %s, %.Ns or %-.Ns)" : "nothing left after cleaning");
                        return;
                }
                log_info("unique id %s from %s", id, from);
        } else {
                char *text = NULL;
                if (os_read_file("/etc/hostname", 4096, &text, NULL) < 0)
                        return;
                /* The first line, cleaned as a pattern with no '%' would be. */
                text[strcspn(text, "\n%")] = '\0';
                int r = hostname_expand(text, "", name);
                free(text);
                if (r < 0)
                        return;
        }
        int r = os_set_hostname(name);
        if (r < 0)
                log_warning("cannot set the hostname to %s: %s", name, strerror(-r));
        else
                log_notice("hostname set to %s", name);
}

void machine_boot(const struct machine_config *c) {
        mount_api();
        mount_extra(c->mounts);
        if (c->ctty) {
                int r = os_use_console(c->ctty);
                if (r < 0)
                        log_warning("--ctty %s: %s", c->ctty, strerror(-r));
        }
        set_hostname(c);
        if (c->is_machine) {
                int r = os_disable_cad();
                if (r < 0)
                        log_warning("cannot take over Ctrl-Alt-Del: %s", strerror(-r));
        }
}

/* Unmount in reverse order of the mount table; remount read-only what stays busy. */
static void unmount_all(void) {
        char *text = NULL;
        int r = os_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);
        if (r < 0) {
                log_warning("cannot read /proc/self/mountinfo to unmount: %s", strerror(-r));
                return;
        }
        struct mountinfo_entry *e = calloc(MAX_MOUNTS, sizeof(*e));
        size_t n = 0;
        if (!e) {
                free(text);
                log_error("out of memory: not unmounting");
                return;
        }
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && n < MAX_MOUNTS; line = strtok_r(NULL, "\n", &save)) {
                /* strtok() has cut the line; mountinfo_parse_line() splits it further. */
                if (mountinfo_parse_line(line, &e[n]) == 0)
                        n++;
        }
        for (size_t i = n; i-- > 0;) {
                if (strcmp(e[i].target, "/") == 0 || mount_type_is_api(e[i].type))
                        continue;
                r = os_umount(e[i].target);
                if (r == 0) {
                        log_notice("unmounted %s", e[i].target);
                        continue;
                }
                if (r == -EINVAL || r == -ENOENT)
                        continue; /* already gone with a parent, or not a mount any more */
                if (r == -EBUSY && os_remount_read_only(e[i].target) == 0)
                        log_notice("%s is busy, remounted read-only", e[i].target);
                else
                        log_warning("cannot unmount %s: %s", e[i].target, strerror(-r));
        }
        r = os_remount_read_only("/");
        if (r == 0)
                log_info("remounted / read-only");
        else
                log_debug("cannot remount / read-only: %s", strerror(-r));
        free(e);
        free(text);
}

/* erlinit closes stdio before reboot(2): a tty held open (a g_serial
 * gadget) can hang the restart. The machine's init hands fds 0-2 to
 * /dev/null and, if reboot(2) comes back, takes the console again to say so. */
static int reboot_closing_stdio(const struct machine_config *c, enum os_reboot_cmd cmd, const char *arg) {
        if (!c->is_machine)
                return os_reboot(cmd, arg);
        (void)os_stdio_to_null();
        int r = os_reboot(cmd, arg);
        (void)os_use_console("/dev/console");
        return r;
}

int machine_end(const struct machine_config *c, enum end_action action) {
        if (c->shutdown_report) {
                shutdown_report_event("report written");
                int r = shutdown_report_write(c->shutdown_report);
                if (r < 0)
                        log_warning("cannot write the shutdown report %s: %s", c->shutdown_report, strerror(-r));
                else
                        log_notice("wrote shutdown report %s", c->shutdown_report);
        }
        devices_end();
        log_notice("syncing file systems");
        os_sync();
        if (c->is_machine)
                unmount_all();
        else
                log_info("not the machine's init: the mounts are left to the host");
        os_sync();
        enum os_reboot_cmd cmd;
        char arg[REBOOT_ARG_BUF] = "";
        switch (action) {
        case END_POWEROFF:
                log_notice("powering off");
                cmd = OS_REBOOT_POWER_OFF;
                break;
        case END_HALT:
                log_notice("halting");
                cmd = OS_REBOOT_HALT;
                break;
        case END_HANG:
                log_notice("hanging (--on-exit hang)");
                return -1; /* the caller waits */
        default:
                devices_reboot_arg(arg, sizeof(arg));
                log_notice("rebooting");
                cmd = OS_REBOOT_RESTART;
                break;
        }
        int r = reboot_closing_stdio(c, cmd, arg);
        if (r < 0)
                log_error("reboot(2)%s%s failed: %s", arg[0] ? " RESTART2 " : "", arg, strerror(-r));
        if (c->is_machine) {
                /* Halted (the call ended only its child), or reboot(2) failed:
                 * PID 1 must not exit, which would panic the kernel. */
                log_notice("waiting for the machine to go down");
                os_pause_forever();
        }
        return r < 0 ? 1 : 0;
}
