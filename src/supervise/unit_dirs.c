/* SPDX-License-Identifier: MIT */
#include "supervise/unit_dirs.h"

#include "core/log.h"
#include "os/paths.h"
#include "os/system.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int make_one(const char *name, enum exec_dir_kind kind, const char *path, mode_t mode,
                    const struct spawn_credentials *cred) {
        char *full = exec_dir_full_path(kind, path);
        mode_t type = 0;
        int r;

        if (!full) {
                log_error("%s: out of memory making %s=%s", name, exec_dir_key(kind), path);
                return -ENOMEM;
        }
        r = os_make_dirs(full, 0755);
        if (r == 0)
                r = os_path_stat(full, &type, NULL, NULL, NULL);
        if (r == 0 && type != S_IFDIR)
                r = -ENOTDIR;   /* a symlink to a directory is not taken over */
        if (r == 0)
                r = os_path_chmod(full, mode);
        if (r == 0 && cred && kind != EXEC_DIR_CONFIGURATION) {
                uid_t uid = cred->has_user ? cred->user.uid : 0;
                gid_t gid = cred->has_group ? cred->group : cred->has_user ? cred->user.gid : 0;
                r = os_path_chown(full, uid, gid);
        }
        if (r < 0)
                log_error("%s: cannot make %s=%s (%s): %s", name, exec_dir_key(kind), path, full, strerror(-r));
        free(full);
        return r;
}

int unit_dirs_make(const char *name, const struct unit_config *c, const struct spawn_credentials *cred) {
        if (cred && !cred->has_user && !cred->has_group)
                cred = NULL;
        for (int k = 0; k < EXEC_DIR_MAX; k++) {
                const struct exec_dir_list *l = &c->exec_dirs.dirs[k];
                for (size_t i = 0; i < l->n; i++) {
                        int r = make_one(name, (enum exec_dir_kind)k, l->v[i], l->mode, cred);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static bool at_rest(enum unit_state s) {
        return unit_state_is_inactive(s) || s == UNIT_AUTO_RESTART;
}

void unit_dirs_state_changed(const char *name, const struct unit_config *c, enum unit_state old, enum unit_state s) {
        const struct exec_dir_list *l = &c->exec_dirs.dirs[EXEC_DIR_RUNTIME];
        if (l->n == 0 || !at_rest(s) || at_rest(old) || old == UNIT_WAITING)
                return;
        if (!exec_dirs_remove_runtime(&c->exec_dirs, s == UNIT_AUTO_RESTART))
                return;
        for (size_t i = 0; i < l->n; i++) {
                char *full = exec_dir_full_path(EXEC_DIR_RUNTIME, l->v[i]);
                int r = full ? os_remove_tree(full, false) : -ENOMEM;
                if (r < 0)
                        log_warning("%s: cannot remove RuntimeDirectory=%s: %s, leaving it", name, l->v[i],
                                    strerror(-r));
                free(full);
        }
}
