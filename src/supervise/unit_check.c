/* SPDX-License-Identifier: MIT */
#include "supervise/unit_check.h"

#include "core/log.h"
#include "os/fd.h"
#include "supervise/diag_report.h"
#include "supervise/unit_source.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tally {
        unsigned checked, loaded, refused, unknown;
        char unknown_names[2048];
};

/* "unknown key 'K' in section [S], ignoring": K once into the list. */
static void count_unknown(struct tally *t, const struct unit_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                const char *m = d->v[i].message, *q;
                char key[128];
                if (strncmp(m, "unknown key '", 13) != 0 || !(q = strchr(m + 13, '\'')))
                        continue;
                t->unknown++;
                snprintf(key, sizeof(key), "%.*s", (int)(q - m - 13), m + 13);
                size_t used = strlen(t->unknown_names);
                if (!strstr(t->unknown_names, key) && used + strlen(key) + 3 < sizeof(t->unknown_names))
                        snprintf(t->unknown_names + used, sizeof(t->unknown_names) - used, "%s%s", used ? ", " : "",
                                 key);
        }
}

static int load_template(const char *path, struct unit_config *c, struct unit_diags *d) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const char *at = strchr(base, '@');
        char name[512];
        char *text = NULL;
        size_t size = 0;
        int r = unit_source_read_file(path, &text, &size);
        if (r < 0) {
                unit_diags_add(d, UNIT_DIAG_ERROR, path, 0, "cannot read it: %s", strerror(-r));
                unit_config_init(c);
                return r;
        }
        snprintf(name, sizeof(name), "%.*s@check%s", (int)(at - base), base, at + 1);
        struct unit_source s = { path, text, size };
        r = unit_load_from_texts(name, &s, 1, c, d);
        free(text);
        return r;
}

int unit_check_dir(const char *dir) {
        char **paths = NULL;
        size_t n = 0;
        struct tally t = { 0 };
        int r = unit_source_list_dir(dir, ".service", &paths, &n);
        if (r < 0) {
                log_error("--check-units %s: %s", dir, strerror(-r));
                return 2;
        }
        for (size_t i = 0; i < n; i++) {
                struct unit_config c;
                struct unit_diags d = { 0 };
                bool template = strstr(paths[i], "@.service") != NULL;
                r = template ? load_template(paths[i], &c, &d) : unit_source_load(paths[i], &c, &d);
                t.checked++;
                if (r == 0)
                        t.loaded++;
                else {
                        char line[4200];
                        int len = snprintf(line, sizeof(line), "refused %s\n", paths[i]);
                        t.refused++;
                        (void)os_write_all(STDOUT_FILENO, line, len > 0 && (size_t)len < sizeof(line) ? (size_t)len : 0);
                }
                count_unknown(&t, &d);
                unit_report_diags(&d);
                unit_diags_free(&d);
                if (r == 0)
                        unit_config_free(&c);
        }
        unit_source_paths_free(paths, n);
        char line[2300];
        int len = snprintf(line, sizeof(line), "checked %u: loaded %u, refused %u; unknown keys %u%s%s%s\n", t.checked,
                           t.loaded, t.refused, t.unknown, t.unknown ? " (" : "", t.unknown_names,
                           t.unknown ? ")" : "");
        (void)os_write_all(STDOUT_FILENO, line, len > 0 && (size_t)len < sizeof(line) ? (size_t)len : 0);
        return t.refused ? 1 : 0;
}
