"""Reaping (SPEC §2 step 8): every child is reaped, adopted orphans included."""
import os
import signal

from harness import descendants, proc_table, wait_for

ORPHANS = 2000


def test_2000_double_forked_orphans_are_adopted_and_all_reaped(vigil):
    # The factory (helpers/orphans.c) checks from inside: every waiting
    # grandchild saw vigil as its new parent, and afterwards no orphan and,
    # as PID 1, no zombie at all is left in the namespace's /proc.
    ready = vigil.path("orphans.ready")
    run = vigil.start("--", vigil.h.orphans, ORPHANS, ready)
    wait_for(lambda: os.path.exists(ready) or not run.running(), timeout=60, what="the orphan factory")
    assert os.path.exists(ready), f"orphan factory failed ({run.wait()}):\n{run.stderr}"
    created, adopted, misadopted = map(int, open(ready).read().split())
    assert (created, adopted, misadopted) == (ORPHANS, ORPHANS - (ORPHANS + 3) // 4, 0)

    # And from the host: below vigil there is only the factory, and no zombie.
    table = proc_table()
    below = descendants(run.pid, table)
    zombies = [p for p in below if table[p][0] == "Z"]
    assert zombies == [], f"zombies left below vigil: {zombies}"
    assert [table[p][2] for p in below] == ["orphans"]

    run.signal(signal.SIGUSR1)  # forwarded: the factory exits 0
    assert run.wait(30) == 0, run.stderr


def test_orphans_still_running_when_the_main_command_exits_are_reaped(vigil):
    # Orphans that outlive CMD obey the kill-all SIGTERM; vigil must reap
    # each of them (not just CMD) before it exits, or it would wait for the
    # timeout: exiting well before the 3 s default proves they were reaped.
    script = "for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 60 &); done; exit 4"
    run = vigil.start("--", "sh", "-c", script)
    status = run.wait(15)
    assert status == 4, run.stderr
    assert run.ended - run.started < 2.5, f"vigil took {run.ended - run.started:.2f} s"
