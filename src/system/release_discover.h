/* SPDX-License-Identifier: MIT */
/*
 * The release planner (system/release_plan) over the real file system, its
 * warnings logged: erlinit mode's main command when the options name none
 * (docs/ERLINIT.md). Run once at boot, after the mounts (SPEC §2 step 2);
 * every listing and read is bounded.
 */
#ifndef VIGIL_SYSTEM_RELEASE_DISCOVER_H
#define VIGIL_SYSTEM_RELEASE_DISCOVER_H

#include "system/release_plan.h"

/* 0 with ret filled, or -errno (the reason logged). */
int release_discover(const struct release_plan_input *in, struct release_plan *ret);

#endif
