/* SPDX-License-Identifier: MIT */
#include "unit/spawn_build.h"

#include "base/signame.h"
#include "base/timespan.h"
#include "unit/env_file.h"
#include "unit/exec_line.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int env_set(char ***env, size_t *n, const char *key, const char *value) {
        size_t len = strlen(key) + strlen(value) + 2;
        char *a = malloc(len);
        if (!a)
                return -ENOMEM;
        snprintf(a, len, "%s=%s", key, value);
        int r = env_list_set(env, n, a);
        free(a);
        return r;
}

static int env_set_all(char ***env, size_t *n, char *const *v, size_t count) {
        for (size_t i = 0; i < count; i++) {
                int r = env_list_set(env, n, v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int env_set_user(char ***env, size_t *n, const struct spawn_user *user) {
        int r = env_set(env, n, "HOME", user->home);
        if (r == 0)
                r = env_set(env, n, "USER", user->name);
        if (r == 0)
                r = env_set(env, n, "LOGNAME", user->name);
        if (r == 0)
                r = env_set(env, n, "SHELL", user->shell[0] ? user->shell : "/bin/sh");
        return r;
}

/* sd_notify (SPEC §5): the socket for every process of the unit, the
 * watchdog for the main process only, as systemd does. */
static int env_set_notify(char ***env, size_t *n, const struct spawn_env_input *in) {
        char buf[32];
        if (!in->notify_socket)
                return 0;
        int r = env_set(env, n, "NOTIFY_SOCKET", in->notify_socket);
        if (r < 0 || !in->main || in->watchdog_usec == 0 || in->watchdog_usec == TIMESPAN_INFINITY)
                return r;
        snprintf(buf, sizeof(buf), "%" PRIu64, in->watchdog_usec);
        r = env_set(env, n, "WATCHDOG_USEC", buf);
        if (r == 0)
                r = env_set(env, n, "WATCHDOG_PID", SPAWN_PID_SLOT);
        return r;
}

/* ExecStop=/ExecStopPost= (systemd.exec(5), "Environment Variables in
 * Spawned Processes"): SERVICE_RESULT, and how the main process ended. */
static int env_set_stop(char ***env, size_t *n, const struct spawn_env_input *in) {
        char buf[32];
        const struct exit_info *e = in->main_exit;
        int r = env_set(env, n, "SERVICE_RESULT", unit_result_to_string(in->result));
        if (r < 0 || !e)
                return r;
        bool core = in->result == UNIT_RESULT_CORE_DUMP;
        r = env_set(env, n, "EXIT_CODE", e->exited ? "exited" : core ? "dumped" : "killed");
        if (r < 0)
                return r;
        if (e->exited) {
                snprintf(buf, sizeof(buf), "%d", e->code);
                return env_set(env, n, "EXIT_STATUS", buf);
        }
        const char *s = signame_from_number(e->sig, buf, sizeof(buf));
        return env_set(env, n, "EXIT_STATUS", strncmp(s, "SIG", 3) == 0 ? s + 3 : s);
}

/* What the manager that started vigil set for vigil alone (sd_notify(3),
 * sd_listen_fds(3)): never passed on as is. */
static const char *const outer_only[] = { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                                          "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", NULL };

bool spawn_env_outer_only(const char *entry) {
        for (const char *const *k = outer_only; *k; k++) {
                size_t len = strlen(*k);
                if (strncmp(entry, *k, len) == 0 && entry[len] == '=')
                        return true;
        }
        return false;
}

/* Socket activation handed on (the main command): the count, the names,
 * and LISTEN_PID as a slot the child fills with its own pid. */
static int env_set_listen(char ***env, size_t *n, const struct spawn_env_input *in) {
        char buf[16];
        snprintf(buf, sizeof(buf), "%u", in->listen_fds);
        int r = env_set(env, n, "LISTEN_FDS", buf);
        if (r == 0)
                r = env_set(env, n, "LISTEN_PID", SPAWN_PID_SLOT);
        if (r == 0 && in->listen_fdnames)
                r = env_set(env, n, "LISTEN_FDNAMES", in->listen_fdnames);
        return r;
}

/* UnsetEnvironment= (systemd.exec(5)): a name drops that variable, an
 * assignment only that exact one. */
static void env_unset(char **env, size_t *n, char *const *unset, size_t n_unset) {
        size_t kept = 0;
        for (size_t i = 0; i < *n; i++) {
                bool drop = false;
                for (size_t j = 0; j < n_unset && !drop; j++) {
                        size_t len = strlen(unset[j]);
                        drop = strchr(unset[j], '=') ? strcmp(env[i], unset[j]) == 0
                                                     : strncmp(env[i], unset[j], len) == 0 && env[i][len] == '=';
                }
                if (drop)
                        free(env[i]);
                else
                        env[kept++] = env[i];
        }
        for (size_t i = kept; i < *n; i++)
                env[i] = NULL;
        *n = kept;
}

int spawn_env_build(const struct spawn_env_input *in, char ***ret_env, size_t *ret_n) {
        char **env = NULL;
        size_t n = 0;
        int r = 0;
        char buf[32];

        for (char *const *e = in->inherited; e && *e && r == 0; e++)
                if (strchr(*e, '=') && !spawn_env_outer_only(*e))
                        r = env_list_set(&env, &n, *e);
        if (r == 0 && in->user)
                r = env_set_user(&env, &n, in->user);
        if (r == 0 && in->main_pid > 0) {
                snprintf(buf, sizeof(buf), "%d", (int)in->main_pid);
                r = env_set(&env, &n, "MAINPID", buf);
        }
        if (r == 0)
                r = env_set_notify(&env, &n, in);
        if (r == 0 && in->listen_fds > 0)
                r = env_set_listen(&env, &n, in);
        if (r == 0 && in->stop_vars)
                r = env_set_stop(&env, &n, in);
        if (r == 0 && in->exec_dirs)
                r = exec_dirs_env(in->exec_dirs, &env, &n);
        if (r == 0)
                r = env_set_all(&env, &n, in->environment, in->n_environment);
        if (r == 0)
                r = env_set_all(&env, &n, in->file_env, in->n_file_env);
        if (r == 0)
                env_unset(env, &n, in->unset, in->n_unset);
        if (r == 0 && !env) {
                env = calloc(1, sizeof(char *));
                if (!env)
                        r = -ENOMEM;
        }
        if (r < 0) {
                env_list_free(&env, &n);
                return r;
        }
        *ret_env = env;
        *ret_n = n;
        return 0;
}

int spawn_runit_finish_args(const struct exit_info *main_exit, char ***argv) {
        size_t n = 0;
        while ((*argv)[n])
                n++;
        char **v = realloc(*argv, (n + 3) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        *argv = v;
        v[n] = v[n + 1] = v[n + 2] = NULL;
        if (asprintf(&v[n], "%d", main_exit && main_exit->exited ? main_exit->code : -1) < 0) {
                v[n] = NULL;
                return -ENOMEM;
        }
        if (asprintf(&v[n + 1], "%d", main_exit && !main_exit->exited ? main_exit->sig : 0) < 0) {
                v[n + 1] = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* User=, Group=, SupplementaryGroups=: Group= alone or groups alone run as
 * uid 0; a user gets its own groups, Group= alone just that one; the
 * supplementary ones are added, as many as fit. */
static void apply_credentials(const struct unit_config *c, const struct spawn_credentials *cred,
                              struct spawn_built *b) {
        struct spawn_plan *p = &b->plan;
        size_t n = 0;
        if (!cred)
                return;
        p->set_ids = cred->has_user || cred->has_group || c->n_supplementary_groups > 0;
        if (!p->set_ids)
                return;
        p->uid = cred->has_user ? cred->user.uid : 0;
        p->gid = cred->has_group ? cred->group : cred->has_user ? cred->user.gid : 0;
        if (cred->has_user) {
                for (size_t i = 0; i < cred->n_user_groups && i < SPAWN_USER_GROUPS_MAX; i++)
                        b->groups[n++] = cred->user_groups[i];
        } else if (cred->has_group) {
                b->groups[n++] = p->gid;
        }
        for (size_t i = 0; i < cred->n_supplementary && n < SPAWN_GROUPS_MAX; i++)
                b->groups[n++] = cred->supplementary[i];
        p->groups = b->groups;
        p->n_groups = n;
}

/* WorkingDirectory=: "-" makes a missing one fine, "~" is the home. */
static int apply_working_directory(const struct unit_config *c, const struct spawn_credentials *cred,
                                   const char *home, struct spawn_built *b) {
        const char *w = c->working_directory;
        if (!w)
                return 0;
        b->plan.working_directory_optional = w[0] == '-';
        if (b->plan.working_directory_optional)
                w++;
        if (w[0] != '~') {
                b->plan.working_directory = w;
                return 0;
        }
        if (cred && cred->has_user)
                home = cred->user.home;
        if (!home)
                home = "/";
        if (asprintf(&b->working_directory, "%s%s", home, w + 1) < 0) {
                b->working_directory = NULL;
                return -ENOMEM;
        }
        b->plan.working_directory = b->working_directory;
        return 0;
}

int spawn_plan_build(const struct unit_config *c, const struct exec_command *cmd, const struct spawn_credentials *cred,
                     const struct spawn_fds *fds, const char *home, char **argv, char **env, size_t n_env,
                     struct spawn_built *b) {
        memset(b, 0, sizeof(*b));
        b->argv = argv;
        b->env = env;
        b->n_env = n_env;
        struct spawn_plan *p = &b->plan;
        *p = (struct spawn_plan){
                .argv = argv,
                .path = cmd->path,
                .envp = env,
                .stdin_fd = fds->stdin_fd,
                .stdout_fd = fds->stdout_fd,
                .stderr_fd = fds->stderr_fd,
                .group = SPAWN_SESSION_NEW,
                .set_nice = c->nice_set,
                .nice = c->nice,
                .set_umask = true,
                .umask = c->umask,
                .no_new_privileges = c->no_new_privileges,
        };
        /* StandardInput=tty*: the terminal on stdin becomes the session's (spawn_inputs.c opened it). */
        p->controlling_tty = c->standard_input != INPUT_NULL;
        p->controlling_tty_force = c->standard_input == INPUT_TTY_FORCE;
        p->controlling_tty_required = c->standard_input == INPUT_TTY_FAIL;
        p->tty_reset = c->standard_input != INPUT_NULL && c->tty_reset;
        apply_credentials(c, cred, b);
        size_t n_rl = 0;
        for (int i = 0; i < UNIT_RLIMIT_MAX; i++)
                if (c->limits[i].set)
                        b->rlimits[n_rl++] = (struct spawn_rlimit){ .resource = i, .value = c->limits[i].value };
        p->rlimits = b->rlimits;
        p->n_rlimits = n_rl;
        /* The child writes its pid there, unless Environment= replaced it. */
        p->self_pid_env = spawn_env_pid_slot(env, "WATCHDOG_PID");
        return apply_working_directory(c, cred, home, b);
}

void spawn_built_free(struct spawn_built *b) {
        exec_argv_free(b->argv);
        env_list_free(&b->env, &b->n_env);
        free(b->working_directory);
        memset(b, 0, sizeof(*b));
}

char *spawn_env_pid_slot(char **env, const char *name) {
        size_t len = strlen(name);
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, name, len) == 0 && strcmp(*e + len, "=" SPAWN_PID_SLOT) == 0)
                        return *e;
        return NULL;
}

const char *spawn_env_get(char *const *env, const char *name) {
        size_t len = strlen(name);
        for (char *const *e = env; e && *e; e++)
                if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
                        return *e + len + 1;
        return NULL;
}

struct spawn_plan spawn_plan_command(char *const *argv, enum spawn_group group) {
        return (struct spawn_plan){
                .argv = argv,
                .stdin_fd = -1,
                .stdout_fd = -1,
                .stderr_fd = -1,
                .group = group,
        };
}
