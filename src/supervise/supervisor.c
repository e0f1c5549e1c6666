/* SPDX-License-Identifier: MIT */
#include "supervise/supervisor_internal.h"

#include "base/signame.h"
#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/proc.h"
#include "os/signals.h"
#include "os/system.h"
#include "base/exit_status.h"
#include "os/files.h"
#include "watchdog/hw_watchdog.h"
#include "supervise/manager.h"
#include "supervise/stop_budget.h"
#include "supervise/unit.h"
#include "supervise/unit_cgroup.h"
#include "notify/notify_server.h"
#include "logcap/syslog_server.h"
#include "notify/outer_notify.h"
#include "system/shutdown_report.h"
#include "container/startup.h"
#include "unit/env_file.h"
#include "unit/spawn_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* After SIGKILL, how long to wait for the kernel to finish killing (a
 * process in uninterruptible sleep dies only when its I/O returns). */
#define KILL_SETTLE_USEC (1 * USEC_PER_SEC)

struct supervisor_state sup = { .main_cmd = { .status_fd = -1 }, .signal_io = { .fd = -1 } };

/* A command vigil runs and waits for inside the loop: --pre-run-exec,
 * --run-on-exit. */
struct hook_cmd {
        const char *option;       /* for messages */
        pid_t pid;
        int status_fd;
};
static struct hook_cmd pre_run = { "--pre-run-exec", 0, -1 }, run_on_exit = { "--run-on-exit", 0, -1 };

/* The boot, for `vigilctl check --startup`: units_begun once the start-up
 * scripts and --pre-run-exec are over; complete (latched) once every unit
 * of the boot started or failed and the main command was started. */
static struct {
        bool units_begun;
        bool complete;
} boot;

void supervisor_stop_begin(int exit_code);
static void stop_units(void);
static void killall_begin(void);
static void pre_run_exited(int status);

#ifdef VIGIL_TEST_HOOKS
/* Test builds only (make TEST_HOOKS=1): VIGIL_TEST_STALL=shutdown makes
 * vigil stop dead at the start of a shutdown, so a test can prove that the
 * hardware watchdog resets a board whose shutdown path hangs. */
static void test_stall(const char *where) {
        const char *v = getenv("VIGIL_TEST_STALL");
        if (v && strcmp(v, where) == 0) {
                log_warning("VIGIL_TEST_STALL=%s: stalling here on purpose (test build)", where);
                os_pause_forever();
        }
}
#else
static void test_stall(const char *where) {
        (void)where;
}
#endif

static int hook_start(struct hook_cmd *h, char *const *argv) {
        struct spawn_plan plan = spawn_plan_command(argv, SPAWN_GROUP_NEW);
        int r = os_spawn(&plan, &h->pid, &h->status_fd);
        if (r < 0) {
                h->pid = 0;
                log_error("cannot run %s %s: %s", h->option, argv[0], strerror(-r));
                return r;
        }
        log_notice("running %s %s (pid %d)", h->option, argv[0], (int)h->pid);
        return 0;
}

/* The hook exited: its exit status, as the shell gives it. */
static int hook_exited(struct hook_cmd *h, int status) {
        struct spawn_failure failure;
        if (h->status_fd >= 0) {
                if (os_spawn_read_status(h->status_fd, &failure) == 1)
                        log_error("%s: cannot %s: %s", h->option, spawn_stage_action(failure.stage),
                                  strerror(failure.error));
                os_close(h->status_fd);
                h->status_fd = -1;
        }
        h->pid = 0;
        return exit_status_from_wait(status);
}

/* Container mode: why vigil is about to end, the first reason wins (the
 * termination log says it, system/shutdown_report.h keeps it). */
void supervisor_container_reason(const char *why) {
        if (!sup.config.system_mode && sup.stop.phase == STOP_NONE && !shutdown_report_reason())
                shutdown_report_begin("exit", why);
}

