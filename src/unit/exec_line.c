/* SPDX-License-Identifier: MIT */
#include "unit/exec_line.h"

#include "base/strbuf.h"
#include "base/strv.h"

#include "unit/env_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHITESPACE " \t\n\r"
#define EXEC_PATH_MAX 4096    /* PATH_MAX: systemd's path_is_valid() */
#define EXEC_NAME_MAX 255     /* NAME_MAX: one path component */


static void set_message(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void set_message(char *buf, size_t size, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(buf, size, format, ap);
        va_end(ap);
}

#define diag_error(d, ...) set_message((d)->error, sizeof((d)->error), __VA_ARGS__)
#define diag_warning(d, ...) set_message((d)->warning, sizeof((d)->warning), __VA_ARGS__)

/* "x" for a printable character, "\x01" otherwise: for messages. */
static const char *char_name(char c, char buf[8]) {
        if ((unsigned char)c > ' ' && (unsigned char)c < 0x7f)
                snprintf(buf, 8, "%c", c);
        else
                snprintf(buf, 8, "\\x%02x", (unsigned char)c);
        return buf;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int unoct(char c) {
        return c >= '0' && c <= '7' ? c - '0' : -1;
}

/* systemd's unichar_is_valid(). */
static bool unichar_is_valid(uint32_t c) {
        return c > 0 && c < 0x110000 && (c & 0xfffff800) != 0xd800 && !(c >= 0xfdd0 && c <= 0xfdef) &&
               (c & 0xfffe) != 0xfffe;
}

static void put_utf8(struct strbuf *b, uint32_t c) {
        char out[4];
        size_t n;
        if (c < 0x80) {
                out[0] = (char)c;
                n = 1;
        } else if (c < 0x800) {
                out[0] = (char)(0xc0 | (c >> 6));
                out[1] = (char)(0x80 | (c & 0x3f));
                n = 2;
        } else if (c < 0x10000) {
                out[0] = (char)(0xe0 | (c >> 12));
                out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
                out[2] = (char)(0x80 | (c & 0x3f));
                n = 3;
        } else {
                out[0] = (char)(0xf0 | (c >> 18));
                out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
                out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
                out[3] = (char)(0x80 | (c & 0x3f));
                n = 4;
        }
        strbuf_put(b, out, n);
}

/* One C escape at p (just after the backslash), as systemd's
 * cunescape_one(): the characters used, or -EINVAL. NUL is never allowed.
 * \x and octal give a raw byte (*ret_byte); \u and \U a code point. */
static int cunescape_one(const char *p, uint32_t *ret, bool *ret_byte) {
        static const char simple_from[] = "abfnrtv\\\"'s";
        static const char simple_to[] = "\a\b\f\n\r\t\v\\\"' ";
        const char *hit;
        uint32_t c = 0;

        *ret_byte = false;
        if (*p != '\0' && (hit = strchr(simple_from, *p))) {
                *ret = (unsigned char)simple_to[hit - simple_from];
                return 1;
        }
        if (*p == 'x') {
                int a = unhex(p[1]), b = a < 0 ? -1 : unhex(p[2]);
                if (a < 0 || b < 0 || (a == 0 && b == 0))
                        return -EINVAL;
                *ret = (uint32_t)(a << 4 | b);
                *ret_byte = true;
                return 3;
        }
        if (*p == 'u' || *p == 'U') {
                int digits = *p == 'u' ? 4 : 8;
                for (int i = 1; i <= digits; i++) {
                        int h = unhex(p[i]);
                        if (h < 0)
                                return -EINVAL;
                        c = c << 4 | (uint32_t)h;
                }
                if (!unichar_is_valid(c))
                        return -EINVAL;
                *ret = c;
                return digits + 1;
        }
        int a = unoct(p[0]);
        if (a >= 0) {
                int b = unoct(p[1]), d = b < 0 ? -1 : unoct(p[2]);
                if (b < 0 || d < 0)
                        return -EINVAL;
                c = (uint32_t)(a << 6 | b << 3 | d);
                if (c == 0 || c > 0377)
                        return -EINVAL;
                *ret = c;
                *ret_byte = true;
                return 3;
        }
        return -EINVAL;
}

int exec_word_next(const char **pp, char **ret, struct exec_diag *diag) {
        struct strbuf b = { 0 };
        const char *p = *pp + strspn(*pp, WHITESPACE);
        char quote = 0, name[8];

        *ret = NULL;
        if (*p == '\0') {
                *pp = p;
                return 0;
        }
        for (;;) {
                char c = *p;
                if (c == '\0') {
                        if (quote) {
                                free(b.s);
                                diag_error(diag, "unbalanced quoting");
                                return -EINVAL;
                        }
                        break;
                }
                if (c == '\\') {
                        uint32_t u;
                        bool byte;
                        int r = p[1] == '\0' ? -EINVAL : cunescape_one(p + 1, &u, &byte);
                        if (r < 0) {
                                /* extract_first_word_and_warn(): retry relaxed, keep it verbatim. */
                                if (p[1] == '\0')
                                        diag_warning(diag, "trailing backslash kept as is");
                                else
                                        diag_warning(diag, "unknown escape sequence '\\%s' kept as is",
                                                     char_name(p[1], name));
                                strbuf_put(&b, p, p[1] == '\0' ? 1 : 2);
                                p += p[1] == '\0' ? 1 : 2;
                                continue;
                        }
                        if (byte)
                                strbuf_putc(&b, (char)u);
                        else
                                put_utf8(&b, u);
                        p += 1 + r;
                        continue;
                }
                if (quote) {
                        if (c == quote)
                                quote = 0;
                        else
                                strbuf_putc(&b, c);
                } else if (c == '\'' || c == '"') {
                        quote = c;
                } else if (strchr(WHITESPACE, c)) {
                        break;
                } else {
                        strbuf_putc(&b, c);
                }
                p++;
        }
        *pp = p;
        *ret = strbuf_take(&b);
        return *ret ? 1 : -ENOMEM;
}

static const struct {
        char letter;
        const char *value;
} fixed_dirs[] = {
        /* systemd.unit(5), "Specifiers", for the system manager. */
        { 't', "/run" }, { 'S', "/var/lib" }, { 'C', "/var/cache" }, { 'L', "/var/log" },
        { 'E', "/etc" }, { 'T', "/tmp" },     { 'V', "/var/tmp" },
};

/* systemd-escape --unescape (unit_name_unescape()): "-" is "/", "\\xNN" a byte. */
static int unit_name_unescape(const char *s, size_t len, char **ret) {
        char *out = malloc(len + 1), *w = out;
        *ret = NULL;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                int hi, lo;
                if (s[i] == '-')
                        *w++ = '/';
                else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && (hi = unhex(s[i + 2])) >= 0 &&
                         (lo = unhex(s[i + 3])) >= 0) {
                        *w++ = (char)(hi * 16 + lo);
                        i += 3;
                } else
                        *w++ = s[i];
        }
        *w = '\0';
        *ret = out;
        return 0;
}

