/* SPDX-License-Identifier: MIT */
/* Signal names <-> numbers ("SIGTERM", "TERM", "15"; "SIGRTMIN+3"). Pure. */
#ifndef VIGIL_BASE_SIGNAME_H
#define VIGIL_BASE_SIGNAME_H

#include <stddef.h>

/* "SIGTERM" for 15, "SIGRTMIN+3" for real-time signals; buf for unknown. */
const char *signame_from_number(int sig, char *buf, size_t size);
/* -EINVAL for an unknown name or a number outside 1.._NSIG-1. */
int signame_to_number(const char *name, int *ret);

#endif
