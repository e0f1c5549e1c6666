/* SPDX-License-Identifier: MIT */
/*
 * vigil: main() is the boot script, in SPEC §2 order. Everything before the
 * marked point may fail with a message and an exit code; after it, PID 1
 * only supervises and every failure is handled where it happens.
 */
#include "cmd/options.h"
#include "control/control_server.h"
#include "base/kcmdline.h"
#include "base/timespan.h"
#include "base/words.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "os/system.h"
#include "os/user.h"
#include "unit/unit_config.h"
#include "watchdog/hw_watchdog.h"
#include "system/machine.h"
#include "system/shutdown_report.h"
#include "container/startup.h"
#include "logcap/output.h"
#include "supervise/supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0-dev"
#endif

#define DEFAULT_OPTIONS_FILE "/etc/vigil.conf"
#define DEFAULT_UNITS_DIR "/etc/vigil/units"
#define DEFAULT_RUNTIME_DIR "/run/vigil"
#define OPTIONS_FILE_MAX (1024 * 1024)
#define EXIT_USAGE 2
#define EXIT_INTERNAL 1

static int usage_error(const char *where, unsigned line, const char *message) {
        if (where && line)
                fprintf(stderr, "vigil: %s:%u: %s\n", where, line, message);
        else if (where)
                fprintf(stderr, "vigil: %s: %s\n", where, message);
        else
                fprintf(stderr, "vigil: %s\n", message);
        return -EINVAL;
}

static const char *options_file_name;

/* System mode on a machine: a bad option is logged and skipped; PID 1 boots. */
static void report_bad_option(enum option_source source, unsigned line, const char *message) {
        if (source == OPTION_SOURCE_FILE)
                log_error("%s:%u: %s (ignored)", options_file_name, line, message);
        else
                log_error("%s: %s (ignored)", source == OPTION_SOURCE_KERNEL ? "kernel command line" : "init arguments",
                          message);
}

/* System mode: vigil.OPTION=VALUE words of /proc/cmdline, over everything. */
static void load_kernel_options(struct vigil_options *o) {
        char *text = NULL;
        struct strv w;
        struct options_error err;
        int r = os_read_file("/proc/cmdline", 64 * 1024, &text, NULL);
        if (r < 0) {
                log_warning("cannot read /proc/cmdline: %s", strerror(-r));
                return;
        }
        r = kcmdline_vigil_args(text, &w);
        free(text);
        if (r < 0) {
                log_error("out of memory reading the kernel command line");
                return;
        }
        for (size_t i = 0; i < w.n; i++)
                log_info("option from the kernel command line: %s", w.v[i]);
        if (options_parse_kernel(o, w.v, w.n, &err) < 0)
                log_error("kernel command line: %s", err.message);
        strv_free(&w);
}

/* The options file first, then the command line over it (SPEC §3). */
static int load_options(int argc, char *const *argv, struct vigil_options *o) {
        struct options_error err;
        const char *path;
        char *text = NULL;
        unsigned line = 0;

        if (options_find_config(argc, argv, &path, &err) < 0)
                return usage_error(NULL, 0, err.message);
        options_file_name = path ? path : DEFAULT_OPTIONS_FILE;
        int r = os_read_file(path ? path : DEFAULT_OPTIONS_FILE, OPTIONS_FILE_MAX, &text, NULL);
        if (r < 0 && (path || r != -ENOENT)) {
                char msg[256];
                snprintf(msg, sizeof(msg), "cannot read options file: %s", strerror(-r));
                return usage_error(path ? path : DEFAULT_OPTIONS_FILE, 0, msg);
        }
        if (text) {
                r = options_parse_file(o, text, &line, &err);
                free(text);
                if (r < 0)
                        return usage_error(path ? path : DEFAULT_OPTIONS_FILE, line, err.message);
        }
        if (options_parse_args(o, argc, argv, OPTION_SOURCE_COMMAND_LINE, &err) < 0)
                return usage_error(NULL, 0, err.message);
        return 0;
}

/* A hook command (--pre-run-exec CMD): split as a shell would, nothing expanded. */
static char **split_command(const char *option, const char *text, struct strv *w) {
        if (!text)
                return NULL;
        int r = words_split(text, w);
        if (r < 0 || w->n == 0) {
                log_error("--%s %s: %s, ignoring it", option, text,
                          r == -ENOMEM ? "out of memory" : r < 0 ? "unterminated quote" : "empty command");
                if (r == 0)
                        strv_free(w);
                return NULL;
        }
        return w->v;
}

static enum end_action end_action_from_option(int on_exit) {
        switch (on_exit) {
        case ON_EXIT_POWEROFF: return END_POWEROFF;
        case ON_EXIT_HALT: return END_HALT;
        case ON_EXIT_HANG: return END_HANG;
        default: return END_REBOOT;
        }
}