static void stop_finish(void) {
        if (sup.stop.phase == STOP_DONE)
                return;
        sup.stop.phase = STOP_DONE;
        shutdown_report_event("no processes left");
        loop_timer_cancel(&sup.stop.timer);
        stop_budget_end();
        loop_exit(sup.stop.exit_code);
}

static void signal_everyone(int sig) {
        char name[16];
        if (sup.self_pid == 1) {
                int r = os_kill(-1, sig);
                if (r < 0 && r != -ESRCH)
                        log_warning("cannot send %s to all processes: %s",
                                    signame_from_number(sig, name, sizeof(name)), strerror(-r));
                return;
        }
        int n = os_signal_descendants(sig);
        if (n < 0)
                log_warning("cannot list descendants to send %s: %s",
                            signame_from_number(sig, name, sizeof(name)), strerror(-n));
        else
                log_debug("sent %s to %d descendants", signame_from_number(sig, name, sizeof(name)), n);
}

/* SIGKILL to everything left (three passes: a process may fork between our
 * listing and the kill), then at most KILL_SETTLE_USEC for the kernel. */
static void kill_everything(void) {
        sup.stop.phase = STOP_KILL;
        if (sup.config.kill_all) {
                for (int pass = 0; pass < 3; pass++)
                        signal_everyone(SIGKILL);
        } else {
                /* --no-kill-all: leftovers stay, but nothing of vigil's outlives the budget. */
                if (sup.main_cmd.pid > 0)
                        (void)os_kill(-sup.main_cmd.pid, SIGKILL);
                for (size_t i = 0; i < manager_n_units(); i++)
                        (void)unit_signal_all(manager_unit_at(i), SIGKILL);
        }
        if (!os_has_children() || loop_timer_arm_in(&sup.stop.timer, KILL_SETTLE_USEC) < 0)
                stop_finish();
}

/* The stop budget (stop_budget.h) ran out: SIGKILL everything left. */
static void budget_expired(void) {
        if (sup.stop.phase == STOP_KILL || sup.stop.phase == STOP_DONE)
                return;
        stop_budget_log_expiry(sup.main_cmd.pid > 0);
        /* Killed now, the main command's exit gives the code (128+9), as the rules say. */
        if (sup.stop.phase == STOP_NONE && sup.main_cmd.pid > 0)
                sup.stop.code_from_main = true;
        kill_everything();
}

static void stop_timer_fired(struct loop_timer *t) {
        (void)t;
        if (sup.stop.phase == STOP_MAIN) {
                log_notice("the main command is still running after the stop timeout, stopping the units");
                shutdown_report_event("main command stop timed out");
                stop_units();
                return;
        }
        if (sup.stop.phase == STOP_RUN_ON_EXIT) {
                log_warning("%s is still running after the stop timeout, going on", run_on_exit.option);
                shutdown_report_event("--run-on-exit timed out");
                sup.stop.phase = STOP_UNITS;
                killall_begin();
                return;
        }
        if (sup.stop.phase == STOP_TERM) {
                log_notice("processes still running after the kill-all timeout, sending SIGKILL to all processes");
                shutdown_report_event("SIGKILL sent to all processes");
                kill_everything();
                return;
        }
        if (sup.config.kill_all)
                log_warning("processes still alive after SIGKILL (uninterruptible sleep?), exiting anyway");
        else
                log_notice("exiting; leftover processes are not signalled (--no-kill-all)");
        stop_finish();
}

