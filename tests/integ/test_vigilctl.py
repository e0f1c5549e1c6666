"""vigilctl and the control socket (issue 5, first part: status, check,
start/stop/restart, authorisation, robustness). Each test runs vigil with
units, then vigilctl against its control socket (the harness gives every
test its own VIGIL_RUNTIME_DIR)."""
import json
import os
import signal
import socket
import stat
import time

import pytest

from harness import status_json, stderr_lines, stop_vigil, unit_of, unit_text, wait_until

UP = """
    # up FILE: write the pid (as vigil sees it), then stay until FILE.die appears, then fail
    echo "$$" > "$1"
    while [ ! -e "$1.die" ]; do sleep 0.05; done
    kill -KILL $$
"""


def written(path):
    """The pid a unit wrote to path, once it is there whole (None before)."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    return int(text) if text.endswith("\n") else None


def listening(run, vigil):
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")


# The documented schema (docs/CONTROL.md): name -> accepted types.
SCHEMA = {
    "name": (str,), "active": (str,), "sub": (str,), "result": (str,), "pid": (int, type(None)),
    "uptime_usec": (int, type(None)), "restarts": (int,), "last_exit": (str, type(None)),
    "ready": (bool, type(None)), "status": (str, type(None)), "notify_denied": (int,),
    "watchdog_misses": (int,), "description": (str,),
    "health": (str, type(None)), "health_failures": (int, type(None)), "health_output": (str, type(None)),
    # cgroup v2 (issue 17): null without a group or its controller
    "memory_current": (int, type(None)), "tasks_current": (int, type(None)), "cpu_usec": (int, type(None)),
    "oom_kills": (int, type(None)),
}


def start_two(units, *options):
    up = units.script("up", UP)
    units.add("alpha", unit_text("[Unit]", "Description=the first", "[Service]",
                                 f"ExecStart={up} {units.file('alpha')}"))
    units.add("bravo", unit_text("[Service]", f"ExecStart={up} {units.file('bravo')}", "Restart=no"))
    run = units.start(*options)
    wait_until(run, lambda: written(units.file("alpha")) and written(units.file("bravo")), "both units to start")
    listening(run, units.h)
    return run


def test_status_table_and_json_schema(vigil, units):
    run = start_two(units)
    sock = vigil.control_socket()
    assert stat.S_ISSOCK(os.stat(sock).st_mode)
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600
    table = vigil.ctl("status")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["UNIT", "ACTIVE", "SUB"]
    alpha_pid = written(units.file("alpha"))
    row = next(line for line in lines if line.startswith("alpha.service"))
    assert row.split()[1:4] == ["active", "running", str(alpha_pid)], table.stdout
    assert "\033[" not in table.stdout, "no colours when stdout is not a terminal"

    doc = status_json(vigil)
    assert doc["version"] == 1
    assert [u["name"] for u in doc["units"]] == ["alpha.service", "bravo.service"]
    for u in doc["units"]:
        assert set(u) == set(SCHEMA), u
        for key, types in SCHEMA.items():
            assert isinstance(u[key], types), (key, u[key])
    a = unit_of(doc, "alpha.service")
    assert (a["active"], a["sub"], a["pid"], a["description"]) == ("active", "running", alpha_pid, "the first")
    assert a["uptime_usec"] > 0 and a["restarts"] == 0 and a["last_exit"] is None
    assert set(doc["notify"]) >= {"received", "accepted", "malformed", "unattributed", "unauthorised"}

    one = vigil.ctl("status", "bravo", "--json")
    assert [u["name"] for u in json.loads(one.stdout)["units"]] == ["bravo.service"]
    stop_vigil(run)


def test_check_flips_with_unit_health(vigil, units):
    run = start_two(units)
    r = vigil.ctl("check")
    assert r.returncode == 0, r.stdout + r.stderr
    open(units.file("bravo") + ".die", "w").close()  # Restart=no: bravo fails and stays failed
    wait_until(run, lambda: unit_of(status_json(vigil), "bravo.service")["active"] == "failed", "bravo to fail")
    r = vigil.ctl("check")
    assert r.returncode == 1
    assert "bravo.service" in r.stderr and "failed" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, "one line saying why"
    doc = status_json(vigil)
    assert unit_of(doc, "bravo.service")["last_exit"] == "killed SIGKILL"
    # Start it again: healthy again.
    os.unlink(units.file("bravo") + ".die")
    assert vigil.ctl("start", "bravo").returncode == 0
    wait_until(run, lambda: vigil.ctl("check").returncode == 0, "check to pass again")
    stop_vigil(run)


def test_check_waits_for_ready_of_notify_units(vigil, units):
    gate = units.file("gate")
    notify = units.script("notify", f"""
        import os, socket, time
        while not os.path.exists({gate!r}):
            time.sleep(0.02)
        a = os.environ["NOTIFY_SOCKET"]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect(a)
        s.send(b"READY=1\\nSTATUS=serving")
        time.sleep(1000)
        """, interpreter="/usr/bin/python3")
    units.add("n", unit_text("[Service]", "Type=notify", f"ExecStart={notify}"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: unit_of(status_json(vigil), "n.service")["pid"], "n to be spawned")
    r = vigil.ctl("check")
    assert r.returncode == 1 and "n.service" in r.stderr, r.stdout + r.stderr
    open(gate, "w").close()
    wait_until(run, lambda: vigil.ctl("check").returncode == 0, "check to pass once READY=1 arrives")
    n = unit_of(status_json(vigil), "n.service")
    assert n["ready"] is True and n["status"] == "serving", n
    stop_vigil(run)


def test_stop_start_restart(vigil, units):
    run = start_two(units)
    first = written(units.file("alpha"))
    assert vigil.ctl("stop", "alpha.service").returncode == 0
    wait_until(run, lambda: unit_of(status_json(vigil), "alpha.service")["sub"] == "dead", "alpha to stop")
    assert unit_of(status_json(vigil), "bravo.service")["sub"] == "running"
    os.unlink(units.file("alpha"))
    assert vigil.ctl("start", "alpha").returncode == 0
    wait_until(run, lambda: written(units.file("alpha")), "alpha to start again")
    second = written(units.file("alpha"))
    assert second != first
    os.unlink(units.file("alpha"))
    assert vigil.ctl("restart", "alpha").returncode == 0
    wait_until(run, lambda: written(units.file("alpha")), "alpha to restart")
    third = written(units.file("alpha"))
    assert third not in (first, second)
    wait_until(run, lambda: unit_of(status_json(vigil), "alpha.service")["pid"] == third, "the new pid in status")
    stop_vigil(run)


def test_exit_codes(vigil, units):
    run = start_two(units)
    r = vigil.ctl("status", "nosuch")
    assert r.returncode == 3 and "nosuch" in r.stderr
    assert vigil.ctl("stop", "nosuch").returncode == 3
    assert vigil.ctl("frobnicate").returncode == 2
    assert vigil.ctl().returncode == 2
    assert vigil.ctl("start").returncode == 2, "start needs a unit"
    r = vigil.ctl("--socket", os.path.join(vigil.runtime, "nothing-here"), "status")
    assert r.returncode == 5 and "cannot reach" in r.stderr
    stop_vigil(run)
    r = vigil.ctl("status")
    assert r.returncode == 5, "vigil is gone: not reachable"


@pytest.fixture(scope="module")
def other_user():
    """A non-root user made for these tests (removed afterwards)."""
    import pwd
    import subprocess
    name = "vigil-itest"
    made = False
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        made = True
    yield pwd.getpwnam(name).pw_uid
    if made:
        subprocess.run(["userdel", name], capture_output=True)


def test_other_users_are_refused(vigil, units, other_user):
    NOBODY = other_user
    run = start_two(units)
    # The socket's mode refuses them at connect.
    r = vigil.ctl("status", user=NOBODY)
    assert r.returncode == 4, r.stdout + r.stderr
    # And vigil refuses them by their credentials even where the mode would not.
    os.chmod(vigil.control_socket(), 0o666)
    r = vigil.ctl("status", user=NOBODY)
    assert r.returncode == 4 and "not authorised" in r.stderr, r.stdout + r.stderr
    r = vigil.ctl("stop", "alpha", user=NOBODY)
    assert r.returncode == 4
    assert unit_of(status_json(vigil), "alpha.service")["sub"] == "running"
    stop_vigil(run)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_a_thousand_bad_requests_leave_vigil_serving(vigil, units):
    run = start_two(units)
    sock = vigil.control_socket()
    pid = run.pid

    def send(data, shut=True, read=True):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(sock)
        if data:
            s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        reply = b""
        if read:
            while chunk := s.recv(65536):
                reply += chunk
        s.close()
        return reply

    for _ in range(3):
        send(b"vigil/1 status\n")
    before = rss_kib(pid)
    bad = [b"garbage\n", b"vigil/2 status\n", b"vigil/1\n", b"vigil/1 status \x01\n", b"\x00\x01\x02\n",
           b"vigil/1 start\n", b"x" * 5000, b"vigil/1 statu", b"", b"vigil/1 status" + b" a" * 100 + b"\n"]
    replies = []
    for i in range(1000):
        data = bad[i % len(bad)]
        # Some close without reading the reply, some without sending anything.
        replies.append(send(data, read=i % 7 != 0))
    got = [r for r in replies if r]
    assert got and all(r.startswith(b"vigil/1 ") for r in got), got[:5]
    assert any(r.startswith(b"vigil/1 2 ") for r in got), "usage errors are answered as such"
    # Slow clients: connected and silent; a request still gets through.
    idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(20)]
    for s in idle:
        s.connect(sock)
    t0 = time.monotonic()
    r = vigil.ctl("status")
    assert r.returncode == 0 and "alpha.service" in r.stdout
    assert time.monotonic() - t0 < 3, "a silent client must not hold the loop"
    for s in idle:
        s.close()
    after = rss_kib(pid)
    assert after - before < 2048, f"vigil's RSS grew from {before} to {after} KiB"
    assert run.running()
    lines = [line for line in run.stderr.splitlines() if "malformed request" in line]
    assert 0 < len(lines) <= 12, f"malformed requests are logged at a power-of-two rate: {len(lines)} lines"
    stop_vigil(run)


CRASHER = """
    # crasher COUNT: exits 3 until it has run COUNT times, then stays
    n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$1"
    sleep 0.2
    [ "$n" -ge "$2" ] && exec sleep 1000
    exit 3
