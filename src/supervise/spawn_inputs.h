/* SPDX-License-Identifier: MIT */
/*
 * The effects of a unit's spawn, in one place: the User=/Group=/
 * SupplementaryGroups= look-ups (NSS), the EnvironmentFile= reads and the
 * opening of the standard fds. What they find feeds the pure builder
 * (unit/spawn_build.h); os/proc.c then carries out the plan.
 *
 * How often each is done, and why:
 *  - the look-ups once per start: at its first spawn (ExecStartPre=, else
 *    the first ExecStart=), reused by every later command of that start and
 *    its stop (ExecStartPost=, ExecReload=, ExecStop=, ...). A failed look-up
 *    is not kept: the next command tries (and logs) again, as before;
 *  - EnvironmentFile= before each command: systemd.exec(5) lets one command
 *    (an ExecStartPre=) write the file the next one reads;
 *  - the standard fds for each process: a journal pipe belongs to one
 *    process, and a StandardOutput=file: is opened at offset 0 each time.
 *
 * Every failure is logged here, once, with the unit's name; the caller
 * only turns -errno into the unit's result.
 */
#ifndef VIGIL_SUPERVISE_SPAWN_INPUTS_H
#define VIGIL_SUPERVISE_SPAWN_INPUTS_H

#include "logcap/log_ring.h"
#include "unit/spawn_build.h"
#include "unit/unit_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One unit's look-ups of this start; NULL until the first. */
struct spawn_cache;
void spawn_cache_free(struct spawn_cache *cache);

/* The credentials for a process of the unit named name: looked up when
 * fresh (the first spawn of a start) or never yet, else the kept ones.
 * *ret is NULL when the unit sets none. 0 or -errno (logged). */
int spawn_inputs_credentials(struct spawn_cache **cache, const char *name, const struct unit_config *c, bool fresh,
                             const struct spawn_credentials **ret);

/* EnvironmentFile= entries, files in order ("-": a missing one is fine);
 * the files' warnings go to the manager's report. 0 or -errno (logged). */
int spawn_inputs_env_files(const char *name, const struct unit_config *c, char ***ret_env, size_t *ret_n);

/* The standard fds of one process. stdin: runit_stdin, else TTYPath= for
 * StandardInput=tty*, else devnull;
 * stdout: runit_stdout (runit: into the log service's pipe, stderr then
 * stays vigil's), else StandardOutput=; stderr: StandardError=, inherit =
 * where stdout goes. Journal output is captured under ident into ring. */
struct spawn_outputs {
        struct spawn_fds fds;
        int owned[3];                    /* opened here: closed after the spawn (stdout, stderr, stdin) */
        struct output_source *source[2]; /* journal pipes: told the pid */
};
int spawn_outputs_open(const char *name, const struct unit_config *c, const char *ident, struct log_ring *ring,
                       int runit_stdin, int runit_stdout, int devnull, struct spawn_outputs *ret);
/* After the fork: the journal pipes learn whose output they carry. */
void spawn_outputs_started(struct spawn_outputs *o, pid_t pid);
/* After the spawn (or its failure): close what spawn_outputs_open() opened. */
void spawn_outputs_close(struct spawn_outputs *o);

#endif