/* What the hardware watchdog does at the end (hw_watchdog_final). */
static int watchdog_final_of(enum end_action a) {
        switch (a) {
        case END_REBOOT: return HW_WATCHDOG_FINAL_REBOOT;
        case END_POWEROFF: return HW_WATCHDOG_FINAL_POWEROFF;
        case END_HALT: return HW_WATCHDOG_FINAL_HALT;
        case END_HANG: return HW_WATCHDOG_FINAL_HANG;
        default: return HW_WATCHDOG_FINAL_EXIT;
        }
}

static void warn_unsupported(const struct vigil_options *o) {
        const char *names[64];
        size_t n = options_unsupported_given(o, names, 64);
        for (size_t i = 0; i < n; i++)
                log_warning("option --%s is not supported by this version yet, ignoring", names[i]);
}


/* System mode: PID 1 must never exit (SPEC §2). What would have been a
 * fatal error before the loop ends the machine the configured way. */
static int fatal_end(const struct machine_config *mc, enum end_action action, const char *why) {
        log_error("%s: ending with %s", why, end_action_name(action));
        shutdown_report_begin(end_action_name(action), why);
        for (;;) {
                int r = machine_end(mc, action);
                if (r >= 0 || action != END_HANG)
                        return r < 0 ? EXIT_INTERNAL : r;
                os_pause_forever();
        }
}

