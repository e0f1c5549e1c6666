/* SPDX-License-Identifier: MIT */
#include "unit/env_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WHITESPACE " \t\n\r"
#define NEWLINE "\n\r"
#define COMMENTS "#;"
#define SHELL_NEED_ESCAPE "\"\\`$"
#define NO_POS ((size_t)-1)

bool env_name_is_valid(const char *name, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = name[i];
                bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (i > 0 && c >= '0' && c <= '9');
                if (!ok)
                        return false;
        }
        return true;
}

bool env_assignment_is_valid(const char *assignment) {
        const char *eq = strchr(assignment, '=');
        return eq && env_name_is_valid(assignment, (size_t)(eq - assignment));
}

int env_list_set(char ***env, size_t *n, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t name_len;
        char *copy;

        if (!eq)
                return -EINVAL;
        name_len = (size_t)(eq - assignment) + 1;   /* with the '=' */
        copy = strdup(assignment);
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if (strncmp((*env)[i], assignment, name_len) == 0) {
                        free((*env)[i]);
                        (*env)[i] = copy;
                        return 0;
                }
        char **v = realloc(*env, (*n + 2) * sizeof(char *));
        if (!v) {
                free(copy);
                return -ENOMEM;
        }
        v[(*n)++] = copy;
        v[*n] = NULL;
        *env = v;
        return 0;
}

void env_list_free(char ***env, size_t *n) {
        for (size_t i = 0; i < *n; i++)
                free((*env)[i]);
        free(*env);
        *env = NULL;
        *n = 0;
}

/* A growing byte buffer, kept NUL-terminated. */
struct buf {
        char *s;
        size_t n, cap;
};

static int buf_putc(struct buf *b, char c) {
        if (b->n + 2 > b->cap) {
                size_t cap = b->cap ? 2 * b->cap : 64;
                char *s = realloc(b->s, cap);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->cap = cap;
        }
        b->s[b->n++] = c;
        b->s[b->n] = '\0';
        return 0;
}

enum env_state {
        PRE_KEY,
        KEY,
        PRE_VALUE,
        VALUE,
        VALUE_ESCAPE,
        SINGLE_QUOTE_VALUE,
        DOUBLE_QUOTE_VALUE,
        DOUBLE_QUOTE_VALUE_ESCAPE,
        COMMENT,
        COMMENT_ESCAPE,
};

struct env_parser {
        const char *path;
        char ***env;
        size_t *n;
        struct unit_diags *diags;
        struct buf key, value;
        size_t last_key_space, last_value_space;   /* where trailing whitespace starts, or NO_POS */
        unsigned key_line;
};

/* One KEY=VALUE found: check the name and set it. */
static int push(struct env_parser *ps) {
        char *key = ps->key.s ? ps->key.s : (char *)"";
        const char *value = ps->value.s ? ps->value.s : "";
        struct buf assignment = { 0 };
        char excerpt[80];
        int r = 0;

        if (ps->last_key_space != NO_POS && ps->key.s)
                key[ps->last_key_space] = '\0';
        if (strncmp(key, "export ", 7) == 0 || strncmp(key, "export\t", 7) == 0)
                key += 6 + strspn(key + 6, " \t");   /* shell syntax, see env_file.h */
        if (!env_name_is_valid(key, strlen(key))) {
                unit_diags_add(ps->diags, UNIT_DIAG_WARNING, ps->path, ps->key_line,
                               "invalid variable name '%s', ignoring",
                               unit_diag_excerpt(key, excerpt, sizeof(excerpt)));
                goto done;
        }
        for (const char *p = key; *p && r == 0; p++)
                r = buf_putc(&assignment, *p);
        if (r == 0)
                r = buf_putc(&assignment, '=');
        for (const char *p = value; *p && r == 0; p++)
                r = buf_putc(&assignment, *p);
        if (r == 0)
                r = env_list_set(ps->env, ps->n, assignment.s);
        free(assignment.s);
done:
        ps->key.n = ps->value.n = 0;
        if (ps->key.s)
                ps->key.s[0] = '\0';
        if (ps->value.s)
                ps->value.s[0] = '\0';
        return r;
}

static void drop_key(struct env_parser *ps) {
        char excerpt[80];
        if (ps->last_key_space != NO_POS)
                ps->key.s[ps->last_key_space] = '\0';
        unit_diags_add(ps->diags, UNIT_DIAG_WARNING, ps->path, ps->key_line, "no '=' in '%s', ignoring the line",
                       unit_diag_excerpt(ps->key.s, excerpt, sizeof(excerpt)));
        ps->key.n = 0;
}

/* Track where trailing whitespace starts while appending c. */
static int put_tracked(struct buf *b, size_t *last_space, char c) {
        if (!strchr(WHITESPACE, c))
                *last_space = NO_POS;
        else if (*last_space == NO_POS)
                *last_space = b->n;
        return buf_putc(b, c);
}

