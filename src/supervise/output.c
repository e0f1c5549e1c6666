/* SPDX-License-Identifier: MIT */
#include "supervise/output.h"

#include <stddef.h>

int output_source_open(const char *ident, struct output_source **ret, int *ret_write_fd) {
        (void)ident;
        if (ret)
                *ret = NULL;
        *ret_write_fd = -1;
        return 0;
}

void output_source_set_pid(struct output_source *s, pid_t pid) {
        (void)s;
        (void)pid;
}
