/* SPDX-License-Identifier: MIT */
/*
 * EnvironmentFile= files (src/unit/env_file.c): the input is the file's
 * text, parsed into a list that already holds two entries.
 * Invariants: the list stays NULL-terminated, every entry is a valid
 * assignment, no name appears twice, what was there stays first; -EFBIG only
 * for a file over the size limit, with an error.
 */
#include "fuzz.h"

#include "unit/env_file.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        char **env = NULL;
        size_t n = 0;
        struct unit_diags diags = { 0 };

        FUZZ_CHECK(env_list_set(&env, &n, "PATH=/usr/bin:/bin") == 0);
        FUZZ_CHECK(env_list_set(&env, &n, "A=before") == 0);
        int r = env_file_parse("/etc/default/fuzz", text, size, &env, &n, &diags);
        FUZZ_CHECK(r == 0 || r == -EFBIG);
        FUZZ_CHECK((r == -EFBIG) == (size > UNIT_FILE_SIZE_MAX));
        FUZZ_CHECK(r == 0 || diags.n_errors > 0);
        FUZZ_CHECK(r != 0 || diags.n_errors == 0);
        FUZZ_CHECK(n >= 2 && env[n] == NULL);
        FUZZ_CHECK(strncmp(env[0], "PATH=", 5) == 0 && strncmp(env[1], "A=", 2) == 0);
        for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK(env_assignment_is_valid(env[i]));
                size_t name_len = (size_t)(strchr(env[i], '=') - env[i]);
                for (size_t j = 0; j < i; j++)
                        FUZZ_CHECK(strncmp(env[i], env[j], name_len + 1) != 0);
        }
        for (size_t i = 0; i < diags.n; i++) {
                char line[1024];
                FUZZ_CHECK(diags.v[i].line <= size + 1);
                FUZZ_CHECK(unit_diag_format(&diags.v[i], line, sizeof(line)) == line);
        }
        unit_diags_free(&diags);
        env_list_free(&env, &n);
        free(text);
        return 0;
}
