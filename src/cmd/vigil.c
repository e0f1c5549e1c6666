/* SPDX-License-Identifier: MIT */
/*
 * vigil: main() is the boot script, in SPEC §2 order. Everything before the
 * marked point may fail with a message and an exit code; after it, PID 1
 * only supervises and every failure is handled where it happens.
 */
#include "cmd/options.h"
#include "base/timespan.h"
#include "core/log.h"
#include "os/fd.h"
#include "os/proc.h"
#include "supervise/hw_watchdog.h"
#include "supervise/startup.h"
#include "supervise/output.h"
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
#define DEFAULT_TIMEOUT_START_USEC (90 * USEC_PER_SEC)
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

/* The options file first, then the command line over it (SPEC §3). */
static int load_options(int argc, char *const *argv, struct vigil_options *o) {
        struct options_error err;
        const char *path;
        char *text = NULL;
        unsigned line = 0;

        if (options_find_config(argc, argv, &path, &err) < 0)
                return usage_error(NULL, 0, err.message);
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

static void warn_unsupported(const struct vigil_options *o) {
        const char *names[64];
        size_t n = options_unsupported_given(o, names, 64);
        for (size_t i = 0; i < n; i++)
                log_warning("option --%s is not supported by this version yet, ignoring", names[i]);
}


int main(int argc, char **argv) {
        struct vigil_options o;
        options_init(&o);

        /* 1. Options, logging, signals. */
        if (load_options(argc - 1, argv + 1, &o) < 0) {
                options_free(&o);
                return EXIT_USAGE;
        }
        if (o.help || o.version) {
                if (o.help)
                        options_print_help(STDOUT_FILENO);
                else
                        printf("vigil %s\n", VIGIL_VERSION);
                options_free(&o);
                return 0;
        }
        log_set_level(LOG_LEVEL_NOTICE + o.verbosity);
        options_apply_defaults(&o, false);
        warn_unsupported(&o);

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
                .default_timeout_start_usec = DEFAULT_TIMEOUT_START_USEC,
                .default_timeout_stop_usec = o.default_timeout_stop_usec,
                .unit_dirs = default_dir ? default_units : o.units.v,
                .n_unit_dirs = default_dir ? 1 : o.units.n,
                .runit_dir = o.runit_dir,
                .notify_socket = o.notify_socket ? o.notify_socket : notify_default,
                .control_socket = o.control_socket ? o.control_socket : control_default,
                .runtime_dir = o.notify_socket && o.control_socket ? NULL : runtime_dir,
                .startup = &startup,
        };
        r = supervisor_init(&config);
        if (r < 0) {
                log_error("cannot set up the event loop and signals: %s", strerror(-r));
                options_free(&o);
                return EXIT_INTERNAL;
        }
        /* Service output through vigil (SPEC §6), registered with the loop. */
        r = output_init((enum log_format)o.log_format, STDOUT_FILENO);
        if (r < 0) {
                log_error("cannot set up service output: %s", strerror(-r));
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
                .system_mode = false,
        };
        (void)hw_watchdog_open(&wdc);

        /* ---- The point of no return: from here PID 1 only supervises. ---- */
        int code = supervisor_run();
        output_flush();   /* the last lines of the units, bounded in time */
        hw_watchdog_final(HW_WATCHDOG_FINAL_EXIT);   /* container mode: vigil exits */
        output_free();
        supervisor_free();
        startup_free();
        options_free(&o);
        return code;
}
