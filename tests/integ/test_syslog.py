"""The syslog receiver (issue 15, point 7): datagrams that syslog(3),
logger(1) and Python's syslog module send are attributed to their unit by
the sender's kernel-stamped pid and kept like the unit's stdout lines
(`vigilctl log`, its JSON), "TAG: MESSAGE"; senders of no unit go to
vigil's stdout as the pseudo-source "syslog"; garbage and floods cost one
line each and harm nothing. A syslog daemon among the units (the unit
syslog.service names) is the receiver instead: vigil opens no socket.

The socket is --syslog-socket PATH under the test's directory (the host's
/dev is shared: harness.py turns the default /dev/log off). Python's syslog
module can only write to /dev/log: that unit runs it in a mount namespace
of its own whose /dev holds a link to vigil's socket.
"""
import json
import os
import socket
import subprocess
import time

import pytest

from harness import stderr_lines, stop_vigil, unit_text, wait_until
from test_systemd_layout import Layout

def log_messages(vigil, unit):
    r = vigil.ctl("log", "--json", unit)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def has_line(vigil, unit, text):
    return any(rec["message"] == text for rec in log_messages(vigil, unit))


def start(units, vigil, *extra):
    sock = str(vigil.tmp / "log.sock")
    run = units.start(f"--syslog-socket={sock}", *extra)
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    return run, sock


def test_logger_lines_in_the_units_log(units, vigil):
    sock = str(vigil.tmp / "log.sock")
    # Each logger is a process of the unit vigil itself reaps (a oneshot's
    # commands): what it sent is read before its exit is handled. A sender
    # that is gone before vigil reads its datagram cannot be attributed
    # (as for sd_notify), so the test does not race one.
    units.add("cronlike", unit_text(
        "[Service]", "Type=oneshot", "RemainAfterExit=yes",
        f"ExecStart=/usr/bin/logger -u {sock} -t CRON -i \"(root) CMD (true)\"",
        f"ExecStart=/usr/bin/logger -u {sock} --rfc5424 -t app5424 \"five four two four\""))
    run = units.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    wait_until(run, lambda: has_line(vigil, "cronlike", "app5424: five four two four"), "the RFC 5424 line")
    recs = log_messages(vigil, "cronlike")
    cron = [r for r in recs if r["message"] == "CRON: (root) CMD (true)"]
    assert cron, recs
    assert cron[0]["unit"] == "cronlike.service" and cron[0]["pid"], cron
    human = vigil.ctl("log", "cronlike").stdout
    assert "CRON: (root) CMD (true)" in human
    assert "cronlike" in run.stdout and "app5424: five four two four" in run.stdout
    stop_vigil(run)
    assert not os.path.exists(sock), "the socket file is removed at exit"


def test_python_syslog_module_through_dev_log(units, vigil):
    sock = str(vigil.tmp / "log.sock")
    py = units.script("pyapp.py", """
        import syslog
        syslog.openlog("pyapp", syslog.LOG_PID)
        syslog.syslog(syslog.LOG_WARNING, "from python")
        import time
        time.sleep(100)   # alive while vigil reads it: the sender is known by its pid
        """, interpreter="/usr/bin/python3")
    inner = units.script("pyapp.sh", f"""
        mount -t tmpfs vigil-test /dev && ln -s {sock} /dev/log || exit 1
        exec {py}
        """)
    units.add("pyapp", unit_text("[Service]", f"ExecStart=/usr/bin/unshare -m --propagation private {inner}"))
    run = units.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    wait_until(run, lambda: has_line(vigil, "pyapp", "pyapp: from python"), "python's syslog line")
    stop_vigil(run)


