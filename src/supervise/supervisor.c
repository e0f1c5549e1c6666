/* SPDX-License-Identifier: MIT */
#include "supervise/supervisor.h"

#include "base/signame.h"
#include "base/timespan.h"
#include "core/log.h"
#include "core/loop.h"
#include "os/event.h"
#include "os/fd.h"
#include "os/proc.h"
#include "os/signals.h"
#include "supervise/exit_status.h"
#include "os/files.h"
#include "supervise/control_server.h"
#include "supervise/hw_watchdog.h"
#include "supervise/manager.h"
#include "supervise/notify_server.h"
#include "supervise/startup.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* After SIGKILL, how long to wait for the kernel to finish killing (a
 * process in uninterruptible sleep dies only when its I/O returns). */
#define KILL_SETTLE_USEC (1 * USEC_PER_SEC)

enum stop_phase { STOP_NONE, STOP_UNITS, STOP_TERM, STOP_KILL, STOP_DONE };

static struct supervisor_config config;
static pid_t self_pid;
static struct loop_io signal_io = { .fd = -1 };

/* The main command: at most one, started once. */
static struct {
        char *const *argv;        /* NULL: none */
        pid_t pid;                /* 0 when not running */
        int status_fd;            /* exec-status pipe, -1 once read */
        char *name;               /* argv[0], for messages */
        bool started;
} main_cmd = { .status_fd = -1 };

static struct {
        enum stop_phase phase;
        int exit_code;
        bool code_fixed;          /* a unit's action set the exit code: it wins */
        struct loop_timer timer;
} stop;

static void stop_begin(int exit_code);

static void stop_finish(void) {
        if (stop.phase == STOP_DONE)
                return;
        stop.phase = STOP_DONE;
        loop_timer_cancel(&stop.timer);
        loop_exit(stop.exit_code);
}

