/* SPDX-License-Identifier: MIT */
/*
 * vigil: main() is the boot script, in SPEC §2 order. Everything before the
 * marked point may fail with a message and an exit code; after it, PID 1
 * only supervises and every failure is handled where it happens.
 */
#include "cmd/erlinit_opts.h"
#include "cmd/list_unit_keys.h"
#include "cmd/options.h"
#include "control/control_places.h"
#include "control/control_server.h"
#include "base/kcmdline.h"
#include "base/num.h"
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
#include "system/devices.h"
#include "system/machine.h"
#include "system/release_discover.h"
#include "system/shutdown_report.h"
#include "supervise/manager.h"
#include "supervise/postmortem.h"
#include "supervise/tmpfiles_apply.h"
#include "supervise/unit_check.h"
#include "container/startup.h"
#include "container/termination_log.h"
#include "logcap/output.h"
#include "notify/outer_notify.h"
#include "supervise/supervisor.h"
#include "supervise/unit_layout.h"

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

static void erlinit_warning(void *ctx, unsigned line, const char *message) {
        if (line)
                log_warning("%s:%u: %s", (const char *)ctx, line, message);
        else
                log_warning("command line: %s", message);
}

/* erlinit mode (docs/ERLINIT.md): the file and the command line in
 * erlinit's language, translated, then read as one source as erlinit's one
 * getopt pass does. As the machine's init a bad option is logged, not fatal. */
static int load_erlinit_options(struct vigil_options *o, bool machine, struct erlinit_translation *t,
                                const char *path, int argc, char *const *argv) {
        struct options_error err;
        char *text = NULL;
        int r = os_read_file(path, OPTIONS_FILE_MAX, &text, NULL);
        if (r < 0) {
                snprintf(err.message, sizeof(err.message), "cannot read options file: %s", strerror(-r));
                usage_error(path, 0, err.message);
                if (!machine)
                        return -EINVAL;
        } else {
                log_info("options from %s, in erlinit's language", path);
                r = erlinit_translate_file(t, text, erlinit_warning, (void *)path);
                free(text);
        }
        if (r >= 0)
                r = erlinit_translate(t, argv, NULL, (size_t)argc, erlinit_warning, (void *)path);
        if (r < 0)
                return usage_error(NULL, 0, "out of memory");
        /* erlinit's default --graceful-shutdown-timeout: 10 s, not vigil's 90. */
        char *graceful[] = { "--default-timeout-stop-sec=10s" };
        if (options_parse_args(o, 1, graceful, OPTION_SOURCE_FILE, &err) < 0)
                return usage_error(NULL, 0, err.message);
        options_report_fn report = o->report;
        o->report = NULL;   /* each word alone, so an error names its line */
        for (size_t i = 0; i < t->words.n && r >= 0; i++) {
                r = options_parse_args(o, 1, &t->words.v[i], OPTION_SOURCE_FILE, &err);
                if (r < 0 && r != -ENOMEM && machine) {
                        report(t->lines[i] ? OPTION_SOURCE_FILE : OPTION_SOURCE_COMMAND_LINE, t->lines[i], err.message);
                        r = 0;
                } else if (r < 0)
                        usage_error(t->lines[i] ? path : "command line", t->lines[i], err.message);
        }
        o->report = report;
        if (r >= 0 && t->has_command) {
                strv_free(&o->command);
                o->command = t->command;
                t->command = (struct strv){ 0 };
        }
        return r < 0 ? -EINVAL : 0;
}

/* The options file first, then the command line over it (SPEC §3). With
 * no --config, the machine's init without /etc/vigil.conf reads
 * /etc/erlinit.config; any file named erlinit.config is in erlinit's
 * language (docs/ERLINIT.md). */
