/* SPDX-License-Identifier: MIT */
/* unit/tmpfiles.h: tmpfiles.d(5) lines as vigil takes them. */
#include "unit/tmpfiles.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static int parse(const char *text, struct tmpfiles_list *l, struct unit_diags *d) {
        return tmpfiles_parse("t.conf", text, strlen(text), l, d);
}

static void the_types_packages_ship(void **state) {
        struct tmpfiles_list l = { 0 };
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(parse("# comment\n\nd /run/sshd 0755 root root -\nD! %t/x - - - 10d\n"
                               "f+ /var/log/a 0640 nobody adm - some text here\nL /run/l - - - - /target\n"
                               "z /var/log/b ~0600\nx /tmp/y\nF /f\nq /q\n",
                               &l, &d),
                         0);
        assert_int_equal(d.n, 0);
        assert_int_equal(l.n, 7);
        assert_int_equal(l.v[0].type, TMPFILES_DIR);
        assert_string_equal(l.v[0].path, "/run/sshd");
        assert_int_equal(l.v[0].mode, 0755);
        assert_string_equal(l.v[0].user, "root");
        assert_int_equal(l.v[0].line, 3);
        assert_int_equal(l.v[1].type, TMPFILES_DIR_EMPTIED);
        assert_string_equal(l.v[1].path, "/run/x");
        assert_null(l.v[1].user);
        assert_int_equal(l.v[2].type, TMPFILES_FILE_TRUNCATE);
        assert_string_equal(l.v[2].argument, "some text here");
        assert_string_equal(l.v[2].group, "adm");
        assert_int_equal(l.v[3].type, TMPFILES_SYMLINK);
        assert_string_equal(l.v[3].argument, "/target");
        assert_int_equal(l.v[4].type, TMPFILES_ADJUST);
        assert_true(l.v[4].mode_set);
        assert_int_equal(l.v[4].mode, 0600);
        assert_int_equal(l.v[5].type, TMPFILES_FILE_TRUNCATE);
        assert_int_equal(l.v[5].mode, 0644);
        assert_int_equal(l.v[6].type, TMPFILES_DIR);
        tmpfiles_list_free(&l);
        unit_diags_free(&d);
}

static void lines_not_taken_are_one_warning_each(void **state) {
        static const char *const bad[] = { "C /a - - - - /b", "d /a 9x - - -", "d %Z/a", "d relative",
                                           "d /a/../b", "L /a", "d", "dd /a", "w /a - - - - x" };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct tmpfiles_list l = { 0 };
                struct unit_diags d = { 0 };
                assert_int_equal(parse(bad[i], &l, &d), 0);
                if (l.n != 0 || d.n != 1)
                        fail_msg("'%s': %zu items, %zu diagnostics", bad[i], l.n, d.n);
                assert_int_equal(d.v[0].line, 1);
                assert_int_equal(d.v[0].severity, UNIT_DIAG_WARNING);
                tmpfiles_list_free(&l);
                unit_diags_free(&d);
        }
}

static void a_later_line_for_the_same_path_is_ignored(void **state) {
        struct tmpfiles_list l = { 0 };
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(parse("d /a 0700\n", &l, &d), 0);
        assert_int_equal(tmpfiles_parse("u.conf", "d /a 0755\n", 10, &l, &d), 0);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.v[0].mode, 0700);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.v[0].file, "u.conf");
        assert_true(tmpfiles_name_is_config("sshd.conf"));
        assert_false(tmpfiles_name_is_config(".x.conf"));
        assert_false(tmpfiles_name_is_config("sshd.conf~"));
        tmpfiles_list_free(&l);
        unit_diags_free(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(the_types_packages_ship),
                cmocka_unit_test(lines_not_taken_are_one_warning_each),
                cmocka_unit_test(a_later_line_for_the_same_path_is_ignored),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