/* After the units: SIGTERM, then SIGKILL, to whatever is left. */
static void killall_begin(void) {
        if (sup.stop.phase != STOP_NONE && sup.stop.phase != STOP_UNITS)
                return;
        if (!sup.config.kill_all) {
                stop_finish();
                return;
        }
        sup.stop.phase = STOP_TERM;
        if (sup.config.before_kill_all)
                sup.config.before_kill_all();
        /* Nobody left is the common case: done. */
        if (!os_has_children()) {
                stop_finish();
                return;
        }
        char span[32];
        uint64_t grace = stop_budget_cap(sup.config.kill_all_timeout_usec, "the kill-all's grace (--kill-all-timeout)");
        if (sup.config.system_mode)
                log_notice("sending SIGTERM to all processes, SIGKILL in %s",
                           timespan_format(grace, span, sizeof(span)));
        else
                log_info("sending SIGTERM to remaining processes, SIGKILL in %s",
                         timespan_format(grace, span, sizeof(span)));
        shutdown_report_event("SIGTERM sent to all processes");
        signal_everyone(SIGTERM);
        signal_everyone(SIGCONT); /* a stopped process must be able to act on SIGTERM */
        if (loop_timer_arm_in(&sup.stop.timer, grace) < 0) {
                log_error("cannot arm the kill-all timer, sending SIGKILL now");
                stop_timer_fired(&sup.stop.timer);
        }
}

/* SPEC §2 step 9: units in reverse order, then the leftovers. */
static void units_all_stopped(void);

static void stop_units(void) {
        sup.stop.phase = STOP_UNITS;
        if (manager_n_units() == 0)
                units_all_stopped();
        else
                manager_stop_all();   /* all_stopped() goes on */
}

void supervisor_stop_begin(int exit_code) {
        if (sup.stop.phase != STOP_NONE)
                return;
        if (!sup.stop.code_fixed)
                sup.stop.exit_code = exit_code;
        stop_budget_begin();
        outer_notify_stopping("stopping");
        /* Requested: the reboot timeout, one pet; after a health failure
         * (hw_watchdog_unhealthy() came first): the runtime timeout. */
        hw_watchdog_shutdown(false);
        stop_units();
}

static void units_all_stopped(void) {
        if (sup.stop.phase != STOP_UNITS)
                return;
        shutdown_report_event("units stopped");
        /* --run-on-exit: after an exit of the main command (erlinit's
         * "unintentional exit"), before the kill-all, bounded. */
        if (sup.config.run_on_exit && sup.stop.by_main) {
                if (hook_start(&run_on_exit, sup.config.run_on_exit) == 0) {
                        sup.stop.phase = STOP_RUN_ON_EXIT;
                        uint64_t usec = stop_budget_cap(sup.config.default_timeout_stop_usec,
                                                        "--run-on-exit's stop timeout");
                        if (loop_timer_arm_in(&sup.stop.timer, usec) < 0)
                                log_warning("cannot arm the --run-on-exit timer");
                        return;
                }
        }
        killall_begin();
}

static void run_on_exit_exited(int status) {
        int code = hook_exited(&run_on_exit, status);
        log_notice("--run-on-exit exited with status %d", code);
        shutdown_report_event("--run-on-exit exited with status %d", code);
        if (sup.stop.phase != STOP_RUN_ON_EXIT)
                return;
        loop_timer_cancel(&sup.stop.timer);
        sup.stop.phase = STOP_UNITS;
        killall_begin();
}

/* System mode: every way down goes through here (SPEC §7). The first
 * request wins; the main command stops first (it started last), then the
 * units in reverse order, then --run-on-exit, then everything else. */
void supervisor_system_shutdown(enum end_action action, const char *why, bool by_main) {
        if (sup.stop.hanging) {
                /* Everything is already down: end the machine now. */
                log_notice("%s: ending the hang with %s", why, end_action_name(action));
                sup.stop.action = action;
                loop_exit(0);
                return;
        }
        if (sup.stop.phase != STOP_NONE) {
                log_notice("ignoring %s: already shutting down (%s)", why, end_action_name(sup.stop.action));
                return;
        }
        sup.stop.action = action;
        sup.stop.by_main = by_main;
        log_notice("shutting down (%s): %s", end_action_name(action), why);
        stop_budget_begin();
        outer_notify_stopping("stopping");
        shutdown_report_begin(end_action_name(action), why);
        /* Before anything can hang: the reboot timeout for a requested
         * shutdown, the runtime one after a health failure (SPEC §7). */
        hw_watchdog_shutdown(false);
        test_stall("shutdown");
        startup_cancel();
        if (pre_run.pid > 0)
                (void)os_kill(-pre_run.pid, SIGTERM);
        if (sup.main_cmd.pid > 0) {
                int r = os_kill(-sup.main_cmd.pid, SIGTERM);
                if (r < 0)
                        r = os_kill(sup.main_cmd.pid, SIGTERM);
                if (r < 0 && r != -ESRCH)
                        log_warning("cannot send SIGTERM to the main command: %s", strerror(-r));
                sup.stop.phase = STOP_MAIN;
                uint64_t usec = stop_budget_cap(sup.config.default_timeout_stop_usec, "the main command's stop timeout");
                if (loop_timer_arm_in(&sup.stop.timer, usec) < 0)
                        stop_timer_fired(&sup.stop.timer);
                return;
        }
        supervisor_stop_begin(0);
}

