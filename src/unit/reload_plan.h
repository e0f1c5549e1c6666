/* SPDX-License-Identifier: MIT */
/*
 * daemon-reload's plan, pure (STYLE §1): the units running now and the
 * definitions just read from the --units directories in, one verdict for
 * each out. The caller (supervise/manager.c) reads the files, in directory
 * order, skipping a name it has already read (the first directory wins, as
 * on systemd's search path), and then carries the plan out.
 *
 *   new definition, no unit of that name       -> added
 *   new definition of a running unit:
 *       same bytes (fingerprint), nothing pending, not removed -> unchanged
 *       otherwise                                             -> changed
 *       a runit directory's unit (never re-read)              -> unchanged
 *   a file that no longer loads                -> broken (the running
 *                                                 definition stays)
 *   a unit whose file is gone                  -> removed (unless a runit
 *                                                 unit, already removed, or
 *                                                 a directory could not be
 *                                                 listed: then kept)
 */
#ifndef VIGIL_UNIT_RELOAD_PLAN_H
#define VIGIL_UNIT_RELOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reload_verdict {
        RELOAD_UNCHANGED,
        RELOAD_CHANGED,
        RELOAD_ADDED,
        RELOAD_REMOVED,
        RELOAD_BROKEN,
        RELOAD_KEPT,            /* an old unit neither re-read nor removed */
};

const char *reload_verdict_to_string(enum reload_verdict v);

struct reload_old {
        const char *name;
        uint64_t fingerprint;
        bool runit;             /* from --runit-dir: not re-read */
        bool pending;           /* a new definition already waits */
        bool removed;           /* already on its way out */
};

struct reload_new {
        const char *name;
        bool loaded;            /* false: the file no longer loads */
        uint64_t fingerprint;
};

/* ret_new[i] for each new[i], ret_old[j] for each old[j]. listing_failed:
 * some directory could not be listed, so a missing file proves nothing. */
void reload_plan(const struct reload_old *old, size_t n_old, const struct reload_new *new_defs, size_t n_new,
                 bool listing_failed, enum reload_verdict *ret_new, enum reload_verdict *ret_old);

#endif
