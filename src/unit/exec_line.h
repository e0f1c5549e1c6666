/* SPDX-License-Identifier: MIT */
/*
 * ExecStart=-style command lines (systemd.service(5), "Command lines"), in
 * two steps, as systemd does them:
 *
 *  1. at load, exec_line_split(): the prefixes "-", "@", ":", "+", "!",
 *     "!!" in any combination (each at most once; "+", "!" and "!!"
 *     exclude each other); words split on whitespace; '…' and "…" quote
 *     (anywhere in a word; backslash escapes work inside both, as in
 *     systemd); C escapes \a \b \f \n \r \t \v \\ \" \' \s \xHH \OOO \uXXXX
 *     \UXXXXXXXX; specifiers (%n, %N, %p, %i, %%, the fixed directories %t
 *     %S %C %L %E %T %V — see unit_specifier_expand()). Errors carry a
 *     message; the caller adds file:line.
 *  2. at spawn, exec_line_expand(): $VAR, ${VAR} and $$ against the final
 *     environment, unless the ":" prefix was given.
 *
 * Decisions, with their source:
 *  - An unknown escape ("\." in a regex) is kept verbatim with a warning, as
 *    systemd's extract_first_word_and_warn() does; an unbalanced quote is an
 *    error.
 *  - A lone ";" word separated several commands in old systemd; systemd
 *    v257 dropped it from the documentation as deprecated (PR #34610). vigil
 *    refuses it with an error: write one ExecStart= per command. "\;" is a
 *    literal ";" word, as in systemd.
 *  - The executable must be an absolute path or a bare file name (looked up
 *    in PATH at spawn), as systemd's "Neither a valid executable name nor an
 *    absolute path". It is never $-expanded (systemd.service(5): "the first
 *    argument ... may not be a variable"); argv is.
 *  - "$NAME" as a whole word is replaced by the value split on whitespace
 *    (quotes in the value group words), zero words if unset; a whole word
 *    "$..." whose name is not a valid variable name disappears too (systemd's
 *    replace_env_argv()). "${NAME}" anywhere in a word is replaced by the
 *    value as is (empty if unset); "$$" is "$"; "$NAME" inside a longer word
 *    is left as written; "${" without "}" is left as written.
 *
 * Pure: no syscalls, no logging.
 */
#ifndef VIGIL_UNIT_EXEC_LINE_H
#define VIGIL_UNIT_EXEC_LINE_H

#include <stdbool.h>
#include <stddef.h>

/* ExecStart=-style command flags (systemd.service(5), "Command lines"). */
#define EXEC_FLAG_IGNORE_FAILURE  (1u << 0)   /* "-" */
#define EXEC_FLAG_ARGV0           (1u << 1)   /* "@": argv[1] of the line is argv[0] of the process */
#define EXEC_FLAG_FULL_PRIVILEGES (1u << 2)   /* "+" (accepted; vigil has no sandboxing to lift) */
#define EXEC_FLAG_NO_ENV_EXPAND   (1u << 3)   /* ":" */
#define EXEC_FLAG_AMBIENT         (1u << 4)   /* "!" / "!!" (accepted, no effect) */

struct exec_command {
        char *path;          /* what to execute (after prefixes; "@" handled) */
        char **argv;         /* NULL-terminated, words split, $VAR not yet expanded */
        unsigned flags;      /* EXEC_FLAG_* */
        unsigned line;       /* file:line of the assignment, for messages */
        const char *file;    /* points into unit_config.sources */
};

struct exec_list {
        struct exec_command *v;
        size_t n;
};


/* Messages from the parsers of this file. error is set when a call fails
 * with -EINVAL; warning may be set on success (something systemd accepts
 * with a warning). Both are "" when there is nothing to say. */
struct exec_diag {
        char error[256];
        char warning[256];
};

/* Split one ExecStart=-style value into ret (path, argv, flags; line and
 * file are left to the caller). unit_name resolves %n and friends; NULL
 * makes them errors. 0, -EINVAL (diag->error set), -ENOMEM. On failure ret
 * holds nothing to free. */
int exec_line_split(const char *value, const char *unit_name, struct exec_command *ret, struct exec_diag *diag);

/* Free what exec_line_split() allocated in c (not c itself, not c->file). */
void exec_command_done(struct exec_command *c);

/* The argv to execute: c->argv with $VAR, ${VAR} and $$ expanded against
 * envp ("KEY=VALUE", NULL-terminated; for a key given twice the later
 * wins), or copied as is with EXEC_FLAG_NO_ENV_EXPAND. The result is
 * NULL-terminated, may be empty (argv of "$UNSET" alone), and is freed with
 * exec_argv_free(). 0 or -ENOMEM. */
int exec_line_expand(const struct exec_command *c, char *const *envp, char ***ret_argv);
void exec_argv_free(char **argv);

/* The next word of *p as systemd's extract_first_word(EXTRACT_UNQUOTE |
 * EXTRACT_CUNESCAPE): 1 and *ret set, 0 at the end (*ret NULL), -EINVAL
 * (unbalanced quote; diag->error), -ENOMEM. Unknown escapes are kept
 * verbatim and set diag->warning. Shared with Environment=. */
int exec_word_next(const char **p, char **ret, struct exec_diag *diag);

/* Resolve unit specifiers in text (systemd.unit(5), "Specifiers"):
 * %n full unit name, %N name without the type suffix, %p prefix (before
 * "@", or %N), %i instance (after "@", or empty), %% a literal '%', and the
 * system manager's fixed directories %t /run, %S /var/lib, %C /var/cache,
 * %L /var/log, %E /etc, %T /tmp, %V /var/tmp; %P and %I the prefix and
 * instance unescaped (systemd-escape: "-" is "/", "\xNN" a byte), %f "/" +
 * the unescaped instance (or prefix), %H the host name
 * (unit_specifier_set_hostname(), "localhost" until told), %u %U %h the
 * system manager's user: root, 0, /root (systemd resolves User= there;
 * vigil does not). Any other specifier is an error naming it; a '%' at the
 * very end stays as is, as in systemd. 0, -EINVAL (diag->error), -ENOMEM. */
int unit_specifier_expand(const char *text, const char *unit_name, char **ret, struct exec_diag *diag);
/* The host name %H gives (at most 64 bytes kept); NULL or "" keeps the last. */
void unit_specifier_set_hostname(const char *name);

#endif