static enum end_action end_for_unit_action(enum unit_action a) {
        switch (a) {
        case ACTION_POWEROFF:
        case ACTION_POWEROFF_FORCE:
        case ACTION_POWEROFF_IMMEDIATE:
                return END_POWEROFF;
        case ACTION_HALT:
                return END_HALT;
        case ACTION_EXIT:
        case ACTION_EXIT_FORCE:
                return sup.config.on_exit;
        default:
                return END_REBOOT;
        }
}

static void unit_shutdown(enum unit_action action, int exit_code, const char *why) {
        if (sup.config.system_mode) {
                supervisor_system_shutdown(end_for_unit_action(action), why, false);
                return;
        }
        if (sup.stop.phase != STOP_NONE)
                return;
        log_notice("shutting down: %s", why);
        supervisor_container_reason(why);
        sup.stop.exit_code = exit_code;
        sup.stop.code_fixed = true;
        if (sup.main_cmd.pid > 0) {
                /* The main command goes with the units; the kill-all catches it if it lingers. */
                int r = os_kill(sup.config.process_group ? -sup.main_cmd.pid : sup.main_cmd.pid, SIGTERM);
                if (r < 0 && r != -ESRCH)
                        log_warning("cannot send SIGTERM to the main command: %s", strerror(-r));
        }
        supervisor_stop_begin(exit_code);
}

/* vigil's environment with --env's entries over it, through the units'
 * builder (unit/spawn_build.h); NULL (vigil's own) when none given or out
 * of memory. */
static char **main_environment(size_t *ret_n) {
        extern char **environ;
        size_t extra = 0;
        *ret_n = 0;
        while (sup.config.main_env && sup.config.main_env[extra])
                extra++;
        struct spawn_env_input in = { .inherited = environ, .environment = sup.config.main_env, .n_environment = extra,
                                      .listen_fds = sup.config.listen_fds, .listen_fdnames = sup.config.listen_fdnames };
        char **env = NULL;
        if (spawn_env_build(&in, &env, ret_n) < 0)
                return NULL;
        return env;
}

