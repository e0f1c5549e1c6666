"""vigilctl log [-f] [-n N] [UNIT] (issue 5, points 2 and 3): each unit's
output kept in a bounded ring, the last N lines of one unit or of all of
them merged in order, following new lines, and a unit that floods, writes a
10 MB line or binary never stalling vigil or growing its memory."""
import json
import os
import re
import signal
import socket
import subprocess
import time

from harness import VIGILCTL, proc_status, stop_vigil, unit_text, wait_until

LOG_KEYS = {"time": str, "time_usec": int, "unit": str, "pid": (int, type(None)), "message": str, "cut": bool}
HUMAN = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} (\S+?)(?:\[(\d+)\])?: (.*)$")


def listening(run, vigil):
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")


def ctl_bytes(vigil, *args, timeout=20):
    """vigilctl with its output as bytes (service output need not be text)."""
    return subprocess.run([VIGILCTL, *[str(a) for a in args]], env=vigil.env(), cwd=str(vigil.tmp),
                          capture_output=True, timeout=timeout)


def log_json(vigil, *args):
    r = vigil.ctl("log", "--json", *args)
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    for rec in records:
        assert set(rec) == set(LOG_KEYS), rec
        for key, types in LOG_KEYS.items():
            assert isinstance(rec[key], types), (key, rec)
        assert rec["time"].endswith("Z") and rec["time_usec"] > 1.6e15
    return records


def messages(records, unit=None):
    return [r["message"] for r in records if unit is None or r["unit"] == unit]


def rss_kib(pid):
    return int(proc_status(pid)["VmRSS"].split()[0])


def follower(vigil, lines=0, unit=None):
    """A raw `log LINES 1 [UNIT]` connection (the caller reads it, or not)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(vigil.control_socket())
    s.sendall(f"vigil/1 log {lines} 1{' ' + unit if unit else ''}\n".encode())
    return s


def timed_ctl(vigil, *args):
    t0 = time.monotonic()
    r = vigil.ctl(*args, timeout=30)
    return r, time.monotonic() - t0


COUNT = """
    # count NAME N [AFTER]: wait for AFTER (a file) if given, print "NAME 1".."NAME N", touch OUT/NAME.done
    if [ -n "$3" ]; then while [ ! -e "$3" ]; do sleep 0.02; done; fi
    i=1
    while [ $i -le $2 ]; do echo "$1 $i"; i=$((i + 1)); done
    touch "$(dirname "$0")/../out/$1.done"
    exec sleep 1000
