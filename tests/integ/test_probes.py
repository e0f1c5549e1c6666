"""The probes of `vigilctl check` (issue 14, point 3) and the termination
log (point 7): what a Kubernetes liveness, readiness and startup probe
sees, and what /dev/termination-log says once vigil has ended."""
import json
import os
import signal
import time

from harness import status_json, stop_vigil, unit_of, unit_text, wait_until


def sub_of(vigil, name):
    r = vigil.ctl("status", "--json")
    if r.returncode != 0:
        return None
    return unit_of(json.loads(r.stdout), name)["sub"]


def listening(run, vigil):
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")


def probe(vigil, *args):
    r = vigil.ctl("check", *args)
    return r.returncode, (r.stdout + r.stderr).strip()


def gated_notify(units, gate):
    """A Type=notify unit's script: READY=1 once gate exists, then stays."""
    return units.script("notify", f"""
        import os, socket, time
        while not os.path.exists({gate!r}):
            time.sleep(0.02)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        a = os.environ["NOTIFY_SOCKET"]
        s.connect("\\0" + a[1:] if a.startswith("@") else a)
        s.send(b"READY=1")
        time.sleep(1000)
        """, interpreter="/usr/bin/python3")


# ---------------------------------------------------------------- --live

def test_live_passes_while_a_unit_waits_out_restart_sec(vigil, units):
    units.add("flap", unit_text("[Service]", "ExecStart=/bin/sh -c 'sleep 0.2; exit 1'", "Restart=always",
                                "RestartSec=4"))
    units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: sub_of(vigil, "flap.service") == "auto-restart", "flap to wait out RestartSec=")
    code, text = probe(vigil)
    assert code == 1 and "flap.service" in text and "waiting to restart" in text, text
    code, text = probe(vigil, "--live")
    assert code == 0 and text == "live", text
    assert sub_of(vigil, "flap.service") == "auto-restart", "still in the wait: the probe saw it there"
    stop_vigil(run)


def test_live_fails_for_a_unit_failed_for_good(vigil, units):
    units.add("once", unit_text("[Service]", "ExecStart=/bin/sh -c 'sleep 0.3; exit 1'", "Restart=no"))
    units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start()
    listening(run, vigil)
    code, text = probe(vigil, "--live")
    assert code == 0, text
    wait_until(run, lambda: sub_of(vigil, "once.service") == "failed", "once to fail")
    code, text = probe(vigil, "--live")
    assert code == 1, text
    assert "once.service" in text and "failed for good" in text and "exit-code" in text, text
    assert len(text.splitlines()) == 1, "one line saying why"
    stop_vigil(run)


