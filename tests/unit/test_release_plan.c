/* SPDX-License-Identifier: MIT */
/* The release planner over trees written as lists of paths (a trailing '/'
 * is an empty directory; every parent of a path is a directory). */
#include "system/release_plan.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct tree {
        const char *const *paths;
        const char *start_erl;   /* text of any start_erl.data */
};

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int tree_list(void *ctx, const char *dir, struct strv *ret) {
        const struct tree *t = ctx;
        size_t dlen = strlen(dir);
        bool seen = false;
        *ret = (struct strv){ 0 };
        for (size_t i = 0; t->paths[i]; i++) {
                const char *p = t->paths[i];
                if (strncmp(p, dir, dlen) != 0 || (dlen > 1 && p[dlen] != '/'))
                        continue;
                const char *rest = p + dlen + (dlen > 1);
                seen = true;
                if (!*rest)
                        continue;
                size_t len = strcspn(rest, "/");
                char name[256];
                snprintf(name, sizeof(name), "%.*s%s", (int)len, rest, rest[len] == '/' ? "/" : "");
                if (!strv_contains(ret, name))
                        assert_int_equal(strv_push(ret, name), 0);
        }
        if (!seen)
                return -ENOENT;
        if (ret->n)
                qsort(ret->v, ret->n, sizeof(char *), cmp);
        return 0;
}

static int tree_read(void *ctx, const char *path, char **ret) {
        const struct tree *t = ctx;
        for (size_t i = 0; t->paths[i]; i++)
                if (strcmp(t->paths[i], path) == 0 && strstr(path, "start_erl.data") && t->start_erl)
                        return (*ret = strdup(t->start_erl)) ? 0 : -ENOMEM;
        return -ENOENT;
}

static char warnings[2048];

static void collect(void *ctx, const char *message) {
        (void)ctx;
        size_t used = strlen(warnings);
        snprintf(warnings + used, sizeof(warnings) - used, "%s\n", message);
}

static const char *joined(const struct strv *s) {
        static char buf[2][2048];
        static int k;
        char *b = buf[k ^= 1];
        b[0] = '\0';
        for (size_t i = 0; i < s->n; i++) {
                strcat(b, i ? " " : "");
                strcat(b, s->v[i]);
        }
        return b;
}

static int run(const struct tree *t, const struct release_plan_input *in, struct release_plan *plan) {
        struct release_fs fs = { .list = tree_list, .read = tree_read, .ctx = (void *)t };
        warnings[0] = '\0';
        return release_plan_build(in, &fs, plan, collect, NULL);
}

/* A Nerves release: /srv/erlang/releases, shoehorn chosen with -b. */
static void nerves_release_with_boot_option(void **state) {
        static const char *const paths[] = {
                "/srv/erlang/releases/0.1.0/shoehorn.boot",
                "/srv/erlang/releases/0.1.0/myapp.boot",
                "/srv/erlang/releases/0.1.0/sys.config",
                "/srv/erlang/releases/0.1.0/vm.args",
                "/srv/erlang/releases/start_erl.data",
                "/srv/erlang/erts-14.2/bin/erlexec",
                "/srv/erlang/lib/myapp-0.1.0/ebin/",
                "/srv/erlang/lib/myapp-0.1.0/consolidated/",
                "/usr/lib/erlang/lib/",
                NULL,
        };
        struct tree t = { paths, "14.2 0.1.0\n" };
        struct release_plan_input in = { .boot = "shoehorn" };
        struct release_plan plan;
        (void)state;
        assert_int_equal(run(&t, &in, &plan), 0);
        assert_true(plan.release_found);
        assert_string_equal(joined(&plan.argv),
                            "/srv/erlang/erts-14.2/bin/erlexec -pa /srv/erlang/lib/myapp-0.1.0/consolidated "
                            "-config /srv/erlang/releases/0.1.0/sys.config -boot /srv/erlang/releases/0.1.0/shoehorn "
                            "-args_file /srv/erlang/releases/0.1.0/vm.args -boot_var ERTS_LIB_DIR /usr/lib/erlang/lib "
                            "-boot_var RELEASE_LIB /srv/erlang/lib");
        assert_string_equal(joined(&plan.env),
                            "PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm-256color ROOTDIR=/srv/erlang "
                            "BINDIR=/srv/erlang/erts-14.2/bin EMU=beam PROGNAME=erlexec "
                            "RELEASE_SYS_CONFIG=/srv/erlang/releases/0.1.0/sys RELEASE_ROOT=/srv/erlang "
                            "RELEASE_TMP=/tmp");
        assert_string_equal(plan.root, "/srv/erlang");
        assert_string_equal(warnings, "");
        release_plan_free(&plan);
}