"""


def test_last_lines_of_one_unit_and_of_all(vigil, units):
    count = units.script("count", COUNT)
    units.add("alpha", unit_text("[Service]", "ExecStartPre=/bin/echo alpha before",
                                 f"ExecStart={count} alpha 80", "ExecStopPost=/bin/echo alpha after"))
    units.add("bravo", unit_text("[Service]", f"ExecStart={count} bravo 30 {units.file('alpha.done')}"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: os.path.exists(units.file("bravo.done")), "both units to write their lines")
    # Lines reach the ring once vigil has read them: wait for the last.
    wait_until(run, lambda: "bravo 30" in vigil.ctl("log", "-n", "1").stdout, "bravo's last line in the log")

    # One unit, human format: TIME UNIT[PID]: line, the last N in order.
    r = vigil.ctl("log", "-n", "5", "alpha")
    assert r.returncode == 0, r.stderr
    got = [HUMAN.match(line) for line in r.stdout.splitlines()]
    assert all(got), r.stdout
    assert [m.group(3) for m in got] == [f"alpha {i}" for i in range(76, 81)]
    assert {m.group(1) for m in got} == {"alpha.service"}
    assert len({m.group(2) for m in got}) == 1 and got[0].group(2).isdigit()

    # Default: 50 lines. ExecStartPre= output counts, with its own pid.
    assert messages(log_json(vigil, "alpha")) == [f"alpha {i}" for i in range(31, 81)]
    every = log_json(vigil, "--lines", "1000", "alpha.service")
    assert messages(every) == ["alpha before"] + [f"alpha {i}" for i in range(1, 81)]
    assert every[0]["pid"] != every[1]["pid"]
    assert not any(r["cut"] for r in every)

    # All units: merged in the order the lines came, the newest N overall.
    merged = log_json(vigil, "-n", "40")
    assert messages(merged) == [f"alpha {i}" for i in range(71, 81)] + [f"bravo {i}" for i in range(1, 31)]
    assert [r["time_usec"] for r in merged] == sorted(r["time_usec"] for r in merged)
    assert len(log_json(vigil, "-n", "0")) == 0
    assert len(log_json(vigil, "-n", "100000")) == 81 + 30

    # Errors: unknown unit 3, bad count 2.
    r = vigil.ctl("log", "nosuch")
    assert r.returncode == 3 and "nosuch" in r.stderr
    assert vigil.ctl("log", "-n", "many").returncode == 2
    assert vigil.ctl("log", "alpha", "bravo").returncode == 2

    # ExecStopPost= output counts too.
    assert vigil.ctl("stop", "alpha").returncode == 0
    wait_until(run, lambda: "alpha after" in vigil.ctl("log", "-n", "1", "alpha").stdout, "ExecStopPost= line")
    stop_vigil(run)


BIG = """
    import os, sys, time
    out = sys.stdout.buffer
    out.write(open(sys.argv[1], "rb").read())     # binary, then its newline
    out.write(b"\\n")
    out.flush()
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.02)
    for _ in range(10):                           # 10 MB, no newline, over about a second
        out.write(b"x" * 1000000)
        out.flush()
        time.sleep(0.1)
    out.write(b"\\nend\\n")
    out.flush()
    open(sys.argv[2], "w").close()
    time.sleep(1000)
"""


def test_huge_line_and_binary_do_not_stall_and_show_as_cut_pieces(vigil, units):
    payload = bytes(b for b in range(256) if b != 0x0A) * 3
    with open(units.file("payload"), "wb") as f:
        f.write(payload)
    big = units.script("big", BIG, interpreter="/usr/bin/python3")
    units.add("big", unit_text("[Service]", f"ExecStart={big} {units.file('payload')} {units.file('big.done')} {units.file('go')}"))
    units.add("quiet", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: log_json(vigil, "big"), "big's first line")
    # The binary line, byte for byte (vigilctl prints the bytes as they came).
    r = ctl_bytes(vigil, "log", "-n", "1", "big")
    assert r.returncode == 0, r.stderr
    line = r.stdout
    assert line.endswith(b"\n") and b"]: " in line
    assert line[line.index(b"]: ") + 3:-1] == payload
    open(units.file("go"), "w").close()
    # While the 10 MB line comes in, vigil answers at once.
    slowest = 0.0
    while not os.path.exists(units.file("big.done")):
        r, took = timed_ctl(vigil, "status")
        assert r.returncode == 0, r.stderr
        slowest = max(slowest, took)
        time.sleep(0.05)
    assert slowest < 5, f"vigilctl status took {slowest:.1f} s while a unit wrote a 10 MB line"
    wait_until(run, lambda: "end" in messages(log_json(vigil, "-n", "1", "big")), "the line after the 10 MB")

    records = log_json(vigil, "-n", "1000", "big")
    assert records[-1]["message"] == "end" and not records[-1]["cut"]
    pieces = [r for r in records if r["message"] and set(r["message"]) == {"x"}]
    assert len(pieces) >= 2, "the last pieces of the 10 MB line are kept"
    assert all(p["cut"] for p in pieces[:-1]) and not pieces[-1]["cut"], "each piece but the last is cut"
    assert all(len(p["message"]) <= 16384 for p in pieces)
    assert sum(len(r["message"]) for r in records) <= 64 * 1024, "the ring is bounded"
    # Human format: cut pieces say so.
    human = ctl_bytes(vigil, "log", "-n", "3", "big").stdout.splitlines()
    assert human[0].endswith(b"x [line cut]"), human[0][-40:]
    assert human[-1].endswith(b": end")
    assert run.running()
    stop_vigil(run)


FLOOD = """
    # flood NAME: lines as fast as the pipe takes them
    exec yes "$1 floods the log with this line of about sixty bytes ........"
