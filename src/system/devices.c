/* SPDX-License-Identifier: MIT */
#include "system/devices.h"

#include "core/log.h"
#include "os/device.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/links.h"
#include "os/paths.h"
#include "system/device_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds since the epoch vigil was built at (the Makefile: SOURCE_DATE_EPOCH,
 * else the commit's time); 0: no floor from it. */
#ifndef VIGIL_BUILD_TIME
#define VIGIL_BUILD_TIME 0
#endif

#define CORE_PATTERN_FILE "/proc/sys/kernel/core_pattern"
#define ACTIVE_CONSOLES "/sys/class/tty/console/active"
#define MAX_DISKS 64
#define MAX_PARTS 64
#define MAX_BLOCK (MAX_DISKS * (MAX_PARTS + 1))

static struct devices_config config;
static char requested_arg[REBOOT_ARG_MAX + 2];
static bool requested;

/* "MAJOR:MINOR\n" of a sysfs dev file. */
static int read_dev(const char *path, unsigned *ret_major, unsigned *ret_minor) {
        char *text = NULL;
        int r = os_read_file(path, 64, &text, NULL);
        if (r < 0)
                return r;
        r = sscanf(text, "%u:%u", ret_major, ret_minor) == 2 ? 0 : -EINVAL;
        free(text);
        return r;
}

static unsigned read_partition(const char *path) {
        char *text = NULL;
        unsigned n = 0;
        if (os_read_file(path, 64, &text, NULL) == 0 && sscanf(text, "%u", &n) != 1)
                n = 0;
        free(text);
        return n;
}

/* The partitions of disk devs[disk] (directories of /sys/block/NAME with a
 * partition file), appended to devs. */
static void scan_partitions(struct block_dev *devs, size_t *n, int disk) {
        char dir[300];
        struct os_dir_entry *e = NULL;
        size_t ne = 0;
        snprintf(dir, sizeof(dir), "/sys/block/%s", devs[disk].name);
        if (os_dir_list(dir, 1024, &e, &ne) < 0)
                return;
        for (size_t i = 0, parts = 0; i < ne && parts < MAX_PARTS && *n < MAX_BLOCK; i++) {
                char path[600];
                struct block_dev d = { .parent = disk };
                if (!e[i].directory)
                        continue;
                snprintf(path, sizeof(path), "%s/%s/partition", dir, e[i].name);
                d.partition = read_partition(path);
                snprintf(path, sizeof(path), "%s/%s/dev", dir, e[i].name);
                if (d.partition == 0 || read_dev(path, &d.major, &d.minor) < 0 || !(d.name = strdup(e[i].name)))
                        continue;
                devs[(*n)++] = d;
                parts++;
        }
        os_dir_list_free(&e, &ne);
}

static size_t scan_block_devices(struct block_dev *devs) {
        struct os_dir_entry *e = NULL;
        size_t ne = 0, n = 0;
        int r = os_dir_list("/sys/block", 1024, &e, &ne);
        if (r < 0) {
                log_warning("/dev/rootdisk0: cannot list /sys/block: %s", strerror(-r));
                return 0;
        }
        for (size_t i = 0, disks = 0; i < ne && disks < MAX_DISKS && n < MAX_BLOCK; i++) {
                char path[300];
                struct block_dev d = { .parent = -1 };
                snprintf(path, sizeof(path), "/sys/block/%s/dev", e[i].name);
                if (read_dev(path, &d.major, &d.minor) < 0 || !(d.name = strdup(e[i].name)))
                        continue;
                size_t disk = n++;
                devs[disk] = d;
                scan_partitions(devs, &n, (int)disk);   /* appended after their disk */
                disks++;
        }
        os_dir_list_free(&e, &ne);
        return n;
}

/* erlinit's rootdisk.c: only when no /dev/rootdisk0 exists yet (a udev rule may make them). */
static void make_rootdisk_links(void) {
        unsigned major, minor;
        if (os_link_exists("/dev/rootdisk0") == 1) {
                log_debug("/dev/rootdisk0 exists already");
                return;
        }
        int r = os_path_device("/", &major, &minor);
        if (r < 0) {
                log_warning("/dev/rootdisk0: cannot stat /: %s", strerror(-r));
                return;
        }
        struct block_dev *devs = calloc(MAX_BLOCK, sizeof(*devs));
        struct rootdisk_link *links = calloc(MAX_PARTS + 1, sizeof(*links));
        size_t n = devs && links ? scan_block_devices(devs) : 0;
        size_t k = n ? device_plan_rootdisk(devs, n, major, minor, links, MAX_PARTS + 1) : 0;
        if (!devs || !links)
                log_error("out of memory for /dev/rootdisk0");
        else if (k == 0)
                log_info("no /dev/rootdisk0: / (%u:%u) is not a partition of a disk", major, minor);
        for (size_t i = 0; i < k; i++) {
                char target[300];
                snprintf(target, sizeof(target), "/dev/%s", links[i].name);
                r = os_symlink(target, links[i].link);
                if (r < 0)
                        log_warning("cannot link %s to %s: %s", links[i].link, target, strerror(-r));
                else
                        log_info("%s -> %s", links[i].link, target);
        }
        for (size_t i = 0; devs && i < n; i++)
                free((char *)devs[i].name);
        free(devs);
        free(links);
}

static void loopback_up(void) {
        int r = os_loopback_up();
        if (r == 0)
                log_info("loopback interface lo up");
        else if (r < 0 && config.is_machine)
                log_warning("cannot bring the loopback interface up: %s", strerror(-r));
        else if (r < 0)
                log_debug("cannot bring the loopback interface up: %s", strerror(-r));
}

