"""System mode on the host (SPEC §2, §3, §7; issue 6), under ASan as well.

vigil runs with --system as PID 1 of its own PID, mount and UTS namespaces
(Harness mode "system"): its mounts and hostname stay inside, and reboot(2)
in a PID namespace ends the namespace's init with SIGHUP (restart) or SIGINT
(halt, power-off) instead of the machine, so the exit status of vigil tells
which reboot(2) it made. The real machine (mounts of /proc, unmounting,
the kernel's own reboot) is proven by booting a kernel under QEMU
(tests/qemu).
"""
import os
import pathlib
import re
import signal
import time

import pytest

from harness import POWER, RESTART, Units, ended_by, public_dir, remove_public_dir, wait_for





def lines_in_order(text, *patterns):
    """Every pattern matches a line of text, in this order."""
    pos = 0
    for p in patterns:
        m = re.compile(p, re.M).search(text, pos)
        assert m, f"no line matching {p!r} after offset {pos} in:\n{text}"
        pos = m.end()


@pytest.mark.parametrize("sig,end,word", [
    (signal.SIGTERM, RESTART, "reboot"), (signal.SIGINT, RESTART, "reboot"),
    (signal.SIGUSR1, POWER, "halt"), (signal.SIGPWR, POWER, "halt"), (signal.SIGUSR2, POWER, "poweroff"),
], ids=["TERM-reboot", "INT-reboot", "USR1-halt", "PWR-halt", "USR2-poweroff"])
def test_signals_to_pid1_are_requests_never_forwarded(sysv, sig, end, word):
    u = Units(sysv)
    got = u.file("got")
    main = u.script("main", f"""
        for s in HUP INT USR1 USR2 PWR; do trap "echo $s >> {got}" $s; done
        trap "echo TERM >> {got}; exit 0" TERM
        echo up >> {got}
        while :; do sleep 0.05; done
    """)
    run = sysv.start("--", main)
    wait_for(lambda: os.path.exists(got), what="the main command")
    run.wait_signals_ready()
    run.signal(sig)
    ended_by(run, end)
    # The test is outside vigil's PID namespace: the kernel gives no pid.
    assert f"shutting down ({word}): {sig.name} from outside vigil's PID namespace" in run.stderr, run.stderr
    # The main command was asked to stop (SIGTERM), and got nothing else.
    assert pathlib.Path(got).read_text().split() == ["up", "TERM"], run.stderr
    assert "system mode (--system)" in run.stderr


def test_first_request_wins(sysv):
    u = Units(sysv)
    u.add("slow", f"""
        [Service]
        ExecStart={u.script("slow", f"trap 'sleep 1; exit 0' TERM; touch {u.file('trapped')}; "
                                    "while :; do sleep 0.05; done")}
    """)
    run = u.start("-v")
    # Its shell handles SIGTERM only once the trap ran, not from its fork.
    wait_for(lambda: os.path.exists(u.file("trapped")), what="the unit's SIGTERM trap")
    run.wait_signals_ready()
    run.signal(signal.SIGUSR2)
    wait_for(lambda: "shutting down (poweroff)" in run.stderr, what="the shutdown")
    run.signal(signal.SIGTERM)
    ended_by(run, POWER)
    assert "ignoring SIGTERM from outside" in run.stderr and "already shutting down (poweroff)" in run.stderr, run.stderr


def test_main_exit_runs_the_on_exit_action_with_an_ordered_stop_and_a_report(sysv):
    """--on-exit: units stop in reverse After= order, --run-on-exit runs after them, the report tells why."""
    u = Units(sysv)
    log = u.file("log")
    for name, after in (("a", ""), ("b", "After=a.service"), ("c", "After=b.service")):
        u.add(name, f"""
            [Unit]
            {after}
            [Service]
            ExecStartPre={u.script("pre-" + name, f"echo start-{name} >> {log}")}
            ExecStart={u.script(name, f"trap 'echo stop-{name} >> {log}; exit 0' TERM; "
                                      f"touch {u.file('trapped-' + name)}; while :; do sleep 0.05; done")}
        """)
    report = sysv.path("report")
    hook = u.script("hook", f"echo run-on-exit >> {log}")
    # The main command exits once every unit's SIGTERM trap is set (not just forked).
    trapped = " ".join(u.file("trapped-" + n) for n in "abc")
    main = u.script("main", f"for f in {trapped}; do while [ ! -e $f ]; do sleep 0.02; done; done; "
                            f"echo main-exits >> {log}; exit 3")
    run = u.start("--on-exit", "poweroff", "--shutdown-report", report, "--run-on-exit", hook, cmd=[main])
    ended_by(run, POWER)
    assert pathlib.Path(log).read_text().split() == [
        "start-a", "start-b", "start-c", "main-exits", "stop-c", "stop-b", "stop-a", "run-on-exit"], run.stderr
    lines_in_order(run.stderr, r"shutting down \(poweroff\): main command \S*main exited with status 3",
                   r"--run-on-exit exited with status 0", r"wrote shutdown report", r"syncing file systems",
                   r"^vigil: powering off$")
    text = pathlib.Path(report).read_text()
    assert re.search(r"^action: poweroff$", text, re.M), text
    assert re.search(r"^reason: main command \S*main exited with status 3$", text, re.M), text
    lines_in_order(text, r"^timeline:$", r"\+\d+\.\d{3} s shutdown requested", r"units stopped",
                   r"--run-on-exit exited with status 0", r"no processes left", r"report written")


