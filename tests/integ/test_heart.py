"""vigil-heart, the Erlang heart drop-in (issue 7 item 6), with a real
`erl -heart` (Debian's erlang-base) under vigil, as PID 1 and as subreaper.

The system's Erlang is not modified: each test builds a private ERTS bin
directory (symlinks to the real erlexec, beam.smp, erl_child_setup, ...,
with `heart` -> vigil-heart) and starts erlexec with BINDIR pointing at it.
erlexec puts BINDIR first on the PATH the VM gives `/bin/sh -c "heart -pid
P -ht N"`, so the VM's heart is vigil-heart, exactly as when it is
installed as erts-X/bin/heart.

The VM runs CODE (below) with HEART_TEST_OUT as its log: its pid, the
answers of heart:get_cmd/0, set_cmd/1 and clear_cmd/0, then either holds
for ever or calls init:stop() after HEART_TEST_STOP_AFTER ms. The units use
HEART_BEAT_TIMEOUT=11 (the smallest OTP accepts) and NotifyAccess=all:
heart is started by erl_child_setup after setsid(), outside the unit's
process groups, so vigil finds its unit through its ancestors.
"""
import os
import pathlib
import select
import signal
import socket
import subprocess
import time

import pytest

from harness import VIGIL, read_lines, stderr_lines, stop_vigil, unit_text, wait_until

HT = 11          # HEART_BEAT_TIMEOUT (s)
BEAT_GAP = 6.0   # s: heart.erl beats every 5 s when idle (so the last beat is at most ~5 s old)
SLACK = 8.0      # s a watchdog action may come after HT (2 busy CPUs, an ASan build)
ERTS = sorted(pathlib.Path("/usr/lib/erlang").glob("erts-*/bin"))
HEART = os.path.abspath(os.environ.get(
    "VIGIL_HEART", VIGIL[:-len("vigil-static")] + "vigil-heart-static" if VIGIL.endswith("vigil-static")
    else os.path.join(os.path.dirname(VIGIL), "vigil-heart")))

needs_erlang = pytest.mark.skipif(not ERTS, reason="no Erlang (tools/install-deps installs erlang-base)")

CODE = r"""
F = os:getenv("HEART_TEST_OUT"),
W = fun(T) -> ok = file:write_file(F, [T, "\n"], [append]) end,
W(io_lib:format("pid ~s", [os:getpid()])),
W(io_lib:format("get0 ~p", [heart:get_cmd()])),
W(io_lib:format("set ~w", [heart:set_cmd("echo rebooting now")])),
W(io_lib:format("get1 ~p", [heart:get_cmd()])),
W(io_lib:format("clear ~w", [heart:clear_cmd()])),
W(io_lib:format("get2 ~p", [heart:get_cmd()])),
W("ready"),
case os:getenv("HEART_TEST_STOP_AFTER") of
    false -> timer:sleep(infinity);
    Ms -> timer:sleep(list_to_integer(Ms)), W("stopping"), init:stop()
end.
"""


def erl_unit(units, name, out, *lines, stop_after=None):
    """A unit whose main process is `erl -heart` (the VM) with vigil-heart as heart."""
    assert os.access(HEART, os.X_OK), f"vigil-heart is not built: {HEART} (make)"
    bindir = units.root / "erts-bin"
    if not bindir.exists():
        bindir.mkdir()
        for f in ERTS[-1].iterdir():
            if f.name != "heart":
                (bindir / f.name).symlink_to(f)
        (bindir / "heart").symlink_to(HEART)
    code = units.root / "heart_test.erl.txt"
    code.write_text(CODE)
    stop = f"HEART_TEST_STOP_AFTER={stop_after}; export HEART_TEST_STOP_AFTER" if stop_after else ""
    script = units.script(f"run-{name}", f"""
        ROOTDIR={ERTS[-1].parent.parent}; BINDIR={bindir}; EMU=beam; PROGNAME=erl
        HOME={units.root}; HEART_BEAT_TIMEOUT={HT}; HEART_TEST_OUT={out}
        export ROOTDIR BINDIR EMU PROGNAME HOME HEART_BEAT_TIMEOUT HEART_TEST_OUT
        {stop}
        exec "$BINDIR/erlexec" -heart -noshell -noinput -eval "$(cat {code})"
        """)
    units.add(name, unit_text("[Unit]", "StartLimitIntervalSec=0",
                              "[Service]", f"ExecStart={script}", "NotifyAccess=all",
                              "TimeoutStopSec=3", *lines))


