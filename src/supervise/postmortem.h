/* SPDX-License-Identifier: MIT */
/*
 * The post-mortem (issue 16): what lets the next boot tell why the last
 * one ended. This module wires the pieces to the units; each piece lives
 * where it belongs:
 *  - vigil's own log into /dev/kmsg with priorities, breadcrumbs into
 *    /dev/pmsg0 (core/log.h), opened here when vigil is the machine's init
 *    (with --system in a container the kernel log is the host's);
 *  - breadcrumbs: boot, each unit failure (here), the shutdown's cause
 *    (system/shutdown_report.c);
 *  - the failed unit behind the shutdown and its last lines, from its log
 *    ring, into the shutdown report (postmortem_end(), before the report is
 *    written), with the kernel log's tail;
 *  - --log-dir: every unit line into its persistent, rotated file
 *    (logcap/log_file.h), through output.c's file hook.
 * Nothing here can stop PID 1: every sink is best effort and bounded.
 */
#ifndef VIGIL_SUPERVISE_POSTMORTEM_H
#define VIGIL_SUPERVISE_POSTMORTEM_H

#include "supervise/unit.h"

#include <stdbool.h>
#include <stdint.h>

struct postmortem_config {
        bool is_machine;                /* PID 1 of the machine: kmsg, klog tail in the report */
        bool system_mode;               /* breadcrumbs (when the device exists) */
        const char *pmsg_device;        /* --pmsg-device, NULL: /dev/pmsg0; "none": off */
        const char *log_dir;            /* --log-dir, NULL: no log files */
        uint64_t log_file_size;         /* 0: LOG_FILE_SIZE_DEFAULT */
        uint64_t log_file_count;        /* UINT64_MAX: LOG_FILE_COUNT_DEFAULT */
};

/* After the mounts (/dev is there), before any unit runs. */
void postmortem_init(const struct postmortem_config *c);
/* u entered the failed state. */
void postmortem_unit_failed(const struct unit *u);
/* u's failure began the shutdown (its FailureAction= or a health failure). */
void postmortem_shutdown_cause(const struct unit *u);
/* The loop is over and the units' last output read: the report's unit
 * lines (the unit found by name with find: manager_find(), passed in since
 * the manager calls this module), the log files written. */
void postmortem_end(struct unit *(*find)(const char *name));
void postmortem_free(void);

#endif
