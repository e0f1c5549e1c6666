/* SPDX-License-Identifier: MIT */
/* The pure text of system mode: kernel command line, mount specs and
 * mountinfo lines, hostname patterns. */
#include "base/hostname.h"
#include "base/kcmdline.h"
#include "base/mount_spec.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

static void kcmdline_takes_vigil_words(void **state) {
        struct strv w;
        (void)state;
        assert_int_equal(kcmdline_vigil_args("BOOT_IMAGE=/vmlinuz console=ttyS0 vigil.on-exit=poweroff quiet "
                                             "vigil.wait-ready vigil.hostname-pattern=\"dev %s\" vigil. vigil.=x "
                                             "vigilant.x=1 modprobe.blacklist=a -- vigil.after=1\n",
                                             &w),
                         0);
        assert_int_equal(w.n, 3);
        assert_string_equal(w.v[0], "--on-exit=poweroff");
        assert_string_equal(w.v[1], "--wait-ready");
        assert_string_equal(w.v[2], "--hostname-pattern=dev %s");
        assert_null(w.v[3]);
        strv_free(&w);
        assert_int_equal(kcmdline_vigil_args("", &w), 0);
        assert_int_equal(w.n, 0);
        assert_non_null(w.v);
        strv_free(&w);
}

static void mount_specs(void **state) {
        struct mount_spec m;
        const char *why, *bad;
        (void)state;
        char a[] = "/dev/mmcblk0p4:/root:ext4:nodev,noatime,rw:data=journal,commit=5";
        assert_int_equal(mount_spec_parse(a, &m, &why, &bad), 0);
        assert_string_equal(m.source, "/dev/mmcblk0p4");
        assert_string_equal(m.target, "/root");
        assert_string_equal(m.type, "ext4");
        assert_string_equal(m.data, "data=journal,commit=5");
        /* "rw" clears MS_RDONLY and keeps the rest (erlinit's parser lost nodev here). */
        assert_true(m.flags == (MS_NODEV | MS_NOATIME));
        char b[] = "tmpfs:/x:tmpfs";
        assert_int_equal(mount_spec_parse(b, &m, &why, &bad), 0);
        assert_true(m.flags == 0);
        assert_null(m.data);
        char c[] = "tmpfs:/x:tmpfs:ro,rw,ro:";
        assert_int_equal(mount_spec_parse(c, &m, &why, &bad), 0);
        assert_true(m.flags == MS_RDONLY);
        assert_null(m.data);
        char d[] = "tmpfs:/x:tmpfs:nodev,bogus:";
        assert_int_equal(mount_spec_parse(d, &m, &why, &bad), -EINVAL);
        assert_string_equal(bad, "bogus");
        char e[] = "tmpfs:x:tmpfs";
        assert_int_equal(mount_spec_parse(e, &m, &why, &bad), -EINVAL);
        char f[] = "tmpfs:/x";
        assert_int_equal(mount_spec_parse(f, &m, &why, &bad), -EINVAL);
        char g[] = ":/x:tmpfs";
        assert_int_equal(mount_spec_parse(g, &m, &why, &bad), -EINVAL);
}

static void mountinfo_lines(void **state) {
        struct mountinfo_entry e;
        (void)state;
        char a[] = "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 - ext3 /dev/root rw,errors=continue";
        assert_int_equal(mountinfo_parse_line(a, &e), 0);
        assert_int_equal(e.id, 36);
        assert_int_equal(e.parent, 35);
        assert_string_equal(e.target, "/mnt two");
        assert_string_equal(e.type, "ext3");
        assert_string_equal(e.source, "/dev/root");
        char b[] = "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw";
        assert_int_equal(mountinfo_parse_line(b, &e), 0);
        assert_string_equal(e.target, "/proc");
        assert_true(mount_type_is_api(e.type));
        assert_false(mount_type_is_api("ext4"));
        assert_false(mount_type_is_api("tmpfs"));
        char c[] = "22 1 0:21 / /proc rw,nosuid shared:12 proc proc rw";
        assert_int_equal(mountinfo_parse_line(c, &e), -EINVAL);
        char d[] = "x 1 0:21 / /proc rw - proc proc rw";
        assert_int_equal(mountinfo_parse_line(d, &e), -EINVAL);
        char empty[] = "";
        assert_int_equal(mountinfo_parse_line(empty, &e), -EINVAL);
}

static void hostname_patterns(void **state) {
        char out[HOSTNAME_MAX + 1], id[64];
        (void)state;
        assert_int_equal(hostname_expand("nerves-%.4s", "ABCDEF1234", out), 0);
        assert_string_equal(out, "nerves-abcd");
        assert_int_equal(hostname_expand("n-%-.4s", "ABCDEF1234", out), 0);
        assert_string_equal(out, "n-1234");
        assert_int_equal(hostname_expand("%s_x!%%", "A:b", out), 0);
        assert_string_equal(out, "abx");           /* only a-z 0-9 - . are kept */
        assert_int_equal(hostname_expand("x-%.12s", "abc", out), 0);
        assert_string_equal(out, "x-abc");
        assert_int_equal(hostname_expand("bad-%d", "abc", out), -EINVAL);
        assert_int_equal(hostname_expand("bad-%.s", "abc", out), -EINVAL);
        assert_int_equal(hostname_expand("bad-%", "abc", out), -EINVAL);
        assert_int_equal(hostname_expand("!!!", "abc", out), -ENOENT);
        char longpat[200];
        memset(longpat, 'a', sizeof(longpat) - 1);
        longpat[sizeof(longpat) - 1] = '\0';
        assert_int_equal(hostname_expand(longpat, "", out), 0);
        assert_int_equal(strlen(out), HOSTNAME_MAX);
        assert_int_equal(hostname_id_from_output("  0123abcd extra\n", 17, id), 0);
        assert_string_equal(id, "0123abcd");
        assert_int_equal(hostname_id_from_output(" \n", 2, id), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(kcmdline_takes_vigil_words),
                cmocka_unit_test(mount_specs),
                cmocka_unit_test(mountinfo_lines),
                cmocka_unit_test(hostname_patterns),
        };
        return cmocka_run_group_tests_name("sysmode_text", tests, NULL, NULL);
}
