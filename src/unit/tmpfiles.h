/* SPDX-License-Identifier: MIT */
/*
 * The tmpfiles.d(5) lines packages ship, as far as vigil applies them at
 * boot (--tmpfiles ROOT; system/tmpfiles_apply.c acts): pure parsing of one
 * file and systemd's precedence among the directories. Diagnostics are
 * FILE:LINE (unit/unit_file.h's list), one per line that is not taken.
 *
 * Types taken: d (and v, q, Q, which make a plain directory here), D (its
 * contents removed at boot, as systemd-tmpfiles --boot --remove does), f
 * (f+ and the old F truncate), L (L+ replaces what is there), z (adjust
 * mode and owner). x and X only matter to cleaning and are taken silently,
 * as nothing is cleaned. Any other type (C, w, p, c, b, r, R, e, a, t, h,
 * Z...) is one warning and the line is skipped. Modifiers: '!' (boot only:
 * this is the boot) and '-' '=' '~' '^' are accepted and dropped; '+' as
 * above. Fields: Type Path Mode User Group Age Argument, "-" for the
 * default; Age is ignored (no cleaning). Mode: octal, a '~' or ':' prefix
 * dropped; default 0755 for directories, 0644 for files, unchanged for z.
 * Specifiers in Path and Argument: %% %t (/run) %S (/var/lib) %C
 * (/var/cache) %L (/var/log) %E (/etc) %T (/tmp) %V (/var/tmp) %h (/root);
 * any other is a warning and the line is skipped.
 *
 * Precedence (tmpfiles.d(5) "Configuration Directories and Precedence"):
 * a file name in /etc/tmpfiles.d hides the same name in /run/tmpfiles.d,
 * which hides /usr/local/lib/tmpfiles.d, /usr/lib/tmpfiles.d, then
 * /lib/tmpfiles.d; a file that is empty or a link to /dev/null masks the
 * name. The winners are read in name order; a path's first line wins, a
 * later one for the same path is a warning.
 */
#ifndef VIGIL_UNIT_TMPFILES_H
#define VIGIL_UNIT_TMPFILES_H

#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum tmpfiles_type {
        TMPFILES_DIR,             /* d v q Q */
        TMPFILES_DIR_EMPTIED,     /* D */
        TMPFILES_FILE,            /* f */
        TMPFILES_FILE_TRUNCATE,   /* f+ F */
        TMPFILES_SYMLINK,         /* L */
        TMPFILES_SYMLINK_REPLACE, /* L+ */
        TMPFILES_ADJUST,          /* z */
};

struct tmpfiles_item {
        enum tmpfiles_type type;
        char *path;               /* absolute, specifiers expanded */
        mode_t mode;
        bool mode_set;
        char *user, *group;       /* NULL: "-" (root when made, unchanged for z) */
        char *argument;           /* NULL: none */
        const char *file;         /* the caller's string */
        unsigned line;
};

struct tmpfiles_list {
        struct tmpfiles_item *v;
        size_t n;
};

/* The configuration directories, highest precedence first (below the root). */
extern const char *const tmpfiles_dirs[];
#define TMPFILES_N_DIRS 5

/* Parse one file's text (file must outlive the list) into *list, skipping
 * paths already there. 0, or -ENOMEM. */
int tmpfiles_parse(const char *file, const char *text, size_t size, struct tmpfiles_list *list,
                   struct unit_diags *diags);
void tmpfiles_list_free(struct tmpfiles_list *list);

/* Whether name is a tmpfiles.d file ("*.conf", not hidden). */
bool tmpfiles_name_is_config(const char *name);

#endif
