/* SPDX-License-Identifier: MIT */
/*
 * The unit-file lexer (src/unit/unit_file.c): the input is one file.
 * Invariants: the return value agrees with the errors added; every
 * assignment points at an existing section, its key and value are trimmed
 * and hold no newline; lines are in file order and within the file; every
 * diagnostic formats.
 */
#include "fuzz.h"

#include "unit/unit_file.h"

#include <errno.h>

static bool trimmed(const char *s) {
        size_t len = strlen(s);
        return len == 0 || (!strchr(" \t\r\n", s[0]) && !strchr(" \t\r\n", s[len - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct unit_file f;
        struct unit_diags diags = { 0 };
        size_t lines = 1;

        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        int r = unit_file_parse("fuzz.service", text, size, &f, &diags);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EFBIG);
        FUZZ_CHECK((r == 0) == (diags.n_errors == 0));
        FUZZ_CHECK(strcmp(f.path, "fuzz.service") == 0);
        unsigned last = 0;
        for (size_t i = 0; i < f.n_sections; i++) {
                FUZZ_CHECK(f.sections[i].line >= 1 && f.sections[i].line <= lines);
                FUZZ_CHECK(!strchr(f.sections[i].name, '\n'));
        }
        for (size_t i = 0; i < f.n_assignments; i++) {
                const struct unit_assignment *a = &f.assignments[i];
                FUZZ_CHECK(a->section < f.n_sections);
                FUZZ_CHECK(trimmed(a->key) && trimmed(a->value));
                FUZZ_CHECK(!strchr(a->key, '=') && !strchr(a->key, '\n') && !strchr(a->value, '\n'));
                FUZZ_CHECK(a->file == f.path);
                FUZZ_CHECK(a->line >= last && a->line >= f.sections[a->section].line && a->line <= lines);
                FUZZ_CHECK(i == 0 || a->section >= f.assignments[i - 1].section);
                last = a->line;
        }
        for (size_t i = 0; i < diags.n; i++) {
                char line[1024];
                FUZZ_CHECK(diags.v[i].line <= lines);
                FUZZ_CHECK(unit_diag_format(&diags.v[i], line, sizeof(line)) == line);
        }
        unit_file_free(&f);
        unit_diags_free(&diags);
        free(text);
        return 0;
}