def test_unattributed_sender_is_the_syslog_pseudo_source(units, vigil):
    units.add("idle", unit_text("[Service]", "ExecStart=/bin/sleep 100"))
    run, sock = start(units, vigil)
    wait_until(run, lambda: os.path.exists(sock), "the syslog socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"<14>Dec  7 10:00:00 outsider[42]: not a unit's", sock)
    wait_until(run, lambda: "outsider: not a unit's" in run.stdout, "the line on vigil's stdout")
    line = [l for l in run.stdout.splitlines() if "outsider: not a unit's" in l][0]
    assert line.startswith("syslog"), line
    assert not any("outsider" in r["message"] for r in log_messages(vigil, "idle"))
    stop_vigil(run)


def test_garbage_datagrams_one_line_each_nothing_harmed(units, vigil):
    sock = str(vigil.tmp / "log.sock")
    units.add("talker", unit_text(
        "[Service]",
        f"ExecStart=/bin/sh -c 'while [ ! -e {vigil.tmp}/go ]; do sleep 0.02; done; "
        f"exec /usr/bin/logger -u {sock} -t after still-fine'"))
    run = units.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: os.path.exists(sock), "the syslog socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        for junk in (b"", b"<999>too high", b"<12", b"a\x00b", b"<13>1 cut-short"):
            s.sendto(junk, sock)
    (vigil.tmp / "go").touch()
    wait_until(run, lambda: has_line(vigil, "talker", "after: still-fine"), "the line after the garbage")
    dropped = stderr_lines(run, "syslog: dropped a datagram")
    # 5 malformed: logged at the 1st, 2nd and 4th.
    assert len(dropped) == 3, run.stderr
    for why in ("empty", "opens no priority", "NUL byte"):
        assert any(why in l for l in dropped + stderr_lines(run, why)), run.stderr
    assert vigil.ctl("status").returncode == 0
    stop_vigil(run)


def test_a_flood_is_bounded_and_vigil_stays_responsive(units, vigil):
    sock = str(vigil.tmp / "log.sock")
    flood = units.script("flood", f"""
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for i in range(20000):
            s.sendto(b"<13>flood: line %d" % i, "{sock}")
        open("{vigil.tmp}/flood.done", "w").close()
        import time; time.sleep(100)
        """, interpreter="/usr/bin/python3")
    units.add("flood", unit_text("[Service]", f"ExecStart={flood}"))
    run = units.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: os.path.exists(vigil.tmp / "flood.done"), "the flood to be sent", timeout=60)
    wait_until(run, lambda: has_line(vigil, "flood", "flood: line 19999"), "the flood's last line", timeout=20)
    assert vigil.ctl("status").returncode == 0
    recs = log_messages(vigil, "flood")
    assert 10 < len(recs) < 20000, "the ring keeps the last lines only"
    assert len(stderr_lines(run, "syslog")) <= 2, run.stderr
    stop_vigil(run)


def test_none_turns_it_off_and_a_live_socket_is_left_alone(units, vigil):
    sock = str(vigil.tmp / "taken.sock")
    owner = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    owner.bind(sock)
    try:
        units.add("idle", unit_text("[Service]", "ExecStart=/bin/sleep 100"))
        run, _ = start(units, vigil, f"--syslog-socket={sock}")
        wait_until(run, lambda: stderr_lines(run, "syslog:", sock, "another process"), "the one line")
        owner.settimeout(0.2)
        stop_vigil(run)
        assert os.path.exists(sock), "another process's socket is not removed"
    finally:
        owner.close()


def fake_syslogd(sock, ready, got, die_on=None):
    """A syslog daemon's source (python3): binds sock as rsyslog's imuxsock
    does (unlinking what is there), touches ready, appends each datagram to
    got; a datagram ending in die_on makes it SIGKILL itself."""
    die = f"""
    if line.endswith({die_on!r}):
        os.kill(os.getpid(), signal.SIGKILL)""" if die_on else ""
    return f"""import os, signal, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    os.unlink("{sock}")
except FileNotFoundError:
    pass
s.bind("{sock}")
open("{ready}", "w").close()
while True:
    line = s.recv(4096){die}
    with open("{got}", "ab") as f:
        f.write(line + b"\\n")
"""


def test_a_syslog_daemon_unit_gets_the_socket_and_its_death_fails_fast(units, vigil):
    """A syslog daemon among the units (the unit syslog.service names) is the
    receiver once it is up: until then vigil keeps the lines (its
    ExecStartPre='s here), then closes its socket (one line) and the daemon
    binds the path as rsyslog's imuxsock does (unlinking what is there).
    When it dies, a sender fails at once (ECONNREFUSED on the stale file):
    nothing blocks, and vigil does not take the path over."""
    sock = str(vigil.tmp / "log.sock")
    got, ready = vigil.tmp / "daemon.got", vigil.tmp / "daemon.ready"
    daemon = units.script("fakesyslogd", fake_syslogd(sock, ready, got, die_on=b"test: die"),
                          interpreter="/usr/bin/python3")
    # (--units DIR: the file's own name; from the systemd layout the alias
    # link resolves to rsyslog.service: tests/distro)
    units.add("syslog", unit_text("[Service]", f"ExecStartPre=/usr/bin/logger -u {sock} -t pre before-the-daemon",
                                  f"ExecStart={daemon}"))
    units.add("app", unit_text(
        "[Service]",
        f"ExecStart=/bin/sh -c 'while [ ! -e {ready} ]; do sleep 0.02; done; "
        f"/usr/bin/logger -u {sock} -t app to-the-daemon; exec sleep 100'"))
    run, _ = start(units, vigil)
    assert stderr_lines(run, "syslog: syslog.service is the syslog daemon (syslog.service)",
                        f"{sock} is its once it is up"), run.stderr
    wait_until(run, lambda: stderr_lines(run, f"syslog: syslog.service is up: leaving {sock} to it"), "the handover")
    wait_until(run, lambda: got.exists() and b"app: to-the-daemon" in got.read_bytes(), "the daemon's line")
    assert has_line(vigil, "syslog", "pre: before-the-daemon"), "a line before the daemon is up is vigil's"
    assert b"before-the-daemon" not in got.read_bytes()
    assert not any("to-the-daemon" in r["message"] for r in log_messages(vigil, "app"))
    assert "to-the-daemon" not in run.stdout
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"<13>test: die", sock)   # it kills itself: no socket closed in order
    wait_until(run, lambda: stderr_lines(run, "syslog.service: failed with result signal"), "the daemon's death")
    t0 = time.monotonic()
    r = subprocess.run(["logger", "-u", sock, "-t", "late", "nobody-there"], capture_output=True, text=True,
                       timeout=10)
    assert time.monotonic() - t0 < 3, "a send to a dead daemon's socket fails at once"
    assert r.returncode == 0, r   # logger drops what it cannot send, as syslog(3) does
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        with pytest.raises(ConnectionRefusedError):
            s.sendto(b"<13>late: refused", sock)
    assert os.path.exists(sock) and b"nobody-there" not in got.read_bytes()
    assert vigil.ctl("status").returncode in (0, 3)
    stop_vigil(run)
    assert os.path.exists(sock), "the daemon's socket file is not vigil's to remove"