def vm_lines(out, word):
    return [line.split(" ", 1)[1] if " " in line else "" for line in read_lines(out)
            if line.split(" ", 1)[0] == word]


def vm_pids(out):
    return [int(p) for p in vm_lines(out, "pid")]


def ready_count(out):
    return sum(1 for line in read_lines(out) if line == "ready")


def watchdog_lines(run, name):
    return (stderr_lines(run, name, "watchdog timeout: no WATCHDOG=1") +
            stderr_lines(run, name, "watchdog triggered by the service"))


@needs_erlang
def test_beats_flow_commands_answer_and_init_stop_is_clean(vigil, units):
    """Beats keep the unit alive over 2+ timeouts; set/get/clear_cmd answer
    as OTP's heart; init:stop() (SHUT_DOWN) ends with no watchdog action."""
    out = units.file("vm.log")
    erl_unit(units, "erl", out, "Restart=on-failure", "RestartSec=0",
             stop_after=int((2 * HT + 3) * 1000))
    run = units.start("-v")
    wait_until(run, lambda: ready_count(out) >= 1, "the VM to start with heart", timeout=30)
    # The answers, as OTP's heart gives them (heart.erl's own reply values).
    assert vm_lines(out, "get0") == ["{ok,[]}"], read_lines(out)
    assert vm_lines(out, "set") == ["ok"], read_lines(out)
    assert vm_lines(out, "get1") == ['{ok,"echo rebooting now"}'], read_lines(out)
    assert vm_lines(out, "clear") == ["ok"], read_lines(out)
    assert vm_lines(out, "get2") == ["{ok,[]}"], read_lines(out)
    # vigil took heart's WATCHDOG_USEC= (so it attributed heart to the unit).
    wait_until(run, lambda: stderr_lines(run, "erl", f"watchdog timeout set to {HT}s by the service"),
               "vigil to take WATCHDOG_USEC= from vigil-heart", timeout=10)
    wait_until(run, lambda: "stopping" in read_lines(out), "the VM to call init:stop()", timeout=2 * HT + 20)
    wait_until(run, lambda: stderr_lines(run, "erl", "watchdog turned off by the service"),
               "vigil-heart's WATCHDOG_USEC=0 on SHUT_DOWN", timeout=15)
    wait_until(run, lambda: stderr_lines(run, "erl", "-> dead") or stderr_lines(run, "erl", "-> inactive"),
               "the unit to end", timeout=20)
    time.sleep(HT + 2)  # a watchdog left armed would fire now
    assert not watchdog_lines(run, "erl"), f"a watchdog fired:\n{run.stderr}"
    assert len(vm_pids(out)) == 1, f"the VM was restarted:\n{read_lines(out)}\n{run.stderr}"
    assert not stderr_lines(run, "erl", "failed"), run.stderr
    stop_vigil(run)


