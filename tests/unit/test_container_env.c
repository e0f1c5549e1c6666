/* SPDX-License-Identifier: MIT */
#include "container/container_env.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DIR "/etc/container_environment"

/* ---- helpers ---- */

static char *joined(char **env, size_t n) {
        size_t size = 1;
        for (size_t i = 0; i < n; i++)
                size += strlen(env[i]) + 1;
        char *s = calloc(1, size);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(s, "|");
                strcat(s, env[i]);
        }
        return s;
}

static bool diags_mention(const struct container_env_diags *d, const char *text) {
        for (size_t i = 0; i < d->n; i++)
                if (strstr(d->v[i], text))
                        return true;
        return false;
}

static char *temp_file(const char *text, size_t size) {
        char *path = strdup("/tmp/vigil-container-env-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, size), (ssize_t)size);
        close(fd);
        return path;
}

/* Run command with /bin/sh; its whole stdout, and its exit status. */
static char *run(const char *command, size_t *ret_size, int *ret_status) {
        FILE *f = popen(command, "r");
        size_t cap = 4096, n = 0, got;
        char *out = malloc(cap);
        assert_non_null(f);
        while ((got = fread(out + n, 1, cap - n, f)) > 0) {
                n += got;
                if (n == cap) {
                        char *bigger = realloc(out, cap *= 2);
                        assert_non_null(bigger);
                        out = bigger;
                }
        }
        *ret_status = pclose(f);
        *ret_size = n;
        return out;
}

/* ---- import ---- */

struct import_case {
        const char *name;
        const char *content;
        size_t size;            /* 0: strlen(content) */
};

static void import_follows_my_init(void **state) {
        static const struct import_case files[] = {
                { "PLAIN", "value\n", 0 },
                { "TWO_NEWLINES", "value\n\n", 0 },
                { "NO_NEWLINE", "value", 0 },
                { "EMPTY", "", 0 },
                { "ONLY_NEWLINE", "\n", 0 },
                { "CRLF", "value\r\n", 0 },
                { "MULTI", "line 1\nline 2\n", 0 },
                { "WEIRD-NAME", "kept as my_init keeps it\n", 0 },
                { "lower.case", "x", 0 },
                { "BAD=NAME", "x", 0 },
                { "", "x", 0 },
                { ".", "x", 0 },
                { "..", "x", 0 },
                { "NEW\nLINE", "x", 0 },
                { "HAS_NUL", "a\0b", 3 },
                { "AAA_FIRST", "sorted first\n", 0 },
        };
        struct container_env_file in[N(files)];
        struct container_env_diags d = { 0 };
        char **env = NULL, *got;
        size_t n = 0;
        (void)state;

        for (size_t i = 0; i < N(files); i++)
                in[i] = (struct container_env_file){ files[i].name, files[i].content,
                                                     files[i].size ? files[i].size : strlen(files[i].content) };
        assert_int_equal(container_env_import(DIR, in, N(in), &env, &n, &d), 0);
        got = joined(env, n);
        assert_string_equal(got, "AAA_FIRST=sorted first|CRLF=value\r|EMPTY=|MULTI=line 1\nline 2|"
                                 "NO_NEWLINE=value|ONLY_NEWLINE=|PLAIN=value|TWO_NEWLINES=value\n|"
                                 "WEIRD-NAME=kept as my_init keeps it|lower.case=x");
        assert_null(env[n]);
        /* One diagnostic per rejected file, naming it. */
        assert_int_equal(d.n, 6);
        assert_true(diags_mention(&d, DIR "/BAD=NAME: not a valid environment variable name, ignoring"));
        assert_true(diags_mention(&d, DIR "/: not a valid"));
        assert_true(diags_mention(&d, DIR "/.: not a valid"));
        assert_true(diags_mention(&d, DIR "/..: not a valid"));
        assert_true(diags_mention(&d, DIR "/NEW\\x0aLINE: not a valid"));
        assert_true(diags_mention(&d, DIR "/HAS_NUL: content has a NUL byte"));
        free(got);
        container_env_list_free(&env, &n);
        assert_null(env);
        container_env_diags_free(&d);
}

static void import_refuses_what_execve_would_refuse(void **state) {
        /* "X=" + value + NUL must fit in MAX_ARG_STRLEN. */
        size_t fits = CONTAINER_ENV_ASSIGNMENT_MAX - 3;
        char *content = malloc(fits + 2);
        struct container_env_diags d = { 0 };
        char **env = NULL;
        size_t n = 0;
        (void)state;

        memset(content, 'v', fits + 1);
        content[fits + 1] = '\n';
        struct container_env_file in[] = {
                { "X", content, fits },
                { "Y", content, fits + 1 },
                { "Z", content + 1, fits + 1 },   /* fits once its '\n' is stripped */
        };
        assert_int_equal(container_env_import(DIR, in, N(in), &env, &n, &d), 0);
        assert_int_equal(n, 2);
        assert_int_equal(strlen(env[0]), CONTAINER_ENV_ASSIGNMENT_MAX - 1);
        assert_memory_equal(env[1], "Z=", 2);
        assert_int_equal(d.n, 1);
        assert_true(diags_mention(&d, DIR "/Y: value is longer than execve(2) accepts"));
        container_env_list_free(&env, &n);
        container_env_diags_free(&d);
        free(content);
}

static void import_repeated_name_last_wins(void **state) {
        struct container_env_file in[] = { { "A", "1", 1 }, { "B", "b", 1 }, { "A", "2", 1 } };
        struct container_env_diags d = { 0 };
        char **env = NULL, *got;
        size_t n = 0;
        (void)state;
        assert_int_equal(container_env_import(DIR, in, N(in), &env, &n, &d), 0);
        got = joined(env, n);
        assert_string_equal(got, "A=2|B=b");
        free(got);
        container_env_list_free(&env, &n);
        /* Nothing at all is an empty, NULL-terminated list. */
        assert_int_equal(container_env_import(DIR, NULL, 0, &env, &n, &d), 0);
        assert_int_equal(n, 0);
        assert_null(env[0]);
        container_env_list_free(&env, &n);
        assert_int_equal(d.n, 0);
}

/* ---- names ---- */

static void skip_list_is_my_inits(void **state) {
        static const char *const skipped[] = { "HOME", "USER", "GROUP", "UID", "GID", "SHELL" };
        static const char *const kept[] = { "HOMEX", "home", "HOM", "USERS", "PATH", "SHELLOPTS", "EUID" };
        (void)state;
        for (size_t i = 0; i < N(skipped); i++)
                assert_true(container_env_is_skipped(skipped[i], strlen(skipped[i])));
        for (size_t i = 0; i < N(kept); i++)
                assert_false(container_env_is_skipped(kept[i], strlen(kept[i])));
        /* The length counts: "HOME" as the start of "HOME=x". */
        assert_true(container_env_is_skipped("HOME=x", 4));
}

static void shell_names_are_sanitised_as_my_init_does(void **state) {
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "PATH", "PATH" },
                { "ok_9", "ok_9" },
                { "WEIRD-NAME", "WEIRD_NAME" },
                { "a.b c", "a_b_c" },
                { "1X", "_1X" },
                { "9", "_9" },
                { "\xc3\xa9t\xc3\xa9", "__t__" },   /* "été", bytewise */
                { "_", "_" },
        };
        char *got;
        (void)state;
        for (size_t i = 0; i < N(cases); i++) {
                assert_int_equal(container_env_shell_name(cases[i].in, strlen(cases[i].in), &got), 0);
                assert_string_equal(got, cases[i].want);
                free(got);
        }
        assert_int_equal(container_env_shell_name("", 0, &got), -EINVAL);
}

