/* SPDX-License-Identifier: MIT */
#include "unit/unit_file.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One expected assignment: "Section/Key=Value@line". */
struct want {
        const char *section, *key, *value;
        unsigned line;
};

struct lex_case {
        const char *name;
        const char *text;
        int ret;
        size_t errors, warnings;
        struct want assignments[4];
        size_t n_assignments;
};

static const struct lex_case cases[] = {
        { "empty file", "", 0, 0, 0, { { 0 } }, 0 },
        { "only comments and blanks", "# one\n; two\n   # indented\n\t; tab\n\n   \n", 0, 0, 0, { { 0 } }, 0 },
        { "section and keys, whitespace trimmed", "[Service]\n  Type = simple  \nExecStart=/bin/true\n", 0, 0, 0,
          { { "Service", "Type", "simple", 2 }, { "Service", "ExecStart", "/bin/true", 3 } }, 2 },
        { "value keeps inner '=' and spaces", "[Service]\nEnvironment=A=b=c  d\n", 0, 0, 0,
          { { "Service", "Environment", "A=b=c  d", 2 } }, 1 },
        { "empty assignment", "[Service]\nExecStart=\n", 0, 0, 0, { { "Service", "ExecStart", "", 2 } }, 1 },
        { "no final newline", "[Unit]\nDescription=x", 0, 0, 0, { { "Unit", "Description", "x", 2 } }, 1 },
        { "continuation joins with a space", "[Service]\nExecStart=/bin/echo a \\\n  b\nType=simple\n", 0, 0, 0,
          { { "Service", "ExecStart", "/bin/echo a    b", 2 }, { "Service", "Type", "simple", 4 } }, 2 },
        { "continuation without space before the backslash", "[Service]\nExecStart=/bin/echo a\\\nb\n", 0, 0, 0,
          { { "Service", "ExecStart", "/bin/echo a b", 2 } }, 1 },
        { "comment lines inside a continuation are skipped",
          "[Service]\nExecStart=/bin/echo a \\\n# not here\n; nor here\n  b\n", 0, 0, 0,
          { { "Service", "ExecStart", "/bin/echo a    b", 2 } }, 1 },
        { "escaped backslash does not continue", "[Service]\nA=x\\\\\nB=y\n", 0, 0, 0,
          { { "Service", "A", "x\\\\", 2 }, { "Service", "B", "y", 3 } }, 2 },
        { "backslash then space does not continue", "[Service]\nA=x\\ \nB=y\n", 0, 0, 0,
          { { "Service", "A", "x\\", 2 }, { "Service", "B", "y", 3 } }, 2 },
        { "continuation at end of file", "[Service]\nA=x \\", 0, 0, 0, { { "Service", "A", "x", 2 } }, 1 },
        { "continuation ended by a blank line", "[Service]\nA=x \\\n\nB=y\n", 0, 0, 0,
          { { "Service", "A", "x", 2 }, { "Service", "B", "y", 4 } }, 2 },
        { "CRLF line endings", "[Service]\r\nType=notify\r\nExecStart=/bin/a \\\r\n  b\r\n", 0, 0, 0,
          { { "Service", "Type", "notify", 2 }, { "Service", "ExecStart", "/bin/a    b", 3 } }, 2 },
        { "byte order mark", "\xef\xbb\xbf[Unit]\nDescription=bom\n", 0, 0, 0,
          { { "Unit", "Description", "bom", 2 } }, 1 },
        { "sections repeat", "[Unit]\nA=1\n[Service]\nB=2\n[Unit]\nC=3\n", 0, 0, 0,
          { { "Unit", "A", "1", 2 }, { "Service", "B", "2", 4 }, { "Unit", "C", "3", 6 } }, 3 },
        { "assignment outside a section is a warning", "A=1\n[Unit]\nB=2\n", 0, 0, 1,
          { { "Unit", "B", "2", 3 } }, 1 },
        { "missing '=' is an error, the rest is read", "[Service]\nExecStart /bin/true\nType=simple\n", -EINVAL, 1, 0,
          { { "Service", "Type", "simple", 3 } }, 1 },
        { "unterminated section header", "[Service\nType=simple\n[Unit]\nA=1\n", -EINVAL, 1, 0,
          { { "Unit", "A", "1", 4 } }, 1 },
        { "quote in a section header", "[Ser\"vice]\nA=1\n", -EINVAL, 1, 0, { { 0 } }, 0 },
        { ".include is gone", "[Unit]\n.include /etc/other.service\n", -EINVAL, 1, 0, { { 0 } }, 0 },
        { "empty key is passed on", "[Unit]\n=value\n", 0, 0, 0, { { "Unit", "", "value", 2 } }, 1 },
};

static const char *section_of(const struct unit_file *f, const struct unit_assignment *a) {
        assert_true(a->section < f->n_sections);
        return f->sections[a->section].name;
}

