/* SPDX-License-Identifier: MIT */
#include "unit/dep_graph.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Working state of one build: edges with an alive flag, CSR lists of the
 * edges into and out of each unit, in-degrees over live edges from units not
 * yet placed, and each unit's rank by name (ties broken by index). Kahn's
 * algorithm over this is O(n^2 + e): fine for thousands of units at load. */
struct work {
        struct dep_edge *e;
        bool *alive;
        size_t n_e;
        size_t *in_start, *in_edges, *out_start, *out_edges;
        size_t *indeg, *rank;
        bool *done;
        size_t *path, *pos;
};

static int by_name(const void *a, const void *b, void *names_) {
        const char *const *names = names_;
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        int c = strcmp(names[x], names[y]);
        return c ? c : (x > y) - (x < y);
}

static int add_cycle(struct dep_graph *g, const size_t *members, size_t n, size_t from, size_t to) {
        struct dep_cycle *c = realloc(g->cycles, (g->n_cycles + 1) * sizeof(*c));
        if (!c)
                return -ENOMEM;
        g->cycles = c;
        c = &g->cycles[g->n_cycles];
        c->members = malloc(n * sizeof(size_t));
        if (!c->members)
                return -ENOMEM;
        memcpy(c->members, members, n * sizeof(size_t));
        c->n = n;
        c->dropped_from = from;
        c->dropped_to = to;
        g->n_cycles++;
        return 0;
}

static void drop_edge(struct work *w, size_t k) {
        if (!w->alive[k])
                return;
        w->alive[k] = false;
        if (!w->done[w->e[k].before])
                w->indeg[w->e[k].after]--;
}

/* Every unit not yet placed lies on or behind a cycle. Walk predecessors
 * (the lowest-ranked live one each step) from the lowest-ranked remaining
 * unit until a unit repeats; rotate the cycle to start at its lowest-ranked
 * member and drop the edge entering that member. */
static int break_one_cycle(struct dep_graph *g, struct work *w) {
        size_t start = SIZE_MAX;
        for (size_t i = 0; i < g->n; i++) {
                w->pos[i] = SIZE_MAX;
                if (!w->done[i] && (start == SIZE_MAX || w->rank[i] < w->rank[start]))
                        start = i;
        }
        size_t len = 0, cur = start;
        while (w->pos[cur] == SIZE_MAX) {
                w->pos[cur] = len;
                w->path[len++] = cur;
                size_t pred = SIZE_MAX;
                for (size_t j = w->in_start[cur]; j < w->in_start[cur + 1]; j++) {
                        const struct dep_edge *e = &w->e[w->in_edges[j]];
                        if (w->alive[w->in_edges[j]] && !w->done[e->before] &&
                            (pred == SIZE_MAX || w->rank[e->before] < w->rank[pred]))
                                pred = e->before;
                }
                if (pred == SIZE_MAX)
                        return -EINVAL; /* impossible: a stuck unit has a live predecessor */
                cur = pred;
        }
        /* path[pos[cur]..len) walks against the edges: reverse into edge order. */
        size_t n = len - w->pos[cur], *cycle = w->path + w->pos[cur], first = 0;
        for (size_t a = 0, b = n - 1; a < b; a++, b--) {
                size_t t = cycle[a];
                cycle[a] = cycle[b];
                cycle[b] = t;
        }
        for (size_t i = 1; i < n; i++)
                if (w->rank[cycle[i]] < w->rank[cycle[first]])
                        first = i;
        size_t *rot = malloc(n * sizeof(size_t));
        if (!rot)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                rot[i] = cycle[(first + i) % n];
        size_t to = rot[0], from = rot[n - 1];
        for (size_t j = w->in_start[to]; j < w->in_start[to + 1]; j++)
                if (w->e[w->in_edges[j]].before == from)
                        drop_edge(w, w->in_edges[j]);
        int r = add_cycle(g, rot, n, from, to);
        free(rot);
        return r;
}

static int order_units(struct dep_graph *g, struct work *w) {
        for (size_t placed = 0; placed < g->n;) {
                size_t pick = SIZE_MAX;
                for (size_t i = 0; i < g->n; i++)
                        if (!w->done[i] && w->indeg[i] == 0 && (pick == SIZE_MAX || w->rank[i] < w->rank[pick]))
                                pick = i;
                if (pick == SIZE_MAX) {
                        int r = break_one_cycle(g, w);
                        if (r < 0)
                                return r;
                        continue;
                }
                w->done[pick] = true;
                g->order[placed++] = pick;
                for (size_t j = w->out_start[pick]; j < w->out_start[pick + 1]; j++)
                        if (w->alive[w->out_edges[j]])
                                w->indeg[w->e[w->out_edges[j]].after]--;
        }
        return 0;
}

