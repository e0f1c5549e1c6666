"""Real sd_notify clients against vigil's notify socket (issue 4).

Unmodified clients only: a C program linked with libsystemd
(tests/clients/sdclient.c, compiled once per session by the `clients`
fixture), `systemd-notify`, python3-systemd and `redis-server --supervised
systemd`. Readiness is observed through what depends on it: an After=
dependent's start time, a `--wait-ready` main command that checks the ready
marker, and the "start -> running" lines of `-v`.
"""
import os
import pathlib
import stat
import sys
import time
import uuid

import pytest

from harness import ROOT, kv, read_lines, stamps, stderr_lines, stop_vigil, unit_text, wait_until

sys.path.insert(0, str(ROOT / "tests" / "clients"))
import clientbuild  # noqa: E402


@pytest.fixture(scope="session")
def clients():
    """The C clients of tests/clients, built against libsystemd (build/tests/clients/)."""
    return clientbuild.build()


def first(path, key):
    values = kv(path).get(key)
    assert values, f"{path}: no {key}= line in {read_lines(path)}"
    return values[0]


# job LOG: "start TIME PID", then stays
JOB = """
    echo "start $(date +%s.%N) $$" >> "$1"
    exec sleep 30
"""

# The main command of --wait-ready tests: HAS-LINE FILE PATTERN exits 0 when
# FILE holds a line matching PATTERN, else 1 (also when FILE does not exist).
# The line must be one a client writes *before* it sends READY=1: what it
# writes after may come after vigil has started the main command.
HAS_LINE = """
    grep -q -- "$2" "$1" 2>/dev/null || exit 1
"""


def running_lines(run, name):
    return stderr_lines(run, f"{name}.service: start -> running")


# ---------------------------------------------------------------- 1. libsystemd

def test_libsystemd_client_sees_its_watchdog_gets_ready_and_is_kept_alive_by_pings(units, clients):
    # sd_watchdog_enabled() > 0 with WatchdogSec='s usec; WATCHDOG_PID is the
    # client's own pid; READY=1 (after 0.3 s) starts the After= dependent;
    # WATCHDOG=1 every 200 ms keeps it alive past several WatchdogSec=800ms.
    log = units.file("zulu")
    units.add("zulu", unit_text(
        "[Service]", "Type=notify", "WatchdogSec=800ms", "Restart=on-watchdog", "RestartSec=0",
        f'ExecStart={clients.sdclient} -d 300 -s "READY=1\\nSTATUS=serving" -p 200 {log}'))
    job = units.script("job", JOB)
    units.add("alpha", unit_text("[Unit]", "After=zulu.service", "[Service]", f"ExecStart={job} {units.file('alpha')}"))
    run = units.start("-vv")
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "the After= dependent to start", timeout=10)
    wait_until(run, lambda: kv(log).get("sent"), "sd_notify() to return")

    pid = first(log, "pid")
    assert first(log, "watchdog_pid") == pid, read_lines(log)
    assert first(log, "watchdog_usec") == "800000", read_lines(log)
    assert int(first(log, "wd_enabled")) > 0, read_lines(log)
    assert first(log, "wd_usec") == "800000", read_lines(log)
    assert first(log, "notify_socket") == os.path.join(units.h.runtime, "notify"), read_lines(log)
    assert int(first(log, "sent")) > 0, read_lines(log)
    assert stamps(units.file("alpha"), "start")[0] >= float(first(log, "send_at")), \
        f"alpha started before zulu sent READY=1:\n{run.stderr}"
    assert len(running_lines(run, "zulu")) == 1, run.stderr
    assert stderr_lines(run, "zulu.service: status: serving"), run.stderr

    # Alive past several WatchdogSec=: still pinging, never timed out, never restarted.
    pings = len(kv(log).get("ping", []))
    time.sleep(2.5)
    assert run.running(), run.stderr
    assert not stderr_lines(run, "watchdog timeout"), run.stderr
    assert kv(log)["pid"] == [pid], f"zulu restarted:\n{run.stderr}"
    assert len(kv(log).get("ping", [])) >= pings + 5, read_lines(log)
    assert all(int(r) > 0 for r in kv(log)["ping"]), read_lines(log)
    stop_vigil(run)


def test_libsystemd_client_without_pings_is_caught_by_the_watchdog(units, clients):
    # The counterpart of the test above (so it can fail): the same client,
    # READY=1 but no WATCHDOG=1, is killed by SIGABRT and restarted.
    log = units.file("zulu")
    units.add("zulu", unit_text(
        "[Service]", "Type=notify", "WatchdogSec=800ms", "Restart=on-watchdog", "RestartSec=0",
        f'ExecStart={clients.sdclient} -s READY=1 -k {log}'))
    run = units.start("-v")
    wait_until(run, lambda: len(kv(log).get("pid", [])) >= 2, "the watchdog to restart zulu", timeout=10)
    assert stderr_lines(run, "zulu.service: watchdog timeout: no WATCHDOG=1 for 800ms"), run.stderr
    assert stderr_lines(run, "zulu.service: main process", "killed by SIGABRT"), run.stderr
    stop_vigil(run)


