/* SPDX-License-Identifier: MIT */
#include "unit/unit_load.h"

#include "os/files.h"
#include "supervise/unit_source.h"

#include "base/timespan.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define PREFIX "[Service]\nExecStart=/bin/true\n"   /* the key under test is on line 3 */

static const char *fixtures(void) {
        const char *dir = getenv("VIGIL_FIXTURES");
        return dir ? dir : "tests/fixtures/units";
}

static int load_text(const char *text, struct unit_config *c, struct unit_diags *d) {
        struct unit_source s = { "t.service", text, strlen(text) };
        return unit_load_from_texts("t.service", &s, 1, c, d);
}

static void dump_diags(const char *what, const struct unit_diags *d) {
        char buf[512];
        for (size_t i = 0; i < d->n; i++)
                print_message("%s: %s\n", what, unit_diag_format(&d->v[i], buf, sizeof(buf)));
}

/* ---- defaults ---------------------------------------------------------------- */

static void defaults_are_systemds(void **state) {
        struct unit_config c;
        (void)state;
        unit_config_init(&c);
        assert_int_equal(c.type, SERVICE_SIMPLE);
        assert_int_equal(c.restart.mode, RESTART_NO);
        assert_true(c.restart_usec == 100 * USEC_PER_MSEC);
        assert_true(c.restart_max_delay_usec == TIMESPAN_INFINITY);
        assert_true(c.start_limit_interval_usec == 10 * USEC_PER_SEC);
        assert_int_equal(c.start_limit_burst, 5);
        assert_int_equal(c.start_limit_action, ACTION_NONE);
        assert_false(c.timeout_start_set);
        assert_false(c.timeout_stop_set);
        assert_true(c.watchdog_usec == 0);
        assert_int_equal(c.watchdog_signal, SIGABRT);
        assert_int_equal(c.kill_signal, SIGTERM);
        assert_int_equal(c.kill_mode, KILL_CONTROL_GROUP);
        assert_int_equal(c.notify_access, NOTIFY_NONE);
        assert_true(c.send_sigkill);
        assert_int_equal(c.umask, 0022);
        assert_int_equal(c.standard_output.kind, OUTPUT_JOURNAL);
        assert_int_equal(c.standard_error.kind, OUTPUT_INHERIT);
        assert_true(c.memory_max == UINT64_MAX);
        assert_true(c.tasks_max == UINT64_MAX);
        assert_true(c.cpu_weight == 0);
        for (int i = 0; i < UNIT_RLIMIT_MAX; i++)
                assert_false(c.limits[i].set);
        unit_config_free(&c);
}

/* Steps 2 and 3 of unit_config.h: derived, then the manager's timeouts. */
static void derived_and_manager_defaults_follow_systemd(void **state) {
        static const struct {
                enum service_type type;
                bool start_set, stop_set;
                uint64_t start, stop, watchdog;             /* as written */
                uint64_t manager_start, manager_stop;        /* --default-timeout-* */
                uint64_t want_start, want_stop;
                enum notify_access want_notify;
        } cases[] = {
                { SERVICE_SIMPLE, false, false, 0, 0, 0, 90 * USEC_PER_SEC, 5 * USEC_PER_SEC, 90 * USEC_PER_SEC,
                  5 * USEC_PER_SEC, NOTIFY_NONE },
                { SERVICE_NOTIFY, false, false, 0, 0, 0, 7, 8, 7, 8, NOTIFY_MAIN },
                { SERVICE_SIMPLE, false, false, 0, 0, USEC_PER_SEC, 7, 8, 7, 8, NOTIFY_MAIN },
                { SERVICE_ONESHOT, false, false, 0, 0, 0, 7, 8, TIMESPAN_INFINITY, 8, NOTIFY_NONE },
                { SERVICE_ONESHOT, true, false, 3, 0, 0, 7, 8, 3, 8, NOTIFY_NONE },
                { SERVICE_SIMPLE, true, true, 3, 4, 0, 7, 8, 3, 4, NOTIFY_NONE },
                { SERVICE_SIMPLE, true, true, 0, 0, 0, 7, 8, TIMESPAN_INFINITY, TIMESPAN_INFINITY, NOTIFY_NONE },
                { SERVICE_SIMPLE, false, false, 0, 0, 0, 0, 0, TIMESPAN_INFINITY, TIMESPAN_INFINITY, NOTIFY_NONE },
        };
        (void)state;
        assert_true(UNIT_DEFAULT_TIMEOUT_START_USEC == 90 * USEC_PER_SEC);   /* DefaultTimeoutStartSec= */
        for (size_t i = 0; i < N(cases); i++) {
                struct unit_config c;
                unit_config_init(&c);
                c.type = cases[i].type;
                c.timeout_start_set = cases[i].start_set;
                c.timeout_start_usec = cases[i].start;
                c.timeout_stop_set = cases[i].stop_set;
                c.timeout_stop_usec = cases[i].stop;
                c.watchdog_usec = cases[i].watchdog;
                unit_config_apply_derived_defaults(&c);
                unit_config_apply_manager_defaults(&c, cases[i].manager_start, cases[i].manager_stop);
                if (c.timeout_start_usec != cases[i].want_start || c.timeout_stop_usec != cases[i].want_stop ||
                    c.notify_access != cases[i].want_notify)
                        fail_msg("case %zu: start %llu stop %llu notify %d", i, (unsigned long long)c.timeout_start_usec,
                                 (unsigned long long)c.timeout_stop_usec, (int)c.notify_access);
                unit_config_free(&c);
        }
}

static void runit_services_restart_always_and_never_give_up(void **state) {
        struct unit_config c;
        (void)state;
        unit_config_init_runit(&c);
        assert_int_equal(c.restart.mode, RESTART_ALWAYS);
        assert_true(c.start_limit_interval_usec == 0);
        assert_true(c.restart_usec == 100 * USEC_PER_MSEC);   /* systemd's, not runsv's 1 s */
        assert_int_equal(c.kill_mode, KILL_CONTROL_GROUP);
        unit_config_free(&c);
}

static void name_tables_round_trip(void **state) {
        (void)state;
        for (int i = 0; i < SERVICE_TYPE_MAX; i++)
                assert_int_equal(service_type_from_string(service_type_to_string(i)), i);
        for (int i = 0; i < KILL_MODE_MAX; i++)
                assert_int_equal(kill_mode_from_string(kill_mode_to_string(i)), i);
        for (int i = 0; i < NOTIFY_ACCESS_MAX; i++)
                assert_int_equal(notify_access_from_string(notify_access_to_string(i)), i);
        for (int i = 0; i < ACTION_MAX; i++)
                assert_int_equal(unit_action_from_string(unit_action_to_string(i)), i);
        assert_int_equal(service_type_from_string("idle"), -EINVAL);
        assert_string_equal(output_kind_to_string(OUTPUT_APPEND), "append");
        assert_string_equal(service_type_to_string(SERVICE_TYPE_MAX), "invalid");
}

/* ---- one key at a time ----------------------------------------------------------- */

enum field {
        F_TYPE, F_RESTART, F_RESTART_USEC, F_RESTART_STEPS, F_RESTART_MAX_DELAY, F_START_LIMIT_INTERVAL,
        F_START_LIMIT_BURST, F_START_LIMIT_ACTION, F_FAILURE_ACTION, F_SUCCESS_ACTION, F_TIMEOUT_START,
        F_TIMEOUT_STOP, F_WATCHDOG, F_WATCHDOG_SIGNAL, F_KILL_SIGNAL, F_KILL_MODE, F_NOTIFY, F_SEND_SIGKILL,
        F_REMAIN, F_UMASK, F_NICE, F_NO_NEW_PRIVS, F_MEMORY_MAX, F_TASKS_MAX, F_CPU_WEIGHT, F_NOFILE_SOFT,
        F_NOFILE_HARD, F_CORE, F_CPU, F_RTTIME, F_RLIMIT_NICE, F_AS, F_MEMLOCK_SOFT, F_MEMLOCK_HARD, F_STDOUT,
        F_STDERR, F_STDIN, F_CONDITIONS,
};

