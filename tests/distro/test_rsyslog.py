"""rsyslog as a Debian image installs it (issue 15, point 7): its unit
(Alias=syslog.service, Requires=syslog.socket) enabled, booted from the
systemd layout beside cron and sshd (conftest.booted_rsyslog). vigil
receives on /dev/log until rsyslog is up, then leaves the path to it:
rsyslog's imuxsock binds it, and the lines of logger(1) and sshd land in
rsyslog's files; cron's first line (at its start, maybe before rsyslog's)
is kept by one of them, never lost; on vigil's stop rsyslog stops cleanly."""
import os
import signal

RUNNING = ["rsyslog.service", "cron.service", "ssh.service"]


def status(b):
    out = b.run("vigilctl", "status").stdout.splitlines()[1:]
    return {f[0]: (f[1], f[2]) for f in (line.split() for line in out) if len(f) > 2}


def syslog_file(b, name="syslog"):
    return b.run("cat", f"/var/log/{name}").stdout


def test_rsyslog_gets_dev_log_and_the_lines_land_in_its_files(booted_rsyslog):
    b = booted_rsyslog
    b.wait_for("rsyslog, cron and sshd active",
               lambda: all(status(b).get(u, ("",))[0] == "active" for u in RUNNING), 60)
    log = b.log()
    assert "syslog: rsyslog.service is the syslog daemon (syslog.service): /dev/log is its once it is up" in log, log
    b.wait_for("the handover", lambda: "syslog: rsyslog.service is up: leaving /dev/log to it" in b.log(), 30)
    assert "rsyslog.service: Requires=syslog.socket is a unit type vigil does not run" in log, log
    r = b.run("logger", "-t", "vigiltest", "a line for rsyslog")
    assert r.returncode == 0, r.stderr
    b.wait_for("logger's line in /var/log/syslog", lambda: "vigiltest: a line for rsyslog" in syslog_file(b), 30)
    # cron's @reboot job (boot.sh) logs its CMD line through syslog(3) as
    # cron starts: vigil's (vigilctl log) if before rsyslog is up, else
    # rsyslog's; kept once either way.
    cmd = "CMD (sleep 3; echo cron-job-ran"
    b.wait_for("cron's CMD line kept", lambda: cmd in syslog_file(b) or cmd in b.run("vigilctl", "log", "cron").stdout,
               30)
    # sshd's lines (facility auth) go to auth.log; a keyscan makes some.
    b.run("ssh-keyscan", "-T", "5", "-t", "ed25519", "127.0.0.1")
    b.wait_for("sshd's line in /var/log/auth.log", lambda: "sshd[" in syslog_file(b, "auth.log"), 30)
    # (the job's `sleep 3` is cron's KillMode=process leftover until it ends)
    b.wait_for("the @reboot job's end", lambda: b.run("cat", "/var/tmp/cron-ran").stdout.strip(), 30)
    # Not vigil's: nothing of it in vigil's log of the sender.
    assert "a line for rsyslog" not in b.log()


def test_rsyslog_stops_cleanly_on_sigterm(booted_rsyslog):
    b = booted_rsyslog
    before = len(b.log())
    os.kill(b.pid, signal.SIGTERM)
    rc = b.proc.wait(timeout=60)
    stop = b.log()[before:]
    assert rc == 0, stop
    assert "SIGKILL" not in stop and "stop-sigkill" not in stop and "timed out" not in stop, stop
    for unit in RUNNING:
        assert any(line.startswith(f"vigil: {unit}: ") and line.endswith("-> dead") for line in stop.splitlines()), stop