def test_the_layout_alias_names_the_daemon_and_disable_gives_the_socket_back(vigil):
    """From the systemd layout: `systemctl enable` of a unit with
    Alias=syslog.service makes the alias link; vigil resolves it and leaves
    the path to that unit once it is up. Disabled, the next boot's vigil
    receives again."""
    L = Layout(vigil)
    sock = str(vigil.tmp / "log.sock")
    L.service("mysyslogd.service", f"touch {L.out}/d; exec sleep 600",
              install="WantedBy=multi-user.target\nAlias=syslog.service")
    r = L.systemctl("enable", "mysyslogd.service")
    assert r.returncode == 0 and os.path.islink(L.root / "etc/systemd/system/syslog.service"), r.stdout + r.stderr
    run = L.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: (L.out / "d").exists(), "the daemon to start", timeout=10)
    assert len(stderr_lines(run, "syslog: mysyslogd.service is the syslog daemon (syslog.service)")) == 1, run.stderr
    wait_until(run, lambda: stderr_lines(run, f"syslog: mysyslogd.service is up: leaving {sock} to it"), "the handover")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        with pytest.raises(ConnectionRefusedError):   # vigil's socket is closed; this daemon binds none
            s.sendto(b"<13>t: x", sock)
    stop_vigil(run)
    assert os.path.exists(sock), "the path is the daemon's: not removed"
    r = L.systemctl("disable", "mysyslogd.service")
    assert r.returncode == 0 and not os.path.lexists(L.root / "etc/systemd/system/syslog.service"), r.stdout
    L.service("other.service", f"touch {L.out}/o; exec sleep 600")
    L.want("other.service")
    run = L.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: (L.out / "o").exists(), "the other unit", timeout=10)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"<13>outsider: to vigil again", sock)
    wait_until(run, lambda: "outsider: to vigil again" in run.stdout, "vigil's own socket's line")
    assert not stderr_lines(run, "is the syslog daemon"), run.stderr
    stop_vigil(run)


def test_a_syslog_daemon_started_at_run_time_takes_the_socket_over(vigil):
    """`apt-get install rsyslog` in a running image: its postinst starts the
    unit through vigil. vigil's receiver closes once it is up (one line),
    the daemon binds the path alone, and vigil's exit leaves its file."""
    L = Layout(vigil)
    sock = str(vigil.tmp / "log.sock")
    got, ready = vigil.tmp / "daemon.got", vigil.tmp / "daemon.ready"
    daemon = L.bin / "fakesyslogd"
    daemon.write_text("#!/usr/bin/python3\n" + fake_syslogd(sock, ready, got))
    daemon.chmod(0o755)
    L.unit("mysyslogd.service", f"[Service]\nExecStart={daemon}\n[Install]\nAlias=syslog.service\n")
    L.service("other.service", f"touch {L.out}/o; exec sleep 600")
    L.want("other.service")
    run = L.start(f"--syslog-socket={sock}")
    wait_until(run, lambda: os.path.exists(sock) and (L.out / "o").exists(), "vigil's socket", timeout=10)
    r = L.systemctl("enable", "mysyslogd.service")
    assert r.returncode == 0, r.stdout + r.stderr
    r = vigil.ctl("start", "mysyslogd.service")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_until(run, lambda: ready.exists(), "the daemon to bind", timeout=10)
    assert len(stderr_lines(run, "syslog: mysyslogd.service is the syslog daemon", f"{sock} is its once it is up")) == 1, \
        run.stderr
    wait_until(run, lambda: stderr_lines(run, f"syslog: mysyslogd.service is up: leaving {sock} to it"), "the handover")
    subprocess.run(["logger", "-u", sock, "-t", "late", "to-the-new-daemon"], timeout=10, check=True)
    wait_until(run, lambda: got.exists() and b"late: to-the-new-daemon" in got.read_bytes(), "the daemon's line")
    assert "to-the-new-daemon" not in run.stdout
    stop_vigil(run)
    assert os.path.exists(sock), "the daemon's socket file is not vigil's to remove"
