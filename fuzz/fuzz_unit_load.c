/* SPDX-License-Identifier: MIT */
/*
 * Loading a service (src/unit/unit_load.c unit_load_from_texts): the input
 * is the unit file, then drop-ins, each after a line "#~dropin~" (a comment
 * to the lexer, so a piece is also a valid file alone). The service name is
 * picked by the input's size from a few valid forms.
 * Invariants: 0 exactly when no error was diagnosed (and none lost to OOM);
 * on success the config is whole: its name and sources as given, every
 * command with a path, argv and its file among the sources, ExecStart= unique
 * unless Type=oneshot, the environment a valid NULL-terminated list; every
 * diagnostic formats; on failure nothing is left to free.
 */
#include "fuzz.h"

#include "unit/env_file.h"
#include "unit/unit_load.h"

#include <errno.h>

#define SOURCES_MAX 8
#define SEPARATOR "\n#~dropin~\n"

static const char *const names[] = { "fuzz.service", "getty@tty1.service", "a-b_c.d@x\\x2dy.service" };
static const char *const paths[SOURCES_MAX] = {
        "/etc/vigil/fuzz.service",      "/etc/vigil/fuzz.service.d/10-a.conf",
        "/etc/vigil/fuzz.service.d/20-b.conf", "/etc/vigil/fuzz.service.d/30-c.conf",
        "/etc/vigil/fuzz.service.d/40-d.conf", "/etc/vigil/fuzz.service.d/50-e.conf",
        "/etc/vigil/fuzz.service.d/60-f.conf", "/etc/vigil/fuzz.service.d/70-g.conf",
};

static bool is_source(const struct unit_config *c, const char *file) {
        for (size_t i = 0; i < c->n_sources; i++)
                if (file == c->sources[i])
                        return true;
        return false;
}

static void check_exec_list(const struct unit_config *c, const struct exec_list *l) {
        for (size_t i = 0; i < l->n; i++) {
                const struct exec_command *e = &l->v[i];
                FUZZ_CHECK(e->path && e->path[0] && e->argv);
                FUZZ_CHECK(is_source(c, e->file) && e->line >= 1);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct unit_source sources[SOURCES_MAX];
        char *texts[SOURCES_MAX];
        size_t n = 0;
        struct fuzz_cutter cut = fuzz_cutter(data, size, SEPARATOR, strlen(SEPARATOR));
        const uint8_t *piece;
        size_t len;

        /* The last piece takes the rest, separators and all. */
        while (n < SOURCES_MAX - 1 && fuzz_next_piece(&cut, &piece, &len)) {
                texts[n] = fuzz_memdup(piece, len);
                sources[n] = (struct unit_source){ .path = paths[n], .text = texts[n], .size = len };
                n++;
        }
        if (!cut.done) {
                len = (size_t)(cut.end - cut.p);
                texts[n] = fuzz_memdup(cut.p, len);
                sources[n] = (struct unit_source){ .path = paths[n], .text = texts[n], .size = len };
                n++;
        }

        const char *name = names[size % (sizeof(names) / sizeof(names[0]))];
        struct unit_config c;
        struct unit_diags diags = { 0 };
        int r = unit_load_from_texts(name, sources, n, &c, &diags);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_CHECK((r == -EINVAL) == (diags.n_errors > 0));
        FUZZ_CHECK(r != -ENOMEM || diags.oom);
        if (r == 0) {
                FUZZ_CHECK(strcmp(c.name, name) == 0 && c.n_sources == n);
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(strcmp(c.sources[i], paths[i]) == 0);
                FUZZ_CHECK(c.exec_start.n == 1 || c.type == SERVICE_ONESHOT);
                check_exec_list(&c, &c.exec_start_pre);
                check_exec_list(&c, &c.exec_start);
                check_exec_list(&c, &c.exec_start_post);
                check_exec_list(&c, &c.exec_reload);
                check_exec_list(&c, &c.exec_stop);
                check_exec_list(&c, &c.exec_stop_post);
                FUZZ_CHECK(c.n_environment == 0 || c.environment[c.n_environment] == NULL);
                for (size_t i = 0; i < c.n_environment; i++)
                        FUZZ_CHECK(env_assignment_is_valid(c.environment[i]));
                for (size_t i = 0; i < c.after.n; i++)
                        FUZZ_CHECK(unit_name_is_valid(c.after.v[i]));
                for (size_t i = 0; i < c.requires.n; i++)
                        FUZZ_CHECK(unit_name_is_valid(c.requires.v[i]));
        }
        for (size_t i = 0; i < diags.n; i++) {
                char line[1024];
                FUZZ_CHECK(diags.v[i].message && diags.v[i].file);
                FUZZ_CHECK(unit_diag_format(&diags.v[i], line, sizeof(line)) == line);
        }
        unit_config_free(&c);   /* harmless after a failure, says the header */
        unit_diags_free(&diags);
        for (size_t i = 0; i < n; i++)
                free(texts[i]);
        return 0;
}