@pytest.mark.parametrize("wait_ready,expected", [(True, 0), (False, 1)], ids=["wait-ready", "no-wait-ready"])
def test_libsystemd_ready_releases_the_wait_ready_main_command(units, clients, wait_ready, expected):
    # The main command checks that the client got to sending READY=1
    # ("send_at=" in its log, written just before); the client waits 0.5 s
    # first, so without --wait-ready the check fails: the test can tell.
    log = units.file("zulu")
    units.add("zulu", unit_text("[Service]", "Type=notify",
                                f'ExecStart={clients.sdclient} -d 500 -s "READY=1\\nSTATUS=up" -b -k {log}'))
    has_line = units.script("has-line", HAS_LINE)
    run = units.start(*(["--wait-ready"] if wait_ready else []), cmd=[has_line, log, "^send_at="])
    assert run.wait(15) == expected, run.stderr


def test_sd_notify_barrier_returns_once_vigil_has_handled_the_datagrams(units, clients):
    # sd_notify_barrier() sends BARRIER=1 with one end of a pipe and waits
    # (here at most 5 s) for vigil to close it: >= 0 and quick, not -ETIMEDOUT.
    log = units.file("zulu")
    units.add("zulu", unit_text("[Service]", "Type=notify",
                                f'ExecStart={clients.sdclient} -s "READY=1" -s "STATUS=barrier next" -b -k {log}'))
    run = units.start("-v")
    wait_until(run, lambda: kv(log).get("barrier"), "sd_notify_barrier() to return", timeout=10)
    assert int(first(log, "barrier")) >= 0, read_lines(log)
    assert int(first(log, "ms")) < 4000, read_lines(log)
    wait_until(run, lambda: running_lines(run, "zulu"), "zulu to be running")
    stop_vigil(run)


# ---------------------------------------------------------------- 2. systemd-notify

# sh unit: systemd-notify --ready --status=... as a child of the main shell
# (as root: systemd-notify claims its parent's pid in the credentials, as
# it does under systemd; "unprivileged": run as nobody by setpriv, so the
# kernel lets it send only its own pid: a child of the unit), or below an
# intermediate shell ("grandchild": it claims that shell's pid). Its exit
# status (0 also means its barrier was answered) goes to LOG.
SYSTEMD_NOTIFY = {
    "child": 'systemd-notify --ready --status="shell unit up"; echo "rc=$?" >> "$1"',
    "unprivileged-child": 'setpriv --reuid=65534 --regid=65534 --clear-groups '
                          'systemd-notify --ready --status="shell unit up"; echo "rc=$?" >> "$1"',
    "grandchild": 'sh -c \'systemd-notify --ready --status="shell unit up"; echo "rc=$?" >> "$1"\' sh "$1"',
}


def systemd_notify_script(units, how):
    return units.script(f"sn-{how}", f"""
        sleep 0.3
        echo "send_at=$(date +%s.%N)" >> "$1"
        {SYSTEMD_NOTIFY[how]}
        exec sleep 30
        """)


@pytest.mark.parametrize("how", ["child", "unprivileged-child"])
def test_systemd_notify_from_a_shell_unit_with_notify_access_all(units, how):
    log = units.file("sn")
    script = systemd_notify_script(units, how)
    units.add("sn", unit_text("[Service]", "Type=notify", "NotifyAccess=all", f"ExecStart={script} {log}"))
    job = units.script("job", JOB)
    units.add("alpha", unit_text("[Unit]", "After=sn.service", "[Service]", f"ExecStart={job} {units.file('alpha')}"))
    run = units.start("-vv")
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "the After= dependent to start", timeout=10)
    wait_until(run, lambda: any(line.startswith("rc=") for line in read_lines(log)), "systemd-notify to return")
    assert "rc=0" in read_lines(log), f"systemd-notify failed: {read_lines(log)}\n{run.stderr}"
    assert stamps(units.file("alpha"), "start")[0] >= float(first(log, "send_at")), \
        f"alpha started before systemd-notify ran:\n{run.stderr}"
    assert len(running_lines(run, "sn")) == 1, run.stderr
    assert stderr_lines(run, "sn.service: status: shell unit up"), run.stderr
    stop_vigil(run)


@pytest.mark.parametrize("how", ["unprivileged-child", "grandchild"])
def test_systemd_notify_from_a_child_is_refused_with_the_default_notify_access_main(units, how):
    # Not the main pid: dropped and counted as unauthorised; the start times out.
    log = units.file("sn")
    script = systemd_notify_script(units, how)
    units.add("sn", unit_text("[Service]", "Type=notify", "TimeoutStartSec=1s", f"ExecStart={script} {log}"))
    run = units.start("-vv")
    wait_until(run, lambda: stderr_lines(run, "sn.service: failed with result timeout"),
               "the start of sn to time out", timeout=10)
    drops = stderr_lines(run, "notify: dropped a datagram from pid",
                         "sn.service does not allow it (NotifyAccess=main", "(unauthorised; 1 so far)")
    assert drops, run.stderr
    assert not running_lines(run, "sn"), run.stderr
    assert not stderr_lines(run, "sn.service: status:"), run.stderr
    wait_until(run, lambda: any(line.startswith("rc=") for line in read_lines(log)), "systemd-notify to return")
    assert "rc=0" in read_lines(log), f"systemd-notify failed (its barrier is answered even when dropped): " \
                                      f"{read_lines(log)}\n{run.stderr}"
    stop_vigil(run)


