/* SPDX-License-Identifier: MIT */
/* unit/exec_dirs.h and the RuntimeDirectory= family's keys (unit_keys_dirs.c). */
#include "unit/env_file.h"
#include "unit/exec_dirs.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static int load_text(const char *text, struct unit_config *c, struct unit_diags *d) {
        struct unit_source s = { "t.service", text, strlen(text) };
        return unit_load_from_texts("t.service", &s, 1, c, d);
}

static void path_validity(void **state) {
        (void)state;
        assert_true(exec_dir_path_is_valid("redis"));
        assert_true(exec_dir_path_is_valid("a/b/c"));
        assert_true(exec_dir_path_is_valid("a/"));
        assert_true(exec_dir_path_is_valid(".hidden"));
        assert_false(exec_dir_path_is_valid(""));
        assert_false(exec_dir_path_is_valid("/run/x"));
        assert_false(exec_dir_path_is_valid(".."));
        assert_false(exec_dir_path_is_valid("a/../b"));
        assert_false(exec_dir_path_is_valid("a/./b"));
        assert_false(exec_dir_path_is_valid("a//b"));
}

static void keys_load_with_modes_and_preserve(void **state) {
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text("[Service]\nExecStart=/bin/true\nRuntimeDirectory=a %N/b a\n"
                                   "RuntimeDirectoryMode=0700\nStateDirectory=s\nLogsDirectory=l:link\n"
                                   "RuntimeDirectoryPreserve=restart\n",
                                   &c, &d),
                         0);
        const struct exec_dir_list *rt = &c.exec_dirs.dirs[EXEC_DIR_RUNTIME];
        assert_int_equal(rt->n, 2);   /* the repeated "a" once */
        assert_string_equal(rt->v[0], "a");
        assert_string_equal(rt->v[1], "t/b");
        assert_int_equal(rt->mode, 0700);
        assert_int_equal(c.exec_dirs.dirs[EXEC_DIR_STATE].mode, 0755);
        assert_string_equal(c.exec_dirs.dirs[EXEC_DIR_LOGS].v[0], "l");
        assert_int_equal(d.n, 1);     /* the symlink part is a warning */
        assert_int_equal(c.exec_dirs.runtime_preserve, EXEC_PRESERVE_RESTART);
        assert_true(exec_dirs_remove_runtime(&c.exec_dirs, false));
        assert_false(exec_dirs_remove_runtime(&c.exec_dirs, true));

        char **env = NULL;
        size_t n = 0;
        assert_int_equal(exec_dirs_env(&c.exec_dirs, &env, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(env[0], "RUNTIME_DIRECTORY=/run/a:/run/t/b");
        assert_string_equal(env[1], "STATE_DIRECTORY=/var/lib/s");
        assert_string_equal(env[2], "LOGS_DIRECTORY=/var/log/l");
        env_list_free(&env, &n);
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void empty_assignment_resets(void **state) {
        struct unit_config c;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(load_text("[Service]\nExecStart=/bin/true\nCacheDirectory=x\nCacheDirectory=\n"
                                   "CacheDirectoryMode=0700\nCacheDirectoryMode=\nRuntimeDirectoryPreserve=yes\n",
                                   &c, &d),
                         0);
        assert_int_equal(c.exec_dirs.dirs[EXEC_DIR_CACHE].n, 0);
        assert_int_equal(c.exec_dirs.dirs[EXEC_DIR_CACHE].mode, 0755);
        assert_false(exec_dirs_remove_runtime(&c.exec_dirs, false));
        unit_config_free(&c);
        unit_diags_free(&d);
}

static void bad_values_are_errors_at_their_line(void **state) {
        static const char *const bad[] = { "RuntimeDirectory=../x", "StateDirectory=/var/lib/x",
                                           "ConfigurationDirectory=a//b", "LogsDirectoryMode=0999",
                                           "RuntimeDirectoryMode=77777", "RuntimeDirectoryPreserve=sometimes" };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[256];
                struct unit_config c;
                struct unit_diags d = { 0 };
                snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n%s\n", bad[i]);
                assert_int_equal(load_text(text, &c, &d), -EINVAL);
                assert_int_equal(d.n, 1);
                assert_int_equal(d.v[0].line, 3);
                assert_non_null(strstr(d.v[0].message, bad[i]));
                unit_diags_free(&d);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(path_validity),
                cmocka_unit_test(keys_load_with_modes_and_preserve),
                cmocka_unit_test(empty_assignment_resets),
                cmocka_unit_test(bad_values_are_errors_at_their_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
