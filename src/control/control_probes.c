/* SPDX-License-Identifier: MIT */
#include "control/control_probes.h"

#include "supervise/manager.h"
#include "supervise/supervisor.h"
#include "supervise/unit_view.h"

#include <stdio.h>
#include <string.h>

enum probe { PROBE_PLAIN, PROBE_LIVE, PROBE_READY, PROBE_STARTUP };

/* The health rule of plain `vigilctl check`. NULL when healthy. */
static const char *unhealthy(const struct unit_view *v) {
        switch (v->state) {
        case UNIT_RUNNING:
        case UNIT_RELOAD:
                if (v->type == SERVICE_NOTIFY && !v->ready)
                        return "running but not ready";
                return NULL;
        case UNIT_EXITED:
                return NULL;
        case UNIT_DEAD:
                return v->result == UNIT_RESULT_SUCCESS ? NULL : "dead";
        case UNIT_FAILED:
                return "failed";
        case UNIT_AUTO_RESTART:
                return "waiting to restart";
        default:
                return unit_state_is_stopping(v->state) ? "stopping" : "starting";
        }
}

/* The liveness rule: failed with no restart coming (Restart=no, the start
 * limit hit, a dependency failed). A restart wait or a start is live. */
static const char *dead_for_good(const struct unit_view *v) {
        return v->state == UNIT_FAILED ? "failed for good" : NULL;
}

/* The first unit the rule finds fault with: its line into b; false when none. */
static bool first_fault(struct strbuf *b, const char *(*rule)(const struct unit_view *)) {
        for (size_t i = 0; i < manager_n_units(); i++) {
                struct unit_view v;
                unit_view_of(manager_unit_at(i), &v);
                const char *why = rule(&v);
                if (!why)
                        continue;
                char text[512];
                snprintf(text, sizeof(text), "%s is %s (%s, result %s)", v.name, why,
                         unit_state_to_string(v.state), unit_result_to_string(v.result));
                control_reply_header(b, CONTROL_FAILED, text);
                return true;
        }
        return false;
}

/* Still starting: which unit, when the boot waits for one. */
static const char *starting(const struct unit_view *v) {
        return v->start_pending || v->state == UNIT_WAITING ? "still starting" : NULL;
}

static bool startup_fault(struct strbuf *b) {
        const char *pending = supervisor_startup_pending();
        if (!pending)
                return false;
        if (strcmp(pending, "a unit is still starting") == 0 && first_fault(b, starting))
                return true;
        char text[128];
        snprintf(text, sizeof(text), "starting up: %s", pending);
        control_reply_header(b, CONTROL_FAILED, text);
        return true;
}

static int probe_from_request(const struct control_request *rq) {
        static const char *const names[] = { [PROBE_LIVE] = "live", [PROBE_READY] = "ready",
                                             [PROBE_STARTUP] = "startup" };
        if (rq->n_args == 0)
                return PROBE_PLAIN;
        if (rq->n_args > 1)
                return -1;
        for (int p = PROBE_LIVE; p <= PROBE_STARTUP; p++)
                if (strcmp(rq->args[0], names[p]) == 0)
                        return p;
        return -1;
}

void control_probes_check(struct strbuf *b, const struct control_request *rq) {
        switch (probe_from_request(rq)) {
        case PROBE_PLAIN:
                if (!first_fault(b, unhealthy))
                        control_reply_header(b, CONTROL_OK, "healthy");
                return;
        case PROBE_LIVE:
                /* A stop under way is the way down, not a failure to report. */
                if (!supervisor_accepting() || !first_fault(b, dead_for_good))
                        control_reply_header(b, CONTROL_OK, "live");
                return;
        case PROBE_READY:
                if (!supervisor_accepting()) {
                        control_reply_header(b, CONTROL_FAILED, "not ready: vigil is stopping");
                        return;
                }
                if (startup_fault(b))
                        return;
                if (!first_fault(b, unhealthy))
                        control_reply_header(b, CONTROL_OK, "ready");
                return;
        case PROBE_STARTUP:
                if (!startup_fault(b))
                        control_reply_header(b, CONTROL_OK, "started");
                return;
        default:
                control_reply_header(b, CONTROL_USAGE, "check: unknown probe (live, ready or startup)");
                return;
        }
}
