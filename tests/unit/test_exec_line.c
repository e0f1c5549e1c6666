/* SPDX-License-Identifier: MIT */
#include "unit/exec_line.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* argv written as one string, words separated by '|', for compact tables. */
static void join(char *const *argv, char *buf, size_t size) {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; argv && argv[i]; i++)
                used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "", argv[i]);
}

struct split_case {
        const char *value;
        const char *path;
        const char *argv;       /* '|'-joined */
        unsigned flags;
        const char *warning;    /* substring, or NULL for none */
};

static const struct split_case good[] = {
        { "/bin/echo hello world", "/bin/echo", "/bin/echo|hello|world", 0, NULL },
        { "  /bin/echo   spaced\tout  ", "/bin/echo", "/bin/echo|spaced|out", 0, NULL },
        { "echo relative-name", "echo", "echo|relative-name", 0, NULL },
        { "-/bin/false", "/bin/false", "/bin/false", EXEC_FLAG_IGNORE_FAILURE, NULL },
        { "@/bin/busybox sh -c true", "/bin/busybox", "sh|-c|true", EXEC_FLAG_ARGV0, NULL },
        { "-@:/bin/x a", "/bin/x", "a", EXEC_FLAG_IGNORE_FAILURE | EXEC_FLAG_ARGV0 | EXEC_FLAG_NO_ENV_EXPAND, NULL },
        { ":-@/bin/x a", "/bin/x", "a", EXEC_FLAG_IGNORE_FAILURE | EXEC_FLAG_ARGV0 | EXEC_FLAG_NO_ENV_EXPAND, NULL },
        { "+/bin/x", "/bin/x", "/bin/x", EXEC_FLAG_FULL_PRIVILEGES, NULL },
        { "!/bin/x", "/bin/x", "/bin/x", EXEC_FLAG_AMBIENT, NULL },
        { "!!/bin/x", "/bin/x", "/bin/x", EXEC_FLAG_AMBIENT, NULL },
        { "-+/bin/x", "/bin/x", "/bin/x", EXEC_FLAG_IGNORE_FAILURE | EXEC_FLAG_FULL_PRIVILEGES, NULL },
        { "/bin/echo \"a b\" 'c d' e\"f g\"h", "/bin/echo", "/bin/echo|a b|c d|ef gh", 0, NULL },
        { "/bin/echo \"\" ''", "/bin/echo", "/bin/echo||", 0, NULL },
        { "\"/bin/echo\" quoted-path", "/bin/echo", "/bin/echo|quoted-path", 0, NULL },
        { "\"-/bin/echo\" x", "/bin/echo", "/bin/echo|x", EXEC_FLAG_IGNORE_FAILURE, NULL },
        { "/bin/printf \\x41\\101\\n\\t\\\\\\\"\\'\\s", "/bin/printf", "/bin/printf|AA\n\t\\\"' ", 0, NULL },
        { "/bin/printf \\a\\b\\f\\r\\v", "/bin/printf", "/bin/printf|\a\b\f\r\v", 0, NULL },
        { "/bin/echo \\u00e9 \\U0001F600", "/bin/echo", "/bin/echo|\xc3\xa9|\xf0\x9f\x98\x80", 0, NULL },
        { "/bin/echo \"in \\\"quotes\\\"\" 'single \\x41'", "/bin/echo", "/bin/echo|in \"quotes\"|single A", 0, NULL },
        { "/bin/grep '\\.'", "/bin/grep", "/bin/grep|\\.", 0, "unknown escape sequence '\\.'" },
        { "/bin/echo \\x00", "/bin/echo", "/bin/echo|\\x00", 0, "unknown escape" },
        { "/bin/echo \\400", "/bin/echo", "/bin/echo|\\400", 0, "unknown escape" },
        { "/bin/echo \\;", "/bin/echo", "/bin/echo|;", 0, NULL },
        { "/bin/echo a\\; b;", "/bin/echo", "/bin/echo|a\\;|b;", 0, "unknown escape" },
        { "/bin/echo ';'", "/bin/echo", "/bin/echo|;", 0, NULL },
        { "/bin/echo %n %N %p %i %%", "/bin/echo", "/bin/echo|web.service|web|web||%", 0, NULL },
        { "/bin/echo %t %S %C %L %E %T %V", "/bin/echo", "/bin/echo|/run|/var/lib|/var/cache|/var/log|/etc|/tmp|/var/tmp",
          0, NULL },
        { "/bin/echo 100%", "/bin/echo", "/bin/echo|100%", 0, NULL },
        { "/bin/echo $HOME ${HOME}", "/bin/echo", "/bin/echo|$HOME|${HOME}", 0, NULL },
        { "//usr//bin/./env x", "/usr/bin/env", "//usr//bin/./env|x", 0, NULL },
        { "/bin/sh -c 'echo \"nested\"; exit 0'", "/bin/sh", "/bin/sh|-c|echo \"nested\"; exit 0", 0, NULL },
};

