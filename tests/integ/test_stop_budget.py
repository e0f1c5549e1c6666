"""The stop budget (--stop-timeout, default 9 s in container mode) and the
drain (--drain-sec), issue 14: in real time, as PID 1 of a namespace.

The exact timing rules (what is cut, to the microsecond) are proven in
tests/sim/test_stop_budget.c; these are the real-time checks with generous
bounds: a chain of units that ignore SIGTERM no longer takes the sum of their
stop timeouts, and a drain keeps the units running before the stop.
"""
import os
import re
import signal
import time

import pytest

from harness import read_lines, unit_text, wait_for

# stubborn LOG [exit]: logs "TERM TIME" on SIGTERM (and exits with "exit"),
# "beat TIME" every 20 ms; LOG.up once its handler is in place.
STUBBORN = """
    import os, signal, sys, time
    log = sys.argv[1]
    leave = len(sys.argv) > 2

    def note(word):
        with open(log, "a") as f:
            f.write(f"{word} {time.time():.6f}\\n")

    def term(signo, frame):
        note("TERM")
        if leave:
            sys.exit(0)

    signal.signal(signal.SIGTERM, term)
    open(log + ".up", "w").close()
    while True:
        note("beat")
        time.sleep(0.02)
"""


def times(path, word):
    return [float(line.split()[1]) for line in read_lines(path) if line.split()[0] == word]


def chain(units, *extra):
    """a <- b <- c (After=), each started by STUBBORN with extra arguments."""
    stubborn = units.script("stubborn", STUBBORN, interpreter="/usr/bin/python3")
    logs = {}
    for name, after in (("a", None), ("b", "a"), ("c", "b")):
        logs[name] = units.file(name)
        units.add(name, unit_text(
            "[Unit]" if after else None, f"After={after}.service" if after else None,
            "[Service]", f"ExecStart={stubborn} {logs[name]} {' '.join(extra)}".rstrip()))
    return logs


def start_and_wait_up(units, logs, *options):
    run = units.start("-v", *options, cmd=["/bin/sleep", "1000"])
    for log in logs.values():
        wait_for(lambda: os.path.exists(log + ".up"), timeout=10, what=f"{log} up")
    run.wait_signals_ready()
    return run


def stop_lines(stderr):
    """[(unit, line number)] of each unit's first transition out of running, in log order."""
    seen = {}
    for i, line in enumerate(stderr.splitlines()):
        m = re.search(r"\b([abc])\.service: running -> ", line)
        if m and m.group(1) not in seen:
            seen[m.group(1)] = i
    return seen


@pytest.mark.pid1_only  # container mode as PID 1: the engine's case; tests/sim proves the rule itself
def test_a_chain_ignoring_sigterm_stops_within_the_default_budget_in_reverse_order(units):
    logs = chain(units)
    run = start_and_wait_up(units, logs)
    sent_wall, sent = time.time(), time.monotonic()
    run.signal(signal.SIGTERM)
    status, ended = run.wait_timed(20)
    took = ended - sent
    # Without the budget: 5 s + 5 s + 5 s. With it: c's own 5 s, b's cut to the 4 s left, a killed at 9 s.
    assert 8.0 < took < 10.5, f"the stop took {took:.2f} s:\n{run.stderr}"
    # The main command (sleep) died of the forwarded SIGTERM: 128 + 15, as the rules say.
    assert status == 128 + signal.SIGTERM, run.stderr
    order = stop_lines(run.stderr)
    assert "c" in order and "b" in order, run.stderr
    assert order["c"] < order["b"], f"b stopped before c:\n{run.stderr}"
    assert "a" not in order or order["b"] < order["a"], f"a stopped before b:\n{run.stderr}"
    assert times(logs["c"], "TERM") and times(logs["b"], "TERM"), "c and b got no SIGTERM"
    assert not times(logs["a"], "TERM"), "a got SIGTERM, but the budget ended while b was stopping"
    assert "b.service: stop timeout cut from 5s to" in run.stderr, run.stderr
    assert "the 9s stop budget (--stop-timeout) is used up, sending SIGKILL to everything left" in run.stderr
    # a and b ran until the budget's SIGKILL (not before), and nobody past it.
    last = {name: times(log, "beat")[-1] - sent_wall for name, log in logs.items()}
    assert 4.0 < last["c"] < 6.0, f"c's last beat {last['c']:.2f} s after SIGTERM (its own 5 s)"
    for name in ("a", "b"):
        assert 8.0 < last[name] < 9.8, f"{name}'s last beat {last[name]:.2f} s after SIGTERM (the 9 s budget)"


@pytest.mark.pid1_only
def test_drain_keeps_the_units_running_then_stops_them_inside_the_budget(units):
    logs = chain(units, "exit")
    run = start_and_wait_up(units, logs, "--drain-sec", "2")
    before = units.h.ctl("status")
    assert before.returncode == 0 and "draining" not in before.stdout, before.stdout + before.stderr
    sent_wall, sent = time.time(), time.monotonic()
    run.signal(signal.SIGTERM)
    during = units.h.ctl("status")
    assert during.returncode == 0 and "vigil is draining: not ready, stopping" in during.stdout, \
        during.stdout + during.stderr
    assert during.stdout.count(" running ") >= 3, f"the units did not keep running:\n{during.stdout}"
    # The probes: not ready while draining (the kubelet takes it out of service), still live.
    ready, live = units.h.ctl("check", "--ready"), units.h.ctl("check", "--live")
    assert ready.returncode == 1, ready.stdout + ready.stderr
    assert live.returncode == 0, live.stdout + live.stderr
    status, ended = run.wait_timed(20)
    took = ended - sent
    assert status == 128 + signal.SIGTERM, run.stderr
    assert "received SIGTERM: draining for 2s" in run.stderr, run.stderr
    for name, log in logs.items():
        term = times(log, "TERM")
        assert term, f"{name} got no SIGTERM:\n{run.stderr}"
        assert 1.8 <= term[0] - sent_wall < 4.0, f"{name} got SIGTERM {term[0] - sent_wall:.2f} s after vigil did"
        during = [t for t in times(log, "beat") if sent_wall + 0.2 < t < sent_wall + 1.8]
        assert len(during) > 10, f"{name} did not keep running during the drain ({len(during)} beats)"
    assert 1.8 < took < 10.5, f"the stop took {took:.2f} s"
    assert "used up" not in run.stderr, f"the budget ran out although the units stop at once:\n{run.stderr}"
