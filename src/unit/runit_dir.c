/* SPDX-License-Identifier: MIT */
#include "unit/runit_dir.h"

#include "unit/unit_config.h"   /* unit_name_is_valid() */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *join(const char *a, const char *b) {
        char *s;
        return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* One command "DIR/file" run as "./file" (as runsv does), nothing expanded. */
static int set_command(struct exec_list *l, const char *dir, const char *file, const char *source) {
        l->v = calloc(1, sizeof(*l->v));
        if (!l->v)
                return -ENOMEM;
        struct exec_command *c = &l->v[0];
        l->n = 1;
        c->path = join(dir, file);
        c->argv = calloc(2, sizeof(char *));
        if (!c->path || !c->argv)
                return -ENOMEM;
        size_t len = strlen(file) + 3;
        c->argv[0] = malloc(len);
        if (!c->argv[0])
                return -ENOMEM;
        snprintf(c->argv[0], len, "./%s", file);
        c->flags = EXEC_FLAG_NO_ENV_EXPAND;
        c->file = source;
        return 0;
}

static int base_config(struct unit_config *c, const char *unit_name, const char *dir, const char *description) {
        unit_config_init_runit(c);
        c->name = strdup(unit_name);
        c->description = strdup(description);
        c->sources = calloc(1, sizeof(char *));
        c->working_directory = strdup(dir);
        if (!c->name || !c->description || !c->sources || !c->working_directory)
                return -ENOMEM;
        c->sources[0] = join(dir, "run");
        if (!c->sources[0])
                return -ENOMEM;
        c->n_sources = 1;
        return set_command(&c->exec_start, dir, "run", c->sources[0]);
}

int runit_service_config(const struct runit_service *s, struct unit_config *main_unit, struct unit_config *log_unit) {
        char name[512], log_name[512], description[1024];
        char *log_dir = NULL;
        int r;

        if (snprintf(name, sizeof(name), "%s.service", s->name) >= (int)sizeof(name) ||
            snprintf(log_name, sizeof(log_name), "%s.log.service", s->name) >= (int)sizeof(log_name) ||
            !unit_name_is_valid(name) || !unit_name_is_valid(log_name) || strchr(s->name, '/'))
                return -EINVAL;

        snprintf(description, sizeof(description), "runit service %s", s->dir);
        r = base_config(main_unit, name, s->dir, description);
        if (r == 0 && s->has_finish)
                r = set_command(&main_unit->exec_stop_post, s->dir, "finish", main_unit->sources[0]);
        if (r == 0 && s->has_log) {
                main_unit->after.v = calloc(1, sizeof(char *));
                if (!main_unit->after.v || !(main_unit->after.v[0] = strdup(log_name)))
                        r = -ENOMEM;
                else
                        main_unit->after.n = 1;
        }
        if (r == 0 && s->has_log) {
                log_dir = join(s->dir, "log");
                snprintf(description, sizeof(description), "runit log service %s/log", s->dir);
                r = log_dir ? base_config(log_unit, log_name, log_dir, description) : -ENOMEM;
                if (r == 0 && !(log_unit->syslog_identifier = malloc(strlen(s->name) + 5)))
                        r = -ENOMEM;
                if (r == 0)
                        snprintf(log_unit->syslog_identifier, strlen(s->name) + 5, "%s/log", s->name);
                if (r < 0)
                        unit_config_free(log_unit);
        }
        free(log_dir);
        if (r < 0)
                unit_config_free(main_unit);
        return r;
}
