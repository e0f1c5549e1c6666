/* SPDX-License-Identifier: MIT */
/*
 * The systemd unit-file syntax (systemd.syntax(7)), as a lexer: text in,
 * sections and Key=Value assignments out, each with its file and line, and
 * diagnostics for what is wrong. It knows nothing of the keys' meanings
 * (unit_load.c does). Pure: no syscalls, never logs.
 *
 * Rules, as systemd's config_parse() (src/shared/conf-parser.c):
 *  - lines end at "\n" ("\r\n" too); a UTF-8 byte order mark is skipped;
 *  - a line whose first non-blank is '#' or ';' is a comment, also in the
 *    middle of a continuation (the comment line is skipped, the
 *    continuation goes on);
 *  - a line ending in an unescaped backslash continues on the next line;
 *    the backslash becomes a space and the lines are joined (a backslash at
 *    the end of the file is just that space);
 *  - leading and trailing whitespace of keys and values is trimmed;
 *  - "[Name]" starts a section; a line starting '[' without the closing ']'
 *    is an error; an assignment before any section is a warning, ignored;
 *  - a line with no '=' is an error (current systemd refuses the file).
 *
 * Where vigil differs, on purpose: an assignment's line is the line it
 * *starts* on (systemd reports the last line of a continuation); a NUL byte
 * is an error on its line (systemd's line reader treats it as a line end);
 * lines over UNIT_FILE_LINE_MAX and files over UNIT_FILE_SIZE_MAX are errors
 * (bounded input; systemd's limit is 1 MiB per line).
 *
 * Diagnostics are shared by every parser of src/unit/: a list of
 * {severity, file, line, message} that the caller prints. Adding one never
 * fails from the caller's view: on ENOMEM it is counted, not stored, and
 * `oom` is set so the caller can report it once.
 */
#ifndef VIGIL_UNIT_UNIT_FILE_H
#define VIGIL_UNIT_UNIT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define UNIT_FILE_LINE_MAX (64u * 1024u)     /* one line, and one joined (continued) line */
#define UNIT_FILE_SIZE_MAX (1024u * 1024u)   /* one file */

enum unit_diag_severity { UNIT_DIAG_WARNING, UNIT_DIAG_ERROR };

struct unit_diag {
        enum unit_diag_severity severity;
        char *file;
        unsigned line;       /* 1-based; 0 = about the file (or unit) as a whole */
        char *message;       /* no file:line prefix, no trailing newline */
};

#define UNIT_DIAGS_MAX 256   /* stored per list; more are counted in n_dropped */

struct unit_diags {
        struct unit_diag *v;
        size_t n;
        size_t n_errors, n_warnings;  /* every one added, stored or not */
        size_t n_dropped;             /* not stored: over UNIT_DIAGS_MAX, or out of memory */
        bool oom;
};

void unit_diags_add(struct unit_diags *d, enum unit_diag_severity severity, const char *file, unsigned line,
                    const char *format, ...) __attribute__((format(printf, 5, 6)));
void unit_diags_free(struct unit_diags *d);
/* "web.service:12: error: message" (or "web.service: warning: ..." for line 0) into buf. */
const char *unit_diag_format(const struct unit_diag *d, char *buf, size_t size);
/* At most 60 bytes of s, for quoting a value in a message ("..." when cut;
 * control characters shown as '?'); returns buf. */
const char *unit_diag_excerpt(const char *s, char *buf, size_t size);

struct unit_section {
        char *name;          /* "Service", without brackets */
        unsigned line;
};

struct unit_assignment {
        size_t section;      /* index into unit_file.sections */
        char *key, *value;   /* trimmed; value may be "" (an empty assignment) */
        const char *file;    /* = unit_file.path */
        unsigned line;       /* where the assignment starts */
};

/* Every "[Section]" line makes a new entry in sections (a name may repeat);
 * assignments are in file order, so those of one section entry are
 * contiguous. */
struct unit_file {
        char *path;
        struct unit_section *sections;
        size_t n_sections;
        struct unit_assignment *assignments;
        size_t n_assignments;
};

/* Lex text[0..size) (NUL bytes allowed in the input, reported as errors).
 * Returns 0, -EINVAL if it added an error diagnostic (ret then holds what
 * could be read), -EFBIG for a file over UNIT_FILE_SIZE_MAX (ret empty,
 * error added), -ENOMEM. ret must be freed with unit_file_free() in every
 * case. */
int unit_file_parse(const char *path, const char *text, size_t size, struct unit_file *ret,
                    struct unit_diags *diags);
void unit_file_free(struct unit_file *f);

#endif
