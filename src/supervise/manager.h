/* SPDX-License-Identifier: MIT */
/*
 * The set of units: loading them from the --units directories, the start
 * order from their After=/Before= graph, the index of their processes by
 * pid, the queue of knock-on effects (STYLE §3: a unit that comes up lets
 * the units waiting for it go on; a stop lets the units it waits for stop),
 * and the shutdown in reverse order.
 *
 * The supervisor owns the loop and the reaper; it hands every reaped pid to
 * manager_child_exited() first and calls manager_after_reap() after each
 * reap pass. The manager calls back through struct manager_hooks.
 */
#ifndef VIGIL_SUPERVISE_MANAGER_H
#define VIGIL_SUPERVISE_MANAGER_H

#include "supervise/unit.h"
#include "unit/unit_config.h"
#include "unit/unit_file.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct manager_hooks {
        /* Boot progress changed (once the knock-on effects settled): the
         * supervisor may now start the main command. */
        void (*boot_progress)(void);
        /* A SuccessAction=/FailureAction=/StartLimitAction= asks for a shutdown
         * with this exit code (container mode). */
        void (*shutdown)(enum unit_action action, int exit_code, const char *why);
        /* manager_stop_all() is done: every unit is dead or failed. */
        void (*all_stopped)(void);
        /* After every batch of events, once the knock-on effects settled. */
        void (*settled)(void);
        /* daemon-reload: u (removed, now inactive) is about to be freed. */
        void (*unit_dropped)(struct unit *u);
};

struct manager_config {
        bool system_mode;              /* actions end the machine, not vigil with a code */
        uint64_t default_timeout_start_usec;
        uint64_t default_timeout_stop_usec;
        struct manager_hooks hooks;
};

int manager_init(const struct manager_config *config);
void manager_free(void);

/* Load every NAME.service of the directories. A unit that fails to load is
 * reported (file:line) and left out; the others load. Returns how many
 * units are loaded, or -errno for what stops vigil from running at all.
 * runit_dir (--runit-dir, or NULL): its service directories too. */
int manager_load(char *const *dirs, size_t n_dirs, const char *runit_dir, const char *systemd_root);

/* A unit not loaded yet, by name (a template's instance, a unit of the
 * layout that is not enabled): found, loaded and added, or NULL (logged:
 * not found, masked, broken). For start requests. */
struct unit *manager_load_on_demand(const char *name);

/* The syslog daemon among the loaded units: the unit the name
 * syslog.service stands for (a unit of that name, or the one a
 * syslog.service link in the unit directories is an alias of), or NULL.
 * vigil leaves /dev/log to it (logcap/syslog_server.h). */
const char *manager_syslog_daemon(void);

void manager_start_all(void);
/* The shutdown's stop budget (supervisor.h, --stop-timeout): every unit's
 * stop waits end by deadline (unit_set_stop_deadline()); 0: none. */
void manager_set_stop_deadline(uint64_t deadline, uint64_t budget_usec);
/* Stop every unit in reverse dependency order; hooks.all_stopped when done. */
void manager_stop_all(void);

/* Boot progress for the main command: every unit has left "waiting" and
 * every oneshot has finished (or with wait_ready: every start is over). */
bool manager_boot_done(bool wait_ready);

/* The reaper's hand-off: true if pid was a process of a unit. */
bool manager_child_exited(pid_t pid, int wait_status);
void manager_after_reap(void);

size_t manager_n_units(void);
/* The i-th unit in name order (i < manager_n_units()). */
struct unit *manager_unit_at(size_t i);
/* By name, with or without ".service"; NULL if unknown. */
struct unit *manager_find(const char *name);
/* The user's requests (vigilctl): start; stop (propagating to Requires=,
 * BindsTo=, PartOf= dependents); restart = stop, then start once inactive. */
void manager_request_start(struct unit *u);
void manager_request_stop(struct unit *u);
void manager_request_restart(struct unit *u);
/* vigilctl reboot/poweroff/halt: in container mode, stop everything and
 * exit with code (the supervisor's shutdown hook). */
bool manager_stopping(void);
/* A user's restart waits for u's stop to end. */
bool manager_restart_pending(const struct unit *u);

struct strbuf;
/* daemon-reload: read the --units directories again. A changed definition
 * (its files' bytes) is applied at once to an inactive unit, and to an
 * active one by restarting it; a unit whose file is gone is stopped and then
 * dropped; a new one is added and started; a file that no longer loads
 * leaves the running definition as it was (counted in *ret_errors). One
 * line per unit concerned goes to report. runit directories are not
 * re-read. -ENOMEM only. */
int manager_reload(struct strbuf *report, unsigned *ret_errors);
void manager_request_shutdown(enum unit_action action, int code, const char *why);

/* Does any loaded unit get NOTIFY_SOCKET? */
bool manager_wants_notify(void);

#endif
