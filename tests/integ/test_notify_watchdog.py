"""The software watchdog (SPEC §5, issue 4): WatchdogSec=, WATCHDOG=1,
WatchdogSignal=, WATCHDOG=trigger, WATCHDOG_USEC=, Restart=on-watchdog,
FailureAction=exit, and a watchdog that is armed during ExecStartPost=.

The units run NOTIFIER, a python3 main process that speaks sd_notify itself
(one datagram per message on $NOTIFY_SOCKET, as sd_notify(3) does) and logs
what it did and what it got, with time.time() stamps (the realtime clock,
shared by the units and the test, also across the PID namespace):

    start TIME PID WATCHDOG_USEC WATCHDOG_PID NOTIFY   (one per run; "-" = unset)
    sent TIME MESSAGE                                  (just before the send)
    ping TIME                                          (just before a WATCHDOG=1)
    sig SIGNO TIME PID                                 (a signal arrived)
    beat TIME                                          (still alive, every 20 ms)

A unit's deadline is measured from the time just before it sent its last
WATCHDOG=1 (vigil reads it later, so its deadline can only be later): the signal must
come after last ping + WatchdogSec (never sooner) and within a generous
slack after it (2-CPU machines are noisy; latency is measured in
bench/notify, not here). The watchdog units are Type=notify and send
READY=1 before they ping, so python's start-up time never eats into the
first period.
"""
import time

import pytest

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until

SLACK = 1.5      # seconds a watchdog signal may come after its deadline
EARLY = 0.005    # clock-reading slop allowed before a deadline

# notifier LOG [--ignore] STEP... [--then STEP...]...
#   Runs the first STEP list on its first start (counted by "start" lines in
#   LOG), the second on the second, the last one on every later start.
#   send:TEXT   one datagram (\n in TEXT = newline, {child} = the forked child's pid)
#   ping:N:P    N times WATCHDOG=1 (N = inf: forever), P s apart
#   sleep:S     exit:CODE     hold (sleep forever)     beat (log "beat" every 20 ms forever)
#   child       fork a child that logs "child TIME PID" and holds (same handlers)
# Signals TERM, ABRT, USR1, USR2, HUP, INT, QUIT are logged; then the default
# action is restored and the signal raised again (the process dies of it),
# or with --ignore the signal is ignored.
NOTIFIER = r"""
    import os, signal, socket, sys, time

    log = sys.argv[1]
    args = sys.argv[2:]
    ignore = bool(args) and args[0] == "--ignore"
    if ignore:
        args = args[1:]
    runs = [[]]
    for a in args:
        if a == "--then":
            runs.append([])
        else:
            runs[-1].append(a)


    def note(*words):
        with open(log, "a") as f:
            f.write(" ".join(str(w) for w in words) + "\n")


    def now():
        return f"{time.time():.6f}"


    def on_signal(signo, frame):
        note("sig", signo, now(), os.getpid())
        if not ignore:
            signal.signal(signo, signal.SIG_DFL)
            os.kill(os.getpid(), signo)


    for s in (signal.SIGTERM, signal.SIGABRT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP,
              signal.SIGINT, signal.SIGQUIT):
        signal.signal(s, on_signal)

    try:
        with open(log) as f:
            previous = sum(1 for line in f if line.startswith("start "))
    except FileNotFoundError:
        previous = 0
    steps = runs[min(previous, len(runs) - 1)]
    env = os.environ
    note("start", now(), os.getpid(), env.get("WATCHDOG_USEC", "-"), env.get("WATCHDOG_PID", "-"),
         "sock" if env.get("NOTIFY_SOCKET") else "-")

    addr = env.get("NOTIFY_SOCKET", "")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    if addr:
        sock.connect("\0" + addr[1:] if addr.startswith("@") else addr)
    child = 0


    def send(text):
        if not addr:
            note("no-socket", now())
            sys.exit(97)
        sock.send(text.encode())


    def hold():
        while True:
            time.sleep(1)


    for step in steps:
        verb, _, arg = step.partition(":")
        if verb == "send":
            text = arg.replace("\\n", "\n").replace("{child}", str(child))
            note("sent", now(), text.replace("\n", "|").replace(" ", "_"))
            send(text)
        elif verb == "ping":
            n, period = arg.split(":")
            i = 0
            while n == "inf" or i < int(n):
                note("ping", now())
                send("WATCHDOG=1")
                i += 1
                time.sleep(float(period))
        elif verb == "sleep":
            time.sleep(float(arg))
        elif verb == "exit":
            sys.exit(int(arg))
        elif verb == "hold":
            hold()
        elif verb == "beat":
            while True:
                note("beat", now())
                time.sleep(0.02)
        elif verb == "child":
            child = os.fork()
            if child == 0:
                note("child", now(), os.getpid())
                hold()
        else:
            sys.exit(f"notifier: unknown step {step}")
    hold()
"""


