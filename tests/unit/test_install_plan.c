/* SPDX-License-Identifier: MIT */
/* unit/install_plan: [Install] read as systemd does, the links enable makes
 * (systemctl(1) enable, systemd.unit(5) [Install]), template names, and
 * the template specifiers of exec_line's unit_specifier_expand(). */
#include "unit/exec_line.h"
#include "unit/install_plan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void parse(const char *text, struct unit_install *ret, struct unit_diags *diags) {
        *ret = (struct unit_install){ 0 };
        assert_int_equal(unit_install_parse("x.service", text, strlen(text), ret, diags), 0);
}

static void install_keys_are_read_and_lists_accumulate(void **state) {
        (void)state;
        struct unit_install i;
        struct unit_diags d = { 0 };
        parse("[Unit]\nWantedBy=ignored.target\n[Install]\nWantedBy=multi-user.target graphical.target\n"
              "WantedBy=multi-user.target\nRequiredBy=x.target\nAlias=sshd.service\nAlso=ssh.socket\n"
              "DefaultInstance=tty1\nX-Mine=1\nBogus=1\nWantedBy=not/a/name\n",
              &i, &d);
        assert_int_equal(i.wanted_by.n, 2);
        assert_string_equal(i.wanted_by.v[0], "multi-user.target");
        assert_string_equal(i.wanted_by.v[1], "graphical.target");
        assert_int_equal(i.required_by.n, 1);
        assert_string_equal(i.alias.v[0], "sshd.service");
        assert_string_equal(i.also.v[0], "ssh.socket");
        assert_string_equal(i.default_instance, "tty1");
        assert_int_equal(d.n_warnings, 2);   /* Bogus=, the bad name; X- is silent */
        assert_false(unit_install_is_static(&i));
        unit_install_free(&i);
        unit_diags_free(&d);

        /* An empty assignment empties the list. */
        parse("[Install]\nWantedBy=a.target\nWantedBy=\nWantedBy=b.target\n", &i, &d);
        assert_int_equal(i.wanted_by.n, 1);
        assert_string_equal(i.wanted_by.v[0], "b.target");
        unit_install_free(&i);
        parse("[Service]\nExecStart=/bin/true\n", &i, &d);
        assert_true(unit_install_is_static(&i));
        unit_install_free(&i);
        unit_diags_free(&d);
}

struct link_case {
        const char *name, *text;
        const char *links[4];   /* "path -> target" */
};

static void links_are_the_ones_systemd_makes(void **state) {
        (void)state;
        static const struct link_case cases[] = {
                { "ssh.service", "[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n",
                  { "multi-user.target.wants/ssh.service -> /lib/systemd/system/F",
                    "sshd.service -> /lib/systemd/system/F" } },
                { "db.service", "[Install]\nRequiredBy=app.service\nWantedBy=a.target b.target\n",
                  { "a.target.wants/db.service -> /lib/systemd/system/F",
                    "b.target.wants/db.service -> /lib/systemd/system/F",
                    "app.service.requires/db.service -> /lib/systemd/system/F" } },
                /* A template: its DefaultInstance=, or the instance enabled. */
                { "getty@.service", "[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n",
                  { "getty.target.wants/getty@tty1.service -> /lib/systemd/system/F" } },
                { "getty@tty2.service", "[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n",
                  { "getty.target.wants/getty@tty2.service -> /lib/systemd/system/F" } },
                { "t@.service", "[Install]\nWantedBy=multi-user.target\n", { NULL } },   /* indirect */
                { "static.service", "[Service]\nExecStart=/x\n", { NULL } },
                /* An alias equal to the name makes no link. */
                { "same.service", "[Install]\nAlias=same.service\n", { NULL } },
        };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                struct unit_install i;
                struct unit_diags d = { 0 };
                struct install_link *v;
                size_t n, want = 0;
                parse(cases[c].text, &i, &d);
                assert_int_equal(install_plan(cases[c].name, "/lib/systemd/system/F", &i, &v, &n), 0);
                while (want < 4 && cases[c].links[want])
                        want++;
                assert_int_equal(n, want);
                for (size_t k = 0; k < n; k++) {
                        char buf[256];
                        snprintf(buf, sizeof(buf), "%s -> %s", v[k].path, v[k].target);
                        assert_string_equal(buf, cases[c].links[k]);
                }
                install_links_free(v, n);
                unit_install_free(&i);
                unit_diags_free(&d);
        }
        struct unit_install none = { 0 };
        struct install_link *v;
        size_t n;
        assert_int_equal(install_plan("bad name", "/f", &none, &v, &n), -EINVAL);
}

static void template_names(void **state) {
        (void)state;
        char *s;
        assert_true(unit_name_is_template("foo@.service"));
        assert_false(unit_name_is_template("foo@bar.service"));
        assert_false(unit_name_is_template("@.service"));
        assert_false(unit_name_is_template("foo.service"));
        assert_true(unit_name_is_instance("foo@bar.service"));
        assert_false(unit_name_is_instance("foo@.service"));
        assert_int_equal(unit_name_template_of("foo@a-b.service", &s), 0);
        assert_string_equal(s, "foo@.service");
        free(s);
        assert_int_equal(unit_name_template_of("foo.service", &s), -EINVAL);
        assert_int_equal(unit_name_with_instance("foo@.service", "x", &s), 0);
        assert_string_equal(s, "foo@x.service");
        free(s);
        assert_int_equal(unit_name_with_instance("foo@.service", "a b", &s), -EINVAL);
        assert_string_equal(unit_name_type("a.b.target"), "target");
        assert_string_equal(unit_name_type("none"), "");
}

static void template_specifiers(void **state) {
        (void)state;
        static const struct {
                const char *name, *text, *want;
        } cases[] = {
                { "web@site-a.service", "%n|%N|%p|%i", "web@site-a.service|web@site-a|web|site-a" },
                { "web@site-a.service", "%P|%I|%f", "web|site/a|/site/a" },
                { "web@x\\x2dy.service", "%i|%I", "x\\x2dy|x-y" },
                { "mount-point.service", "%f|%i|%I", "/mount/point||" },
                { "a.service", "%u %U %h %%", "root 0 /root %" },
        };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                char *out;
                struct exec_diag diag = { 0 };
                assert_int_equal(unit_specifier_expand(cases[c].text, cases[c].name, &out, &diag), 0);
                assert_string_equal(out, cases[c].want);
                free(out);
        }
        char *out;
        struct exec_diag diag = { 0 };
        unit_specifier_set_hostname("box");
        assert_int_equal(unit_specifier_expand("%H", "a.service", &out, &diag), 0);
        assert_string_equal(out, "box");
        free(out);
        assert_int_equal(unit_specifier_expand("%Z", "a.service", &out, &diag), -EINVAL);
        assert_non_null(strstr(diag.error, "%Z"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(install_keys_are_read_and_lists_accumulate),
                cmocka_unit_test(links_are_the_ones_systemd_makes),
                cmocka_unit_test(template_names),
                cmocka_unit_test(template_specifiers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
