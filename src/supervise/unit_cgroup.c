/* SPDX-License-Identifier: MIT */
#include "supervise/unit_cgroup.h"

#include "supervise/unit_internal.h"

#include "core/loop.h"
#include "os/cgroup.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/proc.h"
#include "os/system.h"
#include "unit/cgroup_limits.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SYSTEM_ROOT "/sys/fs/cgroup"
#define MAX_NOTED 8

static struct {
        bool enabled;
        int root_fd;
        char root[PATH_MAX];
        char root_path[PATH_MAX];      /* R's own cgroup path ("0::" of /proc/PID/cgroup), "" for / */
        unsigned controllers;          /* enabled in R's cgroup.subtree_control */
        char why[200];                 /* why there are no groups */
        struct {
                const char *key;
                enum cgroup_controller controller;
        } noted[MAX_NOTED];            /* the keys the units set */
        size_t n_noted;
        bool reported;
} cg = { .root_fd = -1 };

/* ---------------------------------------------------------------- the tree */

__attribute__((format(printf, 1, 2))) static void off(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cg.why, sizeof(cg.why), fmt, ap);
        va_end(ap);
}

/* The root for the mode. System mode, as the machine's init:
 * /sys/fs/cgroup, mounted if need be. Container mode: /sys/fs/cgroup
 * when vigil is PID 1 and its group is the root of its cgroup namespace
 * (a container with a private cgroup namespace: what a delegating engine
 * gives); anything else (a subreaper, PID 1 of a bare pid namespace) needs
 * --cgroup-root, so vigil never takes over a group it was not given. */
static bool default_root(bool system_mode) {
        char self[PATH_MAX];
        const char *why;
        int r = os_cgroup_is_cgroup2(SYSTEM_ROOT);
        if (system_mode && os_is_machine_init(&why)) {
                if (r == 0) {
                        int m = os_cgroup_mount(SYSTEM_ROOT);
                        if (m < 0) {
                                off("cannot mount cgroup2 on " SYSTEM_ROOT ": %s", strerror(-m));
                                return false;
                        }
                        log_info("mounted cgroup2 on %s", SYSTEM_ROOT);
                        r = 1;
                }
        } else if (os_getpid() != 1) {
                off("not PID 1 and no --cgroup-root");
                return false;
        } else if (os_cgroup_self(self, sizeof(self)) < 0 || strcmp(self, "/") != 0) {
                off("vigil's cgroup is not the root of its cgroup namespace, and no --cgroup-root");
                return false;
        }
        if (r <= 0) {
                off("%s is not a cgroup2 file system%s", SYSTEM_ROOT, r < 0 ? " (missing)" : "");
                return false;
        }
        snprintf(cg.root, sizeof(cg.root), "%s", SYSTEM_ROOT);
        return true;
}

/* Enable each wanted controller R offers, one write each (one refused,
 * e.g. by a process left in R, does not keep the others out). */
static void enable_controllers(void) {
        char text[512];
        if (os_cgroup_read(cg.root_fd, "cgroup.controllers", text, sizeof(text)) < 0)
                return;
        unsigned offered = cgroup_controllers_parse(text);
        for (unsigned c = 0; c < CGROUP_CONTROLLER_MAX; c++) {
                char v[16];
                snprintf(v, sizeof(v), "+%s", cgroup_controller_name(c));
                if ((offered & (1u << c)) && os_cgroup_write(cg.root_fd, "cgroup.subtree_control", v) < 0)
                        log_debug("cgroups: cannot enable %s under %s", cgroup_controller_name(c), cg.root);
        }
        if (os_cgroup_read(cg.root_fd, "cgroup.subtree_control", text, sizeof(text)) >= 0)
                cg.controllers = cgroup_controllers_parse(text);
}

