/* SPDX-License-Identifier: MIT */
/*
 * Start-up scripts and the container environment (SPEC §2 steps 3-4, §9;
 * my_init parity: phusion/baseimage-docker image/bin/my_init).
 *
 * Scripts run inside vigil's event loop: startup_begin() spawns the first
 * one and returns; the reaper hands every reaped pid to
 * startup_child_exited(), which starts the next one or reports the outcome
 * through the done callback. PID 1 never waits for one pid, so orphans are
 * reaped while a script runs. At most one script runs at a time.
 *
 *   startup_begin --export (container env)--> script 1 --exit 0--> [re-import,
 *   export] --> script 2 ... --> rc.local --> done(0)
 *   any script --exit != 0 / signal--> done(its exit status, 128+N for signal N)
 *   startup_cancel() --> SIGTERM (+SIGCONT) to the running script; done()
 *   is never called, nothing more is started.
 *
 * Which scripts: the entries of the directory in bytewise order (strcmp, as
 * my_init's sorted()), each a regular file (symlinks followed) that vigil
 * may execute; hidden names (".x") are skipped too, where my_init would run
 * them (run-parts(8) skips them; editors and tools leave such files). Then
 * rc.local, if it is an executable regular file when its turn comes. The
 * directory is listed once, when start-up begins (as my_init). An explicit
 * directory that cannot be listed is a start-up failure (status 1), not a
 * silent no-op as in my_init; the default one is used only if it exists.
 * Scripts get vigil's environment, its stdin/stdout/stderr and its process
 * group (as my_init's spawnvp: Ctrl-C on a terminal reaches vigil too,
 * which then stops). A script that cannot be executed fails with 126/127
 * (the shell's rule, through the spawn status pipe).
 *
 * The container environment (config.container_env), what my_init does and
 * where vigil differs:
 *  - startup_import_env() (step 3): every file of the directory sets its
 *    variable unless vigil's environment already has it (my_init's
 *    import_envvars(False, False): `docker run -e` beats the image's files).
 *    A missing directory is not an error.
 *  - startup_begin() first exports (my_init's export_envvars() before the
 *    scripts): the directory is created 0700 if missing (my_init needs the
 *    image to make it; the option is an explicit opt-in here), every
 *    variable but HOME USER GROUP UID GID SHELL is written to it as a file,
 *    and the .sh and .json dumps are written (formats: container/
 *    container_env.h).
 *  - After each script that succeeded: re-import, then export again. my_init
 *    clears its whole environment and re-imports the directory with
 *    override, so a script changes what later scripts and the main command
 *    get by writing or deleting files there. vigil does the same for every
 *    name the directory holds: a file sets (overrides) its variable; a
 *    variable whose file was there after the last export and is gone now is
 *    unset. Unlike my_init, the skipped names (never written to the
 *    directory) are kept rather than lost after the first script
 *    (phusion/baseimage-docker#119, #490), and so is a variable whose file
 *    could not be written. my_init re-writes only .sh/.json there; vigil also
 *    re-writes the directory, as SPEC §9 says (the same content, since it
 *    was just read from there).
 *  - Permissions (SPEC §9: readable only by root and a docker_env group if
 *    it exists): every file vigil writes (the directory's files, .sh, .json)
 *    is mode 0640 group docker_env when that group exists (my_init's image
 *    pre-creates .sh/.json 0640 root:docker_env), else 0600; the owner is
 *    vigil (root). The group is looked up at each export, so a start-up
 *    script may create it. Files are replaced atomically (temporary file +
 *    rename), so a reader never sees half a file; a leftover temporary file
 *    (OS_ATOMIC_TEMP_PREFIX) is never imported.
 *  - Write failures are warnings (the environment in memory stays right for
 *    everything vigil starts); only the scripts decide start-up's outcome.
 *
 * The config's strings are borrowed and must live as long as start-up.
 * Logs through core/log.h; "running startup script X" at info level.
 */
#ifndef VIGIL_CONTAINER_STARTUP_H
#define VIGIL_CONTAINER_STARTUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define STARTUP_DEFAULT_DIR "/etc/my_init.d"
#define STARTUP_DEFAULT_RC_LOCAL "/etc/rc.local"
#define STARTUP_DEFAULT_ENV_DIR "/etc/container_environment"
#define STARTUP_DEFAULT_ENV_SH "/etc/container_environment.sh"
#define STARTUP_DEFAULT_ENV_JSON "/etc/container_environment.json"
#define STARTUP_ENV_GROUP "docker_env"

struct startup_config {
        const char *dir;        /* --startup-dir; NULL: STARTUP_DEFAULT_DIR if it exists */
        const char *rc_local;   /* NULL: STARTUP_DEFAULT_RC_LOCAL */
        bool container_env;     /* --container-env */
        const char *env_dir;    /* NULL: STARTUP_DEFAULT_ENV_DIR */
        const char *env_sh, *env_json; /* NULL: the defaults above */
};

/* Step 3: import the directory into vigil's own environment, existing
 * variables winning. No-op without container_env. 0, or -errno when the
 * directory exists but cannot be read (logged). */
int startup_import_env(const struct startup_config *c);

/* 0 when every script succeeded, else the failing script's exit status
 * (128+N when killed by signal N; 1 when start-up itself failed). */
typedef void (*startup_done_fn)(int status);

/* Step 4: export (container_env), then start the first script. Every
 * outcome is reported through done(), exactly once unless cancelled; with
 * nothing to run, done() is called before this returns. -EALREADY if
 * start-up was begun before (done is not called then). */
int startup_begin(const struct startup_config *c, startup_done_fn done);

/* The reaper calls this for every reaped pid first: true if pid was a
 * start-up script (then the caller does nothing more with it). */
bool startup_child_exited(pid_t pid, int wait_status);

/* Shutdown requested: SIGTERM (and SIGCONT) the running script; nothing
 * more is started and done() is not called. */
void startup_cancel(void);

/* Whether a script is running or start-up has not reported yet. */
bool startup_in_progress(void);

/* Write the directory, .sh and .json from vigil's current environment
 * (container_env only; no-op otherwise). Failures are logged as warnings;
 * returns the first -errno, or 0. */
int startup_export_env(const struct startup_config *c);

/* ---- pure parts, exposed for tests ---- */

enum startup_verdict {
        STARTUP_RUN,
        STARTUP_SKIP_HIDDEN,
        STARTUP_SKIP_NOT_REGULAR,
        STARTUP_SKIP_NOT_EXECUTABLE,
};

/* Whether a directory entry is run as a start-up script. */
enum startup_verdict startup_script_verdict(const char *name, bool regular, bool executable);
/* "hidden file", "not a regular file", ... for "skipping X: %s". */
const char *startup_verdict_reason(enum startup_verdict v);

/* The variables a script removed from the directory: each name of before[]
 * (the names the directory held after the last export) that has no
 * "NAME=value" in after[] (the import that followed) and is not one of the
 * never-exported names. Both inputs sorted bytewise by name (as
 * container_env_import() returns them). ret[] has room for n_before;
 * returns how many it holds (pointers into before[]). */
size_t startup_env_removed(char *const *before, size_t n_before, char *const *after, size_t n_after,
                           const char **ret);

/* Release what start-up keeps after it is done (the export snapshot) and
 * forget it was begun (tests run several start-ups in one process). */
void startup_free(void);

#endif
