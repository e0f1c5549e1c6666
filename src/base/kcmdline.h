/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line (/proc/cmdline) as vigil reads it in system mode
 * (SPEC §3): the kernel withholds every word holding a dot from init's argv,
 * so vigil takes its own words from the whole line: "vigil.OPTION=VALUE"
 * becomes the one word "--OPTION=VALUE" and a bare "vigil.FLAG" "--FLAG"
 * (the options parser knows which take a value).
 *
 * Words are split as the kernel splits parameters (lib/cmdline.c
 * next_arg()): blanks separate words, double quotes group blanks into a
 * word and are removed, there is no escape. Reading stops at a lone "--",
 * after which everything belongs to init's argv (already in vigil's argv).
 *
 * Pure. The caller frees the result with strv_free().
 */
#ifndef VIGIL_BASE_KCMDLINE_H
#define VIGIL_BASE_KCMDLINE_H

#include "base/words.h"

#define KCMDLINE_PREFIX "vigil."

/* 0 and the option words in order (possibly none; ret->v is never NULL),
 * or -ENOMEM. "vigil." with nothing after the dot, or "vigil.=X", is
 * skipped. */
int kcmdline_vigil_args(const char *cmdline, struct strv *ret);

#endif