/* The parts of "prefix@instance.type" that %N, %p, %i, %P, %I and %f need. */
static void put_name_part(struct strbuf *b, const char *unit_name, char which) {
        const char *dot = strrchr(unit_name, '.'), *at = strchr(unit_name, '@');
        size_t base = dot ? (size_t)(dot - unit_name) : strlen(unit_name);
        const char *part;
        size_t len;

        if (at && (size_t)(at - unit_name) > base)
                at = NULL;
        if (which == 'N') {
                strbuf_put(b, unit_name, base);
                return;
        }
        if (which == 'p' || which == 'P' || (which == 'f' && !at)) {
                part = unit_name;
                len = at ? (size_t)(at - unit_name) : base;
        } else if (at) {
                part = at + 1;
                len = base - (size_t)(at - unit_name) - 1;
        } else {
                return;   /* %i, %I of a name without instance: empty */
        }
        if (which == 'p' || which == 'i') {
                strbuf_put(b, part, len);
                return;
        }
        /* %P %I unescaped; %f: "/" + the unescaped instance (or prefix), no double "/". */
        char *plain = NULL;
        if (unit_name_unescape(part, len, &plain) < 0) {
                b->oom = true;
                return;
        }
        if (which == 'f' && plain[0] != '/')
                strbuf_putc(b, '/');
        strbuf_puts(b, plain);
        free(plain);
}

