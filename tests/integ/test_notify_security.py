"""Who may talk to vigil's notify socket, and a flood of garbage (issue 4).

Senders are identified by SCM_CREDENTIALS and checked against NotifyAccess=:
a process outside every unit (the test itself) and a child of a
NotifyAccess=main unit must not make a unit ready, keep its watchdog quiet
or move its main pid; ExecStartPost= may talk with NotifyAccess=exec,
nobody with none; MAINPID= naming a process outside the unit is refused.
The flood test sends 100,000 garbage datagrams at a live vigil.

(A root process can put any pid in its credentials; the test does not, as
no supervisor can tell such a sender from the process it claims to be.)
"""
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from harness import (ROOT, descendants, kv, proc_status, proc_table, read_lines, stamps, stderr_lines, stop_vigil,
                     unit_text, wait_until)

sys.path.insert(0, str(ROOT / "tests" / "clients"))
import clientbuild  # noqa: E402


@pytest.fixture(scope="session")
def clients():
    """The C clients of tests/clients, built against libsystemd (build/tests/clients/)."""
    return clientbuild.build()


def notify_path(units):
    return os.path.join(units.h.runtime, "notify")


def send_from_test(units, text):
    """One datagram from the test process itself (outside every unit)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
        s.sendto(text.encode() if isinstance(text, str) else text, notify_path(units))


def ns_pid_in(path, run, what):
    """A pid a unit wrote to path (as its namespace sees it)."""
    wait_until(run, lambda: read_lines(path), what, timeout=10)
    return int(read_lines(path)[0].split()[0].split("=")[-1])


def host_pid(run, ns_pid):
    """The host pid of a process below vigil known by its pid in vigil's namespace."""
    table = proc_table()
    for p in descendants(run.pid, table):
        st = proc_status(p)
        if st and int(st["NSpid"].split()[-1]) == ns_pid and table[p][0] not in "ZX":
            return p
    raise AssertionError(f"no process {ns_pid} below vigil")


def kill_ns_pid(run, ns_pid):
    os.kill(host_pid(run, ns_pid), signal.SIGKILL)


def running(run, name):
    return stderr_lines(run, f"{name}.service: start -> running")


def left_running(run, name):
    return stderr_lines(run, f"{name}.service: running ->")


def unattributed_drops(run):
    return stderr_lines(run, "notify: dropped a datagram from pid", "(unattributed;")


# job LOG: "start TIME PID", then stays
JOB = """
    echo "start $(date +%s.%N) $$" >> "$1"
    exec sleep 30
"""

# WITH-CHILD PIDFILE: a background process of the unit (its pid in
# PIDFILE), then the main process stays (sleep).
WITH_CHILD = """
    sleep 30 &
    echo $! > "$1"
    exec sleep 30
"""


# ---------------------------------------------------------------- outside any unit

