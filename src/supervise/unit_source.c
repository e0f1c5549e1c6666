/* SPDX-License-Identifier: MIT */
#include "supervise/unit_source.h"

#include "base/strv.h"
#include "os/files.h"
#include "unit/unit_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries looked at in one directory, matching or not. */
#define DIR_ENTRIES_MAX (8 * UNIT_SOURCE_FILES_MAX)

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

void unit_source_paths_free(char **paths, size_t n) {
        struct strv v = { paths, n };
        strv_free(&v);
}

int unit_source_list_dir(const char *dir, const char *suffix, char ***ret_paths, size_t *ret_n) {
        struct os_dir_entry *e = NULL;
        size_t n_e = 0;
        struct strv paths = { 0 };

        *ret_paths = NULL;
        *ret_n = 0;
        int r = os_dir_list(dir, DIR_ENTRIES_MAX, &e, &n_e);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return r;
        /* os_dir_list() sorted the names: the paths come out sorted. */
        for (size_t i = 0; i < n_e && r == 0; i++) {
                char *path;
                if (e[i].name[0] == '.' || e[i].directory || !has_suffix(e[i].name, suffix))
                        continue;
                if (paths.n >= UNIT_SOURCE_FILES_MAX)
                        r = -E2BIG;
                else
                        r = strv_push_owned(&paths, asprintf(&path, "%s/%s", dir, e[i].name) < 0 ? NULL : path);
        }
        os_dir_list_free(&e, &n_e);
        if (r < 0) {
                strv_free(&paths);
                return r;
        }
        *ret_paths = paths.v;
        *ret_n = paths.n;
        return 0;
}

/* One source: its bytes, or for a file over UNIT_FILE_SIZE_MAX no bytes and
 * a size past the limit, so that the lexer reports it in its own words. */
static int read_source(const char *path, struct unit_source *ret, char **ret_text, struct unit_diags *diags) {
        size_t size = 0;
        int r = os_read_file(path, UNIT_FILE_SIZE_MAX, ret_text, &size);
        if (r == -EFBIG) {
                *ret_text = NULL;
                size = UNIT_FILE_SIZE_MAX + 1;
                r = 0;
        } else if (r == -EINVAL) {
                unit_diags_add(diags, UNIT_DIAG_ERROR, path, 0, "cannot read: not a regular file");
        } else if (r < 0 && r != -ENOMEM) {
                unit_diags_add(diags, UNIT_DIAG_ERROR, path, 0, "cannot read: %s", strerror(-r));
        }
        *ret = (struct unit_source){ .path = path, .text = *ret_text, .size = size };
        return r;
}

static void free_texts(char **texts, size_t n) {
        for (size_t i = 0; texts && i < n; i++)
                free(texts[i]);
        free(texts);
}

int unit_source_load_files(const char *name, char *const *paths, size_t n_paths, struct unit_config *ret,
                           struct unit_diags *diags) {
        struct unit_source *sources = calloc(n_paths ? n_paths : 1, sizeof(*sources));
        char **texts = calloc(n_paths ? n_paths : 1, sizeof(char *));
        size_t n = 0;
        int r = sources && texts ? 0 : -ENOMEM;

        unit_config_init(ret);
        for (; r == 0 && n < n_paths; n++)
                r = read_source(paths[n], &sources[n], &texts[n], diags);
        if (r == 0)
                r = unit_load_from_texts(name, sources, n_paths, ret, diags);
        free_texts(texts, n_paths);
        free(sources);
        return r;
}

int unit_source_load(const char *path, struct unit_config *ret, struct unit_diags *diags) {
        const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
        char **dropins = NULL, *dir = NULL;
        size_t n_dropins = 0;
        int r;

        unit_config_init(ret);
        if (asprintf(&dir, "%s.d", path) < 0)
                return -ENOMEM;
        r = unit_source_list_dir(dir, ".conf", &dropins, &n_dropins);
        free(dir);
        if (r < 0) {
                unit_diags_add(diags, UNIT_DIAG_ERROR, path, 0, "cannot list drop-ins in %s.d: %s", path, strerror(-r));
                return r;
        }
        char **all = calloc(n_dropins + 1, sizeof(char *));
        if (!all) {
                unit_source_paths_free(dropins, n_dropins);
                return -ENOMEM;
        }
        all[0] = (char *)path;
        for (size_t i = 0; i < n_dropins; i++)
                all[i + 1] = dropins[i];
        r = unit_source_load_files(name, all, n_dropins + 1, ret, diags);
        free(all);
        unit_source_paths_free(dropins, n_dropins);
        return r;
}

int unit_source_load_found(const struct unit_layout *l, const struct unit_found *f, struct unit_config *ret,
                     struct unit_diags *diags) {
        struct strv paths = { 0 };
        unit_config_init(ret);
        int r = strv_push(&paths, f->path);
        if (r == 0)
                r = unit_layout_dropins(l, f->name, &paths);
        if (r == 0)
                r = unit_source_load_files(f->name, paths.v, paths.n, ret, diags);
        strv_free(&paths);
        return r;
}

int unit_source_read_file(const char *path, char **ret_text, size_t *ret_size) {
        *ret_text = NULL;
        *ret_size = 0;
        return os_read_file(path, UNIT_FILE_SIZE_MAX, ret_text, ret_size);
}
