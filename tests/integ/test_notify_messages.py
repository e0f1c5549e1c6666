"""sd_notify messages other than the watchdog's (SPEC §5, issue 4):
EXTEND_TIMEOUT_USEC=, RELOADING=1/READY=1, STOPPING=1, MAINPID=, STATUS=.

The units run NOTIFIER from test_notify_watchdog.py (a python3 main process
that sends its own datagrams and logs what it sent and every signal it got,
with time.time() stamps). vigil runs at -v, so its state changes
("NAME.service: start -> running") are in its stderr.
"""
import os
import signal
import time

import pytest

from harness import descendants, proc_status, stderr_lines, stop_vigil, wait_until
from test_notify_watchdog import add


def host_pid(run, ns_pid):
    """The host pid of a process below vigil that is ns_pid in vigil's namespace."""
    for p in descendants(run.pid):
        st = proc_status(p)
        if st and int(st["NSpid"].split()[-1]) == ns_pid:
            return p
    raise AssertionError(f"pid {ns_pid} (vigil's namespace) not found below vigil:\n{run.stderr}")


def in_order(run, *needles):
    """vigil's stderr has a line with each needle, in this order."""
    lines = run.stderr.splitlines()
    i = 0
    for n in needles:
        while i < len(lines) and n not in lines[i]:
            i += 1
        if i == len(lines):
            return False
        i += 1
    return True


# ---------------------------------------------------------------- EXTEND_TIMEOUT_USEC=

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
@pytest.mark.parametrize("extend", [True, False], ids=["extended", "control"])
def test_extend_timeout_keeps_a_slow_start_alive(units, extend):
    # TimeoutStartSec=1, READY=1 only after 1.5 s. With EXTEND_TIMEOUT_USEC=2.5 s
    # sent early the start succeeds; without it (the control) it times out.
    steps = ["sleep:0.1", *(["send:EXTEND_TIMEOUT_USEC=2500000"] if extend else []), "sleep:1.4",
             "send:READY=1", "hold"]
    log = add(units, "slow", "TimeoutStartSec=1", steps=steps)
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "slow.service: start -> running")
               or stderr_lines(run, "slow.service: failed with result"), "the slow start to end", timeout=8)
    if extend:
        assert stderr_lines(run, "slow.service: start -> running"), run.stderr
        assert not stderr_lines(run, "timed out"), run.stderr
        ready = log.sent("READY=1")
        assert ready and ready[0] - log.starts()[0][0] > 1.0, f"READY=1 came within the 1 s timeout:\n{log}"
        time.sleep(0.3)
        assert log.count() == 1 and not log.signals(), f"{log}\n{run.stderr}"
    else:
        assert stderr_lines(run, "slow.service: start timed out"), run.stderr
        assert stderr_lines(run, "slow.service: failed with result timeout"), run.stderr
        assert [s for s, _, _ in log.signals()] == [signal.SIGTERM], f"{log}"
    stop_vigil(run)


# ---------------------------------------------------------------- RELOADING=1 / READY=1

def test_reloading_then_ready(units):
    log = add(units, "reloader", steps=["send:READY=1", "sleep:0.3", "send:RELOADING=1", "sleep:0.3",
                                         "send:READY=1", "hold"])
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "reloader.service: reload -> running"), "the reload to end")
    assert in_order(run, "reloader.service: start -> running", "reloader.service: running -> reload",
                    "reloader.service: reload -> running"), run.stderr
    time.sleep(0.2)
    assert log.count() == 1 and not log.signals(), f"a reload by RELOADING=1 touched the process:\n{log}"
    # The reload lasted from RELOADING=1 to the second READY=1 (0.3 s), not 0.
    stop_vigil(run)


# ---------------------------------------------------------------- STOPPING=1

def test_stopping_then_exit_sends_no_signal_and_restarts(units):
    log = add(units, "leaver", "Restart=always", "RestartSec=0",
              steps=["send:READY=1", "sleep:0.2", "send:STOPPING=1", "sleep:0.8", "exit:0",
                     "--then", "send:READY=1", "hold"])
    run = units.start("-v")
    wait_until(run, lambda: log.count() >= 2, "leaver to be restarted", timeout=6)
    starts = log.starts()
    assert not log.signals(), f"vigil signalled a service that had said STOPPING=1:\n{log}\n{run.stderr}"
    waited = starts[1][0] - log.sent("STOPPING=1")[0]
    assert waited >= 0.8, f"the next run started {waited:.2f} s after STOPPING=1: vigil did not wait for the exit"
    assert in_order(run, "leaver.service: running -> stop-sigterm",
                    f"leaver.service: main process {starts[0][1]} exited with status 0",
                    "leaver.service: result success, restarting"), run.stderr
    time.sleep(0.3)
    assert log.count() == 2, f"{log}"
    stop_vigil(run)


# ---------------------------------------------------------------- MAINPID=

def test_mainpid_moves_the_main_process_to_a_child(units):
    # The main process forks a child (same process group) and names it with
    # MAINPID=. Killing the old main then leaves the unit running; killing
    # the new one ends it (Restart=no: failed, result signal).
    log = add(units, "mover", steps=["child", "sleep:0.1", r"send:MAINPID={child}\nREADY=1", "hold"])
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "mover.service: start -> running"), "mover to be running")
    old = log.starts()[0][1]
    child = int(log.lines("child")[0][1])
    assert stderr_lines(run, f"mover.service: main process is now {child} (MAINPID=)"), run.stderr
    os.kill(host_pid(run, old), signal.SIGKILL)
    child_host = host_pid(run, child)
    time.sleep(0.7)
    assert not stderr_lines(run, "mover.service: running ->"), \
        f"the unit left running when its former main process died:\n{run.stderr}"
    assert not log.signals(), f"vigil signalled the unit:\n{log}"
    st = proc_status(child_host)
    assert st and st["State"][0] not in "ZX", "the new main process is gone"
    os.kill(child_host, signal.SIGKILL)
    wait_until(run, lambda: stderr_lines(run, "mover.service: failed with result"), "mover to fail")
    assert stderr_lines(run, f"mover.service: main process {child} killed by SIGKILL"), run.stderr
    assert stderr_lines(run, "mover.service: failed with result signal"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- STATUS=

@pytest.mark.parametrize("level", ["-vv", "-v"])
def test_status_is_logged_at_debug_level(units, level):
    log = add(units, "talker", steps=["send:READY=1", '"send:STATUS=waiting for the moon"', "sleep:0.2",
                                       "send:STATUS=", "hold"])
    run = units.start(level)
    wait_until(run, lambda: log.sent("STATUS=") and stderr_lines(run, "talker.service: start -> running"),
               "talker to send its STATUS= lines")
    time.sleep(0.3)
    said = stderr_lines(run, "talker.service: status: waiting for the moon")
    cleared = stderr_lines(run, "talker.service: status: (cleared)")
    if level == "-vv":
        assert said and cleared, run.stderr
    else:
        assert not said and not cleared, f"STATUS= is a debug line, not info:\n{run.stderr}"
    stop_vigil(run)
