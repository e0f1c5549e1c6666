/* SPDX-License-Identifier: MIT */
/*
 * vigil's options (SPEC §3): one table drives the command line, the options
 * file and --help, so the three cannot drift. Parsing is pure: text in,
 * struct and error message out; reading the file is the caller's job.
 *
 * Precedence: the options file is parsed first, the command line over it;
 * a scalar given later wins, and a repeatable option given on the command
 * line replaces the file's list rather than adding to it. A "-- CMD" on the
 * command line replaces the file's "-- CMD" line.
 */
#ifndef VIGIL_CMD_OPTIONS_H
#define VIGIL_CMD_OPTIONS_H

#include "base/log_format.h"
#include "base/strv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum on_exit_action { ON_EXIT_REBOOT, ON_EXIT_POWEROFF, ON_EXIT_HALT, ON_EXIT_HANG };

/* In rising precedence (SPEC §3): a later source wins, and a list option
 * given by a higher source replaces the lower sources' list. */
enum option_source { OPTION_SOURCE_FILE, OPTION_SOURCE_COMMAND_LINE, OPTION_SOURCE_KERNEL };

/* With keep_going, a bad option is reported here and skipped, and parsing
 * goes on: PID 1 of a machine must boot even with a typo in its options.
 * line is the options file's line, 0 elsewhere. */
typedef void (*options_report_fn)(enum option_source source, unsigned line, const char *message);

#define OPTIONS_MAX 64

struct vigil_options {
        struct strv units, mounts, env;
        char *runit_dir, *startup_dir, *pre_run_exec, *run_on_exit;
        char *systemd_layout;          /* --systemd-layout ROOT|no */
        char *hostname_pattern, *uniqueid_exec, *ctty, *working_directory;
        char *watchdog_device, *shutdown_report, *control_socket, *notify_socket, *config;
        char *termination_log;         /* --termination-log FILE; "" or "none": off */
        char *syslog_socket;           /* --syslog-socket PATH; "none": off; NULL: the default */
        char *check_units;             /* --check-units DIR: load, report, exit */
        char *tmpfiles_root;           /* --tmpfiles ROOT: apply ROOT's tmpfiles.d at boot; NULL: off */
        char *clock_file, *core_pattern, *tty_options;
        bool update_clock, warn_unused_tty;
        char *cgroup_root;             /* --cgroup-root DIR or "off"; NULL: the mode's default */
        bool container_env, wait_ready, process_group, no_kill_all, system;
        bool help, version;
        uint64_t kill_all_timeout_usec, default_timeout_stop_usec;
        uint64_t stop_timeout_usec, drain_usec;
        uint64_t runtime_watchdog_usec, reboot_watchdog_usec;
        uint64_t uid, gid;
        /* The post-mortem (issue 16): --log-dir, --log-file-size, --log-file-count, --pmsg-device. */
        char *log_dir, *log_file_size, *pmsg_device;
        uint64_t log_file_count;
        int on_exit, log_format;
        int verbosity;                /* -v minus -q */
        struct strv command;       /* main command, empty if none */
        bool set[OPTIONS_MAX];        /* given explicitly, by table index */
        unsigned char list_source[OPTIONS_MAX]; /* 1 + the source of a list's items, 0 = none */
        /* Parsing mode, set by the caller before parsing: */
        bool init_argv;               /* argv is what the kernel gave init: a word that is not
                                       * an option is skipped (reported), a main command
                                       * needs "--" */
        options_report_fn report;     /* non-NULL: keep going past bad options */
};

struct options_error {
        char message[512];
};

void options_init(struct vigil_options *o);
void options_free(struct vigil_options *o);

/* Parse argv[0..argc) (no program name). Stops at "--" or the first word
 * that is not an option; the rest is the main command. */
int options_parse_args(struct vigil_options *o, int argc, char *const *argv,
                       enum option_source source, struct options_error *err);

/* The words of kcmdline_vigil_args() ("--NAME[=VALUE]"); a flag also takes
 * "=1|yes|true|on" (set) or "=0|no|false|off" (left as it was). */
int options_parse_kernel(struct vigil_options *o, char *const *words, size_t n, struct options_error *err);

/* Parse an options file's text; on error *ret_line is the 1-based line. */
int options_parse_file(struct vigil_options *o, const char *text, unsigned *ret_line,
                       struct options_error *err);

/* Find the value of --config in argv without parsing anything else; NULL if
 * not given. -EINVAL (err set) if --config has no value. */
int options_find_config(int argc, char *const *argv, const char **ret, struct options_error *err);

/* Fill every option not given explicitly with its mode's default. */
void options_apply_defaults(struct vigil_options *o, bool system_mode);

/* Whether the option of this long name was given by any source. */
bool options_is_set(const struct vigil_options *o, const char *name);

/* Names of options that were given but whose feature is not built yet. */
size_t options_unsupported_given(const struct vigil_options *o, const char **ret, size_t max);

/* For translators of other inits' options (cmd/erlinit_opts): the long name
 * of vigil's option NAME (len bytes, exact) or, with len 0, of the short
 * letter; NULL if vigil has none. *ret_takes_value: whether it takes a value. */
const char *options_lookup(const char *name, size_t len, char short_name, bool *ret_takes_value);

void options_print_help(int fd);

/* A size as --log-file-size takes it: bytes, or with K, M or G (1024
 * based). 0 or -EINVAL. */
int options_parse_size(const char *text, uint64_t *ret);

#endif
