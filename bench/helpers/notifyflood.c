/* notifyflood GOFILE OUTFILE SECONDS: one sender of the notify throughput
 * bench (bench/notify), run as the main process of a Type=notify unit with
 * WatchdogSec=.
 *
 * READY=1, then a barrier (vigil has handled it), then OUTFILE.up. Waits for
 * GOFILE (the driver writes a CLOCK_MONOTONIC start time in ns into it),
 * then sends WATCHDOG=1 on one connected socket as fast as the socket takes
 * it until start + SECONDS, counting the sends; then BARRIER=1, so the end
 * time is when vigil has handled the last one. OUTFILE: "SENT T_END_NS
 * T_BARRIER_NS ERRORS". Then it waits for the stop signal. */
#include "notify_common.h"
#include <signal.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: notifyflood GOFILE OUTFILE SECONDS\n");
		return 2;
	}
	const char *gofile = argv[1], *out = argv[2];
	uint64_t span = (uint64_t)(atof(argv[3]) * 1e9);
	int fd = notify_connect();
	if (notify_send(fd, "READY=1", 7) < 0 || notify_barrier(fd, 20000) < 0) {
		perror("READY=1");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s.up", out);
	write_file(path, "up\n");

	unsigned long long go = 0;
	for (int i = 0; i < 60000 && go == 0; i++) {
		FILE *f = fopen(gofile, "r");
		if (f) {
			if (fscanf(f, "%llu", &go) != 1)
				go = 0;
			fclose(f);
		}
		if (go == 0)
			sleep_ns(1000000);
	}
	if (go == 0) {
		fprintf(stderr, "notifyflood: no %s\n", gofile);
		return 2;
	}
	while (now_ns() < go)
		sleep_ns(200000);

	uint64_t sent = 0, errors = 0, end = go + span, t;
	static const char msg[] = "WATCHDOG=1";
	while ((t = now_ns()) < end) {
		if (notify_send(fd, msg, sizeof msg - 1) == 0)
			sent++;
		else
			errors++;
	}
	int b = notify_barrier(fd, 60000);
	uint64_t tb = now_ns();
	char line[128];
	snprintf(line, sizeof line, "%llu %llu %llu %llu\n", (unsigned long long)sent, (unsigned long long)t,
		 b == 0 ? (unsigned long long)tb : 0ull, (unsigned long long)errors);
	write_file(out, line);
	for (;;)
		pause();
}
