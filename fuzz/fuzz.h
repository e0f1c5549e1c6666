/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets (fuzz/fuzz_NAME.c): the libFuzzer entry point's
 * prototype, an invariant check that crashes loudly, and small helpers to cut
 * one input into the pieces a parser takes. Each target is built twice: by
 * clang with -fsanitize=fuzzer (make fuzz), and by the normal compiler with
 * LLVMFuzzerTestOneInput renamed, into the replay runner of `make unit`
 * (fuzz/replay.c), so kept inputs stay tested without clang.
 */
#ifndef VIGIL_FUZZ_FUZZ_H
#define VIGIL_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant: when it does not hold, say which and abort (a crash for
 * libFuzzer); in the replay runner, a failed test naming the input. */
#ifdef FUZZ_REPLAY
void fuzz_replay_failed(const char *file, int line, const char *what) __attribute__((noreturn));
#define FUZZ_FAILED(what) fuzz_replay_failed(__FILE__, __LINE__, what)
#else
#define FUZZ_FAILED(what)                                                                              \
        do {                                                                                           \
                fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, what);            \
                abort();                                                                               \
        } while (0)
#endif
#define FUZZ_CHECK(cond)                      \
        do {                                  \
                if (!(cond))                  \
                        FUZZ_FAILED(#cond);   \
        } while (0)

/* Out of memory in a harness is not a finding of the parser: stop. */
static inline void *fuzz_alloc(size_t size) {
        void *p = malloc(size ? size : 1);
        if (!p)
                abort();
        return p;
}

/* data[0..size) as a NUL-terminated string (cut at a NUL byte if any). */
static inline char *fuzz_strndup(const void *data, size_t size) {
        char *s = fuzz_alloc(size + 1);
        if (size)
                memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* data[0..size) in a buffer of exactly size bytes, no terminator: an
 * overread by a parser that was told the length is caught by ASan. */
static inline char *fuzz_memdup(const void *data, size_t size) {
        char *s = calloc(size ? size : 1, 1);
        if (!s)
                abort();
        if (size)
                memcpy(s, data, size);
        return s;
}

/* Cuts an input into pieces at each occurrence of a separator. */
struct fuzz_cutter {
        const uint8_t *p, *end;
        const char *sep;
        size_t sep_len;
        bool done;
};

static inline struct fuzz_cutter fuzz_cutter(const uint8_t *data, size_t size, const char *sep, size_t sep_len) {
        return (struct fuzz_cutter){ .p = data, .end = data + size, .sep = sep, .sep_len = sep_len };
}

/* The next piece, [*ret, *ret + *ret_len); false when none is left. The
 * last piece runs to the end (it may be empty). */
static inline bool fuzz_next_piece(struct fuzz_cutter *c, const uint8_t **ret, size_t *ret_len) {
        if (c->done)
                return false;
        size_t left = (size_t)(c->end - c->p);
        const uint8_t *hit = left >= c->sep_len ? memmem(c->p, left, c->sep, c->sep_len) : NULL;
        *ret = c->p;
        if (hit) {
                *ret_len = (size_t)(hit - c->p);
                c->p = hit + c->sep_len;
        } else {
                *ret_len = left;
                c->p = c->end;
                c->done = true;
        }
        return true;
}

/* The common layout "HEAD\0WORD\0WORD...": *ret_head is HEAD, words[] the
 * rest (at most max, NULL-terminated); everything is a fresh copy. */
static inline char *fuzz_head_and_words(const uint8_t *data, size_t size, char **words, size_t max,
                                        size_t *ret_n) {
        struct fuzz_cutter cut = fuzz_cutter(data, size, "\0", 1);
        const uint8_t *piece;
        size_t len, n = 0;
        fuzz_next_piece(&cut, &piece, &len);
        char *head = fuzz_strndup(piece, len);
        while (n < max && fuzz_next_piece(&cut, &piece, &len))
                words[n++] = fuzz_strndup(piece, len);
        words[n] = NULL;
        *ret_n = n;
        return head;
}

#endif
