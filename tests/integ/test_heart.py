"""vigil-heart, the Erlang heart drop-in (issue 7 item 6) at nerves_heart's
parity (issue 16 item 4), with a real `erl -heart` (Debian's erlang-base)
under vigil, as PID 1 and as subreaper (and `--system` for guarded_reboot).

The system's Erlang is not modified: each test builds a private ERTS bin
directory (symlinks to the real erlexec, beam.smp, erl_child_setup, ...,
with `heart` -> vigil-heart) and starts erlexec with BINDIR pointing at it.
erlexec puts BINDIR first on the PATH the VM gives `/bin/sh -c "heart -pid
P -ht N"`, so the VM's heart is vigil-heart, exactly as when it is
installed as erts-X/bin/heart.

The VM runs CODE (below) with HEART_TEST_OUT as its log: its pid, then the
words of HEART_TEST_DO in order (`status`: heart:get_cmd/0's report,
base64; `cmd:NAME`: heart:set_cmd(NAME)'s answer; `sleep:MS`; `stop`:
init:stop()), then "ready", and holds. The units use HEART_BEAT_TIMEOUT=11
(the smallest OTP accepts) and NotifyAccess=all: heart is started by
erl_child_setup after setsid(), outside the unit's process groups, so vigil
finds its unit through its ancestors. nerves_heart's README command table,
a test per row: status (the report parsed as Nerves.Runtime.Heart parses
it), init_handshake (with and without), snooze (set_cmd and SIGUSR1),
guarded_reboot (vigil --system), guarded_poweroff (container, subreaper),
disable_vm / disable_hw; every row again at the protocol level below
(guarded_halt and the immediate forms only there), the guarded ones
against a stand-in control socket.
"""
import os
import pathlib
import re
import select
import signal
import socket
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from harness import (RESTART, ROOT, VIGIL, Units, descendants, ended_by, proc_table, read_lines, stderr_lines,
                     stop_vigil, unit_text, wait_for, wait_until)

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
Do = fun("status") -> {ok, S} = heart:get_cmd(), W(["status ", base64:encode(S)]);
        ("cmd:" ++ C) -> W(io_lib:format("cmd ~s ~w", [C, heart:set_cmd(C)]));
        ("sleep:" ++ Ms) -> timer:sleep(list_to_integer(Ms));
        ("stop") -> W("stopping"), init:stop()
     end,
lists:foreach(Do, string:tokens(os:getenv("HEART_TEST_DO", ""), " ")),
W("ready"),
timer:sleep(infinity).
"""


def erl_unit(units, name, out, *lines, do="", env=""):
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
    script = units.script(f"run-{name}", f"""
        ROOTDIR={ERTS[-1].parent.parent}; BINDIR={bindir}; EMU=beam; PROGNAME=erl
        HOME={units.root}; HEART_BEAT_TIMEOUT={HT}; HEART_TEST_OUT={out}
        export ROOTDIR BINDIR EMU PROGNAME HOME HEART_BEAT_TIMEOUT HEART_TEST_OUT
        HEART_TEST_DO="{do}"; export HEART_TEST_DO
        {env}
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


# nerves_heart's status report (its README, "Runtime diagnostic information"),
# as Nerves.Runtime.Heart.parse_cmd/1 reads it: "key=value" lines, each
# known key typed.
STATUS_INTS = ("heartbeat_timeout", "heartbeat_time_left", "init_grace_time_left", "snooze_time_left",
               "wdt_pet_time_left", "init_handshake_timeout", "init_handshake_time_left",
               "wdt_firmware_version", "wdt_time_left", "wdt_pre_timeout", "wdt_timeout")
STATUS_KEYS = ("program_name", "program_version", *STATUS_INTS, "init_handshake_happened", "wdt_identity",
               "wdt_options", "wdt_last_boot")


