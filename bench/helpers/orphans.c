/* M4 main command: makes N double-forked orphans, releases them so they all
 * exit at once, and times how long PID 1 takes to reap them.
 *   orphans N
 * Each orphan is a grandchild: the middle child forks it and exits at once,
 * so the grandchild is re-parented to PID 1; every grandchild blocks reading
 * a shared pipe. Once all N exist (middle children reaped by us), we close
 * the pipe's write end: every orphan's read() returns 0 and it _exit()s.
 * Then we scan /proc (the namespace's own, from --mount-proc) until no
 * process but PID 1 and ourselves is left, i.e. every orphan has exited and
 * been reaped. Prints one JSON object:
 *   fork_ms   first fork -> last orphan made
 *   drain_ms  release (right after the last fork) -> nothing left
 *   total_ms  first fork -> nothing left
 *   exited_ms release -> first scan that saw no orphan still running (the rest
 *             of drain_ms is PID 1's reaping tail, to scan resolution)
 *   left, zombies  what was still there when we gave up (15 s), else 0.
 * Each scan reads every remaining /proc/PID/stat, so scans are coarse while
 * many orphans remain and fine near the end, where the difference lies. */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

/* Count processes other than PID 1 and self (*live: those not in state Z). */
static int scan(pid_t self, int *live)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int n = 0;
	*live = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid_t p = (pid_t)atoi(e->d_name);
		if (p == 1 || p == self)
			continue;
		n++;
		char path[64], buf[256];
		snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue; /* gone meanwhile */
		ssize_t k = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (k <= 0)
			continue;
		buf[k] = 0;
		char *rp = strrchr(buf, ')');
		if (!rp || rp[1] != ' ' || rp[2] != 'Z')
			(*live)++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	pid_t self = getpid();
	int gate[2];
	if (pipe(gate) < 0) {
		perror("pipe");
		return 1;
	}
	signal(SIGCHLD, SIG_DFL);

	uint64_t t_first = now_ns();
	for (int i = 0; i < n; i++) {
		pid_t mid = fork();
		if (mid < 0) {
			perror("fork");
			return 1;
		}
		if (mid == 0) {
			pid_t g = fork();
			if (g == 0) {
				char c;
				close(gate[1]);
				while (read(gate[0], &c, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			_exit(g < 0 ? 1 : 0);
		}
	}
	/* Reap the middle children: then every grandchild belongs to PID 1. */
	for (int i = 0; i < n; i++)
		while (waitpid(-1, NULL, 0) < 0 && errno == EINTR)
			;
	uint64_t t_last = now_ns();
	close(gate[1]);

	int left = 0, live = 0;
	uint64_t t_end, t_dead = 0;
	for (;;) {
		left = scan(self, &live);
		t_end = now_ns();
		if (live == 0 && !t_dead)
			t_dead = t_end;
		if (left == 0)
			break;
		if (t_end - t_last > 15000000000ull)
			break;
		sleep_ns(100000);
	}
	printf("{\"n\": %d, \"fork_ms\": %.3f, \"drain_ms\": %.3f, \"total_ms\": %.3f, "
	       "\"exited_ms\": %.3f, \"left\": %d, \"zombies\": %d}\n",
	       n, (t_last - t_first) / 1e6, (t_end - t_last) / 1e6, (t_end - t_first) / 1e6,
	       t_dead ? (t_dead - t_last) / 1e6 : -1.0, left, left - live);
	return 0;
}
