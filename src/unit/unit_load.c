/* SPDX-License-Identifier: MIT */
#include "unit/unit_load.h"

#include "base/timespan.h"
#include "unit/unit_keys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- applying a file -------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A known key not applied: its name once in the summary of its kind. */
static void note_known(struct unit_key_marks *m, enum unit_key_known known, const char *key) {
        char *list = known == UNIT_KEY_SANDBOXING ? m->sandboxing : m->not_applied;
        unsigned *n = known == UNIT_KEY_SANDBOXING ? &m->n_sandboxing : &m->n_not_applied;
        size_t used = strlen(list), len = strlen(key);
        for (const char *p = list; (p = strstr(p, key)) != NULL; p += len)
                if ((p == list || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
                        return;
        (*n)++;
        if (used + len + 3 < sizeof(m->sandboxing))
                snprintf(list + used, sizeof(m->sandboxing) - used, "%s%s", used ? ", " : "", key);
}

/* One line per kind for the unit (systemd's keys vigil knows, not applied). */
static void report_known(struct unit_key_ctx *k, const char *main_file) {
        if (k->marks->n_sandboxing)
                unit_diags_add(k->diags, UNIT_DIAG_WARNING, main_file, 0, "%u sandboxing settings not enforced: %s",
                               k->marks->n_sandboxing, k->marks->sandboxing);
        if (k->marks->n_not_applied)
                unit_diags_add(k->diags, UNIT_DIAG_WARNING, main_file, 0, "%u settings known but not applied: %s",
                               k->marks->n_not_applied, k->marks->not_applied);
}

static int apply_assignment(struct unit_key_ctx *k, const char *section, const struct unit_assignment *a) {
        const struct unit_key *def = unit_keys_find(section, a->key);
        int r;

        if (!def && (strcmp(section, "Unit") == 0 || strcmp(section, "Service") == 0)) {
                enum unit_key_known known = unit_keys_known(a->key);
                if (known != UNIT_KEY_UNKNOWN) {
                        note_known(k->marks, known, a->key);
                        return 0;
                }
        }
        if (!def) {
                if (strncmp(a->key, "X-", 2) != 0)
                        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, a->line,
                                       "unknown key '%s' in section [%s], ignoring", a->key, section);
                return 0;
        }
        k->def = def;
        k->key = a->key;
        k->line = a->line;
        r = def->parse(k, a->value, (char *)k->c + def->offset);
        return r == -ENOMEM ? r : 0;
}

static int apply_file(struct unit_key_ctx *k, const struct unit_file *f) {
        size_t a = 0;
        for (size_t s = 0; s < f->n_sections; s++) {
                const char *name = f->sections[s].name;
                /* [X-Vigil]: vigil's own keys (unit_keys_probe.c), in a section systemd ignores.
                 * A .target has no [Service] (systemd.target(5)): unknown there. */
                bool apply = strcmp(name, "Unit") == 0 || strcmp(name, "X-Vigil") == 0 ||
                             (strcmp(name, "Service") == 0 && !has_suffix(k->c->name ? k->c->name : "", ".target"));
                if (!apply && strcmp(name, "Install") != 0 && strncmp(name, "X-", 2) != 0)
                        unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->file, f->sections[s].line,
                                       "unknown section [%s], ignoring it", name);
                for (; a < f->n_assignments && f->assignments[a].section == s; a++) {
                        if (!apply)
                                continue;   /* [Install] is for systemctl enable: nothing to do */
                        int r = apply_assignment(k, name, &f->assignments[a]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* systemd's service_verify() and the parts of service_add_extras() that
 * change the configuration. */
static void verify(struct unit_key_ctx *k) {
        struct unit_config *c = k->c;
        const char *main_file = c->n_sources > 0 ? c->sources[0] : c->name;

        if (k->marks->exec_start_error)
                ;   /* "no ExecStart=" would only repeat that error */
        else if (c->type != SERVICE_ONESHOT && c->exec_start.n == 0)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, main_file, 0,
                               "no ExecStart= (only Type=oneshot services may have none)");
        else if (c->type == SERVICE_ONESHOT && c->exec_start.n == 0 && !c->remain_after_exit &&
                 c->success_action == ACTION_NONE)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, main_file, 0,
                               "Type=oneshot without ExecStart= needs RemainAfterExit=yes or SuccessAction=");
        if (c->type != SERVICE_ONESHOT && c->exec_start.n > 1)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, c->exec_start.v[1].file, c->exec_start.v[1].line,
                               "more than one ExecStart= (only Type=oneshot services may have several; an "
                               "empty ExecStart= first resets the list)");
        if (c->type == SERVICE_ONESHOT &&
            (c->restart.mode == RESTART_ALWAYS || c->restart.mode == RESTART_ON_SUCCESS))
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, k->marks->restart_file ? k->marks->restart_file : main_file,
                               k->marks->restart_line, "Restart=%s is not allowed for Type=oneshot services",
                               restart_mode_to_string(c->restart.mode));
        if (c->type == SERVICE_FORKING && !c->pid_file)
                unit_diags_add(k->diags, UNIT_DIAG_WARNING, k->marks->type_file ? k->marks->type_file : main_file,
                               k->marks->type_line,
                               "Type=forking without PIDFile=: the main process will be guessed");
        if (c->probe.kind != PROBE_NONE && c->type == SERVICE_ONESHOT)
                unit_diags_add(k->diags, UNIT_DIAG_ERROR, c->probe.file, c->probe.line,
                               "a health probe needs a long-running service; Type=oneshot has none to probe");
        unit_config_apply_derived_defaults(c);
}