/* %H: the host name, told once by the supervisor (the loader is pure). */
static char specifier_host[65] = "localhost";

void unit_specifier_set_hostname(const char *name) {
        if (name && name[0])
                snprintf(specifier_host, sizeof(specifier_host), "%s", name);
}

int unit_specifier_expand(const char *text, const char *unit_name, char **ret, struct exec_diag *diag) {
        struct strbuf b = { 0 };
        char name[8];

        *ret = NULL;
        for (const char *p = text; *p; p++) {
                const char *value = NULL;
                if (*p != '%') {
                        strbuf_putc(&b, *p);
                        continue;
                }
                if (p[1] == '\0') {
                        strbuf_putc(&b, '%');   /* systemd's specifier_printf() keeps a trailing '%' */
                        break;
                }
                p++;
                for (size_t i = 0; i < sizeof(fixed_dirs) / sizeof(fixed_dirs[0]); i++)
                        if (fixed_dirs[i].letter == *p)
                                value = fixed_dirs[i].value;
                if (*p == '%') {
                        strbuf_putc(&b, '%');
                } else if (value) {
                        strbuf_puts(&b, value);
                } else if (*p == 'H') {
                        strbuf_puts(&b, specifier_host);
                } else if (*p == 'u' || *p == 'U' || *p == 'h') {
                        /* The system manager's user (vigil does not resolve User= here). */
                        strbuf_puts(&b, *p == 'u' ? "root" : *p == 'U' ? "0" : "/root");
                } else if (strchr("nNpiPIf", *p)) {
                        if (!unit_name) {
                                free(b.s);
                                diag_error(diag, "specifier '%%%c' needs a unit name", *p);
                                return -EINVAL;
                        }
                        if (*p == 'n')
                                strbuf_puts(&b, unit_name);
                        else
                                put_name_part(&b, unit_name, *p);
                } else {
                        free(b.s);
                        diag_error(diag,
                                   "specifier '%%%s' is not supported by vigil (supported: %%n %%N %%p %%P %%i %%I %%f "
                                   "%%H %%u %%U %%h %%t %%S %%C %%L %%E %%T %%V, and %%%% for a literal '%%')",
                                   char_name(*p, name));
                        return -EINVAL;
                }
        }
        *ret = strbuf_take(&b);
        return *ret ? 0 : -ENOMEM;
}

/* systemd's path_implies_directory(). */
static bool path_implies_directory(const char *path) {
        size_t n = strlen(path);
        return strcmp(path, ".") == 0 || strcmp(path, "..") == 0 || (n > 0 && path[n - 1] == '/') ||
               (n >= 2 && strcmp(path + n - 2, "/.") == 0) || (n >= 3 && strcmp(path + n - 3, "/..") == 0);
}

static bool path_is_safe(const char *path) {
        for (const char *p = path; *p; p++)
                if ((unsigned char)*p < ' ' || *p == 0x7f || strchr("\"'\\", *p))
                        return false;
        return true;
}

/* Absolute with components <= NAME_MAX and length <= PATH_MAX, or a plain
 * file name (systemd's path_is_valid() / filename_is_valid()). */
static bool path_is_valid(const char *path) {
        size_t n = strlen(path), component = 0;
        if (path[0] != '/')
                return n <= EXEC_NAME_MAX && !strchr(path, '/');
        if (n > EXEC_PATH_MAX)
                return false;
        for (const char *p = path; *p; p++) {
                component = *p == '/' ? 0 : component + 1;
                if (component > EXEC_NAME_MAX)
                        return false;
        }
        return true;
}

/* Drop repeated slashes and "." components (systemd's path_simplify()). */
static void path_simplify(char *path) {
        char *out = path;
        const char *p = path;
        while (*p) {
                if (*p == '/') {
                        while (*p == '/')
                                p++;
                        if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
                                p++;
                                continue;
                        }
                        *out++ = '/';
                        continue;
                }
                *out++ = *p++;
        }
        if (out > path + 1 && out[-1] == '/')
                out--;
        *out = '\0';
}

