/* SPDX-License-Identifier: MIT */
#include "unit/unit_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* systemd's WHITESPACE and COMMENTS (src/basic/string-util.h). */
#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"

void unit_diags_add(struct unit_diags *d, enum unit_diag_severity severity, const char *file, unsigned line,
                    const char *format, ...) {
        struct unit_diag *v;
        char *message = NULL, *name;
        va_list ap;
        int r;

        if (severity == UNIT_DIAG_ERROR)
                d->n_errors++;
        else
                d->n_warnings++;
        if (d->n >= UNIT_DIAGS_MAX) {
                d->n_dropped++;
                return;
        }
        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        name = strdup(file ? file : "");
        v = r < 0 || !name ? NULL : realloc(d->v, (d->n + 1) * sizeof(*v));
        if (!v) {
                if (r >= 0)
                        free(message);
                free(name);
                d->n_dropped++;
                d->oom = true;
                return;
        }
        d->v = v;
        v[d->n].severity = severity;
        v[d->n].file = name;
        v[d->n].line = line;
        v[d->n].message = message;
        d->n++;
}

void unit_diags_free(struct unit_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->v[i].file);
                free(d->v[i].message);
        }
        free(d->v);
        memset(d, 0, sizeof(*d));
}

const char *unit_diag_format(const struct unit_diag *d, char *buf, size_t size) {
        const char *what = d->severity == UNIT_DIAG_ERROR ? "error" : "warning";
        if (d->line > 0)
                snprintf(buf, size, "%s:%u: %s: %s", d->file, d->line, what, d->message);
        else
                snprintf(buf, size, "%s: %s: %s", d->file, what, d->message);
        return buf;
}

struct lexer {
        struct unit_file *f;
        struct unit_diags *diags;
        size_t cap_sections, cap_assignments;
        char *joined;            /* the logical line being built, NUL-terminated */
        size_t len, cap;
        unsigned start_line;     /* where the logical line started */
        bool continuing;         /* the last physical line ended in a backslash */
        bool skipping;           /* dropping the rest of an overlong continued line */
        bool in_bad_section;     /* after an invalid header: drop assignments silently */
};

