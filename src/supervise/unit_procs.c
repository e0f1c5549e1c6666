/* SPDX-License-Identifier: MIT */
/*
 * A unit's processes: its process groups (for KillMode=control-group and
 * mixed) or, with cgroups, its cgroup (supervise/unit_cgroup.h), the
 * signals of a stop, and spawning one Exec*= command (inputs
 * from supervise/spawn_inputs, the plan from unit/spawn_build, os_spawn).
 * The state machine in unit.c decides when; this file only does.
 */
#include "supervise/unit_internal.h"

#include "base/signame.h"
#include "base/spawn_plan.h"
#include "notify/notify_server.h"
#include "os/fd.h"
#include "os/proc.h"
#include "supervise/proc_index.h"
#include "supervise/spawn_inputs.h"
#include "unit/env_file.h"
#include "unit/exec_line.h"
#include "supervise/unit_dirs.h"
#include "unit/spawn_build.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 64

extern char **environ;

/* ---------------------------------------------------------------- processes */

static bool group_alive(pid_t g) {
        return os_kill(-g, 0) == 0;
}

void unit_groups_add(struct unit *u, pid_t g) {
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == g)
                        return;
        if (u->n_groups == u->cap_groups) {
                size_t cap = u->cap_groups ? u->cap_groups * 2 : 4;
                if (cap > MAX_GROUPS)
                        cap = MAX_GROUPS;
                if (u->n_groups >= cap) {
                        unit_log(LOG_LEVEL_WARNING, u, "too many process groups to track, not tracking %d", (int)g);
                        return;
                }
                pid_t *v = realloc(u->groups, cap * sizeof(*v));
                if (!v) {
                        unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking process group %d", (int)g);
                        return;
                }
                u->groups = v;
                u->cap_groups = cap;
        }
        if (proc_index_add_group(g, u) < 0) {
                unit_log(LOG_LEVEL_WARNING, u, "out of memory tracking process group %d", (int)g);
                return;
        }
        u->groups[u->n_groups++] = g;
}

bool unit_in_groups(const struct unit *u, pid_t g) {
        for (size_t i = 0; g > 0 && i < u->n_groups; i++)
                if (u->groups[i] == g)
                        return true;
        return false;
}

/* Drop groups with no member left (their ids may be reused later). */
void unit_groups_prune(struct unit *u) {
        size_t k = 0;
        for (size_t i = 0; i < u->n_groups; i++) {
                if (group_alive(u->groups[i]))
                        u->groups[k++] = u->groups[i];
                else
                        proc_index_remove_group(u->groups[i], u);
        }
        u->n_groups = k;
}

/* Forget every group (the unit is at rest, or gave up on its processes). */
void unit_groups_clear(struct unit *u) {
        for (size_t i = 0; i < u->n_groups; i++)
                proc_index_remove_group(u->groups[i], u);
        u->n_groups = 0;
}

static bool uses_groups(const struct unit *u) {
        return u->config.kill_mode == KILL_CONTROL_GROUP || u->config.kill_mode == KILL_MIXED;
}

bool unit_procs_left(struct unit *u) {
        if (u->config.kill_mode == KILL_NONE)
                return false;
        if (u->main_pid > 0 || u->control_pid > 0)
                return true;
        if (!uses_groups(u))
                return false;
        if (unit_cgroup_active(u))
                return unit_cgroup_populated(u);
        unit_groups_prune(u);
        return u->n_groups > 0;
}

/* 1 if delivered; a failure other than "gone" is logged. */
int unit_send(struct unit *u, pid_t target, int sig) {
        char name[16];
        int r = os_kill(target, sig);
        if (r < 0 && r != -ESRCH)
                unit_log(LOG_LEVEL_WARNING, u, "cannot send %s to %d: %s", signame_from_number(sig, name, sizeof(name)),
                         (int)target, strerror(-r));
        return r == 0;
}

/* sig to the unit's process groups (with groups) and to its main and
 * control processes: each once — a handler that runs between two
 * deliveries would see the signal twice (systemd skips them in its cgroup
 * walk). cont: SIGCONT after it, so a stopped process can act on it.
 * Returns how many targets took the signal. */
