/* SPDX-License-Identifier: MIT */
#include "supervise/spawn_inputs.h"

#include "core/log.h"
#include "logcap/output.h"
#include "os/fd.h"
#include "os/user.h"
#include "supervise/diag_report.h"
#include "supervise/unit_source.h"
#include "unit/env_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spawn_cache {
        bool valid;
        struct spawn_credentials cred;
};

void spawn_cache_free(struct spawn_cache *cache) {
        free(cache);
}

static const char *lookup_error(int r, const char *what) {
        return r == -ESRCH ? what : strerror(-r);
}

static int lookup_user(const char *name, const char *user, struct spawn_credentials *cred) {
        struct os_user u;
        int r = os_user_lookup(user, &u);
        if (r < 0) {
                log_error("%s: cannot resolve User=%s: %s", name, user, lookup_error(r, "no such user"));
                return r;
        }
        cred->has_user = true;
        cred->user.uid = u.uid;
        cred->user.gid = u.gid;
        snprintf(cred->user.name, sizeof(cred->user.name), "%s", u.name);
        snprintf(cred->user.home, sizeof(cred->user.home), "%s", u.home);
        snprintf(cred->user.shell, sizeof(cred->user.shell), "%s", u.shell);
        return 0;
}

static int lookup(const char *name, const struct unit_config *c, struct spawn_credentials *cred) {
        int r;
        *cred = (struct spawn_credentials){ 0 };
        if (c->user && (r = lookup_user(name, c->user, cred)) < 0)
                return r;
        if (c->group) {
                r = os_group_lookup(c->group, &cred->group);
                if (r < 0) {
                        log_error("%s: cannot resolve Group=%s: %s", name, c->group, lookup_error(r, "no such group"));
                        return r;
                }
                cred->has_group = true;
        }
        if (cred->has_user) {
                /* The user's groups, with Group= as the primary one if set;
                 * more than fit: none (as os_user_groups() says). */
                int k = os_user_groups(cred->user.name, cred->has_group ? cred->group : cred->user.gid,
                                       cred->user_groups, SPAWN_USER_GROUPS_MAX);
                cred->n_user_groups = k > 0 ? (size_t)k : 0;
        }
        for (size_t i = 0; i < c->n_supplementary_groups; i++) {
                gid_t g;
                r = os_group_lookup(c->supplementary_groups[i], &g);
                if (r < 0) {
                        log_error("%s: cannot resolve SupplementaryGroups=%s: %s", name, c->supplementary_groups[i],
                                  lookup_error(r, "no such group"));
                        return r;
                }
                if (cred->n_supplementary < SPAWN_GROUPS_MAX)
                        cred->supplementary[cred->n_supplementary++] = g;
        }
        return 0;
}

int spawn_inputs_credentials(struct spawn_cache **cache, const char *name, const struct unit_config *c, bool fresh,
                             const struct spawn_credentials **ret) {
        *ret = NULL;
        if (!c->user && !c->group && c->n_supplementary_groups == 0)
                return 0;
        if (!*cache) {
                *cache = calloc(1, sizeof(**cache));
                if (!*cache) {
                        log_error("%s: out of memory resolving User=/Group=", name);
                        return -ENOMEM;
                }
        }
        struct spawn_cache *k = *cache;
        if (fresh || !k->valid) {
                k->valid = false;
                int r = lookup(name, c, &k->cred);
                if (r < 0)
                        return r;
                k->valid = true;
        }
        *ret = &k->cred;
        return 0;
}

static int read_env_file(const char *name, const char *value, char ***env, size_t *n) {
        const char *path = value;
        bool optional = path[0] == '-';
        if (optional)
                path++;
        char *text = NULL;
        size_t size = 0;
        int r = unit_source_read_file(path, &text, &size);
        if (r < 0) {
                if (optional && r == -ENOENT)
                        return 0;
                log_error("%s: cannot read EnvironmentFile=%s: %s", name, path, strerror(-r));
                return r;
        }
        struct unit_diags diags = { 0 };
        r = env_file_parse(path, text, size, env, n, &diags);
        unit_report_diags(&diags);
        unit_diags_free(&diags);
        free(text);
        return r;
}

