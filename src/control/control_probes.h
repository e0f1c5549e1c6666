/* SPDX-License-Identifier: MIT */
/*
 * `vigilctl check [--live|--ready|--startup]` (docs/CONTROL.md): four
 * questions about this vigil, each answered code 0 with one word or code 1
 * with one line naming why (the first unit in name order, its state and
 * result). The probe is the check request's one argument on the wire
 * ("vigil/1 check live"); none is the plain check of protocol 1's first
 * clients, whose meaning never changes:
 *
 *   plain    every unit running (notify: ready), exited, or dead by success;
 *   live     the loop answered, and no unit failed for good (state failed:
 *            no restart is coming); waiting out RestartSec= is live;
 *   ready    no stop (or drain, or SIGTERM to the main command) has begun,
 *            the boot is complete, and every unit passes the plain rule;
 *   startup  the boot is complete (supervisor_startup_pending()).
 *
 * Kubernetes: livenessProbe -> live, readinessProbe -> ready, startupProbe
 * -> startup. Rejected: a liveness rule that fails on a restart wait (the
 * kubelet would kill the pod during an ordinary restart).
 */
#ifndef VIGIL_CONTROL_CONTROL_PROBES_H
#define VIGIL_CONTROL_CONTROL_PROBES_H

#include "base/strbuf.h"
#include "control/control_msg.h"

/* The reply to a check request (rq->args: none, or one probe name). */
void control_probes_check(struct strbuf *b, const struct control_request *rq);

#endif
