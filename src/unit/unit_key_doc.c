/* SPDX-License-Identifier: MIT */
#include "unit/unit_key_doc.h"

#include "base/signame.h"
#include "base/timespan.h"
#include "unit/install_plan.h"
#include "unit/unit_config.h"
#include "unit/unit_keys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Keys accepted and validated whose effect vigil does not give yet (no
 * cgroups: DESIGN.md, "The processes of a unit"). A key made real leaves
 * this list, and its man page row leaves the "not enforced" table. */
/* Every key of the table takes effect (the cgroup ones where vigil has a
 * tree: a boot warning says when not); systemd's keys vigil only knows are
 * unit_keys_known.c's, outside this table. */
static const char *const not_enforced[] = { NULL };

enum doc_kind { DOC_TIMESPAN, DOC_UNSIGNED, DOC_BOOL, DOC_ACTION, DOC_TYPE, DOC_RESTART,
                DOC_SIGNAL, DOC_NOTIFY, DOC_KILL_MODE, DOC_OCTAL, DOC_OUTPUT, DOC_U64_MAX, DOC_OOM_POLICY,
                DOC_INPUT };

struct doc_default {
        const char *key;
        enum doc_kind kind;
        size_t offset;
};

#define OFF(field) offsetof(struct unit_config, field)

/* The keys with a default of their own, read from unit_config_init(). */
static const struct doc_default defaults[] = {
        { "StartLimitIntervalSec", DOC_TIMESPAN, OFF(start_limit_interval_usec) },
        { "StartLimitInterval", DOC_TIMESPAN, OFF(start_limit_interval_usec) },
        { "StartLimitBurst", DOC_UNSIGNED, OFF(start_limit_burst) },
        { "StartLimitAction", DOC_ACTION, OFF(start_limit_action) },
        { "FailureAction", DOC_ACTION, OFF(failure_action) },
        { "SuccessAction", DOC_ACTION, OFF(success_action) },
        { "Type", DOC_TYPE, OFF(type) },
        { "RemainAfterExit", DOC_BOOL, OFF(remain_after_exit) },
        { "Restart", DOC_RESTART, OFF(restart.mode) },
        { "RestartSec", DOC_TIMESPAN, OFF(restart_usec) },
        { "RestartSteps", DOC_UNSIGNED, OFF(restart_steps) },
        { "RestartMaxDelaySec", DOC_TIMESPAN, OFF(restart_max_delay_usec) },
        { "WatchdogSec", DOC_TIMESPAN, OFF(watchdog_usec) },
        { "WatchdogSignal", DOC_SIGNAL, OFF(watchdog_signal) },
        { "NotifyAccess", DOC_NOTIFY, OFF(notify_access) },
        { "KillMode", DOC_KILL_MODE, OFF(kill_mode) },
        { "KillSignal", DOC_SIGNAL, OFF(kill_signal) },
        { "SendSIGKILL", DOC_BOOL, OFF(send_sigkill) },
        { "UMask", DOC_OCTAL, OFF(umask) },
        { "NoNewPrivileges", DOC_BOOL, OFF(no_new_privileges) },
        { "StandardOutput", DOC_OUTPUT, OFF(standard_output) },
        { "StandardError", DOC_OUTPUT, OFF(standard_error) },
        { "MemoryMax", DOC_U64_MAX, OFF(memory_max) },
        { "TasksMax", DOC_U64_MAX, OFF(tasks_max) },
        { "DefaultDependencies", DOC_BOOL, OFF(default_dependencies) },
        { "SendSIGHUP", DOC_BOOL, OFF(send_sighup) },
        { "OOMPolicy", DOC_OOM_POLICY, OFF(oom_policy) },
        { "StandardInput", DOC_INPUT, OFF(standard_input) },
        { "TTYReset", DOC_BOOL, OFF(tty_reset) },
        { "HealthInterval", DOC_TIMESPAN, OFF(probe.timing.interval_usec) },
        { "HealthTimeout", DOC_TIMESPAN, OFF(probe.timing.timeout_usec) },
        { "HealthStartPeriod", DOC_TIMESPAN, OFF(probe.timing.start_period_usec) },
        { "HealthStartInterval", DOC_TIMESPAN, OFF(probe.timing.start_interval_usec) },
        { "HealthRetries", DOC_UNSIGNED, OFF(probe.timing.retries) },
};

