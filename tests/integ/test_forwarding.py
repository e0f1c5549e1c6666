"""Fast signal forwarding (issue 18, 5; docs/DESIGN.md "Signal forwarding").

While a main command runs in container mode, the signals vigil forwards as
they are reach a handler that runs only inside the loop's epoll_pwait() and
forwards with one kill(); a signal that arrives while vigil is busy elsewhere
stays pending and is forwarded at the next wait, or taken with sigtimedwait()
after a wait that returned events. Either way: each signal once, none lost.
The main command is helpers/sigrec.c, as in test_signals.py.
"""
import os
import signal
import time

from harness import read_signals, signos, wait_for
from test_signals import start_recorder, stop_recorder

RT = 40  # a real-time signal: queued, so every one sent must arrive
SENTINEL = 64


def test_a_burst_of_200_realtime_signals_reaches_the_main_command_each_once(vigil):
    run, log, _, _ = start_recorder(vigil)
    for _ in range(200):
        os.kill(run.pid, RT)  # as fast as Python can
    run.signal(SENTINEL)
    wait_for(lambda: signos(log).count(RT) >= 200 and SENTINEL in signos(log), timeout=20,
             what=f"200 x signal {RT} and the sentinel at the main command")
    time.sleep(0.2)  # a duplicate would show up by now
    got = read_signals(log)
    assert [r[0] for r in got].count(RT) == 200, "each queued signal exactly once"
    assert {r[2] for r in got} == {run.ns_pid}, "every one sent by vigil"
    stop_recorder(run)


def test_signals_sent_while_vigil_is_busy_with_output_are_forwarded_exactly_once(vigil, units):
    # A unit floods its output through vigil (each line read, prefixed and
    # written): vigil's loop has events ready at almost every wait, so a
    # signal comes in while vigil is not waiting, or finds the wait returning
    # events first. A real-time signal is never merged: exactly N must arrive.
    stop = units.file("flood.stop")
    flood = units.script("flood", f"""
        while [ ! -e {stop} ]; do
                head -c 200000 /dev/zero | tr '\\0' x | fold -w 120
        done
    """)
    units.add("flood", f"""
        [Service]
        ExecStart={flood}
    """)
    run, log, _, _ = start_recorder(vigil, "--units", str(units.dir))

    def output():
        return sum(os.path.getsize(p) for p in (run.out_path, run.err_path) if os.path.exists(p))
    wait_for(lambda: output() > 1000000, what="the flood to begin")
    before = output()
    n = 150
    for _ in range(n):
        os.kill(run.pid, RT + 1)
        time.sleep(0.002)
    assert output() - before > 100000, "vigil was busy with the flood while the signals came"
    open(stop, "w").close()
    run.signal(SENTINEL)
    wait_for(lambda: SENTINEL in signos(log) and signos(log).count(RT + 1) >= n, timeout=30,
             what=f"{n} x signal {RT + 1} at the main command")
    time.sleep(0.2)
    assert signos(log).count(RT + 1) == n, "each signal exactly once while vigil was busy"
    stop_recorder(run)


def test_a_signal_after_the_main_command_exited_goes_nowhere(vigil, units):
    # The main command exits; a unit that ignores SIGTERM keeps vigil in its
    # stop for a while. A SIGUSR1 then is not forwarded (the handler's target
    # was cleared when the main command was reaped, before its pid could be
    # reused): vigil says so and neither dies nor sends it anyone.
    stuck_ready = units.file("stuck.ready")
    got_usr1 = units.file("stuck.usr1")
    stuck = units.script("stuck", f"""
        trap '' TERM
        trap 'touch {got_usr1}' USR1
        touch {stuck_ready}
        i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    """)
    units.add("stuck", f"""
        [Service]
        ExecStart={stuck}
        TimeoutStopSec=1.5
        KillMode=process
    """)
    run, log, _, _ = start_recorder(vigil, "-vv", "--units", str(units.dir), exit_on=signal.SIGUSR2)
    wait_for(lambda: os.path.exists(stuck_ready), what="the unit to set its traps")
    run.signal(signal.SIGUSR2)  # forwarded: the recorder exits 0
    wait_for(lambda: "main command" in run.stderr and "exited with status 0" in run.stderr,
             what="the main command's exit")
    run.signal(signal.SIGUSR1)
    wait_for(lambda: "ignoring SIGUSR1: no main command running" in run.stderr, timeout=5,
             what="vigil to ignore the late SIGUSR1")
    assert signos(log).count(signal.SIGUSR2) == 1 and signal.SIGUSR1 not in signos(log)
    assert not os.path.exists(got_usr1), "a unit does not get the main command's signals"
    assert run.wait(20) == 0, run.stderr