def test_a_process_outside_every_unit_cannot_ready_keep_alive_or_move_mainpid(units, clients):
    quiet_log, wd_log, child_pid = units.file("quiet"), units.file("wd"), units.file("mp.child")
    # quiet: Type=notify that never says READY=1; the test says it for it.
    units.add("quiet", unit_text("[Service]", "Type=notify", "TimeoutStartSec=1500ms",
                                 f"ExecStart={clients.sdclient} -k {quiet_log}"))
    # wd: ready, never pings; the test pings for it every 100 ms.
    units.add("wd", unit_text("[Service]", "Type=notify", "WatchdogSec=1s",
                              f"ExecStart={clients.sdclient} -s READY=1 -k {wd_log}"))
    # mp: NotifyAccess=all even; the test names the unit's own child as MAINPID=.
    with_child = units.script("with-child", WITH_CHILD)
    units.add("mp", unit_text("[Service]", "NotifyAccess=all", f"ExecStart={with_child} {child_pid}"))
    run = units.start("-vv")
    wait_until(run, lambda: os.path.exists(notify_path(units)) and kv(quiet_log).get("pid"), "quiet to start")
    child = ns_pid_in(child_pid, run, "mp's child")

    send_from_test(units, f"MAINPID={child}")
    deadline = time.monotonic() + 15
    while not stderr_lines(run, "wd.service: watchdog timeout") or \
            not stderr_lines(run, "quiet.service: failed with result timeout"):
        assert run.running() and time.monotonic() < deadline, \
            f"the watchdog of wd did not fire or quiet did not time out:\n{run.stderr}"
        send_from_test(units, "READY=1\nSTATUS=spoofed")
        send_from_test(units, "WATCHDOG=1")
        time.sleep(0.1)
    assert running(run, "wd"), run.stderr
    assert not running(run, "quiet"), run.stderr
    assert not stderr_lines(run, "status: spoofed"), run.stderr
    assert not stderr_lines(run, "main process is now"), run.stderr
    # What the test sent was counted as unattributed, and logged only at powers of two.
    drops = unattributed_drops(run)
    assert drops and "(unattributed; 1 so far)" in drops[0], run.stderr
    assert all(re.search(r"; (1|2|4|8|16|32|64|128|256) so far\)$", d) for d in drops), drops

    # mp kept its main pid: killing the claimed child does not end it.
    kill_ns_pid(run, child)
    time.sleep(1.0)
    assert not left_running(run, "mp"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- a child of a NotifyAccess=main unit

# CHILD-SENDS LOG CLIENT ARGS...: a child of the main process (not the main
# pid) runs CLIENT ARGS LOG; the main process stays (sleep).
CHILD_SENDS = """
    log=$1; shift
    "$@" "$log" &
    exec sleep 30
"""

# WD-MAIN CLIENT CHILD_LOG LOG: a child pings WATCHDOG=1 every 100 ms; the
# main process is the client itself: READY=1, no pings.
WD_MAIN = """
    "$1" -p 100 "$2" &
    exec "$1" -s READY=1 -k "$3"
"""


def test_a_child_of_a_notify_access_main_unit_cannot_ready_keep_alive_or_move_mainpid(units, clients):
    child_sends = units.script("child-sends", CHILD_SENDS)
    quiet_log, wd_log, wd_child_log, mp_log = (units.file(n) for n in ("quiet", "wd", "wd.child", "mp"))
    units.add("quiet", unit_text(
        "[Service]", "Type=notify", "TimeoutStartSec=1500ms",
        f'ExecStart={child_sends} {quiet_log} {clients.sdclient} -s "READY=1\\nSTATUS=child" -k'))
    wd_main = units.script("wd-main", WD_MAIN)
    units.add("wd", unit_text("[Service]", "Type=notify", "WatchdogSec=1s",
                              f"ExecStart={wd_main} {clients.sdclient} {wd_child_log} {wd_log}"))
    units.add("mp", unit_text("[Service]", "NotifyAccess=main",
                              f"ExecStart={child_sends} {mp_log} {clients.sdclient} -m -k"))
    run = units.start("-vv")
    wait_until(run, lambda: stderr_lines(run, "wd.service: watchdog timeout") and
               stderr_lines(run, "quiet.service: failed with result timeout"),
               "wd's watchdog to fire and quiet's start to time out", timeout=15)
    assert kv(wd_child_log).get("ping") and all(int(r) > 0 for r in kv(wd_child_log)["ping"]), read_lines(wd_child_log)
    assert running(run, "wd"), run.stderr
    assert not running(run, "quiet"), run.stderr
    assert not stderr_lines(run, "quiet.service: status: child"), run.stderr
    # Dropped as unauthorised (one counter for every unit: only the 1st, 2nd,
    # 4th... drop is logged, so not necessarily one line per unit).
    drops = stderr_lines(run, "notify: dropped a datagram from pid", "(unauthorised;")
    assert drops and "(unauthorised; 1 so far)" in drops[0], run.stderr
    assert all(re.search(r"(quiet|wd|mp)\.service does not allow it \(NotifyAccess=main, main pid \d+\)", d)
               for d in drops), drops

    # mp's child asked to be the main process: refused, and killing it leaves mp up.
    wait_until(run, lambda: kv(mp_log).get("sent"), "mp's child to send MAINPID=")
    mp_child = int(kv(mp_log)["pid"][0])
    assert int(kv(mp_log)["sent"][0]) > 0, read_lines(mp_log)
    assert not stderr_lines(run, "main process is now"), run.stderr
    kill_ns_pid(run, mp_child)
    time.sleep(1.0)
    assert not left_running(run, "mp"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- NotifyAccess=exec and none

def test_notify_access_exec_lets_exec_start_post_talk_and_none_lets_nobody(units, clients):
    # STATUS= is logged at -vv as "NAME.service: status: TEXT" when accepted.
    # A NotifyAccess=none unit gets no NOTIFY_SOCKET from vigil (plain); the
    # none unit is given the path by Environment=, and still may not talk.
    path = notify_path(units)
    logs = {n: units.file(n) for n in ("ex", "ex.post", "none", "none.post")}
    plain = units.file("plain")
    units.add("plain", unit_text("[Service]", "Type=oneshot", "RemainAfterExit=yes", "NotifyAccess=none",
                                 f"ExecStart={clients.sdclient} {plain}"))
    units.add("ex", unit_text("[Service]", "NotifyAccess=exec",
                              f'ExecStart={clients.sdclient} -s "STATUS=ex main" -k {logs["ex"]}',
                              f'ExecStartPost={clients.sdclient} -d 200 -s "STATUS=ex post" {logs["ex.post"]}'))
    units.add("none", unit_text("[Service]", "NotifyAccess=none", f"Environment=NOTIFY_SOCKET={path}",
                                f'ExecStart={clients.sdclient} -s "STATUS=none main" -k {logs["none"]}',
                                f'ExecStartPost={clients.sdclient} -d 200 -s "STATUS=none post" {logs["none.post"]}'))
    run = units.start("-vv")
    wait_until(run, lambda: all(kv(p).get("sent") for p in logs.values()), "every client to send", timeout=10)
    wait_until(run, lambda: stderr_lines(run, "ex.service: status: ex post") and
               stderr_lines(run, "ex.service: status: ex main"), "ex's two STATUS= lines")
    wait_until(run, lambda: len(stderr_lines(run, "none.service does not allow it (NotifyAccess=none")) >= 2,
               "none's two datagrams to be dropped")
    assert not stderr_lines(run, "none.service: status:"), run.stderr
    wait_until(run, lambda: kv(plain).get("send_at"), "plain to run")
    assert kv(plain)["notify_socket"] == ["-"], read_lines(plain)
    assert kv(units.file("ex"))["notify_socket"] == [path], read_lines(units.file("ex"))
    assert all(int(v) > 0 for p in logs.values() for v in kv(p)["sent"]), {p: read_lines(p) for p in logs.values()}
    stop_vigil(run)


def test_exec_start_post_cannot_talk_with_notify_access_main(units, clients):
    # The counterpart of the test above: the same ExecStartPost= is refused
    # when only the main process may talk.
    log, post = units.file("m"), units.file("m.post")
    units.add("m", unit_text("[Service]", "NotifyAccess=main",
                             f'ExecStart={clients.sdclient} -s "STATUS=m main" -k {log}',
                             f'ExecStartPost={clients.sdclient} -d 200 -s "STATUS=m post" {post}'))
    run = units.start("-vv")
    wait_until(run, lambda: stderr_lines(run, "m.service does not allow it (NotifyAccess=main"),
               "the ExecStartPost= datagram to be dropped", timeout=10)
    assert stderr_lines(run, "m.service: status: m main"), run.stderr
    assert not stderr_lines(run, "m.service: status: m post"), run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- MAINPID= outside the unit

def test_mainpid_naming_a_process_outside_the_unit_is_refused(units, clients):
    other_pid, log = units.file("other.pid"), units.file("mp")
    pid_then_sleep = units.script("pid-then-sleep", """
        echo $$ > "$1"
        exec sleep 30
        """)
    units.add("other", unit_text("[Service]", f"ExecStart={pid_then_sleep} {other_pid}"))
    claim = units.script("claim", """
        i=0
        while [ ! -s "$2" ]; do i=$((i + 1)); [ $i -gt 1000 ] && exit 99; sleep 0.01; done
        exec "$1" -s "MAINPID=$(cat "$2")" -s "READY=1" -k "$3"
        """)
    units.add("mp", unit_text("[Service]", "Type=notify", f"ExecStart={claim} {clients.sdclient} {other_pid} {log}"))
    run = units.start("-v")
    wait_until(run, lambda: running(run, "mp"), "mp to be ready", timeout=10)
    other = int(read_lines(other_pid)[0])
    assert stderr_lines(run, f"mp.service: MAINPID={other} refused: not a process of this unit"), run.stderr
    assert not stderr_lines(run, "main process is now"), run.stderr
    # mp's main is still the client: killing the claimed pid ends other, not mp.
    kill_ns_pid(run, other)
    wait_until(run, lambda: stderr_lines(run, "other.service: main process", "killed by SIGKILL"), "other to die")
    time.sleep(1.0)
    assert not left_running(run, "mp"), run.stderr
    main = int(kv(log)["pid"][0])
    assert proc_status(host_pid(run, main)) is not None
    stop_vigil(run)


# ---------------------------------------------------------------- flood

FLOOD = r"""
import os, random, socket, sys, time
path, n, marker, after, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
least = float(sys.argv[6])
rng = random.Random(4)
kinds = {"random": 0, "nul": 0, "long": 0, "empty": 0}
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(path)
s.settimeout(30)
t0 = time.time()
for i in range(n):
    k = i % 4
    if k == 0:
        data = rng.randbytes(rng.randrange(1, 200)).replace(b"\0", b"\1")
        kinds["random"] += 1
    elif k == 1:
        data = b"READY=1\0WATCHDOG=1\0" + rng.randbytes(rng.randrange(0, 50))
        kinds["nul"] += 1
    elif k == 2:
        data = b"STATUS=" + b"x" * 4993 if i % 8 == 2 else rng.randbytes(5000)
        kinds["long"] += 1
    else:
        data = b""
        kinds["empty"] += 1
    s.send(data)
    if i + 1 == after:
        with open(marker + ".new", "w") as m:  # whole or absent: the test reads it once it exists
            m.write(f"{time.time():.6f}\n")
        os.rename(marker + ".new", marker)
    if i % 1000 == 999:  # full speed in bursts, but over at least `least` s
        ahead = t0 + least * (i + 1) / n - time.time()
        if ahead > 0:
            time.sleep(ahead)
with open(out, "w") as f:
    f.write(" ".join(f"{k}={v}" for k, v in kinds.items()) + f" start={t0:.6f} end={time.time():.6f}\n")
"""

FLOOD_DATAGRAMS = 100_000
FLOOD_LEAST_SECONDS = 2.5  # so the units act while it goes on


def vm_rss_kib(pid):
    return int(proc_status(pid)["VmRSS"].split()[0])


def test_a_flood_of_garbage_datagrams_leaves_vigil_serving_flat_and_quiet(units, clients):
    marker, stats = units.file("flood.started"), units.file("flood.stats")
    # late: Type=notify that says READY=1 once the flood is under way; alpha is After= it.
    wait_marker = units.script("wait-marker", """
        i=0
        while [ ! -e "$1" ]; do i=$((i + 1)); [ $i -gt 6000 ] && exit 99; sleep 0.01; done
        shift
        exec "$@"
        """)
    units.add("late", unit_text(
        "[Service]", "Type=notify", "TimeoutStartSec=90s",
        f"ExecStart={wait_marker} {marker} {clients.sdclient} -s READY=1 -k {units.file('late')}"))
    job = units.script("job", JOB)
    units.add("alpha", unit_text("[Unit]", "After=late.service", "[Service]", f"ExecStart={job} {units.file('alpha')}"))
    # crash: its first run ends (exit 1) once the flood is under way; Restart=always.
    crash = units.script("crash", """
        echo "start $(date +%s.%N)" >> "$2"
        [ "$(wc -l < "$2")" -gt 1 ] && exec sleep 30
        i=0
        while [ ! -e "$1" ]; do i=$((i + 1)); [ $i -gt 6000 ] && exit 99; sleep 0.01; done
        exit 1
        """)
    units.add("crash", unit_text("[Unit]", "StartLimitIntervalSec=0", "[Service]", "Restart=always", "RestartSec=0",
                                 f"ExecStart={crash} {marker} {units.file('crash')}"))
    # pinger: a watchdog unit that must stay alive through the flood.
    units.add("pinger", unit_text("[Service]", "Type=notify", "WatchdogSec=3s",
                                  f"ExecStart={clients.sdclient} -s READY=1 -p 200 {units.file('pinger')}"))
    run = units.start("-v")
    wait_until(run, lambda: running(run, "pinger") and stamps(units.file("crash"), "start"),
               "pinger and crash to be up", timeout=10)
    time.sleep(0.5)
    rss_before = vm_rss_kib(run.pid)

    flood = units.h.spawn([sys.executable, "-c", FLOOD, notify_path(units), FLOOD_DATAGRAMS, marker, 2000, stats,
                             FLOOD_LEAST_SECONDS])
    wait_until(run, lambda: os.path.exists(marker), "the flood to start", timeout=20)
    flood_started = float(read_lines(marker)[0])
    # Within the flood: late gets ready and alpha starts; crash restarts.
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "alpha (After=late) to start", timeout=20)
    wait_until(run, lambda: len(stamps(units.file("crash"), "start")) >= 2, "crash to restart", timeout=20)
    alpha_started = stamps(units.file("alpha"), "start")[0]
    crash_restarted = stamps(units.file("crash"), "start")[1]
    ready_sent = float(kv(units.file("late"))["send_at"][0])

    try:
        flood.wait(timeout=90)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the flood did not end in 90 s; vigil stopped reading?\n{run.stderr}") from None
    assert flood.returncode == 0, "the flood sender failed"
    sent = dict(tok.split("=") for tok in read_lines(stats)[0].split())
    assert ready_sent < float(sent["end"]), "late sent READY=1 only after the flood (the test needs the overlap)"
    assert alpha_started - ready_sent < 5, f"alpha started {alpha_started - ready_sent:.2f} s after READY=1"
    assert crash_restarted - flood_started < 5, \
        f"crash restarted {crash_restarted - flood_started:.2f} s into the flood"
    assert run.running(), run.stderr

    # Everything was read (the counters reach the sent numbers), with few lines.
    malformed = int(sent["nul"]) + int(sent["long"]) + int(sent["empty"])
    unattributed = int(sent["random"])

    def top(kind):
        ns = [int(m.group(1)) for line in stderr_lines(run, "notify: dropped a datagram", f"({kind};")
              for m in [re.search(r"; (\d+) so far\)$", line)] if m]
        return ns

    def all_logged():
        return top("malformed") and max(top("malformed")) == 2 ** int(math.log2(malformed)) and \
            top("unattributed") and max(top("unattributed")) == 2 ** int(math.log2(unattributed))
    wait_until(run, all_logged, "the last power-of-two drop lines", timeout=20)
    for kind, n in (("malformed", malformed), ("unattributed", unattributed)):
        assert top(kind) == [2 ** k for k in range(int(math.log2(n)) + 1)], (kind, top(kind))
    drop_lines = stderr_lines(run, "notify: dropped a datagram")
    assert len(drop_lines) <= 2 * 18, drop_lines
    assert not stderr_lines(run, "unauthorised;"), run.stderr

    # Alive and flat: the watchdog unit never missed, RSS within 2 MiB.
    rss_after = vm_rss_kib(run.pid)
    assert rss_after - rss_before <= 2048, f"vigil's RSS grew from {rss_before} to {rss_after} KiB"
    assert not stderr_lines(run, "watchdog timeout"), run.stderr
    assert len(running(run, "pinger")) == 1, run.stderr
    print(f"flood: {FLOOD_DATAGRAMS} datagrams in {float(sent['end']) - float(sent['start']):.2f} s; "
          f"RSS {rss_before} -> {rss_after} KiB; marker {flood_started - float(sent['start']):.3f}, "
          f"READY=1 {ready_sent - float(sent['start']):.3f}, alpha {alpha_started - float(sent['start']):.3f}, "
          f"crash restart {crash_restarted - float(sent['start']):.3f}")
    stop_vigil(run)
