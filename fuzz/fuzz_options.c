/* SPDX-License-Identifier: MIT */
/*
 * vigil's options (src/cmd/options.c): the input up to its first NUL is an
 * options file; the NUL-separated pieces after it are the command line,
 * parsed over it as vigil's main() does (find --config, file, then argv).
 * Invariants: a failure has a message (and, for the file, a line within it);
 * lists stay NULL-terminated; defaults apply to anything parsed.
 */
#include "fuzz.h"

#include "cmd/options.h"

#include <errno.h>

#define ARGS_MAX 64

static void check_list(const struct strv *l) {
        FUZZ_CHECK(l->n == 0 || (l->v && l->v[l->n] == NULL));
        for (size_t i = 0; i < l->n; i++)
                FUZZ_CHECK(l->v[i]);
}

static void check_options(const struct vigil_options *o) {
        check_list(&o->units);
        check_list(&o->mounts);
        check_list(&o->env);
        check_list(&o->command);
        const char *names[OPTIONS_MAX];
        FUZZ_CHECK(options_unsupported_given(o, names, OPTIONS_MAX) <= OPTIONS_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *argv[ARGS_MAX + 1];
        size_t n_args;
        char *text = fuzz_head_and_words(data, size, argv, ARGS_MAX, &n_args);
        int argc = (int)n_args;

        struct vigil_options o;
        struct options_error err = { { 0 } };
        const char *config = NULL;
        options_init(&o);
        int r = options_find_config(argc, argv, &config, &err);
        FUZZ_CHECK(r == 0 || (r == -EINVAL && err.message[0]));

        size_t lines = 1;
        for (const char *p = text; *p; p++)
                lines += *p == '\n';
        unsigned line = 0;
        err.message[0] = '\0';
        r = options_parse_file(&o, text, &line, &err);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        FUZZ_CHECK(line <= lines);
        if (r < 0)
                FUZZ_CHECK(err.message[0] && line >= 1);
        check_options(&o);

        err.message[0] = '\0';
        r = options_parse_args(&o, argc, argv, OPTION_SOURCE_COMMAND_LINE, &err);
        FUZZ_CHECK(r == 0 || (r == -EINVAL && err.message[0]));
        options_apply_defaults(&o, size & 1);
        check_options(&o);
        options_free(&o);

        /* The command line alone, as when there is no options file. */
        options_init(&o);
        r = options_parse_args(&o, argc, argv, OPTION_SOURCE_COMMAND_LINE, &err);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        check_options(&o);
        options_free(&o);

        for (int i = 0; i < argc; i++)
                free(argv[i]);
        free(text);
        return 0;
}
