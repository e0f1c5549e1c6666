/* SPDX-License-Identifier: MIT */
/*
 * The glue between a reaped process and the unit's decisions, as pure
 * functions (STYLE §1), so every row is a table test:
 *
 *  - exit -> result: what one ending of a process means for its unit
 *    (docs/DESIGN.md, "Results, exits and clean signals"). A daemon (the main
 *    process of a long-running service) ends clean by exit 0 or
 *    SIGHUP/SIGINT/SIGTERM/SIGPIPE; a command (ExecStartPre= & co., a
 *    oneshot's ExecStart=) only by exit 0 (systemd's EXIT_CLEAN_DAEMON vs
 *    EXIT_CLEAN_COMMAND); SuccessExitStatus= for both. A process that died,
 *    while the unit was stopping, of the signal vigil sent to stop it
 *    (KillSignal=, SIGKILL, WatchdogSignal= for a watchdog stop) ended as
 *    asked: clean.
 *  - result -> exit cause: the row of the Restart= table (restart_policy.h).
 *    One table, read by both the restart decision at the end of a stop and
 *    each `vigilctl history` record, so the two can never disagree.
 *
 * Owns no state. Depends on unit_state.h (the result enum) and
 * restart_policy.h (exit_info, exit causes).
 */
#ifndef VIGIL_UNIT_UNIT_RESULT_H
#define VIGIL_UNIT_UNIT_RESULT_H

#include "unit/restart_policy.h"
#include "unit/unit_state.h"

#include <stdbool.h>

/* How one process ended, and what the unit was doing when it did. */
struct unit_exit {
        struct exit_info exit;
        bool core;                      /* killed and dumped core */
        bool command;                   /* a control process or a oneshot's main */
        bool stopping;                  /* the unit was in a stop state */
        bool watchdog_stop;             /* ...a stop for the watchdog (result watchdog) */
        int kill_signal;                /* KillSignal= */
        int watchdog_signal;            /* WatchdogSignal= */
        const struct exit_status_set *success;  /* SuccessExitStatus=, or NULL */
};

/* A wait status (waitpid(2)) as exit_info; *ret_core: it dumped core. */
struct exit_info unit_exit_from_wait(int wait_status, bool *ret_core);

/* success, exit-code, signal or core-dump. */
enum unit_result unit_result_of_exit(const struct unit_exit *x);

/* The row of the Restart= table for a unit result, and whether the result
 * may restart at all (start-limit-hit and dependency never do: systemd's
 * service_shall_restart() is not even asked). */
struct unit_cause {
        enum exit_cause cause;
        bool restartable;
};
struct unit_cause unit_result_cause(enum unit_result r);
/* Did a start that ended with this result succeed as a start job (After=
 * dependents go on)? Success, and an ExecCondition= skip (systemd: the job
 * is done, the unit inactive). */
bool unit_result_start_ok(enum unit_result r);

/* The cause to record for one main-process exit whose own result is
 * exit_result while the unit's result so far is unit_result: a kill vigil
 * made for a timeout, the watchdog or OOMPolicy=stop is that, not the
 * signal it used. */
enum exit_cause unit_exit_record_cause(enum unit_result unit_result, enum unit_result exit_result);

#endif
