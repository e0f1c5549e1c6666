"""Stopping a unit: KillSignal=, KillMode=, TimeoutStopSec= and SIGKILL (issue 3).

Units are stopped by vigil's shutdown once CMD exits (CMD waits until the
units are up). The units' processes log what they get, with timestamps
(time.time(), shared with the test), and ExecStopPost= records what is
still alive at the moment the unit's stop is over, before vigil's final
kill-all of leftovers.
"""
import time

import pytest

from harness import read_lines, signos, unit_text

# stubborn LOG: ignores SIGTERM (logs "TERM TIME"), logs "beat TIME" every 20 ms.
STUBBORN = """
    import os, signal, sys, time
    log = sys.argv[1]

    def note(word):
        with open(log, "a") as f:
            f.write(f"{word} {time.time():.6f}\\n")

    signal.signal(signal.SIGTERM, lambda signo, frame: note("TERM"))
    open(log + ".up", "w").close()
    while True:
        note("beat")
        time.sleep(0.02)
"""

# stamp LOG WORD
STAMP = """
    echo "$2 $(date +%s.%N)" >> "$1"
"""


def times(path, word):
    return [float(line.split()[1]) for line in read_lines(path) if line.split()[0] == word]


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
@pytest.mark.parametrize("how", ["TimeoutStopSec", "--default-timeout-stop-sec"])
def test_a_unit_ignoring_sigterm_is_killed_after_the_stop_timeout_and_no_sooner(units, how):
    stubborn = units.script("stubborn", STUBBORN, interpreter="/usr/bin/python3")
    stamp = units.script("stamp", STAMP)
    log, post = units.file("log"), units.file("post")
    units.add("stubborn", unit_text(
        "[Service]", f"ExecStart={stubborn} {log}", f"ExecStopPost={stamp} {post} stoppost",
        "TimeoutStopSec=1" if how == "TimeoutStopSec" else None))
    options = ["--default-timeout-stop-sec", "1"] if how != "TimeoutStopSec" else []
    run = units.start(*options, cmd=units.wait_cmd(log + ".up"))
    status, _ = run.wait_timed(20)
    exited = time.time()
    assert status == 0, run.stderr
    terms, beats = times(log, "TERM"), times(log, "beat")
    assert len(terms) == 1, f"one SIGTERM, then SIGKILL: {len(terms)} SIGTERMs"
    lived = beats[-1] - terms[0]
    assert 0.8 <= lived < 1.0 + 1.5, f"the unit lived {lived:.2f} s after SIGTERM with a 1 s stop timeout"
    stoppost = times(post, "stoppost")[0]
    assert stoppost >= beats[-1], "ExecStopPost= ran while the main process was still alive"
    assert stoppost - terms[0] >= 0.9, "ExecStopPost= ran before the stop timeout"
    assert exited - terms[0] < 1.0 + 3.0, f"vigil exited {exited - terms[0]:.2f} s after the SIGTERM"


def test_send_sigkill_no_leaves_the_unit_to_the_final_kill_all(units):
    stubborn = units.script("stubborn", STUBBORN, interpreter="/usr/bin/python3")
    log = units.file("log")
    units.add("stubborn", unit_text(
        "[Service]", f"ExecStart={stubborn} {log}", "TimeoutStopSec=1", "SendSIGKILL=no"))
    run = units.start("--kill-all-timeout", "1", cmd=units.wait_cmd(log + ".up"))
    status, _ = run.wait_timed(20)
    assert status == 0, run.stderr
    terms, beats = times(log, "TERM"), times(log, "beat")
    assert len(terms) >= 2, f"SIGTERM from the unit's stop, then from the kill-all: {len(terms)} SIGTERMs"
    assert terms[1] - terms[0] >= 0.9, "the second SIGTERM came before the unit's stop timeout"
    lived = beats[-1] - terms[0]
    assert 1.7 <= lived < 2.0 + 2.5, \
        f"lived {lived:.2f} s after the first SIGTERM: expected the unit's 1 s, then the kill-all's 1 s"


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_kill_signal_is_what_the_unit_gets(units, helpers):
    log = units.file("sig")
    ready = units.file("ready")
    # sigrec exits 0 once it has recorded SIGUSR1 (10).
    units.add("usr1", unit_text(
        "[Service]", f"ExecStart={helpers.sigrec} -x 10:0 -r {ready} {log}", "KillSignal=SIGUSR1",
        "TimeoutStopSec=3"))
    t0 = time.monotonic()
    run = units.start(cmd=units.wait_cmd(ready))
    assert run.wait(20) == 0, run.stderr
    got = signos(log)
    assert 10 in got and 15 not in got, f"signals the unit got: {got}"
    assert time.monotonic() - t0 < 2.5, "the unit obeyed KillSignal= at once; no stop timeout was needed"


