/* SPDX-License-Identifier: MIT */
/*
 * runit service directories (--runit-dir, SPEC §3) as units: DIR/NAME/run is
 * the main process of NAME.service, restarted always; DIR/NAME/finish runs
 * after each exit (as ExecStopPost=; the runtime appends runit's two
 * arguments, the exit code or -1, and the signal number or 0); DIR/NAME/down
 * means "not started at boot" (the caller's business); DIR/NAME/log/run is a
 * unit of its own, NAME.log.service, reading the service's stdout through a
 * pipe the caller keeps across restarts, started before and stopped after it.
 *
 * Differences from runsv, on purpose: no hidden 1 s pause between restarts
 * (RestartSec=100ms, systemd's default); like runsv, never give up
 * (StartLimitIntervalSec=0); a stop signals the service's whole process
 * group (KillMode=control-group), not only ./run.
 *
 * Pure: the caller looks at the filesystem and says what exists.
 */
#ifndef VIGIL_UNIT_RUNIT_DIR_H
#define VIGIL_UNIT_RUNIT_DIR_H

#include "unit/unit_config.h"

#include <stdbool.h>

struct runit_service {
        const char *dir;       /* ".../NAME", absolute or as given */
        const char *name;      /* NAME */
        bool has_finish;       /* executable DIR/NAME/finish */
        bool has_log;          /* executable DIR/NAME/log/run */
};

/* Fill *main (and *log when s->has_log); -EINVAL if NAME cannot name a
 * unit, -ENOMEM. On failure nothing is left allocated. */
int runit_service_config(const struct runit_service *s, struct unit_config *main_unit, struct unit_config *log_unit);

#endif
