/* SPDX-License-Identifier: MIT */
/*
 * The systemd unit layout (systemd.unit(5) "Unit File Load Path"): where a
 * unit named NAME is found, and what is enabled. Directories in precedence
 * order, the first that has NAME wins:
 *   ROOT/etc/systemd/system, ROOT/run/systemd/system,
 *   ROOT/lib/systemd/system, ROOT/usr/lib/systemd/system
 * (--units DIR... is a layout of its own directories, same rules).
 *
 * In a directory, NAME may be
 *  - a file (or a symlink to one, a "linked" unit): the unit;
 *  - a symlink to /dev/null: masked, never loaded or started;
 *  - a symlink to a file of another unit name: an alias of that name;
 *  - absent everywhere, NAME being foo@x.service: the template foo@.service
 *    gives the definition, loaded under the instance's name (%i = x).
 * Drop-ins: NAME.d/ *.conf of every directory (and the template's
 * foo@.service.d/ for an instance), one per file name, the directory first
 * in precedence winning, applied in file-name order.
 *
 * Enabled (systemctl enable's symlinks): NAME.wants/ and NAME.requires/
 * entries of every directory; what default.target (or multi-user.target)
 * wants, transitively through them and Wants=/Requires=/BindsTo=, is what
 * boots (manager_load.c). Symlink loops end after 8 hops, reported.
 *
 * Returns 0 or -errno; never logs (the caller reports).
 */
#ifndef VIGIL_SUPERVISE_UNIT_LAYOUT_H
#define VIGIL_SUPERVISE_UNIT_LAYOUT_H

#include "base/strv.h"

#include <stdbool.h>
#include <stddef.h>

struct unit_layout {
        struct strv dirs;        /* in precedence order */
        char *config_dir;        /* where enable/mask write: dirs.v[0] */
        bool systemd;            /* the systemd layout (not --units) */
};

/* The systemd layout under root ("" or "/" for the machine's own). */
int unit_layout_systemd(const char *root, struct unit_layout *ret);
/* --units DIR...: those directories, first wins. */
int unit_layout_from_dirs(char *const *dirs, size_t n, struct unit_layout *ret);
void unit_layout_free(struct unit_layout *l);
/* Whether root has a systemd layout (ROOT/lib/systemd/system or
 * ROOT/usr/lib/systemd/system or ROOT/etc/systemd/system is a directory). */
bool unit_layout_present(const char *root);

enum unit_found_kind {
        UNIT_FOUND_FILE,         /* path is its file */
        UNIT_FOUND_MASKED,       /* link is the mask */
        UNIT_FOUND_NONE,         /* in no directory */
        UNIT_FOUND_LOOP,         /* aliases that never end (link: where it was seen) */
};

struct unit_found {
        enum unit_found_kind kind;
        char *name;              /* the unit's own name (an alias resolved) */
        char *path;              /* FILE: the unit file (the template's for an instance) */
        char *link;              /* MASKED/LOOP: the directory entry; FILE: the entry found */
        bool alias;              /* the name asked for is an alias of name */
};

int unit_layout_find(const struct unit_layout *l, const char *name, struct unit_found *ret);
void unit_found_free(struct unit_found *f);

/* The drop-in paths of name (and of its template), in the order to apply.
 * (Loading a unit found: unit_source_load_found(), supervise/unit_source.h.) */
int unit_layout_dropins(const struct unit_layout *l, const char *name, struct strv *ret);

/* The names in NAME.wants/ (ret_wants) and NAME.requires/ (ret_requires)
 * of every directory, each once, sorted per directory. */
int unit_layout_wants(const struct unit_layout *l, const char *name, struct strv *ret_wants,
                      struct strv *ret_requires);

/* default.target resolved (an alias to graphical.target, multi-user.target...),
 * or multi-user.target when there is none. */
int unit_layout_default_target(const struct unit_layout *l, char **ret);

#endif
