/* Restart-latency service: reads CLOCK_MONOTONIC first thing, appends it (ns,
 * one line) to ./stamps in its working directory, and exits 0 at once. Every
 * supervisor under test runs it as its service (runsv's and s6-supervise's
 * ./run is a symlink to it), so consecutive lines are consecutive starts and
 * their gaps are the supervisor's restart cycle. No stdio: one write(2) of a
 * short line to an O_APPEND file is atomic. */
#include "common.h"
#include <fcntl.h>

int main(void)
{
	uint64_t t = now_ns(); /* first thing */
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%llu\n", (unsigned long long)t);
	int fd = open("stamps", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return 111;
	if (write(fd, buf, (size_t)n) != n)
		return 111;
	close(fd);
	return 0;
}
