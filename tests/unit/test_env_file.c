/* SPDX-License-Identifier: MIT */
#include "unit/env_file.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct env_case {
        const char *name;
        const char *text;
        const char *want;          /* assignments joined by '\n' */
        size_t warnings;
        unsigned warning_line;     /* of the first warning, when there is one */
};

static const struct env_case cases[] = {
        { "empty", "", "", 0, 0 },
        { "blank lines and comments", "\n# c\n; c\n   # indented\n\n", "", 0, 0 },
        { "plain assignments", "A=1\nB=two words\n", "A=1\nB=two words", 0, 0 },
        { "whitespace around key and value", "  A  =   1   \n", "A=1", 0, 0 },
        { "no final newline", "A=1", "A=1", 0, 0 },
        { "empty value", "A=\nB=\n", "A=\nB=", 0, 0 },
        { "export prefix", "export A=1\nexport\tB=2\nexportC=3\n", "A=1\nB=2\nexportC=3", 0, 0 },
        { "single quotes are literal", "A='x  \\n \"y\"'\n", "A=x  \\n \"y\"", 0, 0 },
        { "double quotes unescape \\\" \\\\ \\` \\$ only",
          "A=\"q\\\"q b\\\\b t\\`t d\\$d n\\n\"\n", "A=q\"q b\\b t`t d$d n\\n", 0, 0 },
        { "quotes open a value, not the middle of one", "A=x'y z'w\nB='a' 'b'\nC=\"x\" y\n",
          "A=x'y z'w\nB=ab\nC=xy", 0, 0 },
        { "unquoted backslash quotes the next char", "A=a\\ b\\#c\\\\\n", "A=a b#c\\", 0, 0 },
        { "backslash-newline continues", "A=one\\\ntwo\nB=\"x\\\ny\"\n", "A=onetwo\nB=xy", 0, 0 },
        { "quoted value spans lines", "A=\"line1\nline2\"\nB=2\n", "A=line1\nline2\nB=2", 0, 0 },
        { "a '#' after the value is part of it", "A=1 # not a comment\n", "A=1 # not a comment", 0, 0 },
        { "later wins, in place", "A=1\nB=2\nA=3\n", "A=3\nB=2", 0, 0 },
        { "CRLF", "A=1\r\nB=2\r\n", "A=1\nB=2", 0, 0 },
        { "comment with trailing backslash does not continue", "# c \\\nA=1\n", "A=1", 0, 0 },
        { "line without '='", "A=1\nulimit -n 2048\nB=2\n", "A=1\nB=2", 1, 2 },
        { "key without '=' at the end", "A=1\nLONELY", "A=1", 1, 2 },
        { "invalid names", "1A=x\nA-B=y\n=z\nok_1=w\n", "ok_1=w", 3, 1 },
        { "ini header is not an assignment", "[section]\nA=1\n", "A=1", 1, 1 },
        { "unterminated quote keeps the value", "A=1\nB=\"open\nstill", "A=1\nB=open\nstill", 1, 2 },
        { "NUL ends the file", "A=1\nB=2\0C=3\n", "A=1\nB=2", 1, 2 },
};

static void joined(char **env, size_t n, char *buf, size_t size) {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "\n" : "", env[i]);
}

static void parses_systemd_environment_files(void **state) {
        (void)state;
        for (size_t i = 0; i < N(cases); i++) {
                const struct env_case *c = &cases[i];
                /* Size from the literal, so that embedded NULs count. */
                size_t size = strlen(c->text);
                if (strcmp(c->name, "NUL ends the file") == 0)
                        size = 13;
                struct unit_diags d = { 0 };
                char **env = NULL, got[512];
                size_t n = 0;
                assert_int_equal(env_file_parse("/etc/default/x", c->text, size, &env, &n, &d), 0);
                joined(env, n, got, sizeof(got));
                if (strcmp(got, c->want) != 0 || d.n_warnings != c->warnings || d.n_errors != 0)
                        fail_msg("%s: got '%s' with %zu warnings", c->name, got, d.n_warnings);
                if (c->warnings > 0 && (d.v[0].line != c->warning_line || strcmp(d.v[0].file, "/etc/default/x") != 0))
                        fail_msg("%s: warning at %s:%u: %s", c->name, d.v[0].file, d.v[0].line, d.v[0].message);
                if (n > 0)
                        assert_null(env[n]);
                env_list_free(&env, &n);
                unit_diags_free(&d);
        }
}

