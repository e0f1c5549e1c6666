/* SPDX-License-Identifier: MIT */
/*
 * Time spans as systemd.time(7) writes them: "5", "2.5s", "500ms",
 * "1min 30s", "infinity". Pure; returns 0 or -errno.
 *
 * Values are microseconds in a uint64_t, as systemd's usec_t. TIMESPAN_INFINITY
 * is the largest value and means "never".
 */
#ifndef VIGIL_BASE_TIMESPAN_H
#define VIGIL_BASE_TIMESPAN_H

#include <stdint.h>
#include <stddef.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define TIMESPAN_INFINITY UINT64_MAX

/* Parse a time span; a bare number is in units of default_unit_usec
 * (USEC_PER_SEC for the "SEC" options and most unit keys). -EINVAL on a
 * malformed span, -ERANGE on overflow. */
int timespan_parse(const char *text, uint64_t default_unit_usec, uint64_t *ret_usec);

/* Format for humans ("2.5s", "500ms", "infinity") into buf; returns buf. */
const char *timespan_format(uint64_t usec, char *buf, size_t size);

#endif