static int load_options(int argc, char *const *argv, struct vigil_options *o, bool machine,
                        struct erlinit_translation *erlinit, bool *ret_erlinit_mode) {
        struct options_error err;
        const char *path;
        char *text = NULL;
        unsigned line = 0;

        if (options_find_config(argc, argv, &path, &err) < 0)
                return usage_error(NULL, 0, err.message);
        if (!path && machine && os_path_exists(DEFAULT_OPTIONS_FILE) != 1 && os_path_exists(ERLINIT_CONFIG_FILE) == 1)
                path = ERLINIT_CONFIG_FILE;
        options_file_name = path ? path : DEFAULT_OPTIONS_FILE;
        if (path && erlinit_is_config_path(path)) {
                *ret_erlinit_mode = true;
                return load_erlinit_options(o, machine, erlinit, path, argc, argv);
        }
        int r = os_read_file(path ? path : DEFAULT_OPTIONS_FILE, OPTIONS_FILE_MAX, &text, NULL);
        if (r < 0 && (path || r != -ENOENT)) {
                char msg[256];
                snprintf(msg, sizeof(msg), "cannot read options file: %s", strerror(-r));
                usage_error(path ? path : DEFAULT_OPTIONS_FILE, 0, msg);
                if (!machine)
                        return -EINVAL;   /* the machine's init boots on, with its other options */
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

/* --drain-sec against the mode and the budget it counts inside. */
static void warn_drain(const struct vigil_options *o, bool system_mode) {
        if (o->drain_usec == 0)
                return;
        if (system_mode) {
                log_warning("--drain-sec is for container mode, ignoring it in system mode");
                return;
        }
        bool budget = o->stop_timeout_usec != 0 && o->stop_timeout_usec != TIMESPAN_INFINITY;
        if (budget && o->drain_usec >= o->stop_timeout_usec) {
                char drain[32], stop[32];
                log_warning("--drain-sec %s is not shorter than --stop-timeout %s: the stop budget will end the drain "
                            "with SIGKILL", timespan_format(o->drain_usec, drain, sizeof(drain)),
                            timespan_format(o->stop_timeout_usec, stop, sizeof(stop)));
        }
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

/* Everything main() sets up, phase by phase, and frees at the end. */
struct boot {
        struct vigil_options o;
        bool machine;                  /* PID 1 of the machine: never exits (SPEC §2) */
        const char *machine_why;
        bool system_mode;
        struct machine_config mc;
        struct startup_config startup;
        struct supervisor_config config;
        struct strv uniqueid_w, pre_run_w, run_on_exit_w;
        char notify_default[256], control_default[256];
        /* What the outer manager set for vigil (copies; unset in vigil's own environment). */
        char *outer_notify, *outer_wd_usec, *outer_wd_pid, *listen_fdnames;
        unsigned listen_fds;           /* fds 3.. to hand to the main command */
        char listen_note[256];         /* why LISTEN_FDS is not handed on ("" : nothing to say) */
        bool listen_bad;               /* the note is a warning */
        bool erlinit_mode;             /* the options are erlinit's (docs/ERLINIT.md) */
        struct erlinit_translation erlinit;
        struct release_plan release;
        struct strv main_env;          /* erlinit mode: the release's, HOME, then --env */
        char runtime_dir[108];     /* where they are; "" for abstract names */
};

static const char *const outer_vars[] = { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                                          "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", NULL };

static char *env_copy(const char *name) {
        const char *v = getenv(name);
        return v ? strdup(v) : NULL;
}

/* Socket activation (sd_listen_fds(3)): LISTEN_PID must be vigil, and as
 * PID 1 of a namespace any value is taken: whoever set it (unshare, a
 * runtime, systemd-socket-activate before `unshare -pf`) wrote a pid of
 * the parent namespace, which vigil cannot compare. Every fd must be open. */
static void take_listen_fds(struct boot *b) {
        const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
        uint64_t n, p;
        pid_t self = os_getpid();
        if (!fds)
                return;
        b->listen_bad = true;
        if (num_parse_u64_max(fds, 1024, &n) < 0 || n == 0) {
                snprintf(b->listen_note, sizeof(b->listen_note), "LISTEN_FDS=%.32s (inherited) is not a count of "
                         "1 to 1024 fds", fds);
                return;
        }
        if (!pid || num_parse_u64(pid, &p) < 0 || (self != 1 && p != (uint64_t)self)) {
                b->listen_bad = false;
                snprintf(b->listen_note, sizeof(b->listen_note), "LISTEN_FDS=%.32s (inherited) is for LISTEN_PID=%.32s, "
                         "not vigil (pid %d)", fds, pid ? pid : "(unset)", (int)self);
                return;
        }
        for (unsigned i = 0; i < n; i++)
                if (!os_fd_is_open(3 + (int)i)) {
                        snprintf(b->listen_note, sizeof(b->listen_note), "LISTEN_FDS=%.32s (inherited) names fd %u, "
                                 "which is not open", fds, 3 + i);
                        return;
                }
        b->listen_bad = false;
        b->listen_fds = (unsigned)n;
        b->listen_fdnames = env_copy("LISTEN_FDNAMES");
}

/* Before anything is opened: the outer manager's variables are read and
 * removed from vigil's environment, so no child (unit, hook, start-up
 * script, main command) inherits them as they are. */
static void take_outer_env(struct boot *b) {
        take_listen_fds(b);
        b->outer_notify = env_copy("NOTIFY_SOCKET");
        b->outer_wd_usec = env_copy("WATCHDOG_USEC");
        b->outer_wd_pid = env_copy("WATCHDOG_PID");
        for (const char *const *k = outer_vars; *k; k++)
                (void)unsetenv(*k);
}

/* Logged once logging is set up; fds not handed on stay close-on-exec. */
static void report_listen_fds(struct boot *b) {
        if (b->listen_note[0] && b->listen_bad)
                log_warning("%s; not handing socket activation on to the main command, running on", b->listen_note);
        else if (b->listen_note[0])
                log_info("%s; not handing it on", b->listen_note);
        if (b->listen_fds && b->o.command.n == 0) {
                log_warning("LISTEN_FDS=%u (inherited) but no main command to hand them to; closing them",
                            b->listen_fds);
                for (unsigned i = 0; i < b->listen_fds; i++)
                        os_close(3 + (int)i);
                b->listen_fds = 0;
        } else if (b->listen_fds) {
                log_info("socket activation: fds 3..%u kept for the main command", 2 + b->listen_fds);
        }
}

static void boot_free(struct boot *b) {
        startup_free();
        postmortem_free();
        shutdown_report_free();
        log_close_sinks();
        strv_free(&b->uniqueid_w);
        strv_free(&b->pre_run_w);
        strv_free(&b->run_on_exit_w);
        free(b->outer_notify);
        free(b->outer_wd_usec);
        free(b->outer_wd_pid);
        free(b->listen_fdnames);
        erlinit_translation_free(&b->erlinit);
        release_plan_free(&b->release);
        strv_free(&b->main_env);
        options_free(&b->o);
}

/* Before the options: stdio, /proc, and which mode (the machine's init takes
 * its options from the kernel too, and skips what it cannot use). */
static void phase_mode(struct boot *b) {
        /* An init may start with fds 0-2 closed (no /dev/console in the image). */
        (void)os_fill_stdio("/dev/null");
        take_outer_env(b);
        if (os_getpid() == 1 && os_path_exists("/proc/self") != 1)
                (void)os_mount("proc", "/proc", "proc", 0, NULL);
        b->machine = os_is_machine_init(&b->machine_why);
        if (b->machine) {
                b->o.init_argv = true;
                b->o.report = report_bad_option;
        }
}

/* --help and --version print and end vigil, except as the machine's init,
 * where returning from main() would panic the kernel (and erlinit's -h is
 * --hang-on-exit, so a copied line is likely): there they are logged and the
 * boot goes on. Returns whether vigil ends here. */
static bool help_or_version(struct boot *b) {
        if (!b->o.help && !b->o.version)
                return false;
        if (b->machine) {
                if (b->o.version)
                        log_notice("vigil %s", VIGIL_VERSION);
                log_warning("%s ignored: vigil is the machine's init, which never exits", b->o.help ? "-h/--help" :
                            "--version");
                return false;
        }
        if (b->o.help)
                options_print_help(STDOUT_FILENO);
        else
                printf("vigil %s\n", VIGIL_VERSION);
        return true;
}

/* SPEC §2 step 1: options (file, command line, kernel) and logging. Returns an exit code
 * (ending vigil) or -1 to go on. */
static int phase_options(struct boot *b, int argc, char **argv) {
        struct vigil_options *o = &b->o;
        if (load_options(argc - 1, argv + 1, o, b->machine, &b->erlinit, &b->erlinit_mode) < 0 && !b->machine)
                return EXIT_USAGE;
        if (b->machine)
                load_kernel_options(o);
        if (help_or_version(b))
                return 0;
        log_set_level(LOG_LEVEL_NOTICE + o->verbosity);
        if (o->check_units && !b->machine)
                return unit_check_dir(o->check_units);   /* a check, not a boot */
        b->system_mode = b->machine || o->system;
        options_apply_defaults(o, b->system_mode);
        warn_unsupported(o);
        warn_drain(o, b->system_mode);
        if (b->system_mode)
                log_notice("system mode (%s)", b->machine ? "PID 1 of the machine" : "--system");
        log_debug("mode: %s", b->machine_why);
        return -1;
}

/* The post-mortem sinks (supervise/postmortem.h): kmsg, breadcrumbs, log files. */
static void start_postmortem(struct boot *b) {
        const struct vigil_options *o = &b->o;
        uint64_t size = 0;
        if (o->log_file_size)
                (void)options_parse_size(o->log_file_size, &size);   /* checked when parsed */
        struct postmortem_config pc = {
                .is_machine = b->machine,
                .system_mode = b->system_mode,
                .pmsg_device = o->pmsg_device,
                .log_dir = o->log_dir,
                .log_file_size = size,
                .log_file_count = options_is_set(o, "log-file-count") ? o->log_file_count : UINT64_MAX,
        };
        postmortem_init(&pc);
}

/* Step 2, system mode: mounts, console, hostname (SPEC §7); then what vigil
 * inherited stays with vigil: no fd above 2 reaches a child. */
static void phase_machine(struct boot *b) {
        struct vigil_options *o = &b->o;
        b->mc = (struct machine_config){
                .is_machine = b->machine,
                .mounts = o->mounts.v,
                .ctty = o->ctty,
                .hostname_pattern = o->hostname_pattern,
                .uniqueid_argv = split_command("uniqueid-exec", o->uniqueid_exec, &b->uniqueid_w),
                .shutdown_report = o->shutdown_report,
        };
        if (b->system_mode) {
                machine_boot(&b->mc);
                (void)os_fill_stdio("/dev/console");  /* /dev is there now */
                devices_boot(&(struct devices_config){
                        .is_machine = b->machine, .update_clock = o->update_clock, .clock_file = o->clock_file,
                        .core_pattern = o->core_pattern, .tty_options = o->tty_options,
                        .warn_unused_tty = o->warn_unused_tty, .ctty = o->ctty });
        }
        start_postmortem(b);
        int r = os_cloexec_inherited_fds();
        if (r < 0)
                log_warning("cannot mark inherited file descriptors close-on-exec: %s", strerror(-r));
        report_listen_fds(b);
}

/* erlinit's HOME: the --uid user's home, else /root. */
static int push_home(struct boot *b) {
        struct os_user user;
        char uid_text[16], *home = NULL;
        snprintf(uid_text, sizeof(uid_text), "%u", options_is_set(&b->o, "uid") ? (unsigned)b->o.uid : 0u);
        bool found = os_user_lookup(uid_text, &user) == 0 && user.home[0];
        if (asprintf(&home, "HOME=%s", found ? user.home : "/root") < 0)
                return -ENOMEM;
        return strv_push_owned(&b->main_env, home);
}

/* erlinit mode with no "-- CMD": the OTP release under the search path is
 * the main command, with erlinit's environment under the --env entries and
 * the release's directory as the default working directory. After the
 * mounts (-m), as erlinit's child does. */
static void phase_release(struct boot *b) {
        struct vigil_options *o = &b->o;
        const struct erlinit_release_opts *ro = &b->erlinit.release;
        if (!b->erlinit_mode || o->command.n > 0)
                return;
        struct release_plan_input in = {
                .search_paths = ro->release_paths.v, .n_search_paths = ro->release_paths.n,
                .boot = ro->boot, .alternate_exec = ro->alternate_exec, .include_erts = ro->release_include_erts,
        };
        if (release_discover(&in, &b->release) < 0)
                return;
        int r = 0;
        for (size_t i = 0; i < b->release.env.n && r == 0; i++)
                r = strv_push(&b->main_env, b->release.env.v[i]);
        if (r == 0)
                r = push_home(b);
        for (size_t i = 0; i < o->env.n && r == 0; i++)
                r = strv_push(&b->main_env, o->env.v[i]);
        for (size_t i = 0; i < b->release.argv.n && r == 0; i++)
                r = strv_push(&o->command, b->release.argv.v[i]);
        if (r == 0 && !o->working_directory)
                r = (o->working_directory = strdup(b->release.root)) ? 0 : -ENOMEM;
        if (r < 0) {
                log_error("out of memory setting up the release");
                strv_free(&o->command);
        }
}

/* Whether vigil can make and write into p's directory: 0 or why not (-errno). */
static int place_usable(const struct control_place *p) {
        int r = os_make_dir(p->dir, 0755);
        if (r < 0 && r != -EEXIST)
                return r;
        return os_path_writable(p->dir);
}

/* Sockets live in $VIGIL_RUNTIME_DIR, else /run/vigil (SPEC §3); when vigil
 * cannot make or write into it (not root, a read-only root), in
 * $XDG_RUNTIME_DIR/vigil, else under abstract names (control/control_places.h).
 * Returns the directory to make, NULL for abstract names. */
static const char *socket_paths(struct boot *b) {
        struct control_place places[CONTROL_PLACES_MAX];
        bool too_long;
        const char *env = getenv("VIGIL_RUNTIME_DIR");
        size_t n = control_places(env, getenv("XDG_RUNTIME_DIR"), (unsigned long)os_getuid(), places, &too_long);
        if (too_long)
                log_warning("VIGIL_RUNTIME_DIR=%s is too long for a socket path; using %s", env, places[0].dir);
        size_t i = 0;
        int why = 0;
        /* Both sockets given by option: no directory is needed. */
        bool need = !b->o.notify_socket || !b->o.control_socket;
        while (need && i + 1 < n) {
                int r = place_usable(&places[i]);
                if (r == 0)
                        break;
                if (i++ == 0)
                        why = r;
        }
        snprintf(b->notify_default, sizeof(b->notify_default), "%s", places[i].notify);
        snprintf(b->control_default, sizeof(b->control_default), "%s", places[i].control);
        snprintf(b->runtime_dir, sizeof(b->runtime_dir), "%s", places[i].dir);
        if (i > 0)
                log_notice("cannot use %s (%s): sockets are %s and %s", places[0].dir, strerror(-why),
                           b->control_default, b->notify_default);
        return b->runtime_dir[0] ? b->runtime_dir : NULL;
}

/* --uid/--gid of the main command; --uid alone: the user's primary group, as login would. */
static void main_ids(struct boot *b) {
        struct vigil_options *o = &b->o;
        if (!options_is_set(o, "uid") && !options_is_set(o, "gid"))
                return;
        b->config.main_set_ids = true;
        b->config.main_uid = (uid_t)o->uid;
        b->config.main_gid = (gid_t)o->gid;
        struct os_user user;
        char uid_text[16];
        snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)o->uid);
        if (!options_is_set(o, "gid") && os_user_lookup(uid_text, &user) == 0)
                b->config.main_gid = user.gid;
}

/* --systemd-layout, or its default (vigil(1)): the image's own layout when
 * vigil is PID 1 of it with nothing else to run. NULL: not used. */
static const char *systemd_layout_root(const struct boot *b, bool default_dir) {
        const struct vigil_options *o = &b->o;
        if (o->systemd_layout)
                return strcmp(o->systemd_layout, "no") == 0 ? NULL : o->systemd_layout;
        /* erlinit mode boots a release, not a systemd image. */
        if (os_getpid() != 1 || o->command.n > 0 || o->units.n > 0 || o->runit_dir || default_dir || b->erlinit_mode)
                return NULL;
        return unit_layout_present("/") ? "/" : NULL;
}

/* --syslog-socket: given ("none": off), else /dev/log as PID 1
 * (logcap/syslog_server.h). */
static const char *syslog_address(const struct vigil_options *o, bool *ret_default) {
        *ret_default = !o->syslog_socket;
        if (o->syslog_socket)
                return strcmp(o->syslog_socket, "none") == 0 ? NULL : o->syslog_socket;
        return os_getpid() == 1 ? "/dev/log" : NULL;
}

/* The supervisor's configuration, from the options. */
static void build_config(struct boot *b) {
        struct vigil_options *o = &b->o;
        static char *default_units[] = { DEFAULT_UNITS_DIR, NULL };
        bool default_dir = o->units.n == 0 && os_path_exists(DEFAULT_UNITS_DIR) == 1;
        b->startup = (struct startup_config){ .dir = o->startup_dir, .container_env = o->container_env };
        const char *runtime_dir = socket_paths(b);
        b->config = (struct supervisor_config){
                .process_group = o->process_group,
                .kill_all = !o->no_kill_all,
                .kill_all_timeout_usec = o->kill_all_timeout_usec,
                .stop_timeout_usec = o->stop_timeout_usec,
                .drain_usec = o->drain_usec,
                .wait_ready = o->wait_ready,
                .default_timeout_start_usec = UNIT_DEFAULT_TIMEOUT_START_USEC,
                .default_timeout_stop_usec = o->default_timeout_stop_usec,
                .unit_dirs = default_dir ? default_units : o->units.v,
                .n_unit_dirs = default_dir ? 1 : o->units.n,
                .runit_dir = o->runit_dir,
                .systemd_root = systemd_layout_root(b, default_dir),
                .cgroup_root = o->cgroup_root,
                .notify_socket = o->notify_socket ? o->notify_socket : b->notify_default,
                .control_socket = o->control_socket ? o->control_socket : b->control_default,
                .control = { .open = control_server_open, .settle = control_server_settle,
                             .unit_dropped = control_server_unit_dropped, .close = control_server_close },
                .runtime_dir = o->notify_socket && o->control_socket ? NULL : runtime_dir,
                .startup = &b->startup,
                .system_mode = b->system_mode,
                .on_exit = end_action_from_option(o->on_exit),
                .pre_run_exec = split_command("pre-run-exec", o->pre_run_exec, &b->pre_run_w),
                .run_on_exit = split_command("run-on-exit", o->run_on_exit, &b->run_on_exit_w),
                .shutdown_report = o->shutdown_report,
                .before_kill_all = b->system_mode ? devices_before_kill_all : NULL,
                .main_env = b->main_env.n ? b->main_env.v : o->env.v,
                .main_working_directory = o->working_directory,
                .main_ctty = b->system_mode,
                .listen_fds = b->listen_fds,
                .listen_fdnames = b->listen_fdnames,
        };
        main_ids(b);
        b->config.syslog_socket = syslog_address(o, &b->config.syslog_default);
}

/* A set-up step failed before the loop: in system mode the machine ends the
 * configured way (never returning as its init), else vigil exits. */
static int setup_failed(struct boot *b, const char *what, int r) {
        log_error("cannot %s: %s", what, strerror(-r));
        char why[128];
        snprintf(why, sizeof(why), "cannot %s", what);
        if (b->system_mode)
                return fatal_end(&b->mc, b->config.on_exit, why);
        return EXIT_INTERNAL;
}

/* Steps 1 and 3: the event loop and signals, service output (SPEC §6),
 * reaping orphans, the container environment (before anything runs); the
 * units and the main command are loaded here, and started by
 * supervisor_run() (steps 4-7) once the startup scripts succeeded. Returns
 * an exit code or -1 to go on. */
static int phase_supervisor(struct boot *b) {
        build_config(b);
        int r = supervisor_init(&b->config);
        if (r < 0)
                return setup_failed(b, "set up the event loop and signals", r);
        struct outer_notify_env oe = { b->outer_notify, b->outer_wd_usec, b->outer_wd_pid };
        (void)outer_notify_init(&oe, os_getpid());
        r = output_init((enum log_format)b->o.log_format, STDOUT_FILENO);
        if (r < 0) {
                r = setup_failed(b, "set up service output", r);
                supervisor_free();
                return r;
        }
        /* Not PID 1: orphans must still come to us (SPEC §2). */
        if (os_getpid() != 1) {
                r = os_set_child_subreaper();
                if (r < 0)
                        log_warning("cannot become a child subreaper, orphans will not be reaped: %s",
                                    strerror(-r));
        }
        (void)startup_import_env(&b->startup);
        if (b->o.tmpfiles_root)
                (void)tmpfiles_apply(b->o.tmpfiles_root);   /* before any unit: /run/sshd and kin */
        r = supervisor_load_units();
        if (r < 0) {
                r = setup_failed(b, "load units", r);
                output_free();
                supervisor_free();
                return r;
        }
        if (b->o.command.n > 0)
                supervisor_set_main(b->o.command.v);
        return -1;
}

/* The hardware watchdog (SPEC §8): without a usable device vigil runs on.
 * Opened last: an early exit above must not leave it armed. */
static void phase_watchdog(struct boot *b) {
        struct hw_watchdog_config wdc = {
                .device = b->o.watchdog_device,
                .runtime_usec = b->o.runtime_watchdog_usec,
                .reboot_usec = b->o.reboot_watchdog_usec,
                .system_mode = b->system_mode,
        };
        (void)hw_watchdog_open(&wdc);
}

/* Steps 8-10: supervise until the end, then end: container mode returns the exit
 * code; system mode syncs, unmounts and ends the machine, and a hang waits
 * for a request. The hardware watchdog first: left armed for reboot(2),
 * disarmed (or, nowayout, petted on) for a hang (SPEC §7, §8). */
static int phase_run_and_end(struct boot *b) {
        int code = supervisor_run();
        output_flush();   /* the last lines of the units, bounded in time */
        postmortem_end(manager_find);  /* the failed unit's lines into the report, log files written */
        if (b->system_mode) {
                enum end_action action = supervisor_end_action();
                hw_watchdog_final(watchdog_final_of(action));
                while ((code = machine_end(&b->mc, action)) < 0) {
                        action = supervisor_hang();
                        hw_watchdog_final(watchdog_final_of(action));
                }
        } else {
                hw_watchdog_final(HW_WATCHDOG_FINAL_EXIT);   /* container mode: vigil exits */
                termination_log_write(b->o.termination_log, shutdown_report_reason(), code);
        }
        output_free();
        supervisor_free();
        return code;
}

int main(int argc, char **argv) {
        static struct boot b;
        options_init(&b.o);
        phase_mode(&b);
        if (!b.machine && list_unit_keys_requested(argc, argv))
                return list_unit_keys_print();   /* for tests/docs (hidden) */
        int code = phase_options(&b, argc, argv);
        if (code < 0) {
                phase_machine(&b);
                phase_release(&b);
                code = phase_supervisor(&b);
        }
        if (code < 0) {
                phase_watchdog(&b);
                /* ---- The point of no return: from here PID 1 only supervises. ---- */
                code = phase_run_and_end(&b);
        }
        boot_free(&b);
        return code;
}
