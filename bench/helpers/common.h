/* Shared bits of the bench helpers: the monotonic clock in ns, the host pid
 * of the PID 1 that `unshare --fork` started, the config-file reader, and
 * the record the signal child writes. Header-only; each helper is one .c. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The first child of `pid` (unshare's forked child = the namespace's PID 1),
 * or -1 if it has none yet. */
static inline pid_t first_child(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int c = -1;
	if (fscanf(f, "%d", &c) != 1)
		c = -1;
	fclose(f);
	return (pid_t)c;
}

/* A config file: one run target per line, fields separated by TABs; field 0
 * is the name, the rest is argv. */
#define MAX_CONFIGS 32
#define MAX_ARGS 32
struct config {
	char *name;
	char *argv[MAX_ARGS + 1];
};

static inline int read_configs(const char *path, struct config *cfg)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	char line[4096];
	int n = 0;
	while (n < MAX_CONFIGS && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		char *save = NULL, *tok = strtok_r(line, "\t", &save);
		cfg[n].name = strdup(tok);
		int a = 0;
		while (a < MAX_ARGS && (tok = strtok_r(NULL, "\t", &save)))
			cfg[n].argv[a++] = strdup(tok);
		cfg[n].argv[a] = NULL;
		if (a == 0) {
			fprintf(stderr, "%s: config %s has no argv\n", path, cfg[n].name);
			exit(2);
		}
		n++;
	}
	fclose(f);
	return n;
}

/* What sigchild writes on its stdout: one 16-byte record (atomic pipe write). */
enum { REC_READY = 1, REC_SIGNAL = 2 };
struct rec {
	uint32_t kind;
	uint32_t sig;
	uint64_t t_ns;
};

#endif