def parse_status(text):
    """The report as Nerves.Runtime.Heart.status/0 types it; fails on what it could not parse."""
    assert text.endswith("\n"), repr(text)
    out = {}
    for line in text[:-1].split("\n"):
        key, eq, value = line.partition("=")
        assert eq, f"not key=value: {line!r}"
        out[key] = value
    missing = [k for k in STATUS_KEYS if k not in out]
    assert not missing, f"keys missing: {missing} in {text!r}"
    typed = {"program_name": out["program_name"], "wdt_identity": out["wdt_identity"]}
    for k in STATUS_INTS:
        assert out[k].isdigit(), f"{k}={out[k]!r} is not a non-negative integer"
        typed[k] = int(out[k])
    # Version.parse!/1, and the "~> 2.3" the immediate commands check.
    major, minor, patch = (int(x) for x in out["program_version"].split("."))
    assert major == 2 and minor >= 3, out["program_version"]
    typed["program_version"] = (major, minor, patch)
    assert out["init_handshake_happened"] in ("0", "1"), out["init_handshake_happened"]
    typed["init_handshake_happened"] = out["init_handshake_happened"] == "1"
    assert out["wdt_last_boot"] in ("power_on", "watchdog"), out["wdt_last_boot"]
    typed["wdt_last_boot"] = out["wdt_last_boot"]
    opts = out["wdt_options"]
    assert opts == "" or opts.endswith(","), opts
    typed["wdt_options"] = [o for o in opts.split(",") if o]
    typed["extra"] = {k: v for k, v in out.items() if k not in STATUS_KEYS}
    return typed


def vm_status(out, n=0):
    import base64
    return parse_status(base64.b64decode(vm_lines(out, "status")[n]).decode())


def heart_said(run, text):
    """vigil-heart's stderr is the VM's, so the unit's output: vigil's stdout."""
    return text in run.stdout


def unit_proc(run, out, comm):
    """Host pid of the process named comm whose environment names this VM's log."""
    mark = f"HEART_TEST_OUT={out}".encode()

    def find():
        table = proc_table()
        for p in descendants(run.pid, table):
            if table[p][2] == comm:
                try:
                    with open(f"/proc/{p}/environ", "rb") as f:
                        if mark in f.read().split(b"\0"):
                            return p
                except OSError:
                    pass
        return None
    return wait_for(find, timeout=10, what=f"{comm} of {out}")


SHIM_SRC = ROOT / "tests" / "shim" / "wdt_shim.c"
SHIM_SO = ROOT / "build" / "tests" / "shim" / "wdt_shim_heart.so"