/* FNV-1a, 64 bits. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
        return h;
}

int unit_load_from_texts(const char *name, const struct unit_source *sources, size_t n_sources,
                         struct unit_config *ret, struct unit_diags *diags) {
        struct unit_config defaults;
        struct unit_key_marks marks = { 0 };
        struct unit_key_ctx k = { .c = ret, .defaults = &defaults, .diags = diags, .marks = &marks };
        size_t errors_before = diags->n_errors;
        bool oom_before = diags->oom, too_big = false;
        int r = 0;

        unit_config_init(ret);
        unit_config_init(&defaults);
        bool target = has_suffix(name, ".target");
        if (!unit_name_is_valid(name) || (!has_suffix(name, ".service") && !target))
                unit_diags_add(diags, UNIT_DIAG_ERROR, n_sources > 0 ? sources[0].path : name, 0,
                               "'%s' is not a valid service name (NAME.service or NAME@INSTANCE.service)", name);
        ret->name = strdup(name);
        if (!ret->name)
                r = -ENOMEM;
        if (target) {
                /* A target: a grouping and ordering point, no process
                 * (systemd.target(5)); a oneshot that stays active. */
                ret->type = SERVICE_ONESHOT;
                ret->remain_after_exit = true;
        }
        /* daemon-reload tells a changed definition by this (the same bytes
         * the parser read, so no second read can disagree). */
        ret->fingerprint = 1469598103934665603ULL;
        for (size_t i = 0; i < n_sources; i++) {
                ret->fingerprint = fnv1a(ret->fingerprint, sources[i].path, strlen(sources[i].path) + 1);
                if (sources[i].text)   /* NULL for a file too large to read */
                        ret->fingerprint = fnv1a(ret->fingerprint, sources[i].text, sources[i].size);
                ret->fingerprint = fnv1a(ret->fingerprint, "\n--\n", 4);
        }
        for (size_t i = 0; i < n_sources && r == 0; i++) {
                struct unit_file f;
                r = unit_key_list_push(&ret->sources, &ret->n_sources, strdup(sources[i].path));
                if (r < 0)
                        break;
                k.file = ret->sources[i];
                r = unit_file_parse(sources[i].path, sources[i].text, sources[i].size, &f, diags);
                too_big = too_big || r == -EFBIG;
                if (r != -ENOMEM)
                        r = apply_file(&k, &f);
                unit_file_free(&f);
        }
        if (r == 0 && !too_big) {
                verify(&k);   /* a file not read would only add noise */
                report_known(&k, ret->n_sources > 0 ? ret->sources[0] : name);
        }
        if (r == 0 && diags->oom && !oom_before)
                r = -ENOMEM;
        if (r == 0 && diags->n_errors > errors_before)
                r = -EINVAL;
        if (r < 0)
                unit_config_free(ret);
        return r;
}

bool unit_load_key_known(const char *section, const char *key) {
        return unit_keys_find(section, key) != NULL;
}
