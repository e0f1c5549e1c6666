/* SPDX-License-Identifier: MIT */
#include "cmd/erlinit_opts.h"
#include "cmd/options.h"
#include "base/timespan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define NTOK(...) (sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *))
#define TOKENS(...) (char *const[]){ __VA_ARGS__ }, NULL, NTOK(__VA_ARGS__)

static char warnings[2048];
static unsigned n_warnings;

static void collect(void *ctx, unsigned line, const char *message) {
        (void)ctx;
        n_warnings++;
        size_t used = strlen(warnings);
        snprintf(warnings + used, sizeof(warnings) - used, "%u:%s\n", line, message);
}

static int setup(void **state) {
        (void)state;
        warnings[0] = '\0';
        n_warnings = 0;
        return 0;
}

/* The words, joined with ' '. */
static const char *joined(const struct erlinit_translation *t) {
        static char buf[2048];
        buf[0] = '\0';
        for (size_t i = 0; i < t->words.n; i++) {
                strcat(buf, i ? " " : "");
                strcat(buf, t->words.v[i]);
        }
        return buf;
}

static const char *translate(struct erlinit_translation *t, char *const *tokens, const unsigned *lines, size_t n) {
        *t = (struct erlinit_translation){ 0 };
        assert_int_equal(erlinit_translate(t, tokens, lines, n, collect, NULL), 0);
        return joined(t);
}

