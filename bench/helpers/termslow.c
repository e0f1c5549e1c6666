/* Stop-time service: a process that takes 200 ms to exit after SIGTERM.
 * Appends one line per event to ./rec in its working directory:
 *   S PID NS   started (PID as seen in its own PID namespace)
 *   T PID NS   SIGTERM received (read first thing in the handler)
 *   E PID NS   about to exit after the 200 ms (absent if it was killed)
 * NS is CLOCK_MONOTONIC. The delay is slept in the handler itself, so a
 * second SIGTERM (runsv and s6 send TERM then CONT) changes nothing. */
#include "common.h"
#include <fcntl.h>
#include <signal.h>

#define TERM_DELAY_NS 200000000ull

static int rec_fd = -1;

static void rec(char kind, uint64_t t)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%c %d %llu\n", kind, (int)getpid(),
			 (unsigned long long)t);
	ssize_t w = write(rec_fd, buf, (size_t)n);
	(void)w;
}

static void on_term(int sig)
{
	(void)sig;
	uint64_t t = now_ns(); /* first thing */
	rec('T', t);
	sleep_ns(TERM_DELAY_NS);
	rec('E', now_ns());
	_exit(0);
}

int main(void)
{
	rec_fd = open("rec", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rec_fd < 0)
		return 111;
	struct sigaction sa = { .sa_handler = on_term };
	sigfillset(&sa.sa_mask); /* nothing interrupts the 200 ms */
	sigaction(SIGTERM, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	rec('S', now_ns());
	for (;;)
		pause();
}
