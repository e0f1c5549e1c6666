/* SPDX-License-Identifier: MIT */
#include "supervise/proc_index.h"

#include "os/proc.h"

#include <errno.h>
#include <stdlib.h>

struct slot {
        pid_t key;             /* 0 empty, -1 deleted */
        struct unit *unit;
        enum unit_proc_role role;
};

struct table {
        struct slot *v;
        size_t cap, used;      /* used counts deleted slots too */
};

static struct table pids, groups;

static size_t hash(pid_t key, size_t cap) {
        return ((size_t)key * 2654435761u) & (cap - 1);
}

static int rehash(struct table *t) {
        size_t live = 0;
        for (size_t i = 0; i < t->cap; i++)
                live += t->v[i].key > 0;
        size_t cap = t->cap ? t->cap : 64;
        if ((live + 1) * 4 > cap)
                cap *= 2;
        struct slot *v = calloc(cap, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < t->cap; i++) {
                if (t->v[i].key <= 0)
                        continue;
                size_t h = hash(t->v[i].key, cap);
                while (v[h].key)
                        h = (h + 1) & (cap - 1);
                v[h] = t->v[i];
        }
        free(t->v);
        *t = (struct table){ .v = v, .cap = cap, .used = live };
        return 0;
}

static struct slot *find(const struct table *t, pid_t key) {
        if (!t->cap || key <= 0)
                return NULL;
        for (size_t h = hash(key, t->cap), k = 0; k < t->cap; h = (h + 1) & (t->cap - 1), k++) {
                if (t->v[h].key == key)
                        return &t->v[h];
                if (t->v[h].key == 0)
                        return NULL;
        }
        return NULL;
}

static int put(struct table *t, pid_t key, struct unit *u, enum unit_proc_role role) {
        if (key <= 0)
                return -EINVAL;
        struct slot *s = find(t, key);
        if (s) {
                s->unit = u;
                s->role = role;
                return 0;
        }
        if ((t->used + 1) * 2 > t->cap && rehash(t) < 0)
                return -ENOMEM;
        size_t h = hash(key, t->cap);
        while (t->v[h].key > 0)
                h = (h + 1) & (t->cap - 1);
        if (t->v[h].key == 0)
                t->used++;
        t->v[h] = (struct slot){ .key = key, .unit = u, .role = role };
        return 0;
}

int proc_index_add_pid(pid_t pid, struct unit *u, enum unit_proc_role role) {
        return put(&pids, pid, u, role);
}

void proc_index_remove_pid(pid_t pid) {
        struct slot *s = find(&pids, pid);
        if (s)
                *s = (struct slot){ .key = -1 };
}

bool proc_index_find_pid(pid_t pid, struct unit **ret, enum unit_proc_role *ret_role) {
        struct slot *s = find(&pids, pid);
        if (!s)
                return false;
        *ret = s->unit;
        *ret_role = s->role;
        return true;
}

int proc_index_add_group(pid_t pgid, struct unit *u) {
        return put(&groups, pgid, u, UNIT_PROC_MAIN);
}

void proc_index_remove_group(pid_t pgid, const struct unit *u) {
        struct slot *s = find(&groups, pgid);
        if (s && s->unit == u)
                *s = (struct slot){ .key = -1 };
}

struct unit *proc_index_find_group(pid_t pgid) {
        struct slot *s = find(&groups, pgid);
        return s ? s->unit : NULL;
}

static void forget(struct table *t, const struct unit *u) {
        for (size_t i = 0; i < t->cap; i++)
                if (t->v[i].key > 0 && t->v[i].unit == u)
                        t->v[i] = (struct slot){ .key = -1 };
}

void proc_index_forget(const struct unit *u) {
        forget(&pids, u);
        forget(&groups, u);
}

void proc_index_free(void) {
        free(pids.v);
        free(groups.v);
        pids = groups = (struct table){ 0 };
}

#define ANCESTOR_STEPS 8   /* parents looked at for a sender outside every unit's groups */

/* pid's unit by its process group, or NULL. */
static struct unit *by_group(pid_t pid) {
        pid_t g = os_getpgid(pid);
        return g > 0 ? proc_index_find_group(g) : NULL;
}

bool proc_index_attribute(pid_t pid, struct unit **ret, enum unit_sender *ret_sender) {
        enum unit_proc_role role;
        if (proc_index_find_pid(pid, ret, &role)) {
                *ret_sender = role == UNIT_PROC_MAIN      ? UNIT_SENDER_MAIN
                              : role == UNIT_PROC_CONTROL ? UNIT_SENDER_CONTROL
                                                          : UNIT_SENDER_OTHER;   /* a health probe */
                return true;
        }
        *ret_sender = UNIT_SENDER_OTHER;
        /* Any other process: by its process group. */
        if ((*ret = by_group(pid)))
                return true;
        /* Then by its ancestors: a process that left the unit's groups
         * (setsid(), as erl_child_setup does before starting Erlang's heart
         * port program) still belongs to the unit it descends from. A
         * bounded walk up /proc, stopping at vigil or PID 1; only
         * NotifyAccess=all accepts such a sender. */
        pid_t self = os_getpid(), p = pid;
        for (int step = 0; step < ANCESTOR_STEPS; step++) {
                p = os_parent_of(p);
                if (p <= 1 || p == self)
                        return false;
                if (proc_index_find_pid(p, ret, &role) || (*ret = by_group(p)))
                        return true;
        }
        return false;
}
