/* SPDX-License-Identifier: MIT */
/*
 * vigil --check-units DIR: load every DIR/NAME.service (a template
 * NAME@.service as the instance NAME@check.service, without drop-ins) as
 * vigil would, start nothing, and report: each diagnostic on stderr as
 * FILE:LINE, "refused FILE" on stdout for each file refused, then one
 * summary line on stdout,
 *   "checked N: loaded L, refused R; unknown keys U (K1, K2...)".
 * The exit status is 0 when none was refused, 1 otherwise, 2 when DIR
 * cannot be listed. For CI over real packages' unit files
 * (tests/corpus) and for anyone moving units to vigil.
 */
#ifndef VIGIL_SUPERVISE_UNIT_CHECK_H
#define VIGIL_SUPERVISE_UNIT_CHECK_H

int unit_check_dir(const char *dir);

#endif
