/* SPDX-License-Identifier: MIT */
/*
 * The facts behind Condition*= and Assert*= (unit/unit_condition.h decides):
 * each entry tested through os/ when the unit is about to start (after its
 * After= units, as systemd does). The failing entry is logged once with
 * the unit's name: "ConditionX=VALUE not met, skipping" or "AssertX=VALUE
 * failed". A test that cannot be made (a file that cannot be read) counts
 * as not holding.
 */
#ifndef VIGIL_SUPERVISE_UNIT_CONDITIONS_H
#define VIGIL_SUPERVISE_UNIT_CONDITIONS_H

#include "unit/unit_config.h"

/* 1 start, 0 skip (a Condition failed), -1 fail (an Assert failed). */
int unit_conditions_check(const char *name, const struct unit_config *c);

#endif
