"""Real Debian packages booted from the systemd layout (issue 15, "How it
must be proven", first point): the root of conftest.debian_root, their
unit files unchanged, vigil as PID 1 with nothing else to run; each daemon
driven by its own client, then vigil's stop stops every one cleanly.
The tests of this module share one boot and run in file order."""
import os
import signal

import pytest

# What the boot must bring up: default.target's wants in the root, and the
# two instances systemctl enabled in boot.sh (systemd's generators' work).
RUNNING = ["cron.service", "nginx.service", "redis-server.service", "ssh.service",
           "postgresql@15-main.service", "postfix@-.service"]


def status(b):
    """{unit: (active, sub)} from vigilctl status."""
    out = b.run("vigilctl", "status").stdout.splitlines()[1:]
    return {f[0]: (f[1], f[2]) for f in (line.split() for line in out) if len(f) > 2}


def unit_log(b, unit):
    return b.run("vigilctl", "log", unit).stdout


@pytest.fixture(scope="module")
def up(booted):
    def all_up():
        s = status(booted)
        return s if all(s.get(u, ("",))[0] == "active" for u in RUNNING) else None
    booted.wait_for("every daemon active", all_up, 120)
    return booted


def test_units_load_from_the_layout_with_no_refusal(up):
    log = up.log()
    assert "units from the systemd layout under /" in log
    # No systemd package in the root: multi-user.target is made of its links.
    assert "multi-user.target: no unit file; a target of its .wants/ and .requires/ links" in log
    for bad in ("not loaded", "will not start", "ordering cycle", "cannot apply resource limits"):
        assert bad not in log, log


def test_nginx_answers_curl(up):
    r = up.run("curl", "-sS", "--max-time", "10", "http://127.0.0.1/")
    assert r.returncode == 0, r.stderr
    assert "Welcome to nginx" in r.stdout


def test_redis_answers_ping_with_its_limit_clamped(up):
    r = up.run("redis-cli", "PING")
    assert r.stdout.strip() == "PONG", r.stdout + r.stderr
    # LimitNOFILE=65535 in its unit: applied, or clamped with FILE:LINE.
    log = up.log()
    pid = up.run("systemctl", "show", "-p", "MainPID", "--value", "redis-server").stdout.strip()
    limits = up.run("cat", f"/proc/{pid}/limits").stdout
    nofile = next(line for line in limits.splitlines() if line.startswith("Max open files")).split()
    if "65535" not in nofile:
        assert "/lib/systemd/system/redis-server.service:" in log and "LimitNOFILE=65535 is above" in log


def test_sshd_host_keys_scan(up):
    r = up.run("ssh-keyscan", "-T", "10", "-t", "ed25519", "127.0.0.1")
    assert r.returncode == 0 and "ssh-ed25519 AAAA" in r.stdout, r.stdout + r.stderr


def test_postgresql_answers_psql(up):
    r = up.run("runuser", "-u", "postgres", "--", "psql", "-tA", "-c", "select 1")
    assert r.returncode == 0 and r.stdout.strip() == "1", r.stdout + r.stderr


def test_cron_job_ran_and_syslog_lines_are_kept(up):
    up.wait_for("the @reboot job's file", lambda: up.run("cat", "/var/tmp/cron-ran").stdout.strip(), 30)
    # cron and postfix log through syslog(3) only: vigil's /dev/log keeps
    # their lines under the unit that sent them.
    up.wait_for("cron's CMD line in vigilctl log",
                lambda: "CMD (sleep 3; echo cron-job-ran" in unit_log(up, "cron.service"), 30)
    up.wait_for("postfix master's syslog line",
                lambda: "daemon started" in unit_log(up, "postfix@-.service"), 30)


def test_every_daemon_stops_cleanly_on_sigterm(up):
    before = len(up.log())
    os.kill(up.pid, signal.SIGTERM)
    rc = up.proc.wait(timeout=60)
    log = up.log()
    assert rc == 0, log
    stop = log[before:]
    # Each daemon stopped on its own within the default budgets.
    assert "SIGKILL" not in stop and "stop-sigkill" not in stop and "timed out" not in stop, stop
    for unit in RUNNING:
        assert f"vigil: {unit}: " in stop and any(
            line.startswith(f"vigil: {unit}: ") and line.endswith("-> dead") for line in stop.splitlines()), stop
    assert "sshd: Received signal 15; terminating." in stop
    assert "postfix/master: terminating on signal 15" in stop