/* R is usable: vigil moves into vigil.scope, main.scope exists. */
static bool take_root(void) {
        int r = os_cgroup_open(OS_CGROUP_CWD, cg.root, false, &cg.root_fd);
        if (r < 0) {
                off("cannot open %s: %s", cg.root, strerror(-r));
                return false;
        }
        int self = -1;
        r = os_cgroup_open(cg.root_fd, "vigil.scope", true, &self);
        if (r == 0)
                r = os_cgroup_attach(self, 0);
        os_close(self);
        /* R's path as the kernel names it in /proc/PID/cgroup, for
         * unit_cgroup_unit_of(): vigil's own, less "/vigil.scope". */
        if (r == 0 && os_cgroup_self(cg.root_path, sizeof(cg.root_path)) == 0) {
                char *slash = strrchr(cg.root_path, '/');
                if (slash)
                        *slash = '\0';
        }
        int main_fd = -1;
        if (r == 0)
                r = os_cgroup_open(cg.root_fd, "main.scope", true, &main_fd);
        os_close(main_fd);
        if (r < 0) {
                off("%s is not writable: %s", cg.root, strerror(-r));
                os_close(cg.root_fd);
                cg.root_fd = -1;
                return false;
        }
        return true;
}

void unit_cgroup_setup(const char *root, bool system_mode) {
        if (root && strcmp(root, "off") == 0) {
                off("--cgroup-root=off");
                return;
        }
        if (root) {
                int r = os_cgroup_is_cgroup2(root);
                if (r <= 0) {
                        off("--cgroup-root=%s: %s", root, r < 0 ? strerror(-r) : "not a cgroup2 file system");
                        return;
                }
                snprintf(cg.root, sizeof(cg.root), "%s", root);
        } else if (!default_root(system_mode)) {
                return;
        }
        if (!take_root())
                return;
        enable_controllers();
        cg.enabled = true;
        char list[64] = "";
        for (unsigned c = 0; c < CGROUP_CONTROLLER_MAX; c++)
                if (cg.controllers & (1u << c))
                        snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", cgroup_controller_name(c));
        log_info("cgroups: units in their own groups under %s (controllers:%s)", cg.root, *list ? list : " none");
}

bool unit_cgroup_enabled(void) {
        return cg.enabled;
}

void unit_cgroup_note(const struct unit_config *c) {
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t n = cgroup_settings_of(c, s);
        for (size_t i = 0; i < n; i++) {
                size_t k = 0;
                while (k < cg.n_noted && strcmp(cg.noted[k].key, s[i].key) != 0)
                        k++;
                if (k == cg.n_noted && k < MAX_NOTED) {
                        cg.noted[k].key = s[i].key;
                        cg.noted[k].controller = s[i].controller;
                        cg.n_noted++;
                }
        }
}

static bool applies(enum cgroup_controller c) {
        return cg.enabled && (cg.controllers & (1u << c));
}

void unit_cgroup_report(void) {
        char keys[160] = "";
        if (cg.reported)
                return;
        cg.reported = true;
        for (size_t k = 0; k < cg.n_noted; k++)
                if (!applies(cg.noted[k].controller))
                        snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s=", *keys ? ", " : "",
                                 cg.noted[k].key);
        if (!*keys) {
                if (!cg.enabled)
                        log_info("cgroups: off (%s); units are process groups", cg.why);
                return;
        }
        if (cg.enabled)
                log_warning("cgroups: a controller is not enabled under %s; not applied: %s", cg.root, keys);
        else
                log_warning("cgroups: off (%s); not applied: %s", cg.why, keys);
}

int unit_cgroup_main_procs_fd(void) {
        int dir = -1, fd = -1;
        if (!cg.enabled || os_cgroup_open(cg.root_fd, "main.scope", false, &dir) < 0)
                return -1;
        if (os_cgroup_open_file(dir, "cgroup.procs", true, &fd) < 0)
                fd = -1;
        os_close(dir);
        return fd;
}

/* ---------------------------------------------------------------- a unit's group */