static void format_default(const struct doc_default *d, const struct unit_config *c, char *buf, size_t size) {
        const void *p = (const char *)c + d->offset;
        char sig[32];

        switch (d->kind) {
        case DOC_TIMESPAN: {
                uint64_t usec = *(const uint64_t *)p;
                if (usec == 0)
                        snprintf(buf, size, "0");
                else
                        timespan_format(usec, buf, size);
                break;
        }
        case DOC_UNSIGNED: snprintf(buf, size, "%u", *(const unsigned *)p); break;
        case DOC_BOOL: snprintf(buf, size, "%s", *(const bool *)p ? "yes" : "no"); break;
        case DOC_ACTION: snprintf(buf, size, "%s", unit_action_to_string(*(const enum unit_action *)p)); break;
        case DOC_TYPE: snprintf(buf, size, "%s", service_type_to_string(*(const enum service_type *)p)); break;
        case DOC_RESTART: snprintf(buf, size, "%s", restart_mode_to_string(*(const enum restart_mode *)p)); break;
        case DOC_SIGNAL: snprintf(buf, size, "%s", signame_from_number(*(const int *)p, sig, sizeof(sig))); break;
        case DOC_NOTIFY: snprintf(buf, size, "%s", notify_access_to_string(*(const enum notify_access *)p)); break;
        case DOC_KILL_MODE: snprintf(buf, size, "%s", kill_mode_to_string(*(const enum kill_mode *)p)); break;
        case DOC_OOM_POLICY: snprintf(buf, size, "%s", oom_policy_to_string(*(const enum oom_policy *)p)); break;
        case DOC_OCTAL: snprintf(buf, size, "%04o", (unsigned)*(const mode_t *)p); break;
        case DOC_OUTPUT:
                snprintf(buf, size, "%s", output_kind_to_string(((const struct unit_output *)p)->kind));
                break;
        case DOC_INPUT: snprintf(buf, size, "%s", input_kind_to_string(*(const enum input_kind *)p)); break;
        case DOC_U64_MAX:
                if (*(const uint64_t *)p == UINT64_MAX)
                        snprintf(buf, size, "infinity");
                else
                        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)p);
                break;
        }
}

static bool is_enforced(const char *key) {
        for (size_t i = 0; not_enforced[i]; i++)
                if (strcmp(not_enforced[i], key) == 0)
                        return false;
        return true;
}

static void key_default(const char *key, const char *timeout_stop_text, char *buf, size_t size) {
        struct unit_config c;
        char span[32];

        if (strcmp(key, "TimeoutStartSec") == 0) {
                snprintf(buf, size, "%s (infinity for Type=oneshot)",
                         timespan_format(UNIT_DEFAULT_TIMEOUT_START_USEC, span, sizeof(span)));
                return;
        }
        if (strcmp(key, "TimeoutStopSec") == 0) {
                snprintf(buf, size, "%s", timeout_stop_text);
                return;
        }
        snprintf(buf, size, "-");
        unit_config_init(&c);   /* allocates nothing: no free needed */
        if (strcmp(key, "TTYPath") == 0) {
                snprintf(buf, size, "%s", unit_config_tty_path(&c));
                return;
        }
        for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
                if (strcmp(defaults[i].key, key) == 0)
                        format_default(&defaults[i], &c, buf, size);
}

int unit_key_doc_at(size_t i, const char *timeout_stop_text, struct unit_key_doc *ret) {
        const struct unit_key *k = unit_keys_at(i);
        if (!k) {
                /* Then the [Install] keys, which only enable/disable read (install_plan.c). */
                size_t n = 0;
                while (unit_keys_at(n))
                        n++;
                const char *key = unit_install_key_at(i - n);
                if (!key)
                        return -ENOENT;
                *ret = (struct unit_key_doc){ .section = "Install", .key = key, .enforced = true };
                snprintf(ret->default_text, sizeof(ret->default_text), "-");
                return 0;
        }
        ret->section = k->section;
        ret->key = k->key;
        ret->enforced = is_enforced(k->key);
        key_default(k->key, timeout_stop_text, ret->default_text, sizeof(ret->default_text));
        return 0;
}