static void start_main(void) {
        size_t n_env;
        char **env = main_environment(&n_env);
        struct spawn_plan plan = spawn_plan_command(sup.main_cmd.argv, sup.config.main_ctty ? SPAWN_SESSION_NEW : SPAWN_GROUP_NEW);
        plan.envp = env;
        plan.n_pass_fds = env ? (int)sup.config.listen_fds : 0;
        plan.self_pid_env = plan.n_pass_fds ? spawn_env_pid_slot(env, "LISTEN_PID") : NULL;
        plan.controlling_tty = sup.config.main_ctty;
        plan.tty_foreground = !sup.config.main_ctty && os_isatty(STDIN_FILENO);
        plan.set_ids = sup.config.main_set_ids;
        plan.uid = sup.config.main_uid;
        plan.gid = sup.config.main_gid;
        plan.working_directory = sup.config.main_working_directory;
        plan.cgroup_procs_fd = unit_cgroup_main_procs_fd();
        plan.set_cgroup = plan.cgroup_procs_fd >= 0;
        sup.main_cmd.name = sup.main_cmd.argv[0];
        sup.main_cmd.started = true;
        int r = os_spawn(&plan, &sup.main_cmd.pid, &sup.main_cmd.status_fd);
        os_close(plan.cgroup_procs_fd);
        env_list_free(&env, &n_env);
        /* Socket activation: handed on (or lost with a failed start), not vigil's to keep. */
        for (unsigned i = 0; i < sup.config.listen_fds; i++)
                os_close(3 + (int)i);
        if (sup.config.listen_fds > 0 && r == 0)
                log_info("handed %u socket-activation fd%s to the main command", sup.config.listen_fds,
                         sup.config.listen_fds == 1 ? "" : "s");
        if (r < 0) {
                sup.main_cmd.pid = 0;
                log_error("cannot start main command %s: %s", sup.main_cmd.name, strerror(-r));
                char why[160];
                snprintf(why, sizeof(why), "cannot start main command %s: %s", sup.main_cmd.name, strerror(-r));
                if (sup.config.system_mode) {
                        supervisor_system_shutdown(sup.config.on_exit, why, true);
                } else {
                        supervisor_container_reason(why);
                        supervisor_stop_begin(1);
                }
                return;
        }
        log_info("started main command %s (pid %d)", sup.main_cmd.name, (int)sup.main_cmd.pid);
        if (!sup.config.system_mode && !os_fwd_install())
                log_debug("signals are forwarded from the signalfd only: no handler could be installed");
}

/* The outer manager's READY=1: the moment --wait-ready would start the main command. */
static void outer_boot_progress(void) {
        if (!outer_notify_wants_ready() || sup.stop.phase != STOP_NONE || !manager_boot_done(true))
                return;
        size_t up = 0, n = manager_n_units();
        for (size_t i = 0; i < n; i++)
                up += unit_state_is_up(unit_get_state(manager_unit_at(i)));
        char status[64];
        snprintf(status, sizeof(status), "%zu unit%s running%s", up, up == 1 ? "" : "s",
                 sup.main_cmd.argv ? ", starting the main command" : "");
        outer_notify_ready(status);
}

static void syslog_release_when_up(void);

static void boot_progress(void) {
        outer_boot_progress();
        syslog_release_when_up();
        if (sup.main_cmd.argv && !sup.main_cmd.started && sup.stop.phase == STOP_NONE &&
            manager_boot_done(sup.config.wait_ready))
                start_main();
        if (!boot.complete && boot.units_begun && (!sup.main_cmd.argv || sup.main_cmd.started) && manager_boot_done(true))
                boot.complete = true;
}