void unit_cgroup_init(struct unit *u) {
        u->cgroup_fd = u->cgroup_events_fd = u->cgroup_memory_events_fd = -1;
        u->cgroup_io.fd = u->cgroup_memory_io.fd = -1;
        unit_cgroup_note(&u->config);
}

void unit_cgroup_free(struct unit *u) {
        if (u->cgroup_io.fd >= 0)
                loop_io_del(&u->cgroup_io);
        if (u->cgroup_memory_io.fd >= 0)
                loop_io_del(&u->cgroup_memory_io);
        os_close(u->cgroup_memory_events_fd);
        u->cgroup_memory_events_fd = u->cgroup_memory_io.fd = -1;
        os_close(u->cgroup_events_fd);
        os_close(u->cgroup_fd);
        if (u->cgroup_fd >= 0)
                (void)os_cgroup_remove(cg.root_fd, u->config.name); /* EBUSY: processes left, kept */
        u->cgroup_fd = u->cgroup_events_fd = u->cgroup_io.fd = -1;
}

bool unit_cgroup_active(const struct unit *u) {
        return u->cgroup_fd >= 0;
}

static int events_value(struct unit *u, const char *key, uint64_t *ret) {
        char text[256];
        int r = os_cgroup_read_fd(u->cgroup_events_fd, text, sizeof(text));
        return r < 0 ? r : cgroup_flat_value(text, key, ret);
}

bool unit_cgroup_populated(struct unit *u) {
        uint64_t v;
        if (u->cgroup_events_fd < 0)
                return false;
        return events_value(u, "populated", &v) < 0 || v != 0;
}

/* cgroup.events changed (EPOLLPRI): read it (which also clears the event),
 * and let a stop that waits for the group see it. */
static void events_ready(struct loop_io *io, uint32_t events) {
        struct unit *u = io->data;
        uint64_t v;
        int r = events_value(u, "populated", &v);
        if (r < 0) {
                unit_log(LOG_LEVEL_WARNING, u, "cannot read cgroup.events: %s; no longer watching it", strerror(-r));
                loop_io_del(&u->cgroup_io);
                u->cgroup_io.fd = -1;
                return;
        }
        if (v == 0)
                unit_check_all_gone(u);
}

static uint64_t oom_kills(struct unit *u) {
        char text[512];
        uint64_t v;
        if (!applies(CGROUP_CONTROLLER_MEMORY) || os_cgroup_read(u->cgroup_fd, "memory.events", text, sizeof(text)) < 0 ||
            cgroup_flat_value(text, "oom_kill", &v) < 0)
                return 0;
        return v;
}

/* An increase of oom_kill since the start: logged once, noted for the
 * exit's result. Whether there was one. */
static bool oom_noticed(struct unit *u) {
        uint64_t now = oom_kills(u);
        if (now <= u->cgroup_oom_kills)
                return false;
        unit_log(LOG_LEVEL_WARNING, u, "the OOM killer killed %" PRIu64 " process%s of its cgroup (memory.max)%s",
                 now - u->cgroup_oom_kills, now - u->cgroup_oom_kills == 1 ? "" : "es",
                 u->config.oom_policy == OOM_POLICY_CONTINUE ? ", OOMPolicy=continue: it runs on"
                 : u->config.oom_policy == OOM_POLICY_KILL   ? ", OOMPolicy=kill: the kernel kills the whole group"
                                                             : ", OOMPolicy=stop: stopping it");
        u->cgroup_oom_kills = now;
        u->cgroup_oom_seen = true;
        return true;
}

/* memory.events changed (EPOLLPRI, the kernel's "file modified" event of
 * cgroup-v2.rst): an OOM kill applies OOMPolicy= at once, not only when
 * the main process exits (systemd watches the same file). stop: the unit
 * is stopped with the result oom-kill; kill: memory.oom.group=1 made the
 * kernel kill every process of the group, the main process's exit gives
 * the result; continue: logged only. */