def test_the_previous_report_is_logged_and_shown_at_the_next_boot(sysv):
    report = pathlib.Path(sysv.path("report"))
    report.write_text("# vigil shutdown report\naction: halt\nreason: SIGUSR1 from pid 42\ntimeline:\n")
    u = Units(sysv)
    u.add("idle", f"""
        [Service]
        ExecStart={u.script("idle", "while :; do sleep 1; done")}
    """)
    run = u.start("--shutdown-report", str(report))
    wait_for(lambda: "previous shutdown:" in run.stderr, what="the previous report")
    assert "previous shutdown: halt: SIGUSR1 from pid 42" in run.stderr
    out = sysv.ctl("status")
    assert "previous shutdown: halt: SIGUSR1 from pid 42" in out.stdout, out
    out = sysv.ctl("status", "--json")
    assert '"previous_shutdown":{"action":"halt","reason":"SIGUSR1 from pid 42"}' in out.stdout, out
    run.signal(signal.SIGUSR2)
    ended_by(run, POWER)
    assert "reason: SIGUSR2 from outside" in report.read_text()


@pytest.mark.parametrize("verb,end,word", [("reboot", RESTART, "reboot"), ("poweroff", POWER, "poweroff"),
                                           ("halt", POWER, "halt")])
def test_vigilctl_reboot_poweroff_halt(sysv, verb, end, word):
    u = Units(sysv)
    u.add("idle", f"""
        [Service]
        ExecStart={u.script("idle", "while :; do sleep 1; done")}
    """)
    run = u.start()
    wait_for(lambda: os.path.exists(os.path.join(sysv.runtime, "control")), what="the control socket")
    out = sysv.ctl(verb)
    assert out.returncode == 0, out
    ended_by(run, end)
    assert re.search(rf"shutting down \({word}\): vigilctl {verb} \(pid \d+, uid 0\)", run.stderr), run.stderr


def test_vigilctl_reboot_argument_is_chosen_over_reboot_param(sysv):
    """vigilctl reboot ARG: its words, one space between them, are reboot(2)'s
    RESTART2 argument, over /run/reboot-param (the namespace's reboot(2) takes
    RESTART2 as a restart: SIGHUP; QEMU's test_devices sees the kernel use it)."""
    u = Units(sysv)
    u.add("idle", f"""
        [Service]
        ExecStart={u.script("idle", "while :; do sleep 1; done")}
    """)
    run = u.start()
    wait_for(lambda: os.path.exists(os.path.join(sysv.runtime, "control")), what="the control socket")
    out = sysv.ctl("reboot", "0  tryboot", "x" * 300)
    assert out.returncode == 2 and "longer than 255" in out.stderr, out   # refused, nothing stops
    out = sysv.ctl("reboot", "0  tryboot")
    assert out.returncode == 0, out
    ended_by(run, RESTART)
    assert "reboot argument '0 tryboot' (from vigilctl reboot)" in run.stderr, run.stderr


def test_a_units_failure_action_reboots(sysv):
    u = Units(sysv)
    u.add("crash", f"""
        [Unit]
        FailureAction=reboot
        [Service]
        ExecStart={u.script("crash", "sleep 0.2; exit 7")}
    """)
    run = u.start()
    ended_by(run, RESTART)
    assert "shutting down (reboot): FailureAction=reboot of crash.service (result exit-code)" in run.stderr, run.stderr


def test_a_unit_that_ignores_sigterm_is_killed_within_its_timeout(sysv):
    u = Units(sysv)
    u.add("stubborn", f"""
        [Service]
        TimeoutStopSec=1
        ExecStart={u.script("stubborn", f"trap '' TERM; touch {sysv.path('trapped')}; while :; do sleep 0.05; done")}
    """)
    run = u.start()
    # Its shell ignores SIGTERM only once the trap ran, not from its fork.
    wait_for(lambda: os.path.exists(sysv.path("trapped")), what="the unit's SIGTERM trap")
    run.wait_signals_ready()
    t0 = time.monotonic()
    run.signal(signal.SIGUSR2)
    ended_by(run, POWER)
    took = time.monotonic() - t0
    assert 0.9 < took < 8, (took, run.stderr)


