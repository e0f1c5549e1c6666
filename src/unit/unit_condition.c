/* SPDX-License-Identifier: MIT */
#include "unit/unit_condition.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[COND_KIND_MAX] = {
        [COND_PATH_EXISTS] = "PathExists",
        [COND_PATH_EXISTS_GLOB] = "PathExistsGlob",
        [COND_PATH_IS_DIRECTORY] = "PathIsDirectory",
        [COND_PATH_IS_SYMBOLIC_LINK] = "PathIsSymbolicLink",
        [COND_PATH_IS_MOUNT_POINT] = "PathIsMountPoint",
        [COND_PATH_IS_READ_WRITE] = "PathIsReadWrite",
        [COND_DIRECTORY_NOT_EMPTY] = "DirectoryNotEmpty",
        [COND_FILE_NOT_EMPTY] = "FileNotEmpty",
        [COND_FILE_IS_EXECUTABLE] = "FileIsExecutable",
        [COND_KERNEL_COMMAND_LINE] = "KernelCommandLine",
        [COND_VIRTUALIZATION] = "Virtualization",
        [COND_CAPABILITY] = "Capability",
        [COND_ENVIRONMENT] = "Environment",
        [COND_ARCHITECTURE] = "Architecture",
        [COND_HOST] = "Host",
        [COND_USER] = "User",
        [COND_GROUP] = "Group",
        [COND_FIRST_BOOT] = "FirstBoot",
        [COND_NEEDS_UPDATE] = "NeedsUpdate",
        [COND_SECURITY] = "Security",
        [COND_AC_POWER] = "ACPower",
};

void unit_conditions_free(struct unit_conditions *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i].value);
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

const char *condition_kind_to_string(enum condition_kind k) {
        return (unsigned)k < COND_KIND_MAX ? kind_names[k] : "invalid";
}

int condition_kind_from_string(const char *name) {
        for (int i = 0; i < COND_KIND_MAX; i++)
                if (strcmp(kind_names[i], name) == 0)
                        return i;
        return -EINVAL;
}

/* capability(7), in number order. */
static const char *const cap_names[] = {
        "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
        "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
        "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
        "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
        "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
        "perfmon", "bpf", "checkpoint_restore",
};

int condition_capability_from_string(const char *name) {
        if (strncasecmp(name, "cap_", 4) == 0)
                name += 4;
        for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
                if (strcasecmp(cap_names[i], name) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *condition_architecture_of(const char *machine) {
        static const struct {
                const char *uname, *systemd;
        } table[] = { { "x86_64", "x86-64" }, { "i386", "x86" },   { "i486", "x86" },     { "i586", "x86" },
                      { "i686", "x86" },      { "aarch64", "arm64" }, { "aarch64_be", "arm64-be" },
                      { "armv7l", "arm" },    { "armv6l", "arm" },  { "armv8l", "arm" },   { "riscv64", "riscv64" },
                      { "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" }, { "s390x", "s390x" }, { "mips64", "mips64" },
                      { "loongarch64", "loongarch64" } };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (strcmp(table[i].uname, machine) == 0)
                        return table[i].systemd;
        return machine;
}

static bool is_bool(const char *v) {
        static const char *const words[] = { "1", "yes", "y", "true", "t", "on", "0", "no", "n", "false", "f", "off" };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strcasecmp(v, words[i]) == 0)
                        return true;
        return false;
}

const char *condition_value_check(enum condition_kind kind, const char *value) {
        if (*value == '\0')
                return "expected a value";
        switch (kind) {
        case COND_PATH_EXISTS: case COND_PATH_EXISTS_GLOB: case COND_PATH_IS_DIRECTORY:
        case COND_PATH_IS_SYMBOLIC_LINK: case COND_PATH_IS_MOUNT_POINT: case COND_PATH_IS_READ_WRITE:
        case COND_DIRECTORY_NOT_EMPTY: case COND_FILE_NOT_EMPTY: case COND_FILE_IS_EXECUTABLE:
                return value[0] == '/' ? NULL : "the path must be absolute";
        case COND_NEEDS_UPDATE:
                return strcmp(value, "/etc") == 0 || strcmp(value, "/var") == 0 ? NULL : "expected /etc or /var";
        case COND_FIRST_BOOT:
        case COND_AC_POWER:
                return is_bool(value) ? NULL : "expected a boolean";
        case COND_CAPABILITY:
                return condition_capability_from_string(value) >= 0 ? NULL : "not a capability name (capabilities(7))";
        default:
                return NULL;
        }
}

/* The next word of cmdline (kernel quoting: "..." may hold spaces). */
static const char *next_word(const char *p, size_t *ret_len) {
        const char *s;
        bool quoted = false;
        while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
        if (*p == '\0')
                return NULL;
        for (s = p; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
                if (*p == '"')
                        quoted = !quoted;
        *ret_len = (size_t)(p - s);
        return s;
}

bool condition_kernel_cmdline_matches(const char *cmdline, const char *value) {
        size_t vlen = strlen(value), len;
        bool has_eq = strchr(value, '=') != NULL;
        for (const char *w = next_word(cmdline, &len); w; w = next_word(w + len, &len)) {
                if (has_eq ? (len == vlen && memcmp(w, value, len) == 0)
                           : (len >= vlen && memcmp(w, value, vlen) == 0 && (len == vlen || w[vlen] == '=')))
                        return true;
        }
        return false;
}

bool condition_environment_matches(char *const *env, const char *value) {
        size_t vlen = strlen(value);
        bool has_eq = strchr(value, '=') != NULL;
        for (char *const *e = env; e && *e; e++) {
                if (has_eq ? strcmp(*e, value) == 0 : (strncmp(*e, value, vlen) == 0 && (*e)[vlen] == '='))
                        return true;
        }
        return false;
}

/* One family (asserts or conditions): 1 holds, 0 fails with *failed. */
static int judge(const struct unit_conditions *l, const bool *results, bool asserts, size_t *failed) {
        size_t first_trigger = SIZE_MAX;
        bool any_trigger = false, trigger_held = false;
        for (size_t i = 0; i < l->n; i++) {
                const struct unit_condition *c = &l->v[i];
                if (c->assert != asserts)
                        continue;
                bool held = results[i] != c->negate;
                if (c->trigger) {
                        if (!any_trigger)
                                first_trigger = i;
                        any_trigger = true;
                        trigger_held = trigger_held || held;
                } else if (!held) {
                        *failed = i;
                        return 0;
                }
        }
        if (any_trigger && !trigger_held) {
                *failed = first_trigger;
                return 0;
        }
        return 1;
}

int unit_conditions_verdict(const struct unit_conditions *l, const bool *results, size_t *ret_failed) {
        *ret_failed = SIZE_MAX;
        if (judge(l, results, true, ret_failed) == 0)
                return -1;
        return judge(l, results, false, ret_failed);
}
