/* SPDX-License-Identifier: MIT */
/* Strict number parsing: the whole string must be a number, no sign, no
 * leading/trailing space, no overflow. Pure; returns 0 or -errno. */
#ifndef VIGIL_BASE_NUM_H
#define VIGIL_BASE_NUM_H

#include <stdint.h>

int num_parse_u64(const char *text, uint64_t *ret);
/* As num_parse_u64, and -ERANGE unless the value is <= max. */
int num_parse_u64_max(const char *text, uint64_t max, uint64_t *ret);

#endif
