/* SPDX-License-Identifier: MIT */
/*
 * ExecStart= lines (src/unit/exec_line.c): the input up to its first NUL is
 * the value; the NUL-separated pieces after it are the environment of the
 * spawn-time expansion. The unit name (or none) is picked by the input size.
 * The value also goes through exec_word_next() word by word and
 * unit_specifier_expand().
 * Invariants: a split command has a non-empty path without control
 * characters and a NULL-terminated argv; on failure an error message is set;
 * with the ":" prefix the expansion is the argv unchanged; words of a value
 * without '$' are kept one for one.
 */
#include "fuzz.h"

#include "unit/exec_line.h"

#include <errno.h>

#define ENV_MAX 32

static const char *const unit_names[] = { "web.service", "getty@tty1.service", NULL };

static size_t count(char *const *v) {
        size_t n = 0;
        while (v[n])
                n++;
        return n;
}

static void check_expand(const struct exec_command *c, char *const *envp) {
        char **argv;
        FUZZ_CHECK(exec_line_expand(c, envp, &argv) == 0);
        size_t n = count(argv);
        bool has_dollar = false;
        for (size_t i = 0; c->argv[i]; i++)
                has_dollar = has_dollar || strchr(c->argv[i], '$');
        if ((c->flags & EXEC_FLAG_NO_ENV_EXPAND) || !has_dollar) {
                FUZZ_CHECK(n == count(c->argv));
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(strcmp(argv[i], c->argv[i]) == 0);
        }
        exec_argv_free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *envp[ENV_MAX + 1];
        size_t n_env;
        char *value = fuzz_head_and_words(data, size, envp, ENV_MAX, &n_env);
        const char *unit_name = unit_names[size % (sizeof(unit_names) / sizeof(unit_names[0]))];

        struct exec_command c;
        struct exec_diag d;
        int r = exec_line_split(value, unit_name, &c, &d);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        if (r == 0) {
                FUZZ_CHECK(!d.error[0]);
                FUZZ_CHECK(c.path && c.path[0] && c.argv);
                for (const char *p = c.path; *p; p++)
                        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
                check_expand(&c, envp);
                check_expand(&c, NULL);
                exec_command_done(&c);
        } else {
                FUZZ_CHECK(d.error[0]);
        }

        /* Word by word, as Environment= uses it. */
        const char *p = value;
        for (;;) {
                char *word = NULL;
                struct exec_diag wd;
                memset(&wd, 0, sizeof(wd));
                r = exec_word_next(&p, &word, &wd);
                FUZZ_CHECK(r == 1 || r == 0 || r == -EINVAL);
                if (r <= 0) {
                        FUZZ_CHECK(!word);
                        FUZZ_CHECK(r == 0 || wd.error[0]);
                        break;
                }
                FUZZ_CHECK(word);
                free(word);
        }

        char *expanded = NULL;
        r = unit_specifier_expand(value, unit_name, &expanded, &d);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        FUZZ_CHECK((r == 0) == (expanded != NULL));
        free(expanded);

        for (size_t i = 0; i < n_env; i++)
                free(envp[i]);
        free(value);
        return 0;
}