static void lex_error(struct lexer *lx, unsigned line, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
static void lex_error(struct lexer *lx, unsigned line, const char *format, ...) {
        char message[256];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        unit_diags_add(lx->diags, UNIT_DIAG_ERROR, lx->f->path, line, "%s", message);
}

const char *unit_diag_excerpt(const char *s, char *buf, size_t size) {
        size_t n = 0;
        for (; n < 60 && n + 4 < size && s[n] != '\0'; n++)
                buf[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
        if (s[n] != '\0' && n + 4 <= size) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = '\0';
        return buf;
}

static char *strip(char *s) {
        size_t n;
        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* systemd's string_is_safe(): no control characters, quotes or backslashes. */
static bool section_name_is_safe(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < ' ' || *s == 0x7f || strchr("\"'\\", *s))
                        return false;
        return true;
}

static int add_section(struct lexer *lx, const char *name, unsigned line) {
        struct unit_file *f = lx->f;
        if (f->n_sections == lx->cap_sections) {
                size_t cap = lx->cap_sections ? 2 * lx->cap_sections : 4;
                struct unit_section *v = realloc(f->sections, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                f->sections = v;
                lx->cap_sections = cap;
        }
        char *copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        f->sections[f->n_sections].name = copy;
        f->sections[f->n_sections].line = line;
        f->n_sections++;
        return 0;
}

static int add_assignment(struct lexer *lx, const char *key, const char *value, unsigned line) {
        struct unit_file *f = lx->f;
        if (f->n_assignments == lx->cap_assignments) {
                size_t cap = lx->cap_assignments ? 2 * lx->cap_assignments : 16;
                struct unit_assignment *v = realloc(f->assignments, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                f->assignments = v;
                lx->cap_assignments = cap;
        }
        char *k = strdup(key), *v = strdup(value);
        if (!k || !v) {
                free(k);
                free(v);
                return -ENOMEM;
        }
        struct unit_assignment *a = &f->assignments[f->n_assignments++];
        a->section = f->n_sections - 1;
        a->key = k;
        a->value = v;
        a->file = f->path;
        a->line = line;
        return 0;
}

static int parse_header(struct lexer *lx, char *l, unsigned line) {
        size_t n = strlen(l);
        char buf[80];

        if (n < 2 || l[n - 1] != ']') {
                lex_error(lx, line, "invalid section header '%s': missing ']'",
                          unit_diag_excerpt(l, buf, sizeof(buf)));
                lx->in_bad_section = true;
                return 0;
        }
        l[n - 1] = '\0';
        if (!section_name_is_safe(l + 1)) {
                lex_error(lx, line, "bad characters in section header '[%s]'",
                          unit_diag_excerpt(l + 1, buf, sizeof(buf)));
                lx->in_bad_section = true;
                return 0;
        }
        lx->in_bad_section = false;
        return add_section(lx, l + 1, line);
}

/* One logical line (continuations joined), as systemd's parse_line(). */
static int parse_logical_line(struct lexer *lx, char *l, unsigned line) {
        char buf[80], *eq;

        l = strip(l);
        if (*l == '\0' || strchr(COMMENTS, *l))
                return 0;
        if (*l == '[')
                return parse_header(lx, l, line);
        if (lx->in_bad_section)
                return 0;
        eq = strchr(l, '=');
        if (!eq) {
                if (strncmp(l, ".include", 8) == 0)
                        lex_error(lx, line, ".include is not supported (systemd removed it); use a drop-in "
                                            "NAME.service.d/*.conf");
                else
                        lex_error(lx, line, "missing '=' in '%s'", unit_diag_excerpt(l, buf, sizeof(buf)));
                return 0;
        }
        if (lx->f->n_sections == 0) {
                unit_diags_add(lx->diags, UNIT_DIAG_WARNING, lx->f->path, line,
                               "assignment outside of any section, ignoring");
                return 0;
        }
        *eq = '\0';
        return add_assignment(lx, strip(l), strip(eq + 1), line);
}

static int append_joined(struct lexer *lx, const char *s, size_t len) {
        if (lx->len + len + 1 > lx->cap) {
                size_t cap = lx->cap ? lx->cap : 256;
                while (cap < lx->len + len + 1)
                        cap *= 2;
                char *p = realloc(lx->joined, cap);
                if (!p)
                        return -ENOMEM;
                lx->joined = p;
                lx->cap = cap;
        }
        memcpy(lx->joined + lx->len, s, len);
        lx->len += len;
        lx->joined[lx->len] = '\0';
        return 0;
}

/* One physical line s[0..len), without its "\n". */
static int lex_line(struct lexer *lx, const char *s, size_t len, unsigned line) {
        bool escaped = false;
        size_t lead;
        int r;

        if (len > 0 && s[len - 1] == '\r')
                len--;
        if (len > UNIT_FILE_LINE_MAX) {
                lex_error(lx, line, "line is longer than %u bytes, ignoring it", UNIT_FILE_LINE_MAX);
                return 0;
        }
        if (memchr(s, '\0', len)) {
                lex_error(lx, line, "line contains a NUL byte, ignoring it");
                return 0;
        }
        for (lead = 0; lead < len && strchr(" \t", s[lead]); lead++)
                ;
        if (lead < len && strchr(COMMENTS, s[lead]))
                return 0;   /* comment; inside a continuation too (systemd.syntax(7)) */
        if (lx->skipping) {
                for (size_t i = 0; i < len; i++)
                        escaped = escaped ? false : s[i] == '\\';
                lx->skipping = escaped;
                return 0;
        }

        if (!lx->continuing) {
                lx->len = 0;
                lx->start_line = line;
        }
        if (lx->len + len > UNIT_FILE_LINE_MAX) {
                lex_error(lx, lx->start_line, "continued line is longer than %u bytes, ignoring it",
                          UNIT_FILE_LINE_MAX);
                lx->continuing = false;
                lx->skipping = true;
                return lex_line(lx, s, len, line);   /* this line may end the continuation */
        }
        size_t old = lx->len;
        r = append_joined(lx, s, len);
        if (r < 0)
                return r;
        /* The earlier part ended in a backslash turned into a space, so the
         * escape state starts fresh at the new part. */
        for (size_t i = old; i < lx->len; i++)
                escaped = escaped ? false : lx->joined[i] == '\\';
        if (escaped) {
                lx->joined[lx->len - 1] = ' ';
                lx->continuing = true;
                return 0;
        }
        lx->continuing = false;
        return parse_logical_line(lx, lx->joined, lx->start_line);
}

int unit_file_parse(const char *path, const char *text, size_t size, struct unit_file *ret,
                    struct unit_diags *diags) {
        struct lexer lx = { .f = ret, .diags = diags };
        size_t errors_before = diags->n_errors;
        const char *p = text, *end;
        unsigned line = 0;
        int r = 0;

        memset(ret, 0, sizeof(*ret));
        ret->path = strdup(path);
        if (!ret->path)
                return -ENOMEM;
        if (size > UNIT_FILE_SIZE_MAX) {
                unit_diags_add(diags, UNIT_DIAG_ERROR, path, 0, "file is larger than %u bytes, refusing it",
                               UNIT_FILE_SIZE_MAX);
                return -EFBIG;   /* text may be NULL then (unit_source.h) */
        }
        end = text + size;
        if (size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3;   /* UTF-8 byte order mark */
        while (p < end && r == 0) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                if (line == UINT32_MAX)
                        break;   /* cannot happen within UNIT_FILE_SIZE_MAX */
                r = lex_line(&lx, p, (size_t)(eol - p), ++line);
                p = nl ? nl + 1 : end;
        }
        if (r == 0 && lx.continuing)
                r = parse_logical_line(&lx, lx.joined, lx.start_line);   /* continuation at EOF */
        free(lx.joined);
        if (r < 0)
                return r;
        return diags->n_errors > errors_before ? -EINVAL : 0;
}

void unit_file_free(struct unit_file *f) {
        for (size_t i = 0; i < f->n_sections; i++)
                free(f->sections[i].name);
        for (size_t i = 0; i < f->n_assignments; i++) {
                free(f->assignments[i].key);
                free(f->assignments[i].value);
        }
        free(f->sections);
        free(f->assignments);
        free(f->path);
        memset(f, 0, sizeof(*f));
}