@pytest.mark.parametrize("how", ["missing", "not-executable"])
def test_a_main_command_that_cannot_run_leads_to_the_on_exit_action(sysv, how):
    path = sysv.path("nope")
    if how == "not-executable":
        pathlib.Path(path).write_text("#!/bin/sh\nexit 0\n")
    run = sysv.start("--", path)
    ended_by(run, RESTART)   # --on-exit reboot is the default
    code = 127 if how == "missing" else 126
    assert f"shutting down (reboot): main command {path} exited with status {code}" in run.stderr, run.stderr


def test_a_failing_pre_run_exec_runs_the_on_exit_action_and_starts_nothing(sysv):
    u = Units(sysv)
    started = u.file("started")
    u.add("app", f"""
        [Service]
        ExecStart={u.script("app", f"touch {started}; while :; do sleep 1; done")}
    """)
    run = u.start("--on-exit", "halt", "--pre-run-exec", "sh -c 'exit 4'", cmd=["sh", "-c", f"touch {started}"])
    ended_by(run, POWER)
    assert "--pre-run-exec failed with status 4" in run.stderr
    assert "shutting down (halt): --pre-run-exec failed with status 4" in run.stderr, run.stderr
    assert not os.path.exists(started)


def test_a_failing_startup_script_runs_the_on_exit_action(sysv):
    d = sysv.tmp / "startup"
    d.mkdir()
    (d / "10-fail").write_text("#!/bin/sh\nexit 5\n")
    (d / "10-fail").chmod(0o755)
    run = sysv.start("--startup-dir", d, "--on-exit", "poweroff", "--", "true")
    ended_by(run, POWER)
    assert "shutting down (poweroff): a start-up script failed with status 5" in run.stderr, run.stderr


def test_hang_waits_for_a_request(sysv):
    run = sysv.start("--on-exit", "hang", "--", "true")
    wait_for(lambda: "hanging (--on-exit hang)" in run.stderr, what="the hang")
    time.sleep(1)
    assert run.running(), run.stderr
    run.signal(signal.SIGUSR2)
    ended_by(run, POWER)
    assert "ending the hang with poweroff" in run.stderr, run.stderr


def test_mounts_hostname_and_the_main_commands_context(sysv):
    root = public_dir()   # the main command runs as nobody
    try:
        run_context_test(sysv, root)
    finally:
        remove_public_dir(root)


def run_context_test(sysv, root):
    out = root / "out"
    mnt = sysv.tmp / "mnt"
    report = out / "ctx"
    main = root / "bin" / "main"
    main.write_text(f"""#!/bin/sh
{{ echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "cwd=$(pwd)"; echo "foo=$FOO"; echo "host=$(hostname)"
   grep " {mnt} " /proc/self/mountinfo | head -1 | sed 's/^/mount=/'; }} > {report}
""")
    main.chmod(0o755)
    run = sysv.start("--hostname-pattern", "Board-%-.4s", "--uniqueid-exec", "echo serial0042XYZW",
                     "-m", f"tmpfs:{mnt}:tmpfs:nodev,noexec,rw:size=1m", "-m", f"tmpfs:{mnt}2:tmpfs:bogus:",
                     "--env", "FOO=bar baz", "--uid", "65534", "--gid", "65534", "--working-directory", str(out),
                     "--on-exit", "poweroff", "--", str(main))
    ended_by(run, POWER)
    ctx = dict(line.split("=", 1) for line in report.read_text().splitlines())
    assert ctx["uid"] == "65534" and ctx["gid"] == "65534" and ctx["cwd"] == str(out), (ctx, run.stderr)
    assert ctx["foo"] == "bar baz"
    assert ctx["host"] == "board-xyzw", run.stderr
    assert "hostname set to board-xyzw" in run.stderr
    mount = ctx["mount"]
    assert " tmpfs " in mount and "nodev" in mount and "noexec" in mount, mount
    assert f"--mount tmpfs:{mnt}2:tmpfs:bogus:: unknown mount flag: bogus" in run.stderr, run.stderr


def test_hostname_falls_back_to_the_machine_id_and_says_so(sysv):
    run = sysv.start("-v", "--hostname-pattern", "dev-%.6s", "--uniqueid-exec", "sh -c 'exit 1'",
                     "--on-exit", "poweroff", "--", "true")
    ended_by(run, POWER)
    assert "--uniqueid-exec sh: exited with status 1" in run.stderr, run.stderr
    mid = pathlib.Path("/etc/machine-id")
    if mid.exists() and mid.read_text().strip():
        assert "from /etc/machine-id" in run.stderr, run.stderr
        assert f"hostname set to dev-{mid.read_text().strip()[:6].lower()}" in run.stderr
    else:
        assert "from the fallback 00000000" in run.stderr, run.stderr
        assert "hostname set to dev-000000" in run.stderr
