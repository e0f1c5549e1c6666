/* SPDX-License-Identifier: MIT */
/*
 * The loaded form of one NAME.service (SPEC §4): plain data, filled by
 * unit_load.c from unit files and drop-ins, read by the supervisor. Times are
 * usec (TIMESPAN_INFINITY = "infinity"); unset optional values have the
 * documented default applied by unit_config_init(), so readers never guess.
 */
#ifndef VIGIL_UNIT_UNIT_CONFIG_H
#define VIGIL_UNIT_UNIT_CONFIG_H

#include "unit/restart_policy.h"

#include "unit/exec_dirs.h"
#include "unit/unit_condition.h"
#include "unit/exec_line.h"
#include "unit/probe_schedule.h"
#include "base/inet_target.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

enum service_type { SERVICE_SIMPLE, SERVICE_EXEC, SERVICE_NOTIFY, SERVICE_ONESHOT, SERVICE_FORKING, SERVICE_TYPE_MAX };
enum kill_mode { KILL_CONTROL_GROUP, KILL_MIXED, KILL_PROCESS, KILL_NONE, KILL_MODE_MAX };
/* OOMPolicy= (systemd.service(5)): what an OOM kill in the unit's cgroup does. */
enum oom_policy { OOM_POLICY_STOP, OOM_POLICY_CONTINUE, OOM_POLICY_KILL, OOM_POLICY_MAX };
enum notify_access { NOTIFY_NONE, NOTIFY_MAIN, NOTIFY_EXEC, NOTIFY_ALL, NOTIFY_ACCESS_MAX };
enum unit_action {
        ACTION_NONE, ACTION_REBOOT, ACTION_REBOOT_FORCE, ACTION_REBOOT_IMMEDIATE,
        ACTION_POWEROFF, ACTION_POWEROFF_FORCE, ACTION_POWEROFF_IMMEDIATE,
        ACTION_EXIT, ACTION_EXIT_FORCE,
        ACTION_HALT,        /* systemd's "halt"; also vigilctl halt */
        ACTION_MAX,
};
enum output_kind {
        OUTPUT_INHERIT, OUTPUT_NULL, OUTPUT_JOURNAL, OUTPUT_FILE, OUTPUT_APPEND, OUTPUT_TTY, OUTPUT_KIND_MAX
};
/* StandardInput= (systemd.exec(5)): the terminal is TTYPath=. */
enum input_kind { INPUT_NULL, INPUT_TTY, INPUT_TTY_FORCE, INPUT_TTY_FAIL, INPUT_KIND_MAX };

struct unit_dep_list {
        char **v;            /* unit names, e.g. "db.service" */
        size_t n;
};

struct unit_rlimit {
        bool set;
        struct rlimit value;   /* RLIM_INFINITY for "infinity" */
        const char *file;      /* where it was set (points into sources) */
        unsigned line;
};

#define UNIT_RLIMIT_MAX 16     /* indexes are RLIMIT_* values (RLIMIT_NLIMITS <= 16) */

struct unit_output {
        enum output_kind kind;
        char *path;          /* OUTPUT_FILE / OUTPUT_APPEND */
};

/* [X-Vigil] health probe (docs/DESIGN.md "Health probes"): at most one per unit. */
enum probe_kind { PROBE_NONE, PROBE_EXEC, PROBE_TCP, PROBE_HTTP, PROBE_KIND_MAX };
struct unit_probe {
        enum probe_kind kind;          /* default none */
        struct exec_command exec;      /* HealthExec= */
        struct inet_target target;     /* HealthTCP=, HealthHTTP= */
        char *http_host, *http_path;   /* HealthHTTP=: the Host: header and the path */
        struct probe_timing timing;    /* HealthInterval=, HealthTimeout=, HealthStartPeriod=,
                                        * HealthStartInterval=, HealthRetries= (Docker's defaults) */
        const char *file;              /* where the probe was set, for the whole-unit checks */
        unsigned line;
};

struct unit_config {
        char *name;                    /* "web.service" */
        char **sources;                /* files read, in order: unit file, then drop-ins */
        size_t n_sources;
        uint64_t fingerprint;          /* of the sources' paths and bytes: equal means same definition */

        /* [Unit] */
        char *description;
        struct unit_dep_list after, before, requires, wants, binds_to, part_of;
        uint64_t start_limit_interval_usec;   /* default 10 s */
        unsigned start_limit_burst;           /* default 5 */
        enum unit_action start_limit_action, failure_action, success_action;

        /* [Service] */
        enum service_type type;        /* default simple */
        char *pid_file;
        struct exec_list exec_start_pre, exec_start, exec_start_post, exec_reload, exec_stop, exec_stop_post;
        bool remain_after_exit;
        struct restart_config restart; /* mode default no; success/prevent/force sets */
        uint64_t restart_usec;         /* default 100 ms */
        unsigned restart_steps;        /* default 0 */
        uint64_t restart_max_delay_usec; /* default infinity */
        uint64_t timeout_start_usec, timeout_stop_usec; /* default: manager's (set by caller); 0 here = unset */
        bool timeout_start_set, timeout_stop_set;
        uint64_t watchdog_usec;        /* 0 = off */
        int watchdog_signal;           /* default SIGABRT */
        struct unit_probe probe;       /* [X-Vigil] Health*= */
        enum notify_access notify_access; /* default none; main for Type=notify unless set */
        bool notify_access_set;
        enum kill_mode kill_mode;      /* default control-group */
        int kill_signal;               /* default SIGTERM */
        bool send_sigkill;             /* default yes */
        char **environment;            /* "KEY=VALUE", later wins for a key; NULL-terminated when n > 0 */
        size_t n_environment;
        char **environment_files;      /* raw values, "-" prefix = optional */
        size_t n_environment_files;
        char *working_directory;       /* "-" prefix = optional; "~" = home */
        char *user, *group;
        char **supplementary_groups;
        size_t n_supplementary_groups;
        mode_t umask;                  /* default 0022 */
        bool umask_set;
        int nice;
        bool nice_set;
        struct unit_rlimit limits[UNIT_RLIMIT_MAX];
        bool no_new_privileges;
        struct unit_output standard_output, standard_error; /* default journal / inherit(=stdout) */
        char *syslog_identifier;
        uint64_t memory_max;           /* bytes; UINT64_MAX = infinity/unset */
        uint64_t tasks_max;            /* UINT64_MAX = infinity/unset */
        uint64_t cpu_weight;           /* 0 = unset; 1..10000 */

