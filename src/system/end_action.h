/* SPDX-License-Identifier: MIT */
/*
 * How vigil ends: container mode exits; system mode (SPEC §7) ends the
 * machine, or hangs. Shared by the supervisor (which decides) and the
 * machine's end (which carries it out).
 */
#ifndef VIGIL_SYSTEM_END_ACTION_H
#define VIGIL_SYSTEM_END_ACTION_H

enum end_action { END_EXIT, END_REBOOT, END_POWEROFF, END_HALT, END_HANG };

const char *end_action_name(enum end_action a);

#endif