/* CSR: start[i]..start[i+1] index into list, grouped by key(edge). */
static void build_csr(const struct work *w, size_t n, bool by_after, size_t *start, size_t *list) {
        memset(start, 0, (n + 1) * sizeof(size_t));
        for (size_t k = 0; k < w->n_e; k++)
                start[(by_after ? w->e[k].after : w->e[k].before) + 1]++;
        for (size_t i = 0; i < n; i++)
                start[i + 1] += start[i];
        size_t *fill = w->pos; /* scratch, n entries */
        memcpy(fill, start, n * sizeof(size_t));
        for (size_t k = 0; k < w->n_e; k++)
                list[fill[by_after ? w->e[k].after : w->e[k].before]++] = k;
}

static void work_free(struct work *w) {
        free(w->e); free(w->alive); free(w->in_start); free(w->in_edges); free(w->out_start);
        free(w->out_edges); free(w->indeg); free(w->rank); free(w->done); free(w->path); free(w->pos);
}

static int work_init(struct work *w, size_t n, const char *const *names, const struct dep_edge *edges,
                     size_t n_edges) {
        size_t nn = n ? n : 1, ne = n_edges ? n_edges : 1;
        w->e = malloc(ne * sizeof(*w->e));
        w->alive = malloc(ne * sizeof(bool));
        w->in_start = malloc((nn + 1) * sizeof(size_t));
        w->out_start = malloc((nn + 1) * sizeof(size_t));
        w->in_edges = malloc(ne * sizeof(size_t));
        w->out_edges = malloc(ne * sizeof(size_t));
        w->indeg = calloc(nn, sizeof(size_t));
        w->rank = malloc(nn * sizeof(size_t));
        w->done = calloc(nn, sizeof(bool));
        w->path = malloc(nn * sizeof(size_t));
        w->pos = malloc(nn * sizeof(size_t));
        if (!w->e || !w->alive || !w->in_start || !w->out_start || !w->in_edges || !w->out_edges ||
            !w->indeg || !w->rank || !w->done || !w->path || !w->pos)
                return -ENOMEM;
        for (size_t k = 0; k < n_edges; k++) {
                if (edges[k].before >= n || edges[k].after >= n)
                        return -EINVAL;
                if (edges[k].before == edges[k].after)
                        continue; /* "After=" itself orders nothing */
                w->e[w->n_e] = edges[k];
                w->alive[w->n_e++] = true;
                w->indeg[edges[k].after]++;
        }
        build_csr(w, n, true, w->in_start, w->in_edges);
        build_csr(w, n, false, w->out_start, w->out_edges);
        for (size_t i = 0; i < n; i++)
                w->path[i] = i;
        qsort_r(w->path, n, sizeof(size_t), by_name, (void *)names);
        for (size_t i = 0; i < n; i++)
                w->rank[w->path[i]] = i;
        return 0;
}

static int collect_wait_for(struct dep_graph *g, const struct work *w) {
        for (size_t k = 0; k < w->n_e; k++) {
                if (!w->alive[k])
                        continue;
                size_t a = w->e[k].after, b = w->e[k].before;
                bool dup = false;
                for (size_t j = 0; j < g->n_wait_for[a] && !dup; j++)
                        dup = g->wait_for[a][j] == b;
                if (dup)
                        continue;
                size_t *v = realloc(g->wait_for[a], (g->n_wait_for[a] + 1) * sizeof(size_t));
                if (!v)
                        return -ENOMEM;
                g->wait_for[a] = v;
                v[g->n_wait_for[a]++] = b;
        }
        return 0;
}

int dep_graph_build(size_t n, const char *const *names, const struct dep_edge *edges, size_t n_edges,
                    struct dep_graph *ret) {
        struct dep_graph g = { .n = n };
        struct work w = { .n_e = 0 };
        int r = -ENOMEM;

        g.wait_for = calloc(n ? n : 1, sizeof(size_t *));
        g.n_wait_for = calloc(n ? n : 1, sizeof(size_t));
        g.order = calloc(n ? n : 1, sizeof(size_t));
        if (g.wait_for && g.n_wait_for && g.order)
                r = work_init(&w, n, names, edges, n_edges);
        if (r == 0)
                r = order_units(&g, &w);
        if (r == 0)
                r = collect_wait_for(&g, &w);
        work_free(&w);
        if (r < 0) {
                dep_graph_free(&g);
                return r;
        }
        *ret = g;
        return 0;
}

void dep_graph_free(struct dep_graph *g) {
        if (g->wait_for)
                for (size_t i = 0; i < g->n; i++)
                        free(g->wait_for[i]);
        free(g->wait_for);
        free(g->n_wait_for);
        free(g->order);
        for (size_t i = 0; i < g->n_cycles; i++)
                free(g->cycles[i].members);
        free(g->cycles);
        memset(g, 0, sizeof(*g));
}
