/* SPDX-License-Identifier: MIT */
#include "unit/reload_plan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void each_definition_gets_its_verdict(void **state) {
        (void)state;
        const struct reload_old old[] = {
                { .name = "same.service", .fingerprint = 1 },
                { .name = "edited.service", .fingerprint = 2 },
                { .name = "gone.service", .fingerprint = 3 },
                { .name = "broken.service", .fingerprint = 4 },
                { .name = "waiting.service", .fingerprint = 5, .pending = true },
                { .name = "back.service", .fingerprint = 6, .removed = true },
                { .name = "runit.service", .fingerprint = 7, .runit = true },
                { .name = "leaving.service", .fingerprint = 8, .removed = true },
        };
        const struct reload_new defs[] = {
                { .name = "same.service", .loaded = true, .fingerprint = 1 },
                { .name = "edited.service", .loaded = true, .fingerprint = 20 },
                { .name = "broken.service", .loaded = false },
                { .name = "new.service", .loaded = true, .fingerprint = 9 },
                { .name = "newbroken.service", .loaded = false },
                { .name = "waiting.service", .loaded = true, .fingerprint = 5 },
                { .name = "back.service", .loaded = true, .fingerprint = 6 },
                { .name = "runit.service", .loaded = true, .fingerprint = 70 },
        };
        const enum reload_verdict want_new[] = { RELOAD_UNCHANGED, RELOAD_CHANGED, RELOAD_BROKEN, RELOAD_ADDED,
                                                 RELOAD_BROKEN,    RELOAD_CHANGED, RELOAD_CHANGED, RELOAD_UNCHANGED };
        const enum reload_verdict want_old[] = { RELOAD_UNCHANGED, RELOAD_CHANGED, RELOAD_REMOVED,
                                                 RELOAD_BROKEN,    RELOAD_CHANGED, RELOAD_CHANGED,
                                                 RELOAD_UNCHANGED, RELOAD_KEPT };
        enum reload_verdict got_new[N(defs)], got_old[N(old)];
        reload_plan(old, N(old), defs, N(defs), false, got_new, got_old);
        for (size_t i = 0; i < N(defs); i++)
                if (got_new[i] != want_new[i])
                        fail_msg("%s: %s, want %s", defs[i].name, reload_verdict_to_string(got_new[i]),
                                 reload_verdict_to_string(want_new[i]));
        for (size_t j = 0; j < N(old); j++)
                if (got_old[j] != want_old[j])
                        fail_msg("old %s: %s, want %s", old[j].name, reload_verdict_to_string(got_old[j]),
                                 reload_verdict_to_string(want_old[j]));
}

static void a_failed_listing_removes_nothing(void **state) {
        (void)state;
        const struct reload_old old[] = { { .name = "a.service" }, { .name = "b.service" } };
        const struct reload_new defs[] = { { .name = "b.service", .loaded = true } };
        enum reload_verdict got_new[1], got_old[2];
        reload_plan(old, 2, defs, 1, true, got_new, got_old);
        assert_int_equal(got_old[0], RELOAD_KEPT);
        assert_int_equal(got_old[1], RELOAD_UNCHANGED);
        reload_plan(old, 2, defs, 1, false, got_new, got_old);
        assert_int_equal(got_old[0], RELOAD_REMOVED);
}

static void nothing_in_nothing_out(void **state) {
        (void)state;
        reload_plan(NULL, 0, NULL, 0, false, NULL, NULL);
        assert_string_equal(reload_verdict_to_string(RELOAD_KEPT), "kept");
        assert_string_equal(reload_verdict_to_string((enum reload_verdict)99), "?");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(each_definition_gets_its_verdict),
                cmocka_unit_test(a_failed_listing_removes_nothing),
                cmocka_unit_test(nothing_in_nothing_out),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
