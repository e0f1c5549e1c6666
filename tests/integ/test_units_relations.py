"""The last of issue 15's keys (point 6) with systemd's meaning, seen from
real processes: Conflicts= (both directions, and the boot's rule),
OnFailure=/OnSuccess= (a failure handler template `x@%n.service`, restarts
passing through failed as in systemd since 254), ExecCondition= (skip,
fail, the `-` prefix, its place before ExecStartPre=), StandardInput=tty*
with TTYPath= and TTYReset= on a pty. Bad values are refused at FILE:LINE."""
import json
import os
import pty
import select
import subprocess
import termios
import time
import tty

from harness import VIGILCTL, read_lines, status_json, stderr_lines, stop_vigil, unit_of, unit_text, wait_until


def state(vigil, name):
    r = vigil.ctl("status", "--json")
    if r.returncode != 0:
        return None, None   # not listening yet
    u = unit_of(json.loads(r.stdout), name)
    return u["sub"], u["result"]


def wait_state(run, vigil, name, sub, what=None, timeout=5.0):
    wait_until(run, lambda: state(vigil, name)[0] == sub, what or f"{name} to be {sub}", timeout=timeout)


def test_conflicts_stop_the_other_unit_in_both_directions(units, vigil):
    sleeper = "ExecStart=/bin/sleep 100"
    units.add("a", unit_text("[Unit]", "Conflicts=b.service", "[Service]", sleeper))
    units.add("b", unit_text("[Service]", sleeper))
    # Both name each other: the first by name starts at boot.
    units.add("c", unit_text("[Unit]", "Conflicts=d.service", "[Service]", sleeper))
    units.add("d", unit_text("[Unit]", "Conflicts=c.service", "[Service]", sleeper))
    run = units.start()
    wait_state(run, vigil, "a.service", "running")
    wait_state(run, vigil, "c.service", "running")
    assert state(vigil, "b.service")[0] == "dead" and state(vigil, "d.service")[0] == "dead"
    assert stderr_lines(run, "b.service", "not started at boot", "a.service conflicts")
    # B names nobody, yet starting it stops A (the other direction of A's Conflicts=).
    assert vigil.ctl("start", "b").returncode == 0
    wait_state(run, vigil, "b.service", "running")
    wait_state(run, vigil, "a.service", "dead", "a.service to be stopped by b's start")
    assert stderr_lines(run, "a.service: stopping, b.service conflicts with it")
    assert vigil.ctl("start", "a").returncode == 0
    wait_state(run, vigil, "a.service", "running")
    wait_state(run, vigil, "b.service", "dead", "b.service to be stopped by a's start")
    assert state(vigil, "a.service")[1] == "success" and state(vigil, "b.service")[1] == "success"
    stop_vigil(run)


def test_on_failure_starts_a_template_instance_named_by_the_failed_unit(units, vigil):
    log = units.file("handled")
    units.add("notify@", unit_text("[Service]", "Type=oneshot", f"ExecStart=/bin/sh -c 'echo %i >> {log}'"))
    units.add("once", unit_text("[Unit]", "OnFailure=notify@%n.service", "[Service]", "ExecStart=/bin/sh -c 'exit 3'"))
    units.add("looping", unit_text(
        "[Unit]", "OnFailure=notify@%N.service", "StartLimitBurst=3", "StartLimitIntervalSec=60",
        "[Service]", "ExecStart=/bin/sh -c 'exit 4'", "Restart=on-failure", "RestartSec=400ms"))
    run = units.start()
    wait_state(run, vigil, "looping.service", "failed", timeout=10)
    wait_until(run, lambda: "once.service" in read_lines(log), "the handler of once.service")
    assert state(vigil, "once.service") == ("failed", "exit-code")
    assert state(vigil, "notify@once.service.service")[0] == "dead"
    # systemd >= 254 (RestartMode=normal): each failure passes through failed
    # before the restart, and the start limit hit is one more.
    wait_until(run, lambda: read_lines(log).count("looping") >= 3, "the handler after each failure of looping")
    time.sleep(0.5)
    lines = read_lines(log)
    assert lines.count("once.service") == 1, lines
    assert 3 <= lines.count("looping") <= 4, lines
    assert state(vigil, "looping.service")[1] == "start-limit-hit"
    stop_vigil(run)


