/* SPDX-License-Identifier: MIT */
/*
 * cgroup v2 per unit (issue 17): the policy over os/cgroup.c. Part of the
 * unit module for the per-unit side (it reads struct unit); the tree's
 * set-up is its own small state.
 *
 * The tree. vigil takes a root R, a writable directory of a cgroup2 file
 * system: --cgroup-root=DIR; else in system mode /sys/fs/cgroup (mounted
 * there if it is not yet); else (container mode, subreaper) the group
 * vigil was started in, when it is writable (delegated: podman
 * --systemd=always, a writable mount, systemd's Delegate=yes). Under R:
 *
 *     R/vigil.scope     vigil itself (and its start-up scripts and hooks)
 *     R/main.scope      the main command
 *     R/NAME.service    each unit, made at its first start
 *
 * so no process sits in an inner node (cgroup v2's "no internal processes"
 * rule) and R's cgroup.subtree_control can enable memory, pids, cpu and io
 * — those R's cgroup.controllers offers. Without a writable cgroup2 tree
 * (or --cgroup-root=off) units stay process groups as before, and one
 * warning at boot names the resource keys the units set that are then not
 * applied; a controller missing from R gives the same one line for the
 * keys that need it.
 *
 * Placing a child: the child writes "0" to the group's cgroup.procs
 * before anything else, and the parent writes its pid too (os/proc.c,
 * spawn_plan.set_cgroup). clone3(CLONE_INTO_CGROUP) (Linux 5.7) was
 * rejected: a raw clone3 bypasses the libc's fork() bookkeeping (atfork,
 * its own locks) in both glibc and musl, and the write works on every
 * cgroup2 kernel (4.5); the cost is one write in the child.
 *
 * With a group a unit's stop reaches every process in it, setsid()
 * escapers too: KillMode=control-group (and mixed's SIGKILL) signal each
 * pid of cgroup.procs, SIGKILL through cgroup.kill where the kernel has it
 * (5.14); emptiness is cgroup.events' "populated 0", watched with EPOLLPRI
 * in the one loop (a change wakes the unit's check). The process groups
 * are still tracked: sd_notify attribution reads them.
 *
 * An OOM kill: memory.events' oom_kill is read at each start, at the
 * main process's exit and whenever the file changes (EPOLLPRI, as
 * cgroup.events). OOMPolicy= (systemd.service(5)) decides: stop (the
 * default) stops the unit with the result oom-kill as soon as the change
 * shows; kill writes memory.oom.group=1 at each start so the kernel kills
 * the whole group; with either, an increase turns a failed exit into the
 * result oom-kill (systemd's), which Restart=, history, status and metrics
 * see. continue only logs it.
 */
#ifndef VIGIL_SUPERVISE_UNIT_CGROUP_H
#define VIGIL_SUPERVISE_UNIT_CGROUP_H

#include "unit/unit_state.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unit;
struct unit_config;

/* Find or make the tree (see above) and move vigil into vigil.scope.
 * root: --cgroup-root (NULL: the default for the mode, "off": none). Logs
 * what it decided; never fails vigil. */
void unit_cgroup_setup(const char *root, bool system_mode);
/* Whether units get groups. */
bool unit_cgroup_enabled(void);
/* The unit whose group process pid is in (R/NAME.service/...): its name
 * into buf. -ENOENT without groups, for a pid outside them or gone. */
int unit_cgroup_unit_of(pid_t pid, char *buf, size_t cap);
/* Note the resource keys a loaded unit sets (for the one warning). */
void unit_cgroup_note(const struct unit_config *c);
/* After loading: the one warning naming the keys not applied, if any. */
void unit_cgroup_report(void);
/* An O_WRONLY fd on main.scope's cgroup.procs for the main command's
 * spawn, or -1 (no cgroups). The caller closes it. */
int unit_cgroup_main_procs_fd(void);

/* The unit's side is declared in unit_internal.h (the unit module's). */

/* What status and metrics show; false without a group. */
struct unit_cgroup_stats {
        uint64_t memory_current;       /* bytes; UINT64_MAX: not known (no memory controller) */
        uint64_t tasks_current;        /* UINT64_MAX: not known (no pids controller) */
        uint64_t cpu_usage_usec;       /* cpu.stat usage_usec; UINT64_MAX: not known */
        uint64_t oom_kills;            /* memory.events oom_kill; UINT64_MAX: not known */
};
bool unit_cgroup_stats(const struct unit *u, struct unit_cgroup_stats *ret);

#endif