static void directory_names_are_single_file_names(void **state) {
        char long_name[CONTAINER_ENV_NAME_MAX + 2];
        (void)state;
        assert_true(container_env_name_is_valid("WEIRD-NAME", 10));
        assert_true(container_env_name_is_valid(".hidden", 7));
        assert_true(container_env_name_is_valid("\xc3\xa9", 2));
        assert_false(container_env_name_is_valid("", 0));
        assert_false(container_env_name_is_valid("a/b", 3));
        assert_false(container_env_name_is_valid("a=b", 3));
        assert_false(container_env_name_is_valid("a\tb", 3));
        assert_false(container_env_name_is_valid("a\x7f", 2));
        memset(long_name, 'N', sizeof(long_name));
        assert_true(container_env_name_is_valid(long_name, CONTAINER_ENV_NAME_MAX));
        assert_false(container_env_name_is_valid(long_name, CONTAINER_ENV_NAME_MAX + 1));
}

/* ---- export: directory ---- */

static void export_dir_skips_and_keeps_newlines(void **state) {
        char *env[] = { "PATH=/bin", "HOME=/root", "USER=root", "GROUP=g", "UID=0", "GID=0", "SHELL=/bin/sh",
                        "ENDS=line\n", "A=first", "A=second", "../../etc/passwd=x", "NOEQUALS", "=empty-name",
                        "EMPTY=", NULL };
        struct container_env_file *files = NULL;
        struct container_env_diags d = { 0 };
        size_t n = 0;
        (void)state;

        assert_int_equal(container_env_export_dir(env, &files, &n, &d), 0);
        assert_int_equal(n, 4);
        assert_string_equal(files[0].name, "A");
        assert_string_equal(files[0].content, "first");   /* first wins, as getenv(3) */
        assert_string_equal(files[1].name, "EMPTY");
        assert_int_equal(files[1].size, 0);
        assert_string_equal(files[2].name, "ENDS");
        assert_int_equal(files[2].size, 6);
        assert_memory_equal(files[2].content, "line\n\n", 6);
        assert_string_equal(files[3].name, "PATH");
        assert_int_equal(d.n, 1);
        assert_true(diags_mention(&d, "variable ../../etc/passwd: not a valid file name"));
        container_env_files_free(&files, &n);
        assert_null(files);
        container_env_diags_free(&d);
}