static void signal_everyone(int sig) {
        char name[16];
        if (self_pid == 1) {
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

static void stop_timer_fired(struct loop_timer *t) {
        (void)t;
        if (stop.phase == STOP_TERM) {
                log_notice("processes still running after the kill-all timeout, sending SIGKILL");
                stop.phase = STOP_KILL;
                /* Repeat: a process may fork between our listing and the kill. */
                for (int pass = 0; pass < 3; pass++)
                        signal_everyone(SIGKILL);
                if (loop_timer_arm_in(&stop.timer, KILL_SETTLE_USEC) < 0)
                        stop_finish();
                return;
        }
        log_warning("processes still alive after SIGKILL (uninterruptible sleep?), exiting anyway");
        stop_finish();
}

/* After the units: SIGTERM, then SIGKILL, to whatever is left. */
static void killall_begin(void) {
        if (stop.phase != STOP_NONE && stop.phase != STOP_UNITS)
                return;
        if (!config.kill_all) {
                stop_finish();
                return;
        }
        stop.phase = STOP_TERM;
        /* Nobody left is the common case: done. */
        if (!os_has_children()) {
                stop_finish();
                return;
        }
        char span[32];
        log_info("sending SIGTERM to remaining processes, SIGKILL in %s",
                 timespan_format(config.kill_all_timeout_usec, span, sizeof(span)));
        signal_everyone(SIGTERM);
        signal_everyone(SIGCONT); /* a stopped process must be able to act on SIGTERM */
        if (loop_timer_arm_in(&stop.timer, config.kill_all_timeout_usec) < 0) {
                log_error("cannot arm the kill-all timer, sending SIGKILL now");
                stop_timer_fired(&stop.timer);
        }
}

/* SPEC §2 step 9: units in reverse order, then the leftovers. */
static void stop_begin(int exit_code) {
        if (stop.phase != STOP_NONE)
                return;
        if (!stop.code_fixed)
                stop.exit_code = exit_code;
        stop.phase = STOP_UNITS;
        /* Requested: the reboot timeout, one pet; after a health failure
         * (hw_watchdog_unhealthy() came first): the runtime timeout. */
        hw_watchdog_shutdown(false);
        if (manager_n_units() == 0) {
                killall_begin();
                return;
        }
        manager_stop_all();   /* all_stopped() goes on */
}

static void units_all_stopped(void) {
        if (stop.phase == STOP_UNITS)
                killall_begin();
}

static void unit_shutdown(enum unit_action action, int exit_code, const char *why) {
        (void)action;
        if (stop.phase != STOP_NONE)
                return;
        log_notice("shutting down: %s", why);
        stop.exit_code = exit_code;
        stop.code_fixed = true;
        if (main_cmd.pid > 0) {
                /* The main command goes with the units; the kill-all catches it if it lingers. */
                int r = os_kill(config.process_group ? -main_cmd.pid : main_cmd.pid, SIGTERM);
                if (r < 0 && r != -ESRCH)
                        log_warning("cannot send SIGTERM to the main command: %s", strerror(-r));
        }
        stop_begin(exit_code);
}

static void start_main(void) {
        struct spawn_plan plan = {
                .argv = main_cmd.argv,
                .envp = NULL,
                .stdin_fd = -1,
                .stdout_fd = -1,
                .stderr_fd = -1,
                .group = SPAWN_GROUP_NEW,
                .tty_foreground = os_isatty(STDIN_FILENO),
        };
        main_cmd.name = main_cmd.argv[0];
        main_cmd.started = true;
        int r = os_spawn(&plan, &main_cmd.pid, &main_cmd.status_fd);
        if (r < 0) {
                main_cmd.pid = 0;
                log_error("cannot start main command %s: %s", main_cmd.name, strerror(-r));
                stop_begin(1);
                return;
        }
        log_info("started main command %s (pid %d)", main_cmd.name, (int)main_cmd.pid);
}

static void boot_progress(void) {
        if (main_cmd.argv && !main_cmd.started && stop.phase == STOP_NONE &&
            manager_boot_done(config.wait_ready))
                start_main();
}

static void main_cmd_exited(int status) {
        struct spawn_failure failure;
        if (main_cmd.status_fd >= 0) {
                if (os_spawn_read_status(main_cmd.status_fd, &failure) == 1)
                        log_error("cannot %s '%s': %s", spawn_stage_action(failure.stage), main_cmd.name,
                                  strerror(failure.error));
                os_close(main_cmd.status_fd);
                main_cmd.status_fd = -1;
        }
        char name[16];
        if (WIFSIGNALED(status))
                log_info("main command %s (pid %d) killed by %s%s", main_cmd.name, (int)main_cmd.pid,
                         signame_from_number(WTERMSIG(status), name, sizeof(name)),
                         WCOREDUMP(status) ? " (core dumped)" : "");
        else
                log_info("main command %s (pid %d) exited with status %d", main_cmd.name, (int)main_cmd.pid,
                         WEXITSTATUS(status));
        main_cmd.pid = 0;
        stop_begin(exit_status_from_wait(status));
}

/* waitpid(-1, WNOHANG) until nothing is left to reap. */
static void reap_children(void) {
        for (;;) {
                int status;
                pid_t pid = os_reap_one(&status);
                if (pid == 0)
                        break;
                if (pid < 0) {
                        if (pid == -ECHILD && (stop.phase == STOP_TERM || stop.phase == STOP_KILL))
                                stop_finish();
                        else if (pid != -ECHILD)
                                log_error("waitpid failed: %s", strerror(-pid));
                        break;
                }
                /* A start-up script (SPEC §9) is startup's. */
                if (startup_child_exited(pid, status))
                        continue;
                if (pid == main_cmd.pid)
                        main_cmd_exited(status);
                else if (!manager_child_exited(pid, status))
                        log_debug("reaped orphan %d (status 0x%x)", (int)pid, (unsigned)status);
        }
        manager_after_reap();
}

static void forward_signal(const struct signal_event *ev) {
        char name[16];
        const char *signame = signame_from_number(ev->signo, name, sizeof(name));
        enum forward_verdict v = forward_decide(ev->signo, ev->code, ev->sender, self_pid);
        if (v != FORWARD_YES) {
                log_debug("not forwarding %s: %s", signame, forward_verdict_reason(v));
                return;
        }
        pid_t target = config.process_group ? -main_cmd.pid : main_cmd.pid;
        int r = os_kill(target, ev->signo);
        if (r < 0)
                log_debug("forwarding %s to %d failed: %s", signame, (int)target, strerror(-r));
        else
                log_debug("forwarded %s to %d", signame, (int)target);
}

static void on_signal(const struct signal_event *ev) {
        char name[16];
        if (main_cmd.pid > 0) {
                forward_signal(ev);
                return;
        }
        if (main_cmd.pid == 0 && (ev->signo == SIGTERM || ev->signo == SIGINT)) {
                log_info("received %s, stopping", signame_from_number(ev->signo, name, sizeof(name)));
                startup_cancel(); /* no further script; done() is not called */
                stop_begin(0);
                return;
        }
        log_debug("ignoring %s: no main command running", signame_from_number(ev->signo, name, sizeof(name)));
}

static void signals_ready(struct loop_io *io, uint32_t events) {
        (void)events;
        struct signal_event ev[16];
        bool child_changed = false;
        int n;
        /* One read is enough unless the buffer came back full: epoll is
         * level-triggered, so anything left wakes the loop again. Signals
         * are acted on in order; SIGCHLD (coalesced by the kernel, so one
         * stands for any number of exits) makes one reap pass after them. */
        do {
                n = os_signals_read(io->fd, ev, 16);
                for (int i = 0; i < n; i++) {
                        if (ev[i].signo == SIGCHLD)
                                child_changed = true;
                        else
                                on_signal(&ev[i]);
                }
        } while (n == 16);
        if (n < 0)
                log_error("reading signals failed: %s", strerror(-n));
        if (child_changed) {
                /* What a process said before it exited is heard before its exit. */
                notify_server_drain();
                reap_children();
        }
}

int supervisor_init(const struct supervisor_config *cfg) {
        config = *cfg;
        self_pid = os_getpid();
        loop_timer_init(&stop.timer, stop_timer_fired, NULL);
        int r = loop_init();
        if (r < 0)
                return r;
        int fd = os_signals_take_over();
        if (fd < 0)
                return fd;
        signal_io.fd = fd;
        signal_io.ready = signals_ready;
        r = loop_io_add(&signal_io, OS_EVENT_IN);
        if (r < 0)
                return r;
        struct manager_config mc = {
                .default_timeout_start_usec = cfg->default_timeout_start_usec,
                .default_timeout_stop_usec = cfg->default_timeout_stop_usec,
                .hooks = { .boot_progress = boot_progress, .shutdown = unit_shutdown,
                           .all_stopped = units_all_stopped, .settled = control_server_settle,
                           .unit_dropped = control_server_unit_dropped },
        };
        return manager_init(&mc);
}

int supervisor_load_units(void) {
        int r = manager_load(config.unit_dirs, config.n_unit_dirs, config.runit_dir);
        if (r < 0)
                return r;
        bool notify = manager_wants_notify() && config.notify_socket;
        if ((notify || config.control_socket) && config.runtime_dir) {
                int q = os_make_dir(config.runtime_dir, 0755);
                if (q < 0 && q != -EEXIST)
                        log_warning("cannot create %s: %s", config.runtime_dir, strerror(-q));
        }
        /* Without it Type=notify units time out; the others run. */
        if (notify)
                (void)notify_server_open(config.notify_socket);
        /* Without it vigilctl cannot reach this vigil; everything else runs. */
        if (config.control_socket)
                (void)control_server_open(config.control_socket);
        return 0;
}

void supervisor_set_main(char *const *argv) {
        main_cmd.argv = argv;
}

/* SPEC §2 step 4 over: a failed script stops everything with its status
 * (container mode); else step 6, the units, and the main command after them. */
static void startup_done(int status) {
        if (status != 0) {
                stop_begin(status);
                return;
        }
        manager_start_all();
        boot_progress();
}

int supervisor_run(void) {
        int r = startup_begin(config.startup, startup_done);
        if (r < 0) {
                log_error("cannot run the startup scripts: %s", strerror(-r));
                stop_begin(1);
        }
        return loop_run();
}

void supervisor_free(void) {
        control_server_close();
        notify_server_close();
        manager_free();
        os_close(main_cmd.status_fd);
        main_cmd.status_fd = -1;
        os_close(signal_io.fd);
        signal_io.fd = -1;
        loop_free();
}
