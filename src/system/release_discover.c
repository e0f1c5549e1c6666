/* SPDX-License-Identifier: MIT */
#include "system/release_discover.h"

#include "core/log.h"
#include "os/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RELEASE_DIR_MAX 4096     /* entries in one listed directory */
#define RELEASE_FILE_MAX 4096    /* bytes of start_erl.data */

/* os_dir_list's sorted entries, a directory's name with a trailing '/'. */
static int list_dir(void *ctx, const char *dir, struct strv *ret) {
        struct os_dir_entry *v = NULL;
        size_t n = 0;
        (void)ctx;
        *ret = (struct strv){ 0 };
        int r = os_dir_list(dir, RELEASE_DIR_MAX, &v, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++) {
                char *name = NULL;
                if (asprintf(&name, "%s%s", v[i].name, v[i].directory ? "/" : "") < 0)
                        r = -ENOMEM;
                else
                        r = strv_push_owned(ret, name);
        }
        os_dir_list_free(&v, &n);
        if (r < 0)
                strv_free(ret);
        return r;
}

static int read_small(void *ctx, const char *path, char **ret) {
        (void)ctx;
        return os_read_file(path, RELEASE_FILE_MAX, ret, NULL);
}

static void warn(void *ctx, const char *message) {
        (void)ctx;
        log_warning("release: %s", message);
}

int release_discover(const struct release_plan_input *in, struct release_plan *ret) {
        struct release_fs fs = { .list = list_dir, .read = read_small };
        int r = release_plan_build(in, &fs, ret, warn, NULL);
        if (r < 0)
                log_error("no Erlang release to start: %s", r == -ENOMEM ? "out of memory" : "see above");
        else
                log_notice("release: %s (ROOTDIR=%s)", ret->argv.v[0], ret->root);
        return r;
}