class Log:
    """What one unit's NOTIFIER wrote."""

    def __init__(self, path):
        self.path = path

    def lines(self, word):
        return [line.split()[1:] for line in read_lines(self.path) if line.split()[0] == word]

    def starts(self):
        """[(time, pid, WATCHDOG_USEC, WATCHDOG_PID, NOTIFY), ...] per run."""
        return [(float(t), int(p), usec, wpid, sock) for t, p, usec, wpid, sock in self.lines("start")]

    def count(self):
        return len(self.lines("start"))

    def times(self, word):
        return [float(f[0]) for f in self.lines(word)]

    def sent(self, message):
        return [float(t) for t, m in self.lines("sent") if m == message]

    def signals(self):
        """[(signo, time, pid), ...]"""
        return [(int(s), float(t), int(p)) for s, t, p in self.lines("sig")]

    def __str__(self):
        return "\n".join(read_lines(self.path)) or "(empty)"


def notifier(units):
    return units.script("notifier", NOTIFIER, interpreter="/usr/bin/python3")


def add(units, name, *lines, steps=(), ignore=False, typ="notify"):
    """A NOTIFIER unit; steps are argv words (use "--then" between runs). Returns its Log."""
    prog = notifier(units)
    log = units.file(name + ".log")
    argv = " ".join([prog, log, *(["--ignore"] if ignore else []), *steps])
    units.add(name, unit_text("[Unit]", "StartLimitIntervalSec=0",
                              "[Service]", f"Type={typ}", f"ExecStart={argv}", *lines))
    return Log(log)


def first_signal_after_pings(log, run, name, wd):
    """(signo, latency) of the first signal after the unit's last ping: latency = signal - (last ping + wd)."""
    sigs = log.signals()
    assert sigs, f"{name} got no signal; its log:\n{log}\nvigil:\n{run.stderr}"
    signo, at, pid = sigs[0]
    pings = [t for t in log.times("ping") if t < at]
    assert pings, f"{name}: no ping before the signal; its log:\n{log}"
    return signo, at - (pings[-1] + wd)


def check_latency(latency, wd, name, log, run):
    assert latency >= -EARLY, (f"{name} was signalled {-latency:.3f} s BEFORE its deadline (WatchdogSec={wd}s after "
                               f"its last ping); its log:\n{log}\nvigil:\n{run.stderr}")
    assert latency <= SLACK, (f"{name} was signalled {latency:.3f} s after its deadline (allowed {SLACK} s); "
                              f"its log:\n{log}\nvigil:\n{run.stderr}")


# ---------------------------------------------------------------- 1. pinging keeps a unit alive

