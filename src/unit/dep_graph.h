/* SPDX-License-Identifier: MIT */
/*
 * Ordering of units (systemd.unit(5) After=/Before=): which units must be up
 * before each unit may start, a start order, and the cycles found. Pure.
 *
 * Input is by index: n units, and ordering edges "a before b" (from a's
 * Before=b or b's After=a; duplicates are fine). Requirement dependencies
 * (Requires=, Wants=, BindsTo=, PartOf=) do not order anything, as in
 * systemd; the supervisor handles them.
 *
 * Cycles: each is reported with its members (in cycle order, starting at the
 * member whose name sorts first) and broken deterministically by dropping the
 * edge that enters that first member — the same graph always gives the same
 * result, whatever order the files were read in.
 */
#ifndef VIGIL_UNIT_DEP_GRAPH_H
#define VIGIL_UNIT_DEP_GRAPH_H

#include <stddef.h>

struct dep_edge {
        size_t before, after;   /* unit `before` must be up before `after` starts */
};

struct dep_cycle {
        size_t *members;
        size_t n;
        size_t dropped_from, dropped_to;   /* the edge removed to break it */
};

struct dep_graph {
        size_t n;
        size_t **wait_for;      /* wait_for[i]: units that must be up before i starts */
        size_t *n_wait_for;
        size_t *order;          /* a start order: every unit after all it waits for */
        struct dep_cycle *cycles;
        size_t n_cycles;
};

/* names[i] is used only to make cycle breaking independent of input order. */
int dep_graph_build(size_t n, const char *const *names, const struct dep_edge *edges, size_t n_edges,
                    struct dep_graph *ret);
void dep_graph_free(struct dep_graph *g);

#endif