        /* RuntimeDirectory= ... ConfigurationDirectory=, their *Mode=,
         * RuntimeDirectoryPreserve= (unit/exec_dirs.h) */
        struct exec_dirs exec_dirs;
        uint64_t memory_high;          /* bytes; UINT64_MAX = infinity/unset */
        uint64_t cpu_quota_usec;       /* CPUQuota=: CPU time per second of wall time; 0 = unset */
        uint64_t io_weight;            /* 0 = unset; 1..10000 */
        /* Condition*=, Assert*= (ConditionPathExists= too), unit/unit_condition.h */
        struct unit_conditions conditions;
        bool default_dependencies;     /* DefaultDependencies=, default yes; only shapes target ordering */
        bool send_sighup;              /* SendSIGHUP=: SIGHUP right after KillSignal=, default no */
        char **unset_environment;      /* UnsetEnvironment=: "NAME" or "NAME=VALUE" */
        size_t n_unset_environment;
        enum oom_policy oom_policy;    /* OOMPolicy=, default stop (DefaultOOMPolicy=) */

        /* Issue 15 point 6 (supervise/manager_relations.c, docs/UNITS.md). */
        struct unit_dep_list conflicts;       /* Conflicts=: starting one stops the other, both ways */
        struct unit_dep_list on_failure;      /* OnFailure=: started when this one fails */
        struct unit_dep_list on_success;      /* OnSuccess=: started when this one goes inactive */
        struct exec_list exec_condition;      /* ExecCondition=: before ExecStartPre=; 1..254 skips */
        enum input_kind standard_input;       /* default null */
        char *tty_path;                       /* TTYPath=; NULL = /dev/console */
        bool standard_output_set;             /* StandardOutput= written: a tty stdin leaves it */
        bool tty_reset;                       /* TTYReset=: sane terminal settings before exec, default no */
};

/* All the defaults of a unit are set here, in three steps, and nowhere
 * else (systemd.unit(5), systemd.service(5), systemd.exec(5),
 * systemd.kill(5), systemd-system.conf(5)):
 *  1. unit_config_init(): every key's own default, before any file is read
 *     (also what an empty assignment puts back);
 *  2. unit_config_apply_derived_defaults(): after the files, the defaults
 *     that depend on other settings (systemd's service_add_extras());
 *  3. unit_config_apply_manager_defaults(): when the manager adopts the
 *     unit, TimeoutStartSec=/TimeoutStopSec= from its own configuration
 *     (--default-timeout-stop-sec; DefaultTimeoutStartSec= has no option).
 * A runit service directory starts from unit_config_init_runit(). */
void unit_config_init(struct unit_config *c);
void unit_config_free(struct unit_config *c);

/* systemd-system.conf(5) DefaultTimeoutStartSec=. */
#define UNIT_DEFAULT_TIMEOUT_START_USEC (90 * UINT64_C(1000000))

/* NotifyAccess=main for Type=notify and for WatchdogSec= unless written
 * (systemd does this even when none was given); a Type=oneshot without
 * TimeoutStartSec= gets infinity (and _set = true). */
void unit_config_apply_derived_defaults(struct unit_config *c);
/* TimeoutStartSec= / TimeoutStopSec= not set get the manager's (a oneshot
 * no start timeout); 0 then means "no timeout", as for the keys. */
void unit_config_apply_manager_defaults(struct unit_config *c, uint64_t timeout_start_usec,
                                        uint64_t timeout_stop_usec);
/* A runit service (runit_dir.h): restarted always, never given up on
 * (StartLimitIntervalSec=0), as runsv does; the rest as unit_config_init(). */
void unit_config_init_runit(struct unit_config *c);

const char *service_type_to_string(enum service_type t);
const char *kill_mode_to_string(enum kill_mode m);
const char *notify_access_to_string(enum notify_access a);
const char *unit_action_to_string(enum unit_action a);
const char *output_kind_to_string(enum output_kind k);
const char *input_kind_to_string(enum input_kind k);
/* TTYPath=, or its default. */
const char *unit_config_tty_path(const struct unit_config *c);
const char *probe_kind_to_string(enum probe_kind k);

/* The systemd spelling -> enum value; -EINVAL if unknown. */
int service_type_from_string(const char *s);
int kill_mode_from_string(const char *s);
const char *oom_policy_to_string(enum oom_policy p);
int oom_policy_from_string(const char *s);
int notify_access_from_string(const char *s);
int unit_action_from_string(const char *s);

/* A plain or instance unit name of a known type ("db.service",
 * "getty@tty1.service", "network.target"), as systemd's
 * unit_name_is_valid(PLAIN | INSTANCE). */
bool unit_name_is_valid(const char *name);

#endif
