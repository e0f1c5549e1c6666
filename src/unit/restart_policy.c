/* SPDX-License-Identifier: MIT */
#include "unit/restart_policy.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static const char *const mode_names[RESTART_MODE_MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ALWAYS] = "always",
        [RESTART_ON_SUCCESS] = "on-success",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ON_ABNORMAL] = "on-abnormal",
        [RESTART_ON_ABORT] = "on-abort",
        [RESTART_ON_WATCHDOG] = "on-watchdog",
};

static const char *const cause_names[EXIT_CAUSE_MAX] = {
        [EXIT_CAUSE_CLEAN] = "success",
        [EXIT_CAUSE_UNCLEAN_CODE] = "exit-code",
        [EXIT_CAUSE_UNCLEAN_SIGNAL] = "signal",
        [EXIT_CAUSE_TIMEOUT] = "timeout",
        [EXIT_CAUSE_WATCHDOG] = "watchdog",
        [EXIT_CAUSE_OOM_KILL] = "oom-kill",
};

/* SPEC §4, the Restart= table: rows are exit causes, columns are modes.
 * Read it beside systemd.service(5), table 2. */
static const bool table[EXIT_CAUSE_MAX][RESTART_MODE_MAX] = {
        /*                           no     always on-succ on-fail on-abn on-abort on-wd */
        [EXIT_CAUSE_CLEAN]         = { false, true, true,  false,  false, false,   false },
        [EXIT_CAUSE_UNCLEAN_CODE]  = { false, true, false, true,   false, false,   false },
        [EXIT_CAUSE_UNCLEAN_SIGNAL]= { false, true, false, true,   true,  true,    false },
        [EXIT_CAUSE_TIMEOUT]       = { false, true, false, true,   true,  false,   false },
        [EXIT_CAUSE_WATCHDOG]      = { false, true, false, true,   true,  false,   true  },
        [EXIT_CAUSE_OOM_KILL]      = { false, true, false, true,   true,  false,   false },
};

void exit_status_set_add_code(struct exit_status_set *s, int code) {
        if (code >= 0 && code < 256)
                s->codes[code / 64] |= UINT64_C(1) << (code % 64);
}

void exit_status_set_add_signal(struct exit_status_set *s, int sig) {
        if (sig >= 1 && sig <= 64)
                s->signals |= UINT64_C(1) << (sig - 1);
}

bool exit_status_set_contains(const struct exit_status_set *s, const struct exit_info *e) {
        if (e->exited)
                return e->code >= 0 && e->code < 256 && (s->codes[e->code / 64] >> (e->code % 64)) & 1;
        return e->sig >= 1 && e->sig <= 64 && (s->signals >> (e->sig - 1)) & 1;
}

bool exit_is_clean(const struct exit_info *e, const struct exit_status_set *success) {
        if (e->exited && e->code == 0)
                return true;
        if (!e->exited && (e->sig == SIGHUP || e->sig == SIGINT || e->sig == SIGTERM || e->sig == SIGPIPE))
                return true;
        return success && exit_status_set_contains(success, e);
}

bool restart_table(enum restart_mode mode, enum exit_cause cause) {
        if ((unsigned)mode >= RESTART_MODE_MAX || (unsigned)cause >= EXIT_CAUSE_MAX)
                return false;
        return table[cause][mode];
}

struct restart_verdict restart_decide(const struct restart_config *c, enum exit_cause cause,
                                      const struct exit_info *e, bool user_stop) {
        if (user_stop)
                return (struct restart_verdict){ false, RESTART_REASON_USER_STOP };
        if (e && exit_status_set_contains(&c->prevent, e))
                return (struct restart_verdict){ false, RESTART_REASON_PREVENTED };
        if (e && exit_status_set_contains(&c->force, e))
                return (struct restart_verdict){ true, RESTART_REASON_FORCED };
        return (struct restart_verdict){ restart_table(c->mode, cause), RESTART_REASON_TABLE };
}

const char *restart_mode_to_string(enum restart_mode m) {
        return (unsigned)m < RESTART_MODE_MAX ? mode_names[m] : "invalid";
}

int restart_mode_from_string(const char *s) {
        for (int i = 0; i < RESTART_MODE_MAX; i++)
                if (strcmp(s, mode_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *exit_cause_to_string(enum exit_cause c) {
        return (unsigned)c < EXIT_CAUSE_MAX ? cause_names[c] : "invalid";
}

const char *restart_reason_to_string(enum restart_reason r) {
        switch (r) {
        case RESTART_REASON_TABLE: return "Restart= setting";
        case RESTART_REASON_USER_STOP: return "stop requested";
        case RESTART_REASON_PREVENTED: return "prevented by RestartPreventExitStatus=";
        case RESTART_REASON_FORCED: return "forced by RestartForceExitStatus=";
        }
        return "invalid";
}
