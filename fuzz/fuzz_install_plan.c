/* SPDX-License-Identifier: MIT */
/*
 * The [Install] reader and enable's link plan (src/unit/install_plan.c):
 * the input is one unit file. Invariants: parsing returns 0 or -EINVAL;
 * every name kept is a unit name (or a template); the plan, for a plain
 * name, an instance and a template, has only relative link paths without a
 * ".." part, each ending in a unit name, all pointing at the file given.
 */
#include "fuzz.h"

#include "unit/install_plan.h"
#include "unit/unit_config.h"

#include <errno.h>

/* A ".." path component ("..service" is a name, not one). */
static bool has_dotdot_part(const char *p) {
        for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
                        return true;
        return false;
}

static bool name_ok(const char *s) {
        return unit_name_is_valid(s) || unit_name_is_template(s);
}

static void check_plan(const char *name, const struct unit_install *inst) {
        struct install_link *v;
        size_t n;
        int r = install_plan(name, "/lib/systemd/system/fuzz.service", inst, &v, &n);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        for (size_t i = 0; r == 0 && i < n; i++) {
                const char *base = strrchr(v[i].path, '/');
                FUZZ_CHECK(v[i].path[0] != '/' && !has_dotdot_part(v[i].path));
                FUZZ_CHECK(name_ok(base ? base + 1 : v[i].path));
                FUZZ_CHECK(strcmp(v[i].target, "/lib/systemd/system/fuzz.service") == 0);
        }
        if (r == 0)
                install_links_free(v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct unit_install inst = { 0 };
        struct unit_diags diags = { 0 };
        int r = unit_install_parse("fuzz.service", text, size, &inst, &diags);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        const struct strv *lists[] = { &inst.wanted_by, &inst.required_by, &inst.alias, &inst.also };
        for (size_t l = 0; l < 4; l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        FUZZ_CHECK(name_ok(lists[l]->v[i]));
        check_plan("fuzz.service", &inst);
        check_plan("fuzz@.service", &inst);
        check_plan("fuzz@one.service", &inst);
        unit_install_free(&inst);
        unit_diags_free(&diags);
        free(text);
        return 0;
}