@needs_erlang
@pytest.mark.parametrize("how", ["SIGSTOP", "SIGKILL"])
def test_a_frozen_or_killed_vm_is_restarted_within_the_heartbeat_timeout(vigil, units, how):
    out = units.file("vm.log")
    erl_unit(units, "erl", out, "Restart=on-failure", "RestartSec=0")
    run = units.start("-v")
    wait_until(run, lambda: ready_count(out) >= 1, "the VM to start with heart", timeout=30)
    wait_until(run, lambda: stderr_lines(run, "erl", "watchdog timeout set to"),
               "vigil to take WATCHDOG_USEC= from vigil-heart", timeout=10)
    pid = vm_pids(out)[0]
    host_pid = run.main_pid("beam.smp")
    assert vigil.mode == "pid1" or host_pid == pid, (host_pid, pid)
    time.sleep(2)  # a few beats
    t0 = time.monotonic()
    os.kill(host_pid, getattr(signal, how))
    wait_until(run, lambda: ready_count(out) >= 2, "the VM to be restarted", timeout=HT + SLACK + 20)
    took = time.monotonic() - t0
    assert took <= HT + SLACK + 15, f"restart took {took:.1f} s (HEART_BEAT_TIMEOUT {HT} s)\n{run.stderr}"
    if how == "SIGSTOP":
        # Frozen: only a watchdog can tell, and not before the timeout from
        # the last beat (heart.erl beats at least every 5 s when idle).
        assert watchdog_lines(run, "erl"), f"no watchdog action:\n{run.stderr}"
        assert took >= HT - BEAT_GAP, f"acted {took:.1f} s after SIGSTOP: before HEART_BEAT_TIMEOUT\n{run.stderr}"
    else:
        assert took < HT, f"a killed VM took {took:.1f} s to restart\n{run.stderr}"
    assert len(vm_pids(out)) == 2, read_lines(out)
    stop_vigil(run)


@needs_erlang
def test_a_frozen_vm_with_failure_action_exit_makes_vigil_exit_nonzero(vigil, units):
    out = units.file("vm.log")
    erl_unit(units, "erl", out, "Restart=no", "FailureAction=exit")
    run = units.start("-v")
    wait_until(run, lambda: ready_count(out) >= 1, "the VM to start with heart", timeout=30)
    wait_until(run, lambda: stderr_lines(run, "erl", "watchdog timeout set to"),
               "vigil to take WATCHDOG_USEC= from vigil-heart", timeout=10)
    pid = vm_pids(out)[0]
    host_pid = run.main_pid("beam.smp")
    assert vigil.mode == "pid1" or host_pid == pid, (host_pid, pid)
    t0 = time.monotonic()
    os.kill(host_pid, signal.SIGSTOP)
    status = run.wait(HT + SLACK + 20)
    took = time.monotonic() - t0
    assert status not in (0, None), f"vigil exited {status}:\n{run.stderr}"
    assert HT - BEAT_GAP <= took <= HT + SLACK + 15, f"vigil exited after {took:.1f} s\n{run.stderr}"
    assert watchdog_lines(run, "erl"), f"no watchdog action:\n{run.stderr}"


# ---------------------------------------------------------------- the protocol, without Erlang