"""


def test_history_after_a_crash_loop(vigil, units):
    crasher = units.script("crasher", CRASHER)
    units.add("loop", unit_text("[Service]", f"ExecStart={crasher} {units.file('n')} 4", "Restart=on-failure",
                                "RestartSec=0"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: unit_of(status_json(vigil), "loop.service")["sub"] == "running"
               and unit_of(status_json(vigil), "loop.service")["restarts"] == 3, "three crashes and restarts")
    before = time.time()
    r = vigil.ctl("history", "loop", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["unit"] == "loop.service"
    exits = doc["exits"]
    assert len(exits) == 3, exits
    for e in exits:
        assert e["cause"] == "unclean exit code" and e["exit_code"] == 3 and e["signal"] is None
        assert e["core_dumped"] is False
        assert 0.15 < e["runtime_usec"] / 1e6 < 5, e
        assert before - 60 < e["time_usec"] / 1e6 <= before + 1
        assert e["time"].endswith("Z")
    assert [e["time_usec"] for e in exits] == sorted(e["time_usec"] for e in exits), "oldest first"
    table = vigil.ctl("history", "loop")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:3] == ["TIME", "RAN", "PID"]
    assert sum("unclean exit code" in line and "exited 3" in line for line in table.stdout.splitlines()) == 3
    assert vigil.ctl("history", "nosuch").returncode == 3
    stop_vigil(run)


def test_kill_signals_the_unit(vigil, units):
    run = start_two(units)
    r = vigil.ctl("kill", "-s", "KILL", "bravo")
    assert r.returncode == 0, r.stderr
    wait_until(run, lambda: unit_of(status_json(vigil), "bravo.service")["last_exit"] == "killed SIGKILL",
               "bravo to die of SIGKILL")
    assert vigil.ctl("kill", "-s", "NOSUCHSIG", "alpha").returncode == 2
    assert vigil.ctl("kill", "bravo").returncode == 1, "nothing left to signal"
    assert unit_of(status_json(vigil), "alpha.service")["sub"] == "running"
    stop_vigil(run)


def test_reload_runs_exec_reload(vigil, units):
    up = units.script("up", UP)
    mark = units.file("reloaded")
    units.add("r", unit_text("[Service]", f"ExecStart={up} {units.file('r')}", f"ExecReload=/bin/touch {mark}"))
    units.add("plain", unit_text("[Service]", f"ExecStart={up} {units.file('plain')}"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: written(units.file("r")), "r to start")
    assert vigil.ctl("reload", "r").returncode == 0
    wait_until(run, lambda: os.path.exists(mark), "ExecReload= to run")
    wait_until(run, lambda: unit_of(status_json(vigil), "r.service")["sub"] == "running", "r back to running")
    r = vigil.ctl("reload", "plain")
    assert r.returncode == 1 and "ExecReload" in r.stderr, r.stderr
    stop_vigil(run)


def test_metrics_parse_as_prometheus_text(vigil, units):
    from prometheus_client.parser import text_string_to_metric_families
    run = start_two(units)
    r = vigil.ctl("metrics")
    assert r.returncode == 0, r.stderr
    families = {f.name: f for f in text_string_to_metric_families(r.stdout)}
    for name in ("vigil_unit_state", "vigil_unit_up", "vigil_unit_uptime_seconds", "vigil_unit_restarts",
                 "vigil_unit_watchdog_misses", "vigil_unit_notify_denied", "vigil_notify_messages",
                 "vigil_uptime_seconds"):
        assert name in families, f"{name} missing: {sorted(families)}"
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("vigil_unit_state", (("state", "running"), ("unit", "alpha.service")))] == 1
    assert samples[("vigil_unit_up", (("unit", "bravo.service"),))] == 1
    assert samples[("vigil_unit_restarts_total", (("unit", "alpha.service"),))] == 0
    assert samples[("vigil_unit_uptime_seconds", (("unit", "alpha.service"),))] > 0
    assert ("vigil_notify_messages_total", (("result", "unauthorised"),)) in samples
    stop_vigil(run)


@pytest.mark.parametrize("verb,code", [("poweroff", 0), ("halt", 0), ("reboot", 1)])
def test_power_commands_end_a_container(vigil, units, verb, code):
    run = start_two(units)
    r = vigil.ctl(verb)
    assert r.returncode == 0, r.stderr
    assert run.wait(20) == code, run.stderr
    assert stderr_lines(run, f"vigilctl {verb}"), run.stderr


def test_jobs_wait_for_their_end(vigil, units):
    import subprocess
    gate = units.file("gate")
    notify = units.script("notify", f"""
        import os, socket, time
        while not os.path.exists({gate!r}):
            time.sleep(0.02)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect(os.environ["NOTIFY_SOCKET"])
        s.send(b"READY=1")
        time.sleep(1000)
        """, interpreter="/usr/bin/python3")
    units.add("slow", unit_text("[Service]", "Type=notify", f"ExecStart={notify}"))
    units.add("bad", unit_text("[Service]", "Type=oneshot", "ExecStart=/bin/false"))
    up = units.script("up", UP)
    units.add("lingering", unit_text("[Service]", f"ExecStart={up} {units.file('l')}",
                                     "ExecStopPost=/bin/sleep 0.5"))
    open(gate, "w").close()
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: unit_of(status_json(vigil), "slow.service")["ready"], "slow to be ready")
    os.unlink(gate)
    env = vigil.env()
    from harness import VIGILCTL
    p = subprocess.Popen([VIGILCTL, "restart", "slow"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(1.0)
    assert p.poll() is None, "restart answers once the unit is up again, not before"
    open(gate, "w").close()
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    assert unit_of(status_json(vigil), "slow.service")["ready"] is True

    r = vigil.ctl("start", "bad")
    assert r.returncode == 1 and "bad.service" in r.stderr and "failed" in r.stderr, r.stderr

    wait_until(run, lambda: written(units.file("l")), "lingering to start")
    t0 = time.monotonic()
    r = vigil.ctl("stop", "lingering")
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 >= 0.4, "stop answers after ExecStopPost= is over"
    assert unit_of(status_json(vigil), "lingering.service")["sub"] == "dead"
    stop_vigil(run)


def test_daemon_reload(vigil, units):
    up = units.script("up", UP)

    def define(name, *extra):
        units.add(name, unit_text("[Service]", f"ExecStart={up} {units.file(name)}", *extra))

    define("same")
    define("changed")
    define("gone")
    define("broken")
    run = units.start()
    listening(run, vigil)
    names = ("same", "changed", "gone", "broken")
    wait_until(run, lambda: all(written(units.file(n)) for n in names), "every unit to start")
    pids = {n: written(units.file(n)) for n in names}

    r = vigil.ctl("daemon-reload")
    assert r.returncode == 0 and "nothing changed" in r.stdout, r.stdout + r.stderr

    for n in ("changed", "broken"):
        os.unlink(units.file(n))
    define("changed", "Environment=NEW=1")
    os.unlink(units.dir / "gone.service")
    (units.dir / "broken.service").write_text("[Service]\nExecStart=relative/path\nRestart=sometimes\n")
    define("fresh")
    r = vigil.ctl("daemon-reload")
    assert r.returncode == 1, "a broken file is an error in the reply"
    out = r.stdout
    assert "changed.service: changed, restarting" in out, out
    assert "gone.service: removed" in out, out
    assert "fresh.service: added" in out, out
    assert "broken.service" in out and "the running definition stays" in out, out
    assert "same.service" not in out, out

    wait_until(run, lambda: written(units.file("changed")) and written(units.file("fresh")),
               "changed to restart and fresh to start")
    assert written(units.file("changed")) != pids["changed"]
    doc = status_json(vigil)
    names_now = [u["name"] for u in doc["units"]]
    wait_until(run, lambda: "gone.service" not in [u["name"] for u in status_json(vigil)["units"]],
               "gone to be stopped and dropped")
    assert unit_of(doc, "same.service")["pid"] == pids["same"], "an unchanged unit is left alone"
    assert unit_of(doc, "broken.service")["pid"] == pids["broken"], "a broken file leaves the running unit alone"
    assert "fresh.service" in names_now
    assert written(units.file("broken")) is None  # it was not restarted (the test removed its pid file)
    stop_vigil(run)


def test_colours_only_on_a_terminal_and_never_with_no_color(vigil, units):
    import pty
    import subprocess
    from harness import VIGILCTL
    run = start_two(units)

    def on_tty(extra_env):
        master, slave = pty.openpty()
        env = vigil.env()
        env.pop("NO_COLOR", None)
        env.update(extra_env)
        p = subprocess.Popen([VIGILCTL, "status"], stdout=slave, stderr=slave, env=env)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        assert p.wait(10) == 0, out
        return out.decode()

    coloured = on_tty({})
    assert "alpha.service" in coloured and "\033[32m" in coloured, repr(coloured)
    plain = on_tty({"NO_COLOR": "1"})
    assert "alpha.service" in plain and "\033[" not in plain, repr(plain)
    stop_vigil(run)


def test_many_clients_at_once_and_the_watchdog_command(vigil, units):
    import subprocess
    from harness import VIGILCTL
    run = start_two(units)
    procs = [subprocess.Popen([VIGILCTL, "status", "--json"], env=vigil.env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(50)]
    for p in procs:
        out, err = p.communicate(timeout=20)
        assert p.returncode == 0, err
        assert [u["name"] for u in json.loads(out)["units"]] == ["alpha.service", "bravo.service"]
    for args in (("watchdog",), ("watchdog", "snooze", "60")):
        r = vigil.ctl(*args)
        assert r.returncode == 1 and "no hardware watchdog" in r.stderr, r.stdout + r.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- non-root (issue 14, point 6)
#
# vigil as a uid that cannot make /run/vigil (a container run with --user,
# OpenShift's random uid), no VIGIL_RUNTIME_DIR, no HOME: its sockets go to
# $XDG_RUNTIME_DIR/vigil, else to abstract names after the uid; vigilctl of
# the same uid finds them with no option. Abstract names are shared by the
# network namespace: each test and mode has its own uid.

NON_ROOT_ENV = ("VIGIL_RUNTIME_DIR", "HOME", "XDG_RUNTIME_DIR")


def non_root_uid(vigil, base):
    return base + (0 if vigil.mode == "subreaper" else 1)


def test_non_root_sockets_in_xdg_runtime_dir(vigil, public_units):
    uid = non_root_uid(vigil, 12345)
    xdg = public_units.root / f"xdg-{uid}"
    xdg.mkdir()
    os.chown(xdg, uid, uid)
    xdg.chmod(0o700)
    public_units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    env = {"XDG_RUNTIME_DIR": str(xdg)}
    run = public_units.start(user=uid, env=env, unset=("VIGIL_RUNTIME_DIR", "HOME"))
    control = xdg / "vigil" / "control"
    wait_until(run, lambda: control.exists(), "the control socket in $XDG_RUNTIME_DIR/vigil")
    assert os.stat(control).st_uid == uid
    said = stderr_lines(run, "cannot use /run/vigil")
    assert len(said) == 1 and str(control) in said[0], run.stderr
    r = vigil.ctl("check", user=uid, env=env, unset=("VIGIL_RUNTIME_DIR", "HOME"))
    assert r.returncode == 0 and r.stdout.strip() == "healthy", r.stdout + r.stderr
    r = vigil.ctl("status", user=uid, env=env, unset=("VIGIL_RUNTIME_DIR", "HOME"))
    assert r.returncode == 0 and "calm.service" in r.stdout, r.stdout + r.stderr
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 0, run.stderr


def test_a_root_socket_file_does_not_hide_a_non_root_vigil_on_abstract_names(vigil, public_units):
    # Root's runtime directory holds a control socket only root may write (a
    # root vigil's, here a stale one, as a killed benchmark leaves behind in
    # /run/vigil): vigilctl of another uid finds its own vigil on the abstract
    # name all the same, and says "permission denied" only when none listens.
    uid = non_root_uid(vigil, 12349)
    rootdir = public_units.root / "root-runtime"
    rootdir.mkdir()
    rootdir.chmod(0o755)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(rootdir / "control"))
    stale.close()
    os.chmod(rootdir / "control", 0o600)
    env = {"VIGIL_RUNTIME_DIR": str(rootdir)}
    plain = ("HOME", "XDG_RUNTIME_DIR")
    public_units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    r = vigil.ctl("check", user=uid, env=env, unset=plain)
    assert r.returncode == 4 and "ermission denied" in r.stderr, r.stdout + r.stderr
    run = public_units.start(user=uid, env=env, unset=plain)
    wait_until(run, lambda: stderr_lines(run, f"@vigil-{uid}/control"), "the fallback to abstract names")
    wait_until(run, lambda: vigil.ctl("check", user=uid, env=env, unset=plain).returncode == 0,
               "vigilctl to find the abstract control socket past root's", timeout=15)
    r = vigil.ctl("status", user=uid, env=env, unset=plain)
    assert r.returncode == 0 and "calm.service" in r.stdout, r.stdout + r.stderr
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 0, run.stderr


def test_non_root_abstract_sockets_when_no_directory_can_be_made(vigil, public_units):
    uid = non_root_uid(vigil, 12347)
    # A Type=notify unit readied by systemd-notify (libsystemd's sd_notify
    # reads "@name" as an abstract address).
    ready = public_units.script("ready", """
        echo "$NOTIFY_SOCKET" > "$1"
        systemd-notify --ready
        exec sleep 1000
        """)
    seen = public_units.file("notify-socket")
    public_units.add("n", unit_text("[Service]", "Type=notify", "NotifyAccess=all", f"ExecStart={ready} {seen}",
                                    "TimeoutStartSec=30"))
    run = public_units.start(user=uid, unset=NON_ROOT_ENV)
    control = f"@vigil-{uid}/control"
    wait_until(run, lambda: stderr_lines(run, "cannot use /run/vigil"), "the fallback to be logged")
    said = stderr_lines(run, "cannot use /run/vigil")
    assert len(said) == 1 and control in said[0] and f"@vigil-{uid}/notify" in said[0], run.stderr
    plain = NON_ROOT_ENV
    wait_until(run, lambda: vigil.ctl("check", user=uid, unset=plain).returncode == 0,
               "check to pass once n is ready (READY=1 over the abstract notify socket)", timeout=15)
    with open(seen) as f:
        assert f.read().strip() == f"@vigil-{uid}/notify"
    assert vigil.ctl("check", "--ready", user=uid, unset=plain).returncode == 0
    # The peer-credential rule stays: root is served, another uid is refused.
    assert vigil.ctl("--socket", control, "check").returncode == 0
    r = vigil.ctl("--socket", control, "check", user=uid + 10000, unset=plain)
    assert r.returncode == 4, r.stdout + r.stderr
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 0, run.stderr
