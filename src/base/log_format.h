/* SPDX-License-Identifier: MIT */
/* --log-format (SPEC §3): how service output is written to vigil's stdout.
 * Shared by cmd/options.c (parsing) and supervise/output.c (writing). */
#ifndef VIGIL_BASE_LOG_FORMAT_H
#define VIGIL_BASE_LOG_FORMAT_H

enum log_format { LOG_FORMAT_PREFIXED, LOG_FORMAT_PLAIN, LOG_FORMAT_JSON };

#endif
