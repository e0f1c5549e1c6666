/* SPDX-License-Identifier: MIT */
/*
 * Processes: spawn from a plan, signal, reap, subreaper, and the walk of
 * /proc that finds a subreaper's descendants. Returns 0/pid or -errno; never
 * logs; knows nothing of units.
 */
#ifndef VIGIL_OS_PROC_H
#define VIGIL_OS_PROC_H

#include "base/spawn_plan.h"

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Fork and exec per plan. On success *ret_pid is the child and *ret_status_fd
 * the read end (O_CLOEXEC|O_NONBLOCK) of a pipe that yields one struct
 * spawn_failure if the child failed before exec, or EOF once exec succeeded.
 * The child's exit code after such a failure is exit_code_on_failure(errno). */
int os_spawn(const struct spawn_plan *plan, pid_t *ret_pid, int *ret_status_fd);

/* Read the child's report: 1 with *ret filled if it failed, 0 on EOF (exec
 * succeeded), -EAGAIN if it has not said yet. */
int os_spawn_read_status(int status_fd, struct spawn_failure *ret);

/* Exit code the child uses when it fails before exec, as the shell does:
 * 127 when the command is not found, 126 when it cannot be executed. */
int os_spawn_failure_exit_code(int error);

/* Run argv to completion with its stdout captured into buf (at most cap
 * bytes kept, the rest read and dropped), at most timeout_ms: then it is
 * killed (SIGKILL to its group) and -ETIMEDOUT returned. Blocks the caller:
 * for boot steps before the loop runs. *ret_status is the wait status. */
int os_run_capture(char *const *argv, int timeout_ms, char *buf, size_t cap, size_t *ret_len, int *ret_status);

int os_kill(pid_t pid, int sig);
/* pid's process group, or -errno. */
pid_t os_getpgid(pid_t pid);

/* Reap one child without blocking: >0 pid (status in *ret_status), 0 when
 * children exist but none has changed, -ECHILD when there are none. */
pid_t os_reap_one(int *ret_status);

/* Whether any child exists (zombies included), without reaping any. */
bool os_has_children(void);

int os_set_child_subreaper(void);
pid_t os_getpid(void);
/* The highest hard limit of resource (RLIMIT_*) a child of vigil may set:
 * RLIMIT_NOFILE's fs.nr_open with CAP_SYS_RESOURCE (effective), any other
 * RLIM_INFINITY; without it vigil's own hard limit (setrlimit(2): raising
 * it needs the capability). 0 or -errno. */
int os_rlimit_ceiling(int resource, rlim_t *ret);

/* pid's parent as /proc/PID/stat says (0 for a process whose parent is
 * outside vigil's pid namespace), -ESRCH when it is gone or a zombie. */
pid_t os_parent_of(pid_t pid);

/* Signal every live (non-zombie) descendant of this process, found by a walk
 * of /proc; each target is pinned with a pidfd and its parent re-checked
 * before the signal, so a recycled pid is never hit. Returns how many were
 * signalled, or -errno if /proc could not be read. */
int os_signal_descendants(int sig);

/* Pure helper, exposed for tests: given parallel arrays pid[i] -> ppid[i],
 * mark in is_desc[i] whether pid[i] descends from root. */
void proc_tree_mark_descendants(const pid_t *pid, const pid_t *ppid, bool *is_desc, size_t n,
                                pid_t root);

#endif
