/* SPDX-License-Identifier: MIT */
/*
 * Replays every kept fuzz input through the same entry points as the
 * libFuzzer targets, built with the normal compiler by `make unit` (so a
 * fixed crash stays fixed without clang): for each target NAME, the files of
 * fuzz/corpus/NAME/ (seeds), fuzz/regress/NAME/ (inputs that once failed)
 * and fuzz/crashes/NAME/ (new findings of tools/fuzz). VIGIL_FUZZ_TRACE=1
 * prints each file before it runs, to name the one that fails.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#ifndef FUZZ_DIR
#define FUZZ_DIR "fuzz"
#endif

/* One per fuzz/fuzz_NAME.c, whose LLVMFuzzerTestOneInput the Makefile
 * renames to fuzz_NAME_entry for this runner. */
#define TARGETS(X) X(container_env) X(control_msg) X(env_file) X(exec_line) X(heart) X(install_plan) X(notify_msg) \
        X(options) X(probe_http) X(syslog_msg) X(unit_file) X(unit_load)

void fuzz_replay_failed(const char *file, int line, const char *what) __attribute__((noreturn));
#define DECLARE(name) int fuzz_##name##_entry(const uint8_t *data, size_t size);
TARGETS(DECLARE)

struct target {
        const char *name;
        int (*entry)(const uint8_t *data, size_t size);
};

#define ENTRY(name) { #name, fuzz_##name##_entry },
static const struct target targets[] = { TARGETS(ENTRY) };
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static const char *current;   /* the input being replayed */

void fuzz_replay_failed(const char *file, int line, const char *what) {
        fail_msg("%s:%d: invariant failed on %s: %s", file, line, current ? current : "?", what);
        abort();   /* fail_msg() does not return; this tells the compiler */
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed every regular file of dir to t; the number fed, -1 if dir is missing. */
static long replay_dir(const struct target *t, const char *dir) {
        DIR *d = opendir(dir);
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        bool trace = getenv("VIGIL_FUZZ_TRACE") != NULL;

        if (!d)
                return -1;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                names = realloc(names, (n + 1) * sizeof(*names));
                assert_non_null(names);
                names[n] = strdup(de->d_name);
                assert_non_null(names[n]);
                n++;
        }
        closedir(d);
        if (n > 1)
                qsort(names, n, sizeof(*names), compare_names);
        long fed = 0;
        for (size_t i = 0; i < n; i++) {
                char *path;
                struct stat st;
                assert_true(asprintf(&path, "%s/%s", dir, names[i]) > 0);
                free(names[i]);
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                        free(path);
                        continue;
                }
                FILE *f = fopen(path, "rbe");
                assert_non_null(f);
                uint8_t *data = malloc((size_t)st.st_size + 1);
                assert_non_null(data);
                size_t size = fread(data, 1, (size_t)st.st_size, f);
                assert_int_equal(ferror(f), 0);
                fclose(f);
                if (trace)
                        fprintf(stderr, "replay %s (%zu bytes)\n", path, size);
                current = path;
                assert_int_equal(t->entry(data, size), 0);
                current = NULL;
                free(data);
                free(path);
                fed++;
        }
        free(names);
        return fed;
}

static void replay_target(void **state) {
        const struct target *t = *state;
        static const char *const kinds[] = { "corpus", "regress", "crashes" };
        long seeds = 0;
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                char dir[4096];
                snprintf(dir, sizeof(dir), "%s/%s/%s", FUZZ_DIR, kinds[k], t->name);
                long fed = replay_dir(t, dir);
                if (k == 0)
                        seeds = fed;
                if (fed > 0)
                        print_message("%s: %ld input(s) from %s/%s\n", t->name, fed, kinds[k], t->name);
        }
        if (seeds <= 0)
                fail_msg("%s: no seed corpus in %s/corpus/%s", t->name, FUZZ_DIR, t->name);
}

/* Every fuzz target has a seed corpus and is replayed here, and every corpus
 * has a target: a new fuzz/fuzz_NAME.c cannot be forgotten in TARGETS. */
static void every_corpus_has_a_target(void **state) {
        (void)state;
        DIR *d = opendir(FUZZ_DIR "/corpus");
        struct dirent *de;
        assert_non_null(d);
        while ((de = readdir(d))) {
                bool found = de->d_name[0] == '.';
                for (size_t i = 0; i < N_TARGETS && !found; i++)
                        found = strcmp(targets[i].name, de->d_name) == 0;
                if (!found)
                        fail_msg("fuzz/corpus/%s has no entry in TARGETS of fuzz/replay.c", de->d_name);
        }
        closedir(d);
        d = opendir(FUZZ_DIR);
        assert_non_null(d);
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (strncmp(de->d_name, "fuzz_", 5) != 0 || len < 8 || strcmp(de->d_name + len - 2, ".c") != 0)
                        continue;
                bool found = false;
                for (size_t i = 0; i < N_TARGETS && !found; i++)
                        found = strlen(targets[i].name) == len - 7 &&
                                strncmp(targets[i].name, de->d_name + 5, len - 7) == 0;
                if (!found)
                        fail_msg("fuzz/%s is not in TARGETS of fuzz/replay.c", de->d_name);
        }
        closedir(d);
}

int main(void) {
        struct CMUnitTest tests[N_TARGETS + 1];
        for (size_t i = 0; i < N_TARGETS; i++)
                tests[i] = (struct CMUnitTest){ targets[i].name, replay_target, NULL, NULL, (void *)&targets[i] };
        tests[N_TARGETS] = (struct CMUnitTest){ "every_corpus_has_a_target", every_corpus_has_a_target, NULL, NULL, NULL };
        return cmocka_run_group_tests_name("fuzz_replay", tests, NULL, NULL);
}