def test_a_handler_template_instance_started_restarted_stopped_by_request(units, vigil):
    log = units.file("instances")
    units.add("notify@", unit_text("[Service]", f"ExecStart=/bin/sh -c 'echo %i:$$$$ >> {log}; exec sleep 100'"))
    run = units.start()
    name = "notify@web.service.service"   # what OnFailure=notify@%n.service names for web.service
    wait_until(run, lambda: vigil.ctl("status").returncode == 0, "the control socket")
    assert vigil.ctl("start", name).returncode == 0
    wait_until(run, lambda: len(read_lines(log)) == 1, "the instance's first line")   # its shell is past the echo
    assert vigil.ctl("restart", name).returncode == 0
    wait_until(run, lambda: len(read_lines(log)) == 2, f"the restarted instance ({read_lines(log)})")
    first, second = read_lines(log)
    assert first.startswith("web.service:") and second.startswith("web.service:") and first != second, (first, second)
    assert vigil.ctl("stop", name).returncode == 0
    wait_state(run, vigil, name, "dead")
    stop_vigil(run)


def test_on_success_after_a_clean_exit_and_a_stop_not_after_a_failure(units, vigil):
    log = units.file("after")
    units.add("after@", unit_text("[Service]", "Type=oneshot", f"ExecStart=/bin/sh -c 'echo %i >> {log}'"))
    units.add("job", unit_text("[Unit]", "OnSuccess=after@job.service", "OnFailure=after@job-failed.service",
                               "[Service]", "Type=oneshot", "ExecStart=/bin/true"))
    units.add("daemon", unit_text("[Unit]", "OnSuccess=after@daemon.service", "[Service]", "ExecStart=/bin/sleep 100"))
    units.add("bad", unit_text("[Unit]", "OnSuccess=after@bad.service", "[Service]", "ExecStart=/bin/false"))
    run = units.start()
    wait_until(run, lambda: "job" in read_lines(log), "OnSuccess= of job.service")
    wait_state(run, vigil, "bad.service", "failed")
    wait_state(run, vigil, "daemon.service", "running")
    assert vigil.ctl("stop", "daemon").returncode == 0
    wait_until(run, lambda: "daemon" in read_lines(log), "OnSuccess= of daemon.service after its stop")
    time.sleep(0.3)
    assert sorted(read_lines(log)) == ["daemon", "job"], read_lines(log)
    stop_vigil(run)


def test_exec_condition_skips_fails_or_goes_on(units, vigil):
    order = units.file("order")
    def exec_unit(name, condition, extra=()):
        return units.add(name, unit_text(
            "[Unit]", f"OnFailure=handler@{name}.service",
            "[Service]", f"ExecCondition={condition}",
            f"ExecCondition=/bin/sh -c 'echo {name}:condition >> {order}'",
            f"ExecStartPre=/bin/sh -c 'echo {name}:pre >> {order}'",
            f"ExecStart=/bin/sh -c 'echo {name}:main >> {order}; exec sleep 100'", *extra))
    units.add("handler@", unit_text("[Service]", "Type=oneshot", f"ExecStart=/bin/sh -c 'echo handler:%i >> {order}'"))
    exec_unit("go", "/bin/true")
    exec_unit("skip", "/bin/sh -c 'exit 1'", ("Restart=always", "RestartSec=100ms"))
    exec_unit("skip254", "/bin/sh -c 'exit 254'")
    exec_unit("fail", "/bin/sh -c 'exit 255'")
    exec_unit("killed", units.script("suicide", "kill -KILL $$\n"))
    exec_unit("ignored", "-/bin/sh -c 'exit 255'")
    run = units.start()
    wait_state(run, vigil, "go.service", "running")
    wait_state(run, vigil, "ignored.service", "running")
    wait_state(run, vigil, "fail.service", "failed")
    wait_state(run, vigil, "killed.service", "failed")
    wait_until(run, lambda: "handler:fail" in read_lines(order), "the failure handler")
    wait_until(run, lambda: {"go:main", "ignored:main"} <= set(read_lines(order)), "the main commands' lines")
    time.sleep(0.5)   # skip.service has Restart=always: it must not come back
    lines = read_lines(order)
    assert [l for l in lines if l.startswith("go:")] == ["go:condition", "go:pre", "go:main"], lines
    assert not [l for l in lines if l.startswith(("skip", "fail:", "killed:"))], lines
    assert "ignored:main" in lines
    for name in ("skip.service", "skip254.service"):
        u = unit_of(status_json(vigil), name)
        assert (u["active"], u["sub"], u["result"]) == ("inactive", "dead", "exec-condition"), u
        assert u["restarts"] == 0, u
    assert state(vigil, "fail.service") == ("failed", "exit-code")
    assert state(vigil, "killed.service") == ("failed", "signal")
    assert sorted(l for l in lines if l.startswith("handler:")) == ["handler:fail", "handler:killed"], lines
    assert stderr_lines(run, "skip.service", "skipped: ExecCondition= not met")
    systemctl = units.bin / "systemctl"
    os.symlink(VIGILCTL, systemctl)
    r = subprocess.run([str(systemctl), "show", "-p", "Result,ConditionResult,ActiveState", "skip.service"],
                       env=vigil.env(), capture_output=True, text=True, timeout=20)
    assert r.stdout.splitlines() == ["ActiveState=inactive", "Result=exec-condition", "ConditionResult=no"], r
    # By request it runs the condition again, and is skipped again.
    assert vigil.ctl("start", "skip").returncode == 0
    wait_state(run, vigil, "skip.service", "dead")
    stop_vigil(run)


