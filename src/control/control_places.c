/* SPDX-License-Identifier: MIT */
#include "control/control_places.h"

#include <stdio.h>

/* dir's place into p: false when its socket paths do not fit sun_path. */
static bool place_in(const char *dir, const char *suffix, struct control_place *p) {
        int a = snprintf(p->dir, sizeof(p->dir), "%s%s", dir, suffix);
        int b = snprintf(p->control, sizeof(p->control), "%s%s/control", dir, suffix);
        int c = snprintf(p->notify, sizeof(p->notify), "%s%s/notify", dir, suffix);
        return a >= 0 && b >= 0 && c >= 0 && (size_t)b < sizeof(p->control) && (size_t)c < sizeof(p->notify);
}

size_t control_places(const char *runtime_dir, const char *xdg_runtime_dir, unsigned long uid,
                      struct control_place ret[CONTROL_PLACES_MAX], bool *ret_too_long) {
        size_t n = 0;
        *ret_too_long = false;
        if (runtime_dir && runtime_dir[0] == '/') {
                if (place_in(runtime_dir, "", &ret[n]))
                        n++;
                else
                        *ret_too_long = true;
        }
        if (n == 0 && place_in(CONTROL_DEFAULT_RUNTIME_DIR, "", &ret[n]))
                n++;
        if (xdg_runtime_dir && xdg_runtime_dir[0] == '/' && place_in(xdg_runtime_dir, "/vigil", &ret[n]))
                n++;
        struct control_place *a = &ret[n++];
        a->dir[0] = '\0';
        snprintf(a->control, sizeof(a->control), "@vigil-%lu/control", uid);
        snprintf(a->notify, sizeof(a->notify), "@vigil-%lu/notify", uid);
        return n;
}
