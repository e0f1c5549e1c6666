/* SPDX-License-Identifier: MIT */
#include "unit/dep_graph.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static size_t position(const struct dep_graph *g, size_t unit) {
        for (size_t i = 0; i < g->n; i++)
                if (g->order[i] == unit)
                        return i;
        fail_msg("unit %zu not in the order", unit);
        return SIZE_MAX;
}

static bool waits_for(const struct dep_graph *g, size_t a, size_t b) {
        for (size_t j = 0; j < g->n_wait_for[a]; j++)
                if (g->wait_for[a][j] == b)
                        return true;
        return false;
}

static void order_respects_every_edge(void **state) {
        /* db <- app <- web ; cache independent ; log before everything */
        const char *names[] = { "web", "app", "db", "cache", "log" };
        const struct dep_edge edges[] = { { 2, 1 }, { 1, 0 }, { 4, 0 }, { 4, 1 }, { 4, 2 }, { 2, 1 } };
        struct dep_graph g;
        (void)state;
        assert_int_equal(dep_graph_build(5, names, edges, 6, &g), 0);
        assert_int_equal(g.n_cycles, 0);
        for (size_t k = 0; k < 6; k++)
                assert_true(position(&g, edges[k].before) < position(&g, edges[k].after));
        assert_true(waits_for(&g, 0, 1));
        assert_false(waits_for(&g, 0, 2)); /* only direct edges */
        assert_int_equal(g.n_wait_for[1], 2); /* duplicate edge counted once */
        assert_int_equal(g.n_wait_for[3], 0);
        dep_graph_free(&g);
}

static void independent_units_need_not_wait(void **state) {
        const char *names[] = { "c", "a", "b" };
        struct dep_graph g;
        (void)state;
        assert_int_equal(dep_graph_build(3, names, NULL, 0, &g), 0);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(g.n_wait_for[i], 0);
        /* the order is by name when nothing constrains it */
        assert_int_equal(g.order[0], 1);
        assert_int_equal(g.order[1], 2);
        assert_int_equal(g.order[2], 0);
        dep_graph_free(&g);
}

static void a_cycle_is_reported_and_broken_the_same_way_in_any_input_order(void **state) {
        (void)state;
        /* x before y, y before z, z before x; plus w after z */
        const char *n1[] = { "x", "y", "z", "w" };
        const struct dep_edge e1[] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 2, 3 } };
        const char *n2[] = { "w", "z", "y", "x" }; /* the same graph, indices permuted */
        const struct dep_edge e2[] = { { 1, 0 }, { 1, 3 }, { 2, 1 }, { 3, 2 } };
        struct dep_graph g1, g2;
        assert_int_equal(dep_graph_build(4, n1, e1, 4, &g1), 0);
        assert_int_equal(dep_graph_build(4, n2, e2, 4, &g2), 0);
        assert_int_equal(g1.n_cycles, 1);
        assert_int_equal(g2.n_cycles, 1);
        assert_int_equal(g1.cycles[0].n, 3);
        char a[64] = "", b[64] = "";
        for (size_t i = 0; i < 3; i++) {
                strcat(a, n1[g1.cycles[0].members[i]]);
                strcat(b, n2[g2.cycles[0].members[i]]);
        }
        assert_string_equal(a, "xyz"); /* starts at the first name, in edge order */
        assert_string_equal(b, "xyz");
        /* the edge entering the first-named member (z -> x) is dropped */
        assert_string_equal(n1[g1.cycles[0].dropped_from], "z");
        assert_string_equal(n1[g1.cycles[0].dropped_to], "x");
        assert_false(waits_for(&g1, 0, 2));
        assert_true(waits_for(&g1, 1, 0) && waits_for(&g1, 2, 1) && waits_for(&g1, 3, 2));
        dep_graph_free(&g1);
        dep_graph_free(&g2);
}

static void self_edges_and_two_cycles(void **state) {
        const char *names[] = { "a", "b", "c", "d" };
        const struct dep_edge edges[] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 2, 3 }, { 3, 2 } };
        struct dep_graph g;
        (void)state;
        assert_int_equal(dep_graph_build(4, names, edges, 5, &g), 0);
        assert_int_equal(g.n_cycles, 2);
        assert_int_equal(g.cycles[0].n, 2);
        assert_int_equal(g.cycles[1].n, 2);
        dep_graph_free(&g);
}

static void out_of_range_edge_is_rejected(void **state) {
        const char *names[] = { "a" };
        const struct dep_edge edges[] = { { 0, 5 } };
        struct dep_graph g;
        (void)state;
        assert_int_equal(dep_graph_build(1, names, edges, 1, &g), -22);
}

static void scales_to_a_thousand_units(void **state) {
        enum { N = 2000 };
        static char buf[N][16];
        static const char *names[N];
        static struct dep_edge edges[3 * N];
        size_t ne = 0;
        struct dep_graph g;
        (void)state;
        srand(7);
        for (size_t i = 0; i < N; i++) {
                snprintf(buf[i], sizeof(buf[i]), "u%05zu", (size_t)rand() % 100000);
                names[i] = buf[i];
        }
        for (size_t i = 1; i < N; i++) /* a random DAG (edges point to higher index) */
                for (int k = 0; k < 3; k++) {
                        size_t a = (size_t)rand() % i;
                        edges[ne++] = (struct dep_edge){ a, i };
                }
        assert_int_equal(dep_graph_build(N, names, edges, ne, &g), 0);
        assert_int_equal(g.n_cycles, 0);
        size_t *pos = calloc(N, sizeof(size_t));
        for (size_t i = 0; i < N; i++)
                pos[g.order[i]] = i;
        for (size_t k = 0; k < ne; k++)
                assert_true(pos[edges[k].before] < pos[edges[k].after]);
        free(pos);
        dep_graph_free(&g);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(order_respects_every_edge),
                cmocka_unit_test(independent_units_need_not_wait),
                cmocka_unit_test(a_cycle_is_reported_and_broken_the_same_way_in_any_input_order),
                cmocka_unit_test(self_edges_and_two_cycles),
                cmocka_unit_test(out_of_range_edge_is_rejected),
                cmocka_unit_test(scales_to_a_thousand_units),
        };
        return cmocka_run_group_tests_name("dep_graph", tests, NULL, NULL);
}