def test_a_unit_that_pings_outlives_ten_watchdog_periods(units):
    # Two clients: NOTIFIER's own datagrams, and python3-systemd's daemon.notify().
    wd = 0.3
    raw = add(units, "wd-raw", f"WatchdogSec={wd}s", "Restart=on-watchdog",
              steps=["send:READY=1", "ping:inf:0.05"])
    py_log = units.file("wd-pysystemd.log")
    pysd = units.script("pysystemd-pinger", f"""
        import os, time
        from systemd import daemon
        with open({py_log!r}, "a") as f:
            f.write(f"start {{time.time():.6f}} {{os.getpid()}} {{os.environ.get('WATCHDOG_USEC', '-')}} "
                    f"{{os.environ.get('WATCHDOG_PID', '-')}} sock\\n")
        daemon.notify("READY=1")
        while True:
            daemon.notify("WATCHDOG=1")
            time.sleep(0.05)
    """, interpreter="/usr/bin/python3")
    units.add("wd-pysystemd", unit_text("[Unit]", "StartLimitIntervalSec=0",
                                        "[Service]", "Type=notify", f"ExecStart={pysd}",
                                        f"WatchdogSec={wd}s", "Restart=on-watchdog"))
    pylog = Log(py_log)
    run = units.start("-v")
    wait_until(run, lambda: len(stderr_lines(run, "-> running")) >= 2, "both pingers to be running")
    time.sleep(10 * wd + 0.3)
    assert run.running(), run.stderr
    for name, log in (("wd-raw", raw), ("wd-pysystemd", pylog)):
        starts = log.starts()
        assert len(starts) == 1, f"{name} was restarted while it pinged:\n{log}\nvigil:\n{run.stderr}"
        _, pid, usec, wpid, sock = starts[0]
        assert usec == str(int(wd * 1e6)), f"{name}: WATCHDOG_USEC={usec}, expected {int(wd * 1e6)}"
        assert wpid == str(pid), f"{name}: WATCHDOG_PID={wpid}, its pid is {pid}"
        assert sock == "sock"
        assert not log.signals(), f"{name} got a signal while it pinged:\n{log}"
    assert not stderr_lines(run, "watchdog"), f"a watchdog fired:\n{run.stderr}"
    assert len(raw.times("ping")) >= 10 * wd / 0.05 * 0.5, f"wd-raw pinged too rarely for a fair test:\n{raw}"
    stop_vigil(run)