static void lexes_the_systemd_syntax(void **state) {
        (void)state;
        for (size_t i = 0; i < N(cases); i++) {
                const struct lex_case *c = &cases[i];
                struct unit_diags d = { 0 };
                struct unit_file f;
                int r = unit_file_parse("t.service", c->text, strlen(c->text), &f, &d);
                if (r != c->ret || d.n_errors != c->errors || d.n_warnings != c->warnings ||
                    f.n_assignments != c->n_assignments)
                        fail_msg("%s: ret %d errors %zu warnings %zu assignments %zu", c->name, r, d.n_errors,
                                 d.n_warnings, f.n_assignments);
                for (size_t j = 0; j < c->n_assignments; j++) {
                        const struct unit_assignment *a = &f.assignments[j];
                        const struct want *w = &c->assignments[j];
                        if (strcmp(section_of(&f, a), w->section) != 0 || strcmp(a->key, w->key) != 0 ||
                            strcmp(a->value, w->value) != 0 || a->line != w->line || strcmp(a->file, "t.service") != 0)
                                fail_msg("%s: #%zu is [%s] '%s'='%s' @%u", c->name, j, section_of(&f, a), a->key,
                                         a->value, a->line);
                }
                unit_file_free(&f);
                unit_diags_free(&d);
        }
}

static void errors_carry_file_and_line(void **state) {
        const char *text = "[Service]\nType=simple\n\nbogus line\n";
        struct unit_diags d = { 0 };
        struct unit_file f;
        char buf[256];
        (void)state;
        assert_int_equal(unit_file_parse("/etc/vigil/units/a.service", text, strlen(text), &f, &d), -EINVAL);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.v[0].severity, UNIT_DIAG_ERROR);
        assert_int_equal(d.v[0].line, 4);
        assert_string_equal(d.v[0].file, "/etc/vigil/units/a.service");
        assert_string_equal(unit_diag_format(&d.v[0], buf, sizeof(buf)),
                            "/etc/vigil/units/a.service:4: error: missing '=' in 'bogus line'");
        unit_file_free(&f);
        unit_diags_free(&d);
}