/* One character of the state machine (systemd's parse_env_file_internal()). */
static int step(struct env_parser *ps, enum env_state *state, char c, unsigned line) {
        bool newline = strchr(NEWLINE, c) != NULL;

        switch (*state) {
        case PRE_KEY:
                if (strchr(COMMENTS, c))
                        *state = COMMENT;
                else if (!strchr(WHITESPACE, c)) {
                        *state = KEY;
                        ps->key_line = line;
                        ps->last_key_space = NO_POS;
                        return buf_putc(&ps->key, c);
                }
                return 0;
        case KEY:
                if (newline) {
                        drop_key(ps);
                        *state = PRE_KEY;
                } else if (c == '=') {
                        *state = PRE_VALUE;
                        ps->last_value_space = NO_POS;
                } else
                        return put_tracked(&ps->key, &ps->last_key_space, c);
                return 0;
        case PRE_VALUE:
                if (newline) {
                        *state = PRE_KEY;
                        return push(ps);
                }
                if (c == '\'')
                        *state = SINGLE_QUOTE_VALUE;
                else if (c == '"')
                        *state = DOUBLE_QUOTE_VALUE;
                else if (c == '\\')
                        *state = VALUE_ESCAPE;
                else if (!strchr(WHITESPACE, c)) {
                        *state = VALUE;
                        return buf_putc(&ps->value, c);
                }
                return 0;
        case VALUE:
                if (newline) {
                        if (ps->last_value_space != NO_POS)
                                ps->value.s[ps->last_value_space] = '\0';
                        *state = PRE_KEY;
                        return push(ps);
                }
                if (c == '\\') {
                        *state = VALUE_ESCAPE;
                        ps->last_value_space = NO_POS;
                        return 0;
                }
                return put_tracked(&ps->value, &ps->last_value_space, c);
        case VALUE_ESCAPE:
                *state = VALUE;
                return newline ? 0 : buf_putc(&ps->value, c);   /* backslash-newline joins lines */
        case SINGLE_QUOTE_VALUE:
                if (c == '\'')
                        *state = PRE_VALUE;
                else
                        return buf_putc(&ps->value, c);
                return 0;
        case DOUBLE_QUOTE_VALUE:
                if (c == '"')
                        *state = PRE_VALUE;
                else if (c == '\\')
                        *state = DOUBLE_QUOTE_VALUE_ESCAPE;
                else
                        return buf_putc(&ps->value, c);
                return 0;
        case DOUBLE_QUOTE_VALUE_ESCAPE:
                *state = DOUBLE_QUOTE_VALUE;
                if (strchr(SHELL_NEED_ESCAPE, c))
                        return buf_putc(&ps->value, c);
                if (c == '\n')
                        return 0;
                return buf_putc(&ps->value, '\\') < 0 ? -ENOMEM : buf_putc(&ps->value, c);
        case COMMENT:
                if (c == '\\')
                        *state = COMMENT_ESCAPE;
                else if (newline)
                        *state = PRE_KEY;
                return 0;
        case COMMENT_ESCAPE:
                /* systemd >= 254: a backslash does not continue a comment. */
                *state = newline ? PRE_KEY : COMMENT;
                return 0;
        }
        return 0;
}

static int finish(struct env_parser *ps, enum env_state state) {
        switch (state) {
        case KEY:
                drop_key(ps);
                return 0;
        case SINGLE_QUOTE_VALUE:
        case DOUBLE_QUOTE_VALUE:
        case DOUBLE_QUOTE_VALUE_ESCAPE:
                unit_diags_add(ps->diags, UNIT_DIAG_WARNING, ps->path, ps->key_line,
                               "unterminated quote at the end of the file, value kept as read");
                return push(ps);
        case VALUE:
                if (ps->last_value_space != NO_POS)
                        ps->value.s[ps->last_value_space] = '\0';
                return push(ps);
        case PRE_VALUE:
        case VALUE_ESCAPE:
                return push(ps);
        default:
                return 0;
        }
}

int env_file_parse(const char *path, const char *text, size_t size, char ***env, size_t *n,
                   struct unit_diags *diags) {
        struct env_parser ps = { .path = path, .env = env, .n = n, .diags = diags };
        enum env_state state = PRE_KEY;
        unsigned line = 1;
        int r = 0;

        if (size > UNIT_FILE_SIZE_MAX) {
                unit_diags_add(diags, UNIT_DIAG_ERROR, path, 0, "file is larger than %u bytes, refusing it",
                               UNIT_FILE_SIZE_MAX);
                return -EFBIG;
        }
        for (size_t i = 0; i < size && r == 0; i++) {
                if (text[i] == '\0') {
                        unit_diags_add(diags, UNIT_DIAG_WARNING, path, line,
                                       "NUL byte, ignoring the rest of the file");
                        break;
                }
                r = step(&ps, &state, text[i], line);
                if (text[i] == '\n')
                        line++;
        }
        if (r == 0)
                r = finish(&ps, state);
        free(ps.key.s);
        free(ps.value.s);
        return r;
}
