/* SPDX-License-Identifier: MIT */
#include "supervise/unit_conditions.h"

#include "core/log.h"
#include "os/fd.h"
#include "os/files.h"
#include "os/proc.h"
#include "os/paths.h"
#include "os/system.h"
#include "os/user.h"
#include "unit/unit_condition.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

extern char **environ;

static bool truthy(const char *v) {
        return strcasecmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "y") == 0 ||
               strcasecmp(v, "true") == 0 || strcasecmp(v, "t") == 0 || strcasecmp(v, "on") == 0;
}

static bool file_has(const char *path, const char *needle) {
        char *text = NULL;
        bool found = os_read_file(path, 64 * 1024, &text, NULL) == 0 && strstr(text, needle);
        free(text);
        return found;
}

/* systemd-detect-virt's ids, as far as a few files tell: the container's
 * marker, else the DMI vendor or the cpu's hypervisor flag. */
static void detect_virt(char *vm, size_t vm_size, char *ct, size_t ct_size) {
        static const struct {
                const char *needle, *id;
        } dmi[] = { { "QEMU", "qemu" },     { "KVM", "kvm" },          { "VMware", "vmware" },
                    { "VirtualBox", "oracle" }, { "innotek", "oracle" }, { "Xen", "xen" },
                    { "Microsoft Corporation", "microsoft" }, { "Amazon EC2", "amazon" }, { "Google", "google" } };
        const char *env = getenv("container"), *why;
        vm[0] = ct[0] = '\0';
        if (env && *env)
                snprintf(ct, ct_size, "%s", env);
        else if (os_path_exists("/run/.containerenv") == 1)
                snprintf(ct, ct_size, "podman");
        else if (os_path_exists("/.dockerenv") == 1)
                snprintf(ct, ct_size, "docker");
        else if (os_getpid() == 1 && !os_is_machine_init(&why))
                snprintf(ct, ct_size, "container-other");   /* PID 1 of a PID namespace */
        for (size_t i = 0; i < sizeof(dmi) / sizeof(dmi[0]) && !vm[0]; i++)
                if (file_has("/sys/class/dmi/id/sys_vendor", dmi[i].needle) ||
                    file_has("/sys/class/dmi/id/product_name", dmi[i].needle))
                        snprintf(vm, vm_size, "%s", dmi[i].id);
        if (!vm[0] && file_has("/proc/cpuinfo", " hypervisor"))
                snprintf(vm, vm_size, "vm-other");
}

static bool virtualization(const char *v) {
        char vm[32], ct[64];
        detect_virt(vm, sizeof(vm), ct, sizeof(ct));
        if (strcmp(v, "vm") == 0)
                return vm[0] && !ct[0];
        if (strcmp(v, "container") == 0)
                return ct[0] != '\0';
        if (strcmp(v, "private-users") == 0)
                return file_has("/proc/self/uid_map", "") && !file_has("/proc/self/uid_map", "4294967295");
        if (strcasecmp(v, "no") == 0 || strcasecmp(v, "yes") == 0 || strcmp(v, "0") == 0 || strcmp(v, "1") == 0 ||
            strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0)
                return (vm[0] || ct[0]) == truthy(v);
        return strcmp(v, ct[0] ? ct : vm) == 0;
}

static bool capability(const char *v) {
        char *text = NULL, *p;
        unsigned long long mask = 0;
        int cap = condition_capability_from_string(v);
        if (cap < 0 || os_read_file("/proc/self/status", 64 * 1024, &text, NULL) < 0)
                return false;
        p = strstr(text, "\nCapBnd:");
        if (p)
                mask = strtoull(p + 8, NULL, 16);
        free(text);
        return p && (mask >> cap) & 1;
}

static bool kernel_cmdline(const char *v) {
        char *text = NULL;
        bool r = os_read_file("/proc/cmdline", 64 * 1024, &text, NULL) == 0 && condition_kernel_cmdline_matches(text, v);
        free(text);
        return r;
}

static bool host(const char *v) {
        char name[256], *id = NULL;
        bool r = os_get_hostname(name, sizeof(name)) == 0 && fnmatch(v, name, FNM_CASEFOLD) == 0;
        if (!r && os_read_file("/etc/machine-id", 4096, &id, NULL) == 0) {
                id[strcspn(id, "\n")] = '\0';
                r = strcasecmp(id, v) == 0;
        }
        free(id);
        return r;
}

static bool user_or_group(const char *v, bool group) {
        unsigned long id = group ? (unsigned long)os_getgid() : (unsigned long)os_getuid();
        if (strcmp(v, "@system") == 0)
                return id < 1000;   /* SYS_UID_MAX of login.defs on Debian */
        if (group) {
                gid_t g;
                return os_group_lookup(v, &g) == 0 && g == (gid_t)id;
        }
        struct os_user u;
        return os_user_lookup(v, &u) == 0 && u.uid == (uid_t)id;
}