static uint64_t get(const struct unit_config *c, enum field f) {
        switch (f) {
        case F_TYPE: return c->type;
        case F_RESTART: return c->restart.mode;
        case F_RESTART_USEC: return c->restart_usec;
        case F_RESTART_STEPS: return c->restart_steps;
        case F_RESTART_MAX_DELAY: return c->restart_max_delay_usec;
        case F_START_LIMIT_INTERVAL: return c->start_limit_interval_usec;
        case F_START_LIMIT_BURST: return c->start_limit_burst;
        case F_START_LIMIT_ACTION: return c->start_limit_action;
        case F_FAILURE_ACTION: return c->failure_action;
        case F_SUCCESS_ACTION: return c->success_action;
        case F_TIMEOUT_START: return c->timeout_start_set ? c->timeout_start_usec : 7;
        case F_TIMEOUT_STOP: return c->timeout_stop_set ? c->timeout_stop_usec : 7;
        case F_WATCHDOG: return c->watchdog_usec;
        case F_WATCHDOG_SIGNAL: return (uint64_t)c->watchdog_signal;
        case F_KILL_SIGNAL: return (uint64_t)c->kill_signal;
        case F_KILL_MODE: return c->kill_mode;
        case F_NOTIFY: return c->notify_access_set ? c->notify_access : 99;
        case F_SEND_SIGKILL: return c->send_sigkill;
        case F_REMAIN: return c->remain_after_exit;
        case F_UMASK: return c->umask_set ? c->umask : 99999;
        case F_NICE: return c->nice_set ? (uint64_t)(c->nice + 100) : 0;
        case F_NO_NEW_PRIVS: return c->no_new_privileges;
        case F_MEMORY_MAX: return c->memory_max;
        case F_TASKS_MAX: return c->tasks_max;
        case F_CPU_WEIGHT: return c->cpu_weight;
        case F_NOFILE_SOFT: return c->limits[RLIMIT_NOFILE].set ? c->limits[RLIMIT_NOFILE].value.rlim_cur : 7;
        case F_NOFILE_HARD: return c->limits[RLIMIT_NOFILE].set ? c->limits[RLIMIT_NOFILE].value.rlim_max : 7;
        case F_CORE: return c->limits[RLIMIT_CORE].set ? c->limits[RLIMIT_CORE].value.rlim_cur : 7;
        case F_CPU: return c->limits[RLIMIT_CPU].set ? c->limits[RLIMIT_CPU].value.rlim_cur : 7;
        case F_RTTIME: return c->limits[RLIMIT_RTTIME].set ? c->limits[RLIMIT_RTTIME].value.rlim_cur : 7;
        case F_RLIMIT_NICE: return c->limits[RLIMIT_NICE].set ? c->limits[RLIMIT_NICE].value.rlim_cur : 7;
        case F_AS: return c->limits[RLIMIT_AS].set ? c->limits[RLIMIT_AS].value.rlim_cur : 7;
        case F_MEMLOCK_SOFT: return c->limits[RLIMIT_MEMLOCK].set ? c->limits[RLIMIT_MEMLOCK].value.rlim_cur : 7;
        case F_MEMLOCK_HARD: return c->limits[RLIMIT_MEMLOCK].set ? c->limits[RLIMIT_MEMLOCK].value.rlim_max : 7;
        case F_STDOUT: return c->standard_output.kind;
        case F_STDERR: return c->standard_error.kind;
        case F_STDIN: return c->standard_input;
        case F_CONDITIONS: return c->exec_condition.n;
        }
        return 0;
}

#define SEC(n) ((uint64_t)(n) * USEC_PER_SEC)
#define KIB UINT64_C(1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define INF TIMESPAN_INFINITY

struct value_case {
        const char *lines;      /* after PREFIX; several lines allowed */
        enum field field;
        uint64_t want;
        const char *warning;    /* substring of the one expected warning, or NULL */
};