int unit_signal_targets(struct unit *u, int sig, bool groups, bool cont) {
        int n = 0;
        bool cgroup = groups && unit_cgroup_active(u);
        if (cgroup) {
                /* Every process of the unit is in it (the main and control
                 * processes join it before exec), setsid() escapers too. */
                n += unit_cgroup_signal(u, sig, cont);
                if (sig != SIGKILL)
                        return n;
                groups = false; /* SIGKILL to main/control too: harmless twice */
        } else if (groups) {
                unit_groups_prune(u);
                for (size_t i = 0; i < u->n_groups; i++) {
                        n += unit_send(u, -u->groups[i], sig);
                        if (cont)
                                unit_send(u, -u->groups[i], SIGCONT);
                }
        }
        pid_t pids[2] = { u->main_pid, u->control_pid };
        for (int i = 0; i < 2; i++) {
                if (pids[i] <= 0 || (groups && unit_in_groups(u, os_getpgid(pids[i]))))
                        continue;
                n += unit_send(u, pids[i], sig);
                if (cont)
                        unit_send(u, pids[i], SIGCONT);
        }
        return n;
}

/* KillMode=: who gets sig. all = the SIGKILL phase (mixed then reaches everyone). */
void unit_kill(struct unit *u, int sig, bool all) {
        enum kill_mode m = u->config.kill_mode;
        if (m == KILL_NONE)
                return;
        (void)unit_signal_targets(u, sig, m == KILL_CONTROL_GROUP || (m == KILL_MIXED && all),
                             sig != SIGKILL && sig != SIGCONT);
}

/* ---------------------------------------------------------------- spawning */

void unit_log_spawn_failure(struct unit *u, int status_fd, const char *what) {
        struct spawn_failure failure;
        if (status_fd < 0)
                return;
        if (os_spawn_read_status(status_fd, &failure) == 1)
                unit_log(LOG_LEVEL_ERROR, u, "cannot %s %s: %s", spawn_stage_action(failure.stage), what,
                         strerror(failure.error));
}

/* The first spawn of a start (ExecCondition='s first, else ExecStartPre='s, else the first
 * ExecStart=): the User=/Group= look-ups are made afresh there. */
static bool first_of_start(const struct unit *u) {
        bool no_condition = u->config.exec_condition.n == 0;
        if (u->state == UNIT_CONDITION)
                return u->control_list == &u->config.exec_condition && u->control_next == 1;
        if (u->state == UNIT_START_PRE)
                return no_condition && u->control_list == &u->config.exec_start_pre && u->control_next == 1;
        return u->state == UNIT_START && no_condition && u->config.exec_start_pre.n == 0 && u->exec_start_next == 1;
}

/* The environment of one command (unit/spawn_build.h has the order). */
static int spawn_env(struct unit *u, const struct spawn_credentials *cred, bool stop_vars, bool main, char ***ret,
                     size_t *ret_n) {
        char **files = NULL;
        size_t n_files = 0;
        int r = spawn_inputs_env_files(u->config.name, &u->config, &files, &n_files);
        if (r == 0) {
                struct spawn_env_input in = {
                        .inherited = environ,
                        .user = cred && cred->has_user ? &cred->user : NULL,
                        .main_pid = u->main_pid,
                        .notify_socket = unit_wants_notify(u) ? notify_server_address() : NULL,
                        .main = main,
                        .watchdog_usec = unit_watchdog_usec(u),
                        .stop_vars = stop_vars,
                        .result = u->result,
                        .main_exit = u->main_exit_known ? &u->main_exit : NULL,
                        .exec_dirs = &u->config.exec_dirs,
                        .unset = u->config.unset_environment,
                        .n_unset = u->config.n_unset_environment,
                        .environment = u->config.environment,
                        .n_environment = u->config.n_environment,
                        .file_env = files,
                        .n_file_env = n_files,
                };
                r = spawn_env_build(&in, ret, ret_n);
                env_list_free(&files, &n_files);
        }
        if (r == -ENOMEM)
                unit_log(LOG_LEVEL_ERROR, u, "out of memory building the environment");
        return r;
}