struct row {
        const char *name;
        const char *const *paths;
        const char *start_erl;
        struct release_plan_input in;
        int ret;
        const char *argv;        /* NULL: not checked */
        const char *warning;     /* a substring of the warnings, "" none */
};

static const char *const named_release[] = {
        "/srv/erlang/myapp/releases/0.2.0/myapp.boot", "/srv/erlang/myapp/releases/0.2.0/start_clean.boot",
        "/srv/erlang/myapp/releases/0.1.0/myapp.boot", "/usr/lib/erlang/erts-13.0/bin/erlexec", NULL,
};
static const char *const two_boots[] = {
        "/srv/erlang/releases/1/b.boot", "/srv/erlang/releases/1/a.boot", "/usr/lib/erlang/erts-13.0/bin/", NULL,
};
static const char *const no_boot[] = { "/srv/erlang/releases/1/sys.config", "/usr/lib/erlang/erts-13.0/bin/", NULL };
static const char *const no_release[] = { "/srv/erlang/", "/usr/lib/erlang/erts-13.0/bin/erlexec", NULL };
static const char *const no_erts[] = { "/srv/erlang/releases/1/a.boot", "/usr/lib/erlang/", NULL };
static const char *const two_erts[] = {
        "/srv/erlang/releases/1/a.boot", "/usr/lib/erlang/erts-1/", "/usr/lib/erlang/erts-2/", NULL,
};
static const char *const second_path[] = {
        "/srv/a/", "/srv/b/releases/1/b.boot", "/srv/erlang/releases/9/z.boot", "/srv/b/erts-5/bin/", NULL,
};
static const char *const stale_start_erl[] = {
        "/srv/erlang/releases/start_erl.data", "/srv/erlang/releases/0.9/a.boot", "/srv/erlang/releases/0.10/a.boot",
        "/usr/lib/erlang/erts-13.0/bin/", "/usr/lib/erlang/erts-14.0/bin/", "/srv/erlang/erts-14.0/bin/", NULL,
};
static char *const b_first[] = { "/srv/a", "/srv/b" };

