/* SPDX-License-Identifier: MIT */
/*
 * erlinit's options as vigil's (docs/ERLINIT.md): a drop-in for a Nerves
 * rootfs, whose /etc/erlinit.config and kernel command line speak
 * nerves-project/erlinit's option language.
 *
 * Text in, vigil option words out: each erlinit option becomes zero or more
 * self-contained words ("--env=A=1", "--on-exit=hang") that the ordinary
 * option parser (cmd/options) then reads, so the checks, last-wins of single
 * options and accumulation of lists are vigil's own and cannot drift. What
 * only the release discovery needs (-r, -b, -s, --release-include-erts) is
 * kept aside in struct erlinit_release_opts for system/release_plan.
 *
 * erlinit merges the file and its command line in one getopt pass; so does
 * this translator: the file's tokens and the command line's go through the
 * same table (in erlinit mode `-h` is --hang-on-exit in both), and every
 * word is handed to the parser as one source, so -e/-m accumulate across
 * them and the command line's single options win. A long option erlinit
 * does not know but vigil does (--units DIR, --help) passes through; one
 * neither knows, and one vigil cannot honour, is a warning naming it, and
 * the boot goes on. A "--" ends the options: the rest is the main command
 * (a vigil extension; it replaces the release discovery).
 *
 * Pure (no syscalls); it uses cmd/options only for options_lookup().
 */
#ifndef VIGIL_CMD_ERLINIT_OPTS_H
#define VIGIL_CMD_ERLINIT_OPTS_H

#include "base/strv.h"

#include <stdbool.h>
#include <stddef.h>

#define ERLINIT_CONFIG_FILE "/etc/erlinit.config"

/* Inputs of the release discovery (erlinit's -r, -b, -s). */
struct erlinit_release_opts {
        struct strv release_paths;    /* -r a:b: the last -r wins; empty = /srv/erlang */
        char *boot;                   /* -b NAME[.boot], NULL = auto */
        char *alternate_exec;         /* -s "PROG ARGS", NULL = none */
        bool release_include_erts;
};

struct erlinit_translation {
        struct strv words;            /* vigil option words, one option each */
        unsigned *lines;              /* lines[i]: the file line of words[i], 0 = command line */
        struct erlinit_release_opts release;
        bool has_command;             /* a "--" was seen */
        struct strv command;          /* what followed it */
};

/* A warning: line is the file's line (1-based), 0 for the command line. */
typedef void (*erlinit_warn_fn)(void *ctx, unsigned line, const char *message);

/* Split an erlinit.config text into tokens as erlinit does: whitespace
 * separates, '#' at the start of a token comments out the rest of the line,
 * "…" groups (no escapes). ret_lines (malloc'd, parallel) gets each token's
 * line. 0 or -ENOMEM. */
int erlinit_tokenize(const char *text, struct strv *ret, unsigned **ret_lines);

/* Translate tokens (lines: parallel, or NULL for the command line) into t,
 * appending. 0 or -ENOMEM; everything else is a warning. */
int erlinit_translate(struct erlinit_translation *t, char *const *tokens, const unsigned *lines, size_t n,
                      erlinit_warn_fn warn, void *ctx);

/* Tokenize, then translate, an erlinit.config text. */
int erlinit_translate_file(struct erlinit_translation *t, const char *text, erlinit_warn_fn warn, void *ctx);

/* Whether an options file is in erlinit's language: its name is
 * erlinit.config (any directory). */
bool erlinit_is_config_path(const char *path);

void erlinit_translation_free(struct erlinit_translation *t);
void erlinit_release_opts_free(struct erlinit_release_opts *r);

#endif
