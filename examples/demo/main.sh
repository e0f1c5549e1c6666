#!/bin/sh
# Main command of the demo. Runs as PID 2 under vigil (PID 1).
say() { echo "demo: $*"; }
zombies() { grep -l '^[0-9]* ([^)]*) Z' /proc/[0-9]*/stat 2>/dev/null | wc -l; }
procs() {
        for f in /proc/[0-9]*/stat; do
                read -r pid rest <"$f" 2>/dev/null || continue
                comm=${rest#(}; comm=${comm%%)*}
                set -- ${rest##*) }
                printf '  %5s %5s  %s  %s\n' "$pid" "$2" "$1" "$comm"
        done
}

say "I am the main command, pid $$; vigil is pid 1 of this PID namespace"
say "making 500 orphans: each is double-forked, so it is re-parented to pid 1 and exits"
i=0
while [ $i -lt 500 ]; do (true &) ; i=$((i + 1)); done
sleep 0.3
say "zombies left in the namespace: $(zombies) (vigil reaps orphans as they exit)"
say "leaving behind a process that ignores SIGTERM"
sh -c 'trap "" TERM; exec sleep 1000' &
sleep 0.1
say "processes now (pid ppid state name):"
procs
say "exiting with status 3: vigil sends SIGTERM to what is left, waits 2 s, then SIGKILL"
exit 3
