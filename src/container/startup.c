/* SPDX-License-Identifier: MIT */
#include "container/startup.h"

#include "base/signame.h"
#include "base/spawn_plan.h"
#include "container/container_env.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "unit/spawn_build.h"
#include "base/exit_status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bounds on outside input: entries of the scripts directory and files of
 * the environment directory. */
#define SCRIPTS_MAX 10000
#define ENV_FILES_MAX 10000

/* Start-up status when start-up itself (not a script) failed. */
#define STARTUP_FAILED 1

static struct {
        struct startup_config config;   /* strings borrowed */
        startup_done_fn done;
        bool begun, finished, cancelled;
        char **scripts;                 /* full paths, in order */
        size_t n_scripts, next;
        bool rc_local_checked;
        pid_t pid;                      /* running script, 0 if none */
        int status_fd;                  /* its exec-status pipe */
        const char *current;            /* its path */
        char **snapshot;                /* names the env dir held after the last export, sorted */
        size_t n_snapshot;
} st = { .status_fd = -1 };

/* ---- pure parts ---- */

enum startup_verdict startup_script_verdict(const char *name, bool regular, bool executable) {
        if (name[0] == '.')
                return STARTUP_SKIP_HIDDEN;
        if (!regular)
                return STARTUP_SKIP_NOT_REGULAR;
        if (!executable)
                return STARTUP_SKIP_NOT_EXECUTABLE;
        return STARTUP_RUN;
}

const char *startup_verdict_reason(enum startup_verdict v) {
        switch (v) {
        case STARTUP_RUN: return "to be run";
        case STARTUP_SKIP_HIDDEN: return "hidden file";
        case STARTUP_SKIP_NOT_REGULAR: return "not a regular file";
        case STARTUP_SKIP_NOT_EXECUTABLE: return "not executable";
        }
        return "unknown";
}

/* Order of a name against the name part of "NAME=value" (names hold no
 * '='), consistent with strcmp() on the names alone. */
static int compare_name_assignment(const char *name, const char *assignment) {
        for (size_t i = 0;; i++) {
                unsigned char a = (unsigned char)name[i];
                unsigned char b = assignment[i] == '=' ? 0 : (unsigned char)assignment[i];
                if (a != b || a == 0)
                        return (a > b) - (a < b);
        }
}

size_t startup_env_removed(char *const *before, size_t n_before, char *const *after, size_t n_after,
                           const char **ret) {
        size_t n = 0, j = 0;
        for (size_t i = 0; i < n_before; i++) {
                int c = 1;
                while (j < n_after && (c = compare_name_assignment(before[i], after[j])) > 0)
                        j++;
                if (j < n_after && c == 0)
                        continue;
                if (!container_env_is_skipped(before[i], strlen(before[i])))
                        ret[n++] = before[i];
        }
        return n;
}

/* ---- paths ---- */

static const char *env_dir_path(const struct startup_config *c) {
        return c->env_dir ? c->env_dir : STARTUP_DEFAULT_ENV_DIR;
}