static bool first_boot(void) {
        char *id = NULL;
        bool first = os_read_file("/etc/machine-id", 4096, &id, NULL) < 0 || id[0] == '\0' || id[0] == '\n' ||
                     strncmp(id, "uninitialized", 13) == 0;
        free(id);
        return first;
}

/* ConditionNeedsUpdate=: /usr changed after DIR/.updated was written. */
static bool needs_update(const char *dir) {
        char stamp[64];
        unsigned long long usr, upd;
        snprintf(stamp, sizeof(stamp), "%s/.updated", dir);
        if (os_path_size_mtime("/usr", NULL, &usr) < 0)
                return false;
        return os_path_size_mtime(stamp, NULL, &upd) < 0 || usr > upd;
}

static bool security(const char *v) {
        if (strcmp(v, "apparmor") == 0)
                return os_is_dir("/sys/kernel/security/apparmor");
        if (strcmp(v, "selinux") == 0)
                return os_is_dir("/sys/fs/selinux");
        return false;
}

static bool test_one(const struct unit_condition *c) {
        const char *v = c->value;
        mode_t type = 0;
        unsigned long long size = 0;
        char machine[64];
        switch (c->kind) {
        case COND_PATH_EXISTS: return os_path_exists(v) == 1;
        case COND_PATH_EXISTS_GLOB: return os_glob_matches(v) == 1;
        case COND_PATH_IS_DIRECTORY: return os_is_dir(v);
        case COND_PATH_IS_SYMBOLIC_LINK: return os_path_stat(v, &type, NULL, NULL, NULL) == 0 && type == S_IFLNK;
        case COND_PATH_IS_MOUNT_POINT: return os_is_mount_point(v) == 1;
        case COND_PATH_IS_READ_WRITE: return os_path_read_only(v) == 0;
        case COND_DIRECTORY_NOT_EMPTY: {
                struct os_dir_entry *e = NULL;
                size_t n = 0;
                int r = os_dir_list(v, 1, &e, &n);
                os_dir_list_free(&e, &n);
                return r == -E2BIG || (r == 0 && n > 0);
        }
        case COND_FILE_NOT_EMPTY: return os_path_size_mtime(v, &size, NULL) == 0 && size > 0;
        case COND_FILE_IS_EXECUTABLE: return os_is_executable_file(v);
        case COND_KERNEL_COMMAND_LINE: return kernel_cmdline(v);
        case COND_VIRTUALIZATION: return virtualization(v);
        case COND_CAPABILITY: return capability(v);
        case COND_ENVIRONMENT: return condition_environment_matches(environ, v);
        case COND_ARCHITECTURE:
                if (os_uname_machine(machine, sizeof(machine)) < 0)
                        return false;
                return strcmp(v, "native") == 0 || strcmp(v, condition_architecture_of(machine)) == 0;
        case COND_HOST: return host(v);
        case COND_USER: return user_or_group(v, false);
        case COND_GROUP: return user_or_group(v, true);
        case COND_FIRST_BOOT: return first_boot() == truthy(v);
        case COND_NEEDS_UPDATE: return needs_update(v);
        case COND_SECURITY: return security(v);
        case COND_AC_POWER: return truthy(v);   /* vigil takes the machine as on AC power */
        case COND_KIND_MAX: break;
        }
        return false;
}

int unit_conditions_check(const char *name, const struct unit_config *c) {
        const struct unit_conditions *l = &c->conditions;
        bool stack[32], *results = l->n <= 32 ? stack : malloc(l->n * sizeof(bool));
        size_t failed;
        int verdict;
        if (l->n == 0)
                return 1;
        if (!results) {
                log_error("%s: out of memory testing its conditions, not starting it", name);
                return -1;
        }
        for (size_t i = 0; i < l->n; i++)
                results[i] = test_one(&l->v[i]);
        verdict = unit_conditions_verdict(l, results, &failed);
        if (verdict < 1 && failed < l->n) {
                const struct unit_condition *f = &l->v[failed];
                log_msg(verdict == 0 ? LOG_LEVEL_NOTICE : LOG_LEVEL_ERROR, "%s: %s%s=%s%s%s %s", name,
                        f->assert ? "Assert" : "Condition", condition_kind_to_string(f->kind), f->trigger ? "|" : "",
                        f->negate ? "!" : "", f->value, verdict == 0 ? "not met, skipping" : "failed");
        }
        if (results != stack)
                free(results);
        return verdict;
}