int main(int argc, char **argv) {
        struct vigil_options o;
        options_init(&o);

        /* An init may start with fds 0-2 closed (no /dev/console in the image). */
        (void)os_fill_stdio("/dev/null");

        /* Which mode: the machine's init takes its options from the kernel. */
        if (os_getpid() == 1 && os_path_exists("/proc/self") != 1)
                (void)os_mount("proc", "/proc", "proc", 0, NULL);
        const char *machine_why;
        bool machine = os_is_machine_init(&machine_why);
        if (machine) {
                o.init_argv = true;
                o.report = report_bad_option;
        }

        /* 1. Options, logging, signals. */
        if (load_options(argc - 1, argv + 1, &o) < 0 && !machine) {
                options_free(&o);
                return EXIT_USAGE;
        }
        if (machine)
                load_kernel_options(&o);
        if (o.help || o.version) {
                if (o.help)
                        options_print_help(STDOUT_FILENO);
                else
                        printf("vigil %s\n", VIGIL_VERSION);
                options_free(&o);
                return 0;
        }
        log_set_level(LOG_LEVEL_NOTICE + o.verbosity);
        bool system_mode = machine || o.system;
        options_apply_defaults(&o, system_mode);
        warn_unsupported(&o);
        if (system_mode)
                log_notice("system mode (%s)", machine ? "PID 1 of the machine" : "--system");
        log_debug("mode: %s", machine_why);

        /* 2. System mode: mounts, console, hostname (SPEC §7). */
        struct strv uniqueid_w = { 0 }, pre_run_w = { 0 }, run_on_exit_w = { 0 };
        struct machine_config mc = {
                .is_machine = machine,
                .mounts = o.mounts.v,
                .ctty = o.ctty,
                .hostname_pattern = o.hostname_pattern,
                .uniqueid_argv = split_command("uniqueid-exec", o.uniqueid_exec, &uniqueid_w),
                .shutdown_report = o.shutdown_report,
        };
        if (system_mode) {
                machine_boot(&mc);
                (void)os_fill_stdio("/dev/console");  /* /dev is there now */
        }

        /* What vigil inherited stays with vigil: no fd above 2 reaches a child. */
        int r = os_cloexec_inherited_fds();
        if (r < 0)
                log_warning("cannot mark inherited file descriptors close-on-exec: %s", strerror(-r));

        struct startup_config startup = {
                .dir = o.startup_dir,
                .container_env = o.container_env,
        };
        static char *default_units[] = { DEFAULT_UNITS_DIR, NULL };
        bool default_dir = o.units.n == 0 && os_path_exists(DEFAULT_UNITS_DIR) == 1;
        /* Sockets live in $VIGIL_RUNTIME_DIR, else /run/vigil (SPEC §3). */
        const char *runtime_dir = getenv("VIGIL_RUNTIME_DIR");
        if (!runtime_dir || runtime_dir[0] != '/')
                runtime_dir = DEFAULT_RUNTIME_DIR;
        static char notify_default[256], control_default[256];
        if (snprintf(notify_default, sizeof(notify_default), "%s/notify", runtime_dir) >= 108 ||
            snprintf(control_default, sizeof(control_default), "%s/control", runtime_dir) >= 108) {
                log_warning("VIGIL_RUNTIME_DIR=%s is too long for a socket path; using %s", runtime_dir,
                            DEFAULT_RUNTIME_DIR);
                runtime_dir = DEFAULT_RUNTIME_DIR;
                snprintf(notify_default, sizeof(notify_default), "%s/notify", runtime_dir);
                snprintf(control_default, sizeof(control_default), "%s/control", runtime_dir);
        }
        struct supervisor_config config = {
                .process_group = o.process_group,
                .kill_all = !o.no_kill_all,
                .kill_all_timeout_usec = o.kill_all_timeout_usec,
                .wait_ready = o.wait_ready,
                .default_timeout_start_usec = UNIT_DEFAULT_TIMEOUT_START_USEC,
                .default_timeout_stop_usec = o.default_timeout_stop_usec,
                .unit_dirs = default_dir ? default_units : o.units.v,
                .n_unit_dirs = default_dir ? 1 : o.units.n,
                .runit_dir = o.runit_dir,
                .notify_socket = o.notify_socket ? o.notify_socket : notify_default,
                .control_socket = o.control_socket ? o.control_socket : control_default,
                .control = { .open = control_server_open, .settle = control_server_settle,
                             .unit_dropped = control_server_unit_dropped, .close = control_server_close },
                .runtime_dir = o.notify_socket && o.control_socket ? NULL : runtime_dir,
                .startup = &startup,
                .system_mode = system_mode,
                .on_exit = end_action_from_option(o.on_exit),
                .pre_run_exec = split_command("pre-run-exec", o.pre_run_exec, &pre_run_w),
                .run_on_exit = split_command("run-on-exit", o.run_on_exit, &run_on_exit_w),
                .shutdown_report = o.shutdown_report,
                .main_env = o.env.v,
                .main_working_directory = o.working_directory,
                .main_ctty = system_mode,
        };
        if (options_is_set(&o, "uid") || options_is_set(&o, "gid")) {
                config.main_set_ids = true;
                config.main_uid = (uid_t)o.uid;
                config.main_gid = (gid_t)o.gid;
                struct os_user user;
                char uid_text[16];
                snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)o.uid);
                /* --uid alone: the user's primary group, as login would. */
                if (!options_is_set(&o, "gid") && os_user_lookup(uid_text, &user) == 0)
                        config.main_gid = user.gid;
        }
        enum end_action on_exit = config.on_exit;
        r = supervisor_init(&config);
        if (r < 0) {
                log_error("cannot set up the event loop and signals: %s", strerror(-r));
                if (system_mode)
                        return fatal_end(&mc, on_exit, "cannot set up the event loop");
                options_free(&o);
                return EXIT_INTERNAL;
        }
        /* Service output through vigil (SPEC §6), registered with the loop. */
        r = output_init((enum log_format)o.log_format, STDOUT_FILENO);
        if (r < 0) {
                log_error("cannot set up service output: %s", strerror(-r));
                if (system_mode)
                        return fatal_end(&mc, on_exit, "cannot set up service output");
                supervisor_free();
                options_free(&o);
                return EXIT_INTERNAL;
        }
        /* Not PID 1: orphans must still come to us (SPEC §2). */
        if (os_getpid() != 1) {
                r = os_set_child_subreaper();
                if (r < 0)
                        log_warning("cannot become a child subreaper, orphans will not be reaped: %s",
                                    strerror(-r));
        }

        /* 3. The container environment, before anything runs. */
        (void)startup_import_env(&startup);

        /* 6. The units: loaded here, started by supervisor_run() once the
         * startup scripts (4) have succeeded. */
        r = supervisor_load_units();
        if (r < 0) {
                log_error("cannot load units: %s", strerror(-r));
                if (system_mode)
                        return fatal_end(&mc, on_exit, "cannot load units");
                output_free();
                supervisor_free();
                options_free(&o);
                return EXIT_INTERNAL;
        }

        /* 7. The main command, once the units are up. */
        if (o.command.n > 0)
                supervisor_set_main(o.command.v);

        /* The hardware watchdog (SPEC §8): without a usable device vigil runs on.
         * Opened last: an early exit above must not leave it armed. */
        struct hw_watchdog_config wdc = {
                .device = o.watchdog_device,
                .runtime_usec = o.runtime_watchdog_usec,
                .reboot_usec = o.reboot_watchdog_usec,
                .system_mode = system_mode,
        };
        (void)hw_watchdog_open(&wdc);

        /* ---- The point of no return: from here PID 1 only supervises. ---- */
        int code = supervisor_run();
        output_flush();   /* the last lines of the units, bounded in time */
        if (system_mode) {
                /* 10. sync, unmount, and end the machine; hang waits for a request.
                 * The hardware watchdog first: left armed for reboot(2), disarmed
                 * (or, nowayout, petted on) for a hang (SPEC §7, §8). */
                enum end_action action = supervisor_end_action();
                hw_watchdog_final(watchdog_final_of(action));
                while ((code = machine_end(&mc, action)) < 0) {
                        action = supervisor_hang();
                        hw_watchdog_final(watchdog_final_of(action));
                }
        } else {
                hw_watchdog_final(HW_WATCHDOG_FINAL_EXIT);   /* container mode: vigil exits */
        }
        output_free();
        supervisor_free();
        startup_free();
        shutdown_report_free();
        strv_free(&uniqueid_w);
        strv_free(&pre_run_w);
        strv_free(&run_on_exit_w);
        options_free(&o);
        return code;
}