/* A name from a directory, safe to put in a log line. */
static const char *shown(const char *name, char *buf, size_t size) {
        size_t i = 0;
        for (; name[i] && i + 1 < size; i++)
                buf[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
        buf[i] = '\0';
        return buf;
}

static void free_list(char ***v, size_t *n) {
        for (size_t i = 0; *v && i < *n; i++)
                free((*v)[i]);
        free(*v);
        *v = NULL;
        *n = 0;
}

static void log_diags(struct container_env_diags *diags) {
        for (size_t i = 0; i < diags->n; i++)
                log_warning("%s", diags->v[i]);
        container_env_diags_free(diags);
}

/* ---- import ---- */

/* The directory as "NAME=value" assignments, sorted by name. Unreadable
 * files and leftover temporary files are skipped (the former with a
 * warning). -errno when the directory cannot be read. */
static int read_env_dir(const char *dir, char ***ret_env, size_t *ret_n) {
        struct os_file_content *files;
        size_t n_files;
        char name[64];
        int r = os_dir_read_files(dir, ENV_FILES_MAX, CONTAINER_ENV_ASSIGNMENT_MAX, &files, &n_files);
        if (r < 0)
                return r;
        struct container_env_file *in = calloc(n_files + 1, sizeof(*in));
        size_t n_in = 0;
        if (!in) {
                os_dir_files_free(&files, &n_files);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_files; i++) {
                const struct os_file_content *f = &files[i];
                if (strncmp(f->name, OS_ATOMIC_TEMP_PREFIX, strlen(OS_ATOMIC_TEMP_PREFIX)) == 0)
                        continue;
                if (f->error < 0) {
                        log_warning("%s/%s: cannot read: %s, ignoring", dir, shown(f->name, name, sizeof(name)),
                                    f->error == -EFBIG ? "value is longer than execve(2) accepts"
                                                       : strerror(-f->error));
                        continue;
                }
                in[n_in++] = (struct container_env_file){ f->name, f->content, f->size };
        }
        struct container_env_diags diags = { 0 };
        r = container_env_import(dir, in, n_in, ret_env, ret_n, &diags);
        log_diags(&diags);
        free(in);
        os_dir_files_free(&files, &n_files);
        return r;
}

/* setenv() one "NAME=value" (NAME holds no '=', import checked). */
static int set_assignment(const char *assignment, bool override) {
        const char *eq = strchr(assignment, '=');
        char name[CONTAINER_ENV_NAME_MAX + 1];
        if (!eq)
                return -EINVAL;
        size_t len = (size_t)(eq - assignment);
        if (len == 0 || len > CONTAINER_ENV_NAME_MAX)
                return -EINVAL;
        memcpy(name, assignment, len);
        name[len] = '\0';
        return setenv(name, eq + 1, override) < 0 ? -errno : 0;
}

static void set_all(const char *dir, char **env, size_t n, bool override) {
        char name[64];
        for (size_t i = 0; i < n; i++) {
                int r = set_assignment(env[i], override);
                if (r < 0)
                        log_warning("%s: cannot set %s: %s", dir, shown(env[i], name, sizeof(name)), strerror(-r));
        }
}

int startup_import_env(const struct startup_config *c) {
        if (!c->container_env)
                return 0;
        const char *dir = env_dir_path(c);
        char **env;
        size_t n;
        int r = read_env_dir(dir, &env, &n);
        if (r == -ENOENT) {
                log_debug("%s does not exist, no environment to import", dir);
                return 0;
        }
        if (r < 0) {
                log_warning("cannot import the environment from %s: %s", dir, strerror(-r));
                return r;
        }
        /* my_init's import_envvars(False, False): what vigil was given wins. */
        set_all(dir, env, n, false);
        log_debug("imported %zu variables from %s (existing ones kept)", n, dir);
        free_list(&env, &n);
        return 0;
}

/* ---- export ---- */

/* The names the directory holds now (valid variable names only). */
static void take_snapshot(const char *dir) {
        struct os_dir_entry *e;
        size_t n;
        free_list(&st.snapshot, &st.n_snapshot);
        int r = os_dir_list(dir, ENV_FILES_MAX, &e, &n);
        if (r < 0) {
                log_debug("cannot list %s: %s; no variable will be unset after the next script", dir,
                          strerror(-r));
                return;
        }
        st.snapshot = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; st.snapshot && i < n; i++) {
                if (!container_env_name_is_valid(e[i].name, strlen(e[i].name)) ||
                    strncmp(e[i].name, OS_ATOMIC_TEMP_PREFIX, strlen(OS_ATOMIC_TEMP_PREFIX)) == 0)
                        continue;
                st.snapshot[st.n_snapshot++] = e[i].name;
                e[i].name = NULL;
        }
        os_dir_list_free(&e, &n);
}

static int export_dir(const char *dir, mode_t mode, gid_t gid) {
        struct container_env_file *files;
        struct container_env_diags diags = { 0 };
        size_t n, failed = 0;
        char path[4096], name[64] = "";
        int first = 0;
        int r = container_env_export_dir(environ, &files, &n, &diags);
        log_diags(&diags);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, files[i].name) >= sizeof(path))
                        r = -ENAMETOOLONG;
                else
                        r = os_write_file_atomic(path, files[i].content, files[i].size, mode, gid);
                if (r < 0 && failed++ == 0) {
                        first = r;
                        shown(files[i].name, name, sizeof(name));
                }
        }
        if (failed)
                log_warning("cannot write %zu of %zu variables into %s (first %s: %s)", failed, n, dir, name,
                            strerror(-first));
        container_env_files_free(&files, &n);
        return first;
}