static void main_cmd_exited(int status) {
        struct spawn_failure failure;
        if (sup.main_cmd.status_fd >= 0) {
                if (os_spawn_read_status(sup.main_cmd.status_fd, &failure) == 1)
                        log_error("cannot %s '%s': %s", spawn_stage_action(failure.stage), sup.main_cmd.name,
                                  strerror(failure.error));
                os_close(sup.main_cmd.status_fd);
                sup.main_cmd.status_fd = -1;
        }
        char name[16];
        if (WIFSIGNALED(status))
                log_info("main command %s (pid %d) killed by %s%s", sup.main_cmd.name, (int)sup.main_cmd.pid,
                         signame_from_number(WTERMSIG(status), name, sizeof(name)),
                         WCOREDUMP(status) ? " (core dumped)" : "");
        else
                log_info("main command %s (pid %d) exited with status %d", sup.main_cmd.name, (int)sup.main_cmd.pid,
                         WEXITSTATUS(status));
        sup.main_cmd.pid = 0;
        /* It led the console's session: a tty's controlling process exiting
         * hangs the tty up (kernel disassociate_ctty(): tty_vhangup_session
         * for a non-pty), and vigil's own stdio on it (--ctty) goes dead. */
        if (sup.config.main_ctty) {
                int r = os_reopen_console();
                if (r < 0 && r != -ENOTTY)
                        log_warning("cannot reopen the console after the main command's exit: %s", strerror(-r));
        }
        char why[192], fwd[96] = "";
        if (sup.main_cmd.last_forwarded)
                supervisor_signal_reason(&sup.main_cmd.forwarded, fwd, sizeof(fwd));
        if (WIFSIGNALED(status) && WTERMSIG(status) == sup.main_cmd.last_forwarded)
                snprintf(why, sizeof(why), "main command %s was killed by %s (forwarded: %s)", sup.main_cmd.name,
                         signame_from_number(WTERMSIG(status), name, sizeof(name)), fwd);
        else if (WIFSIGNALED(status))
                snprintf(why, sizeof(why), "main command %s was killed by %s", sup.main_cmd.name,
                         signame_from_number(WTERMSIG(status), name, sizeof(name)));
        else if (sup.main_cmd.last_forwarded == SIGTERM)
                snprintf(why, sizeof(why), "main command %s exited with status %d (after %s)", sup.main_cmd.name,
                         WEXITSTATUS(status), fwd);
        else
                snprintf(why, sizeof(why), "main command %s exited with status %d", sup.main_cmd.name, WEXITSTATUS(status));
        if (!sup.config.system_mode) {
                supervisor_container_reason(why);
                if (sup.stop.phase == STOP_NONE)
                        sup.stop.by_main = true;
                if (sup.stop.code_from_main && !sup.stop.code_fixed)
                        sup.stop.exit_code = exit_status_from_wait(status);
                sup.stop.code_from_main = false;
                supervisor_stop_begin(exit_status_from_wait(status));
                return;
        }
        if (sup.stop.phase == STOP_MAIN) {
                /* It went as asked: now the units. */
                loop_timer_cancel(&sup.stop.timer);
                shutdown_report_event("main command stopped");
                stop_units();
                return;
        }
        supervisor_system_shutdown(sup.config.on_exit, why, true);
}

/* waitpid(-1, WNOHANG) until nothing is left to reap. */
void supervisor_reap_children(void) {
        for (;;) {
                int status;
                pid_t pid = os_reap_one(&status);
                if (pid == 0)
                        break;
                if (pid < 0) {
                        if (pid == -ECHILD && (sup.stop.phase == STOP_TERM || sup.stop.phase == STOP_KILL))
                                stop_finish();
                        else if (pid != -ECHILD)
                                log_error("waitpid failed: %s", strerror(-pid));
                        break;
                }
                /* A start-up script (SPEC §9) is startup's. */
                if (startup_child_exited(pid, status))
                        continue;
                if (pid == sup.main_cmd.pid)
                        main_cmd_exited(status);
                else if (pid == pre_run.pid)
                        pre_run_exited(status);
                else if (pid == run_on_exit.pid)
                        run_on_exit_exited(status);
                else if (!manager_child_exited(pid, status))
                        log_debug("reaped orphan %d (status 0x%x)", (int)pid, (unsigned)status);
        }
        manager_after_reap();
}

int supervisor_init(const struct supervisor_config *cfg) {
        sup.config = *cfg;
        sup.self_pid = os_getpid();
        loop_timer_init(&sup.stop.timer, stop_timer_fired, NULL);
        stop_budget_init(&(struct stop_budget_config){
                .budget_usec = cfg->stop_timeout_usec,
                .drain_usec = cfg->system_mode ? 0 : cfg->drain_usec,
                .expired = budget_expired,
                .drained = supervisor_drained,
        });
        int r = loop_init();
        if (r < 0)
                return r;
        int fd = os_signals_take_over();
        if (fd < 0)
                return fd;
        sup.signal_io.fd = fd;
        sup.signal_io.ready = supervisor_signals_ready;
        r = loop_io_add(&sup.signal_io, OS_EVENT_IN);
        if (r < 0)
                return r;
        if (!cfg->system_mode)
                loop_set_wait_signals(supervisor_signals_before_wait, supervisor_signals_after_wait);
        struct manager_config mc = {
                .system_mode = cfg->system_mode,
                .default_timeout_start_usec = cfg->default_timeout_start_usec,
                .default_timeout_stop_usec = cfg->default_timeout_stop_usec,
                .hooks = { .boot_progress = boot_progress, .shutdown = unit_shutdown,
                           .all_stopped = units_all_stopped, .settled = sup.config.control.settle,
                           .unit_dropped = sup.config.control.unit_dropped },
        };
        return manager_init(&mc);
}
/* logcap/syslog_server.h's syslog_attribute_fn: the process index
 * (main and control pids, process groups, ancestors), then the sender's
 * cgroup where units have groups: a daemon that forked twice into a
 * session of its own is vigil's child, yet in its unit's group still
 * (postfix's master, as systemd-journald attributes it). */
