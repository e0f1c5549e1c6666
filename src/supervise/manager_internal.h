/* SPDX-License-Identifier: MIT */
/*
 * The manager's own state, shared by its files: manager.c (the set,
 * the knock-on queue, requests and the units' hooks), manager_load.c
 * (loading the directories and the dependency graph) and manager_reload.c
 * (daemon-reload and applying what it leaves pending), manager_layout.c and
 * manager_relations.c (Conflicts=, OnFailure=, OnSuccess=). Private to them.
 */
#ifndef VIGIL_SUPERVISE_MANAGER_INTERNAL_H
#define VIGIL_SUPERVISE_MANAGER_INTERNAL_H

#include "supervise/manager.h"
#include "supervise/unit_layout.h"

#include <stdbool.h>
#include <stddef.h>

struct idx_list {
        size_t *v;
        size_t n;
};

struct manager_state {
        struct manager_config config;
        struct unit **units;
        size_t n;
        struct idx_list *waiters;    /* waiters[j]: units that wait for j (After=) */
        struct idx_list *wait_for;   /* wait_for[i]: units i waits for */
        struct idx_list *required;   /* Requires=/BindsTo= targets of i */
        struct idx_list *bound;      /* bound[j]: units with Requires=/BindsTo=/PartOf=j: a stop of j stops them */
        struct job *queue;           /* a FIFO ring of knock-on effects, at most one per (unit, kind) */
        size_t queue_cap, queue_head, queue_n;
        bool progress;               /* some unit changed state: tell hooks.boot_progress once settled */
        bool stopping;
        bool all_stopped_sent;
        bool stops_pending;          /* some unit's stop waits for its turn (After= order) */
        size_t n_killing;            /* units in stop-sigterm/stop-sigkill: waiting for all-gone */
        int devnull;                 /* stdin of units, handed to the unit module */
        char *const *dirs;           /* --units, kept for daemon-reload */
        size_t n_dirs;
        struct unit_layout layout;   /* where a unit is found by name: --units or the systemd layout */
        bool graph_dirty;            /* a definition changed: rebuild the graph when settled */
        bool tidy;                   /* some unit has a pending definition or was removed */
};
extern struct manager_state mgr;

/* What the manager keeps per unit (the unit's owner data). */
struct slot {
        bool queued[2];              /* in the queue, per enum job_kind */
        bool restart_requested;      /* the user's restart: start again once stopped */
        bool stop_pending;           /* a stop job waiting for the units ordered after it to stop */
        struct unit_config *pending; /* daemon-reload: the new definition, applied once inactive */
        bool removed;                /* daemon-reload: its file is gone; dropped once inactive */
        bool no_autostart;           /* a runit "down" file: not started at boot */
        bool runit;                  /* from --runit-dir (not re-read by daemon-reload) */
};

/* A knock-on effect, run after the state write that caused it. */
enum job_kind {
        JOB_CHECK,                   /* look again: its waits, its restart, its turn to stop at shutdown */
        JOB_STOP,                    /* a stop job: pending, propagated (Requires=/BindsTo=/PartOf=) */
};
struct job {
        struct unit *u;
        enum job_kind kind;
};

/* The manager's per-unit record (the unit's owner data). */
static inline struct slot *mgr_slot(const struct unit *u) {
        return unit_owner(u);
}

/* manager.c */
void mgr_drop_unit(struct unit *u);
int mgr_queue_size(void);
void mgr_run_queue(void);
void mgr_stop_and_propagate(struct unit *u);

/* manager_load.c */
struct unit *mgr_find_unit(const char *name);
int mgr_add_unit(struct unit_config *c, struct unit **ret);
void mgr_apply_defaults(struct unit_config *c);
int mgr_build_graph(void);
void mgr_free_graph(void);
/* The table changed: new indexes, new graph, a queue as long as the table. */
void mgr_rebuild(size_t old_n);

/* manager_layout.c: the systemd layout's enabled units, and units by name */
int mgr_load_enabled(void);
/* Whether vigil runs units of name's type (.service, .target); the rest
 * (.socket, .timer, .mount, .path...) is skipped wherever it is named. */
bool mgr_runnable_type(const char *name);

/* manager_relations.c: Conflicts=, OnFailure=, OnSuccess= (systemd.unit(5)) */
/* u's state went from old to its current one (not during the shutdown):
 * record the OnFailure=/OnSuccess= units it triggers. */
void mgr_relations_changed(struct unit *u, enum unit_state old);
/* Start the units triggered since the last call (templates' instances
 * loaded on demand); each at most once per call. */
void mgr_relations_fire(void);
/* u is about to start by request: stop every unit it conflicts with, in
 * either direction. */
void mgr_relations_stop_conflicting(struct unit *u);
/* At boot: is u left out because another unit started at boot names it in
 * Conflicts= (if both name each other, the first by name wins)? Logged. */
bool mgr_relations_boot_loses(struct unit *u);
void mgr_relations_free(void);

/* manager_reload.c */
void mgr_apply_pending(struct unit *u);
void mgr_tidy(void);

#endif