class Port:
    """vigil-heart run as the VM runs it: fds 0/1 are pipes, NOTIFY_SOCKET is
    a datagram socket of the test (which answers BARRIER=1 by closing the fd)."""

    def __init__(self, tmp_path, *args, env=None):
        self.sock_path = str(tmp_path / "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        e = dict(os.environ, NOTIFY_SOCKET=self.sock_path)
        e.pop("HEART_COMMAND", None)
        e.update(env or {})
        self.proc = subprocess.Popen([HEART, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e)
        self.started = time.monotonic()

    def send(self, op, payload=b""):
        body = bytes([op]) + payload
        self.proc.stdin.write(len(body).to_bytes(2, "big") + body)
        self.proc.stdin.flush()

    def read_frame(self, timeout=10):
        out = self.proc.stdout
        r, _, _ = select.select([out], [], [], timeout)
        assert r, "no reply from vigil-heart"
        hdr = out.read(2)
        n = int.from_bytes(hdr, "big")
        body = out.read(n)
        return body[0], body[1:]

    def datagram(self, timeout=20):
        self.sock.settimeout(timeout)
        msg, fds, _, _ = socket.recv_fds(self.sock, 4096, 4)
        for fd in fds:
            os.close(fd)
        return msg.decode()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.sock.close()


@pytest.fixture
def port(tmp_path):
    made = []

    def make(*args, env=None):
        p = Port(tmp_path, *args, env=env)
        made.append(p)
        return p
    yield make
    for p in made:
        p.close()


def test_ack_first_then_answers_and_shut_down_turns_the_watchdog_off(port):
    p = port("-pid", "1", "-ht", "11", env={"HEART_COMMAND": "reboot now"})
    assert p.read_frame() == (1, b"")                        # the start-up ACK
    assert p.datagram() == "WATCHDOG_USEC=11000000"
    p.send(2)
    assert p.datagram() == "WATCHDOG=1"
    p.send(6)
    assert p.read_frame() == (7, b"reboot now")              # HEART_COMMAND when nothing is set
    p.send(4, b"echo x")
    assert p.read_frame() == (1, b"")
    p.send(6)
    assert p.read_frame() == (7, b"echo x")
    p.send(5)
    assert p.read_frame() == (1, b"")
    p.send(99)                                               # unknown: ignored
    p.proc.stdin.write(b"\x00\x00")                          # length 0: ignored
    p.send(6)
    assert p.read_frame() == (7, b"reboot now")
    p.send(3)
    assert p.datagram() == "WATCHDOG_USEC=0"
    assert p.datagram() == "BARRIER=1"
    assert p.proc.wait(10) == 0


@pytest.mark.parametrize("ht,expect", [("11", 11), ("10", 60), ("65536", 60), ("abc", 60), ("0x10", 16)])
def test_the_ht_range_is_otps(port, ht, expect):
    p = port("-ht", ht)
    assert p.read_frame() == (1, b"")
    assert p.datagram() == f"WATCHDOG_USEC={expect * 1000000}"


def test_a_missed_beat_triggers_at_the_timeout_not_before(port):
    p = port("-ht", "11")
    assert p.read_frame() == (1, b"")
    assert p.datagram() == "WATCHDOG_USEC=11000000"
    time.sleep(3)
    p.send(2)
    beat = time.monotonic()
    assert p.datagram() == "WATCHDOG=1"
    assert p.datagram(timeout=30) == "WATCHDOG=trigger"
    late = time.monotonic() - (beat + 11)
    assert -0.05 <= late <= 3, f"triggered {late:+.3f} s from the deadline"
    assert p.datagram() == "BARRIER=1"
    assert p.proc.wait(10) == 1
    assert b"heart-beat time-out" in p.proc.stderr.read()


def test_the_vm_closing_the_port_triggers_at_once(port):
    p = port("-ht", "30")
    assert p.read_frame() == (1, b"")
    assert p.datagram() == "WATCHDOG_USEC=30000000"
    p.send(2)
    assert p.datagram() == "WATCHDOG=1"
    p.proc.stdin.write(b"\x00\x05\x04ab")                    # and in mid-message
    p.proc.stdin.close()
    t0 = time.monotonic()
    assert p.datagram(timeout=10) == "WATCHDOG=trigger"
    assert time.monotonic() - t0 < 3
    assert p.proc.wait(10) == 1


def test_preparing_crash_waits_for_the_dump_as_told(port):
    p = port("-ht", "30", env={"ERL_CRASH_DUMP_SECONDS": "2"})
    assert p.read_frame() == (1, b"")
    assert p.datagram() == "WATCHDOG_USEC=30000000"
    p.send(8)
    t0 = time.monotonic()
    assert p.datagram() == "WATCHDOG_USEC=0"                 # no watchdog while the dump is written
    assert p.datagram(timeout=10) == "WATCHDOG=trigger"
    assert 1.9 <= time.monotonic() - t0 <= 5
    assert p.proc.wait(10) == 1