def watchdog_shim(vigil):
    """vigil's hardware watchdog played by tests/shim/wdt_shim.c (see
    test_hw_watchdog.py): (vigil options, vigil env), or None for a static
    vigil, which cannot be preloaded."""
    if VIGIL.endswith("vigil-static"):
        return None
    SHIM_SO.parent.mkdir(parents=True, exist_ok=True)
    if not SHIM_SO.exists() or SHIM_SO.stat().st_mtime < SHIM_SRC.stat().st_mtime:
        tmp = SHIM_SO.with_suffix(f".{os.getpid()}.tmp")
        r = subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(tmp),
                            str(SHIM_SRC), "-ldl"], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"cannot build the watchdog shim:\n{r.stderr}"
        os.replace(tmp, SHIM_SO)
    path = vigil.path("watchdog7")
    env = {"LD_PRELOAD": str(SHIM_SO), "VIGIL_WDT_SHIM_PATH": path, "VIGIL_WDT_SHIM_LOG": vigil.path("wdt.log"),
           "VIGIL_WDT_SHIM_IDENTITY": "Heart Test WDT", "VIGIL_WDT_SHIM_FIRMWARE": "7",
           "VIGIL_WDT_SHIM_BOOTSTATUS": "0x20",
           "ASAN_OPTIONS": vigil.env().get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    return ["--watchdog-device", path, "--runtime-watchdog-sec", "30"], env


@needs_erlang
def test_status_report_beats_and_init_handshake_then_a_clean_init_stop(vigil, units):
    """README rows "status" and "init_handshake" (with it): get_cmd/0 answers
    nerves_heart's report, typed as Nerves.Runtime.Heart does, with vigil's
    hardware watchdog (a shim device) in its wdt_* keys; with
    HEART_INIT_TIMEOUT=14 and the handshake sent, the VM outlives the
    handshake timeout and two heartbeat timeouts; set_cmd of another string
    is acknowledged and runs nothing; init:stop() ends with no action."""
    shim = watchdog_shim(vigil)
    out = units.file("vm.log")
    erl_unit(units, "erl", out, "Restart=on-failure", "RestartSec=0",
             do=f"status cmd:echo_rebooting cmd:init_handshake status sleep:{(2 * HT + 3) * 1000} status stop",
             env="HEART_INIT_TIMEOUT=14; export HEART_INIT_TIMEOUT; unset LD_PRELOAD")
    run = units.start("-v", *(shim[0] if shim else ()), env=shim[1] if shim else None)
    wait_until(run, lambda: len(vm_lines(out, "status")) >= 2, "the VM to start with heart", timeout=30)
    first, second = vm_status(out, 0), vm_status(out, 1)
    assert first["program_name"] == "nerves_heart" and first["heartbeat_timeout"] == HT, first
    assert 0 < first["heartbeat_time_left"] <= HT, first
    assert 0 < first["wdt_pet_time_left"] <= HT // 2 + 1, first
    assert first["init_handshake_timeout"] == 14 and not first["init_handshake_happened"], first
    assert 0 < first["init_handshake_time_left"] <= 14, first
    assert first["snooze_time_left"] == 0 and first["init_grace_time_left"] == 0, first
    if shim:
        # vigil's hardware watchdog, as `vigilctl watchdog` has it.
        assert (first["wdt_identity"], first["wdt_firmware_version"], first["wdt_timeout"],
                first["wdt_last_boot"]) == ("Heart Test WDT", 7, 30, "watchdog"), first
        assert first["wdt_options"] == ["settimeout", "magicclose", "keepaliveping"], first
        assert 0 < first["wdt_time_left"] <= 30 and first["wdt_pre_timeout"] == 0, first
        assert first["extra"]["vigil_watchdog"] == "healthy", first
    else:
        # No hardware watchdog in vigil: nerves_heart's "no WDT" values.
        assert (first["wdt_identity"], first["wdt_timeout"], first["wdt_options"]) == ("none", 0, []), first
        assert first["extra"]["vigil_watchdog"] == "off", first
    assert second["init_handshake_happened"] and second["init_handshake_time_left"] == 0, second
    assert vm_lines(out, "cmd") == ["echo_rebooting ok", "init_handshake ok"], read_lines(out)
    wait_until(run, lambda: stderr_lines(run, "erl", f"watchdog timeout set to {HT}s by the service"),
               "vigil to take WATCHDOG_USEC= from vigil-heart", timeout=10)
    wait_until(run, lambda: "stopping" in read_lines(out), "the VM to call init:stop()", timeout=2 * HT + 20)
    assert len(vm_lines(out, "status")) == 3 and vm_status(out, 2)["init_handshake_happened"], read_lines(out)
    wait_until(run, lambda: stderr_lines(run, "erl", "watchdog turned off by the service"),
               "vigil-heart's WATCHDOG_USEC=0 on SHUT_DOWN", timeout=15)
    wait_until(run, lambda: stderr_lines(run, "erl", "-> dead") or stderr_lines(run, "erl", "-> inactive"),
               "the unit to end", timeout=20)
    time.sleep(HT + 2)  # a watchdog left armed would fire now
    assert not watchdog_lines(run, "erl"), f"a watchdog fired:\n{run.stderr}"
    assert len(vm_pids(out)) == 1, f"the VM was restarted:\n{read_lines(out)}\n{run.stderr}"
    assert not stderr_lines(run, "erl", "failed"), run.stderr
    assert heart_said(run, "set_cmd \"echo_rebooting\" ignored"), run.stdout
    stop_vigil(run)


@needs_erlang
def test_without_the_init_handshake_the_unit_gets_its_watchdog_result(vigil, units):
    """README row "init_handshake" (without it): HEART_INIT_TIMEOUT=3 and no
    handshake: the VM beats, yet vigil-heart triggers the unit's watchdog
    at 3 s, and Restart= starts a new VM."""
    out = units.file("vm.log")
    erl_unit(units, "erl", out, "Restart=on-failure", "RestartSec=0",
             env="HEART_INIT_TIMEOUT=3; export HEART_INIT_TIMEOUT")
    run = units.start("-v")
    wait_until(run, lambda: ready_count(out) >= 1, "the VM to start with heart", timeout=30)
    t0 = time.monotonic()
    wait_until(run, lambda: ready_count(out) >= 2, "the VM to be restarted", timeout=20)
    assert time.monotonic() - t0 < HT, f"the restart came {time.monotonic() - t0:.1f} s after the start"
    assert stderr_lines(run, "erl", "watchdog triggered by the service"), run.stderr
    assert heart_said(run, "init handshake never happened"), run.stdout
    stop_vigil(run)


@needs_erlang
def test_snooze_by_set_cmd_and_by_sigusr1_outlasts_a_frozen_vm(vigil, units):
    """README row "snooze": after heart:set_cmd("snooze") (one VM) or SIGUSR1
    to heart (another), a VM frozen with SIGSTOP outlives its heartbeat
    timeout with room to spare: heart keeps feeding vigil's watchdog."""
    outs = {"cmd": units.file("cmd.log"), "usr1": units.file("usr1.log")}
    erl_unit(units, "snz-cmd", outs["cmd"], "Restart=on-failure", "RestartSec=0", do="cmd:snooze status")
    erl_unit(units, "snz-usr1", outs["usr1"], "Restart=on-failure", "RestartSec=0")
    run = units.start("-v")
    for out in outs.values():
        wait_until(run, lambda: ready_count(out) >= 1, "the VMs to start with heart", timeout=30)
    assert vm_lines(outs["cmd"], "cmd") == ["snooze ok"], read_lines(outs["cmd"])
    assert 890 <= vm_status(outs["cmd"])["snooze_time_left"] <= 900
    os.kill(unit_proc(run, outs["usr1"], "heart"), signal.SIGUSR1)
    wait_until(run, lambda: heart_said(run, "snoozing (SIGUSR1)"), "heart to take SIGUSR1", timeout=10)
    vms = [unit_proc(run, out, "beam.smp") for out in outs.values()]
    for pid in vms:
        os.kill(pid, signal.SIGSTOP)
    time.sleep(HT + SLACK)
    assert not watchdog_lines(run, "snz-cmd") and not watchdog_lines(run, "snz-usr1"), run.stderr
    assert all(ready_count(out) == 1 for out in outs.values()), run.stderr
    for pid in vms:
        os.kill(pid, signal.SIGCONT)
    stop_vigil(run)


@needs_erlang
def test_disable_vm_triggers_at_once_and_disable_hw_starves_the_watchdog(vigil, units):
    """README rows "disable_vm" (a timeout at once: the unit's watchdog
    result, a new VM) and "disable_hw" (heart stops petting, the VM beats
    on: vigil's own deadline for the unit fires within the timeout)."""
    vm_out, hw_out = units.file("vm.log"), units.file("hw.log")
    erl_unit(units, "dvm", vm_out, "Restart=on-failure", "RestartSec=0", do="sleep:500 cmd:disable_vm")
    erl_unit(units, "dhw", hw_out, "Restart=on-failure", "RestartSec=0", do="sleep:500 cmd:disable_hw")
    run = units.start("-v")
    # disable_vm may end the VM before it writes "ready": its pid lines count.
    wait_until(run, lambda: vm_pids(vm_out) and ready_count(hw_out) >= 1, "the VMs to start", timeout=30)
    t0 = time.monotonic()
    wait_until(run, lambda: len(vm_pids(vm_out)) >= 2, "disable_vm to restart the VM", timeout=20)
    assert stderr_lines(run, "dvm", "watchdog triggered by the service"), run.stderr
    assert time.monotonic() - t0 < HT - 2, run.stderr
    wait_until(run, lambda: ready_count(hw_out) >= 2, "disable_hw to restart the VM", timeout=HT + SLACK + 20)
    assert stderr_lines(run, "dhw", "watchdog timeout: no WATCHDOG=1"), run.stderr
    assert not stderr_lines(run, "dhw", "watchdog triggered by the service"), run.stderr
    stop_vigil(run)


@needs_erlang
def test_guarded_reboot_asks_vigil_as_the_machines_init_to_reboot(sysv):
    """README row "guarded_reboot", as Nerves.Runtime.reboot/0 does it
    (set_cmd("guarded_reboot"), then init:stop()): vigil --system as PID 1
    logs the request from heart and ends in reboot(2) with a restart."""
    units = Units(sysv)
    out = units.file("vm.log")
    erl_unit(units, "erl", out, do="sleep:500 cmd:guarded_reboot stop")
    run = units.start()
    ended_by(run, RESTART, timeout=60)
    assert vm_lines(out, "cmd") == ["guarded_reboot ok"], read_lines(out)
    assert re.search(r"shutting down \(reboot\): vigilctl reboot \(pid \d+, uid 0\)", run.stderr), run.stderr
    assert heart_said(run, "asked vigil to reboot"), run.stdout


@needs_erlang
def test_guarded_poweroff_in_a_container_stops_vigil_cleanly(vigil, units):
    """README row "guarded_poweroff" with vigil as a container's PID 1 or a
    subreaper: the request reaches the vigil that runs the unit, which
    stops everything and exits 0 (a reboot would be 1)."""
    out = units.file("vm.log")
    erl_unit(units, "erl", out, do="sleep:500 cmd:guarded_poweroff stop")
    run = units.start()
    assert run.wait(60) == 0, run.stderr
    assert vm_lines(out, "cmd") == ["guarded_poweroff ok"], read_lines(out)
    assert re.search(r"vigilctl poweroff \(pid \d+, uid 0\): shutting down with exit status 0", run.stderr), \
        run.stderr
    assert heart_said(run, "asked vigil to poweroff"), run.stdout


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
    a datagram socket of the test (which answers BARRIER=1 by closing the fd),
    VIGIL_RUNTIME_DIR a directory where a FakeVigil may answer."""

    def __init__(self, runtime, n, *args, env=None):
        self.sock_path = os.path.join(runtime, f"notify{n}")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        e = dict(os.environ, NOTIFY_SOCKET=self.sock_path, VIGIL_RUNTIME_DIR=runtime)
        for k in ("HEART_COMMAND", "HEART_INIT_TIMEOUT", "HEART_INIT_GRACE_TIME"):
            e.pop(k, None)
        e.update(env or {})
        self.proc = subprocess.Popen([HEART, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e)
        self.started = time.monotonic()
        self.pets = 0

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

    def set_cmd(self, cmd):
        self.send(4, cmd.encode())
        assert self.read_frame() == (1, b""), f"no ACK for {cmd}"

    def status(self):
        self.send(6)
        op, text = self.read_frame()
        assert op == 7
        return parse_status(text.decode())

    def datagram(self, timeout=20):
        self.sock.settimeout(timeout)
        msg, fds, _, _ = socket.recv_fds(self.sock, 4096, 4)
        for fd in fds:
            os.close(fd)
        return msg.decode()

    def event(self, timeout=20):
        """The next datagram that is not a pet (WATCHDOG=1); pets are counted."""
        end = time.monotonic() + timeout
        while True:
            msg = self.datagram(max(0.01, end - time.monotonic()))
            if msg != "WATCHDOG=1":
                return msg
            self.pets += 1

    def pets_within(self, seconds):
        """WATCHDOG=1 datagrams in the next seconds (nothing else may come)."""
        n, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                msg = self.datagram(max(0.01, end - time.monotonic()))
            except socket.timeout:
                break
            assert msg == "WATCHDOG=1", msg
            n += 1
        return n

    def start(self, ht):
        assert self.read_frame() == (1, b"")                 # the start-up ACK
        assert self.datagram() == f"WATCHDOG_USEC={ht * 1000000}"
        assert self.datagram() == "WATCHDOG=1"               # nerves_heart pets on start

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.sock.close()


class FakeVigil:
    """vigil's control socket as vigil-heart sees it: one request per
    connection; `watchdog` answers the body given, the power verbs "0"."""

    def __init__(self, runtime, watchdog=None):
        self.requests = []
        self.watchdog = watchdog
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(os.path.join(runtime, "control"))
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                line = b""
                while not line.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    line += chunk
                verb = line.decode().split()[1]
                self.requests.append(verb)
                if verb == "watchdog" and self.watchdog:
                    body = "".join(f"{k}\t{v}\n" for k, v in self.watchdog.items())
                    conn.sendall(b"vigil/1 0 watchdog\n" + body.encode())
                elif verb == "watchdog":
                    conn.sendall(b"vigil/1 1 no hardware watchdog (--runtime-watchdog-sec is 0)\n")
                else:
                    conn.sendall(b"vigil/1 0 shutting down\n")

    def close(self):
        self.sock.close()


@pytest.fixture
def port(tmp_path):
    made = []
    runtime = tempfile.mkdtemp(prefix="vh-", dir="/tmp")

    def make(*args, env=None, vigil=False, watchdog=None):
        fake = FakeVigil(runtime, watchdog) if vigil else None
        p = Port(runtime, len(made), *args, env=env)
        p.vigil = fake
        made.append(p)
        return p
    yield make
    for p in made:
        p.close()
        if p.vigil:
            p.vigil.close()
    shutil.rmtree(runtime, ignore_errors=True)


def test_ack_first_then_status_and_shut_down_turns_the_watchdog_off(port):
    p = port("-pid", "1", "-ht", "11", env={"HEART_COMMAND": "reboot now"})
    p.start(11)
    p.send(2)
    assert p.datagram() == "WATCHDOG=1"                      # a beat is a pet
    st = p.status()                                          # GET_CMD: the report, not HEART_COMMAND
    assert st["heartbeat_timeout"] == 11 and st["extra"]["vigil_watchdog"] == "unknown", st
    p.set_cmd("echo x")                                      # not a command: ACK only
    p.send(5)
    assert p.read_frame() == (1, b"")                        # CLEAR_CMD: ACK
    p.send(99)                                               # unknown: ignored
    p.proc.stdin.write(b"\x00\x00")                          # length 0: ignored
    assert p.status()["program_name"] == "nerves_heart"
    p.send(3)
    assert p.event() == "WATCHDOG_USEC=0"
    assert p.datagram() == "BARRIER=1"
    assert p.proc.wait(10) == 0
    assert b'set_cmd "echo x" ignored' in p.proc.stderr.read()


@pytest.mark.parametrize("ht,expect", [("11", 11), ("10", 60), ("65536", 60), ("abc", 60), ("0x10", 16)])
def test_the_ht_range_is_otps(port, ht, expect):
    p = port("-ht", ht)
    assert p.read_frame() == (1, b"")
    assert p.datagram() == f"WATCHDOG_USEC={expect * 1000000}"


def test_a_missed_beat_triggers_at_the_timeout_not_before_with_pets_meanwhile(port):
    p = port("-ht", "11")
    p.start(11)
    time.sleep(3)
    p.send(2)
    beat = time.monotonic()
    assert p.datagram() == "WATCHDOG=1"
    assert p.event(timeout=30) == "WATCHDOG=trigger"
    late = time.monotonic() - (beat + 11)
    assert -0.05 <= late <= 3, f"triggered {late:+.3f} s from the deadline"
    assert p.pets >= 1, "no pet at the pet interval (5.5 s) while the beat was not overdue"
    assert p.datagram() == "BARRIER=1"
    assert p.proc.wait(10) == 1
    assert b"heart-beat time-out" in p.proc.stderr.read()


def test_the_vm_closing_the_port_triggers_at_once(port):
    p = port("-ht", "30")
    p.start(30)
    p.send(2)
    assert p.datagram() == "WATCHDOG=1"
    p.proc.stdin.write(b"\x00\x05\x04ab")                    # and in mid-message
    p.proc.stdin.close()
    t0 = time.monotonic()
    assert p.event(timeout=10) == "WATCHDOG=trigger"
    assert time.monotonic() - t0 < 3
    assert p.proc.wait(10) == 1


def test_preparing_crash_waits_for_the_dump_as_told(port):
    p = port("-ht", "30", env={"ERL_CRASH_DUMP_SECONDS": "2"})
    p.start(30)
    p.send(8)
    t0 = time.monotonic()
    assert p.event() == "WATCHDOG_USEC=0"                    # no watchdog while the dump is written
    assert p.event(timeout=10) == "WATCHDOG=trigger"
    assert 1.9 <= time.monotonic() - t0 <= 5
    assert p.proc.wait(10) == 1


# ---------------------------------------------------------------- nerves_heart's commands, without Erlang

def test_disable_hw_stops_the_pets_and_the_guard_stays_armed_at_shut_down(port):
    p = port("-ht", "11")
    p.start(11)
    p.set_cmd("disable")                                     # the old name of disable_hw
    for _ in range(6):                                       # the VM beats on: nothing is relayed
        p.send(2)
        assert p.pets_within(1) == 0
    assert p.status()["wdt_pet_time_left"] == 0
    p.send(3)
    assert p.proc.wait(10) == 0
    with pytest.raises(socket.timeout):
        p.datagram(timeout=0.5)                              # no WATCHDOG_USEC=0: vigil's deadline stands


def test_disable_vm_acks_then_triggers(port):
    p = port("-ht", "30")
    p.start(30)
    p.set_cmd("disable_vm")
    assert p.event(timeout=5) == "WATCHDOG=trigger"
    assert p.proc.wait(10) == 1


def test_init_handshake_timeout_grace_time_and_the_handshake(port):
    late = port("-ht", "11", env={"HEART_INIT_TIMEOUT": "2"})
    done = port("-ht", "11", env={"HEART_INIT_TIMEOUT": "2"})
    grace = port("-ht", "11", env={"HEART_INIT_TIMEOUT": "1", "HEART_INIT_GRACE_TIME": "4"})
    for p in (late, done, grace):
        p.start(11)
    t0 = time.monotonic()
    done.set_cmd("init_handshake")
    st = grace.status()
    assert st["init_handshake_timeout"] == 4 and 3 <= st["init_grace_time_left"] <= 4, st  # raised to the grace
    assert 13 <= st["heartbeat_time_left"] <= 15, st                                      # grace + timeout
    late.send(2)                                             # beats do not stand in for the handshake
    assert late.event(timeout=10) == "WATCHDOG=trigger"
    assert 1.9 <= time.monotonic() - t0 <= 4
    assert late.datagram() == "BARRIER=1"
    assert late.proc.wait(10) == 1
    assert b"init handshake never happened" in late.proc.stderr.read()
    assert grace.event(timeout=10) == "WATCHDOG=trigger"
    assert 3.9 <= time.monotonic() - t0 <= 6
    done.send(2)
    assert done.pets_within(1) == 1                          # the handshake done: all is well
    assert done.status()["init_handshake_happened"] is True


def test_snooze_keeps_petting_past_the_heartbeat_timeout(port):
    by_cmd = port("-ht", "11", env={"HEART_INIT_TIMEOUT": "3"})
    by_signal = port("-ht", "11", env={"HEART_INIT_TIMEOUT": "3"})
    for p in (by_cmd, by_signal):
        p.start(11)
    by_cmd.set_cmd("snooze")
    by_signal.proc.send_signal(signal.SIGUSR1)
    for p in (by_cmd, by_signal):
        assert p.datagram(timeout=5) == "WATCHDOG=1"         # snooze pets at once
    time.sleep(12.5)                                         # past the handshake and the heartbeat timeout
    for p in (by_cmd, by_signal):
        assert p.pets_within(0.1) >= 2, "no pets while snoozing"
        assert p.proc.poll() is None, p.proc.stderr.read()
        st = p.status()
        assert 880 <= st["snooze_time_left"] <= 890 and st["init_handshake_happened"], st


@pytest.mark.parametrize("cmd,verb,last_pet", [
    ("guarded_reboot", "reboot", True), ("guarded_poweroff", "poweroff", True), ("guarded_halt", "halt", True),
    ("guarded_immediate_reboot", "reboot", False), ("guarded_immediate_poweroff", "poweroff", False)])
def test_guarded_commands_ask_vigil_and_stop_the_pets(port, cmd, verb, last_pet):
    p = port("-ht", "11", vigil=True)
    p.start(11)
    p.set_cmd(cmd)
    assert p.vigil.requests == [verb]
    assert p.pets_within(0.3) == (1 if last_pet else 0)      # the last pet before the request, or none
    p.send(2)
    assert p.pets_within(0.5) == 0                           # no pets after it
    p.send(3)                                                # init:stop(): the guard stays armed
    assert p.proc.wait(10) == 0
    assert p.pets_within(0.3) == 0
    assert f"asked vigil to {verb}".encode() in p.proc.stderr.read()


def test_a_guarded_reboot_vigil_cannot_hear_still_stops_the_pets(port):
    p = port("-ht", "11")                                    # no control socket
    p.start(11)
    p.set_cmd("guarded_reboot")
    p.send(2)
    assert p.pets_within(0.5) == 1                           # only the last pet
    p.send(3)
    assert p.proc.wait(10) == 0
    assert b"cannot ask vigil to reboot" in p.proc.stderr.read()


def test_the_status_report_carries_vigils_watchdog_facts(port):
    p = port("-ht", "11", vigil=True, watchdog={
        "state": "healthy", "device": "/dev/watchdog0", "identity": "OMAP Watchdog", "firmware_version": "3",
        "options": "settimeout,magicclose,keepaliveping", "timeout_sec": "120", "nowayout": "yes",
        "since_last_pet_usec": "2000000", "time_left_usec": "118000000", "snooze_left_usec": "0", "why": "",
        "last_boot_watchdog": "no", "boot_status": "0", "pets": "7", "pet_errors": "0"})
    p.start(11)
    st = p.status()
    assert p.vigil.requests == ["watchdog"]
    assert (st["wdt_identity"], st["wdt_firmware_version"], st["wdt_timeout"], st["wdt_time_left"],
            st["wdt_pre_timeout"], st["wdt_last_boot"]) == ("OMAP Watchdog", 3, 120, 118, 0, "power_on"), st
    assert st["wdt_options"] == ["settimeout", "magicclose", "keepaliveping"], st
    assert st["extra"]["vigil_watchdog"] == "healthy", st
