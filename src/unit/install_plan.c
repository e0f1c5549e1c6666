/* SPDX-License-Identifier: MIT */
#include "unit/install_plan.h"

#include "base/words.h"
#include "unit/unit_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------------- */

const char *unit_name_type(const char *name) {
        const char *dot = strrchr(name, '.');
        return dot ? dot + 1 : "";
}

bool unit_name_is_template(const char *name) {
        const char *dot = strrchr(name, '.');
        if (!dot || dot - name < 2 || dot[-1] != '@' || strchr(name, '@') != dot - 1)
                return false;
        /* "foo@.service" is valid iff "foo@x.service" is. */
        char probe[300];
        if (snprintf(probe, sizeof(probe), "%.*sx%s", (int)(dot - name), name, dot) >= (int)sizeof(probe))
                return false;
        return unit_name_is_valid(probe);
}

bool unit_name_is_instance(const char *name) {
        const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
        return at && dot && dot > at + 1 && unit_name_is_valid(name);
}

int unit_name_template_of(const char *instance, char **ret) {
        *ret = NULL;
        if (!unit_name_is_instance(instance))
                return -EINVAL;
        const char *at = strchr(instance, '@'), *dot = strrchr(instance, '.');
        if (asprintf(ret, "%.*s%s", (int)(at - instance + 1), instance, dot) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int unit_name_with_instance(const char *template_name, const char *instance, char **ret) {
        *ret = NULL;
        if (!unit_name_is_template(template_name))
                return -EINVAL;
        const char *dot = strrchr(template_name, '.');
        if (asprintf(ret, "%.*s%s%s", (int)(dot - template_name), template_name, instance, dot) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        if (!unit_name_is_valid(*ret)) {
                free(*ret);
                *ret = NULL;
                return -EINVAL;
        }
        return 0;
}

/* ---- [Install] -------------------------------------------------------------- */

void unit_install_free(struct unit_install *i) {
        strv_free(&i->wanted_by);
        strv_free(&i->required_by);
        strv_free(&i->alias);
        strv_free(&i->also);
        free(i->default_instance);
        *i = (struct unit_install){ 0 };
}

bool unit_install_is_static(const struct unit_install *i) {
        return i->wanted_by.n == 0 && i->required_by.n == 0 && i->alias.n == 0 && i->also.n == 0;
}

/* A list key: every word a unit name, appended; "" empties the list. */
static int parse_names(const struct unit_assignment *a, struct strv *list, struct unit_diags *diags) {
        struct strv words = { 0 };
        if (a->value[0] == '\0') {
                strv_free(list);
                return 0;
        }
        int r = words_split(a->value, &words);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                unit_diags_add(diags, UNIT_DIAG_WARNING, a->file, a->line, "%s=: unterminated quote, ignoring", a->key);
                return 0;
        }
        for (size_t k = 0; k < words.n && r == 0; k++) {
                if (!unit_name_is_valid(words.v[k]) && !unit_name_is_template(words.v[k]))
                        unit_diags_add(diags, UNIT_DIAG_WARNING, a->file, a->line,
                                       "%s=%s is not a unit name, ignoring", a->key, words.v[k]);
                else if (!strv_contains(list, words.v[k]))
                        r = strv_push(list, words.v[k]);
        }
        strv_free(&words);
        return r;
}

static const struct {
        const char *key;
        size_t offset;
} install_lists[] = {
        { "WantedBy", offsetof(struct unit_install, wanted_by) },
        { "RequiredBy", offsetof(struct unit_install, required_by) },
        { "UpheldBy", offsetof(struct unit_install, wanted_by) },   /* nearest vigil has: wanted */
        { "Alias", offsetof(struct unit_install, alias) },
        { "Also", offsetof(struct unit_install, also) },
};
#define N_INSTALL_LISTS (sizeof(install_lists) / sizeof(install_lists[0]))

const char *unit_install_key_at(size_t i) {
        if (i < N_INSTALL_LISTS)
                return install_lists[i].key;
        return i == N_INSTALL_LISTS ? "DefaultInstance" : NULL;
}

static int apply_install(const struct unit_assignment *a, struct unit_install *ret, struct unit_diags *diags) {
        for (size_t i = 0; i < N_INSTALL_LISTS; i++)
                if (strcmp(a->key, install_lists[i].key) == 0)
                        return parse_names(a, (struct strv *)((char *)ret + install_lists[i].offset), diags);
        if (strcmp(a->key, "DefaultInstance") == 0) {
                free(ret->default_instance);
                ret->default_instance = a->value[0] ? strdup(a->value) : NULL;
                return a->value[0] && !ret->default_instance ? -ENOMEM : 0;
        }
        if (strncmp(a->key, "X-", 2) != 0)
                unit_diags_add(diags, UNIT_DIAG_WARNING, a->file, a->line,
                               "unknown key '%s' in section [Install], ignoring", a->key);
        return 0;
}

int unit_install_parse(const char *path, const char *text, size_t size, struct unit_install *ret,
                       struct unit_diags *diags) {
        struct unit_file f;
        /* The lexer's diagnostics are the loader's to report: kept apart. */
        struct unit_diags quiet = { 0 };
        int r = unit_file_parse(path, text, size, &f, &quiet);
        unit_diags_free(&quiet);
        if (r == -ENOMEM || r == -EFBIG) {
                unit_file_free(&f);
                return r == -ENOMEM ? r : -EINVAL;
        }
        int q = 0;
        for (size_t i = 0; i < f.n_assignments && q == 0; i++)
                if (strcmp(f.sections[f.assignments[i].section].name, "Install") == 0)
                        q = apply_install(&f.assignments[i], ret, diags);
        unit_file_free(&f);
        return q < 0 ? q : r;
}

/* ---- the plan --------------------------------------------------------------- */

void install_links_free(struct install_link *v, size_t n) {
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].path);
                free(v[i].target);
        }
        free(v);
}

static int push_link(struct install_link **v, size_t *n, char *path, const char *file) {
        char *target = strdup(file);
        struct install_link *nv = path && target ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;
        if (!nv) {
                free(path);
                free(target);
                return -ENOMEM;
        }
        nv[*n] = (struct install_link){ .path = path, .target = target };
        *v = nv;
        (*n)++;
        return 0;
}

int install_plan(const char *name, const char *file, const struct unit_install *inst, struct install_link **ret,
                 size_t *ret_n) {
        struct install_link *v = NULL;
        size_t n = 0;
        char *link_name = NULL;
        int r = 0;

        *ret = NULL;
        *ret_n = 0;
        if (unit_name_is_template(name)) {
                if (inst->default_instance)
                        r = unit_name_with_instance(name, inst->default_instance, &link_name);
        } else if (unit_name_is_valid(name)) {
                link_name = strdup(name);
                r = link_name ? 0 : -ENOMEM;
        } else {
                return -EINVAL;
        }
        if (r < 0)
                return r;
        const struct strv *deps[2] = { &inst->wanted_by, &inst->required_by };
        for (int d = 0; d < 2 && link_name && r == 0; d++)
                for (size_t k = 0; k < deps[d]->n && r == 0; k++) {
                        char *path;
                        if (asprintf(&path, "%s.%s/%s", deps[d]->v[k], d ? "requires" : "wants", link_name) < 0)
                                path = NULL;
                        r = push_link(&v, &n, path, file);
                }
        for (size_t k = 0; k < inst->alias.n && r == 0; k++)
                if (strcmp(inst->alias.v[k], name) != 0)
                        r = push_link(&v, &n, strdup(inst->alias.v[k]), file);
        free(link_name);
        if (r < 0) {
                install_links_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