/* One row per erlinit option that becomes vigil words. */
static void each_option_row(void **state) {
        static const struct { const char *in[3]; const char *out; } rows[] = {
                { { "-c", "ttyAMA0" }, "--ctty=ttyAMA0" },
                { { "-cttyS0" }, "--ctty=ttyS0" },
                { { "--ctty", "null" }, "--ctty=null" },
                { { "--ctty=tty1" }, "--ctty=tty1" },
                { { "-d", "/usr/bin/boardid -n 4" }, "--uniqueid-exec=/usr/bin/boardid -n 4" },
                { { "--uniqueid-exec", "x" }, "--uniqueid-exec=x" },
                { { "-h" }, "--on-exit=hang" },
                { { "--hang-on-exit" }, "--on-exit=hang" },
                { { "-H" }, "--on-exit=reboot" },
                { { "--reboot-on-exit" }, "--on-exit=reboot" },
                { { "--poweroff-on-exit" }, "--on-exit=poweroff" },
                { { "-m", "tmpfs:/x:tmpfs:nodev:mode=755" }, "--mount=tmpfs:/x:tmpfs:nodev:mode=755" },
                { { "-n", "nerves-%-.4s" }, "--hostname-pattern=nerves-%-.4s" },
                { { "--hostname-pattern", "a%s" }, "--hostname-pattern=a%s" },
                { { "--pre-run-exec", "/bin/true" }, "--pre-run-exec=/bin/true" },
                { { "--run-on-exit", "/bin/sh" }, "--run-on-exit=/bin/sh" },
                { { "--working-directory", "/root" }, "--working-directory=/root" },
                { { "--shutdown-report", "/data/r" }, "--shutdown-report=/data/r" },
                { { "--uid", "100" }, "--uid=100" },
                { { "--gid", "0x10" }, "--gid=16" },
                { { "--graceful-shutdown-timeout", "15000" }, "--default-timeout-stop-sec=15000ms" },
                { { "--graceful-shutdown-timeout", "0" }, "--default-timeout-stop-sec=1ms" },
                { { "-v" }, "--verbose" },
                { { "--verbose" }, "--verbose" },
                { { "-vh" }, "--verbose --on-exit=hang" },
                { { "--reboot-on-fatal" }, "" },
                { { "--hang-on-ex" }, "--on-exit=hang" },        /* getopt_long: unambiguous prefix */
                { { "--units", "/etc/u" }, "--units=/etc/u" },   /* vigil's own passes through */
                { { "--units=/etc/u" }, "--units=/etc/u" },
                { { "--help" }, "--help" },
                { { "-q" }, "--quiet" },
                { { "-g" }, "--process-group" },
                { { "--config", "/etc/erlinit.config" }, "" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                struct erlinit_translation t;
                size_t n = rows[i].in[1] ? 2 : 1;
                setup(NULL);
                const char *out = translate(&t, (char *const *)rows[i].in, NULL, n);
                if (strcmp(out, rows[i].out) != 0)
                        fail_msg("row %zu (%s): got '%s', want '%s'", i, rows[i].in[0], out, rows[i].out);
                if (n_warnings)
                        fail_msg("row %zu (%s): unexpected warning %s", i, rows[i].in[0], warnings);
                erlinit_translation_free(&t);
        }
}

static void env_lists_split_and_accumulate(void **state) {
        struct erlinit_translation t;
        (void)state;
        assert_string_equal(translate(&t, TOKENS("-e", "A=1;B=2", "--env", "C=3;;", "-eD=4")),
                            "--env=A=1 --env=B=2 --env=C=3 --env=D=4");
        erlinit_translation_free(&t);

        /* Through vigil's parser: the four accumulate in order, one source. */
        struct vigil_options o;
        struct options_error err;
        options_init(&o);
        assert_int_equal(erlinit_translate(&t, TOKENS("-e", "A=1;B=2", "-e", "C=3"), NULL, NULL), 0);
        assert_int_equal(options_parse_args(&o, (int)t.words.n, t.words.v, OPTION_SOURCE_FILE, &err), 0);
        assert_int_equal(o.env.n, 3);
        assert_string_equal(o.env.v[0], "A=1");
        assert_string_equal(o.env.v[2], "C=3");
        options_free(&o);
        erlinit_translation_free(&t);
}

static void single_options_last_wins(void **state) {
        struct erlinit_translation t = { 0 };
        struct vigil_options o;
        struct options_error err;
        (void)state;
        /* The file, then the command line over it, in one stream as erlinit's getopt pass. */
        assert_int_equal(erlinit_translate_file(&t, "-c ttyAMA0\n-n a%s\n-r /srv/a:/srv/b\n-b one\n", collect, NULL), 0);
        assert_int_equal(erlinit_translate(&t, TOKENS("-c", "ttyS0", "-r", "/x", "--boot", "two", "-h"), collect, NULL), 0);
        options_init(&o);
        assert_int_equal(options_parse_args(&o, (int)t.words.n, t.words.v, OPTION_SOURCE_FILE, &err), 0);
        assert_string_equal(o.ctty, "ttyS0");
        assert_string_equal(o.hostname_pattern, "a%s");
        assert_int_equal(o.on_exit, ON_EXIT_HANG);
        assert_int_equal(t.release.release_paths.n, 1);
        assert_string_equal(t.release.release_paths.v[0], "/x");
        assert_string_equal(t.release.boot, "two");
        assert_int_equal(n_warnings, 0);
        options_free(&o);
        erlinit_translation_free(&t);
}

static void release_options_are_kept_aside(void **state) {
        struct erlinit_translation t;
        (void)state;
        assert_string_equal(translate(&t, TOKENS("-r", "/srv/a::/srv/b", "-s", "/usr/bin/nbtty",
                                                 "--release-include-erts", "-b", "shoehorn")), "");
        assert_int_equal(t.release.release_paths.n, 2);
        assert_string_equal(t.release.release_paths.v[1], "/srv/b");
        assert_string_equal(t.release.alternate_exec, "/usr/bin/nbtty");
        assert_string_equal(t.release.boot, "shoehorn");
        assert_true(t.release.release_include_erts);
        assert_false(t.has_command);
        erlinit_translation_free(&t);
}

/* As erlinit (and as the machine's init): -h is never help. */
static void dash_h_is_hang_on_exit(void **state) {
        struct erlinit_translation t;
        struct vigil_options o;
        struct options_error err;
        (void)state;
        translate(&t, TOKENS("-h"));
        options_init(&o);
        assert_int_equal(options_parse_args(&o, (int)t.words.n, t.words.v, OPTION_SOURCE_FILE, &err), 0);
        assert_false(o.help);
        assert_int_equal(o.on_exit, ON_EXIT_HANG);
        options_free(&o);
        erlinit_translation_free(&t);
}

static void unhonoured_and_unknown_options_are_warned(void **state) {
        struct erlinit_translation t;
        static const unsigned lines[] = { 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9, 10, 11, 12, 12 };
        (void)state;
        const char *out = translate(&t, (char *const[]){ "--update-clock", "--warn-unused-tty", "--core-pattern",
                                                        "|/bin/false", "-t", "--bogus", "-x", "stray", "--u",
                                                        "--uid", "abc", "--hang-on-fatal", "--tty-options",
                                                        "-l", "core:unlimited:unlimited" },
                                    lines, 15);
        /* Issue 16 point 2: the device options are vigil's own now. */
        assert_string_equal(out, "--update-clock --warn-unused-tty --core-pattern=|/bin/false --tty-options=-l");
        assert_null(strstr(warnings, "not honoured yet"));
        assert_non_null(strstr(warnings, "4:erlinit option --print-timing not honoured"));
        assert_non_null(strstr(warnings, "5:unknown option '--bogus'"));
        assert_non_null(strstr(warnings, "6:unknown option '-x'"));
        assert_non_null(strstr(warnings, "7:ignoring 'stray'"));
        assert_non_null(strstr(warnings, "8:ambiguous option '--u'"));
        assert_non_null(strstr(warnings, "9:erlinit option --uid: 'abc' is not a number"));
        assert_non_null(strstr(warnings, "10:erlinit option --hang-on-fatal not honoured"));
        /* --tty-options swallows -l as its value, as getopt does. */
        assert_non_null(strstr(warnings, "12:ignoring 'core:unlimited:unlimited'"));
        assert_int_equal(n_warnings, 8);
        erlinit_translation_free(&t);

        setup(NULL);
        translate(&t, TOKENS("-l", "core:unlimited:unlimited", "-c"));
        assert_non_null(strstr(warnings, "--limits not honoured yet"));
        assert_non_null(strstr(warnings, "option '-c' needs a value"));
        assert_int_equal(n_warnings, 2);
        erlinit_translation_free(&t);
}

static void device_options_parse_as_vigils(void **state) {
        struct erlinit_translation t;
        struct vigil_options o;
        struct options_error err;
        (void)state;
        translate(&t, TOKENS("--update-clock", "--tty-options", "115200n8", "--core-pattern", "/root/core",
                             "--warn-unused-tty", "-c", "ttyS0"));
        assert_int_equal(n_warnings, 0);
        options_init(&o);
        assert_int_equal(options_parse_args(&o, (int)t.words.n, t.words.v, OPTION_SOURCE_FILE, &err), 0);
        assert_true(o.update_clock);
        assert_true(o.warn_unused_tty);
        assert_string_equal(o.tty_options, "115200n8");
        assert_string_equal(o.core_pattern, "/root/core");
        assert_string_equal(o.ctty, "ttyS0");
        options_free(&o);
        erlinit_translation_free(&t);
}

static void double_dash_ends_options(void **state) {
        struct erlinit_translation t;
        (void)state;
        assert_string_equal(translate(&t, TOKENS("-v", "--", "/bin/sh", "-c", "x")), "--verbose");
        assert_true(t.has_command);
        assert_int_equal(t.command.n, 3);
        assert_string_equal(t.command.v[1], "-c");
        erlinit_translation_free(&t);
}

static void tokenizer_follows_erlinit(void **state) {
        struct strv w;
        unsigned *lines;
        (void)state;
        assert_int_equal(erlinit_tokenize("# comment -v\n-c ttyAMA0     # UART\n\n-s \"/usr/bin/nbtty -x\"\n"
                                          "-e A=1;B=2#x\n  --boot shoehorn",
                                          &w, &lines),
                         0);
        assert_int_equal(w.n, 8);
        assert_string_equal(w.v[0], "-c");
        assert_int_equal(lines[0], 2);
        assert_string_equal(w.v[3], "/usr/bin/nbtty -x");
        assert_int_equal(lines[3], 4);
        assert_string_equal(w.v[5], "A=1;B=2#x");   /* '#' only at a token's start */
        assert_string_equal(w.v[7], "shoehorn");
        assert_int_equal(lines[7], 6);
        strv_free(&w);
        free(lines);
}

static void config_path_names_the_language(void **state) {
        (void)state;
        assert_true(erlinit_is_config_path("/etc/erlinit.config"));
        assert_true(erlinit_is_config_path("erlinit.config"));
        assert_true(erlinit_is_config_path("/tmp/x/erlinit.config"));
        assert_false(erlinit_is_config_path("/etc/vigil.conf"));
        assert_false(erlinit_is_config_path("/etc/erlinit.config.bak"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(each_option_row, setup),
                cmocka_unit_test_setup(env_lists_split_and_accumulate, setup),
                cmocka_unit_test_setup(single_options_last_wins, setup),
                cmocka_unit_test_setup(release_options_are_kept_aside, setup),
                cmocka_unit_test_setup(dash_h_is_hang_on_exit, setup),
                cmocka_unit_test_setup(unhonoured_and_unknown_options_are_warned, setup),
                cmocka_unit_test_setup(device_options_parse_as_vigils, setup),
                cmocka_unit_test_setup(double_dash_ends_options, setup),
                cmocka_unit_test_setup(tokenizer_follows_erlinit, setup),
                cmocka_unit_test(config_path_names_the_language),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