static const struct value_case values[] = {
        { "Type=simple", F_TYPE, SERVICE_SIMPLE, NULL },
        { "Type=exec", F_TYPE, SERVICE_EXEC, NULL },
        { "Type=notify", F_TYPE, SERVICE_NOTIFY, NULL },
        { "Type=oneshot", F_TYPE, SERVICE_ONESHOT, NULL },
        { "Type=forking\nPIDFile=/run/x.pid", F_TYPE, SERVICE_FORKING, NULL },
        { "Type=idle", F_TYPE, SERVICE_SIMPLE, "treated as Type=simple" },
        { "Type=dbus", F_TYPE, SERVICE_SIMPLE, "treated as Type=simple" },
        { "Type=notify-reload", F_TYPE, SERVICE_NOTIFY, "treated as Type=notify" },
        { "Type=notify\nType=", F_TYPE, SERVICE_SIMPLE, NULL },
        { "Restart=always", F_RESTART, RESTART_ALWAYS, NULL },
        { "Restart=on-success", F_RESTART, RESTART_ON_SUCCESS, NULL },
        { "Restart=on-failure", F_RESTART, RESTART_ON_FAILURE, NULL },
        { "Restart=on-abnormal", F_RESTART, RESTART_ON_ABNORMAL, NULL },
        { "Restart=on-abort", F_RESTART, RESTART_ON_ABORT, NULL },
        { "Restart=on-watchdog", F_RESTART, RESTART_ON_WATCHDOG, NULL },
        { "Restart=always\nRestart=no", F_RESTART, RESTART_NO, NULL },
        { "RestartSec=5", F_RESTART_USEC, SEC(5), NULL },
        { "RestartSec=250ms", F_RESTART_USEC, 250 * USEC_PER_MSEC, NULL },
        { "RestartSec=1min 30s", F_RESTART_USEC, SEC(90), NULL },
        { "RestartSec=0", F_RESTART_USEC, 0, NULL },
        { "RestartSec=3\nRestartSec=", F_RESTART_USEC, 100 * USEC_PER_MSEC, NULL },
        { "RestartSteps=10", F_RESTART_STEPS, 10, NULL },
        { "RestartMaxDelaySec=2min", F_RESTART_MAX_DELAY, SEC(120), NULL },
        { "RestartMaxDelaySec=infinity", F_RESTART_MAX_DELAY, INF, NULL },
        { "StartLimitInterval=30", F_START_LIMIT_INTERVAL, SEC(30), NULL },
        { "StartLimitBurst=0", F_START_LIMIT_BURST, 0, NULL },
        { "StartLimitAction=reboot-immediate", F_START_LIMIT_ACTION, ACTION_REBOOT_IMMEDIATE, NULL },
        { "FailureAction=poweroff-force", F_FAILURE_ACTION, ACTION_POWEROFF_FORCE, NULL },
        { "FailureAction=exit", F_FAILURE_ACTION, ACTION_EXIT, NULL },
        { "TimeoutStartSec=30", F_TIMEOUT_START, SEC(30), NULL },
        { "TimeoutStartSec=0", F_TIMEOUT_START, INF, NULL },
        { "TimeoutStartSec=infinity", F_TIMEOUT_START, INF, NULL },
        { "TimeoutStartSec=5\nTimeoutStartSec=", F_TIMEOUT_START, 7, NULL },
        { "TimeoutStopSec=1min", F_TIMEOUT_STOP, SEC(60), NULL },
        { "TimeoutSec=20", F_TIMEOUT_START, SEC(20), NULL },
        { "TimeoutSec=20", F_TIMEOUT_STOP, SEC(20), NULL },
        { "TimeoutSec=20\nTimeoutStopSec=3", F_TIMEOUT_START, SEC(20), NULL },
        { "TimeoutSec=20\nTimeoutStopSec=3", F_TIMEOUT_STOP, SEC(3), NULL },
        { "WatchdogSec=10s", F_WATCHDOG, SEC(10), NULL },
        { "WatchdogSec=infinity", F_WATCHDOG, 0, NULL },
        { "WatchdogSignal=SIGUSR2", F_WATCHDOG_SIGNAL, SIGUSR2, NULL },
        { "KillSignal=INT", F_KILL_SIGNAL, SIGINT, NULL },
        { "KillSignal=9", F_KILL_SIGNAL, SIGKILL, NULL },
        { "KillSignal=SIGRTMIN+2\nKillSignal=", F_KILL_SIGNAL, SIGTERM, NULL },
        { "KillMode=mixed", F_KILL_MODE, KILL_MIXED, NULL },
        { "KillMode=process", F_KILL_MODE, KILL_PROCESS, NULL },
        { "KillMode=none", F_KILL_MODE, KILL_NONE, NULL },
        { "NotifyAccess=all", F_NOTIFY, NOTIFY_ALL, NULL },
        { "NotifyAccess=exec", F_NOTIFY, NOTIFY_EXEC, NULL },
        { "NotifyAccess=all\nNotifyAccess=", F_NOTIFY, 99, NULL },
        { "SendSIGKILL=no", F_SEND_SIGKILL, 0, NULL },
        { "SendSIGKILL=off\nSendSIGKILL=", F_SEND_SIGKILL, 1, NULL },
        { "RemainAfterExit=yes", F_REMAIN, 1, NULL },
        { "RemainAfterExit=TRUE", F_REMAIN, 1, NULL },
        { "RemainAfterExit=on", F_REMAIN, 1, NULL },
        { "RemainAfterExit=1", F_REMAIN, 1, NULL },
        { "RemainAfterExit=y", F_REMAIN, 1, NULL },
        { "RemainAfterExit=1\nRemainAfterExit=false", F_REMAIN, 0, NULL },
        { "RemainAfterExit=1\nRemainAfterExit=0", F_REMAIN, 0, NULL },
        { "NoNewPrivileges=true", F_NO_NEW_PRIVS, 1, NULL },
        { "UMask=0077", F_UMASK, 0077, NULL },
        { "UMask=27", F_UMASK, 027, NULL },
        { "UMask=7777", F_UMASK, 07777, NULL },
        { "UMask=0077\nUMask=", F_UMASK, 99999, NULL },
        { "Nice=-20", F_NICE, 80, NULL },
        { "Nice=19", F_NICE, 119, NULL },
        { "Nice=+5", F_NICE, 105, NULL },
        { "Nice=0", F_NICE, 100, NULL },
        { "Nice=5\nNice=", F_NICE, 0, NULL },
        { "MemoryMax=512M", F_MEMORY_MAX, 512 * MIB, NULL },
        { "MemoryMax=1.5G", F_MEMORY_MAX, GIB + GIB / 2, NULL },
        { "MemoryMax=2T", F_MEMORY_MAX, 2 * KIB * GIB, NULL },
        { "MemoryMax=4096", F_MEMORY_MAX, 4096, NULL },
        { "MemoryMax=1G 512M", F_MEMORY_MAX, GIB + 512 * MIB, NULL },
        { "MemoryMax=infinity", F_MEMORY_MAX, UINT64_MAX, NULL },
        { "MemoryMax=50%", F_MEMORY_MAX, UINT64_MAX, "percentages" },
        { "MemoryMax=12.5%", F_MEMORY_MAX, UINT64_MAX, "percentages" },
        { "MemoryMax=1G\nMemoryMax=", F_MEMORY_MAX, UINT64_MAX, NULL },
        { "TasksMax=512", F_TASKS_MAX, 512, NULL },
        { "TasksMax=infinity", F_TASKS_MAX, UINT64_MAX, NULL },
        { "TasksMax=15%", F_TASKS_MAX, UINT64_MAX, "percentages" },
        { "CPUWeight=200", F_CPU_WEIGHT, 200, NULL },
        { "CPUWeight=10000", F_CPU_WEIGHT, 10000, NULL },
        { "CPUWeight=idle", F_CPU_WEIGHT, 0, "not supported" },
        { "LimitNOFILE=65536", F_NOFILE_SOFT, 65536, NULL },
        { "LimitNOFILE=65536", F_NOFILE_HARD, 65536, NULL },
        { "LimitNOFILE=1024:524288", F_NOFILE_SOFT, 1024, NULL },
        { "LimitNOFILE=1024:524288", F_NOFILE_HARD, 524288, NULL },
        { "LimitNOFILE=1024:infinity", F_NOFILE_HARD, RLIM_INFINITY, NULL },
        { "LimitNOFILE=infinity", F_NOFILE_SOFT, RLIM_INFINITY, NULL },
        { "LimitNOFILE=10\nLimitNOFILE=", F_NOFILE_SOFT, 7, NULL },
        { "LimitCORE=infinity", F_CORE, RLIM_INFINITY, NULL },
        { "LimitCORE=0", F_CORE, 0, NULL },
        { "LimitCORE=64K", F_CORE, 64 * KIB, NULL },
        { "LimitAS=4G", F_AS, 4 * GIB, NULL },
        { "LimitMEMLOCK=64M:128M", F_MEMLOCK_SOFT, 64 * MIB, NULL },
        { "LimitMEMLOCK=64M:128M", F_MEMLOCK_HARD, 128 * MIB, NULL },
        { "LimitCPU=30", F_CPU, 30, NULL },
        { "LimitCPU=1min", F_CPU, 60, NULL },
        { "LimitCPU=1500ms", F_CPU, 2, NULL },
        { "LimitRTTIME=500", F_RTTIME, 500, NULL },
        { "LimitRTTIME=1s", F_RTTIME, 1000000, NULL },
        { "LimitNICE=+0", F_RLIMIT_NICE, 20, NULL },
        { "LimitNICE=-20", F_RLIMIT_NICE, 40, NULL },
        { "LimitNICE=+19", F_RLIMIT_NICE, 1, NULL },
        { "LimitNICE=40", F_RLIMIT_NICE, 40, NULL },
        { "StandardOutput=null", F_STDOUT, OUTPUT_NULL, NULL },
        { "StandardOutput=inherit", F_STDOUT, OUTPUT_INHERIT, NULL },
        { "StandardOutput=syslog", F_STDOUT, OUTPUT_JOURNAL, NULL },
        { "StandardOutput=journal+console", F_STDOUT, OUTPUT_JOURNAL, NULL },
        { "StandardOutput=kmsg", F_STDOUT, OUTPUT_JOURNAL, "kernel log" },
        { "StandardOutput=tty", F_STDOUT, OUTPUT_TTY, NULL },
        { "StandardOutput=file:/var/log/x.log", F_STDOUT, OUTPUT_FILE, NULL },
        { "StandardInput=null", F_STDIN, INPUT_NULL, NULL },
        { "StandardInput=tty", F_STDIN, INPUT_TTY, NULL },
        { "StandardInput=tty-force", F_STDIN, INPUT_TTY_FORCE, NULL },
        { "StandardInput=tty-fail", F_STDIN, INPUT_TTY_FAIL, NULL },
        { "StandardInput=tty\nStandardInput=", F_STDIN, INPUT_NULL, NULL },
        { "StandardInput=socket", F_STDIN, INPUT_NULL, "using null" },
        { "StandardInput=tty", F_STDOUT, OUTPUT_TTY, NULL },            /* systemd's inherit: the terminal */
        { "StandardInput=tty\nStandardOutput=journal", F_STDOUT, OUTPUT_JOURNAL, NULL },
        { "StandardOutput=journal\nStandardInput=tty-fail", F_STDOUT, OUTPUT_JOURNAL, NULL },
        { "ExecCondition=/bin/true\nExecCondition=-/bin/false", F_CONDITIONS, 2, NULL },
        { "ExecCondition=/bin/true\nExecCondition=", F_CONDITIONS, 0, NULL },
        { "StandardError=append:/var/log/x.err", F_STDERR, OUTPUT_APPEND, NULL },
        { "StandardError=null\nStandardError=", F_STDERR, OUTPUT_INHERIT, NULL },
};

