/* SPDX-License-Identifier: MIT */
#include "cmd/erlinit_opts.h"

#include "cmd/options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum erlinit_kind {
        ERL_SAME,        /* value: vigil's option of the name in .vigil */
        ERL_FIXED,       /* flag: the vigil word in .vigil */
        ERL_ENV,         /* value: "A=1;B=2", one --env per item */
        ERL_ID,          /* value: a number, base 0 as strtol(3) reads it */
        ERL_MSEC,        /* value: milliseconds, <= 0 is 1 */
        ERL_RELEASE_PATH,
        ERL_BOOT,
        ERL_ALTERNATE_EXEC,
        ERL_INCLUDE_ERTS,
        ERL_NOOP,        /* vigil's default already */
        ERL_UNHONOURED,  /* warned about, no effect; .vigil says why */
};

struct erlinit_def {
        const char *name;
        char short_name;
        bool has_value;
        enum erlinit_kind kind;
        const char *vigil;
};

/* erlinit's options (its src/options.c and README), in its names. */
static const struct erlinit_def erlinit_table[] = {
        { "boot", 'b', true, ERL_BOOT, NULL },
        { "core-pattern", 0, true, ERL_SAME, "core-pattern" },
        { "ctty", 'c', true, ERL_SAME, "ctty" },
        { "uniqueid-exec", 'd', true, ERL_SAME, "uniqueid-exec" },
        { "env", 'e', true, ERL_ENV, NULL },
        { "gid", 0, true, ERL_ID, "gid" },
        { "graceful-shutdown-timeout", 0, true, ERL_MSEC, "default-timeout-stop-sec" },
        { "hang-on-exit", 'h', false, ERL_FIXED, "--on-exit=hang" },
        /* erlinit's README documents -H; its getopt lacks it. vigil takes it. */
        { "reboot-on-exit", 'H', false, ERL_FIXED, "--on-exit=reboot" },
        { "poweroff-on-exit", 0, false, ERL_FIXED, "--on-exit=poweroff" },
        { "reboot-on-fatal", 0, false, ERL_NOOP, NULL },
        { "hang-on-fatal", 0, false, ERL_UNHONOURED,
          "not honoured: a failed boot ends with the --on-exit action" },
        { "poweroff-on-fatal", 0, false, ERL_UNHONOURED,
          "not honoured: a failed boot ends with the --on-exit action" },
        { "limits", 'l', true, ERL_UNHONOURED, "not honoured yet (no resource limits in vigil)" },
        { "mount", 'm', true, ERL_SAME, "mount" },
        { "hostname-pattern", 'n', true, ERL_SAME, "hostname-pattern" },
        { "pre-run-exec", 0, true, ERL_SAME, "pre-run-exec" },
        { "release-path", 'r', true, ERL_RELEASE_PATH, NULL },
        { "release-include-erts", 0, false, ERL_INCLUDE_ERTS, NULL },
        { "run-on-exit", 0, true, ERL_SAME, "run-on-exit" },
        { "alternate-exec", 's', true, ERL_ALTERNATE_EXEC, NULL },
        { "shutdown-report", 0, true, ERL_SAME, "shutdown-report" },
        { "print-timing", 't', false, ERL_UNHONOURED,
          "not honoured: vigil logs the main command's start and end itself" },
        { "tty-options", 0, true, ERL_SAME, "tty-options" },
        { "uid", 0, true, ERL_ID, "uid" },
        { "update-clock", 0, false, ERL_FIXED, "--update-clock" },
        { "verbose", 'v', false, ERL_FIXED, "--verbose" },
        { "warn-unused-tty", 0, false, ERL_FIXED, "--warn-unused-tty" },
        { "working-directory", 0, true, ERL_SAME, "working-directory" },
        { "x-pivot-root-on-overlayfs", 0, false, ERL_UNHONOURED, "not honoured" },
};

#define N_ERLINIT (sizeof(erlinit_table) / sizeof(erlinit_table[0]))

struct ctx {
        struct erlinit_translation *t;
        erlinit_warn_fn warn;
        void *warn_ctx;
        unsigned line;
};

static void warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ctx *c, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (c->warn)
                c->warn(c->warn_ctx, c->line, msg);
}

static int emit_owned(struct ctx *c, char *word) {
        struct erlinit_translation *t = c->t;
        unsigned *lines = realloc(t->lines, (t->words.n + 1) * sizeof(*lines));
        if (!lines) {
                free(word);
                return -ENOMEM;
        }
        t->lines = lines;
        int r = strv_push_owned(&t->words, word);
        if (r < 0)
                return r;
        t->lines[t->words.n - 1] = c->line;
        return 0;
}

/* "--NAME=VALUE", or "--NAME" with value NULL. */
static int emit(struct ctx *c, const char *name, const char *value) {
        char *word = NULL;
        if (value ? asprintf(&word, "--%s=%s", name, value) < 0 : asprintf(&word, "--%s", name) < 0)
                return -ENOMEM;
        return emit_owned(c, word);
}