"""


def test_memory_bounded_while_units_flood_and_followers_do_not_read(vigil, units):
    flood = units.script("flood", FLOOD)
    for name in ("f1", "f2", "f3"):
        units.add(name, unit_text("[Service]", f"ExecStart={flood} {name}"))
    units.add("quiet", unit_text("[Service]", "ExecStartPre=/bin/echo quiet here", "ExecStart=/bin/sleep 1000"))
    run = units.start(stdout=subprocess.DEVNULL)
    listening(run, vigil)
    wait_until(run, lambda: len(log_json(vigil, "-n", "10", "f3")) == 10, "the floods to begin")
    time.sleep(1)
    before = rss_kib(run.pid)
    # Followers that never read, of one unit and of all.
    stuck = [follower(vigil, 1000, "f1") for _ in range(3)] + [follower(vigil, 100000) for _ in range(3)]
    deadline = time.monotonic() + 4
    slowest = 0.0
    while time.monotonic() < deadline:
        r, took = timed_ctl(vigil, "status")
        assert r.returncode == 0, r.stderr
        slowest = max(slowest, took)
        r = vigil.ctl("log", "-n", "100000")
        assert r.returncode == 0 and len(r.stdout.splitlines()) > 1000, r.stderr
        time.sleep(0.2)
    assert slowest < 5, f"vigilctl status took {slowest:.1f} s while followers did not read"
    assert messages(log_json(vigil, "quiet")) == ["quiet here"], "a flood elsewhere leaves a quiet unit's ring alone"
    after = rss_kib(run.pid)
    # Rings: 64 KiB per unit; followers: 256 KiB pending each, plus the
    # socket buffers, and the backlog replies. Generous, but a leak of
    # lines would blow it in seconds (megabytes per second per flood).
    assert after - before < 24 * 1024, f"vigil's RSS grew from {before} to {after} KiB"
    for s in stuck:
        s.close()
    assert run.running()
    stop_vigil(run)


TICK = """
    # tick DIR: print "tick N" when DIR/N appears, for N = 1, 2, ...
    n=1
    while true; do
        while [ ! -e "$1/$n" ]; do sleep 0.02; done
        echo "tick $n"
        n=$((n + 1))
    done
