/* SPDX-License-Identifier: MIT */
#include "unit/cgroup_limits.h"

#include "base/num.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const controller_names[CGROUP_CONTROLLER_MAX] = {
        [CGROUP_CONTROLLER_MEMORY] = "memory",
        [CGROUP_CONTROLLER_PIDS] = "pids",
        [CGROUP_CONTROLLER_CPU] = "cpu",
        [CGROUP_CONTROLLER_IO] = "io",
};

const char *cgroup_controller_name(enum cgroup_controller c) {
        return (unsigned)c < CGROUP_CONTROLLER_MAX ? controller_names[c] : "?";
}

unsigned cgroup_controllers_parse(const char *line) {
        unsigned bits = 0;
        const char *p = line;
        while (*p) {
                while (*p == ' ' || *p == '\n' || *p == '\t')
                        p++;
                size_t len = strcspn(p, " \n\t");
                for (unsigned c = 0; c < CGROUP_CONTROLLER_MAX; c++)
                        if (len == strlen(controller_names[c]) && strncmp(p, controller_names[c], len) == 0)
                                bits |= 1u << c;
                p += len;
        }
        return bits;
}

static void add(struct cgroup_setting *ret, size_t *n, const char *key, const char *file,
                enum cgroup_controller controller, const char *value) {
        struct cgroup_setting *s = &ret[(*n)++];
        s->key = key;
        s->file = file;
        s->controller = controller;
        snprintf(s->value, sizeof(s->value), "%s", value);
}

/* Bytes or "max" (UINT64_MAX is infinity, already refused by the parser as a size). */
static void bytes_or_max(uint64_t v, char *buf, size_t cap) {
        if (v == UINT64_MAX)
                snprintf(buf, cap, "max");
        else
                snprintf(buf, cap, "%" PRIu64, v);
}

/* CPUQuota= is per second of wall time (systemd); cpu.max is per period:
 * quota * period / 1 s, at least the kernel's 1 ms. */
static void cpu_max(uint64_t quota_per_sec_usec, char *buf, size_t cap) {
        uint64_t q = quota_per_sec_usec / (1000000u / CGROUP_CPU_PERIOD_USEC);
        if (q < CGROUP_CPU_QUOTA_MIN_USEC)
                q = CGROUP_CPU_QUOTA_MIN_USEC;
        snprintf(buf, cap, "%" PRIu64 " %u", q, CGROUP_CPU_PERIOD_USEC);
}

size_t cgroup_settings_of(const struct unit_config *c, struct cgroup_setting *ret) {
        size_t n = 0;
        char v[48];
        if (c->memory_max != UINT64_MAX) {
                bytes_or_max(c->memory_max, v, sizeof(v));
                add(ret, &n, "MemoryMax", "memory.max", CGROUP_CONTROLLER_MEMORY, v);
        }
        if (c->memory_high != UINT64_MAX) {
                bytes_or_max(c->memory_high, v, sizeof(v));
                add(ret, &n, "MemoryHigh", "memory.high", CGROUP_CONTROLLER_MEMORY, v);
        }
        if (c->tasks_max != UINT64_MAX) {
                bytes_or_max(c->tasks_max, v, sizeof(v));
                add(ret, &n, "TasksMax", "pids.max", CGROUP_CONTROLLER_PIDS, v);
        }
        if (c->cpu_weight != 0) {
                snprintf(v, sizeof(v), "%" PRIu64, c->cpu_weight);
                add(ret, &n, "CPUWeight", "cpu.weight", CGROUP_CONTROLLER_CPU, v);
        }
        if (c->cpu_quota_usec != 0) {
                cpu_max(c->cpu_quota_usec, v, sizeof(v));
                add(ret, &n, "CPUQuota", "cpu.max", CGROUP_CONTROLLER_CPU, v);
        }
        if (c->io_weight != 0) {
                /* "default N": the weight of devices without their own line. */
                snprintf(v, sizeof(v), "default %" PRIu64, c->io_weight);
                add(ret, &n, "IOWeight", "io.weight", CGROUP_CONTROLLER_IO, v);
        }
        return n;
}

static int number(const char *s, size_t len, uint64_t *ret) {
        char buf[24];
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return num_parse_u64_max(buf, UINT64_MAX, ret) < 0 ? -EINVAL : 0;
}

int cgroup_flat_value(const char *text, const char *key, uint64_t *ret) {
        size_t klen = strlen(key);
        for (const char *p = text; p && *p;) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t)(eol - p) : strlen(p);
                if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ')
                        return number(p + klen + 1, len - klen - 1, ret);
                p = eol ? eol + 1 : NULL;
        }
        return -ENOENT;
}

int cgroup_single_value(const char *text, uint64_t *ret) {
        size_t len = strcspn(text, "\n");
        if (len == 3 && strncmp(text, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        return number(text, len, ret);
}
