/* SPDX-License-Identifier: MIT */
/*
 * Enablement as systemd does it (systemd.unit(5) "[Install] Section
 * Options", systemctl(1) enable/disable/is-enabled): the [Install] section
 * of a unit file read into data, and the symlinks `enable` makes from it,
 * decided here and made by the caller (supervise/unit_layout.c, systemctl).
 * Also the unit-name arithmetic of templates ("foo@.service",
 * "foo@bar.service") the layout and the loader share.
 *
 * The links, for unit NAME whose file is FILE (systemd's
 * install_info_symlink_wants() and _alias()), all relative to the config
 * directory (/etc/systemd/system):
 *  - WantedBy=T:   T.wants/NAME -> FILE
 *  - RequiredBy=T: T.requires/NAME -> FILE
 *  - Alias=A:      A -> FILE
 * For a template foo@.service the link name is its instance: the one
 * enabled (`enable foo@x.service`), else DefaultInstance=; a template with
 * neither makes no wants/requires link (systemd: "indirect"). Also= names
 * other units the caller enables too. A file with none of WantedBy=,
 * RequiredBy=, Alias=, Also= is "static": nothing to make.
 *
 * Pure: text in, decisions out; never logs (diagnostics in unit_diags).
 */
#ifndef VIGIL_UNIT_INSTALL_PLAN_H
#define VIGIL_UNIT_INSTALL_PLAN_H

#include "base/strv.h"
#include "unit/unit_file.h"

#include <stdbool.h>
#include <stddef.h>

struct unit_install {
        struct strv wanted_by, required_by, alias, also;   /* unit names, in file order */
        char *default_instance;                             /* NULL if none */
};

/* Read the [Install] section of one file (the unit file, or a drop-in:
 * call again with the same ret to accumulate; an empty assignment empties a
 * list). Invalid unit names are warnings, dropped. 0, -EINVAL (the file
 * did not lex; what was read is kept), -ENOMEM. */
int unit_install_parse(const char *path, const char *text, size_t size, struct unit_install *ret,
                       struct unit_diags *diags);
void unit_install_free(struct unit_install *i);
/* The i-th [Install] key read (the docs listing, unit_key_doc.h), NULL past the end. */
const char *unit_install_key_at(size_t i);

/* Whether enabling does nothing because there is nothing to do (no
 * WantedBy=, RequiredBy=, Alias=, Also=): systemd's "static". */
bool unit_install_is_static(const struct unit_install *i);

struct install_link {
        char *path;     /* relative to the config directory: "multi-user.target.wants/foo.service" */
        char *target;   /* the unit file's path, what the link points to */
};

/* The links `enable name` makes, name being a plain unit, a template or
 * an instance, file the path of its unit file (the template's for an
 * instance). 0, -EINVAL for a name that is not a unit name, -ENOMEM. */
int install_plan(const char *name, const char *file, const struct unit_install *inst, struct install_link **ret,
                 size_t *ret_n);
void install_links_free(struct install_link *v, size_t n);

/* ---- template names (systemd.unit(5) "Description", unit_name_*()) ---- */

/* "foo@.service": a template (no instance). */
bool unit_name_is_template(const char *name);
/* "foo@bar.service": an instance. */
bool unit_name_is_instance(const char *name);
/* "foo@bar.service" -> "foo@.service". -EINVAL if not an instance. */
int unit_name_template_of(const char *instance, char **ret);
/* "foo@.service" + "bar" -> "foo@bar.service". -EINVAL if not a template. */
int unit_name_with_instance(const char *template_name, const char *instance, char **ret);
/* "service" of "foo.service", "" when there is no dot. */
const char *unit_name_type(const char *name);

#endif