# ---------------------------------------------------------------- 3. python3-systemd

PYTHON_SYSTEMD = """
    import os, sys, time
    from systemd import daemon
    log = sys.argv[1]
    time.sleep(0.5)
    with open(log, "a") as f:  # before READY=1: the main command looks for it
        f.write(f"sending pid={os.getpid()}\\n")
    ok = daemon.notify("READY=1\\nSTATUS=python up")
    with open(log, "a") as f:
        f.write(f"notified={ok}\\n")
    time.sleep(30)
"""


def test_python_systemd_daemon_notify_from_the_main_process(units):
    log = units.file("py")
    script = units.script("py-notify", PYTHON_SYSTEMD, interpreter="/usr/bin/python3")
    units.add("py", unit_text("[Service]", "Type=notify", f"ExecStart={script} {log}"))
    has_line = units.script("has-line", HAS_LINE)
    run = units.start("--wait-ready", "-vv", cmd=[has_line, log, "^sending"])
    assert run.wait(15) == 0, f"{read_lines(log)}\n{run.stderr}"
    assert len(running_lines(run, "py")) == 1, run.stderr
    assert stderr_lines(run, "py.service: status: python up"), run.stderr


# ---------------------------------------------------------------- 4. redis-server

REDIS = """
    cd "$2" || exit 97
    exec redis-server --supervised systemd --port 0 --unixsocket "$1" --save '' --appendonly no \
            --dir "$2" --logfile ''
"""


def test_redis_server_supervised_systemd_gets_ready(units):
    # Port 0: no TCP listener, nothing to clash; a unix socket in the test's dir.
    sock = units.file("redis.sock")
    workdir = units.out / "redis"
    workdir.mkdir()
    script = units.script("redis", REDIS)
    units.add("redis", unit_text("[Service]", "Type=notify", "TimeoutStartSec=20s",
                                 f"ExecStart={script} {sock} {workdir}"))
    run = units.start("--wait-ready", "-v", cmd=["redis-cli", "-s", sock, "ping"], stdout=None)
    assert run.wait(30) == 0, run.stderr
    assert len(running_lines(run, "redis")) == 1, run.stderr
    assert "PONG" in run.stdout, run.stdout


# ---------------------------------------------------------------- 5. socket forms

def test_default_notify_socket_is_runtime_dir_notify_mode_0777(units, clients):
    log = units.file("zulu")
    units.add("zulu", unit_text("[Service]", "Type=notify", f"ExecStart={clients.sdclient} -s READY=1 -k {log}"))
    run = units.start("-v")
    wait_until(run, lambda: running_lines(run, "zulu"), "zulu to be ready")
    path = os.path.join(units.h.runtime, "notify")
    assert first(log, "notify_socket") == path, read_lines(log)
    st = os.lstat(path)
    assert stat.S_ISSOCK(st.st_mode), oct(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o777, oct(st.st_mode)
    stop_vigil(run)
    assert not os.path.exists(path), "vigil leaves its notify socket behind"


def abstract_bound(name):
    """Is @name bound (in this network namespace)?"""
    for line in pathlib.Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[7] == "@" + name:
            return True
    return False


def test_abstract_notify_socket_with_a_libsystemd_client(units, clients):
    name = f"vigil-itest-{uuid.uuid4().hex[:16]}"
    log = units.file("zulu")
    units.add("zulu", unit_text("[Service]", "Type=notify",
                                f'ExecStart={clients.sdclient} -d 300 -s "READY=1\\nSTATUS=abstract" -b -k {log}'))
    job = units.script("job", JOB)
    units.add("alpha", unit_text("[Unit]", "After=zulu.service", "[Service]", f"ExecStart={job} {units.file('alpha')}"))
    run = units.start("--notify-socket", f"@{name}", "-vv")
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "the After= dependent to start", timeout=10)
    wait_until(run, lambda: kv(log).get("barrier"), "sd_notify_barrier() to return")
    assert first(log, "notify_socket") == f"@{name}", read_lines(log)
    assert int(first(log, "sent")) > 0 and int(first(log, "barrier")) >= 0, read_lines(log)
    assert stamps(units.file("alpha"), "start")[0] >= float(first(log, "send_at")), run.stderr
    assert len(running_lines(run, "zulu")) == 1, run.stderr
    assert stderr_lines(run, "zulu.service: status: abstract"), run.stderr
    assert abstract_bound(name), f"@{name} not in /proc/net/unix"
    assert not os.path.exists(os.path.join(units.h.runtime, "notify")), "a path socket besides the abstract one"
    stop_vigil(run)
    assert not abstract_bound(name), f"@{name} still bound after vigil exited"