static void splits_command_lines_as_systemd(void **state) {
        (void)state;
        for (size_t i = 0; i < N(good); i++) {
                struct exec_command c;
                struct exec_diag d;
                char argv[512];
                int r = exec_line_split(good[i].value, "web.service", &c, &d);
                if (r != 0)
                        fail_msg("'%s': %d %s", good[i].value, r, d.error);
                join(c.argv, argv, sizeof(argv));
                if (strcmp(c.path, good[i].path) != 0 || strcmp(argv, good[i].argv) != 0 || c.flags != good[i].flags)
                        fail_msg("'%s': path '%s' argv '%s' flags %u", good[i].value, c.path, argv, c.flags);
                if (good[i].warning ? !strstr(d.warning, good[i].warning) : d.warning[0] != '\0')
                        fail_msg("'%s': warning '%s'", good[i].value, d.warning);
                exec_command_done(&c);
        }
}

static void instance_names_fill_prefix_and_instance(void **state) {
        struct exec_command c;
        struct exec_diag d;
        char argv[256];
        (void)state;
        assert_int_equal(exec_line_split("/sbin/agetty %i %p %N %n", "getty@tty1.service", &c, &d), 0);
        join(c.argv, argv, sizeof(argv));
        assert_string_equal(argv, "/sbin/agetty|tty1|getty|getty@tty1|getty@tty1.service");
        exec_command_done(&c);
}

struct bad_case {
        const char *value;
        const char *error;   /* substring */
};

static const struct bad_case bad[] = {
        { "", "empty command line" },
        { "   ", "empty command line" },
        { "-", "no executable" },
        { "@", "no executable" },
        { "-@:", "no executable" },
        { "@/bin/true", "argv[0]" },
        { "/bin/echo \"hello", "unbalanced quoting" },
        { "/bin/echo 'hello", "unbalanced quoting" },
        { "/bin/echo \"trailing \\", "unbalanced quoting" },
        { "/bin/true ; /bin/false", "';' as a command separator" },
        { "; /bin/false", "';' as a command separator" },
        { "/bin/true ;", "';' as a command separator" },
        { "bin/relative", "neither an absolute path nor a plain file name" },
        { "/usr/bin/", "names a directory" },
        { "/usr/bin/.", "names a directory" },
        { "..", "names a directory" },
        { "+!/bin/x", "neither an absolute path" },
        { "--/bin/x", "neither an absolute path" },
        { "/bin/echo %b", "specifier '%b' is not supported" },
        { "/bin/%m/x", "specifier '%m' is not supported" },
        { "/bin/echo \\x01%", NULL },   /* fine: trailing '%' and a \x01 byte */
        { "/bin/ec\\x01ho", "control characters" },
};

static void rejects_malformed_command_lines(void **state) {
        (void)state;
        for (size_t i = 0; i < N(bad); i++) {
                struct exec_command c;
                struct exec_diag d;
                int r = exec_line_split(bad[i].value, "web.service", &c, &d);
                if (!bad[i].error) {
                        assert_int_equal(r, 0);
                        exec_command_done(&c);
                        continue;
                }
                if (r != -EINVAL || !strstr(d.error, bad[i].error))
                        fail_msg("'%s': %d '%s'", bad[i].value, r, d.error);
                assert_null(c.path);
                assert_null(c.argv);
        }
}

static void name_specifiers_need_a_unit_name(void **state) {
        struct exec_command c;
        struct exec_diag d;
        (void)state;
        assert_int_equal(exec_line_split("/bin/echo %n", NULL, &c, &d), -EINVAL);
        assert_non_null(strstr(d.error, "needs a unit name"));
        assert_int_equal(exec_line_split("/bin/echo %% %t", NULL, &c, &d), 0);
        assert_string_equal(c.argv[1], "%");
        exec_command_done(&c);
}

struct expand_case {
        const char *argv;      /* '|'-joined input words */
        unsigned flags;
        const char *want;      /* '|'-joined output */
};

static char *const env[] = {
        (char *)"FOO=a b  c", (char *)"EMPTY=", (char *)"Q=x \"y z\" 'w v'", (char *)"DUP=first",
        (char *)"DUP=second", (char *)"PORT=8080", NULL,
};

static const struct expand_case expand[] = {
        { "/bin/x|$FOO", 0, "/bin/x|a|b|c" },
        { "/bin/x|$UNDEF|end", 0, "/bin/x|end" },
        { "/bin/x|$EMPTY|end", 0, "/bin/x|end" },
        { "/bin/x|${FOO}", 0, "/bin/x|a b  c" },
        { "/bin/x|${UNDEF}", 0, "/bin/x|" },
        { "/bin/x|--port=${PORT}", 0, "/bin/x|--port=8080" },
        { "/bin/x|${PORT}${PORT}", 0, "/bin/x|80808080" },
        { "/bin/x|--port=$PORT", 0, "/bin/x|--port=$PORT" },
        { "/bin/x|$$", 0, "/bin/x|$" },
        { "/bin/x|a$$b", 0, "/bin/x|a$b" },
        { "/bin/x|$$FOO", 0, "/bin/x|$FOO" },
        { "/bin/x|$${FOO}", 0, "/bin/x|${FOO}" },
        { "/bin/x|${FOO", 0, "/bin/x|${FOO" },
        { "/bin/x|${FOO:-d}", 0, "/bin/x|${FOO:-d}" },
        { "/bin/x|$Q", 0, "/bin/x|x|y z|w v" },
        { "/bin/x|$DUP", 0, "/bin/x|second" },
        { "/bin/x|$1abc", 0, "/bin/x" },
        { "/bin/x|$", 0, "/bin/x" },
        { "/bin/x|$FOO-bar", 0, "/bin/x" },
        { "/bin/x|$FOO|${FOO}|$$", EXEC_FLAG_NO_ENV_EXPAND, "/bin/x|$FOO|${FOO}|$$" },
        { "$UNDEF", 0, "" },
};

