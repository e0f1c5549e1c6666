/* The restart floor: what the cheapest possible supervisor (no state, no
 * bookkeeping) costs. Runs PROG N times as fork → execv → waitpid, each start
 * right after the previous one was reaped.
 *   restartfloor N PROG [ARGS...]
 * Exit 0 if every run exited 0. */
#include "common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: restartfloor N PROG [ARGS...]\n");
		return 2;
	}
	long n = atol(argv[1]);
	int bad = 0;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				perror("waitpid");
				return 1;
			}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	if (bad)
		fprintf(stderr, "restartfloor: %d runs failed\n", bad);
	return bad ? 1 : 0;
}
