/* SPDX-License-Identifier: MIT */
/*
 * RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
 * ConfigurationDirectory= (systemd.exec(5), "Paths"): the directories vigil
 * makes for a unit before its first process, below the system roots /run,
 * /var/lib, /var/cache, /var/log and /etc. Pure: the values as loaded, the
 * full paths and the environment variables (RUNTIME_DIRECTORY=...) built
 * from them; the making and removing is supervise/unit_dirs.c's.
 *
 * systemd's meaning, as kept here:
 *  - each value is a list of relative paths without "." or ".." parts; the
 *    innermost directory gets *DirectoryMode= (default 0755) and, except for
 *    ConfigurationDirectory=, the User=/Group= ownership; the parents are
 *    made 0755 root-owned;
 *  - the variable of each kind lists the full paths, ':'-separated;
 *  - RuntimeDirectory= is removed when the unit stops (RuntimeDirectoryPreserve=
 *    no), kept over an automatic restart (restart), or never (yes); the other
 *    kinds are kept.
 * Rejected: the "PATH:SYMLINK" form makes no symlink here (a warning says
 * so); the user manager's roots ($XDG_RUNTIME_DIR...) are not used, vigil's
 * units are system services.
 */
#ifndef VIGIL_UNIT_EXEC_DIRS_H
#define VIGIL_UNIT_EXEC_DIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum exec_dir_kind {
        EXEC_DIR_RUNTIME,
        EXEC_DIR_STATE,
        EXEC_DIR_CACHE,
        EXEC_DIR_LOGS,
        EXEC_DIR_CONFIGURATION,
        EXEC_DIR_MAX,
};

enum exec_preserve { EXEC_PRESERVE_NO, EXEC_PRESERVE_YES, EXEC_PRESERVE_RESTART };

struct exec_dir_list {
        char **v;            /* relative paths, as written (specifiers resolved) */
        size_t n;
        mode_t mode;         /* default 0755 */
};

struct exec_dirs {
        struct exec_dir_list dirs[EXEC_DIR_MAX];
        enum exec_preserve runtime_preserve;   /* default no */
};

void exec_dirs_init(struct exec_dirs *d);
void exec_dirs_free(struct exec_dirs *d);

/* "/run", "/var/lib", ... and "RUNTIME_DIRECTORY", "STATE_DIRECTORY", ... */
const char *exec_dir_root(enum exec_dir_kind k);
const char *exec_dir_env_name(enum exec_dir_kind k);
/* "RuntimeDirectory", ... (the key's name, for messages). */
const char *exec_dir_key(enum exec_dir_kind k);

/* Whether s is a valid value word: relative, not empty, no "." or ".."
 * component, no "//", at most PATH_MAX. */
bool exec_dir_path_is_valid(const char *s);

/* "ROOT/PATH" (malloc'd) or NULL when out of memory. */
char *exec_dir_full_path(enum exec_dir_kind k, const char *path);

/* "NAME=ROOT/a:ROOT/b" for each kind with directories, appended to *env
 * (an env_file.h list). 0 or -ENOMEM. */
int exec_dirs_env(const struct exec_dirs *d, char ***env, size_t *n);

/* Whether the unit's RuntimeDirectory= goes when it stops; restarting:
 * the stop is an automatic restart (systemd.exec(5),
 * RuntimeDirectoryPreserve=). */
bool exec_dirs_remove_runtime(const struct exec_dirs *d, bool restarting);

#endif