static bool syslog_attribute(pid_t pid, struct log_ring **ret_ring, const char **ret_ident) {
        char name[256];
        struct unit *u;
        if (unit_syslog_attribute(pid, ret_ring, ret_ident))
                return true;
        if (unit_cgroup_unit_of(pid, name, sizeof(name)) < 0 || !(u = manager_find(name)))
                return false;
        unit_syslog_of(u, ret_ring, ret_ident);
        return true;
}


/* The syslog daemon among the units to boot: vigil receives until it is
 * up (the lines of what starts before it are kept), then the path is its
 * (syslog_release_when_up()). Never two receivers on one path. */
static void syslog_boot_handover(const char *daemon) {
        int r = syslog_server_open(sup.config.syslog_socket, syslog_attribute);
        if (r == 0 && syslog_server_hand_over(daemon) < 0)
                syslog_server_close();
        if (syslog_server_address())
                log_notice("syslog: %s is the syslog daemon (syslog.service): %s is its once it is up", daemon,
                           sup.config.syslog_socket);
        else
                log_notice("syslog: %s is the syslog daemon (syslog.service): leaving %s to it", daemon,
                           sup.config.syslog_socket);
}

static void syslog_release_when_up(void) {
        const char *daemon = syslog_server_handover();
        struct unit *u = daemon ? manager_find(daemon) : NULL;
        if (!u || !unit_state_is_up(unit_get_state(u)))
                return;
        log_notice("syslog: %s is up: leaving %s to it", daemon, syslog_server_address());
        syslog_server_release();
}

int supervisor_load_units(void) {
        unit_cgroup_setup(sup.config.cgroup_root, sup.config.system_mode);
        int r = manager_load(sup.config.unit_dirs, sup.config.n_unit_dirs, sup.config.runit_dir,
                             sup.config.systemd_root);
        if (r < 0)
                return r;
        unit_cgroup_report();
        bool notify = manager_wants_notify() && sup.config.notify_socket;
        if ((notify || sup.config.control_socket) && sup.config.runtime_dir) {
                int q = os_make_dir(sup.config.runtime_dir, 0755);
                if (q < 0 && q != -EEXIST)
                        log_warning("cannot create %s: %s", sup.config.runtime_dir, strerror(-q));
        }
        /* Without it Type=notify units time out; the others run. */
        if (notify)
                (void)notify_server_open(sup.config.notify_socket, unit_notify_from);
        /* Without it syslog-only daemons' lines are lost; everything else runs.
         * A syslog daemon among the units (rsyslog: Alias=syslog.service) is
         * the receiver, as on systemd without journald: never two on one path. */
        const char *daemon = sup.config.syslog_socket ? manager_syslog_daemon() : NULL;
        if (daemon)
                syslog_boot_handover(daemon);
        else if (sup.config.syslog_socket &&
                 syslog_server_open(sup.config.syslog_socket, syslog_attribute) == -EADDRINUSE)
                log_msg(sup.config.syslog_default ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR,
                        "syslog: %s is another process's socket, leaving it alone%s", sup.config.syslog_socket,
                        sup.config.syslog_default ? "" : " (--syslog-socket)");
        /* Without it vigilctl cannot reach this vigil; everything else runs. */
        if (sup.config.control_socket && sup.config.control.open)
                (void)sup.config.control.open(sup.config.control_socket);
        return 0;
}

