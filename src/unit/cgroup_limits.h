/* SPDX-License-Identifier: MIT */
/*
 * The resource-control keys of a unit as cgroup v2 files and values, a
 * pure table (STYLE §1): MemoryMax= -> memory.max, MemoryHigh= ->
 * memory.high, TasksMax= -> pids.max, CPUWeight= -> cpu.weight, CPUQuota=
 * -> cpu.max, IOWeight= -> io.weight (systemd.resource-control(5) and the
 * kernel's Documentation/admin-guide/cgroup-v2.rst).
 *
 * Only the keys a unit sets become settings; an unset key leaves the
 * kernel's default ("max", weight 100), which is also what a fresh group
 * has, so nothing is written for it. Each setting names the controller it
 * needs: supervise/unit_cgroup.c skips (and warns once for) those whose
 * controller vigil could not enable.
 *
 * Also the two parsers of what the kernel writes back: a "KEY VALUE" line
 * of a flat-keyed file (cgroup.events, memory.events, cpu.stat) and a
 * single number (memory.current, pids.current). Owns no state.
 */
#ifndef VIGIL_UNIT_CGROUP_LIMITS_H
#define VIGIL_UNIT_CGROUP_LIMITS_H

#include "unit/unit_config.h"

#include <stddef.h>
#include <stdint.h>

/* The cpu.max period vigil writes (systemd's default CPUQuotaPeriodSec=). */
#define CGROUP_CPU_PERIOD_USEC 100000u
/* The kernel refuses a cpu.max quota under 1 ms. */
#define CGROUP_CPU_QUOTA_MIN_USEC 1000u

enum cgroup_controller {
        CGROUP_CONTROLLER_MEMORY,
        CGROUP_CONTROLLER_PIDS,
        CGROUP_CONTROLLER_CPU,
        CGROUP_CONTROLLER_IO,
        CGROUP_CONTROLLER_MAX,
};

/* "memory", "pids", "cpu", "io". */
const char *cgroup_controller_name(enum cgroup_controller c);
/* The bit of each controller named in a cgroup.controllers line. */
unsigned cgroup_controllers_parse(const char *line);

struct cgroup_setting {
        const char *key;               /* "MemoryMax" */
        const char *file;              /* "memory.max" */
        enum cgroup_controller controller;
        char value[48];                /* what to write */
};

#define CGROUP_SETTINGS_MAX 6

/* The settings for c, in the order above; returns how many (at most
 * CGROUP_SETTINGS_MAX). */
size_t cgroup_settings_of(const struct unit_config *c, struct cgroup_setting *ret);

/* Value of "KEY N" in a flat-keyed file's text; -ENOENT if absent, -EINVAL
 * if not a number. */
int cgroup_flat_value(const char *text, const char *key, uint64_t *ret);
/* A file holding one number, or "max" (UINT64_MAX). */
int cgroup_single_value(const char *text, uint64_t *ret);

#endif
