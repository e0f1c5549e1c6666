/* SPDX-License-Identifier: MIT */
/*
 * The termination log (issue 14): where an orchestrator looks for why a
 * container ended. Kubernetes reads the file at terminationMessagePath
 * (default /dev/termination-log, at most 4096 bytes) and shows it in the
 * pod's status; vigil writes one line there as it exits:
 *
 *   REASON (vigil exit status N)
 *
 * REASON is the text of the shutdown report (system/shutdown_report.h,
 * shutdown_report_reason()): "main command app exited with status 3",
 * "FailureAction=exit of db.service (result exit-code)", "SIGTERM from pid
 * 1"... one formatter for both. --termination-log FILE names the file
 * (created if missing); without it the default is used only when it exists
 * and is writable (a container under Kubernetes); "" or "none" turns it off.
 */
#ifndef VIGIL_CONTAINER_TERMINATION_LOG_H
#define VIGIL_CONTAINER_TERMINATION_LOG_H

#include <stddef.h>

#define TERMINATION_LOG_DEFAULT "/dev/termination-log"
#define TERMINATION_LOG_MAX 4096   /* the kubelet's limit, in bytes */

/* The message into buf, NUL-terminated, its '\n' included; a reason that
 * does not fit is cut at a UTF-8 character boundary and ends "..." before
 * the status.
 * reason NULL: "vigil exited". Returns its length. Pure. */
size_t termination_log_format(const char *reason, int code, char *buf, size_t size);

/* On exit: write the message to path (NULL: the default, see above).
 * A failure is logged once (for the default only when it was usable). */
void termination_log_write(const char *path, const char *reason, int code);

#endif