static void export_dir_then_import_is_the_identity(void **state) {
        char *env[] = { "A=", "B=\n", "C=x\n\n", "D=\r\n", "E=no newline", "F=\n\nmid\n", "G=\xff\xfe",
                        "WEIRD-NAME=w", NULL };
        struct container_env_file *files = NULL;
        struct container_env_diags d = { 0 };
        char **back = NULL;
        size_t n = 0, n_back = 0;
        (void)state;

        assert_int_equal(container_env_export_dir(env, &files, &n, &d), 0);
        assert_int_equal(container_env_import(DIR, files, n, &back, &n_back, &d), 0);
        assert_int_equal(n_back, N(env) - 1);
        for (size_t i = 0; i < n_back; i++)
                assert_string_equal(back[i], env[i]);   /* env is sorted already */
        assert_int_equal(d.n, 0);
        container_env_list_free(&back, &n_back);
        container_env_files_free(&files, &n);
}

/* ---- export: .sh ---- */

static void sh_text_is_exported_single_quoted_lines(void **state) {
        char *env[] = { "B=it's", "A=1", "HOME=/root", "E=", "WEIRD-NAME=x", NULL };
        struct container_env_diags d = { 0 };
        char *text;
        (void)state;
        assert_int_equal(container_env_export_sh(env, &text, &d), 0);
        assert_string_equal(text, "export A='1'\n"
                                  "export B='it'\\''s'\n"
                                  "export E=''\n"
                                  "export WEIRD_NAME='x'\n");
        free(text);
        assert_int_equal(d.n, 0);
        char *none[] = { "HOME=/root", NULL };
        assert_int_equal(container_env_export_sh(none, &text, &d), 0);
        assert_string_equal(text, "");
        free(text);
        assert_int_equal(container_env_export_sh(NULL, &text, &d), 0);
        assert_string_equal(text, "");
        free(text);
}