def _read_until(fd, word, timeout=5.0):
    got, deadline = b"", time.monotonic() + timeout
    while word not in got and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                got += os.read(fd, 4096)
            except OSError:
                break
    return got


def test_standard_input_tty_on_a_pty(units, vigil):
    master, slave = pty.openpty()
    tty_path = os.ttyname(slave)
    os.close(slave)
    # A second terminal left raw (no echo, no line editing): TTYReset= makes it sane again.
    raw_master, raw_slave = pty.openpty()
    tty.setraw(raw_slave)
    assert not termios.tcgetattr(raw_slave)[3] & (termios.ICANON | termios.ECHO)
    reset_out = units.file("reset")
    units.add("reset", unit_text("[Service]", f"ExecStart=/bin/sh -c 'touch {reset_out}; exec sleep 100'",
                                 "StandardInput=tty", f"TTYPath={os.ttyname(raw_slave)}", "TTYReset=yes"))
    out = units.file("tty")
    body = f"""
        ctty=$(awk '{{print $7}}' /proc/$$/stat)
        echo "stdin=$(readlink /proc/$$/fd/0) stdout=$(readlink /proc/$$/fd/1) ctty=$ctty" > {out}.tmp
        mv {out}.tmp {out}
        echo prompt
        read line
        echo "got:$line" >> {out}
        exec sleep 100
        """
    units.add("console", unit_text("[Service]", f"ExecStart={units.script('console', body)}", "StandardInput=tty",
                                   f"TTYPath={tty_path}"))
    units.add("strict", unit_text("[Service]", "ExecStart=/bin/sleep 100", "StandardInput=tty-fail",
                                  "TTYPath=/dev/null"))
    units.add("lenient", unit_text("[Service]", "ExecStart=/bin/sleep 100", "StandardInput=tty",
                                   "TTYPath=/dev/null", "StandardOutput=null"))
    run = units.start()
    try:
        wait_until(run, lambda: read_lines(out), "the unit on the terminal")
        fields = dict(f.split("=", 1) for f in read_lines(out)[0].split())
        assert fields["stdin"] == tty_path and fields["stdout"] == tty_path, fields
        assert fields["ctty"] != "0", "the terminal is the unit's controlling terminal"
        assert b"prompt" in _read_until(master, b"prompt"), "stdout goes to the terminal (systemd's inherit)"
        os.write(master, b"hello\n")
        wait_until(run, lambda: "got:hello" in read_lines(out), "the line typed on the terminal")
        wait_until(run, lambda: os.path.exists(reset_out), "the unit on the raw terminal")
        lflag = termios.tcgetattr(raw_slave)[3]
        assert lflag & termios.ICANON and lflag & termios.ECHO, "TTYReset= gives canonical input with echo"
        wait_state(run, vigil, "strict.service", "failed")
        wait_state(run, vigil, "lenient.service", "running")
        stop_vigil(run)
    finally:
        for fd in (master, raw_master, raw_slave):
            os.close(fd)


def test_bad_values_are_refused_at_file_and_line(units, vigil):
    units.add("good", unit_text("[Service]", "ExecStart=/bin/sleep 100"))
    bad = {
        "cond": ('ExecCondition=/bin/sh -c "exit 1', "ExecCondition="),
        "stdin": ("StandardInput=keyboard", "StandardInput=keyboard"),
        "ttypath": ("TTYPath=tty1", "TTYPath=tty1"),
    }
    paths = {n: units.add(n, unit_text("[Service]", "ExecStart=/bin/sleep 100", line)) for n, (line, _) in bad.items()}
    warned = units.add("warned", unit_text("[Unit]", "OnFailure=not/a/unit", "Conflicts=nonsense",
                                           "[Service]", "ExecStart=/bin/sleep 100"))
    run = units.start()
    wait_state(run, vigil, "good.service", "running")
    names = {u["name"] for u in status_json(vigil)["units"]}
    for n, (_, key) in bad.items():
        assert f"{n}.service" not in names
        assert stderr_lines(run, f"{paths[n]}:3", key), run.stderr
    assert "warned.service" in names, "a bad unit name in a list is a warning, as in systemd"
    assert stderr_lines(run, f"{warned}:2", "not/a/unit", "not a valid unit name")
    assert stderr_lines(run, f"{warned}:3", "nonsense", "not a valid unit name")
    stop_vigil(run)