# killmode-main LOG PIDFILE: forks a helper (same process group); each logs
# "main-TERM"/"helper-TERM" and exits on SIGTERM. The helper writes its pid
# to PIDFILE; LOG.main-up appears once the main has its own handler.
KILLMODE_MAIN = """
    import os, signal, sys, time
    log, pidfile = sys.argv[1], sys.argv[2]

    def note(word):
        with open(log, "a") as f:
            f.write(f"{word} {time.time():.6f} {os.getpid()}\\n")

    def on_term(role):
        def handler(signo, frame):
            note(role + "-TERM")
            os._exit(0)
        return handler

    signal.signal(signal.SIGTERM, on_term("helper"))
    if os.fork() == 0:
        with open(pidfile + ".tmp", "w") as f:
            f.write(f"{os.getpid()}\\n")
        os.rename(pidfile + ".tmp", pidfile)
        while True:
            signal.pause()
    signal.signal(signal.SIGTERM, on_term("main"))
    open(log + ".main-up", "w").close()
    while True:
        signal.pause()
"""

# stoppost LOG PIDFILE: "stoppost TIME helper=alive|dead" (a zombie is dead)
KILLMODE_POST = """
    p=$(cat "$2")
    st=dead
    if [ -r /proc/$p/stat ]; then
            case $(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f1) in
            Z|X) ;;
            *) st=alive ;;
            esac
    fi
    echo "stoppost $(date +%s.%N) helper=$st" >> "$1"
"""


def killmode_run(units, mode, timeout_stop="1"):
    main = units.script("killmode-main", KILLMODE_MAIN, interpreter="/usr/bin/python3")
    post = units.script("killmode-post", KILLMODE_POST)
    log, pidfile = units.file("log"), units.file("helper.pid")
    units.add("forker", unit_text(
        "[Service]", f"ExecStart={main} {log} {pidfile}", f"ExecStopPost={post} {log} {pidfile}",
        f"KillMode={mode}", f"TimeoutStopSec={timeout_stop}"))
    run = units.start("--kill-all-timeout", "3", cmd=units.wait_cmd(pidfile, log + ".main-up"))
    assert run.wait(20) == 0, run.stderr
    events = [line.split() for line in read_lines(log)]
    names = [e[0] for e in events]
    assert "stoppost" in names, f"ExecStopPost= did not run: {events}\n{run.stderr}"
    i = names.index("stoppost")
    before, after = names[:i], names[i + 1:]
    helper = events[i][2]
    t = {e[0]: float(e[1]) for e in events}
    return before, after, helper, t


def test_kill_mode_control_group_signals_every_process_of_the_unit(units):
    before, after, helper, t = killmode_run(units, "control-group", timeout_stop="3")
    assert sorted(before) == ["helper-TERM", "main-TERM"], f"events before ExecStopPost=: {before}"
    assert helper == "helper=dead"
    assert t["stoppost"] - t["main-TERM"] < 1.5, "everyone obeyed SIGTERM: no waiting for the stop timeout"
    assert after == []


def test_kill_mode_mixed_signals_the_main_process_and_sigkills_the_rest_after_the_timeout(units):
    before, after, helper, t = killmode_run(units, "mixed")
    assert before == ["main-TERM"], f"events before ExecStopPost=: {before}"
    assert helper == "helper=dead", "the helper is SIGKILLed before the unit's stop is over"
    waited = t["stoppost"] - t["main-TERM"]
    assert 0.9 <= waited < 1.0 + 1.5, f"the rest is SIGKILLed after TimeoutStopSec=1, not {waited:.2f} s"
    assert after == [], "the helper got SIGKILL, never SIGTERM"


def test_kill_mode_process_signals_only_the_main_process(units):
    before, after, helper, t = killmode_run(units, "process")
    assert before == ["main-TERM"], f"events before ExecStopPost=: {before}"
    assert helper == "helper=alive", "KillMode=process: the helper survives the unit's stop"
    assert t["stoppost"] - t["main-TERM"] < 0.9, "no stop timeout was needed"
    assert after == ["helper-TERM"], "the helper is then stopped by vigil's final kill-all"


def test_kill_mode_none_signals_nobody(units):
    before, after, helper, t = killmode_run(units, "none")
    assert before == [], f"KillMode=none: nobody is signalled by the unit's stop: {before}"
    assert helper == "helper=alive"
    assert sorted(after) == ["helper-TERM", "main-TERM"], "both are then stopped by vigil's final kill-all"