void supervisor_set_main(char *const *argv) {
        sup.main_cmd.argv = argv;
}

/* SPEC §2 step 4 over: a failed script stops everything with its status
 * (container mode); else step 6, the units, and the main command after them. */
static void units_begin(void) {
        if (sup.config.shutdown_report)
                shutdown_report_load_previous(sup.config.shutdown_report);
        boot.units_begun = true;
        manager_start_all();
        boot_progress();
}

/* A start-up step failed: container mode exits with its status; system
 * mode never exits, it runs the --on-exit action (SPEC §2 step 4). */
static void boot_failed(int status, const char *why) {
        if (sup.config.system_mode) {
                supervisor_system_shutdown(sup.config.on_exit, why, false);
        } else {
                supervisor_container_reason(why);
                supervisor_stop_begin(status);
        }
}

static void pre_run_exited(int status) {
        int code = hook_exited(&pre_run, status);
        if (sup.stop.phase != STOP_NONE)
                return;
        if (code != 0) {
                char why[96];
                snprintf(why, sizeof(why), "--pre-run-exec failed with status %d", code);
                log_error("%s", why);
                boot_failed(code, why);
                return;
        }
        log_info("--pre-run-exec succeeded");
        units_begin();
}

static void startup_done(int status) {
        if (status != 0) {
                char why[96];
                snprintf(why, sizeof(why), "a start-up script failed with status %d", status);
                boot_failed(status, why);
                return;
        }
        if (sup.config.pre_run_exec) {
                if (hook_start(&pre_run, sup.config.pre_run_exec) < 0)
                        boot_failed(1, "cannot run --pre-run-exec");
                return;
        }
        units_begin();
}

int supervisor_run(void) {
        int r = startup_begin(sup.config.startup, startup_done);
        if (r < 0) {
                log_error("cannot run the startup scripts: %s", strerror(-r));
                boot_failed(1, "cannot run the start-up scripts");
        }
        r = loop_run();
        if (sup.config.system_mode && sup.stop.phase != STOP_DONE) {
                /* The loop itself broke (epoll failed): still end as configured. */
                log_error("the event loop failed; ending with %s", end_action_name(sup.config.on_exit));
                sup.stop.action = sup.config.on_exit;
        }
        return r;
}

bool supervisor_draining(void) {
        return stop_budget_leaving() || sup.stop.phase != STOP_NONE;
}

bool supervisor_accepting(void) {
        return !supervisor_draining() && !sup.main_cmd.termed && !manager_stopping();
}

const char *supervisor_startup_pending(void) {
        if (boot.complete)
                return NULL;
        if (!boot.units_begun)
                return "the start-up scripts are running";
        if (sup.main_cmd.argv && !sup.main_cmd.started)
                return "the main command has not started yet";
        return "a unit is still starting";
}

enum end_action supervisor_end_action(void) {
        return sup.config.system_mode ? sup.stop.action : END_EXIT;
}

enum end_action supervisor_hang(void) {
        sup.stop.hanging = true;
        sup.stop.action = END_HANG;
        log_notice("hanging (--on-exit hang): send SIGTERM, SIGUSR1 or SIGUSR2 to reboot, halt or power off");
        (void)loop_run();
        sup.stop.hanging = false;
        return sup.stop.action;
}

void supervisor_free(void) {
        if (sup.config.control.close)
                sup.config.control.close();
        notify_server_close();
        syslog_server_close();
        outer_notify_free();
        manager_free();
        os_close(sup.main_cmd.status_fd);
        sup.main_cmd.status_fd = -1;
        os_close(pre_run.status_fd);
        pre_run.status_fd = -1;
        os_close(run_on_exit.status_fd);
        run_on_exit.status_fd = -1;
        os_close(sup.signal_io.fd);
        sup.signal_io.fd = -1;
        loop_free();
}
