/* SPDX-License-Identifier: MIT */
/*
 * The container environment (src/container/container_env.c): the input is a
 * directory, one record per file separated by the byte 0x1e; in a record the
 * name runs to the first 0x1f and the content (NUL bytes and all) follows.
 * The records, as strings, are also an environ to export.
 * Invariants: import gives valid "NAME=value" assignments sorted by name,
 * each name once; export to the directory then import again is the identity
 * (less the names never exported: HOME USER ...); the .json is valid UTF-8;
 * shell names are shell identifiers; diagnostics are whole strings.
 */
#include "fuzz.h"

#include "base/utf8.h"
#include "container/container_env.h"

#include <errno.h>

#define FILES_MAX 64

static bool shell_identifier(const char *s) {
        if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (; *s; s++)
                if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

static size_t name_len(const char *assignment) {
        const char *eq = strchr(assignment, '=');
        FUZZ_CHECK(eq);
        return (size_t)(eq - assignment);
}

static void check_diags(struct container_env_diags *d) {
        for (size_t i = 0; i < d->n; i++)
                FUZZ_CHECK(d->v[i] && d->v[i][0]);
        container_env_diags_free(d);
}

static void check_exports(char *const *env) {
        struct container_env_diags d = { 0 };
        char *sh = NULL, *json = NULL;
        FUZZ_CHECK(container_env_export_sh(env, &sh, &d) == 0 && sh);
        FUZZ_CHECK(container_env_export_json(env, &json) == 0 && json);
        FUZZ_CHECK(utf8_is_valid(json, strlen(json)));
        FUZZ_CHECK(json[0] == '{');
        check_diags(&d);
        free(sh);
        free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct container_env_file files[FILES_MAX];
        char *raw[FILES_MAX + 1];
        size_t n_files = 0;
        struct fuzz_cutter cut = fuzz_cutter(data, size, "\x1e", 1);
        const uint8_t *piece;
        size_t len;

        while (n_files < FILES_MAX && fuzz_next_piece(&cut, &piece, &len)) {
                const uint8_t *us = memchr(piece, 0x1f, len);
                size_t name_size = us ? (size_t)(us - piece) : len;
                files[n_files] = (struct container_env_file){
                        .name = fuzz_strndup(piece, name_size),
                        .content = us ? fuzz_memdup(us + 1, len - name_size - 1) : NULL,
                        .size = us ? len - name_size - 1 : 0,
                };
                raw[n_files] = fuzz_strndup(piece, len);
                n_files++;
        }
        raw[n_files] = NULL;

        /* Names: shell form. */
        for (size_t i = 0; i < n_files; i++) {
                char *shell = NULL;
                size_t l = strlen(files[i].name);
                int r = container_env_shell_name(files[i].name, l, &shell);
                FUZZ_CHECK(r == 0 || (r == -EINVAL && l == 0));
                FUZZ_CHECK(r < 0 || shell_identifier(shell));
                free(shell);
        }

        /* Import. */
        struct container_env_diags d = { 0 };
        char **env = NULL;
        size_t n = 0;
        FUZZ_CHECK(container_env_import("/etc/container_environment", files, n_files, &env, &n, &d) == 0);
        check_diags(&d);
        FUZZ_CHECK(n <= n_files && env[n] == NULL);
        for (size_t i = 0; i < n; i++) {
                size_t l = name_len(env[i]);
                FUZZ_CHECK(container_env_name_is_valid(env[i], l));
                if (i > 0) {
                        size_t p = name_len(env[i - 1]), m = p < l ? p : l;
                        int c = memcmp(env[i - 1], env[i], m);
                        FUZZ_CHECK(c < 0 || (c == 0 && p < l));   /* sorted, no name twice */
                }
        }

        /* Export to the directory, import again: the same, less the skipped. */
        struct container_env_file *out = NULL;
        size_t n_out = 0;
        FUZZ_CHECK(container_env_export_dir(env, &out, &n_out, &d) == 0);
        check_diags(&d);
        char **again = NULL;
        size_t n_again = 0;
        FUZZ_CHECK(container_env_import("/etc/container_environment", out, n_out, &again, &n_again, &d) == 0);
        check_diags(&d);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (container_env_is_skipped(env[i], name_len(env[i])))
                        continue;
                FUZZ_CHECK(k < n_again && strcmp(again[k], env[i]) == 0);
                k++;
        }
        FUZZ_CHECK(k == n_again);

        check_exports(env);
        check_exports(raw);

        container_env_list_free(&again, &n_again);
        container_env_files_free(&out, &n_out);
        container_env_list_free(&env, &n);
        for (size_t i = 0; i < n_files; i++) {
                free((char *)files[i].name);
                free((char *)files[i].content);
                free(raw[i]);
        }
        return 0;
}