static void sh_name_collisions_keep_one(void **state) {
        char *env[] = { "A.B=3", "A-B=1", "A_B=2", "X.Y=5", "X-Y=4", "1Z=6", "_1Z=7", NULL };
        struct container_env_diags d = { 0 };
        char *text;
        (void)state;
        assert_int_equal(container_env_export_sh(env, &text, &d), 0);
        /* An already valid name wins; else the first by name ('-' < '.'). */
        assert_string_equal(text, "export A_B='2'\n"
                                  "export X_Y='4'\n"
                                  "export _1Z='7'\n");
        assert_int_equal(d.n, 4);
        assert_true(diags_mention(&d, "variable A-B: its shell name A_B is taken"));
        assert_true(diags_mention(&d, "variable A.B: its shell name A_B is taken"));
        assert_true(diags_mention(&d, "variable X.Y: its shell name X_Y is taken"));
        assert_true(diags_mention(&d, "variable 1Z: its shell name _1Z is taken"));
        free(text);
        container_env_diags_free(&d);
}

struct sh_value {
        const char *name;       /* as in the environment */
        const char *shell_name; /* as read back */
        char *value;
};

static void sh_round_trips_through_dash(void **state) {
        size_t big_size = 100 * 1024, all_size = 255;
        char *big = malloc(big_size + 1), *all = malloc(all_size + 1);
        unsigned seed = 42;
        (void)state;

        for (size_t i = 0; i < big_size; i++) {
                seed = seed * 1103515245u + 12345u;
                big[i] = (char)(1 + (seed >> 16) % 255);   /* any byte but NUL */
        }
        big[big_size] = '\0';
        for (size_t i = 0; i < all_size; i++)
                all[i] = (char)(i + 1);
        all[all_size] = '\0';

        struct sh_value values[] = {
                { "SQ", "SQ", "it's 'quoted' ''" },
                { "DQ", "DQ", "say \"hi\" \"" },
                { "NL", "NL", "line 1\nline 2\n\n" },
                { "ONLY_NL", "ONLY_NL", "\n" },
                { "DOLLAR", "DOLLAR", "$HOME ${PATH} $(id) $1 $$ $" },
                { "BACKSLASH", "BACKSLASH", "\\ \\n \\\\ trailing\\" },
                { "BACKTICK", "BACKTICK", "`id` ``" },
                { "EMPTY", "EMPTY", "" },
                { "NON_ASCII", "NON_ASCII", "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
                { "INVALID_UTF8", "INVALID_UTF8", "\xff\xfe\xc3 \xed\xa0\x80" },
                { "OPTIONS", "OPTIONS", "-n -e %s %d\\c" },
                { "GLOB", "GLOB", "* ? [a] ~ ~root" },
                { "SPACES", "SPACES", "  lead and trail  \t" },
                { "WEIRD-NAME", "WEIRD_NAME", "sanitised name" },
                { "2ND", "_2ND", "leading digit" },
                { "ALL_BYTES", "ALL_BYTES", all },
                { "BIG", "BIG", big },
        };
        char *env[N(values) + 1];
        struct container_env_diags d = { 0 };
        char *text, *path, command[512];
        size_t size;
        int status;

        for (size_t i = 0; i < N(values); i++) {
                size_t len = strlen(values[i].name) + 1 + strlen(values[i].value) + 1;
                env[i] = malloc(len);
                snprintf(env[i], len, "%s=%s", values[i].name, values[i].value);
        }
        env[N(values)] = NULL;
        assert_int_equal(container_env_export_sh(env, &text, &d), 0);
        assert_int_equal(d.n, 0);
        path = temp_file(text, strlen(text));

        /* The whole file sources without an error, even under set -e. */
        snprintf(command, sizeof(command), "env -i /bin/sh -ec '. %s' 2>&1", path);
        char *out = run(command, &size, &status);
        if (status != 0 || size != 0)
                fail_msg("sourcing failed (%d): %.*s", status, (int)size, out);
        free(out);

        for (size_t i = 0; i < N(values); i++) {
                snprintf(command, sizeof(command), "env -i /bin/sh -c '. %s && printf %%s \"$%s\"'", path,
                         values[i].shell_name);
                out = run(command, &size, &status);
                assert_int_equal(status, 0);
                if (size != strlen(values[i].value) || memcmp(out, values[i].value, size) != 0)
                        fail_msg("%s: %zu bytes back for %zu", values[i].name, size, strlen(values[i].value));
                free(out);
        }
        unlink(path);
        free(path);
        free(text);
        for (size_t i = 0; i < N(values); i++)
                free(env[i]);
        free(big);
        free(all);
}

/* ---- export: .json ---- */

static void json_text_escapes_what_it_must(void **state) {
        char *env[] = { "Q=say \"hi\" \\o/", "C=\b\f\n\r\t\x01\x1f\x7f", "U=\xc3\xa9\xe2\x80\xa8",
                        "I=\xe9\xc3\xff", "SHELL=/bin/sh", "K\"EY=v", NULL };
        char *text;
        (void)state;
        assert_int_equal(container_env_export_json(env, &text), 0);
        assert_string_equal(text, "{\n"
                                  "  \"C\": \"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\",\n"
                                  "  \"I\": \"\\u00e9\\u00c3\\u00ff\",\n"
                                  "  \"K\\\"EY\": \"v\",\n"
                                  "  \"Q\": \"say \\\"hi\\\" \\\\o/\",\n"
                                  "  \"U\": \"\xc3\xa9\xe2\x80\xa8\"\n"
                                  "}\n");
        free(text);
        char *none[] = { "HOME=/root", "UID=0", NULL };
        assert_int_equal(container_env_export_json(none, &text), 0);
        assert_string_equal(text, "{}\n");
        free(text);
}

/* Python decodes the raw bytes itself (valid UTF-8 as text, each other
 * byte as its Latin-1 code point) and compares with what json.load reads
 * from a file opened as strict UTF-8. */
static const char json_check_py[] =
        "import json, sys\n"
        "raw = open(sys.argv[1], 'rb').read().split(b'\\0')[:-1]\n"
        "def text(b):\n"
        "    s = b.decode('utf-8', 'surrogateescape')\n"
        "    return ''.join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)\n"
        "want = {}\n"
        "for a in raw:\n"
        "    k, _, v = a.partition(b'=')\n"
        "    if k in (b'HOME', b'USER', b'GROUP', b'UID', b'GID', b'SHELL') or k in want:\n"
        "        continue\n"
        "    want[k] = text(v)\n"
        "got = json.load(open(sys.argv[2], encoding='utf-8', errors='strict'))\n"
        "want = {text(k): v for k, v in sorted(want.items())}\n"
        "if got != want or list(got) != list(want):\n"
        "    print('json mismatch:', repr(sorted(set(got.items()) ^ set(want.items())))[:300])\n"
        "    sys.exit(1)\n";

static void json_is_valid_and_equal_in_python(void **state) {
        size_t big_size = 100 * 1024;
        char *big = malloc(big_size + 3), all[256];
        unsigned seed = 7;
        (void)state;

        memcpy(big, "Z=", 2);
        for (size_t i = 2; i < big_size + 2; i++) {
                seed = seed * 1103515245u + 12345u;
                big[i] = (char)(1 + (seed >> 16) % 255);
        }
        big[big_size + 2] = '\0';
        memcpy(all, "ALL=", 4);
        for (size_t i = 4; i < 255; i++)
                all[i] = (char)(i - 3);
        all[255] = '\0';

        char *env[] = { "SQ=it's", "DQ=\"\"", "NL=a\nb\n", "BS=\\\\", "EMPTY=", "UTF8=\xc3\xa9 \xf0\x9f\x98\x80",
                        "BAD=\xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82", "CTRL=\x01\x1b[0m\x7f",
                        "WEIRD-NAME=w", "\xc3\xa9=name", "N\xff=bad name byte", "HOME=/root", "SHELL=/bin/sh",
                        "DUP=first", "DUP=second", "EQ==a=b=", all, big, NULL };
        struct buf_raw {
                char *s;
                size_t n;
        } raw = { malloc(big_size + 4096), 0 };
        char *text, *raw_path, *json_path, *py_path, command[512];
        size_t size;
        int status;

        for (size_t i = 0; env[i]; i++) {
                size_t len = strlen(env[i]) + 1;
                memcpy(raw.s + raw.n, env[i], len);
                raw.n += len;
        }
        assert_int_equal(container_env_export_json(env, &text), 0);
        raw_path = temp_file(raw.s, raw.n);
        json_path = temp_file(text, strlen(text));
        py_path = temp_file(json_check_py, strlen(json_check_py));
        snprintf(command, sizeof(command), "python3 %s %s %s 2>&1", py_path, raw_path, json_path);
        char *out = run(command, &size, &status);
        if (status != 0)
                fail_msg("python3 says (%d): %.*s", status, (int)size, out);
        free(out);
        unlink(raw_path);
        unlink(json_path);
        unlink(py_path);
        free(raw_path);
        free(json_path);
        free(py_path);
        free(text);
        free(raw.s);
        free(big);
}

/* ---- scale ---- */

static void ten_thousand_variables(void **state) {
        size_t count = 10000;
        char **env = calloc(count + 1, sizeof(char *)), *text;
        struct container_env_file *files = NULL;
        struct container_env_diags d = { 0 };
        size_t n = 0;
        (void)state;
        for (size_t i = 0; i < count; i++)
                assert_true(asprintf(&env[i], "VAR_%05zu=value %zu", count - 1 - i, i) > 0);
        assert_int_equal(container_env_export_dir(env, &files, &n, &d), 0);
        assert_int_equal(n, count);
        assert_string_equal(files[0].name, "VAR_00000");
        assert_string_equal(files[count - 1].content, "value 0");
        container_env_files_free(&files, &n);
        assert_int_equal(container_env_export_sh(env, &text, &d), 0);
        assert_non_null(strstr(text, "export VAR_09999='value 0'\n"));
        free(text);
        assert_int_equal(container_env_export_json(env, &text), 0);
        assert_non_null(strstr(text, "\"VAR_00000\": \"value 9999\",\n"));
        free(text);
        assert_int_equal(d.n, 0);
        for (size_t i = 0; i < count; i++)
                free(env[i]);
        free(env);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(import_follows_my_init),
                cmocka_unit_test(import_refuses_what_execve_would_refuse),
                cmocka_unit_test(import_repeated_name_last_wins),
                cmocka_unit_test(skip_list_is_my_inits),
                cmocka_unit_test(shell_names_are_sanitised_as_my_init_does),
                cmocka_unit_test(directory_names_are_single_file_names),
                cmocka_unit_test(export_dir_skips_and_keeps_newlines),
                cmocka_unit_test(export_dir_then_import_is_the_identity),
                cmocka_unit_test(sh_text_is_exported_single_quoted_lines),
                cmocka_unit_test(sh_name_collisions_keep_one),
                cmocka_unit_test(sh_round_trips_through_dash),
                cmocka_unit_test(json_text_escapes_what_it_must),
                cmocka_unit_test(json_is_valid_and_equal_in_python),
                cmocka_unit_test(ten_thousand_variables),
        };
        return cmocka_run_group_tests_name("container_env", tests, NULL, NULL);
}
