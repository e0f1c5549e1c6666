/* SPDX-License-Identifier: MIT */
/*
 * The relations between units that are not ordering (systemd.unit(5)):
 * Conflicts= (starting one unit stops the other, whichever of the two names
 * it), OnFailure= and OnSuccess= (units started when this one fails or goes
 * inactive). Part of the manager: its entry points are in
 * manager_internal.h; it starts and stops through the manager's requests.
 *
 * Settle, then act: a state write only records what it triggers
 * (mgr_relations_changed(), from the manager's hook); the starts are made
 * in mgr_relations_fire(), after the knock-on queue is drained. A unit is
 * started by a trigger at most once per fire, so handlers that fail at once
 * and trigger each other cannot loop inside one settle.
 */
#include "supervise/manager_internal.h"

#include "base/strv.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* Triggered starts not made yet: the target's name, and what triggered it. */
static struct strv pending, pending_why;

static bool lists(const struct unit_dep_list *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], name) == 0)
                        return true;
        return false;
}

static void trigger(struct unit *u, const struct unit_dep_list *l, const char *key) {
        for (size_t i = 0; i < l->n; i++) {
                char why[320];
                snprintf(why, sizeof(why), "%s= of %s", key, unit_name(u));
                if (strv_push(&pending, l->v[i]) < 0 || strv_push(&pending_why, why) < 0) {
                        log_error("%s: out of memory: %s not started", why, l->v[i]);
                        return;
                }
        }
}

/* systemd's unit_notify(): OnFailure= when the unit enters failed,
 * OnSuccess= when it goes from active or activating to inactive. A restart
 * (Restart=) passes through failed or dead first, as in systemd since 254
 * (RestartMode=normal), so it triggers too. An Assert*= or a dependency
 * that fails a start from waiting changes no state in systemd: nothing is
 * triggered; a start limit hit is a real failure. */
void mgr_relations_changed(struct unit *u, enum unit_state old) {
        const struct unit_config *c = unit_config(u);
        enum unit_state now = unit_get_state(u);
        if (now == old || (c->on_failure.n == 0 && c->on_success.n == 0))
                return;
        bool failed = false, succeeded = false;
        if (now == UNIT_FAILED)
                failed = old != UNIT_WAITING || unit_get_result(u) == UNIT_RESULT_START_LIMIT_HIT;
        else if (now == UNIT_AUTO_RESTART) {
                failed = unit_get_result(u) != UNIT_RESULT_SUCCESS;
                succeeded = !failed;
        } else if (now == UNIT_DEAD)
                succeeded = !unit_state_is_inactive(old) && old != UNIT_WAITING && old != UNIT_AUTO_RESTART;
        if (failed)
                trigger(u, &c->on_failure, "OnFailure");
        if (succeeded)
                trigger(u, &c->on_success, "OnSuccess");
}

void mgr_relations_fire(void) {
        struct strv fired = { 0 };
        while (pending.n > 0 && !mgr.stopping) {
                struct strv names = pending, why = pending_why;
                pending = (struct strv){ 0 };
                pending_why = (struct strv){ 0 };
                for (size_t i = 0; i < names.n && !mgr.stopping; i++) {
                        if (strv_contains(&fired, names.v[i])) {
                                log_warning("%s: not started again for %s: already started by a trigger just now",
                                            names.v[i], why.v[i]);
                                continue;
                        }
                        if (strv_push(&fired, names.v[i]) < 0)
                                log_error("%s: out of memory", names.v[i]);
                        struct unit *t = manager_load_on_demand(names.v[i]);
                        if (!t) {   /* manager_load_on_demand() said why */
                                log_info("%s: not started for %s", names.v[i], why.v[i]);
                                continue;
                        }
                        if (!unit_state_is_inactive(unit_get_state(t)))
                                continue;   /* already active or on its way: as systemd's start job */
                        log_notice("%s: starting, for %s", unit_name(t), why.v[i]);
                        manager_request_start(t);
                }
                strv_free(&names);
                strv_free(&why);
        }
        strv_free(&fired);
}

static void stop_one(struct unit *o, struct unit *u) {
        enum unit_state s = unit_get_state(o);
        if (o == u || unit_state_is_inactive(s) || unit_state_is_stopping(s))
                return;
        log_notice("%s: stopping, %s conflicts with it", unit_name(o), unit_name(u));
        mgr_stop_and_propagate(o);
}

void mgr_relations_stop_conflicting(struct unit *u) {
        const struct unit_config *c = unit_config(u);
        for (size_t i = 0; i < c->conflicts.n; i++) {
                struct unit *o = mgr_find_unit(c->conflicts.v[i]);
                if (o)
                        stop_one(o, u);
        }
        for (size_t i = 0; i < mgr.n; i++)
                if (lists(&unit_config(mgr.units[i])->conflicts, unit_name(u)))
                        stop_one(mgr.units[i], u);
}

/* systemd's transaction: of two conflicting jobs neither of which is
 * required, the unit that names the other in Conflicts= is started and the
 * other is not. */
bool mgr_relations_boot_loses(struct unit *u) {
        for (size_t i = 0; i < mgr.n; i++) {
                struct unit *o = mgr.units[i];
                if (o == u || mgr_slot(o)->no_autostart || !lists(&unit_config(o)->conflicts, unit_name(u)))
                        continue;
                if (lists(&unit_config(u)->conflicts, unit_name(o)) && strcmp(unit_name(u), unit_name(o)) < 0)
                        continue;   /* both name each other: the first by name wins */
                log_notice("%s: not started at boot: %s conflicts with it and starts instead", unit_name(u),
                           unit_name(o));
                return true;
        }
        return false;
}

void mgr_relations_free(void) {
        strv_free(&pending);
        strv_free(&pending_why);
}