/* The prefixes of the first word (systemd's config_parse_exec()). */
static const char *parse_prefixes(const char *f, unsigned *flags, bool *argv0) {
        for (;; f++) {
                if (*f == '-' && !(*flags & EXEC_FLAG_IGNORE_FAILURE))
                        *flags |= EXEC_FLAG_IGNORE_FAILURE;
                else if (*f == '@' && !*argv0)
                        *argv0 = true;
                else if (*f == ':' && !(*flags & EXEC_FLAG_NO_ENV_EXPAND))
                        *flags |= EXEC_FLAG_NO_ENV_EXPAND;
                else if (*f == '+' && !(*flags & (EXEC_FLAG_FULL_PRIVILEGES | EXEC_FLAG_AMBIENT)))
                        *flags |= EXEC_FLAG_FULL_PRIVILEGES;
                else if (*f == '!' && f[1] == '!' && !(*flags & (EXEC_FLAG_FULL_PRIVILEGES | EXEC_FLAG_AMBIENT))) {
                        *flags |= EXEC_FLAG_AMBIENT;   /* "!!" */
                        f++;
                } else if (*f == '!' && !(*flags & (EXEC_FLAG_FULL_PRIVILEGES | EXEC_FLAG_AMBIENT)))
                        *flags |= EXEC_FLAG_AMBIENT;
                else
                        return f;
        }
}

static int check_path(const char *path, struct exec_diag *diag) {
        if (*path == '\0')
                diag_error(diag, "no executable after the prefixes");
        else if (!path_is_safe(path))
                diag_error(diag, "executable path contains control characters, quotes or backslashes");
        else if (path_implies_directory(path))
                diag_error(diag, "executable path names a directory");
        else if (!path_is_valid(path))
                diag_error(diag, "executable is neither an absolute path nor a plain file name");
        else
                return 0;
        return -EINVAL;
}

static bool is_lone(const char *p, size_t len) {
        return p[len] == '\0' || strchr(WHITESPACE, p[len]);
}

static const char semicolon_error[] =
        "';' as a command separator is not supported (systemd deprecated it); use one line per "
        "command, or '\\;' for a literal ';'";

/* The words after the executable, into argv. */
static int split_arguments(const char *p, const char *unit_name, struct strv *argv, struct exec_diag *diag) {
        for (;;) {
                char *word, *resolved;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        return 0;
                if (p[0] == ';' && is_lone(p, 1)) {
                        diag_error(diag, "%s", semicolon_error);
                        return -EINVAL;
                }
                if (p[0] == '\\' && p[1] == ';' && is_lone(p, 2)) {
                        r = strv_push_owned(argv, strdup(";"));
                        if (r < 0)
                                return r;
                        p += 2;
                        continue;
                }
                r = exec_word_next(&p, &word, diag);
                if (r <= 0)
                        return r;
                r = unit_specifier_expand(word, unit_name, &resolved, diag);
                free(word);
                if (r < 0)
                        return r;
                r = strv_push_owned(argv, resolved);
                if (r < 0)
                        return r;
        }
}

