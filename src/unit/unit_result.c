/* SPDX-License-Identifier: MIT */
#include "unit/unit_result.h"

#include <signal.h>
#include <sys/wait.h>

struct exit_info unit_exit_from_wait(int wait_status, bool *ret_core) {
        *ret_core = WIFSIGNALED(wait_status) && WCOREDUMP(wait_status);
        if (WIFEXITED(wait_status))
                return (struct exit_info){ .exited = true, .code = WEXITSTATUS(wait_status) };
        return (struct exit_info){ .exited = false, .sig = WTERMSIG(wait_status) };
}

static bool clean_by_status(const struct unit_exit *x) {
        const struct exit_info *e = &x->exit;
        if (!x->command)
                return exit_is_clean(e, x->success);
        return (e->exited && e->code == 0) || (x->success && exit_status_set_contains(x->success, e));
}

/* Died of the signal vigil sent to stop it. */
static bool died_of_our_stop(const struct unit_exit *x) {
        const struct exit_info *e = &x->exit;
        if (e->exited || !x->stopping)
                return false;
        return e->sig == x->kill_signal || e->sig == SIGKILL || (x->watchdog_stop && e->sig == x->watchdog_signal);
}

enum unit_result unit_result_of_exit(const struct unit_exit *x) {
        if (clean_by_status(x) || died_of_our_stop(x))
                return UNIT_RESULT_SUCCESS;
        if (x->exit.exited)
                return UNIT_RESULT_EXIT_CODE;
        return x->core ? UNIT_RESULT_CORE_DUMP : UNIT_RESULT_SIGNAL;
}

/* Rows of the Restart= table by result (systemd.service(5), table 2:
 * "unclean signal" includes core dumps; everything else that is not a
 * timeout or the watchdog is "unclean exit code"). */
static const struct unit_cause causes[UNIT_RESULT_MAX] = {
        [UNIT_RESULT_SUCCESS] = { EXIT_CAUSE_CLEAN, true },
        [UNIT_RESULT_EXIT_CODE] = { EXIT_CAUSE_UNCLEAN_CODE, true },
        [UNIT_RESULT_SIGNAL] = { EXIT_CAUSE_UNCLEAN_SIGNAL, true },
        [UNIT_RESULT_CORE_DUMP] = { EXIT_CAUSE_UNCLEAN_SIGNAL, true },
        [UNIT_RESULT_TIMEOUT] = { EXIT_CAUSE_TIMEOUT, true },
        [UNIT_RESULT_WATCHDOG] = { EXIT_CAUSE_WATCHDOG, true },
        [UNIT_RESULT_START_LIMIT_HIT] = { EXIT_CAUSE_UNCLEAN_CODE, false },
        [UNIT_RESULT_RESOURCES] = { EXIT_CAUSE_UNCLEAN_CODE, true },
        [UNIT_RESULT_PROTOCOL] = { EXIT_CAUSE_UNCLEAN_CODE, true },
        [UNIT_RESULT_DEPENDENCY] = { EXIT_CAUSE_UNCLEAN_CODE, false },
        [UNIT_RESULT_OOM_KILL] = { EXIT_CAUSE_OOM_KILL, true },
        [UNIT_RESULT_EXEC_CONDITION] = { EXIT_CAUSE_CLEAN, false },   /* skipped: never restarted */
};

struct unit_cause unit_result_cause(enum unit_result r) {
        if ((unsigned)r >= UNIT_RESULT_MAX)
                return (struct unit_cause){ EXIT_CAUSE_UNCLEAN_CODE, true };
        return causes[r];
}

bool unit_result_start_ok(enum unit_result r) {
        return r == UNIT_RESULT_SUCCESS || r == UNIT_RESULT_EXEC_CONDITION;
}

enum exit_cause unit_exit_record_cause(enum unit_result unit_result, enum unit_result exit_result) {
        if (unit_result == UNIT_RESULT_WATCHDOG || unit_result == UNIT_RESULT_TIMEOUT ||
            unit_result == UNIT_RESULT_OOM_KILL)
                return unit_result_cause(unit_result).cause;
        return unit_result_cause(exit_result).cause;
}