static void merges_into_an_existing_list(void **state) {
        char **env = NULL, got[128];
        size_t n = 0;
        struct unit_diags d = { 0 };
        (void)state;
        assert_int_equal(env_list_set(&env, &n, "PATH=/bin"), 0);
        assert_int_equal(env_list_set(&env, &n, "A=old"), 0);
        assert_int_equal(env_file_parse("f", "A=new\nB=b\n", 10, &env, &n, &d), 0);
        joined(env, n, got, sizeof(got));
        assert_string_equal(got, "PATH=/bin\nA=new\nB=b");
        /* A name that is a prefix of another is a different name. */
        assert_int_equal(env_list_set(&env, &n, "PATHX=1"), 0);
        assert_int_equal(n, 4);
        assert_int_equal(env_list_set(&env, &n, "no-equals"), -EINVAL);
        env_list_free(&env, &n);
        assert_null(env);
        assert_int_equal(n, 0);
        unit_diags_free(&d);
}

static void names_follow_posix(void **state) {
        (void)state;
        assert_true(env_name_is_valid("A", 1));
        assert_true(env_name_is_valid("_a9", 3));
        assert_false(env_name_is_valid("", 0));
        assert_false(env_name_is_valid("9a", 2));
        assert_false(env_name_is_valid("a.b", 3));
        assert_true(env_assignment_is_valid("A="));
        assert_true(env_assignment_is_valid("A=b=c"));
        assert_false(env_assignment_is_valid("=b"));
        assert_false(env_assignment_is_valid("A"));
        assert_false(env_assignment_is_valid("A B=c"));
}

static void large_and_garbage_input(void **state) {
        size_t size = UNIT_FILE_SIZE_MAX + 1;
        char *text = malloc(size), **env = NULL;
        size_t n = 0;
        struct unit_diags d = { 0 };
        unsigned seed = 7;
        (void)state;
        memset(text, 'A', size);
        assert_int_equal(env_file_parse("big", text, size, &env, &n, &d), -EFBIG);
        assert_int_equal(d.n_errors, 1);
        unit_diags_free(&d);
        for (int round = 0; round < 100; round++) {
                static const char alphabet[] = "AB=_ \t\n\r#;'\"\\x$`";
                size_t len = (size_t)(round * 53 % 4000);
                for (size_t i = 0; i < len; i++) {
                        seed = seed * 1103515245u + 12345u;
                        text[i] = (seed >> 16) % 5 == 0 ? (char)(seed >> 8) : alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
                }
                assert_int_equal(env_file_parse("garbage", text, len, &env, &n, &d), 0);
                for (size_t i = 0; i < n; i++)
                        assert_true(env_assignment_is_valid(env[i]));
                env_list_free(&env, &n);
                unit_diags_free(&d);
        }
        free(text);
}

static void ten_thousand_variables(void **state) {
        size_t size = 10000 * 24, used = 0;
        char *text = malloc(size), **env = NULL;
        size_t n = 0;
        struct unit_diags d = { 0 };
        (void)state;
        for (int i = 0; i < 10000; i++)
                used += (size_t)snprintf(text + used, size - used, "VAR_%d=value %d\n", i, i);
        assert_int_equal(env_file_parse("many", text, used, &env, &n, &d), 0);
        assert_int_equal(n, 10000);
        assert_string_equal(env[9999], "VAR_9999=value 9999");
        env_list_free(&env, &n);
        unit_diags_free(&d);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parses_systemd_environment_files),
                cmocka_unit_test(merges_into_an_existing_list),
                cmocka_unit_test(names_follow_posix),
                cmocka_unit_test(large_and_garbage_input),
                cmocka_unit_test(ten_thousand_variables),
        };
        return cmocka_run_group_tests_name("env_file", tests, NULL, NULL);
}