"""


def test_follow_gets_new_lines_and_stops_cleanly(vigil, units):
    tick = units.script("tick", TICK)
    d = units.file("ticks")
    os.mkdir(d)
    units.add("tick", unit_text("[Service]", f"ExecStart={tick} {d}"))
    units.add("other", unit_text("[Service]", "ExecStart=/bin/sh -c 'echo other line; exec sleep 1000'"))
    run = units.start()
    listening(run, vigil)
    open(os.path.join(d, "1"), "w").close()
    wait_until(run, lambda: messages(log_json(vigil, "tick")) == ["tick 1"], "tick 1")
    wait_until(run, lambda: messages(log_json(vigil, "other")) == ["other line"], "other's line")

    p = subprocess.Popen([VIGILCTL, "log", "-f", "-n", "1", "tick"], env=vigil.env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    vigil.others.append(p)

    def next_line():
        line = p.stdout.readline()
        assert line, f"vigilctl log -f ended: {p.wait(5)} {p.stderr.read()}"
        m = HUMAN.match(line.decode().rstrip("\n"))
        assert m, line
        return m.group(1), m.group(3)

    assert next_line() == ("tick.service", "tick 1"), "the backlog first"
    for n in (2, 3, 4):
        open(os.path.join(d, str(n)), "w").close()
        assert next_line() == ("tick.service", f"tick {n}"), "then each new line as it comes"
    # Quiet for longer than the 10 s idle timeout: a follower stays.
    time.sleep(11)
    open(os.path.join(d, "5"), "w").close()
    assert next_line() == ("tick.service", "tick 5")
    assert p.poll() is None
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0 and not err, (p.returncode, err)

    # All units, JSON, following: lines of any unit.
    p = subprocess.Popen([VIGILCTL, "log", "--json", "-f", "-n", "0"], env=vigil.env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    vigil.others.append(p)
    time.sleep(0.3)
    open(os.path.join(d, "6"), "w").close()
    rec = json.loads(p.stdout.readline())
    assert (rec["unit"], rec["message"], rec["cut"]) == ("tick.service", "tick 6", False)
    assert isinstance(rec["pid"], int)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=10)
    assert p.returncode == 0

    # Followers that hang up are gone: more of them than the 64-connection
    # cap, one after the other, and vigil still serves.
    for _ in range(80):
        s = follower(vigil, 0, "tick")
        assert s.recv(4096).startswith(b"vigil/1 0 ")
        s.close()
    wait_until(run, lambda: vigil.ctl("status").returncode == 0, "status after 80 followers came and went")
    stop_vigil(run)


def test_a_slow_follower_is_told_what_it_missed(vigil, units):
    flood = units.script("flood", FLOOD)
    units.add("f", unit_text("[Service]", f"ExecStart={flood} f"))
    run = units.start(stdout=subprocess.DEVNULL)
    listening(run, vigil)
    s = follower(vigil, 0, "f")
    assert s.recv(64).startswith(b"vigil/1 0 f.service\n")
    time.sleep(3)  # not reading while f floods
    data = b""
    deadline = time.monotonic() + 20
    while b"\n@dropped\t" not in data and time.monotonic() < deadline:
        chunk = s.recv(65536)
        assert chunk, "the follower must stay connected"
        data += chunk
    m = re.search(rb"\n@dropped\t(\d+)\n", data)
    assert m and int(m.group(1)) > 0, "one record says how many lines were dropped"
    # Before and after it: whole records of f.
    lines = data[:m.start()].split(b"\n")[1:] + data[m.end():].split(b"\n")[:-1]
    assert lines and all(line.split(b"\t")[1] == b"f.service" for line in lines if line)
    s.close()
    assert run.running()
    stop_vigil(run)


def test_runit_log_service_lines_are_kept(vigil):
    root = vigil.tmp / "sv" / "talker"
    (root / "log").mkdir(parents=True)
    for rel, text in (("run", 'echo "said by $$"\nexec sleep 1000\n'),
                      ("log/run", 'while read -r l; do echo "logged: $l"; done\n')):
        p = root / rel
        p.write_text("#!/bin/sh\n" + text)
        p.chmod(0o755)
    run = vigil.start("--runit-dir", str(vigil.tmp / "sv"))
    listening(run, vigil)
    wait_until(run, lambda: any(m.startswith("logged: said by ") for m in messages(log_json(vigil))),
               "the log service's line")
    rec = next(r for r in log_json(vigil) if r["message"].startswith("logged: "))
    assert vigil.ctl("log", rec["unit"]).returncode == 0
    stop_vigil(run)


def test_stderr_alone_through_vigil_is_kept_with_its_pid(vigil, units):
    # StandardError=journal with StandardOutput= elsewhere: stderr gets its
    # own pipe (this used to crash vigil).
    units.add("e", unit_text("[Service]", "StandardOutput=null", "StandardError=journal",
                             "ExecStart=/bin/sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: log_json(vigil, "e"), "e's line")
    records = log_json(vigil, "e")
    assert messages(records) == ["to-err"]
    assert isinstance(records[0]["pid"], int)
    stop_vigil(run)