int exec_line_split(const char *value, const char *unit_name, struct exec_command *ret, struct exec_diag *diag) {
        struct strv argv = { 0 };
        char *first = NULL, *path = NULL;
        const char *p = value;
        unsigned flags = 0;
        bool argv0 = false;
        int r;

        memset(ret, 0, sizeof(*ret));
        diag->error[0] = diag->warning[0] = '\0';
        r = exec_word_next(&p, &first, diag);
        if (r == 0) {
                diag_error(diag, "empty command line");
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        if (strcmp(first, ";") == 0) {
                diag_error(diag, "%s", semicolon_error);
                r = -EINVAL;
                goto fail;
        }
        r = unit_specifier_expand(parse_prefixes(first, &flags, &argv0), unit_name, &path, diag);
        if (r < 0)
                goto fail;
        r = check_path(path, diag);
        if (r < 0)
                goto fail;
        if (!argv0) {
                r = strv_push_owned(&argv, strdup(path));
                if (r < 0)
                        goto fail;
        }
        if (argv0)
                flags |= EXEC_FLAG_ARGV0;
        path_simplify(path);
        r = split_arguments(p, unit_name, &argv, diag);
        if (r < 0)
                goto fail;
        if (argv.n == 0) {
                diag_error(diag, "'@' needs the process name (argv[0]) after the executable");
                r = -EINVAL;
                goto fail;
        }
        free(first);
        ret->path = path;
        ret->argv = argv.v;
        ret->flags = flags;
        return 0;
fail:
        free(first);
        free(path);
        strv_free(&argv);
        return r;
}

void exec_command_done(struct exec_command *c) {
        free(c->path);
        exec_argv_free(c->argv);
        c->path = NULL;
        c->argv = NULL;
}

void exec_argv_free(char **argv) {
        if (!argv)
                return;
        for (char **a = argv; *a; a++)
                free(*a);
        free(argv);
}

static const char *env_get(char *const *envp, const char *name, size_t len) {
        const char *found = NULL;
        for (size_t i = 0; envp && envp[i]; i++)
                if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
                        found = envp[i] + len + 1;
        return found;
}

/* A variable's value as words: whitespace-separated, quotes group, a
 * backslash quotes the next character, unbalanced quotes are tolerated
 * (systemd's strv_split_full(EXTRACT_RELAX | EXTRACT_UNQUOTE)). */
static int split_value(const char *p, struct strv *out) {
        for (;;) {
                struct strbuf b = { 0 };
                char quote = 0;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        return 0;
                for (; *p; p++) {
                        if (*p == '\\') {
                                if (p[1] == '\0')
                                        break;
                                strbuf_putc(&b, *++p);
                        } else if (quote) {
                                if (*p == quote)
                                        quote = 0;
                                else
                                        strbuf_putc(&b, *p);
                        } else if (*p == '\'' || *p == '"') {
                                quote = *p;
                        } else if (strchr(WHITESPACE, *p)) {
                                break;
                        } else {
                                strbuf_putc(&b, *p);
                        }
                }
                int r = strv_push_owned(out, strbuf_take(&b));
                if (r < 0)
                        return r;
                if (*p == '\\')
                        p++;   /* trailing backslash, dropped */
        }
}

/* ${NAME} and $$ inside one word (systemd's replace_env() without the
 * extended forms: "${NAME:-x}" is left as written). */
static char *replace_in_word(const char *w, char *const *envp) {
        struct strbuf b = { 0 };
        size_t i = 0;

        while (w[i] != '\0') {
                if (w[i] == '$' && w[i + 1] == '$') {
                        strbuf_putc(&b, '$');
                        i += 2;
                } else if (w[i] == '$' && w[i + 1] == '{') {
                        size_t end = i + 2 + strcspn(w + i + 2, "}:");
                        if (w[end] == '}') {
                                const char *value = env_get(envp, w + i + 2, end - i - 2);
                                strbuf_puts(&b, value ? value : "");
                                i = end + 1;
                        } else if (w[end] == ':') {
                                strbuf_put(&b, w + i, end + 1 - i);
                                i = end + 1;
                        } else {
                                strbuf_puts(&b, w + i);
                                break;
                        }
                } else {
                        strbuf_putc(&b, w[i++]);
                }
        }
        return strbuf_take(&b);
}

int exec_line_expand(const struct exec_command *c, char *const *envp, char ***ret_argv) {
        struct strv out = { 0 };
        int r = 0;

        *ret_argv = NULL;
        for (size_t i = 0; c->argv && c->argv[i] && r == 0; i++) {
                const char *w = c->argv[i];
                if (c->flags & EXEC_FLAG_NO_ENV_EXPAND) {
                        r = strv_push_owned(&out, strdup(w));
                } else if (w[0] == '$' && w[1] != '{' && w[1] != '$') {
                        /* "$NAME" as a whole word (systemd's replace_env_argv()). */
                        const char *value =
                                env_name_is_valid(w + 1, strlen(w + 1)) ? env_get(envp, w + 1, strlen(w + 1)) : NULL;
                        if (value)
                                r = split_value(value, &out);
                } else {
                        r = strv_push_owned(&out, replace_in_word(w, envp));
                }
        }
        if (r == 0)
                r = strv_terminate(&out);   /* every word may have expanded to nothing */
        if (r < 0) {
                strv_free(&out);
                return r;
        }
        *ret_argv = out.v;
        return 0;
}