static const struct row rows[] = {
        { "release named by its directory, newest version", named_release, NULL, { 0 }, 0,
          "/usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/myapp/releases/0.2.0/myapp "
          "-boot_var RELEASE_LIB /srv/erlang/myapp/lib", "" },
        { "-b absolute with .boot", named_release, NULL, { .boot = "/srv/erlang/myapp/releases/0.2.0/start_clean.boot" },
          0, "/usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/myapp/releases/0.2.0/start_clean "
             "-boot_var RELEASE_LIB /srv/erlang/myapp/lib", "" },
        { "-b missing: warned, auto", named_release, NULL, { .boot = "nope" }, 0, NULL,
          "boot file /srv/erlang/myapp/releases/0.2.0/nope not found" },
        { "several boot files: the first by name, warned", two_boots, NULL, { 0 }, 0,
          "/usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/releases/1/a -boot_var RELEASE_LIB /srv/erlang/lib",
          "several boot files" },
        { "no boot file is fatal", no_boot, NULL, { 0 }, -ENOENT, NULL, "no boot file found in /srv/erlang/releases/1" },
        { "no release: erlexec alone", no_release, NULL, { 0 }, 0, "/usr/lib/erlang/erts-13.0/bin/erlexec",
          "no release found in /srv/erlang" },
        { "no ERTS is fatal", no_erts, NULL, { 0 }, -ENOENT, NULL, "no ERTS (erts-*) found in /usr/lib/erlang" },
        { "several ERTS are fatal", two_erts, NULL, { 0 }, -ENOENT, NULL, "several erts-* directories" },
        { "search path in order", second_path, NULL, { .search_paths = b_first, .n_search_paths = 2 }, 0,
          "/srv/b/erts-5/bin/erlexec -boot /srv/b/releases/1/b -boot_var RELEASE_LIB /srv/b/lib", "no release found in /srv/a" },
        { "start_erl.data naming a missing version: the last by name", stale_start_erl, "14.0 0.11", { 0 }, 0,
          "/srv/erlang/erts-14.0/bin/erlexec -boot /srv/erlang/releases/0.9/a -boot_var RELEASE_LIB /srv/erlang/lib",
          "names release 0.11, which is not there" },
        { "start_erl.data picks version and ERTS", stale_start_erl, "13.0 0.10", { 0 }, 0,
          "/usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/releases/0.10/a -boot_var RELEASE_LIB /srv/erlang/lib",
          "" },
        { "alternate exec, absolute", two_boots, NULL, { .alternate_exec = "/usr/bin/nbtty  --x" }, 0,
          "/usr/bin/nbtty --x /usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/releases/1/a "
          "-boot_var RELEASE_LIB /srv/erlang/lib", NULL },
        { "alternate exec run_erl: exec and after as one word", two_boots, NULL,
          { .alternate_exec = "run_erl -daemon /tmp/ /tmp/ exec" }, 0,
          "/usr/lib/erlang/erts-13.0/bin/run_erl -daemon /tmp/ /tmp/ exec /usr/lib/erlang/erts-13.0/bin/erlexec "
          "-boot /srv/erlang/releases/1/a -boot_var RELEASE_LIB /srv/erlang/lib", NULL },
};

static void planner_rows(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                const struct row *row = &rows[i];
                struct tree t = { row->paths, row->start_erl };
                struct release_plan plan;
                int r = run(&t, &row->in, &plan);
                if (r != row->ret)
                        fail_msg("%s: returned %d, want %d (warnings: %s)", row->name, r, row->ret, warnings);
                if (r == 0 && row->argv && strcmp(joined(&plan.argv), row->argv) != 0)
                        fail_msg("%s: argv\n  %s\nwant\n  %s", row->name, joined(&plan.argv), row->argv);
                if (row->warning && (row->warning[0] ? !strstr(warnings, row->warning) : warnings[0] != '\0'))
                        fail_msg("%s: warnings '%s', want '%s'", row->name, warnings, row->warning);
                if (r == 0)
                        assert_null(plan.argv.v[plan.argv.n]);   /* execve(2)-ready */
                release_plan_free(&plan);
        }
}

/* With run_erl the command after "exec" is a single argv word. */
static void run_erl_gets_one_command_word(void **state) {
        static const char *const paths[] = { "/srv/erlang/releases/1/a.boot", "/usr/lib/erlang/erts-13.0/bin/", NULL };
        struct tree t = { paths, NULL };
        struct release_plan_input in = { .alternate_exec = "run_erl /tmp/ /log/ exec" };
        struct release_plan plan;
        (void)state;
        assert_int_equal(run(&t, &in, &plan), 0);
        assert_int_equal(plan.argv.n, 4);
        assert_string_equal(plan.argv.v[3], "exec /usr/lib/erlang/erts-13.0/bin/erlexec -boot /srv/erlang/releases/1/a "
                                            "-boot_var RELEASE_LIB /srv/erlang/lib");
        assert_null(plan.argv.v[4]);
        release_plan_free(&plan);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(nerves_release_with_boot_option),
                cmocka_unit_test(planner_rows),
                cmocka_unit_test(run_erl_gets_one_command_word),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
