/* SPDX-License-Identifier: MIT */
#include "supervise/health.h"

#include "core/log.h"
#include "unit/unit_action.h"
#include "watchdog/hw_watchdog.h"

#include <stdio.h>

static struct {
        struct health_config config;
        enum unit_action action;
        int code;
        char why[512];   /* a 255-byte unit name and its result fit */
} h;

void health_init(const struct health_config *c) {
        h.config = *c;
}

static void release(void) {
        if (h.config.request)
                h.config.request(h.action, h.code, h.why);
}

/* SPEC §8: a critical unit's health failure stops the petting before its
 * action starts; a snooze postpones the action. true: held. */
static bool hold(const struct health_action *a, const char *why) {
        if (a->success || !unit_action_is_health_failure(a->action, a->result))
                return false;
        hw_watchdog_unhealthy(why);
        if (hw_watchdog_holding())
                return true; /* the first action waits; StartLimitAction= then FailureAction= */
        if (!hw_watchdog_hold(why, release))
                return false;
        h.action = a->action;
        h.code = a->code;
        snprintf(h.why, sizeof(h.why), "%s", why);
        return true;
}

void health_unit_action(const struct health_action *a) {
        const char *key = unit_action_key(a->success, a->result);
        char why[512];
        snprintf(why, sizeof(why), "%s=%s of %s (result %s)", key, unit_action_to_string(a->action), a->unit,
                 unit_result_to_string(a->result));
        if (hold(a, why))
                return;
        if (h.config.system_mode)
                log_notice("%s: %s=%s", a->unit, key, unit_action_to_string(a->action));
        else
                log_notice("%s: %s=%s: shutting down with exit status %d", a->unit, key,
                           unit_action_to_string(a->action), a->code);
        if (h.config.run)
                h.config.run(a->action, a->code, why);
}
