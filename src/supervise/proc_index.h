/* SPDX-License-Identifier: MIT */
/*
 * Which unit a process belongs to: the one index from pids and process
 * groups to units. It sits below both the unit and the manager; only the
 * unit module writes it (a unit adds its main and control pids when it
 * spawns them or learns them from MAINPID=/PIDFile=, and its process groups
 * when it starts tracking them, and removes them when they end), while the
 * manager (the reaper's hand-off) and the notify server's attribution only
 * read it.
 *
 * Two open-addressing tables of the same shape: pid -> (unit, role) for
 * main and control processes, and pgid -> unit for the process groups a
 * unit's processes lead (a group id is its leader's pid, so the two key
 * spaces overlap and must stay apart). Deleted slots count as used so a
 * probe always ends at an empty one; a rehash drops them and doubles only
 * when the live entries fill a quarter, so a long churn of short-lived
 * pids keeps the size where it was.
 */
#ifndef VIGIL_SUPERVISE_PROC_INDEX_H
#define VIGIL_SUPERVISE_PROC_INDEX_H

#include <stdbool.h>
#include <sys/types.h>

struct unit;

/* What a process is to its unit. */
enum unit_proc_role { UNIT_PROC_MAIN, UNIT_PROC_CONTROL, UNIT_PROC_PROBE };

/* pid is u's main or control process. 0 or -ENOMEM. */
int proc_index_add_pid(pid_t pid, struct unit *u, enum unit_proc_role role);
void proc_index_remove_pid(pid_t pid);
/* pid's unit and role; false when pid is none of the units' processes. */
bool proc_index_find_pid(pid_t pid, struct unit **ret, enum unit_proc_role *ret_role);

/* pgid is one of u's process groups. 0 or -ENOMEM. */
int proc_index_add_group(pid_t pgid, struct unit *u);
void proc_index_remove_group(pid_t pgid, const struct unit *u);
struct unit *proc_index_find_group(pid_t pgid);

/* Who sent a notify datagram, as far as its unit is concerned. */
enum unit_sender { UNIT_SENDER_MAIN, UNIT_SENDER_CONTROL, UNIT_SENDER_OTHER };

/* Which unit pid belongs to (for sd_notify): its main or control process
 * by the pid index, else a member of one of its process groups, else a
 * descendant (at most 8 parents up) of one of its processes or groups. */
bool proc_index_attribute(pid_t pid, struct unit **ret, enum unit_sender *ret_sender);

/* Forget every entry of u (it is about to be freed). */
void proc_index_forget(const struct unit *u);
void proc_index_free(void);

#endif
