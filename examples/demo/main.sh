#!/bin/sh
# Main command of the demo. vigil (PID 1) starts it once the units are up:
# migrate.service (oneshot) has finished, db and web are running, flaky
# keeps crashing and being restarted.
say() { echo "demo: $*"; }
zombies() { grep -l '^[0-9]* ([^)]*) Z' /proc/[0-9]*/stat 2>/dev/null | wc -l; }
procs() {
        for f in /proc/[0-9]*/stat; do
                read -r pid rest <"$f" 2>/dev/null || continue
                comm=${rest#(}; comm=${comm%%)*}
                set -- ${rest##*) }
                printf '  %5s %5s %5s  %s  %s\n' "$pid" "$2" "$4" "$1" "$comm"
        done
}

say "I am the main command, pid $$; vigil is pid 1 of this PID namespace"
say "making 500 orphans: each is double-forked, so it is re-parented to pid 1 and exits"
i=0
while [ $i -lt 500 ]; do (true &) ; i=$((i + 1)); done
sleep 0.3
say "zombies left in the namespace: $(zombies) (vigil reaps orphans as they exit)"
sleep 3.2
say "processes now (pid ppid session state name): each unit leads its own session"
procs
say "vigilctl status (the control socket in \$VIGIL_RUNTIME_DIR):"
"${VIGILCTL:-vigilctl}" status
out=$("${VIGILCTL:-vigilctl}" check 2>&1); code=$?
say "vigilctl check exits $code: $out"
say "leaving behind a process that ignores SIGTERM"
sh -c 'trap "" TERM; exec sleep 1000' &
sleep 0.1
say "exiting with status 3: vigil stops web, then db (reverse order), then the rest"
exit 3