static int replace(char **field, const char *value) {
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

/* -e A=1;B=2: one --env per non-empty item. */
static int emit_env(struct ctx *c, const char *value) {
        for (const char *p = value; *p;) {
                size_t len = strcspn(p, ";");
                if (len > 0) {
                        char *item = strndup(p, len), *word = NULL;
                        if (!item)
                                return -ENOMEM;
                        int r = asprintf(&word, "--env=%s", item);
                        free(item);
                        if (r < 0 || (r = emit_owned(c, word)) < 0)
                                return -ENOMEM;
                }
                p += len + (p[len] == ';');
        }
        return 0;
}

static int emit_number(struct ctx *c, const struct erlinit_def *d, const char *value) {
        char *end, text[32];
        errno = 0;
        long long n = strtoll(value, &end, d->kind == ERL_ID ? 0 : 10);
        if (errno || end == value || *end) {
                warn(c, "erlinit option --%s: '%s' is not a number, ignoring it", d->name, value);
                return 0;
        }
        if (d->kind == ERL_MSEC)   /* erlinit: a timeout <= 0 is 1 ms */
                snprintf(text, sizeof(text), "%lldms", n > 0 ? n : 1);
        else
                snprintf(text, sizeof(text), "%lld", n);
        return emit(c, d->vigil, text);
}

static int set_release_paths(struct ctx *c, const char *value) {
        struct strv *paths = &c->t->release.release_paths;
        strv_free(paths);
        for (const char *p = value; *p;) {
                size_t len = strcspn(p, ":");
                if (len > 0 && strv_push_len(paths, p, len) < 0)
                        return -ENOMEM;
                p += len + (p[len] == ':');
        }
        return 0;
}

static int apply(struct ctx *c, const struct erlinit_def *d, const char *value) {
        struct erlinit_release_opts *rel = &c->t->release;
        switch (d->kind) {
        case ERL_SAME: return emit(c, d->vigil, value);
        case ERL_FIXED: return emit_owned(c, strdup(d->vigil));
        case ERL_ENV: return emit_env(c, value);
        case ERL_ID:
        case ERL_MSEC: return emit_number(c, d, value);
        case ERL_RELEASE_PATH: return set_release_paths(c, value);
        case ERL_BOOT: return replace(&rel->boot, value);
        case ERL_ALTERNATE_EXEC: return replace(&rel->alternate_exec, value);
        case ERL_INCLUDE_ERTS: rel->release_include_erts = true; return 0;
        case ERL_NOOP: return 0;
        case ERL_UNHONOURED:
                warn(c, "erlinit option --%s %s, ignoring it", d->name, d->vigil);
                return 0;
        }
        return 0;
}

/* getopt_long's rule: an exact name, else an unambiguous prefix. */
static const struct erlinit_def *find_long(struct ctx *c, const char *name, size_t len, bool *ret_ambiguous) {
        const struct erlinit_def *found = NULL;
        *ret_ambiguous = false;
        for (size_t i = 0; i < N_ERLINIT; i++) {
                const struct erlinit_def *d = &erlinit_table[i];
                if (strncmp(d->name, name, len) != 0)
                        continue;
                if (strlen(d->name) == len)
                        return d;
                if (found)
                        *ret_ambiguous = true;
                found = d;
        }
        (void)c;
        return *ret_ambiguous ? NULL : found;
}

static const struct erlinit_def *find_short(char s) {
        for (size_t i = 0; i < N_ERLINIT; i++)
                if (erlinit_table[i].short_name == s)
                        return &erlinit_table[i];
        return NULL;
}

/* A long option erlinit does not know: vigil's own passes through as one
 * word (--config was read already and is dropped). */
static int long_passthrough(struct ctx *c, const char *name, size_t len, const char *eq, char *const *tokens,
                            size_t n, size_t *i) {
        bool takes_value;
        const char *vname = options_lookup(name, len, 0, &takes_value);
        if (!vname) {
                warn(c, "unknown option '--%.*s', ignoring it", (int)len, name);
                return 0;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (takes_value && !value) {
                if (*i >= n) {
                        warn(c, "option '--%s' needs a value, ignoring it", vname);
                        return 0;
                }
                value = tokens[(*i)++];
        }
        if (strcmp(vname, "config") == 0)
                return 0;
        return emit(c, vname, takes_value ? value : NULL);
}

static int parse_long(struct ctx *c, const char *arg, char *const *tokens, size_t n, size_t *i) {
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        bool ambiguous;
        const struct erlinit_def *d = find_long(c, name, len, &ambiguous);
        if (ambiguous) {
                warn(c, "ambiguous option '--%.*s', ignoring it", (int)len, name);
                return 0;
        }
        bool takes_value;
        if (!d || (strlen(d->name) != len && options_lookup(name, len, 0, &takes_value)))
                return long_passthrough(c, name, len, eq, tokens, n, i);
        if (!d->has_value) {
                if (eq)
                        warn(c, "option '--%s' takes no value, ignoring '%s'", d->name, eq + 1);
                return apply(c, d, NULL);
        }
        if (eq)
                return apply(c, d, eq + 1);
        if (*i >= n) {
                warn(c, "option '--%s' needs a value, ignoring it", d->name);
                return 0;
        }
        return apply(c, d, tokens[(*i)++]);
}

/* -vt, -cttyAMA0, -c ttyAMA0. A letter erlinit lacks but vigil has passes through. */
static int parse_short(struct ctx *c, const char *arg, char *const *tokens, size_t n, size_t *i) {
        for (const char *p = arg + 1; *p; p++) {
                const struct erlinit_def *d = find_short(*p);
                bool takes_value = false;
                const char *vname = d ? NULL : options_lookup(NULL, 0, *p, &takes_value);
                if (!d && !vname) {
                        warn(c, "unknown option '-%c', ignoring it", *p);
                        continue;
                }
                if (!(d ? d->has_value : takes_value)) {
                        int r = d ? apply(c, d, NULL) : emit(c, vname, NULL);
                        if (r < 0)
                                return r;
                        continue;
                }
                const char *value = p[1] ? p + 1 : *i < n ? tokens[(*i)++] : NULL;
                if (!value) {
                        warn(c, "option '-%c' needs a value, ignoring it", *p);
                        return 0;
                }
                return d ? apply(c, d, value) : emit(c, vname, value);
        }
        return 0;
}

int erlinit_translate(struct erlinit_translation *t, char *const *tokens, const unsigned *lines, size_t n,
                      erlinit_warn_fn warn_fn, void *warn_ctx) {
        struct ctx c = { .t = t, .warn = warn_fn, .warn_ctx = warn_ctx };
        size_t i = 0;
        while (i < n) {
                const char *arg = tokens[i];
                c.line = lines ? lines[i] : 0;
                i++;
                int r = 0;
                if (strcmp(arg, "--") == 0) {
                        strv_free(&t->command);
                        t->has_command = true;
                        for (; i < n; i++)
                                if (strv_push(&t->command, tokens[i]) < 0)
                                        return -ENOMEM;
                        return strv_terminate(&t->command);
                }
                if (arg[0] != '-' || arg[1] == '\0')
                        warn(&c, "ignoring '%s' (not an option)", arg);
                else if (arg[1] == '-')
                        r = parse_long(&c, arg, tokens, n, &i);
                else
                        r = parse_short(&c, arg, tokens, n, &i);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int push_token(struct strv *ret, unsigned **lines, const char *start, size_t len, unsigned line) {
        unsigned *l = realloc(*lines, (ret->n + 1) * sizeof(**lines));
        if (!l)
                return -ENOMEM;
        *lines = l;
        if (strv_push_len(ret, start, len) < 0)
                return -ENOMEM;
        l[ret->n - 1] = line;
        return 0;
}

int erlinit_tokenize(const char *text, struct strv *ret, unsigned **ret_lines) {
        unsigned line = 1;
        const char *p = text;
        *ret = (struct strv){ 0 };
        *ret_lines = NULL;
        while (*p) {
                if (*p == '\n') {
                        line++;
                        p++;
                } else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f') {
                        p++;
                } else if (*p == '#') {
                        p += strcspn(p, "\n");
                } else {
                        /* A token; "…" groups up to the next quote or the line's end. */
                        bool quoted = *p == '"';
                        const char *start = quoted ? p + 1 : p;
                        size_t len = quoted ? strcspn(start, "\"\n") : strcspn(start, " \t\r\v\f\n");
                        if (push_token(ret, ret_lines, start, len, line) < 0) {
                                strv_free(ret);
                                free(*ret_lines);
                                *ret_lines = NULL;
                                return -ENOMEM;
                        }
                        p = start + len + (quoted && start[len] == '"');
                }
        }
        return 0;
}

int erlinit_translate_file(struct erlinit_translation *t, const char *text, erlinit_warn_fn warn_fn, void *ctx) {
        struct strv tokens;
        unsigned *lines;
        int r = erlinit_tokenize(text, &tokens, &lines);
        if (r < 0)
                return r;
        r = erlinit_translate(t, tokens.v, lines, tokens.n, warn_fn, ctx);
        strv_free(&tokens);
        free(lines);
        return r;
}

bool erlinit_is_config_path(const char *path) {
        const char *base = strrchr(path, '/');
        return strcmp(base ? base + 1 : path, "erlinit.config") == 0;
}

void erlinit_release_opts_free(struct erlinit_release_opts *r) {
        strv_free(&r->release_paths);
        free(r->boot);
        free(r->alternate_exec);
        *r = (struct erlinit_release_opts){ 0 };
}

void erlinit_translation_free(struct erlinit_translation *t) {
        strv_free(&t->words);
        free(t->lines);
        strv_free(&t->command);
        erlinit_release_opts_free(&t->release);
        *t = (struct erlinit_translation){ 0 };
}
