/* wdmiss OUTFILE PINGS PERIOD_MS: one trial of the watchdog detection
 * latency bench (bench/notify), as the main process of a Type=notify unit
 * with WatchdogSec= and Restart=always.
 *
 * READY=1, then PINGS times WATCHDOG=1, PERIOD_MS apart, reading
 * CLOCK_MONOTONIC just before the last one; then it stops pinging and waits
 * for SIGABRT with sigwaitinfo() (blocked, so it is taken the moment it is
 * delivered, and the clock is read right after). Appends "T_LAST_PING_NS
 * T_SIGNAL_NS WATCHDOG_USEC" to OUTFILE, then dies of SIGABRT (default
 * action, no core). The deadline is T_LAST_PING + WATCHDOG_USEC: vigil
 * received that ping a little later, so the latency measured from it is,
 * if anything, a little too long. */
#include "notify_common.h"
#include <signal.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: wdmiss OUTFILE PINGS PERIOD_MS\n");
		return 2;
	}
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
	sigset_t abrt;
	sigemptyset(&abrt);
	sigaddset(&abrt, SIGABRT);
	sigprocmask(SIG_BLOCK, &abrt, NULL);
	const char *usec = getenv("WATCHDOG_USEC");
	if (!usec) {
		fprintf(stderr, "wdmiss: no WATCHDOG_USEC\n");
		return 2;
	}
	int pings = atoi(argv[2]);
	uint64_t period = (uint64_t)atoi(argv[3]) * 1000000ull;
	int fd = notify_connect();
	if (notify_send(fd, "READY=1", 7) < 0)
		return 2;
	uint64_t last = 0;
	for (int i = 0; i < pings; i++) {
		sleep_ns(period);
		last = now_ns();
		if (notify_send(fd, "WATCHDOG=1", 10) < 0)
			return 2;
	}
	siginfo_t si;
	while (sigwaitinfo(&abrt, &si) < 0)
		;
	uint64_t got = now_ns();
	char line[128];
	snprintf(line, sizeof line, "%llu %llu %s\n", (unsigned long long)last, (unsigned long long)got, usec);
	int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0 || write(out, line, strlen(line)) != (ssize_t)strlen(line))
		return 2;
	close(out);
	signal(SIGABRT, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &abrt, NULL);
	raise(SIGABRT);
	return 3;
}
