/* SPDX-License-Identifier: MIT */
/*
 * An OTP release found and launched as erlinit does (docs/ERLINIT.md,
 * "Release discovery"), so a Nerves rootfs needs no "-- CMD" line: which
 * release under the search path (/srv/erlang), which version (releases/
 * start_erl.data, else the last version directory by name), which ERTS, the
 * .boot file, sys.config and vm.args, and from them the erlexec command line
 * and environment (ROOTDIR, BINDIR, EMU, PROGNAME, RELEASE_*), wrapped in the
 * --alternate-exec program if one is given.
 *
 * A pure planner: the file system is a read-only listing it is handed
 * (struct release_fs), so each rule is a table test over a tree written as a
 * list of paths (tests/unit/test_release_plan.c); system/erlinit_release
 * hands it the real one. Warnings go to a callback; the caller logs them.
 */
#ifndef VIGIL_SYSTEM_RELEASE_PLAN_H
#define VIGIL_SYSTEM_RELEASE_PLAN_H

#include "base/strv.h"

#include <stdbool.h>
#include <stddef.h>

#define RELEASE_DEFAULT_SEARCH_PATH "/srv/erlang"
#define RELEASE_ERLANG_ROOT "/usr/lib/erlang"

/* What the planner may look at. */
struct release_fs {
        /* The names in dir, sorted bytewise, a directory's with a trailing
         * '/'. 0 or -errno (-ENOENT: no such directory). */
        int (*list)(void *ctx, const char *dir, struct strv *ret);
        /* The text of a small file. 0 or -errno. */
        int (*read)(void *ctx, const char *path, char **ret);
        void *ctx;
};

struct release_plan_input {
        char *const *search_paths;    /* erlinit's -r; none: /srv/erlang */
        size_t n_search_paths;
        const char *boot;             /* -b, NULL: auto */
        const char *alternate_exec;   /* -s "PROG ARGS", NULL: none */
        bool include_erts;            /* --release-include-erts */
        const char *erlang_root;      /* NULL: /usr/lib/erlang */
};

typedef void (*release_warn_fn)(void *ctx, const char *message);

struct release_plan {
        struct strv argv;             /* what to execute, argv[0] a path or erlexec's */
        struct strv env;              /* KEY=VAL, before the user's -e entries */
        char *root;                   /* ROOTDIR: the release's base directory */
        char *erts_bin;               /* <erts>/bin */
        bool release_found;           /* false: erlexec alone with ROOTDIR the Erlang root */
};

/* 0 with ret filled; -ENOENT when no ERTS is found (nothing to run) or
 * a release has no .boot file (erlinit's fatal cases), with the reason
 * warned; -ENOMEM. */
int release_plan_build(const struct release_plan_input *in, const struct release_fs *fs, struct release_plan *ret,
                       release_warn_fn warn, void *warn_ctx);

void release_plan_free(struct release_plan *p);

#endif
