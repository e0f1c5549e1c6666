/* SPDX-License-Identifier: MIT */
#include "unit/reload_plan.h"

#include <string.h>

static const char *const names[] = {
        [RELOAD_UNCHANGED] = "unchanged", [RELOAD_CHANGED] = "changed", [RELOAD_ADDED] = "added",
        [RELOAD_REMOVED] = "removed",     [RELOAD_BROKEN] = "broken",   [RELOAD_KEPT] = "kept",
};

const char *reload_verdict_to_string(enum reload_verdict v) {
        return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static size_t find_old(const struct reload_old *old, size_t n_old, const char *name) {
        for (size_t j = 0; j < n_old; j++)
                if (strcmp(old[j].name, name) == 0)
                        return j;
        return SIZE_MAX;
}

static enum reload_verdict verdict_of(const struct reload_new *d, const struct reload_old *o) {
        if (!d->loaded)
                return RELOAD_BROKEN;
        if (!o)
                return RELOAD_ADDED;
        if (o->runit)
                return RELOAD_UNCHANGED;
        if (o->fingerprint == d->fingerprint && !o->pending && !o->removed)
                return RELOAD_UNCHANGED;
        return RELOAD_CHANGED;
}

void reload_plan(const struct reload_old *old, size_t n_old, const struct reload_new *new_defs, size_t n_new,
                 bool listing_failed, enum reload_verdict *ret_new, enum reload_verdict *ret_old) {
        for (size_t j = 0; j < n_old; j++)
                ret_old[j] = RELOAD_KEPT;
        for (size_t i = 0; i < n_new; i++) {
                size_t j = find_old(old, n_old, new_defs[i].name);
                ret_new[i] = verdict_of(&new_defs[i], j == SIZE_MAX ? NULL : &old[j]);
                if (j != SIZE_MAX)
                        ret_old[j] = ret_new[i];
        }
        /* Not read again (verdict_of() never says "kept"): gone, unless that proves nothing. */
        for (size_t j = 0; j < n_old; j++)
                if (ret_old[j] == RELOAD_KEPT && !listing_failed && !old[j].runit && !old[j].removed)
                        ret_old[j] = RELOAD_REMOVED;
}
