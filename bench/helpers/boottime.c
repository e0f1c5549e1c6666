/* Boot -> first unit running, one trial: boottime SVCDIR TIMEOUT_MS -- ARGV...
 * Removes SVCDIR/stamps, watches SVCDIR with inotify, reads CLOCK_MONOTONIC,
 * fork()s and execv()s ARGV (`unshare -pf --mount-proc SUPERVISOR ...`, in
 * its own session). The service is `stamp`, whose first act is reading the
 * same clock and appending it to ./stamps (its working directory is SVCDIR).
 * When stamps is closed after writing, prints "NS" (stamp - t0 in ns) and
 * kills the namespace (SIGKILL to its PID 1, then to the session); prints
 * "-1" if no stamp came within TIMEOUT_MS. Exit 0 unless set-up failed. */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>

static uint64_t read_stamp(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0 || buf[n - 1] != '\n')
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

static void kill_ns(pid_t child)
{
	pid_t p1 = first_child(child);
	if (p1 > 0)
		kill(p1, SIGKILL);
	for (int i = 0; i < 500; i++) {
		if (waitpid(child, NULL, WNOHANG) == child)
			return;
		sleep_ns(10 * 1000 * 1000);
		if (i == 100)
			kill(-child, SIGKILL); /* unshare and anything left in its session */
	}
	kill(-child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: boottime SVCDIR TIMEOUT_MS -- ARGV...\n");
		return 2;
	}
	const char *dir = argv[1];
	int timeout_ms = atoi(argv[2]);
	char path[4096];
	snprintf(path, sizeof path, "%s/stamps", dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return perror("unlink"), 1;
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, dir, IN_CLOSE_WRITE) < 0)
		return perror("inotify"), 1;
	uint64_t t0 = now_ns();
	pid_t child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		setsid();
		execv(argv[4], argv + 4);
		_exit(127);
	}
	uint64_t stamp = 0;
	uint64_t end = t0 + (uint64_t)timeout_ms * 1000000ull;
	while (!stamp) {
		uint64_t now = now_ns();
		if (now >= end)
			break;
		struct pollfd p = { .fd = in, .events = POLLIN };
		int r = poll(&p, 1, (int)((end - now) / 1000000ull) + 1);
		if (r < 0 && errno != EINTR)
			return perror("poll"), 1;
		char ev[4096];
		while (read(in, ev, sizeof ev) > 0)
			;
		stamp = read_stamp(path);
	}
	kill_ns(child);
	printf("%lld\n", stamp ? (long long)(stamp - t0) : -1ll);
	return 0;
}
