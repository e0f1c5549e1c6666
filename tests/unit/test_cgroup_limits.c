/* SPDX-License-Identifier: MIT */
/* cgroup_limits: resource keys -> cgroup v2 files and values, from unit text
 * through the key table; and the readers of what the kernel writes back. */
#include "unit/cgroup_limits.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* Load "[Service]\nExecStart=/bin/true\n" + lines; the settings into ret. */
static size_t settings(const char *lines, struct cgroup_setting *ret, size_t *ret_errors) {
        char text[1024];
        snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n%s", lines);
        struct unit_source s = { "t.service", text, strlen(text) };
        struct unit_config c;
        struct unit_diags d = { 0 };
        int r = unit_load_from_texts("t.service", &s, 1, &c, &d);
        *ret_errors = d.n_errors;
        unit_diags_free(&d);
        if (r < 0)
                return 0;
        size_t n = cgroup_settings_of(&c, ret);
        unit_config_free(&c);
        return n;
}

static const struct {
        const char *line;
        const char *file, *value;
} rows[] = {
        { "MemoryMax=1G", "memory.max", "1073741824" },
        { "MemoryMax=512K", "memory.max", "524288" },
        { "MemoryHigh=100M", "memory.high", "104857600" },
        { "TasksMax=64", "pids.max", "64" },
        { "CPUWeight=400", "cpu.weight", "400" },
        { "CPUQuota=50%", "cpu.max", "50000 100000" },
        { "CPUQuota=150%", "cpu.max", "150000 100000" },
        { "CPUQuota=12.5%", "cpu.max", "12500 100000" },
        { "CPUQuota=0.5%", "cpu.max", "1000 100000" },        /* 500 us is under the kernel's 1 ms minimum */
        { "IOWeight=200", "io.weight", "default 200" },
};

static void each_key_becomes_its_file_and_value(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                struct cgroup_setting s[CGROUP_SETTINGS_MAX];
                size_t errors;
                char line[64];
                snprintf(line, sizeof(line), "%s\n", rows[i].line);
                size_t n = settings(line, s, &errors);
                if (errors != 0 || n != 1 || strcmp(s[0].file, rows[i].file) != 0 ||
                    strcmp(s[0].value, rows[i].value) != 0)
                        fail_msg("%s: %zu errors, %zu settings, %s=%s", rows[i].line, errors, n, n ? s[0].file : "-",
                                 n ? s[0].value : "-");
        }
}

static void unset_and_infinity_write_nothing(void **state) {
        (void)state;
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t errors;
        assert_int_equal(settings("", s, &errors), 0);
        assert_int_equal(settings("MemoryMax=infinity\nTasksMax=infinity\nCPUQuota=\nCPUWeight=\n", s, &errors), 0);
        assert_int_equal(errors, 0);
        /* The last assignment wins: an empty one resets. */
        assert_int_equal(settings("MemoryMax=1G\nMemoryMax=\n", s, &errors), 0);
}

static void all_six_in_the_documented_order(void **state) {
        (void)state;
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t errors;
        size_t n = settings("IOWeight=10\nCPUQuota=20%\nCPUWeight=30\nTasksMax=40\nMemoryHigh=50M\nMemoryMax=60M\n", s,
                            &errors);
        assert_int_equal(n, 6);
        const char *keys[] = { "MemoryMax", "MemoryHigh", "TasksMax", "CPUWeight", "CPUQuota", "IOWeight" };
        const enum cgroup_controller want[] = { CGROUP_CONTROLLER_MEMORY, CGROUP_CONTROLLER_MEMORY,
                                                CGROUP_CONTROLLER_PIDS, CGROUP_CONTROLLER_CPU,
                                                CGROUP_CONTROLLER_CPU, CGROUP_CONTROLLER_IO };
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(s[i].key, keys[i]);
                assert_int_equal(s[i].controller, want[i]);
        }
}

static void bad_values_are_errors(void **state) {
        (void)state;
        const char *bad[] = { "CPUQuota=0%", "CPUQuota=50", "CPUQuota=%", "CPUQuota=1.234%", "CPUQuota=-5%",
                              "CPUQuota=5.%", "IOWeight=0", "IOWeight=10001", "CPUWeight=0", "MemoryHigh=0",
                              "TasksMax=0", "MemoryMax=lots" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct cgroup_setting s[CGROUP_SETTINGS_MAX];
                size_t errors;
                char line[64];
                snprintf(line, sizeof(line), "%s\n", bad[i]);
                (void)settings(line, s, &errors);
                if (errors == 0)
                        fail_msg("%s: accepted", bad[i]);
        }
}

static void kernel_files_are_read(void **state) {
        (void)state;
        uint64_t v;
        const char *events = "low 0\nhigh 3\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n";
        assert_int_equal(cgroup_flat_value(events, "oom_kill", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(cgroup_flat_value(events, "oom", &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(cgroup_flat_value(events, "populated", &v), -ENOENT);
        assert_int_equal(cgroup_flat_value("populated 0\nfrozen 0\n", "populated", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(cgroup_flat_value("usage_usec x\n", "usage_usec", &v), -EINVAL);
        assert_int_equal(cgroup_single_value("123456\n", &v), 0);
        assert_int_equal(v, 123456);
        assert_int_equal(cgroup_single_value("max\n", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(cgroup_single_value("\n", &v), -EINVAL);
        assert_int_equal(cgroup_controllers_parse("cpuset cpu io memory hugetlb pids rdma misc\n"),
                         (1u << CGROUP_CONTROLLER_MEMORY) | (1u << CGROUP_CONTROLLER_PIDS) |
                                 (1u << CGROUP_CONTROLLER_CPU) | (1u << CGROUP_CONTROLLER_IO));
        assert_int_equal(cgroup_controllers_parse("hugetlb cpuset\n"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(each_key_becomes_its_file_and_value),
                cmocka_unit_test(unset_and_infinity_write_nothing),
                cmocka_unit_test(all_six_in_the_documented_order),
                cmocka_unit_test(bad_values_are_errors),
                cmocka_unit_test(kernel_files_are_read),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