static void update_clock(void) {
        int64_t now, mtime = -1, target;
        const char *from;
        int r = os_clock_realtime(&now);
        if (r < 0) {
                log_warning("--update-clock: cannot read the clock: %s", strerror(-r));
                return;
        }
        unsigned long long mtime_usec;
        if (config.clock_file && (r = os_path_size_mtime(config.clock_file, NULL, &mtime_usec)) == 0)
                mtime = (int64_t)(mtime_usec / 1000000);
        else if (config.clock_file) {
                log_info("--clock-file %s: %s, using the build time only", config.clock_file, strerror(-r));
        }
        if (device_plan_clock_floor(now, VIGIL_BUILD_TIME, mtime, &target, &from)) {
                r = os_clock_set_realtime(target);
                if (r < 0)
                        log_warning("--update-clock: cannot set the clock to %lld: %s", (long long)target,
                                    strerror(-r));
                else
                        log_notice("clock was %lld, behind %s: set to %lld", (long long)now, from,
                                   (long long)target);
        } else {
                log_debug("clock %lld is not behind the build time or --clock-file", (long long)now);
        }
        if (config.clock_file && (r = os_touch(config.clock_file)) < 0)
                log_warning("--clock-file %s: cannot touch it: %s", config.clock_file, strerror(-r));
}

static void set_core_pattern(const char *pattern, const char *why) {
        int r = os_write_text(CORE_PATTERN_FILE, pattern);
        if (r < 0)
                log_warning("cannot write %s to %s (%s): %s", pattern, CORE_PATTERN_FILE, why, strerror(-r));
        else
                log_info("%s is %s (%s)", CORE_PATTERN_FILE, pattern, why);
}

static void tty_options(void) {
        struct tty_line line;
        const char *why;
        if (device_plan_tty_options(config.tty_options, &line, &why) < 0) {
                log_warning("--tty-options %s: %s, ignoring it", config.tty_options, why);
                return;
        }
        int r = os_tty_set_line(STDIN_FILENO, line.baud, line.parity, line.bits);
        if (r < 0)
                log_warning("--tty-options %s: %s, ignoring it", config.tty_options,
                            r == -EINVAL ? "no such baud rate" : r == -ENOTTY ? "the console is no terminal" :
                            strerror(-r));
        else
                log_info("console set to %u baud, parity %c, %u bits", line.baud, line.parity, line.bits);
}

/* erlinit's --warn-unused-tty: a note on every active console but the one used. */
static void warn_unused_ttys(void) {
        char *active = NULL, host[65], *save = NULL;
        if (os_read_file(ACTIVE_CONSOLES, 4096, &active, NULL) < 0)
                return;
        /* sysfs-tty(5) ABI: the last entry of "active" is /dev/console's device. */
        char *last = strrchr(active, ' ');
        const char *used = config.ctty ? config.ctty : last ? last + 1 : active;
        if (strncmp(used, "/dev/", 5) == 0)
                used += 5;
        char used_name[64];
        snprintf(used_name, sizeof(used_name), "%.*s", (int)strcspn(used, " \n"), used);
        if (os_get_hostname(host, sizeof(host)) < 0)
                snprintf(host, sizeof(host), "unknown");
        for (char *tty = strtok_r(active, " \n", &save); tty; tty = strtok_r(NULL, " \n", &save)) {
                if (strcmp(tty, used_name) == 0)
                        continue;
                char path[300], msg[512];
                int len = snprintf(msg, sizeof(msg), "vigil: the console is %s, not this tty; to use this one, "
                                   "set -c %s (--ctty). Hostname: %s\r\n", used_name, tty, host);
                snprintf(path, sizeof(path), "/dev/%s", tty);
                int r = os_write_to_tty(path, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
                log_debug("--warn-unused-tty: %s: %s", path, r < 0 ? strerror(-r) : "told");
        }
        free(active);
}

void devices_boot(const struct devices_config *c) {
        config = *c;
        if (c->is_machine)
                make_rootdisk_links();
        loopback_up();
        if (c->update_clock)
                update_clock();
        if (c->core_pattern)
                set_core_pattern(c->core_pattern, "--core-pattern");
        if (c->tty_options)
                tty_options();
        if (c->warn_unused_tty)
                warn_unused_ttys();
}

void devices_before_kill_all(void) {
        if (config.is_machine)
                set_core_pattern("|/bin/false", "no core dumps during the kill-all");
}

void devices_request_reboot_arg(const char *arg) {
        snprintf(requested_arg, sizeof(requested_arg), "%s", arg ? arg : "");
        requested = arg && arg[0];
}

void devices_end(void) {
        int r;
        if (config.update_clock && config.clock_file && (r = os_touch(config.clock_file)) < 0)
                log_warning("--clock-file %s: cannot touch it: %s", config.clock_file, strerror(-r));
}

void devices_reboot_arg(char *buf, size_t size) {
        char *param = NULL;
        int r = requested ? -ENOENT : os_read_file(DEVICES_REBOOT_PARAM_FILE, 4096, &param, NULL);
        if (r < 0 && r != -ENOENT)
                log_warning("cannot read %s: %s", DEVICES_REBOOT_PARAM_FILE, strerror(-r));
        r = device_plan_reboot_arg(requested ? requested_arg : NULL, param, buf, size);
        free(param);
        if (r == -E2BIG)
                log_warning("reboot argument longer than %d bytes, rebooting without it", REBOOT_ARG_MAX);
        else if (r == 1)
                log_notice("reboot argument '%s' (from %s)", buf, requested ? "vigilctl reboot" :
                           DEVICES_REBOOT_PARAM_FILE);
}
