/* SPDX-License-Identifier: MIT */
#include "base/timespan.h"
#include "cmd/options.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define NARGS(...) (int)(sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *))
#define ARGS(...) (char *const[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__)
#define ARGC_ARGV(...) NARGS(__VA_ARGS__), (char *const[]){ __VA_ARGS__ }

static int parse(struct vigil_options *o, char *const *argv, int argc, struct options_error *err) {
        return options_parse_args(o, argc, argv, OPTION_SOURCE_COMMAND_LINE, err);
}

static void defaults_match_the_spec(void **state) {
        struct vigil_options o;
        (void)state;
        options_init(&o);
        options_apply_defaults(&o, false);
        assert_true(o.kill_all_timeout_usec == 3 * USEC_PER_SEC);
        assert_true(o.default_timeout_stop_usec == 5 * USEC_PER_SEC);
        assert_true(o.runtime_watchdog_usec == 0);
        assert_true(o.reboot_watchdog_usec == 600 * USEC_PER_SEC);
        assert_true(o.stop_timeout_usec == 9 * USEC_PER_SEC);
        assert_true(o.drain_usec == 0);
        assert_int_equal(o.on_exit, ON_EXIT_REBOOT);
        assert_int_equal(o.log_format, LOG_FORMAT_PREFIXED);
        options_free(&o);
        options_init(&o);
        options_apply_defaults(&o, true);
        assert_true(o.kill_all_timeout_usec == 5 * USEC_PER_SEC);
        assert_true(o.default_timeout_stop_usec == 90 * USEC_PER_SEC);
        assert_true(o.runtime_watchdog_usec == 30 * USEC_PER_SEC);
        assert_true(o.stop_timeout_usec == 0);
        assert_true(o.drain_usec == 0);
        options_free(&o);
        /* 0 and infinity: no budget (the supervisor treats both so). */
        options_init(&o);
        struct options_error err;
        assert_int_equal(parse(&o, ARGS("--stop-timeout", "infinity", "--drain-sec", "2.5s"), &err), 0);
        options_apply_defaults(&o, false);
        assert_true(o.stop_timeout_usec == UINT64_MAX);
        assert_true(o.drain_usec == 2500 * 1000);
        options_free(&o);
}

static void parses_values_and_command(void **state) {
        struct vigil_options o;
        struct options_error err;
        (void)state;
        options_init(&o);
        assert_int_equal(parse(&o, ARGS("-gvv", "--kill-all-timeout", "500ms", "--units=/a", "--units", "/b",
                                        "--on-exit", "poweroff", "-m", "tmpfs:/x:tmpfs::", "--", "sh", "-c", "x"),
                               &err), 0);
        assert_true(o.process_group);
        assert_int_equal(o.verbosity, 2);
        assert_true(o.kill_all_timeout_usec == 500000);
        assert_int_equal(o.units.n, 2);
        assert_string_equal(o.units.v[1], "/b");
        assert_int_equal(o.on_exit, ON_EXIT_POWEROFF);
        assert_int_equal(o.command.n, 3);
        assert_string_equal(o.command.v[0], "sh");
        assert_null(o.command.v[3]);
        options_apply_defaults(&o, false);
        assert_true(o.kill_all_timeout_usec == 500000); /* explicit value survives defaults */
        options_free(&o);
}

static void first_non_option_starts_the_command(void **state) {
        struct vigil_options o;
        struct options_error err;
        (void)state;
        options_init(&o);
        assert_int_equal(parse(&o, ARGS("-q", "myapp", "--version"), &err), 0);
        assert_false(o.version); /* belongs to the child */
        assert_int_equal(o.command.n, 2);
        assert_int_equal(o.verbosity, -1);
        options_free(&o);
}

