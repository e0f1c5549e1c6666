/* SPDX-License-Identifier: MIT */
/*
 * Restart= exactly as systemd.service(5) (SPEC §4): given how a service
 * ended and its configuration, restart or not, and why. Pure: no syscalls,
 * no clock, no globals — every cell of the table is a unit test.
 *
 * Order of checks, as systemd's service_shall_restart(): a stop requested by
 * the user never restarts; then RestartPreventExitStatus= wins; then
 * RestartForceExitStatus=; then the Restart= table.
 */
#ifndef VIGIL_UNIT_RESTART_POLICY_H
#define VIGIL_UNIT_RESTART_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum restart_mode {
        RESTART_NO,
        RESTART_ALWAYS,
        RESTART_ON_SUCCESS,
        RESTART_ON_FAILURE,
        RESTART_ON_ABNORMAL,
        RESTART_ON_ABORT,
        RESTART_ON_WATCHDOG,
        RESTART_MODE_MAX,
};

/* How the service ended (the rows of the table). */
enum exit_cause {
        EXIT_CAUSE_CLEAN,            /* clean exit code or clean signal */
        EXIT_CAUSE_UNCLEAN_CODE,
        EXIT_CAUSE_UNCLEAN_SIGNAL,   /* core dumps included */
        EXIT_CAUSE_TIMEOUT,
        EXIT_CAUSE_WATCHDOG,
        EXIT_CAUSE_OOM_KILL,         /* systemd: restarts on-failure and on-abnormal, not on-abort */
        EXIT_CAUSE_MAX,
};

/* A set of exit codes (0..255) and signals (1..64), as SuccessExitStatus=,
 * RestartPreventExitStatus= and RestartForceExitStatus= hold them. */
struct exit_status_set {
        uint64_t codes[4];
        uint64_t signals;
};

void exit_status_set_add_code(struct exit_status_set *s, int code);
void exit_status_set_add_signal(struct exit_status_set *s, int sig);

/* How a process ended: exactly one of code (exited) or sig (killed). */
struct exit_info {
        bool exited;
        int code;    /* when exited */
        int sig;     /* when killed */
};

bool exit_status_set_contains(const struct exit_status_set *s, const struct exit_info *e);

/* Clean = exit 0, SIGHUP, SIGINT, SIGTERM, SIGPIPE, or in success. */
bool exit_is_clean(const struct exit_info *e, const struct exit_status_set *success);

/* The row of the table for an exit: unit_result_of_exit() then
 * unit_result_cause() (unit/unit_result.h), one mapping for restart and
 * history. */

struct restart_config {
        enum restart_mode mode;
        struct exit_status_set success, prevent, force;
};

enum restart_reason {
        RESTART_REASON_TABLE,           /* the Restart= table said so */
        RESTART_REASON_USER_STOP,       /* never restart a requested stop */
        RESTART_REASON_PREVENTED,       /* RestartPreventExitStatus= */
        RESTART_REASON_FORCED,          /* RestartForceExitStatus= */
};

struct restart_verdict {
        bool restart;
        enum restart_reason reason;
};

/* e is NULL for timeouts and watchdog kills where the exit status does not
 * matter; cause then says which. */
struct restart_verdict restart_decide(const struct restart_config *c, enum exit_cause cause,
                                      const struct exit_info *e, bool user_stop);

bool restart_table(enum restart_mode mode, enum exit_cause cause);
const char *restart_mode_to_string(enum restart_mode m);
int restart_mode_from_string(const char *s);   /* -EINVAL if unknown */
const char *exit_cause_to_string(enum exit_cause c);
const char *restart_reason_to_string(enum restart_reason r);

#endif
