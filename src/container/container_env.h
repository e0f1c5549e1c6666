/* SPDX-License-Identifier: MIT */
/*
 * The container environment of my_init (phusion/baseimage-docker,
 * image/bin/my_init; SPEC §9): /etc/container_environment/ holds one file
 * per variable, the file name being the name and the content the value;
 * /etc/container_environment.sh and .json are dumps of the same variables.
 *
 * Pure: names and contents in, assignments and texts out. The caller reads
 * the directory (bounded), writes the files with their permissions, and logs
 * the diagnostics once, as warnings.
 *
 * Semantics, and where vigil decides what my_init leaves open:
 *  - Import strips ONE trailing '\n' from a file's content, as my_init does
 *    (re.sub('\n\Z', ''), phusion/baseimage-docker#49). The directory export
 *    therefore writes one '\n' more when a value itself ends with '\n', so
 *    export -> import is the identity (my_init loses one newline per cycle).
 *  - A name is accepted when it is a valid environment name (POSIX XBD 8.1:
 *    anything but '=') that is also a single file name: non-empty, at most
 *    NAME_MAX bytes, no '/', not "." or "..", and no control byte. my_init
 *    takes any file name; "WEIRD-NAME" stays accepted, as in my_init.
 *    A content with a NUL byte, or an assignment longer than Linux's
 *    MAX_ARG_STRLEN, which execve(2) would refuse with E2BIG, is rejected.
 *    Rejected files are skipped with a diagnostic naming the file.
 *  - HOME USER GROUP UID GID SHELL are never exported, to the directory, the
 *    .sh, or the .json (SPEC §9; my_init still writes them to the .json).
 *  - Entries without '=' or with an empty name are ignored; a repeated name
 *    keeps its first value, as getenv(3) does.
 *  - All three outputs are sorted by name (bytewise), so they are
 *    reproducible; my_init follows os.environ's order.
 *  - .sh: "export NAME='value'\n", always single-quoted, each ' written as
 *    '\'' — every byte a C string can hold round-trips through a POSIX
 *    shell. A name that is not a shell identifier is sanitised as my_init
 *    does ("\W" -> "_": "WEIRD-NAME" -> WEIRD_NAME), bytewise, so a
 *    non-ASCII letter becomes '_' too (dash accepts only [A-Za-z0-9_]);
 *    a leading digit gets a '_' put before it ("1X" -> _1X), where my_init
 *    would write a line on which dash aborts the whole file. If two
 *    variables end up with the same shell name, a name that was already
 *    valid wins, else the first by name; the other is left out of the .sh
 *    with a diagnostic (my_init would let the later line win).
 *  - .json: one object, names and values as strings; '"', '\\' and every
 *    control byte escaped (\b \f \n \r \t, else \u00XX); valid UTF-8
 *    (RFC 3629: no overlongs, no surrogates, <= U+10FFFF) passes through;
 *    each byte that is not part of valid UTF-8 is written as \u00XX, its
 *    Latin-1 code point. That keeps the file valid UTF-8 JSON at the price
 *    of ambiguity: an invalid byte 0xE9 and a real "é" read back the same
 *    (Python's json.dumps would fail on such bytes in os.environ).
 */
#ifndef VIGIL_CONTAINER_CONTAINER_ENV_H
#define VIGIL_CONTAINER_CONTAINER_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* Linux MAX_ARG_STRLEN (32 pages of 4 KiB, include/uapi/linux/binfmts.h):
 * the longest "NAME=value" execve(2) passes, its NUL included. */
#define CONTAINER_ENV_ASSIGNMENT_MAX 131072
/* A name is one file name in the directory. */
#define CONTAINER_ENV_NAME_MAX 255

/* One file of the directory: name and content[0..size). As input, borrowed;
 * as output of container_env_export_dir(), owned (free with
 * container_env_files_free()), content NUL-terminated as well. */
struct container_env_file {
        const char *name;
        const char *content;
        size_t size;
};

/* Diagnostics: whole messages, each naming the file or variable, ending
 * "…, ignoring" / "…, left out". */
struct container_env_diags {
        char **v;
        size_t n;
};

void container_env_diags_free(struct container_env_diags *diags);
void container_env_files_free(struct container_env_file **files, size_t *n);

/* HOME USER GROUP UID GID SHELL (my_init's export_envvars()). */
bool container_env_is_skipped(const char *name, size_t len);
/* A name the directory can hold (see above). */
bool container_env_name_is_valid(const char *name, size_t len);
/* The .sh name of an environment name: [A-Za-z_][A-Za-z0-9_]*. 0, -EINVAL
 * (empty name), -ENOMEM. */
int container_env_shell_name(const char *name, size_t len, char **ret_name);

/* The files of dir (used in diagnostics only) -> "NAME=value" assignments,
 * sorted by name, NULL-terminated, count in ret_n. Invalid files are skipped
 * with a diagnostic. 0 (diagnostics possible) or -ENOMEM (nothing returned). */
int container_env_import(const char *dir, const struct container_env_file *files, size_t n_files,
                         char ***ret_env, size_t *ret_n, struct container_env_diags *diags);
/* Free what container_env_import() returned. */
void container_env_list_free(char ***env, size_t *n);

/* env: NULL-terminated "KEY=VALUE" array (environ-like).
 * The files to write into the directory, sorted by name; a name the
 * directory cannot hold is left out with a diagnostic. 0 or -ENOMEM. */
int container_env_export_dir(char *const *env, struct container_env_file **ret_files, size_t *ret_n,
                             struct container_env_diags *diags);
/* The text of /etc/container_environment.sh (NUL-terminated). 0 or -ENOMEM. */
int container_env_export_sh(char *const *env, char **ret_text, struct container_env_diags *diags);
/* The text of /etc/container_environment.json (NUL-terminated). 0 or -ENOMEM. */
int container_env_export_json(char *const *env, char **ret_text);

#endif