static void errors_name_the_option(void **state) {
        static const struct { char *argv[3]; const char *needle; } cases[] = {
                { { "--bogus", NULL }, "--bogus" },
                { { "-x", NULL }, "-x" },
                { { "--kill-all-timeout", "abc" }, "--kill-all-timeout" },
                { { "--kill-all-timeout", NULL }, "needs a value" },
                { { "--on-exit", "explode" }, "reboot|poweroff|halt|hang" },
                { { "--uid", "-1" }, "--uid" },
                { { "--env", "1BAD=x" }, "--env" },
                { { "--env", "NOEQUALS" }, "KEY=VALUE" },
                { { "--mount", "only:two" }, "--mount" },
                { { "--no-kill-all=yes", NULL }, "takes no value" },
                { { "--log-format", "xml" }, "--log-format" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct vigil_options o;
                struct options_error err;
                options_init(&o);
                int argc = cases[i].argv[1] ? 2 : 1;
                assert_int_equal(parse(&o, cases[i].argv, argc, &err), -EINVAL);
                if (!strstr(err.message, cases[i].needle))
                        fail_msg("'%s' does not mention '%s'", err.message, cases[i].needle);
                options_free(&o);
        }
}

static void file_then_command_line(void **state) {
        struct vigil_options o;
        struct options_error err;
        unsigned line;
        const char *text = "# device options\n"
                           "\n"
                           "--kill-all-timeout 7\n"
                           "--units /etc/a\n"
                           "--units=/etc/b\n"
                           "--uniqueid-exec \"boardid -n 4\"\n"
                           "-- /srv/app 'with space'\n";
        (void)state;
        options_init(&o);
        assert_int_equal(options_parse_file(&o, text, &line, &err), 0);
        assert_true(o.kill_all_timeout_usec == 7 * USEC_PER_SEC);
        assert_string_equal(o.uniqueid_exec, "boardid -n 4");
        assert_int_equal(o.command.n, 2);
        assert_string_equal(o.command.v[1], "with space");
        /* The command line overrides scalars, replaces lists and the command. */
        assert_int_equal(parse(&o, ARGS("--kill-all-timeout", "1", "--units", "/cli", "--", "other"), &err), 0);
        assert_true(o.kill_all_timeout_usec == 1 * USEC_PER_SEC);
        assert_int_equal(o.units.n, 1);
        assert_string_equal(o.units.v[0], "/cli");
        assert_int_equal(o.command.n, 1);
        assert_string_equal(o.command.v[0], "other");
        options_free(&o);
}

static void file_errors_carry_the_line(void **state) {
        static const struct { const char *text; unsigned line; const char *needle; } cases[] = {
                { "--no-kill-all\n--frobnicate\n", 2, "--frobnicate" },
                { "\n\n--kill-all-timeout soon\n", 3, "--kill-all-timeout" },
                { "--no-kill-all --process-group\n", 1, "one option per line" },
                { "kill-all-timeout 3\n", 1, "expected an option" },
                { "--units '/unterminated\n", 1, "quote" },
                { "--config /x\n", 1, "--config" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct vigil_options o;
                struct options_error err;
                unsigned line = 0;
                options_init(&o);
                assert_int_equal(options_parse_file(&o, cases[i].text, &line, &err), -EINVAL);
                assert_int_equal(line, cases[i].line);
                if (!strstr(err.message, cases[i].needle))
                        fail_msg("'%s' does not mention '%s'", err.message, cases[i].needle);
                options_free(&o);
        }
}

static void finds_config_without_parsing_the_rest(void **state) {
        const char *path;
        struct options_error err;
        (void)state;
        assert_int_equal(options_find_config(ARGC_ARGV("-v", "--config", "/c.conf", "--bogus"), &path, &err), 0);
        assert_string_equal(path, "/c.conf");
        assert_int_equal(options_find_config(ARGC_ARGV("--config=/d.conf"), &path, &err), 0);
        assert_string_equal(path, "/d.conf");
        /* A value that looks like --config belongs to the option before it. */
        assert_int_equal(options_find_config(ARGC_ARGV("--pre-run-exec", "--config", "x"), &path, &err), 0);
        assert_null(path);
        assert_int_equal(options_find_config(ARGC_ARGV("--", "--config", "x"), &path, &err), 0);
        assert_null(path);
        assert_int_equal(options_find_config(ARGC_ARGV("--config"), &path, &err), -EINVAL);
}

static void unsupported_options_are_reported(void **state) {
        struct vigil_options o;
        struct options_error err;
        const char *names[8];
        (void)state;
        options_init(&o);
        assert_int_equal(parse(&o, ARGS("--shutdown-report", "r", "-g", "--system", "--watchdog-device", "/dev/w"), &err), 0);
        /* Every option is supported now (the hardware watchdog's were the last). */
        size_t n = options_unsupported_given(&o, names, 8);
        assert_int_equal(n, 0);
        options_free(&o);
}

/* SPEC §3: options file < init's argv < vigil.X words of /proc/cmdline. */
static void kernel_command_line_wins(void **state) {
        struct vigil_options o;
        struct options_error err;
        unsigned line;
        (void)state;
        options_init(&o);
        assert_int_equal(options_parse_file(&o, "--on-exit reboot\n-m a:/b:tmpfs\n--kill-all-timeout 9\n", &line, &err), 0);
        assert_int_equal(parse(&o, ARGS("--on-exit", "halt", "-m", "c:/d:tmpfs"), &err), 0);
        char *const kw[] = { "--on-exit=poweroff", "--mount=e:/f:tmpfs::size=1m", "--wait-ready", "--container-env=no",
                             "--verbose" };
        assert_int_equal(options_parse_kernel(&o, kw, 5, &err), 0);
        assert_int_equal(o.on_exit, ON_EXIT_POWEROFF);
        assert_int_equal(o.mounts.n, 1);                  /* the kernel's list replaces the others */
        assert_string_equal(o.mounts.v[0], "e:/f:tmpfs::size=1m");
        assert_true(o.kill_all_timeout_usec == 9 * USEC_PER_SEC);
        assert_true(o.wait_ready);
        assert_false(o.container_env);
        assert_int_equal(o.verbosity, 1);
        assert_true(options_is_set(&o, "on-exit"));
        assert_false(options_is_set(&o, "uid"));
        options_free(&o);

        options_init(&o);
        char *const bad1[] = { "--no-such=1" }, *const bad2[] = { "--on-exit" }, *const bad3[] = { "--wait-ready=maybe" },
                    *const bad4[] = { "--config=/x" };
        assert_int_equal(options_parse_kernel(&o, bad1, 1, &err), -EINVAL);
        assert_non_null(strstr(err.message, "vigil.no-such"));
        assert_int_equal(options_parse_kernel(&o, bad2, 1, &err), -EINVAL);
        assert_non_null(strstr(err.message, "needs a value"));
        assert_int_equal(options_parse_kernel(&o, bad3, 1, &err), -EINVAL);
        assert_int_equal(options_parse_kernel(&o, bad4, 1, &err), -EINVAL);
        options_free(&o);
}

static unsigned reports;
static char last_report[512];
static void record(enum option_source source, unsigned line, const char *message) {
        (void)source;
        reports++;
        snprintf(last_report, sizeof(last_report), "%u:%s", line, message);
}

/* The machine's init: stray kernel words are skipped, bad options reported
 * and skipped, and only "--" starts a main command. */
static void init_argv_keeps_going(void **state) {
        struct vigil_options o;
        struct options_error err;
        unsigned line;
        (void)state;
        options_init(&o);
        o.init_argv = true;
        o.report = record;
        reports = 0;
        assert_int_equal(parse(&o, ARGS("single", "--on-exit", "bogus", "--on-exit", "halt", "splash", "--", "app", "x"), &err), 0);
        assert_int_equal(reports, 3);
        assert_int_equal(o.on_exit, ON_EXIT_HALT);
        assert_int_equal(o.command.n, 2);
        assert_string_equal(o.command.v[0], "app");
        assert_int_equal(options_parse_file(&o, "--bad-option\n--kill-all-timeout 2\n", &line, &err), 0);
        assert_int_equal(reports, 4);
        assert_true(o.kill_all_timeout_usec == 2 * USEC_PER_SEC);
        char *const kw[] = { "--nope", "--halt-me" };
        assert_int_equal(options_parse_kernel(&o, kw, 2, &err), 0);
        assert_int_equal(reports, 6);
        assert_non_null(strstr(last_report, "vigil.halt-me"));
        options_free(&o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults_match_the_spec),
                cmocka_unit_test(parses_values_and_command),
                cmocka_unit_test(first_non_option_starts_the_command),
                cmocka_unit_test(errors_name_the_option),
                cmocka_unit_test(file_then_command_line),
                cmocka_unit_test(file_errors_carry_the_line),
                cmocka_unit_test(finds_config_without_parsing_the_rest),
                cmocka_unit_test(unsupported_options_are_reported),
                cmocka_unit_test(kernel_command_line_wins),
                cmocka_unit_test(init_argv_keeps_going),
        };
        return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
