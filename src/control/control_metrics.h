/* SPDX-License-Identifier: MIT */
/*
 * `vigilctl metrics`: the Prometheus text exposition format 0.0.4, from
 * unit snapshots (supervise/unit_view.h), the notify server's counters,
 * the control server's own, and the hardware watchdog (none of its rows
 * when it is off). Metric names, help texts and order are a wire format
 * (docs/CONTROL.md): change them only with the docs.
 */
#ifndef VIGIL_CONTROL_CONTROL_METRICS_H
#define VIGIL_CONTROL_CONTROL_METRICS_H

#include "base/strbuf.h"

#include <stdint.h>

/* The reply (header and body) at loop time now; vigil's loop started at
 * started; malformed: control requests refused as malformed. */
void control_metrics_reply(struct strbuf *b, uint64_t now, uint64_t started, uint64_t malformed);

#endif
