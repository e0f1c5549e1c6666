/* M5 controller. Each config's argv starts a namespace whose main command is
 * sigchild (configs and sigchild path are chosen by bench/run).
 *   sigbench term TRIALS CONFIGFILE   fresh namespace per trial; SIGTERM to PID 1
 *   sigbench usr1 TRIALS CONFIGFILE   one long-lived namespace per config, all
 *                                     alive at once; SIGUSR1 to PID 1 per trial
 * Trials run round-robin over the configs with a rotating start. Before each
 * signal the controller waits a random 10-30 ms so every process is asleep,
 * reads CLOCK_MONOTONIC, and calls kill() on the host pid of PID 1; the
 * child's handler stamps its receipt. Prints NAME TRIAL LATENCY_NS per trial
 * (LATENCY_NS -1 = no receipt within 2 s; -2 = skipped: after 3 failures in a
 * row a config is dropped, so a broken init cannot stall the benchmark). */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

struct ns {
	pid_t unshare_pid, pid1;
	int rfd;
};

/* Read one record within timeout_ms; 0 ok, -1 timeout/EOF. */
static int read_rec(int fd, struct rec *r, int timeout_ms)
{
	size_t got = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	while (got < sizeof *r) {
		uint64_t t = now_ns();
		if (t >= deadline)
			return -1;
		struct pollfd p = { fd, POLLIN, 0 };
		int pr = poll(&p, 1, (int)((deadline - t) / 1000000ull) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		ssize_t n = read(fd, (char *)r + got, sizeof *r - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int start_ns(struct config *c, struct ns *ns)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		dup2(p[1], 1);
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	close(p[1]);
	ns->unshare_pid = pid;
	ns->rfd = p[0];
	ns->pid1 = -1;
	struct rec r;
	if (read_rec(ns->rfd, &r, 5000) < 0 || r.kind != REC_READY) {
		fprintf(stderr, "sigbench: %s: no ready record\n", c->name);
		return -1;
	}
	for (int i = 0; i < 1000 && ns->pid1 <= 0; i++) {
		ns->pid1 = first_child(pid);
		if (ns->pid1 <= 0)
			sleep_ns(1000000);
	}
	return ns->pid1 > 0 ? 0 : -1;
}

/* Wait for unshare to exit; after timeout_ms kill the namespace. */
static void stop_ns(struct ns *ns, int timeout_ms)
{
	int st;
	for (int i = 0; i < timeout_ms; i++) {
		if (waitpid(ns->unshare_pid, &st, WNOHANG) == ns->unshare_pid)
			goto done;
		sleep_ns(1000000);
	}
	if (ns->pid1 <= 0)
		ns->pid1 = first_child(ns->unshare_pid);
	if (ns->pid1 > 0)
		kill(ns->pid1, SIGKILL); /* PID 1 dies: the kernel kills the namespace */
	kill(ns->unshare_pid, SIGKILL);
	waitpid(ns->unshare_pid, &st, 0);
done:
	close(ns->rfd);
}

static long long one_signal(struct ns *ns, int sig)
{
	sleep_ns(10000000ull + (uint64_t)(rand() % 20000) * 1000ull);
	uint64_t t0 = now_ns();
	kill(ns->pid1, sig);
	struct rec r;
	while (read_rec(ns->rfd, &r, 2000) == 0) {
		if (r.kind == REC_SIGNAL && (int)r.sig == sig)
			return (long long)(r.t_ns - t0);
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "term") && strcmp(argv[1], "usr1"))) {
		fprintf(stderr, "usage: sigbench term|usr1 TRIALS CONFIGFILE\n");
		return 2;
	}
	int term = !strcmp(argv[1], "term");
	int trials = atoi(argv[2]);
	struct config cfg[MAX_CONFIGS];
	int n = read_configs(argv[3], cfg);
	srand(12345);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int fails[MAX_CONFIGS] = { 0 };
	if (term) {
		for (int t = 0; t < trials; t++)
			for (int k = 0; k < n; k++) {
				int i = (t + k) % n;
				struct config *c = &cfg[i];
				if (fails[i] >= 3) {
					printf("%s %d -2\n", c->name, t);
					continue;
				}
				struct ns ns;
				long long lat = -1;
				if (start_ns(c, &ns) == 0)
					lat = one_signal(&ns, SIGTERM);
				stop_ns(&ns, 5000);
				fails[i] = lat < 0 ? fails[i] + 1 : 0;
				printf("%s %d %lld\n", c->name, t, lat);
			}
		return 0;
	}

	struct ns all[MAX_CONFIGS];
	int ok[MAX_CONFIGS];
	for (int k = 0; k < n; k++)
		ok[k] = start_ns(&cfg[k], &all[k]) == 0;
	sleep_ns(200000000ull);
	for (int t = 0; t < trials; t++)
		for (int k = 0; k < n; k++) {
			int i = (t + k) % n;
			long long lat = -2;
			if (ok[i] && fails[i] < 3) {
				lat = one_signal(&all[i], SIGUSR1);
				fails[i] = lat < 0 ? fails[i] + 1 : 0;
			}
			printf("%s %d %lld\n", cfg[i].name, t, lat);
		}
	for (int k = 0; k < n; k++)
		if (all[k].pid1 > 0)
			kill(all[k].pid1, SIGTERM);
	for (int k = 0; k < n; k++)
		stop_ns(&all[k], 5000);
	return 0;
}
