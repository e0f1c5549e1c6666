/* SPDX-License-Identifier: MIT */
/*
 * Where vigil's sockets are: one rule for vigil (which makes them) and
 * vigilctl (which finds them), so `vigilctl check` works for any uid with
 * no options (docs/CONTROL.md, "Non-root and read-only roots"):
 *
 *   1. $VIGIL_RUNTIME_DIR when absolute, else /run/vigil;
 *   2. $XDG_RUNTIME_DIR/vigil when $XDG_RUNTIME_DIR is absolute;
 *   3. the abstract names @vigil-UID/control and @vigil-UID/notify (Linux's
 *      abstract namespace: no file, nothing to make; peer credentials are
 *      still checked on every connection).
 *
 * vigil takes the first directory it can make and write into; vigilctl
 * takes the first place's control socket that exists and it may write. A directory too long for
 * a socket path is left out. Pure: strings only.
 */
#ifndef VIGIL_CONTROL_CONTROL_PLACES_H
#define VIGIL_CONTROL_CONTROL_PLACES_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_PLACES_MAX 3
#define CONTROL_DEFAULT_RUNTIME_DIR "/run/vigil"

struct control_place {
        char dir[108];          /* "" for the abstract place */
        char control[108];      /* "/dir/control" or "@vigil-UID/control" */
        char notify[108];
};

/* The places in order, from the environment's values (NULL when unset)
 * and the uid; returns how many (at least 1: the abstract one).
 * *ret_too_long: $VIGIL_RUNTIME_DIR was left out for its length. */
size_t control_places(const char *runtime_dir, const char *xdg_runtime_dir, unsigned long uid,
                      struct control_place ret[CONTROL_PLACES_MAX], bool *ret_too_long);

#endif