def test_live_fails_once_the_start_limit_is_hit(vigil, units):
    units.add("burst", unit_text("[Service]", "ExecStart=/bin/false", "Restart=always", "RestartSec=0.1",
                                 "StartLimitBurst=3", "StartLimitIntervalSec=30"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: sub_of(vigil, "burst.service") == "failed", "the start limit to be hit", timeout=10)
    assert unit_of(status_json(vigil), "burst.service")["restarts"] >= 2, "it was restarting before the limit"
    code, text = probe(vigil, "--live")
    assert code == 1 and "burst.service" in text and "failed for good" in text, text
    time.sleep(0.5)
    assert sub_of(vigil, "burst.service") == "failed", "no restart is coming"
    stop_vigil(run)


# ---------------------------------------------------------------- --ready

def test_ready_waits_for_a_notify_unit(vigil, units):
    gate = units.file("gate")
    units.add("n", unit_text("[Service]", "Type=notify", f"ExecStart={gated_notify(units, gate)}",
                             "TimeoutStartSec=60"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: sub_of(vigil, "n.service") == "start", "n to be spawned")
    code, text = probe(vigil, "--ready")
    assert code == 1 and "n.service" in text, text
    code, text = probe(vigil, "--live")
    assert code == 0, "starting is live: " + text
    open(gate, "w").close()
    wait_until(run, lambda: probe(vigil, "--ready")[0] == 0, "--ready to pass once READY=1 came")
    assert probe(vigil, "--ready")[1] == "ready"
    stop_vigil(run)


def test_ready_fails_once_the_stop_began(vigil, units):
    trapped = units.file("trapped")
    slow = units.script("slow", f"""
        trap 'sleep 6; exit 0' TERM
        touch {trapped}
        while :; do sleep 0.05; done
        """)
    units.add("slow", unit_text("[Service]", f"ExecStart={slow}", "TimeoutStopSec=20"))
    run = units.start()
    listening(run, vigil)
    wait_until(run, lambda: probe(vigil, "--ready")[0] == 0, "--ready to pass")
    wait_until(run, lambda: os.path.exists(trapped), "the unit's SIGTERM trap to be set")
    run.signal(signal.SIGTERM)
    wait_until(run, lambda: sub_of(vigil, "slow.service") not in (None, "running"), "the stop to begin")
    code, text = probe(vigil, "--ready")
    assert code == 1 and "stopping" in text, text
    code, text = probe(vigil, "--live")
    assert code == 0, "a stop under way is still live: " + text
    assert run.running(), "the unit was still stopping while the probes ran"
    assert run.wait(30) == 0, run.stderr


def test_ready_fails_once_sigterm_reached_the_main_command(vigil, units):
    units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    trapped = units.file("trapped")
    cmd = units.script("cmd", f"""
        trap 'sleep 6; exit 0' TERM
        touch {trapped}
        while :; do sleep 0.05; done
        """)
    run = units.start("--termination-log", vigil.path("termination-log"), cmd=[cmd])
    listening(run, vigil)
    wait_until(run, lambda: probe(vigil, "--ready")[0] == 0, "--ready to pass")
    wait_until(run, lambda: os.path.exists(trapped), "the main command's SIGTERM trap to be set")
    run.signal(signal.SIGTERM)
    wait_until(run, lambda: probe(vigil, "--ready")[0] == 1, "--ready to fail once SIGTERM was forwarded")
    code, text = probe(vigil, "--ready")
    assert "stopping" in text, text
    assert sub_of(vigil, "calm.service") == "running", "the units still run while the main command stops"
    assert probe(vigil, "--live")[0] == 0
    assert run.wait(30) == 0, run.stderr
    with open(vigil.path("termination-log")) as f:
        text = f.read()
    assert text.startswith(f"main command {cmd} exited with status 0 (after SIGTERM from "), text


# ---------------------------------------------------------------- --startup

def test_startup_waits_for_a_slow_notify_unit(vigil, units):
    gate = units.file("gate")
    units.add("n", unit_text("[Service]", "Type=notify", f"ExecStart={gated_notify(units, gate)}",
                             "TimeoutStartSec=60"))
    cmd = units.script("cmd", "exec sleep 1000")
    run = units.start(cmd=[cmd])
    listening(run, vigil)
    wait_until(run, lambda: sub_of(vigil, "n.service") == "start", "n to be spawned")
    time.sleep(0.3)
    code, text = probe(vigil, "--startup")
    assert code == 1 and "n.service" in text and "starting" in text, text
    open(gate, "w").close()
    wait_until(run, lambda: probe(vigil, "--startup")[0] == 0, "--startup to pass once n is ready")
    assert probe(vigil, "--startup")[1] == "started"
    # Latched: a later failure of a unit does not make the boot unfinished.
    run.signal(signal.SIGTERM)
    assert run.wait(30) == 128 + signal.SIGTERM, run.stderr


def test_unknown_probe_is_a_usage_error(vigil, units):
    units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start()
    listening(run, vigil)
    code, text = probe(vigil, "--bogus")
    assert code == 2 and "unknown probe" in text, text
    # The plain check of old clients: no argument on the wire, its meaning unchanged.
    wait_until(run, lambda: probe(vigil)[0] == 0, "plain check to pass")
    assert probe(vigil)[1] == "healthy"
    stop_vigil(run)


# ---------------------------------------------------------------- --termination-log

def termination_log(vigil):
    path = vigil.path("termination-log")
    with open(path) as f:
        return path, f.read()


def test_termination_log_says_the_main_command_exited(vigil):
    path = vigil.path("termination-log")
    run = vigil.run("--termination-log", path, "--", "/bin/sh", "-c", "exit 3")
    assert run.returncode == 3, run.stderr
    _, text = termination_log(vigil)
    assert text == "main command /bin/sh exited with status 3 (vigil exit status 3)\n", text


def test_termination_log_says_sigterm_from_outside(vigil, units):
    units.add("calm", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start("--termination-log", vigil.path("termination-log"))
    listening(run, vigil)
    stop_vigil(run)
    _, text = termination_log(vigil)
    assert text.startswith("SIGTERM from ") and text.endswith(" (vigil exit status 0)\n"), text
    assert len(text.splitlines()) == 1


def test_termination_log_says_the_signal_forwarded_to_the_main_command(vigil):
    run = vigil.start("--termination-log", vigil.path("termination-log"), "--", "/bin/sleep", "1000")
    run.main_pid("sleep")
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 128 + signal.SIGTERM, run.stderr
    _, text = termination_log(vigil)
    assert text.startswith("main command /bin/sleep was killed by SIGTERM (forwarded: SIGTERM from "), text
    assert text.endswith(" (vigil exit status 143)\n"), text


def test_termination_log_names_a_unit_failure_action(vigil, units):
    units.add("bad", unit_text("[Service]", "ExecStart=/bin/sh -c 'sleep 0.2; exit 1'", "FailureAction=exit",
                               "SuccessAction=none"))
    run = units.start("--termination-log", vigil.path("termination-log"), cmd=["/bin/sleep", "1000"])
    status = run.wait(20)
    assert status != 0, run.stderr
    _, text = termination_log(vigil)
    assert "FailureAction=exit of bad.service (result exit-code)" in text, text
    assert text.endswith(f" (vigil exit status {status})\n"), text


def test_termination_log_stays_within_4_kib(vigil, units):
    name = "u" * 240
    units.add(name, unit_text("[Service]", "ExecStart=/bin/sh -c 'exit 7'", "FailureAction=exit"))
    path = vigil.path("termination-log")
    with open(path, "w") as f:
        f.write("x" * 10000)   # an old, longer message: replaced, not overwritten in part
    run = units.start("--termination-log", path, cmd=["/bin/sleep", "1000"])
    run.wait(20)
    _, text = termination_log(vigil)
    assert len(text.encode()) < 4096, len(text)
    assert f"{name}.service" in text and text.endswith(")\n") and "x" not in text.replace("exit", ""), text


def test_termination_log_off_and_not_writable(vigil):
    # '' turns it off: nothing is created.
    off = vigil.path("off-log")
    run = vigil.run("--termination-log", "", "--", "/bin/true")
    assert run.returncode == 0 and not os.path.exists(off), run.stderr
    # A path in a directory that does not exist: one warning, vigil's exit status unchanged.
    missing = vigil.path("no/such/dir/termination-log")
    run = vigil.run("--termination-log", missing, "--", "/bin/sh", "-c", "exit 4")
    assert run.returncode == 4, run.stderr
    lines = [line for line in run.stderr.splitlines() if "termination log" in line]
    assert len(lines) == 1 and missing in lines[0], run.stderr


def test_termination_log_not_written_when_not_writable(vigil, public_units):
    # vigil as a uid that may not write the file (root's, mode 0644): the
    # file is left as it was, one warning, vigil's exit status unchanged.
    uid = 12350 + (0 if vigil.mode == "subreaper" else 1)
    path = public_units.root / "termination-log"
    path.write_text("old\n")
    path.chmod(0o644)
    run = vigil.start("--termination-log", str(path), "--", "/bin/sh", "-c", "exit 5", user=uid,
                      unset=("VIGIL_RUNTIME_DIR", "HOME", "XDG_RUNTIME_DIR"))
    assert run.wait(20) == 5, run.stderr
    assert path.read_text() == "old\n"
    lines = [line for line in run.stderr.splitlines() if "termination log" in line]
    assert len(lines) == 1 and "Permission denied" in lines[0], run.stderr
