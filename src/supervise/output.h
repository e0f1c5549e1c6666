/* SPDX-License-Identifier: MIT */
/* Service output capture (placeholder until the output module lands):
 * every source inherits vigil's stdout. */
#ifndef VIGIL_SUPERVISE_OUTPUT_H
#define VIGIL_SUPERVISE_OUTPUT_H

#include <sys/types.h>

struct output_source;

int output_source_open(const char *ident, struct output_source **ret, int *ret_write_fd);
void output_source_set_pid(struct output_source *s, pid_t pid);

#endif
