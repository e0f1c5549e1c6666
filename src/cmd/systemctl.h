/* SPDX-License-Identifier: MIT */
/*
 * `systemctl`: vigilctl invoked under that name (argv[0], a symlink or a
 * copy) speaks systemctl(1)'s syntax for what scripts, package maintainer
 * scripts (deb-systemd-helper, deb-systemd-invoke) and Ansible's systemd
 * and service modules call. Two halves:
 *  - systemctl.c: the verbs that need the running vigil (start, stop,
 *    status, show, is-active, ...), over the control protocol, with
 *    systemctl's exit codes (is-active 0/3, status 0/3/4, start of an
 *    unknown unit 5) and show's property names;
 *  - systemctl_files.c: the verbs that work on the unit files alone
 *    (enable, disable, mask, unmask, is-enabled, list-unit-files, cat), in
 *    the systemd layout under --root (default /), vigil running or not;
 *    the symlinks are unit/install_plan.h's decisions.
 * `preset` enables (systemd's policy when no *.preset file says otherwise:
 * vigil reads none). Unknown verbs: a message and exit 1, never a silent
 * success.
 */
#ifndef VIGIL_CMD_SYSTEMCTL_H
#define VIGIL_CMD_SYSTEMCTL_H

#include "base/strv.h"
#include "supervise/unit_layout.h"

#include <stdbool.h>

struct systemctl {
        const char *root;            /* --root, "" for / */
        struct unit_layout layout;   /* the systemd layout under root */
        const char *address;         /* vigil's control socket */
        struct strv properties;      /* show -p */
        bool value, quiet, now, no_reload, all, no_legend, force, runtime;
        const char *type, *state, *signal;
};

int systemctl_main(int argc, char **argv);

/* systemctl_files.c. The unit-file state of name as is-enabled prints it:
 * enabled, disabled, static, indirect, alias, masked, not-found; *ret_path
 * (when not NULL) the unit file, malloc'd, NULL when none. */
const char *systemctl_file_state(const struct systemctl *sc, const char *name, char **ret_path);
/* "foo" -> "foo.service" (systemctl's unit_name_mangle()), malloc'd. */
char *systemctl_mangle(const char *name);
/* Offline verbs: enable disable mask unmask is-enabled list-unit-files cat.
 * The exit code, or -1 when verb is not one of them. *ret_changed: links
 * were made or removed (vigil should reload). */
int systemctl_files_verb(struct systemctl *sc, const char *verb, char **names, size_t n, bool *ret_changed);
/* The [Service] value of key in the unit's files (the last wins), malloc'd, or NULL. */
char *systemctl_file_value(const struct systemctl *sc, const char *name, const char *section, const char *key);

#endif
