/* Stop-time timer: times a stop request until every given process is gone.
 *   stopwatch [-s SUPPID [-w SECS]] [-t TIMEOUT_S] PID... -- signal SIG PID
 *   stopwatch [-s SUPPID [-w SECS]] [-t TIMEOUT_S] PID... -- exec ARGV...
 * PIDs are host pids of the service processes. t0 is read right before the
 * request: kill(PID, SIG), or fork + execvp of ARGV (a control command such
 * as `sv down ...`, its stdout sent to stderr, not waited for before the
 * clock starts). Each PID is
 * watched through a pidfd (readable when the process has exited) and then
 * with kill(pid, 0) every 100 µs until its zombie is reaped (ESRCH): that is
 * "gone". -s SUPPID also reports when the supervisor itself exits; -w SECS
 * waits up to SECS more for that once the services are gone. Prints one JSON
 * line: {"t0_ns", "exit_ms": [...], "gone_ms": [...], "left", "cmd_ms",
 * "cmd_status", "sup_ms"} (times from t0; -1 = did not happen in time). */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_PIDS 256

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static double ms_since(uint64_t t0, uint64_t t)
{
	return (double)(t - t0) / 1e6;
}

int main(int argc, char **argv)
{
	pid_t sup = 0;
	double wait_sup_s = 0;
	double timeout_s = 30;
	int opt;
	while ((opt = getopt(argc, argv, "+s:w:t:")) != -1) {
		switch (opt) {
		case 's': sup = (pid_t)atoi(optarg); break;
		case 'w': wait_sup_s = atof(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		default: return 2;
		}
	}
	pid_t pid[MAX_PIDS];
	int n = 0;
	while (optind < argc && strcmp(argv[optind], "--") != 0 && n < MAX_PIDS)
		pid[n++] = (pid_t)atoi(argv[optind++]);
	if (optind >= argc || strcmp(argv[optind], "--") != 0 || optind + 2 >= argc || n == 0) {
		fprintf(stderr, "usage: stopwatch [-s SUPPID [-w SECS]] [-t TIMEOUT_S] PID... -- "
				"signal SIG PID | exec ARGV...\n");
		return 2;
	}
	char **action = argv + optind + 1;

	int fd[MAX_PIDS];
	uint64_t t_exit[MAX_PIDS] = { 0 }, t_gone[MAX_PIDS] = { 0 };
	for (int i = 0; i < n; i++) {
		fd[i] = pidfd_open_(pid[i]);
		if (fd[i] < 0) {
			fprintf(stderr, "stopwatch: pidfd_open %d: %s\n", (int)pid[i], strerror(errno));
			return 3;
		}
	}
	int sup_fd = sup > 0 ? pidfd_open_(sup) : -1;
	if (sup > 0 && sup_fd < 0) {
		fprintf(stderr, "stopwatch: pidfd_open %d: %s\n", (int)sup, strerror(errno));
		return 3;
	}

	pid_t cmd = -1;
	int cmd_fd = -1, cmd_status = -1;
	uint64_t t_cmd = 0, t_sup = 0;
	uint64_t t0 = now_ns();
	if (strcmp(action[0], "signal") == 0 && action[1] && action[2]) {
		if (kill((pid_t)atoi(action[2]), atoi(action[1])) < 0) {
			fprintf(stderr, "stopwatch: kill: %s\n", strerror(errno));
			return 3;
		}
	} else if (strcmp(action[0], "exec") == 0 && action[1]) {
		cmd = fork();
		if (cmd < 0) {
			perror("fork");
			return 3;
		}
		if (cmd == 0) {
			dup2(2, 1); /* its chatter must not mix with our JSON */
			execvp(action[1], action + 1);
			_exit(127);
		}
		cmd_fd = pidfd_open_(cmd);
	} else {
		fprintf(stderr, "stopwatch: bad action %s\n", action[0]);
		return 2;
	}

	uint64_t deadline = t0 + (uint64_t)(timeout_s * 1e9);
	int gone = 0;
	uint64_t t_all_gone = 0;
	for (;;) {
		uint64_t now = now_ns();
		int sup_pending = sup_fd >= 0 && !t_sup;
		int cmd_pending = cmd_fd >= 0 && !t_cmd;
		if (gone == n && !t_all_gone)
			t_all_gone = now;
		if (now >= deadline)
			break;
		if (t_all_gone && !cmd_pending &&
		    (!sup_pending || now >= t_all_gone + (uint64_t)(wait_sup_s * 1e9)))
			break;
		struct pollfd pfd[MAX_PIDS + 2];
		int who[MAX_PIDS + 2], m = 0, reaping = 0;
		for (int i = 0; i < n; i++) {
			if (!t_exit[i]) {
				pfd[m] = (struct pollfd){ .fd = fd[i], .events = POLLIN };
				who[m++] = i;
			} else if (!t_gone[i]) {
				reaping = 1;
			}
		}
		if (sup_pending) {
			pfd[m] = (struct pollfd){ .fd = sup_fd, .events = POLLIN };
			who[m++] = -1;
		}
		if (cmd_pending) {
			pfd[m] = (struct pollfd){ .fd = cmd_fd, .events = POLLIN };
			who[m++] = -2;
		}
		int ms = reaping ? 0 : (int)((deadline - now) / 1000000 + 1);
		if (ms > 50)
			ms = 50;
		int r = poll(pfd, (nfds_t)m, ms);
		uint64_t t = now_ns();
		if (r < 0 && errno != EINTR) {
			perror("poll");
			return 3;
		}
		for (int k = 0; r > 0 && k < m; k++) {
			if (!pfd[k].revents)
				continue;
			if (who[k] >= 0) {
				t_exit[who[k]] = t;
			} else if (who[k] == -1) {
				t_sup = t;
			} else {
				t_cmd = t;
				waitpid(cmd, &cmd_status, 0);
			}
		}
		for (int i = 0; i < n; i++) {
			if (t_exit[i] && !t_gone[i] && kill(pid[i], 0) < 0 && errno == ESRCH) {
				t_gone[i] = now_ns();
				gone++;
			}
		}
		if (reaping)
			sleep_ns(100000);
	}
	if (cmd > 0 && !t_cmd) {
		kill(cmd, SIGKILL);
		waitpid(cmd, &cmd_status, 0);
		cmd_status = -1;
	}

	printf("{\"t0_ns\": %llu, \"exit_ms\": [", (unsigned long long)t0);
	for (int i = 0; i < n; i++)
		printf("%s%.3f", i ? ", " : "", t_exit[i] ? ms_since(t0, t_exit[i]) : -1.0);
	printf("], \"gone_ms\": [");
	for (int i = 0; i < n; i++)
		printf("%s%.3f", i ? ", " : "", t_gone[i] ? ms_since(t0, t_gone[i]) : -1.0);
	printf("], \"left\": %d, \"cmd_ms\": %.3f, \"cmd_status\": %d, \"sup_ms\": %.3f}\n", n - gone,
	       t_cmd ? ms_since(t0, t_cmd) : -1.0, cmd_status, t_sup ? ms_since(t0, t_sup) : -1.0);
	return 0;
}
