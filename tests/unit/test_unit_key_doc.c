/* SPDX-License-Identifier: MIT */
/* The unit keys as documented (vigil --list-unit-keys): every row of the key
 * table is listed, the defaults are unit_config_init()'s, and each default
 * written as the man page writes it loads back to exactly the unset value. */
#include "unit/unit_key_doc.h"

#include "unit/install_plan.h"
#include "unit/unit_keys.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define STOP_TEXT "5s (container mode), 90s (system mode)"

static const char *default_of(const char *section, const char *key) {
        static struct unit_key_doc d;
        for (size_t i = 0; unit_key_doc_at(i, STOP_TEXT, &d) == 0; i++)
                if (strcmp(d.section, section) == 0 && strcmp(d.key, key) == 0)
                        return d.default_text;
        return NULL;
}

static void every_row_of_the_table_is_listed(void **state) {
        struct unit_key_doc d;
        size_t n = 0;
        (void)state;
        size_t install = 0;
        for (; unit_key_doc_at(n, STOP_TEXT, &d) == 0; n++) {
                if (strcmp(d.section, "Install") == 0)   /* install_plan.c's, after the table */
                        assert_string_equal(d.key, unit_install_key_at(install++));
                else
                        assert_non_null(unit_keys_find(d.section, d.key));
                assert_true(d.default_text[0] != '\0');
        }
        assert_true(n > 50);
        assert_int_equal(install, 6);
        assert_int_equal(unit_key_doc_at(n, STOP_TEXT, &d), -ENOENT);
        assert_null(unit_keys_at(n - install));
}

static void defaults_are_unit_config_init_s(void **state) {
        (void)state;
        assert_string_equal(default_of("Service", "RestartSec"), "100ms");
        assert_string_equal(default_of("Service", "Restart"), "no");
        assert_string_equal(default_of("Service", "Type"), "simple");
        assert_string_equal(default_of("Service", "KillMode"), "control-group");
        assert_string_equal(default_of("Service", "KillSignal"), "SIGTERM");
        assert_string_equal(default_of("Service", "WatchdogSignal"), "SIGABRT");
        assert_string_equal(default_of("Service", "UMask"), "0022");
        assert_string_equal(default_of("Unit", "StartLimitIntervalSec"), "10s");
        assert_string_equal(default_of("Unit", "StartLimitBurst"), "5");
        assert_string_equal(default_of("Service", "TimeoutStopSec"), STOP_TEXT);
        assert_string_equal(default_of("Service", "TimeoutStartSec"), "90s (infinity for Type=oneshot)");
        assert_string_equal(default_of("Service", "ExecStart"), "-");
}

static void only_cgroup_keys_may_be_not_enforced(void **state) {
        struct unit_key_doc d;
        (void)state;
        for (size_t i = 0; unit_key_doc_at(i, STOP_TEXT, &d) == 0; i++) {
                bool cgroup = strcmp(d.key, "MemoryMax") == 0 || strcmp(d.key, "TasksMax") == 0 ||
                              strcmp(d.key, "CPUWeight") == 0;
                if (!d.enforced)   /* only what needs cgroups may be accepted without effect */
                        assert_true(cgroup);
        }
}

static int load(const char *text, struct unit_config *c, struct unit_diags *diags) {
        struct unit_source s = { "t.service", text, strlen(text) };
        return unit_load_from_texts("t.service", &s, 1, c, diags);
}

/* The scalar settings a default describes, unset vs written out. */
static void assert_same_settings(const struct unit_config *a, const struct unit_config *b, const char *key) {
        print_message("%s\n", key);
        assert_int_equal(a->start_limit_interval_usec, b->start_limit_interval_usec);
        assert_int_equal(a->start_limit_burst, b->start_limit_burst);
        assert_int_equal(a->start_limit_action, b->start_limit_action);
        assert_int_equal(a->failure_action, b->failure_action);
        assert_int_equal(a->success_action, b->success_action);
        assert_int_equal(a->type, b->type);
        assert_int_equal(a->remain_after_exit, b->remain_after_exit);
        assert_int_equal(a->restart.mode, b->restart.mode);
        assert_int_equal(a->restart_usec, b->restart_usec);
        assert_int_equal(a->restart_steps, b->restart_steps);
        assert_int_equal(a->restart_max_delay_usec, b->restart_max_delay_usec);
        assert_int_equal(a->watchdog_usec, b->watchdog_usec);
        assert_int_equal(a->watchdog_signal, b->watchdog_signal);
        assert_int_equal(a->notify_access, b->notify_access);
        assert_int_equal(a->kill_mode, b->kill_mode);
        assert_int_equal(a->kill_signal, b->kill_signal);
        assert_int_equal(a->send_sigkill, b->send_sigkill);
        assert_int_equal(a->umask, b->umask);
        assert_int_equal(a->no_new_privileges, b->no_new_privileges);
        assert_int_equal(a->standard_output.kind, b->standard_output.kind);
        assert_int_equal(a->standard_error.kind, b->standard_error.kind);
        assert_int_equal(a->memory_max, b->memory_max);
        assert_int_equal(a->tasks_max, b->tasks_max);
}

static void each_default_written_out_loads_as_the_unset_key(void **state) {
        struct unit_config unset, written;
        struct unit_diags diags = { 0 };
        struct unit_key_doc d;
        char text[512];
        size_t checked = 0;
        (void)state;

        assert_int_equal(load("[Service]\nExecStart=/bin/true\n", &unset, &diags), 0);
        for (size_t i = 0; unit_key_doc_at(i, STOP_TEXT, &d) == 0; i++) {
                if (strcmp(d.default_text, "-") == 0 || strncmp(d.key, "Timeout", 7) == 0)
                        continue;
                snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n[%s]\n%s=%s\n", d.section, d.key,
                         d.default_text);
                assert_int_equal(load(text, &written, &diags), 0);
                assert_int_equal(diags.n, 0);   /* not even a warning */
                assert_same_settings(&unset, &written, d.key);
                unit_config_free(&written);
                checked++;
        }
        assert_true(checked > 20);
        unit_config_free(&unset);
        unit_diags_free(&diags);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_row_of_the_table_is_listed),
                cmocka_unit_test(defaults_are_unit_config_init_s),
                cmocka_unit_test(only_cgroup_keys_may_be_not_enforced),
                cmocka_unit_test(each_default_written_out_loads_as_the_unset_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