/* The command line: $VAR expanded, runit's ./finish arguments added. */
static int spawn_argv(struct unit *u, const struct exec_command *cmd, bool stop_vars, char *const *env,
                      char ***ret_argv) {
        char **argv = NULL;
        int r = exec_line_expand(cmd, env, &argv);
        if (r == 0 && argv[0] && u->runit && stop_vars && cmd == u->config.exec_stop_post.v)
                r = spawn_runit_finish_args(u->main_exit_known ? &u->main_exit : NULL, &argv);
        if (r < 0 || !argv[0]) {
                unit_log(LOG_LEVEL_ERROR, u, "%s:%u: command line expands to nothing", cmd->file ? cmd->file : "?",
                         cmd->line);
                exec_argv_free(argv);
                return r < 0 ? r : -EINVAL;
        }
        *ret_argv = argv;
        return 0;
}

/* Spawn one Exec*= command: the inputs (supervise/spawn_inputs.h), the
 * plan (unit/spawn_build.h), os_spawn(). *ret_pid and *ret_status_fd on
 * success; on a failure before fork the reason is logged and -errno
 * returned. probe_out >= 0: a health probe (unit_probe.c), its stdout and
 * stderr on probe_out, not one of the unit's process groups, this start's
 * look-ups. */
static int spawn_one(struct unit *u, const struct exec_command *cmd, bool stop_vars, bool main, int probe_out,
                     pid_t *ret_pid, int *ret_status_fd) {
        const struct spawn_credentials *cred;
        char **env = NULL, **argv = NULL;
        size_t n_env = 0;
        struct spawn_outputs out;
        struct spawn_built b;
        bool first = probe_out < 0 && first_of_start(u);

        int r = spawn_inputs_credentials(&u->spawn_cache, u->config.name, &u->config, first, &cred);
        if (r == 0 && first)
                r = unit_dirs_make(u->config.name, &u->config, cred);
        if (r < 0)
                return r;
        r = spawn_env(u, cred, stop_vars, main, &env, &n_env);
        if (r < 0)
                return r;
        r = spawn_argv(u, cmd, stop_vars, env, &argv);
        if (r < 0) {
                env_list_free(&env, &n_env);
                return r;
        }
        if (probe_out >= 0) {
                out = (struct spawn_outputs){ .fds = { unit_devnull(), probe_out, probe_out }, .owned = { -1, -1, -1 } };
                r = 0;
        } else
                r = spawn_outputs_open(u->config.name, &u->config, u->ident, &u->log, u->stdin_fd, u->stdout_fd,
                                       unit_devnull(), &out);
        if (r < 0) {
                spawn_outputs_close(&out);
                exec_argv_free(argv);
                env_list_free(&env, &n_env);
                return r;
        }
        r = spawn_plan_build(&u->config, cmd, cred, &out.fds, getenv("HOME"), argv, env, n_env, &b);
        int cgroup_procs = r == 0 ? unit_cgroup_prepare(u, first) : -1;
        if (r == 0) {
                b.plan.set_cgroup = cgroup_procs >= 0;
                b.plan.cgroup_procs_fd = cgroup_procs;
                r = os_spawn(&b.plan, ret_pid, ret_status_fd);
                if (r < 0)
                        unit_log(LOG_LEVEL_ERROR, u, "cannot fork for %s: %s", cmd->path, strerror(-r));
        }
        if (r == 0 && probe_out < 0) {
                spawn_outputs_started(&out, *ret_pid);
                unit_groups_add(u, *ret_pid);
        }
        os_close(cgroup_procs);
        if (probe_out < 0)
                spawn_outputs_close(&out);
        spawn_built_free(&b);
        return r;
}

int unit_spawn(struct unit *u, const struct exec_command *cmd, bool stop_vars, bool main, pid_t *ret_pid,
               int *ret_status_fd) {
        return spawn_one(u, cmd, stop_vars, main, -1, ret_pid, ret_status_fd);
}

int unit_spawn_probe(struct unit *u, const struct exec_command *cmd, int out_fd, pid_t *ret_pid, int *ret_status_fd) {
        return spawn_one(u, cmd, false, false, out_fd, ret_pid, ret_status_fd);
}

/* fork() itself failing is "resources"; a setting vigil could not apply is
 * an exit-code failure, as systemd's 217/USER etc. are. */
enum unit_result unit_spawn_failure_result(int r) {
        return r == -EAGAIN || r == -ENOMEM || r == -EMFILE || r == -ENFILE ? UNIT_RESULT_RESOURCES
                                                                           : UNIT_RESULT_EXIT_CODE;
}
