/* SPDX-License-Identifier: MIT */
#include "base/signame.h"

#include "base/num.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const names[] = {
        [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
        [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
        [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
        [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
        [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
        [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
        [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ",     [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
        [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
        [SIGSYS] = "SIGSYS",
};

#define N_NAMES ((int)(sizeof(names) / sizeof(names[0])))

const char *signame_from_number(int sig, char *buf, size_t size) {
        if (sig > 0 && sig < N_NAMES && names[sig])
                return names[sig];
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, size, "%d", sig);
        return buf;
}

int signame_to_number(const char *name, int *ret) {
        uint64_t n;

        if (num_parse_u64_max(name, _NSIG - 1, &n) == 0) {
                if (n == 0)
                        return -EINVAL;
                *ret = (int)n;
                return 0;
        }
        const char *bare = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
        for (int i = 1; i < N_NAMES; i++)
                if (names[i] && strcasecmp(bare, names[i] + 3) == 0) {
                        *ret = i;
                        return 0;
                }
        if (strncasecmp(bare, "RTMIN", 5) == 0) {
                uint64_t off = 0;
                if (bare[5] != '\0' && (bare[5] != '+' || num_parse_u64(bare + 6, &off) < 0))
                        return -EINVAL;
                if (off > (uint64_t)(SIGRTMAX - SIGRTMIN))
                        return -EINVAL;
                *ret = SIGRTMIN + (int)off;
                return 0;
        }
        return -EINVAL;
}