# ---------------------------------------------------------------- 2. a unit that stops pinging

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_a_silent_unit_gets_sigabrt_after_its_deadline_and_restarts_per_restart_on_watchdog(units):
    wd = 0.3
    first = ["send:READY=1", "ping:3:0.05"]           # then nothing: the deadline passes
    later = ["--then", "send:READY=1", "ping:inf:0.05"]  # later runs ping for ever
    logs = {
        "wd-on-watchdog": add(units, "wd-on-watchdog", f"WatchdogSec={wd}s", "Restart=on-watchdog",
                              "RestartSec=0", steps=[*first, *later]),
        "wd-on-success": add(units, "wd-on-success", f"WatchdogSec={wd}s", "Restart=on-success",
                             "RestartSec=0", steps=[*first, *later]),
    }
    run = units.start("-v")
    wait_until(run, lambda: logs["wd-on-watchdog"].count() >= 2 and logs["wd-on-success"].signals(),
               "wd-on-watchdog to be restarted and wd-on-success to be signalled", timeout=10)
    time.sleep(0.7)  # room for a wrong restart of wd-on-success
    for name, log in logs.items():
        signo, latency = first_signal_after_pings(log, run, name, wd)
        assert signo == 6, f"{name} got signal {signo}, not SIGABRT:\n{log}"
        check_latency(latency, wd, name, log, run)
        assert stderr_lines(run, f"{name}.service: watchdog timeout: no WATCHDOG=1 for"), run.stderr
        assert stderr_lines(run, f"{name}.service: main process", "killed by SIGABRT"), run.stderr
    assert logs["wd-on-watchdog"].count() == 2, f"Restart=on-watchdog:\n{logs['wd-on-watchdog']}\n{run.stderr}"
    assert stderr_lines(run, "wd-on-watchdog.service: result watchdog, restarting"), run.stderr
    assert logs["wd-on-success"].count() == 1, \
        f"Restart=on-success restarted after a watchdog failure:\n{logs['wd-on-success']}\n{run.stderr}"
    assert stderr_lines(run, "wd-on-success.service: failed with result watchdog"), run.stderr
    stop_vigil(run)


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_watchdog_signal_is_honoured(units):
    wd = 0.3
    log = add(units, "wd-usr2", f"WatchdogSec={wd}s", "WatchdogSignal=SIGUSR2",
              steps=["send:READY=1", "ping:3:0.05"])
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "wd-usr2.service: failed with result"), "wd-usr2 to fail",
               timeout=10)
    signo, latency = first_signal_after_pings(log, run, "wd-usr2", wd)
    assert signo == 12, f"wd-usr2 (WatchdogSignal=SIGUSR2) got signal {signo}:\n{log}"
    assert [s for s, _, _ in log.signals()] == [12], f"only SIGUSR2 expected:\n{log}"
    check_latency(latency, wd, "wd-usr2", log, run)
    assert stderr_lines(run, "wd-usr2.service: main process", "killed by SIGUSR2"), run.stderr
    assert stderr_lines(run, "wd-usr2.service: failed with result watchdog"), run.stderr
    stop_vigil(run)


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_a_unit_ignoring_the_watchdog_signal_is_killed_after_the_stop_timeout(units):
    wd, stop = 0.3, 0.5
    log = add(units, "wd-stubborn", f"WatchdogSec={wd}s", f"TimeoutStopSec={stop}s",
              steps=["send:READY=1", "ping:3:0.05", "beat"], ignore=True)
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "wd-stubborn.service: failed with result"), "wd-stubborn to fail",
               timeout=10)
    sigs = log.signals()
    assert [s for s, _, _ in sigs] == [6], f"one SIGABRT (ignored), then SIGKILL:\n{log}"
    lived = log.times("beat")[-1] - sigs[0][1]
    assert stop - 0.1 <= lived <= stop + SLACK, \
        f"wd-stubborn lived {lived:.2f} s after the ignored SIGABRT with TimeoutStopSec={stop}s:\n{run.stderr}"
    assert stderr_lines(run, "wd-stubborn.service: main process", "killed by SIGKILL"), run.stderr
    assert stderr_lines(run, "wd-stubborn.service: failed with result watchdog"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- 3. WATCHDOG=trigger

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_watchdog_trigger_fires_at_once(units):
    # WatchdogSec=5s: a kill within a second of the trigger cannot be the deadline.
    log = add(units, "wd-trigger", "WatchdogSec=5s", "Restart=on-watchdog", "RestartSec=0",
              steps=["send:READY=1", "ping:2:0.05", "sleep:0.2", "send:WATCHDOG=trigger",
                     "--then", "send:READY=1", "hold"])
    run = units.start("-v")
    wait_until(run, lambda: log.count() >= 2, "wd-trigger to be restarted", timeout=5)
    sigs, trig = log.signals(), log.sent("WATCHDOG=trigger")
    assert sigs and trig, f"{log}\n{run.stderr}"
    took = sigs[0][1] - trig[0]
    assert sigs[0][0] == 6, f"SIGABRT expected:\n{log}"
    assert 0 <= took < 1.5, f"WATCHDOG=trigger: the signal came {took:.2f} s after it:\n{run.stderr}"
    assert stderr_lines(run, "wd-trigger.service: watchdog triggered by the service"), run.stderr
    assert stderr_lines(run, "wd-trigger.service: result watchdog, restarting"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- 4. WATCHDOG_USEC= override

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_watchdog_usec_overrides_for_one_run(units):
    override = 0.3
    # WatchdogSec=10s, shortened to 0.3 s by the service; the next run has 10 s again.
    long_log = add(units, "wd-long", "WatchdogSec=10s", "Restart=on-watchdog", "RestartSec=0",
                   steps=["send:READY=1", "ping:2:0.05", f"send:WATCHDOG_USEC={int(override * 1e6)}",
                          "--then", "send:READY=1", "hold"])
    # No WatchdogSec= at all: the service asks for one; the next run has none.
    none_log = add(units, "wd-none", "Restart=on-watchdog", "RestartSec=0",
                   steps=["send:READY=1", f"send:WATCHDOG_USEC={int(override * 1e6)}",
                          "--then", "send:READY=1", "hold"])
    run = units.start("-v")
    wait_until(run, lambda: long_log.count() >= 2 and none_log.count() >= 2, "both units to be restarted",
               timeout=10)
    time.sleep(2 * override + 0.4)  # a second run that kept the override would be killed by now
    for name, log, env in (("wd-long", long_log, "10000000"), ("wd-none", none_log, "-")):
        starts, sigs = log.starts(), log.signals()
        sent = log.sent(f"WATCHDOG_USEC={int(override * 1e6)}")
        assert len(starts) == 2, f"{name}: two runs expected (the second keeps WatchdogSec=):\n{log}\n{run.stderr}"
        assert starts[0][2] == env and starts[1][2] == env, \
            f"{name}: WATCHDOG_USEC in the environment should be {env} in both runs:\n{log}"
        assert len(sigs) == 1 and sigs[0][0] == 6, f"{name}: one SIGABRT expected:\n{log}"
        latency = sigs[0][1] - (sent[0] + override)
        check_latency(latency, override, name, log, run)
        assert stderr_lines(run, f"{name}.service: watchdog timeout set to 300ms by the service"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- 5. FailureAction=exit

@pytest.mark.parametrize("cmd", [None, "sleep"], ids=["no-cmd", "cmd-running"])
def test_failure_action_exit_after_a_watchdog_failure(units, cmd):
    add(units, "wd-fatal", "WatchdogSec=0.3s", "FailureAction=exit", steps=["send:READY=1", "hold"])
    run = units.start("-v", cmd=["sleep", "30"] if cmd else ())
    status = run.wait(10)
    # DESIGN.md, actions in container mode: exit with the unit's main status,
    # 128 + signal for a signal (SIGABRT = 6); the action wins over CMD's status.
    assert status == 128 + 6, f"vigil exited {status}, expected 134:\n{run.stderr}"
    assert stderr_lines(run, "wd-fatal.service: watchdog timeout"), run.stderr
    assert stderr_lines(run, "wd-fatal.service: FailureAction=exit: shutting down with exit status 134"), run.stderr


# ---------------------------------------------------------------- the watchdog during ExecStartPost=

def test_the_watchdog_is_armed_during_exec_start_post(units):
    # ExecStartPost= takes 1.2 s, WatchdogSec=0.3s: wdp-silent stops pinging
    # and wdp-mute never pings (its deadline runs from entering start-post, at
    # READY=1); both must be killed while ExecStartPost= still runs.
    # wdp-pinger pings throughout and reaches running.
    wd = 0.3
    post = units.script("slow-post", """
        echo "post-begin $(date +%s.%N)" >> "$1"
        sleep 1.2
        echo "post-end $(date +%s.%N)" >> "$1"
    """)
    logs = {}
    for name, steps in (("wdp-silent", ["send:READY=1", "ping:3:0.05", "hold"]),
                        ("wdp-mute", ["send:READY=1", "hold"]),
                        ("wdp-pinger", ["send:READY=1", "ping:inf:0.05"])):
        logs[name] = add(units, name, f"WatchdogSec={wd}s", f"ExecStartPost={post} {units.file(name + '.post')}",
                         steps=steps)
    run = units.start("-v")
    wait_until(run, lambda: stderr_lines(run, "wdp-pinger.service: start-post -> running")
               and stderr_lines(run, "wdp-silent.service: failed with result")
               and stderr_lines(run, "wdp-mute.service: failed with result"), "the three units to settle",
               timeout=10)
    for name in ("wdp-silent", "wdp-mute"):
        log = logs[name]
        if name == "wdp-silent":
            signo, latency = first_signal_after_pings(log, run, name, wd)
        else:
            assert log.signals(), f"{name} got no signal:\n{log}\n{run.stderr}"
            signo, latency = log.signals()[0][0], log.signals()[0][1] - (log.sent("READY=1")[0] + wd)
        assert signo == 6, f"{name}: SIGABRT expected:\n{log}"
        check_latency(latency, wd, name, log, run)
        assert stderr_lines(run, f"{name}.service: start-post -> stop-sigterm"), \
            f"the watchdog of {name} should fire while ExecStartPost= runs:\n{run.stderr}"
        assert not read_lines(units.file(name + ".post"))[1:], \
            f"{name}'s ExecStartPost= finished: the watchdog fired too late or not in start-post"
        assert stderr_lines(run, f"{name}.service: failed with result watchdog"), run.stderr
    pinger = logs["wdp-pinger"]
    assert not pinger.signals() and pinger.count() == 1, f"wdp-pinger pinged through start-post:\n{pinger}"
    assert not stderr_lines(run, "wdp-pinger.service: watchdog"), run.stderr
    stop_vigil(run)