static char **split_words(const char *s) {
        char **v = calloc(16, sizeof(char *)), *copy = strdup(s), *save = NULL;
        size_t n = 0;
        assert_non_null(v);
        /* strtok would drop empty words; none of the inputs has one. */
        for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save))
                v[n++] = strdup(w);
        free(copy);
        return v;
}

static void expands_variables_at_spawn_time(void **state) {
        (void)state;
        for (size_t i = 0; i < N(expand); i++) {
                struct exec_command c = { .path = (char *)"/bin/x", .argv = split_words(expand[i].argv),
                                          .flags = expand[i].flags };
                char **out, got[512];
                assert_int_equal(exec_line_expand(&c, env, &out), 0);
                assert_non_null(out);
                join(out, got, sizeof(got));
                if (strcmp(got, expand[i].want) != 0)
                        fail_msg("'%s' gave '%s', want '%s'", expand[i].argv, got, expand[i].want);
                exec_argv_free(out);
                exec_argv_free(c.argv);
        }
}

static void split_then_expand(void **state) {
        struct exec_command c;
        struct exec_diag d;
        char **out, got[256];
        (void)state;
        assert_int_equal(exec_line_split("/srv/app --listen=:${PORT} $FOO", "app.service", &c, &d), 0);
        assert_int_equal(exec_line_expand(&c, env, &out), 0);
        join(out, got, sizeof(got));
        assert_string_equal(got, "/srv/app|--listen=:8080|a|b|c");
        exec_argv_free(out);
        /* No environment at all: unset everywhere. */
        assert_int_equal(exec_line_expand(&c, NULL, &out), 0);
        join(out, got, sizeof(got));
        assert_string_equal(got, "/srv/app|--listen=:");
        exec_argv_free(out);
        exec_command_done(&c);
}

static void specifier_expansion_on_its_own(void **state) {
        struct exec_diag d;
        char *out;
        (void)state;
        assert_int_equal(unit_specifier_expand("%n/%N/%%/%i", "db.service", &out, &d), 0);
        assert_string_equal(out, "db.service/db/%/");
        free(out);
        assert_int_equal(unit_specifier_expand("", "db.service", &out, &d), 0);
        assert_string_equal(out, "");
        free(out);
        assert_int_equal(unit_specifier_expand("%\x01", "db.service", &out, &d), -EINVAL);
        assert_non_null(strstr(d.error, "'%\\x01'"));
        assert_null(out);
}

static void word_extraction(void **state) {
        const char *p = "  one \"two three\"  fo'u'r ";
        struct exec_diag d = { 0 };
        char *w;
        (void)state;
        assert_int_equal(exec_word_next(&p, &w, &d), 1);
        assert_string_equal(w, "one");
        free(w);
        assert_int_equal(exec_word_next(&p, &w, &d), 1);
        assert_string_equal(w, "two three");
        free(w);
        assert_int_equal(exec_word_next(&p, &w, &d), 1);
        assert_string_equal(w, "four");
        free(w);
        assert_int_equal(exec_word_next(&p, &w, &d), 0);
        assert_null(w);
}

static void very_long_lines_split(void **state) {
        size_t words = 5000, size = words * 8 + 16, used = 0;
        char *value = malloc(size);
        struct exec_command c;
        struct exec_diag d;
        (void)state;
        used += (size_t)snprintf(value, size, "/bin/x");
        for (size_t i = 0; i < words; i++)
                used += (size_t)snprintf(value + used, size - used, " w%zu", i);
        assert_int_equal(exec_line_split(value, "x.service", &c, &d), 0);
        assert_string_equal(c.argv[words], "w4999");
        assert_null(c.argv[words + 1]);
        exec_command_done(&c);
        free(value);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(splits_command_lines_as_systemd),
                cmocka_unit_test(instance_names_fill_prefix_and_instance),
                cmocka_unit_test(rejects_malformed_command_lines),
                cmocka_unit_test(name_specifiers_need_a_unit_name),
                cmocka_unit_test(expands_variables_at_spawn_time),
                cmocka_unit_test(split_then_expand),
                cmocka_unit_test(specifier_expansion_on_its_own),
                cmocka_unit_test(word_extraction),
                cmocka_unit_test(very_long_lines_split),
        };
        return cmocka_run_group_tests_name("exec_line", tests, NULL, NULL);
}
