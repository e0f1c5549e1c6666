/* SPDX-License-Identifier: MIT */
#include "base/words.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void check(const char *line, const char *const *expected, size_t n) {
        struct strv w;
        assert_int_equal(words_split(line, &w), 0);
        assert_int_equal(w.n, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(w.v[i], expected[i]);
        assert_null(w.v[n]);
        strv_free(&w);
}

static void splits_like_a_shell(void **state) {
        (void)state;
        check("--uniqueid-exec \"boardid -n 4\"", (const char *[]){ "--uniqueid-exec", "boardid -n 4" }, 2);
        check("  a   b\tc ", (const char *[]){ "a", "b", "c" }, 3);
        check("'single $HOME \\n' x", (const char *[]){ "single $HOME \\n", "x" }, 2);
        check("\"dq \\\" \\\\ \\$ \\a\"", (const char *[]){ "dq \" \\ $ \\a" }, 1);
        check("back\\ slash", (const char *[]){ "back slash" }, 1);
        check("a'b'\"c\"d", (const char *[]){ "abcd" }, 1);
        check("''", (const char *[]){ "" }, 1);
        check("x # comment", (const char *[]){ "x" }, 1);
        check("a#b", (const char *[]){ "a#b" }, 1);
        check("$HOME ${X}", (const char *[]){ "$HOME", "${X}" }, 2);
}

static void empty_and_comment_lines_have_no_words(void **state) {
        (void)state;
        check("", NULL, 0);
        check("   ", NULL, 0);
        check("# just a comment", NULL, 0);
}

static void rejects_unterminated(void **state) {
        struct strv w;
        (void)state;
        assert_int_equal(words_split("'open", &w), -EINVAL);
        assert_int_equal(words_split("\"open", &w), -EINVAL);
        assert_int_equal(words_split("trailing\\", &w), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(splits_like_a_shell),
                cmocka_unit_test(empty_and_comment_lines_have_no_words),
                cmocka_unit_test(rejects_unterminated),
        };
        return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
