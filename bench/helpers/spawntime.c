/* M1 timer: runs every config of CONFIGFILE once per round, round-robin with
 * a rotating start, timing fork → execv → waitpid with CLOCK_MONOTONIC.
 *   spawntime ROUNDS CONFIGFILE
 * Prints one line per run: NAME ROUND NS WAITSTATUS (WAITSTATUS -1 = timed
 * out and killed). A run that takes longer than 10 s is killed; after 3 such
 * runs a config is skipped (WAITSTATUS -2, NS 0) so a hung init cannot stall
 * the whole benchmark. */
#include "common.h"
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) { (void)sig; alarmed = 1; }

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: spawntime ROUNDS CONFIGFILE\n");
		return 2;
	}
	int rounds = atoi(argv[1]);
	struct config cfg[MAX_CONFIGS];
	int n = read_configs(argv[2], cfg);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: waitpid gets EINTR */
	int timeouts[MAX_CONFIGS] = { 0 };

	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < n; k++) {
			int i = (r + k) % n;
			struct config *c = &cfg[i];
			if (timeouts[i] >= 3) {
				printf("%s %d 0 -2\n", c->name, r);
				continue;
			}
			uint64_t t0 = now_ns();
			pid_t pid = fork();
			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0) {
				execv(c->argv[0], c->argv);
				_exit(127);
			}
			int st = 0;
			alarmed = 0;
			alarm(10);
			while (waitpid(pid, &st, 0) < 0) {
				if (errno == EINTR && alarmed) {
					pid_t p1 = first_child(pid);
					if (p1 > 0)
						kill(p1, SIGKILL);
					kill(pid, SIGKILL);
					waitpid(pid, NULL, 0);
					st = -1;
					timeouts[i]++;
					break;
				}
			}
			alarm(0);
			uint64_t t1 = now_ns();
			printf("%s %d %llu %d\n", c->name, r, (unsigned long long)(t1 - t0), st);
		}
	}
	return 0;
}