int spawn_inputs_env_files(const char *name, const struct unit_config *c, char ***ret_env, size_t *ret_n) {
        char **env = NULL;
        size_t n = 0;
        int r = 0;
        /* In order; the first that fails ends the reading (and the spawn). */
        for (size_t i = 0; r == 0 && i < c->n_environment_files; i++)
                r = read_env_file(name, c->environment_files[i], &env, &n);
        if (r < 0) {
                env_list_free(&env, &n);
                return r;
        }
        *ret_env = env;
        *ret_n = n;
        return 0;
}

/* Where stdout/stderr go (StandardOutput=/StandardError=). *fd is -1 for
 * "inherit vigil's"; a journal pipe's source goes to *src. */
static int open_output(const char *name, const struct unit_config *c, const struct unit_output *o,
                       const char *stream, const char *ident, struct log_ring *ring, int *fd,
                       struct output_source **src) {
        int r;
        *fd = -1;
        switch (o->kind) {
        case OUTPUT_INHERIT:
                return 0;
        case OUTPUT_TTY:
                r = os_open(unit_config_tty_path(c), O_WRONLY | O_NOCTTY, 0);
                if (r < 0) {
                        log_error("%s: cannot open Standard%s=tty (%s): %s", name, stream, unit_config_tty_path(c),
                                  strerror(-r));
                        return r;
                }
                *fd = r;
                return 0;
        case OUTPUT_NULL:
                r = os_open("/dev/null", O_WRONLY, 0);
                if (r < 0)
                        return r;
                *fd = r;
                return 0;
        case OUTPUT_FILE:
        case OUTPUT_APPEND:
                r = os_open(o->path, O_WRONLY | O_CREAT | O_NOCTTY | (o->kind == OUTPUT_APPEND ? O_APPEND : 0), 0644);
                if (r < 0) {
                        log_error("%s: cannot open Standard%s=%s:%s: %s", name, stream,
                                  o->kind == OUTPUT_APPEND ? "append" : "file", o->path, strerror(-r));
                        return r;
                }
                *fd = r;
                return 0;
        case OUTPUT_JOURNAL:
        default:
                r = output_source_open(ident, src, fd);
                if (r < 0)
                        return r;
                output_source_set_ring(*src, ring);
                return 0;
        }
}

int spawn_outputs_open(const char *name, const struct unit_config *c, const char *ident, struct log_ring *ring,
                       int runit_stdin, int runit_stdout, int devnull, struct spawn_outputs *o) {
        *o = (struct spawn_outputs){ .fds = { -1, -1, -1 }, .owned = { -1, -1, -1 } };
        o->fds.stdin_fd = runit_stdin >= 0 ? runit_stdin : devnull;
        if (runit_stdin < 0 && c->standard_input != INPUT_NULL) {
                int r = os_open(unit_config_tty_path(c), O_RDWR | O_NOCTTY, 0);
                if (r < 0) {
                        log_error("%s: cannot open StandardInput=%s (%s): %s", name,
                                  input_kind_to_string(c->standard_input), unit_config_tty_path(c), strerror(-r));
                        return r;
                }
                o->owned[2] = o->fds.stdin_fd = r;
        }
        if (runit_stdout >= 0) {
                o->fds.stdout_fd = runit_stdout;
                return 0;
        }
        int r = open_output(name, c, &c->standard_output, "Output", ident, ring, &o->owned[0], &o->source[0]);
        if (r < 0)
                return r;
        o->fds.stdout_fd = o->owned[0];
        if (c->standard_error.kind == OUTPUT_INHERIT) {
                o->fds.stderr_fd = o->owned[0]; /* inherit = where stdout goes */
                return 0;
        }
        r = open_output(name, c, &c->standard_error, "Error", ident, ring, &o->owned[1], &o->source[1]);
        if (r < 0)
                return r;
        o->fds.stderr_fd = o->owned[1];
        return 0;
}

void spawn_outputs_started(struct spawn_outputs *o, pid_t pid) {
        for (int i = 0; i < 2; i++)
                if (o->source[i])
                        output_source_set_pid(o->source[i], pid);
}

void spawn_outputs_close(struct spawn_outputs *o) {
        for (int i = 0; i < 3; i++) {
                os_close(o->owned[i]);
                o->owned[i] = -1;
        }
}