static int export_text(const char *path, int (*format)(char *const *, char **, struct container_env_diags *),
                       mode_t mode, gid_t gid) {
        struct container_env_diags diags = { 0 };
        char *text;
        int r = format(environ, &text, &diags);
        log_diags(&diags);
        if (r < 0)
                return r;
        r = os_write_file_atomic(path, text, strlen(text), mode, gid);
        free(text);
        if (r < 0)
                log_warning("cannot write %s: %s", path, strerror(-r));
        return r;
}

/* container_env_export_json() has no diagnostics; same shape as the .sh. */
static int format_json(char *const *env, char **ret, struct container_env_diags *diags) {
        (void)diags;
        return container_env_export_json(env, ret);
}

int startup_export_env(const struct startup_config *c) {
        if (!c->container_env)
                return 0;
        const char *dir = env_dir_path(c);
        int first = 0;
        int r = os_make_dir(dir, 0700);
        if (r < 0 && r != -EEXIST) {
                log_warning("cannot create %s: %s", dir, strerror(-r));
                first = r;
        }
        /* SPEC §9: readable by root and the docker_env group only. */
        gid_t gid;
        mode_t mode = 0640;
        r = os_group_id(STARTUP_ENV_GROUP, &gid);
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning("cannot look up group %s: %s", STARTUP_ENV_GROUP, strerror(-r));
                gid = (gid_t)-1;
                mode = 0600;
        }
        r = export_dir(dir, mode, gid);
        first = first ? first : r;
        r = export_text(c->env_sh ? c->env_sh : STARTUP_DEFAULT_ENV_SH, container_env_export_sh, mode, gid);
        first = first ? first : r;
        r = export_text(c->env_json ? c->env_json : STARTUP_DEFAULT_ENV_JSON, format_json, mode, gid);
        first = first ? first : r;
        take_snapshot(dir);
        return first;
}

/* After a script: the directory is the truth for every name it holds. */
static void env_after_script(const char *script) {
        const char *dir = env_dir_path(&st.config);
        char **env;
        size_t n;
        int r = read_env_dir(dir, &env, &n);
        if (r < 0) {
                log_warning("cannot re-read %s after %s: %s, environment unchanged", dir, script, strerror(-r));
        } else {
                const char **removed = calloc(st.n_snapshot + 1, sizeof(char *));
                size_t n_removed = removed ? startup_env_removed(st.snapshot, st.n_snapshot, env, n, removed) : 0;
                for (size_t i = 0; i < n_removed; i++) {
                        log_debug("%s removed %s/%s, unsetting it", script, dir, removed[i]);
                        (void)unsetenv(removed[i]);
                }
                free(removed);
                set_all(dir, env, n, true);
                free_list(&env, &n);
        }
        startup_export_env(&st.config);
}

/* ---- scripts ---- */

static void finish(int status) {
        st.finished = true;
        st.pid = 0;
        st.current = NULL;
        os_close(st.status_fd);
        st.status_fd = -1;
        free_list(&st.scripts, &st.n_scripts);
        if (!st.cancelled && st.done)
                st.done(status);
}

static int list_scripts(const struct startup_config *c) {
        const char *dir = c->dir;
        struct os_dir_entry *e;
        size_t n;

        if (!dir) {
                if (!os_is_dir(STARTUP_DEFAULT_DIR)) {
                        log_debug("no %s, no startup scripts", STARTUP_DEFAULT_DIR);
                        return 0;
                }
                dir = STARTUP_DEFAULT_DIR;
        }
        int r = os_dir_list(dir, SCRIPTS_MAX, &e, &n);
        if (r < 0) {
                log_error("cannot list startup scripts in %s: %s", dir, strerror(-r));
                return r;
        }
        st.scripts = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; st.scripts && i < n; i++) {
                enum startup_verdict v = startup_script_verdict(e[i].name, e[i].regular, e[i].executable);
                if (v != STARTUP_RUN) {
                        log_debug("skipping %s/%s: %s", dir, e[i].name, startup_verdict_reason(v));
                        continue;
                }
                if (asprintf(&st.scripts[st.n_scripts], "%s/%s", dir, e[i].name) < 0) {
                        st.scripts[st.n_scripts] = NULL;
                        r = -ENOMEM;
                        break;
                }
                st.n_scripts++;
        }
        if (!st.scripts)
                r = -ENOMEM;
        os_dir_list_free(&e, &n);
        if (r < 0)
                log_error("cannot list startup scripts in %s: %s", dir, strerror(-r));
        return r;
}