static void nul_bytes_are_errors_on_their_line(void **state) {
        static const char text[] = "[Service]\nType=sim\0ple\nExecStart=/bin/true\n";
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        assert_int_equal(unit_file_parse("t", text, sizeof(text) - 1, &f, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.v[0].line, 2);
        assert_int_equal(f.n_assignments, 1);
        assert_string_equal(f.assignments[0].key, "ExecStart");
        unit_file_free(&f);
        unit_diags_free(&d);
}

static void binary_garbage_never_crashes(void **state) {
        uint32_t seed = 12345;
        (void)state;
        for (int round = 0; round < 200; round++) {
                size_t size = (size_t)(round * 37 % 3000);
                char *text = malloc(size + 1);
                assert_non_null(text);
                for (size_t i = 0; i < size; i++) {
                        seed = seed * 1103515245u + 12345u;
                        /* Mostly syntax characters, so that the lexer goes deep. */
                        static const char alphabet[] = "[]=\\\n\r\t #;\"'ab\0\xff";
                        text[i] = (seed >> 16) % 3 == 0 ? (char)(seed >> 8) : alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
                }
                struct unit_diags d = { 0 };
                struct unit_file f;
                int r = unit_file_parse("garbage", text, size, &f, &d);
                assert_true(r == 0 || r == -EINVAL);
                for (size_t i = 0; i < f.n_assignments; i++)
                        assert_true(f.assignments[i].section < f.n_sections);
                unit_file_free(&f);
                unit_diags_free(&d);
                free(text);
        }
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void overlong_lines_are_errors(void **state) {
        char *longv = repeat('x', UNIT_FILE_LINE_MAX + 1);
        size_t size = strlen(longv) + 64;
        char *text = malloc(size);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        snprintf(text, size, "[Service]\nA=%s\nB=ok\n", longv);
        assert_int_equal(unit_file_parse("t", text, strlen(text), &f, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.v[0].line, 2);
        assert_int_equal(f.n_assignments, 1);
        assert_string_equal(f.assignments[0].key, "B");
        assert_int_equal(f.assignments[0].line, 3);
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
        free(longv);
}

static void just_under_the_line_limit_is_fine(void **state) {
        char *longv = repeat('y', UNIT_FILE_LINE_MAX - 2);   /* "A=" + value = the limit */
        size_t size = strlen(longv) + 32;
        char *text = malloc(size);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        snprintf(text, size, "[Service]\nA=%s\n", longv);
        assert_int_equal(unit_file_parse("t", text, strlen(text), &f, &d), 0);
        assert_int_equal(f.n_assignments, 1);
        assert_int_equal(strlen(f.assignments[0].value), UNIT_FILE_LINE_MAX - 2);
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
        free(longv);
}

static void overlong_continuations_are_errors(void **state) {
        /* 2,000 continued lines of 40 bytes: 80 KB joined. */
        size_t size = 2000 * 42 + 64, used = 0;
        char *text = malloc(size);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        used += (size_t)snprintf(text, size, "[Service]\nA=");
        for (int i = 0; i < 2000; i++)
                used += (size_t)snprintf(text + used, size - used, "%039d\\\n", i);
        snprintf(text + used, size - used, "end\nB=ok\n");
        assert_int_equal(unit_file_parse("t", text, strlen(text), &f, &d), -EINVAL);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.v[0].line, 2);
        assert_non_null(strstr(d.v[0].message, "continued line"));
        /* What follows the cut is read again from a fresh line. */
        assert_string_equal(f.assignments[f.n_assignments - 1].key, "B");
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
}

static void files_over_one_mebibyte_are_refused(void **state) {
        char *text = repeat('#', UNIT_FILE_SIZE_MAX + 1);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        assert_int_equal(unit_file_parse("big.service", text, UNIT_FILE_SIZE_MAX + 1, &f, &d), -EFBIG);
        assert_int_equal(d.n_errors, 1);
        assert_int_equal(d.v[0].line, 0);
        assert_int_equal(f.n_assignments, 0);
        unit_file_free(&f);
        unit_diags_free(&d);
        /* Exactly the limit is fine. */
        for (size_t i = 63; i < UNIT_FILE_SIZE_MAX; i += 64)
                text[i] = '\n';
        assert_int_equal(unit_file_parse("big.service", text, UNIT_FILE_SIZE_MAX, &f, &d), 0);
        assert_int_equal(d.n, 0);
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
}

static void ten_thousand_assignments(void **state) {
        size_t size = 10000 * 32 + 16, used = 0;
        char *text = malloc(size);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        used += (size_t)snprintf(text, size, "[Service]\n");
        for (int i = 0; i < 10000; i++)
                used += (size_t)snprintf(text + used, size - used, "Environment=K%d=%d\n", i, i);
        assert_int_equal(unit_file_parse("t", text, used, &f, &d), 0);
        assert_int_equal(f.n_assignments, 10000);
        assert_int_equal(f.assignments[9999].line, 10001);
        assert_string_equal(f.assignments[9999].value, "K9999=9999");
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
}

static void diagnostics_are_bounded(void **state) {
        size_t size = 300 * 8 + 16, used = 0;
        char *text = malloc(size);
        struct unit_diags d = { 0 };
        struct unit_file f;
        (void)state;
        used += (size_t)snprintf(text, size, "[Unit]\n");
        for (int i = 0; i < 300; i++)
                used += (size_t)snprintf(text + used, size - used, "junk\n");
        assert_int_equal(unit_file_parse("t", text, used, &f, &d), -EINVAL);
        assert_int_equal(d.n_errors, 300);
        assert_int_equal(d.n, UNIT_DIAGS_MAX);
        assert_int_equal(d.n_dropped, 300 - UNIT_DIAGS_MAX);
        assert_false(d.oom);
        unit_file_free(&f);
        unit_diags_free(&d);
        free(text);
}

static void diagnostic_format_and_excerpt(void **state) {
        struct unit_diag whole = { UNIT_DIAG_WARNING, (char *)"x.service", 0, (char *)"hello" };
        char buf[128];
        char *longv = repeat('z', 100);
        (void)state;
        assert_string_equal(unit_diag_format(&whole, buf, sizeof(buf)), "x.service: warning: hello");
        assert_string_equal(unit_diag_excerpt("a\tb", buf, sizeof(buf)), "a?b");
        unit_diag_excerpt(longv, buf, sizeof(buf));
        assert_int_equal(strlen(buf), 63);
        assert_string_equal(buf + 60, "...");
        assert_string_equal(unit_diag_excerpt("abcdef", buf, 5), "a...");
        free(longv);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(lexes_the_systemd_syntax),
                cmocka_unit_test(errors_carry_file_and_line),
                cmocka_unit_test(nul_bytes_are_errors_on_their_line),
                cmocka_unit_test(binary_garbage_never_crashes),
                cmocka_unit_test(overlong_lines_are_errors),
                cmocka_unit_test(just_under_the_line_limit_is_fine),
                cmocka_unit_test(overlong_continuations_are_errors),
                cmocka_unit_test(files_over_one_mebibyte_are_refused),
                cmocka_unit_test(ten_thousand_assignments),
                cmocka_unit_test(diagnostics_are_bounded),
                cmocka_unit_test(diagnostic_format_and_excerpt),
        };
        return cmocka_run_group_tests_name("unit_file", tests, NULL, NULL);
}
