/* M5 child: installs handlers for SIGTERM and SIGUSR1 whose first action is
 * reading CLOCK_MONOTONIC, says "ready" on stdout, then sleeps in pause().
 * Each caught signal is reported as one record on stdout; SIGTERM then exits
 * 0, SIGUSR1 returns to pause(). */
#include "common.h"
#include <signal.h>

static void on_signal(int sig)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* first thing */
	struct rec r = { REC_SIGNAL, (uint32_t)sig,
			 (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec };
	ssize_t w = write(1, &r, sizeof r);
	(void)w;
	if (sig == SIGTERM)
		_exit(0);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct rec r = { REC_READY, (uint32_t)getpid(), now_ns() };
	if (write(1, &r, sizeof r) != sizeof r)
		return 1;
	for (;;)
		pause();
}