static int spawn_script(const char *path) {
        char *argv[] = { (char *)path, NULL };
        /* my_init's spawnvp: vigil's environment, stdio and process group. */
        struct spawn_plan plan = spawn_plan_command(argv, SPAWN_GROUP_INHERIT);
        log_info("running startup script %s", path);
        int r = os_spawn(&plan, &st.pid, &st.status_fd);
        if (r < 0) {
                log_error("cannot start startup script %s: %s, start-up aborted", path, strerror(-r));
                st.pid = 0;
                return r;
        }
        st.current = path;
        return 0;
}

/* Start the next script, or report the end. */
static void run_next(void) {
        const char *rc_local = st.config.rc_local ? st.config.rc_local : STARTUP_DEFAULT_RC_LOCAL;
        for (;;) {
                const char *path;
                if (st.next < st.n_scripts) {
                        path = st.scripts[st.next++];
                } else if (!st.rc_local_checked) {
                        st.rc_local_checked = true;
                        if (!os_is_executable_file(rc_local)) {
                                log_debug("%s is not an executable file, not running it", rc_local);
                                continue;
                        }
                        path = rc_local;
                } else {
                        log_debug("startup scripts done");
                        finish(0);
                        return;
                }
                if (spawn_script(path) < 0)
                        finish(STARTUP_FAILED);
                return;
        }
}

int startup_begin(const struct startup_config *c, startup_done_fn done) {
        if (st.begun)
                return -EALREADY;
        st.begun = true;
        st.config = *c;
        st.done = done;
        if (st.cancelled) {
                finish(0);
                return 0;
        }
        if (c->container_env)
                startup_export_env(c);
        if (list_scripts(c) < 0) {
                finish(STARTUP_FAILED);
                return 0;
        }
        run_next();
        return 0;
}

bool startup_child_exited(pid_t pid, int wait_status) {
        if (pid <= 0 || pid != st.pid)
                return false;
        const char *path = st.current;
        struct spawn_failure failure;
        if (st.status_fd >= 0) {
                if (os_spawn_read_status(st.status_fd, &failure) == 1)
                        log_error("cannot %s startup script %s: %s", spawn_stage_action(failure.stage), path,
                                  strerror(failure.error));
                os_close(st.status_fd);
                st.status_fd = -1;
        }
        st.pid = 0;
        if (st.cancelled) {
                log_debug("startup script %s ended after the stop request", path);
                finish(0);
                return true;
        }
        if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
                char name[16];
                if (WIFSIGNALED(wait_status))
                        log_error("startup script %s killed by %s, start-up aborted", path,
                                  signame_from_number(WTERMSIG(wait_status), name, sizeof(name)));
                else
                        log_error("startup script %s failed with status %d, start-up aborted", path,
                                  WEXITSTATUS(wait_status));
                finish(exit_status_from_wait(wait_status));
                return true;
        }
        log_debug("startup script %s finished", path);
        if (st.config.container_env)
                env_after_script(path);
        run_next();
        return true;
}

void startup_cancel(void) {
        if (st.cancelled)
                return;
        st.cancelled = true;
        if (st.pid <= 0)
                return;
        log_info("stopping startup script %s", st.current);
        int r = os_kill(st.pid, SIGTERM);
        if (r == 0)
                (void)os_kill(st.pid, SIGCONT); /* a stopped script must be able to act on it */
        else if (r != -ESRCH)
                log_warning("cannot send SIGTERM to startup script %s: %s", st.current, strerror(-r));
}

bool startup_in_progress(void) {
        return st.begun && !st.finished;
}

void startup_free(void) {
        free_list(&st.snapshot, &st.n_snapshot);
        free_list(&st.scripts, &st.n_scripts);
        os_close(st.status_fd);
        memset(&st, 0, sizeof(st));
        st.status_fd = -1;
}