static void memory_events_ready(struct loop_io *io, uint32_t events) {
        struct unit *u = io->data;
        (void)events;
        if (oom_noticed(u) && u->config.oom_policy == OOM_POLICY_STOP)
                unit_feed(u, UNIT_EV_OOM_KILL, UNIT_RESULT_KEEP);
}

/* Open the group's file name into *ret_fd, take its current event as seen
 * and watch it for EPOLLPRI (a cgroup file's "modified") with io. */
static int watch_file(struct unit *u, const char *name, int *ret_fd, struct loop_io *io,
                      void (*ready)(struct loop_io *io, uint32_t events)) {
        int r = os_cgroup_open_file(u->cgroup_fd, name, false, ret_fd);
        if (r < 0)
                return r;
        *io = (struct loop_io){ .fd = *ret_fd, .ready = ready, .data = u };
        char text[512];
        (void)os_cgroup_read_fd(*ret_fd, text, sizeof(text));
        r = loop_io_add(io, OS_EVENT_PRI);
        if (r < 0)
                io->fd = -1;
        return r;
}

/* Watch memory.events where the memory controller applies; without it
 * there is no OOM count to watch (and nothing to say). */
static void watch_memory_events(struct unit *u) {
        if (!applies(CGROUP_CONTROLLER_MEMORY) || u->cgroup_memory_events_fd >= 0)
                return;
        int r = watch_file(u, "memory.events", &u->cgroup_memory_events_fd, &u->cgroup_memory_io, memory_events_ready);
        if (r < 0)
                unit_log(LOG_LEVEL_WARNING, u, "cannot watch its memory.events: %s; OOMPolicy= applies at the main "
                         "process's exit only", strerror(-r));
}

/* OOMPolicy=kill: memory.oom.group=1, the kernel kills the whole group at
 * an OOM kill (systemd.service(5)); any other policy writes 0, as the
 * group outlives a change of the unit file. */
static void write_oom_group(struct unit *u) {
        if (!applies(CGROUP_CONTROLLER_MEMORY))
                return;
        int r = os_cgroup_write(u->cgroup_fd, "memory.oom.group", u->config.oom_policy == OOM_POLICY_KILL ? "1" : "0");
        if (r < 0 && (r != -ENOENT || u->config.oom_policy == OOM_POLICY_KILL))
                unit_log(LOG_LEVEL_WARNING, u, "cannot apply OOMPolicy=%s (memory.oom.group): %s",
                         oom_policy_to_string(u->config.oom_policy), strerror(-r));
}

static int make_group(struct unit *u) {
        int r = os_cgroup_open(cg.root_fd, u->config.name, true, &u->cgroup_fd);
        if (r < 0) {
                unit_log(LOG_LEVEL_WARNING, u, "cannot make its cgroup under %s: %s; running it as a process group",
                         cg.root, strerror(-r));
                return r;
        }
        r = watch_file(u, "cgroup.events", &u->cgroup_events_fd, &u->cgroup_io, events_ready);
        if (r < 0)
                unit_log(LOG_LEVEL_WARNING, u, "cannot watch its cgroup.events: %s", strerror(-r));
        return 0;
}

static void write_limits(struct unit *u) {
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t n = cgroup_settings_of(&u->config, s);
        for (size_t i = 0; i < n; i++) {
                if (!applies(s[i].controller))
                        continue; /* named in the one warning at boot */
                int r = os_cgroup_write(u->cgroup_fd, s[i].file, s[i].value);
                if (r < 0)
                        unit_log(LOG_LEVEL_WARNING, u, "cannot apply %s= (%s %s): %s", s[i].key, s[i].file, s[i].value,
                                 strerror(-r));
        }
}

