/* SPDX-License-Identifier: MIT */
/*
 * The read-only replies of the control socket (docs/CONTROL.md): status
 * (units, the notify counters, the previous shutdown, the hardware
 * watchdog), history (a unit's last exits) and
 * watchdog (the device's fields; `watchdog snooze` is the one verb here
 * that acts, as it only asks hw_watchdog). Each renders into a strbuf from
 * unit snapshots (supervise/unit_view.h), never from struct unit.
 */
#ifndef VIGIL_CONTROL_CONTROL_VIEWS_H
#define VIGIL_CONTROL_CONTROL_VIEWS_H

#include "base/strbuf.h"
#include "control/control_msg.h"

#include <stdbool.h>
#include <stddef.h>

struct unit;

/* The units named by rq->args[first..]: into sel, or false after a "not
 * found" reply header in b. */
bool control_find_units(struct strbuf *b, const struct control_request *rq, size_t first, struct unit **sel);

void control_views_status(struct strbuf *b, const struct control_request *rq);
void control_views_history(struct strbuf *b, const struct control_request *rq);
void control_views_watchdog(struct strbuf *b, const struct control_request *rq);

#endif