static void parses_every_key_value(void **state) {
        (void)state;
        for (size_t i = 0; i < N(values); i++) {
                char text[512];
                struct unit_config c;
                struct unit_diags d = { 0 };
                snprintf(text, sizeof(text), PREFIX "%s\n", values[i].lines);
                int r = load_text(text, &c, &d);
                if (r != 0) {
                        dump_diags(values[i].lines, &d);
                        fail_msg("'%s': %d", values[i].lines, r);
                }
                if (get(&c, values[i].field) != values[i].want)
                        fail_msg("'%s': got %llu, want %llu", values[i].lines,
                                 (unsigned long long)get(&c, values[i].field), (unsigned long long)values[i].want);
                if (values[i].warning ? d.n != 1 || !strstr(d.v[0].message, values[i].warning) : d.n != 0) {
                        dump_diags(values[i].lines, &d);
                        fail_msg("'%s': unexpected diagnostics", values[i].lines);
                }
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

struct string_case {
        const char *lines;
        size_t offset;          /* of a char * field */
        const char *want;       /* NULL = unset */
        const char *warning;
};

#define S(field) offsetof(struct unit_config, field)

static const struct string_case strings[] = {
        { "[Unit]\nDescription=Web front end", S(description), "Web front end", NULL },
        { "[Service]\nTTYPath=/dev/tty%i", S(tty_path), "/dev/tty", NULL },
        { "[Service]\nTTYPath=/dev/tty1\nTTYPath=", S(tty_path), NULL, NULL },
        { "[Unit]\nDescription=Runs %n (%N)", S(description), "Runs t.service (t)", NULL },
        { "[Unit]\nDescription=100% busy", S(description), "100% busy", "keeping the text" },
        { "[Unit]\nDescription=x\nDescription=", S(description), NULL, NULL },
        { "PIDFile=/run/app.pid", S(pid_file), "/run/app.pid", NULL },
        { "PIDFile=app.pid", S(pid_file), "/run/app.pid", NULL },
        { "PIDFile=/var/run/app.pid", S(pid_file), "/run/app.pid", "legacy directory" },
        { "User=www-data", S(user), "www-data", NULL },
        { "User=1000", S(user), "1000", NULL },
        { "Group=0", S(group), "0", NULL },
        { "User=%p", S(user), "t", NULL },
        { "WorkingDirectory=/srv/app", S(working_directory), "/srv/app", NULL },
        { "WorkingDirectory=-/srv/maybe", S(working_directory), "-/srv/maybe", NULL },
        { "WorkingDirectory=~", S(working_directory), "~", NULL },
        { "WorkingDirectory=%S/app", S(working_directory), "/var/lib/app", NULL },
        { "SyslogIdentifier=webapp", S(syslog_identifier), "webapp", NULL },
        { "StandardOutput=file:/var/log/%N.log", S(standard_output.path), "/var/log/t.log", NULL },
        { "StandardOutput=file:/x\nStandardOutput=journal", S(standard_output.path), NULL, NULL },
};

static void parses_string_keys(void **state) {
        (void)state;
        for (size_t i = 0; i < N(strings); i++) {
                char text[512];
                struct unit_config c;
                struct unit_diags d = { 0 };
                snprintf(text, sizeof(text), PREFIX "%s\n", strings[i].lines);
                int r = load_text(text, &c, &d);
                if (r != 0) {
                        dump_diags(strings[i].lines, &d);
                        fail_msg("'%s': %d", strings[i].lines, r);
                }
                const char *got = *(char **)((char *)&c + strings[i].offset);
                if (strings[i].want ? !got || strcmp(got, strings[i].want) != 0 : got != NULL)
                        fail_msg("'%s': got '%s'", strings[i].lines, got ? got : "(null)");
                if (strings[i].warning ? d.n != 1 || !strstr(d.v[0].message, strings[i].warning) : d.n != 0) {
                        dump_diags(strings[i].lines, &d);
                        fail_msg("'%s': unexpected diagnostics", strings[i].lines);
                }
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

struct bad_case {
        const char *line;       /* after PREFIX, on line 3 ([Unit] keys: after "[Unit]", on line 4) */
        const char *error;      /* substring of the message */
};

static const struct bad_case bad[] = {
        { "Type=daemon", "expected one of simple, exec, notify, oneshot or forking" },
        { "StandardInput=keyboard", "expected null, tty, tty-force, tty-fail" },
        { "TTYPath=tty1", "expected an absolute path" },
        { "ExecCondition=/bin/sh -c \"exit 1", "unbalanced quoting" },
        { "Restart=sometimes", "expected one of no, always, on-success" },
        { "Restart=Always", "expected one of" },
        { "RestartSec=5 parsecs", "expected a time span" },
        { "RestartSec=-1", "expected a time span" },
        { "TimeoutStartSec=soon", "expected a time span" },
        { "TimeoutSec=1x", "expected a time span" },
        { "WatchdogSec=abc", "expected a time span" },
        { "StartLimitInterval=5 apples", "expected a time span" },
        { "StartLimitBurst=-1", "expected a number" },
        { "StartLimitBurst=99999999999", "expected a number" },
        { "RestartSteps=many", "expected a number" },
        { "StartLimitAction=halt-force", "not supported by vigil" },
        { "FailureAction=explode", "expected one of none, reboot" },
        { "FailureAction=kexec", "not supported by vigil" },
        { "RemainAfterExit=maybe", "expected a boolean" },
        { "SendSIGKILL=2", "expected a boolean" },
        { "KillSignal=SIGFOO", "expected a signal name" },
        { "KillSignal=0", "expected a signal name" },
        { "WatchdogSignal=65", "expected a signal name" },
        { "KillMode=all", "expected one of control-group, mixed, process or none" },
        { "NotifyAccess=everyone", "expected one of none, main, exec or all" },
        { "SuccessExitStatus=256", "out of range 0-255" },
        { "SuccessExitStatus=1 2 NOPE", "'NOPE' is neither an exit code" },
        { "RestartPreventExitStatus=-1", "neither an exit code" },
        { "UMask=0888", "octal mode" },
        { "UMask=17777", "octal mode" },
        { "UMask=u=rwx", "octal mode" },
        { "Nice=20", "nice level from -20 to 19" },
        { "Nice=-21", "nice level" },
        { "Nice=high", "nice level" },
        { "LimitNOFILE=lots", "expected a number or infinity" },
        { "LimitNOFILE=2048:1024", "soft limit is higher than the hard limit" },
        { "LimitNOFILE=1:", "expected SOFT:HARD" },
        { "LimitNOFILE=-1", "expected a number" },
        { "LimitCORE=1X", "a size in bytes" },
        { "LimitCORE=1k", "a size in bytes" },
        { "LimitCORE=1K 1M", "a size in bytes" },
        { "LimitCPU=fast", "a time span" },
        { "LimitNICE=+20", "nice level" },
        { "LimitNICE=41", "nice level" },
        { "LimitNICE=infinity", "nice level" },
        { "MemoryMax=0", "above 0" },
        { "MemoryMax=lots", "expected a size" },
        { "MemoryMax=150%", "expected a size" },
        { "MemoryMax=1Q", "expected a size" },
        { "TasksMax=0", "above 0" },
        { "TasksMax=-5", "above 0" },
        { "CPUWeight=0", "weight from 1 to 10000" },
        { "CPUWeight=10001", "weight from 1 to 10000" },
        { "StandardOutput=console", "expected inherit, null, journal" },
        { "StandardOutput=file:relative.log", "must be absolute" },
        { "StandardError=truncate:/x", "not supported by vigil" },
        { "StandardError=socket", "not supported by vigil" },
        { "StandardOutput=fd:logs", "not supported by vigil" },
        { "User=-oops", "expected a user name" },
        { "User=a:b", "expected a user name" },
        { "User=4294967295", "expected a user name" },
        { "Group=with space", "expected a group name" },
        { "SupplementaryGroups=wheel a/b", "'a/b' is not a valid group" },
        { "WorkingDirectory=relative/dir", "absolute path or '~'" },
        { "EnvironmentFile=relative.env", "must be absolute" },
        { "EnvironmentFile=-relative.env", "must be absolute" },
        { "Environment=NOEQUALS", "not a KEY=VALUE assignment" },
        { "Environment=1A=x", "not a KEY=VALUE assignment" },
        { "Environment=\"A=1", "unbalanced quoting" },
        { "Environment=A=%b", "specifier '%b' is not supported" },
        { "ConditionPathExists=relative", "must be absolute" },
        { "ConditionPathExists=|!relative", "must be absolute" },
        { "ExecStartPre=/bin/echo \"open", "unbalanced quoting" },
        { "ExecStop=/bin/a ; /bin/b", "';' as a command separator" },
        { "ExecReload=%m", "specifier '%m' is not supported" },
        { "PIDFile=%b.pid", "specifier '%b'" },
};

static void rejects_malformed_values_with_file_line_and_key(void **state) {
        (void)state;
        for (size_t i = 0; i < N(bad); i++) {
                char text[512], key[64];
                struct unit_config c;
                struct unit_diags d = { 0 };
                snprintf(key, sizeof(key), "%.*s", (int)strcspn(bad[i].line, "="), bad[i].line);
                bool in_unit = unit_load_key_known("Unit", key) && !unit_load_key_known("Service", key);
                snprintf(text, sizeof(text), PREFIX "%s%s\n", in_unit ? "[Unit]\n" : "", bad[i].line);
                strcat(key, "=");
                int r = load_text(text, &c, &d);
                if (r != -EINVAL || d.n_errors != 1 || d.v[0].severity != UNIT_DIAG_ERROR ||
                    d.v[0].line != (in_unit ? 4u : 3u) ||
                    strcmp(d.v[0].file, "t.service") != 0 || strncmp(d.v[0].message, key, strlen(key)) != 0 ||
                    !strstr(d.v[0].message, bad[i].error)) {
                        dump_diags(bad[i].line, &d);
                        fail_msg("'%s': %d", bad[i].line, r);
                }
                assert_null(c.name);   /* a refused unit is freed */
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

static void collects_every_error_in_one_pass(void **state) {
        const char *text = "[Service]\nType=nope\nExecStart=/bin/true\nRestart=sometimes\nNice=99\n"
                           "Bogus=1\nRestartSec=x\n";
        struct unit_config c;
        struct unit_diags d = { 0 };
        unsigned lines[] = { 2, 4, 5, 6, 7 };
        (void)state;
        assert_int_equal(load_text(text, &c, &d), -EINVAL);
        assert_int_equal(d.n_errors, 4);
        assert_int_equal(d.n_warnings, 1);
        assert_int_equal(d.n, N(lines));
        for (size_t i = 0; i < N(lines); i++)
                assert_int_equal(d.v[i].line, lines[i]);
        assert_int_equal(d.v[3].severity, UNIT_DIAG_WARNING);
        unit_config_free(&c);
        unit_diags_free(&d);
}

/* ---- lists, overrides, resets --------------------------------------------------------- */

static void lists_accumulate_and_empty_assignments_reset(void **state) {
        const char *text =
                "[Unit]\n"
                "After=a.service b.target\nAfter=c.service a.service\n"
                "Wants=x.service\nWants=\nWants=y.service\n"
                "ConditionPathExists=/etc/a\nConditionPathExists=|!/etc/b\n"
                "[Service]\n"
                "ExecStartPre=/bin/one\nExecStartPre=-/bin/two\n"
                "ExecStart=/bin/old\nExecStart=\nExecStart=/bin/new --flag\n"
                "ExecStop=/bin/stop\nExecStop=\n"
                "Environment=A=1 B=2\nEnvironment=\"C=three four\" A=5\n"
                "EnvironmentFile=/etc/a.env\nEnvironmentFile=-/etc/b.env\n"
                "SuccessExitStatus=1 2 SIGUSR1\nSuccessExitStatus=\nSuccessExitStatus=3 TERM\n"
                "RestartForceExitStatus=42\nRestartPreventExitStatus=SIGKILL 255\n"
                "SupplementaryGroups=audio video\nSupplementaryGroups=dialout\n";
        struct unit_config c;
        struct unit_diags d = { 0 };
        struct exit_info code1 = { true, 1, 0 }, code3 = { true, 3, 0 }, term = { false, 0, SIGTERM },
                         usr1 = { false, 0, SIGUSR1 }, code42 = { true, 42, 0 }, kill9 = { false, 0, SIGKILL },
                         code255 = { true, 255, 0 };
        (void)state;
        assert_int_equal(load_text(text, &c, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(c.after.n, 3);
        assert_string_equal(c.after.v[0], "a.service");
        assert_string_equal(c.after.v[1], "b.target");
        assert_string_equal(c.after.v[2], "c.service");
        assert_null(c.after.v[3]);
        assert_int_equal(c.wants.n, 1);
        assert_string_equal(c.wants.v[0], "y.service");
        assert_int_equal(c.conditions.n, 2);
        assert_string_equal(c.conditions.v[1].value, "/etc/b");
        assert_true(c.conditions.v[1].trigger && c.conditions.v[1].negate);
        assert_int_equal(c.conditions.v[1].kind, COND_PATH_EXISTS);
        assert_int_equal(c.exec_start_pre.n, 2);
        assert_true(c.exec_start_pre.v[1].flags & EXEC_FLAG_IGNORE_FAILURE);
        assert_int_equal(c.exec_start.n, 1);
        assert_string_equal(c.exec_start.v[0].path, "/bin/new");
        assert_string_equal(c.exec_start.v[0].argv[1], "--flag");
        assert_int_equal(c.exec_start.v[0].line, 14);
        assert_int_equal(c.exec_stop.n, 0);
        assert_int_equal(c.n_environment, 3);
        assert_string_equal(c.environment[0], "A=5");
        assert_string_equal(c.environment[1], "B=2");
        assert_string_equal(c.environment[2], "C=three four");
        assert_null(c.environment[3]);
        assert_int_equal(c.n_environment_files, 2);
        assert_string_equal(c.environment_files[1], "-/etc/b.env");
        assert_false(exit_status_set_contains(&c.restart.success, &code1));
        assert_false(exit_status_set_contains(&c.restart.success, &usr1));
        assert_true(exit_status_set_contains(&c.restart.success, &code3));
        assert_true(exit_status_set_contains(&c.restart.success, &term));
        assert_true(exit_status_set_contains(&c.restart.force, &code42));
        assert_true(exit_status_set_contains(&c.restart.prevent, &kill9));
        assert_true(exit_status_set_contains(&c.restart.prevent, &code255));
        assert_int_equal(c.n_supplementary_groups, 3);
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void empty_dependency_assignment_resets(void **state) {
        const char *text = "[Unit]\nAfter=a.service\nAfter=\nBefore=b.service\nRequires=c.service\nRequires=\n"
                           "BindsTo=d.service\nPartOf=e.service\n" PREFIX;
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text(text, &c, &d), 0);
        assert_int_equal(c.after.n, 0);
        assert_null(c.after.v);
        assert_int_equal(c.before.n, 1);
        assert_int_equal(c.requires.n, 0);
        assert_int_equal(c.binds_to.n, 1);
        assert_string_equal(c.part_of.v[0], "e.service");
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void invalid_dependency_names_are_warnings(void **state) {
        const char *text = "[Unit]\nAfter=network nope.socket.bad ok.service %b.service getty@tty1.service "
                           "x@.service\n" PREFIX;
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text(text, &c, &d), 0);
        assert_int_equal(d.n_warnings, 4);
        assert_int_equal(d.n_errors, 0);
        for (size_t i = 0; i < d.n; i++)
                assert_int_equal(d.v[i].line, 2);
        assert_non_null(strstr(d.v[0].message, "'network' is not a valid unit name"));
        assert_int_equal(c.after.n, 2);
        assert_string_equal(c.after.v[0], "ok.service");
        assert_string_equal(c.after.v[1], "getty@tty1.service");
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void exec_lines_remember_where_they_came_from(void **state) {
        struct unit_source s[] = {
                { "/u/a.service", "[Service]\nExecStartPre=/bin/pre\nExecStart=/bin/main\n", 0 },
                { "/u/a.service.d/x.conf", "\n\n[Service]\nExecStartPost=/bin/post\n", 0 },
        };
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        for (size_t i = 0; i < N(s); i++)
                s[i].size = strlen(s[i].text);
        assert_int_equal(unit_load_from_texts("a.service", s, N(s), &c, &d), 0);
        assert_int_equal(c.n_sources, 2);
        assert_string_equal(c.sources[1], "/u/a.service.d/x.conf");
        assert_ptr_equal(c.exec_start_pre.v[0].file, c.sources[0]);
        assert_int_equal(c.exec_start_pre.v[0].line, 2);
        assert_ptr_equal(c.exec_start_post.v[0].file, c.sources[1]);
        assert_int_equal(c.exec_start_post.v[0].line, 4);
        assert_string_equal(c.name, "a.service");
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void drop_ins_override_in_order(void **state) {
        struct unit_source s[] = {
                { "w.service", "[Unit]\nDescription=base\n[Service]\nExecStart=/bin/base\nRestart=always\n"
                               "Environment=A=1\n", 0 },
                { "w.service.d/10-a.conf", "[Service]\nRestart=on-failure\nEnvironment=A=2 B=1\n", 0 },
                { "w.service.d/20-b.conf", "[Unit]\nDescription=override\n[Service]\nExecStart=\n"
                                           "ExecStart=/bin/new\nEnvironment=\nEnvironment=C=3\n", 0 },
        };
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        for (size_t i = 0; i < N(s); i++)
                s[i].size = strlen(s[i].text);
        assert_int_equal(unit_load_from_texts("w.service", s, N(s), &c, &d), 0);
        assert_string_equal(c.description, "override");
        assert_int_equal(c.restart.mode, RESTART_ON_FAILURE);
        assert_int_equal(c.exec_start.n, 1);
        assert_string_equal(c.exec_start.v[0].path, "/bin/new");
        assert_int_equal(c.n_environment, 1);
        assert_string_equal(c.environment[0], "C=3");
        unit_config_free(&c);
        unit_diags_free(&d);
}

/* ---- sections and unknown keys -------------------------------------------------------- */

static void unknown_keys_and_sections_warn_and_load(void **state) {
        const char *text = "[Unit]\nDescription=x\nDocumentation=man:x(1)\nX-Thing=silent\nFrobnicate=yes\n"
                           "[Service]\nExecStart=/bin/x\nPrivateTmp=yes\nType=notify\n"
                           "[Install]\nWantedBy=multi-user.target\nNonsense=ignored too\n"
                           "[Timer]\nOnCalendar=daily\n"
                           "[X-Vendor]\nAnything=goes\n"
                           "[service]\nType=forking\n";
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text(text, &c, &d), 0);
        assert_int_equal(d.n_errors, 0);
        assert_int_equal(d.n_warnings, 4);
        assert_int_equal(d.v[0].line, 5);
        assert_string_equal(d.v[0].message, "unknown key 'Frobnicate' in section [Unit], ignoring");
        assert_int_equal(d.v[1].line, 13);
        assert_string_equal(d.v[1].message, "unknown section [Timer], ignoring it");
        assert_int_equal(d.v[2].line, 17);   /* section names are case-sensitive */
        assert_int_equal(d.v[3].line, 0);    /* known sandboxing keys: one summary */
        assert_string_equal(d.v[3].message, "1 sandboxing settings not enforced: PrivateTmp");
        assert_int_equal(c.type, SERVICE_NOTIFY);
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void keys_are_section_and_case_sensitive(void **state) {
        const char *text = "[Unit]\nExecStart=/bin/x\n[Service]\nexecstart=/bin/y\nDescription=wrong place\n";
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        /* None of the three is known where it is written: no ExecStart= at all. */
        assert_int_equal(load_text(text, &c, &d), -EINVAL);
        assert_int_equal(d.n_warnings, 3);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.v[3].line, 0);
        unit_diags_free(&d);
}

static void specs_keys_are_all_known(void **state) {
        static const char *const unit_keys[] = {
                "Description", "After", "Before", "Requires", "Wants", "BindsTo", "PartOf", "ConditionPathExists",
                "StartLimitIntervalSec", "StartLimitInterval", "StartLimitBurst", "StartLimitAction",
                "FailureAction", "SuccessAction",
        };
        static const char *const service_keys[] = {
                "Type", "PIDFile", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop",
                "ExecStopPost", "RemainAfterExit", "Restart", "RestartSec", "RestartSteps", "RestartMaxDelaySec",
                "SuccessExitStatus", "RestartPreventExitStatus", "RestartForceExitStatus", "TimeoutStartSec",
                "TimeoutStopSec", "TimeoutSec", "WatchdogSec", "WatchdogSignal", "NotifyAccess", "KillMode",
                "KillSignal", "SendSIGKILL", "Environment", "EnvironmentFile", "WorkingDirectory", "User", "Group",
                "SupplementaryGroups", "UMask", "Nice", "NoNewPrivileges", "StandardOutput", "StandardError",
                "SyslogIdentifier", "MemoryMax", "TasksMax", "CPUWeight", "LimitCPU", "LimitFSIZE", "LimitDATA",
                "LimitSTACK", "LimitCORE", "LimitRSS", "LimitNOFILE", "LimitAS", "LimitNPROC", "LimitMEMLOCK",
                "LimitLOCKS", "LimitSIGPENDING", "LimitMSGQUEUE", "LimitNICE", "LimitRTPRIO", "LimitRTTIME",
        };
        (void)state;
        for (size_t i = 0; i < N(unit_keys); i++)
                if (!unit_load_key_known("Unit", unit_keys[i]))
                        fail_msg("[Unit] %s", unit_keys[i]);
        for (size_t i = 0; i < N(service_keys); i++)
                if (!unit_load_key_known("Service", service_keys[i]))
                        fail_msg("[Service] %s", service_keys[i]);
        assert_false(unit_load_key_known("Service", "PrivateTmp"));
        assert_false(unit_load_key_known("Service", "Description"));
}

/* ---- whole-unit rules -------------------------------------------------------------------- */

struct verify_case {
        const char *text;
        int ret;
        unsigned line;          /* of the first diagnostic */
        const char *message;    /* substring of the first diagnostic, NULL = none */
};

static const struct verify_case verify_cases[] = {
        { "[Service]\nType=simple\n", -EINVAL, 0, "no ExecStart=" },
        { "[Unit]\nDescription=empty\n", -EINVAL, 0, "no ExecStart=" },
        { "", -EINVAL, 0, "no ExecStart=" },
        { "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n", -EINVAL, 3, "more than one ExecStart=" },
        { "[Service]\nType=notify\nExecStart=/bin/a\nExecStart=/bin/b\n", -EINVAL, 4, "more than one" },
        { "[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\nExecStart=/bin/c\n", 0, 0, NULL },
        { "[Service]\nType=oneshot\n", -EINVAL, 0, "RemainAfterExit=yes or SuccessAction=" },
        { "[Service]\nType=oneshot\nRemainAfterExit=yes\n", 0, 0, NULL },
        { "[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\n", 0, 0, NULL },
        { "[Service]\nType=oneshot\nExecStart=/bin/a\nRestart=always\n", -EINVAL, 4, "Restart=always is not allowed" },
        { "[Service]\nRestart=on-success\nType=oneshot\nExecStart=/bin/a\n", -EINVAL, 2, "Restart=on-success" },
        { "[Service]\nType=oneshot\nExecStart=/bin/a\nRestart=on-failure\n", 0, 0, NULL },
        { "[Service]\nType=forking\nExecStart=/bin/a\n", 0, 2, "Type=forking without PIDFile=" },
        { "[Service]\nType=forking\nExecStart=/bin/a\nPIDFile=/run/a.pid\n", 0, 0, NULL },
        { "[Service]\nExecStart=/bin/echo \"open\n", -EINVAL, 2, "unbalanced quoting" },   /* and nothing more */
};

static void applies_systemds_whole_unit_rules(void **state) {
        (void)state;
        for (size_t i = 0; i < N(verify_cases); i++) {
                const struct verify_case *v = &verify_cases[i];
                struct unit_config c;
                struct unit_diags d = { 0 };
                int r = load_text(v->text, &c, &d);
                bool ok = r == v->ret && (v->message ? d.n == 1 && d.v[0].line == v->line &&
                                                               strstr(d.v[0].message, v->message)
                                                     : d.n == 0);
                if (!ok) {
                        dump_diags(v->text, &d);
                        fail_msg("case %zu: %d", i, r);
                }
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

static void notify_access_and_oneshot_timeout_follow_systemd(void **state) {
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text("[Service]\nType=notify\nExecStart=/bin/x\n", &c, &d), 0);
        assert_int_equal(c.notify_access, NOTIFY_MAIN);
        assert_false(c.notify_access_set);
        unit_config_free(&c);
        assert_int_equal(load_text("[Service]\nWatchdogSec=5\nExecStart=/bin/x\n", &c, &d), 0);
        assert_int_equal(c.notify_access, NOTIFY_MAIN);
        unit_config_free(&c);
        assert_int_equal(load_text("[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/x\n", &c, &d), 0);
        assert_int_equal(c.notify_access, NOTIFY_ALL);
        unit_config_free(&c);
        assert_int_equal(load_text("[Service]\nExecStart=/bin/x\n", &c, &d), 0);
        assert_int_equal(c.notify_access, NOTIFY_NONE);
        assert_false(c.timeout_start_set);
        unit_config_free(&c);
        assert_int_equal(load_text("[Service]\nType=oneshot\nExecStart=/bin/x\n", &c, &d), 0);
        assert_true(c.timeout_start_set);
        assert_true(c.timeout_start_usec == TIMESPAN_INFINITY);
        unit_config_free(&c);
        assert_int_equal(load_text("[Service]\nType=oneshot\nTimeoutStartSec=5\nExecStart=/bin/x\n", &c, &d), 0);
        assert_true(c.timeout_start_usec == 5 * USEC_PER_SEC);
        unit_config_free(&c);
        assert_int_equal(d.n, 0);
        unit_diags_free(&d);
}

/* ---- names -------------------------------------------------------------------------------- */

static void unit_names_follow_systemd(void **state) {
        static const char *const valid[] = { "a.service", "web-1_x:y.service", "getty@tty1.service",
                                             "a@b@c.service", "network.target", "dev-sda.device",
                                             "sys-kernel-debug.mount", "a\\x2db.socket" };
        static const char *const invalid[] = { "", "noext", ".service", "a.serv", "a b.service", "x@.service",
                                               "@x.service", "a/b.service", "a.service.", "é.service" };
        char longname[300];
        (void)state;
        for (size_t i = 0; i < N(valid); i++)
                if (!unit_name_is_valid(valid[i]))
                        fail_msg("'%s' should be valid", valid[i]);
        for (size_t i = 0; i < N(invalid); i++)
                if (unit_name_is_valid(invalid[i]))
                        fail_msg("'%s' should be invalid", invalid[i]);
        memset(longname, 'a', sizeof(longname));
        strcpy(longname + 247, ".service");   /* 255 characters */
        assert_true(unit_name_is_valid(longname));
        strcpy(longname + 248, ".service");
        assert_false(unit_name_is_valid(longname));
}

static void only_service_names_load(void **state) {
        struct unit_source s = { "/u/x.socket", PREFIX, strlen(PREFIX) };
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(unit_load_from_texts("x.socket", &s, 1, &c, &d), -EINVAL);
        assert_non_null(strstr(d.v[0].message, "not a valid service name"));
        unit_diags_free(&d);
        /* A target: its [Unit], no [Service] (a warning), a oneshot that stays. */
        const char *t = "[Unit]\nWants=a.service\n[Service]\nExecStart=/bin/true\n";
        struct unit_source ts = { "/u/x.target", t, strlen(t) };
        assert_int_equal(unit_load_from_texts("x.target", &ts, 1, &c, &d), 0);
        assert_int_equal(c.type, SERVICE_ONESHOT);
        assert_true(c.remain_after_exit);
        assert_int_equal(c.exec_start.n, 0);
        assert_int_equal(c.wants.n, 1);
        assert_int_equal(d.n_warnings, 1);
        unit_config_free(&c);
        unit_diags_free(&d);
        assert_int_equal(unit_load_from_texts("tmpl@.service", &s, 1, &c, &d), -EINVAL);
        unit_diags_free(&d);
        assert_int_equal(unit_load_from_texts("inst@one.service", &s, 1, &c, &d), 0);
        unit_config_free(&c);
        unit_diags_free(&d);
}

/* ---- scale and garbage ----------------------------------------------------------------------- */

static void ten_thousand_assignments_load(void **state) {
        size_t size = 10000 * 48 + 64, used = 0;
        char *text = malloc(size);
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        used += (size_t)snprintf(text, size, PREFIX);
        for (int i = 0; i < 10000; i++) {
                if (i % 4 == 0)
                        used += (size_t)snprintf(text + used, size - used, "SyslogIdentifier=d%d\n", i);
                else if (i % 4 == 1)
                        used += (size_t)snprintf(text + used, size - used, "ExecStartPre=/bin/p %d\n", i);
                else if (i % 4 == 2)
                        used += (size_t)snprintf(text + used, size - used, "Environment=V%d=%d\n", i % 100, i);
                else
                        used += (size_t)snprintf(text + used, size - used, "Unknown%d=x\n", i);
        }
        assert_int_equal(load_text(text, &c, &d), 0);
        assert_string_equal(c.syslog_identifier, "d9996");
        assert_int_equal(c.exec_start_pre.n, 2500);
        assert_int_equal(c.n_environment, 25);   /* i % 100 for i = 2, 6, 10, ... */
        assert_int_equal(d.n_warnings, 2500);
        assert_int_equal(d.n, UNIT_DIAGS_MAX);
        unit_config_free(&c);
        unit_diags_free(&d);
        free(text);
}

static void garbage_never_crashes_the_loader(void **state) {
        static const char *const keys[] = { "ExecStart", "Environment", "LimitNOFILE", "MemoryMax", "After",
                                            "SuccessExitStatus", "Type", "StandardOutput", "Nice", "UMask" };
        static const char alphabet[] = "\"'\\ $%{}:;=-@+!/0123456789KMGxn\t";
        unsigned seed = 99;
        (void)state;
        for (int round = 0; round < 2000; round++) {
                char text[256];
                size_t used = (size_t)snprintf(text, sizeof(text), "[Service]\n%s=", keys[round % N(keys)]);
                size_t len = (size_t)(round % 40);
                for (size_t i = 0; i < len; i++) {
                        seed = seed * 1103515245u + 12345u;
                        text[used++] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
                }
                text[used] = '\0';
                struct unit_config c;
                struct unit_diags d = { 0 };
                int r = load_text(text, &c, &d);
                assert_true(r == 0 || r == -EINVAL);
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

/* ---- the fixture corpus ----------------------------------------------------------------------- */

struct fixture_diag {
        enum unit_diag_severity severity;
        const char *file;       /* relative to the fixture directory */
        unsigned line;
        const char *message;    /* substring */
};

struct fixture {
        const char *name;
        int ret;
        struct fixture_diag diags[6];
        size_t n_diags;
};

#define WARN UNIT_DIAG_WARNING
#define ERR UNIT_DIAG_ERROR

static const struct fixture corpus[] = {
        { "nginx.service", 0, { { 0 } }, 0 },
        { "redis.service", 0, { { 0 } }, 0 },
        { "postgresql.service", 0, { { 0 } }, 0 },
        { "cron.service", 0, { { 0 } }, 0 },
        { "sshd.service", 0, { { 0 } }, 0 },
        { "telemetry-agent.service", 0, { { 0 } }, 0 },
        { "legacyd.service", 0, { { WARN, "legacyd.service", 7, "legacy directory /var/run/" } }, 1 },
        { "firstboot.service", 0, { { 0 } }, 0 },
        { "webapp.service", 0, { { 0 } }, 0 },
        { "legacy-app.service", 0,
          { { WARN, "legacy-app.service", 15, "unknown section [Socket]" },
            { WARN, "legacy-app.service", 0, "2 sandboxing settings not enforced: PrivateTmp, ProtectSystem" },
            { WARN, "legacy-app.service", 0, "1 settings known but not applied: OOMScoreAdjust" } }, 3 },
        { "bad-restart.service", -EINVAL, { { ERR, "bad-restart.service", 6, "Restart=sometimes: expected" } }, 1 },
        { "bad-timespan.service", -EINVAL, { { ERR, "bad-timespan.service", 6, "RestartSec=5 parsecs" } }, 1 },
        { "unterminated-quote.service", -EINVAL,
          { { ERR, "unterminated-quote.service", 6, "ExecStart=/bin/echo \"hello: unbalanced quoting" } }, 1 },
        { "two-execstart.service", -EINVAL, { { ERR, "two-execstart.service", 4, "more than one ExecStart=" } }, 1 },
        { "broken-dropin.service", -EINVAL,
          { { ERR, "broken-dropin.service.d/50-limits.conf", 2, "LimitNOFILE=lots" },
            { ERR, "broken-dropin.service.d/50-limits.conf", 3, "Nice=42" } }, 2 },
};

static int load_fixture(const char *name, struct unit_config *c, struct unit_diags *d) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", fixtures(), name);
        return unit_source_load(path, c, d);
}

static void every_fixture_loads_with_exactly_the_expected_diagnostics(void **state) {
        (void)state;
        for (size_t i = 0; i < N(corpus); i++) {
                const struct fixture *f = &corpus[i];
                struct unit_config c;
                struct unit_diags d = { 0 };
                int r = load_fixture(f->name, &c, &d);
                bool ok = r == f->ret && d.n == f->n_diags;
                for (size_t j = 0; ok && j < f->n_diags; j++) {
                        char path[512];
                        snprintf(path, sizeof(path), "%s/%s", fixtures(), f->diags[j].file);
                        ok = d.v[j].severity == f->diags[j].severity && strcmp(d.v[j].file, path) == 0 &&
                             d.v[j].line == f->diags[j].line && strstr(d.v[j].message, f->diags[j].message);
                }
                if (!ok) {
                        dump_diags(f->name, &d);
                        fail_msg("%s: %d with %zu diagnostics", f->name, r, d.n);
                }
                if (r == 0)
                        assert_string_equal(c.name, f->name);
                unit_config_free(&c);
                unit_diags_free(&d);
        }
}

static void every_fixture_file_is_in_the_table(void **state) {
        DIR *dir = opendir(fixtures());
        struct dirent *de;
        size_t seen = 0;
        (void)state;
        assert_non_null(dir);
        while ((de = readdir(dir))) {
                size_t len = strlen(de->d_name);
                bool listed = false;
                if (len < 8 || strcmp(de->d_name + len - 8, ".service") != 0)
                        continue;
                for (size_t i = 0; i < N(corpus); i++)
                        listed = listed || strcmp(corpus[i].name, de->d_name) == 0;
                if (!listed)
                        fail_msg("fixture %s has no expectations in the corpus table", de->d_name);
                seen++;
        }
        closedir(dir);
        assert_int_equal(seen, N(corpus));
}

static void fixture_contents_are_read_right(void **state) {
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;

        assert_int_equal(load_fixture("nginx.service", &c, &d), 0);
        assert_int_equal(c.type, SERVICE_FORKING);
        assert_string_equal(c.pid_file, "/run/nginx.pid");
        assert_int_equal(c.exec_stop.n, 1);
        assert_true(c.exec_stop.v[0].flags & EXEC_FLAG_IGNORE_FAILURE);
        assert_string_equal(c.exec_stop.v[0].argv[5], "--pidfile");   /* continued line */
        assert_int_equal(c.exec_stop.v[0].line, 15);
        assert_string_equal(c.exec_start.v[0].argv[2], "daemon on; master_process on;");
        assert_true(c.timeout_stop_usec == 5 * USEC_PER_SEC);
        assert_int_equal(c.kill_mode, KILL_MIXED);
        assert_true(c.limits[RLIMIT_NOFILE].value.rlim_max == 65536);
        assert_int_equal(c.wants.n, 1);
        unit_config_free(&c);

        assert_int_equal(load_fixture("redis.service", &c, &d), 0);
        assert_int_equal(c.notify_access, NOTIFY_MAIN);
        assert_int_equal(c.umask, 0007);
        assert_string_equal(c.user, "redis");
        assert_true(c.no_new_privileges);
        unit_config_free(&c);

        assert_int_equal(load_fixture("postgresql.service", &c, &d), 0);
        assert_int_equal(c.kill_signal, SIGINT);
        assert_true(c.timeout_start_usec == TIMESPAN_INFINITY && c.timeout_stop_usec == TIMESPAN_INFINITY);
        assert_int_equal(c.n_environment, 3);
        assert_string_equal(c.exec_start.v[0].argv[2], "${PGDATA}");
        assert_true(c.limits[RLIMIT_MEMLOCK].value.rlim_cur == RLIM_INFINITY);
        unit_config_free(&c);

        assert_int_equal(load_fixture("telemetry-agent.service", &c, &d), 0);
        assert_string_equal(c.description, "Telemetry agent (telemetry-agent)");
        assert_string_equal(c.exec_start.v[0].argv[4], "telemetry-agent.service");
        assert_true(c.watchdog_usec == 30 * USEC_PER_SEC);
        assert_int_equal(c.failure_action, ACTION_REBOOT_FORCE);
        assert_int_equal(c.start_limit_action, ACTION_REBOOT);
        assert_int_equal(c.start_limit_burst, 3);
        assert_true(c.memory_max == 256 * MIB);
        assert_int_equal(c.standard_error.kind, OUTPUT_APPEND);
        assert_string_equal(c.standard_error.path, "/var/log/agent.err");
        assert_string_equal(c.requires.v[0], "redis.service");
        unit_config_free(&c);

        assert_int_equal(load_fixture("firstboot.service", &c, &d), 0);
        assert_int_equal(c.exec_start.n, 3);
        assert_true(c.remain_after_exit);
        assert_string_equal(c.exec_start.v[1].argv[2], "resize2fs /dev/mmcblk0p3 && mkdir -p /data/app");
        assert_string_equal(c.conditions.v[0].value, "/var/lib/firstboot.done");
        assert_true(c.conditions.v[0].negate);
        assert_int_equal(c.standard_output.kind, OUTPUT_FILE);
        unit_config_free(&c);

        assert_int_equal(load_fixture("webapp.service", &c, &d), 0);
        assert_int_equal(c.n_sources, 3);   /* README is not a drop-in */
        assert_non_null(strstr(c.sources[1], "10-env.conf"));
        assert_non_null(strstr(c.sources[2], "override.conf"));
        assert_int_equal(c.exec_start.n, 1);
        assert_string_equal(c.exec_start.v[0].path, "/srv/webapp/bin/uvicorn");
        assert_ptr_equal(c.exec_start.v[0].file, c.sources[2]);
        assert_string_equal(c.environment[1], "WORKERS=8");
        assert_string_equal(c.environment[2], "GREETING=hello world");
        assert_true(c.limits[RLIMIT_NOFILE].set);
        unit_config_free(&c);

        assert_int_equal(d.n, 0);
        unit_diags_free(&d);
}

/* ---- the filesystem ------------------------------------------------------------------------ */

static void drop_in_listing_is_sorted_and_filtered(void **state) {
        char dir[512], **paths;
        size_t n;
        (void)state;
        snprintf(dir, sizeof(dir), "%s/webapp.service.d", fixtures());
        assert_int_equal(unit_source_list_dir(dir, ".conf", &paths, &n), 0);
        assert_int_equal(n, 2);
        assert_non_null(strstr(paths[0], "/10-env.conf"));
        assert_non_null(strstr(paths[1], "/override.conf"));
        unit_source_paths_free(paths, n);
        snprintf(dir, sizeof(dir), "%s/nothing-here.service.d", fixtures());
        assert_int_equal(unit_source_list_dir(dir, ".conf", &paths, &n), 0);
        assert_int_equal(n, 0);
        assert_null(paths);
}

static void missing_and_oversized_files_are_errors(void **state) {
        char path[] = "/tmp/vigil-test-XXXXXX.service";
        struct unit_config c;
        struct unit_diags d = { 0 };
        char *text;
        size_t size;
        int fd;
        (void)state;
        assert_int_equal(unit_source_load("/nonexistent/dir/x.service", &c, &d), -ENOENT);
        assert_int_equal(d.n_errors, 1);
        assert_non_null(strstr(d.v[0].message, "cannot read"));
        unit_diags_free(&d);

        fd = mkstemps(path, 8);
        assert_true(fd >= 0);
        text = calloc(1, UNIT_FILE_SIZE_MAX + 100);
        memset(text, '#', UNIT_FILE_SIZE_MAX + 99);
        assert_true(write(fd, text, UNIT_FILE_SIZE_MAX + 99) == UNIT_FILE_SIZE_MAX + 99);
        close(fd);
        free(text);
        /* The reader reads no further than needed: one byte past the limit. */
        assert_int_equal(os_read_file(path, UNIT_FILE_SIZE_MAX, &text, &size), -EFBIG);
        assert_int_equal(unit_source_load(path, &c, &d), -EINVAL);
        assert_int_equal(d.n, 1);   /* not also "no ExecStart=" */
        assert_non_null(strstr(d.v[0].message, "larger than"));
        unit_diags_free(&d);
        unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults_are_systemds),
                cmocka_unit_test(derived_and_manager_defaults_follow_systemd),
                cmocka_unit_test(runit_services_restart_always_and_never_give_up),
                cmocka_unit_test(name_tables_round_trip),
                cmocka_unit_test(parses_every_key_value),
                cmocka_unit_test(parses_string_keys),
                cmocka_unit_test(rejects_malformed_values_with_file_line_and_key),
                cmocka_unit_test(collects_every_error_in_one_pass),
                cmocka_unit_test(lists_accumulate_and_empty_assignments_reset),
                cmocka_unit_test(empty_dependency_assignment_resets),
                cmocka_unit_test(invalid_dependency_names_are_warnings),
                cmocka_unit_test(exec_lines_remember_where_they_came_from),
                cmocka_unit_test(drop_ins_override_in_order),
                cmocka_unit_test(unknown_keys_and_sections_warn_and_load),
                cmocka_unit_test(keys_are_section_and_case_sensitive),
                cmocka_unit_test(specs_keys_are_all_known),
                cmocka_unit_test(applies_systemds_whole_unit_rules),
                cmocka_unit_test(notify_access_and_oneshot_timeout_follow_systemd),
                cmocka_unit_test(unit_names_follow_systemd),
                cmocka_unit_test(only_service_names_load),
                cmocka_unit_test(ten_thousand_assignments_load),
                cmocka_unit_test(garbage_never_crashes_the_loader),
                cmocka_unit_test(every_fixture_loads_with_exactly_the_expected_diagnostics),
                cmocka_unit_test(every_fixture_file_is_in_the_table),
                cmocka_unit_test(fixture_contents_are_read_right),
                cmocka_unit_test(drop_in_listing_is_sorted_and_filtered),
                cmocka_unit_test(missing_and_oversized_files_are_errors),
        };
        return cmocka_run_group_tests_name("unit_load", tests, NULL, NULL);
}
