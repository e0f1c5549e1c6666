/* notifypace GOFILE OUTFILE RATE SECONDS PHASE: one paced sender of the
 * sustained notify load (bench/robust), run as the main process of a
 * Type=notify unit (with WatchdogSec=, so every ping re-arms a timer).
 *
 * READY=1, then a barrier (vigil has handled it), then OUTFILE.up. Waits
 * for GOFILE (the driver writes a CLOCK_MONOTONIC start time in ns into
 * it). Then sends WATCHDOG=1 RATE times a second for SECONDS on a fixed
 * schedule: ping k is due at start + PHASE + k / RATE (PHASE in [0, 1) of
 * one period, so the senders of one run are spread over the period rather
 * than all waking at once); it sleeps until then with an absolute
 * clock_nanosleep(), so a late ping does not shift the ones after it.
 * RATE 0: sends nothing (vigil idle, the same processes present). Then
 * BARRIER=1, so the end is when vigil has handled the last ping.
 *
 * OUTFILE: "SENT ERRORS LATE_MAX_NS LATE_SUM_NS T_BARRIER_NS CPU_NS", where
 * lateness = the moment of the send - its due time, and CPU_NS is this
 * process's own user + system time (getrusage) over the sending: the
 * senders' side of the load. Then it waits for the stop signal. */
#include "notify_common.h"
#include <sys/resource.h>

static uint64_t cpu_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ull), (long)(t % 1000000000ull) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: notifypace GOFILE OUTFILE RATE SECONDS PHASE\n");
		return 2;
	}
	const char *gofile = argv[1], *out = argv[2];
	double rate = atof(argv[3]);
	uint64_t span = (uint64_t)(atof(argv[4]) * 1e9);
	double phase = atof(argv[5]);
	int fd = notify_connect();
	if (notify_send(fd, "READY=1", 7) < 0 || notify_barrier(fd, 20000) < 0) {
		perror("READY=1");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s.up", out);
	write_file(path, "up\n");

	unsigned long long go = 0;
	for (int i = 0; i < 120000 && go == 0; i++) {
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
		fprintf(stderr, "notifypace: no %s\n", gofile);
		return 2;
	}
	sleep_until(go);
	uint64_t c0 = cpu_ns();
	uint64_t sent = 0, errors = 0, late_max = 0, late_sum = 0, end = go + span;
	static const char msg[] = "WATCHDOG=1";
	if (rate > 0) {
		double period = 1e9 / rate;
		for (uint64_t k = 0;; k++) {
			uint64_t due = go + (uint64_t)((phase + (double)k) * period);
			if (due >= end)
				break;
			sleep_until(due);
			uint64_t t = now_ns();
			if (notify_send(fd, msg, sizeof msg - 1) == 0)
				sent++;
			else
				errors++;
			uint64_t late = t > due ? t - due : 0;
			late_sum += late;
			if (late > late_max)
				late_max = late;
		}
	} else {
		sleep_until(end);
	}
	uint64_t c1 = cpu_ns();
	int b = notify_barrier(fd, 60000);
	uint64_t tb = now_ns();
	char line[256];
	snprintf(line, sizeof line, "%llu %llu %llu %llu %llu %llu\n", (unsigned long long)sent,
		 (unsigned long long)errors, (unsigned long long)late_max, (unsigned long long)late_sum,
		 b == 0 ? (unsigned long long)tb : 0ull, (unsigned long long)(c1 - c0));
	write_file(out, line);
	for (;;)
		pause();
}