int unit_cgroup_prepare(struct unit *u, bool first_of_start) {
        if (!cg.enabled)
                return -1;
        if (u->cgroup_fd < 0 && make_group(u) < 0)
                return -1;
        if (first_of_start) {
                write_limits(u);
                write_oom_group(u);
                watch_memory_events(u);
                u->cgroup_oom_kills = oom_kills(u);
                u->cgroup_oom_seen = false;
        }
        int fd = -1;
        int r = os_cgroup_open_file(u->cgroup_fd, "cgroup.procs", true, &fd);
        if (r < 0)
                unit_log(LOG_LEVEL_WARNING, u, "cannot open its cgroup.procs: %s", strerror(-r));
        return r < 0 ? -1 : fd;
}

int unit_cgroup_signal(struct unit *u, int sig, bool cont) {
        if (sig == SIGKILL) {
                bool populated = unit_cgroup_populated(u);
                int r = os_cgroup_kill(u->cgroup_fd);
                if (r == 0)
                        return populated;
                if (r != -ENOENT)
                        unit_log(LOG_LEVEL_WARNING, u, "cannot write cgroup.kill: %s", strerror(-r));
        }
        int n = os_cgroup_signal_procs(u->cgroup_fd, sig);
        if (n < 0) {
                unit_log(LOG_LEVEL_WARNING, u, "cannot read its cgroup.procs: %s", strerror(-n));
                return 0;
        }
        if (cont)
                (void)os_cgroup_signal_procs(u->cgroup_fd, SIGCONT);
        return n;
}

enum unit_result unit_cgroup_exit_result(struct unit *u, enum unit_result r) {
        if (u->cgroup_fd < 0 || r == UNIT_RESULT_SUCCESS)
                return r;
        (void)oom_noticed(u);
        /* OOMPolicy=continue: the exit is what it was (SIGKILL: signal), as systemd's. */
        if (!u->cgroup_oom_seen || u->config.oom_policy == OOM_POLICY_CONTINUE)
                return r;
        return UNIT_RESULT_OOM_KILL;
}

static uint64_t single(const struct unit *u, const char *file) {
        char text[64];
        uint64_t v;
        if (os_cgroup_read(u->cgroup_fd, file, text, sizeof(text)) < 0 || cgroup_single_value(text, &v) < 0)
                return UINT64_MAX;
        return v;
}

bool unit_cgroup_stats(const struct unit *u, struct unit_cgroup_stats *ret) {
        char text[1024];
        *ret = (struct unit_cgroup_stats){ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
        if (u->cgroup_fd < 0)
                return false;
        ret->memory_current = single(u, "memory.current");
        ret->tasks_current = single(u, "pids.current");
        /* cpu.stat exists without the cpu controller (usage_usec is always there). */
        if (os_cgroup_read(u->cgroup_fd, "cpu.stat", text, sizeof(text)) < 0 ||
            cgroup_flat_value(text, "usage_usec", &ret->cpu_usage_usec) < 0)
                ret->cpu_usage_usec = UINT64_MAX;
        if (os_cgroup_read(u->cgroup_fd, "memory.events", text, sizeof(text)) < 0 ||
            cgroup_flat_value(text, "oom_kill", &ret->oom_kills) < 0)
                ret->oom_kills = UINT64_MAX;
        return true;
}

int unit_cgroup_unit_of(pid_t pid, char *buf, size_t cap) {
        char path[PATH_MAX];
        if (!cg.enabled)
                return -ENOENT;
        int r = os_cgroup_of(pid, path, sizeof(path));
        if (r < 0)
                return r;
        size_t n = strlen(cg.root_path);
        if (strncmp(path, cg.root_path, n) != 0 || path[n] != '/')
                return -ENOENT;
        const char *name = path + n + 1;
        size_t len = strcspn(name, "/");
        if (len == 0 || len >= cap || strncmp(name, "vigil.scope", len) == 0 || strncmp(name, "main.scope", len) == 0)
                return -ENOENT;
        memcpy(buf, name, len);
        buf[len] = '\0';
        return 0;
}
