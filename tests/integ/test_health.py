"""Health probes (issue 17, point 2): `[X-Vigil]` HealthExec=/HealthTCP=/
HealthHTTP= against real servers (python3's http.server, plain TCP
listeners). The timing rules themselves (interval from the end of the last
probe, start period, retries, no overlap) are proven to the microsecond in
tests/sim/test_health.c; here: that a real server's answer gates After=
and --wait-ready, that a server turned unhealthy is restarted after exactly
HealthRetries= failures (the server counts them), that a probe that hangs is
abandoned (TCP) or killed with its process group (exec) at HealthTimeout=,
that the exec probe runs as the unit's User= with its environment, that
vigilctl status/history/metrics show the results, and that bad settings are
refused with FILE:LINE."""
import json
import os
import socket
import time

import pytest

from harness import proc_stat, read_lines, status_json, stop_vigil, tagged_pids, unit_of, unit_text, wait_until


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_server(units, name, port, gate=None):
    """A python3 http.server that waits 1 s (or until the file gate exists) before it listens, writes
    out/NAME.listen (time) once it does, answers 500 while out/NAME.sick
    exists (else 200), logs every answer to out/NAME.log, and appends
    its start to out/NAME.starts."""
    out = units.file("") + "/"
    return units.script(name, f"""
        import http.server, os, signal, sys, time
        out = {out!r}
        with open(out + "{name}.starts", "a") as f:
            f.write(f"{{os.getpid()}}\\n")
        def term(*_):
            with open(out + "{name}.log", "a") as f:
                f.write("SIGTERM\\n")
            sys.exit(0)
        signal.signal(signal.SIGTERM, term)
        gate = {gate!r}
        if gate:
            while not os.path.exists(gate):
                time.sleep(0.02)
        else:
            time.sleep(1)
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                code = 500 if os.path.exists(out + "{name}.sick") else 200
                with open(out + "{name}.log", "a") as f:
                    f.write(f"{{code}} {{self.path}}\\n")
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok\\n" if code == 200 else b"sick\\n")
            def log_message(self, *a):
                pass
        s = http.server.HTTPServer(("127.0.0.1", {port}), H)
        with open(out + "{name}.listen", "w") as f:
            f.write(f"{{time.time()}}\\n")
        s.serve_forever()
        """, interpreter="/usr/bin/python3")


@pytest.mark.pid1_only
def test_http_probe_first_success_gates_after_and_the_main_command(vigil, units):
    port = free_port()
    gate = units.file("gate")
    web = http_server(units, "web", port, gate)
    units.add("web", unit_text("[Service]", f"ExecStart={web}", "[X-Vigil]",
                               f"HealthHTTP=http://127.0.0.1:{port}/healthz", "HealthInterval=200ms",
                               "HealthTimeout=2s", "HealthRetries=100"))
    stamp = units.script("stamp", f"date +%s.%N > {units.file('after.start')}; exec sleep 1000")
    units.add("after", unit_text("[Unit]", "After=web.service", "[Service]", f"ExecStart={stamp}"))
    cmd = units.script("cmd", f"date +%s.%N > {units.file('cmd.start')}; exec sleep 1000")
    run = units.start("-v", "--wait-ready", cmd=[cmd])
    wait_until(run, lambda: "web.service: health probe failed (2 of" in run.stderr, "two failed probes")
    r = vigil.ctl("check", "--ready")
    assert r.returncode == 1, "not ready: the main command waits for web's first success"
    u = unit_of(status_json(vigil), "web.service")
    assert (u["sub"], u["ready"], u["health"]) == ("start", False, "failing"), u
    assert not read_lines(units.file("after.start")) and not read_lines(units.file("cmd.start"))
    with open(gate, "w"):
        pass
    # after.service and the main command both start at web's first success, in no set order.
    wait_until(run, lambda: read_lines(units.file("cmd.start")) and read_lines(units.file("after.start")),
               "the main command and after.service", timeout=15)
    listen = float(read_lines(units.file("web.listen"))[0])
    after = float(read_lines(units.file("after.start"))[0])
    main = float(read_lines(units.file("cmd.start"))[0])
    assert after >= listen and main >= listen, (listen, after, main)
    assert "200 /healthz" in read_lines(units.file("web.log")), "the probe's GET reached the server"
    assert "web.service: health probe failed (1 of HealthRetries=100): connect to 127.0.0.1" in run.stderr
    assert "web.service: health probe passed: ready (HTTP 200" in run.stderr
    assert vigil.ctl("check", "--ready").returncode == 0
    u = unit_of(status_json(vigil), "web.service")
    assert u["sub"] == "running" and u["ready"] is True and u["health"] == "healthy", u
    assert u["health_failures"] == 0
    run.signal(15)
    run.wait(20)


@pytest.mark.pid1_only
def test_unhealthy_server_is_restarted_after_exactly_the_retries(vigil, units):
    port = free_port()
    web = http_server(units, "web", port)
    units.add("web", unit_text("[Service]", f"ExecStart={web}", "Restart=on-watchdog", "RestartSec=300ms",
                               "[X-Vigil]", f"HealthHTTP={port}/", "HealthInterval=200ms", "HealthTimeout=2s",
                               "HealthStartPeriod=10s", "HealthStartInterval=200ms", "HealthRetries=3"))
    run = units.start("-v")
    wait_until(run, lambda: "web.service: start -> running" in run.stderr, "web to be ready", timeout=15)
    with open(units.file("web.sick"), "w"):
        pass
    wait_until(run, lambda: len(read_lines(units.file("web.starts"))) == 2, "the restart", timeout=15)
    log = read_lines(units.file("web.log"))
    first_run = log[:log.index("SIGTERM")]
    sick = len(first_run) - first_run.index("500 /")
    assert sick == 3 and all(line == "500 /" for line in first_run[-3:]), log
    assert "unhealthy: 3 health probe failures in a row (HealthRetries=3), last: HTTP 500" in run.stderr
    assert "result watchdog, restarting" in run.stderr
    os.unlink(units.file("web.sick"))
    wait_until(run, lambda: unit_of(status_json(vigil), "web.service")["health"] == "healthy", "healthy again",
               timeout=15)
    r = vigil.ctl("history", "web", "--json")
    exits = json.loads(r.stdout)["exits"]
    assert exits[0]["cause"] == "watchdog" and exits[0]["health"] == "unhealthy", exits
    m = vigil.ctl("metrics").stdout
    assert 'vigil_unit_healthy{unit="web.service"} 1' in m
    failed = [l for l in m.splitlines() if l.startswith('vigil_unit_health_probe_failures_total{unit="web.service"}')]
    assert failed and int(failed[0].split()[-1]) >= 3, m
    stop_vigil(run)


@pytest.mark.pid1_only
def test_http_probe_to_a_server_that_never_answers_is_abandoned_at_the_timeout(vigil, units):
    port = free_port()
    mute = units.script("mute", f"""
        import socket, time
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", {port}))
        s.listen(16)
        conns = []
        while True:
            c, _ = s.accept()           # accepts, reads the GET, never answers
            with open({units.file("mute.log")!r}, "a") as f:
                f.write(f"accept {{time.monotonic()}}\\n")
            conns.append(c)
            for old in conns[:]:
                old.setblocking(False)
                try:
                    if old.recv(4096) == b"":
                        conns.remove(old)
                        with open({units.file("mute.log")!r}, "a") as f:
                            f.write(f"closed {{time.monotonic()}}\\n")
                except BlockingIOError:
                    pass
        """, interpreter="/usr/bin/python3")
    units.add("mute", unit_text("[Service]", f"ExecStart={mute}", "[X-Vigil]", f"HealthHTTP=127.0.0.1:{port}/",
                                "HealthInterval=300ms", "HealthTimeout=700ms", "HealthRetries=3"))
    run = units.start()
    wait_until(run, lambda: "unhealthy: 3 health probe failures" in run.stderr, "the retries to run out",
               timeout=15)
    fails = [l for l in run.stderr.splitlines() if "mute.service: health probe failed" in l or "unhealthy" in l]
    assert len(fails) == 3 and all("timed out after 700ms" in l for l in fails), fails
    accepts = [float(l.split()[1]) for l in read_lines(units.file("mute.log")) if l.startswith("accept")]
    assert len(accepts) == 3, "one connection per probe, never two at once"
    gaps = [b - a for a, b in zip(accepts, accepts[1:])]
    assert all(0.9 <= g <= 3.0 for g in gaps), f"timeout 0.7 s + interval 0.3 s between probes: {gaps}"
    stop_vigil(run)


@pytest.mark.pid1_only
def test_hanging_exec_probe_is_killed_with_its_group_at_the_timeout(vigil, units):
    # The probe ignores SIGTERM and leaves a helper in its group: both must go.
    probe = units.script("probe", f"""
        trap '' TERM
        sleep 1001 &
        touch {units.file("probe.started")}
        echo still thinking
        wait
        """)
    units.add("hang", unit_text("[Service]", "ExecStart=/bin/sleep 1000", "[X-Vigil]", f"HealthExec={probe}",
                                "HealthInterval=200ms", "HealthTimeout=600ms", "HealthRetries=10"))
    run = units.start()

    def probe_procs(helpers_only=False):
        found = []
        for pid in tagged_pids(vigil.tag):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
            except (FileNotFoundError, ProcessLookupError):
                continue
            st = proc_stat(pid)
            if st and st[0] not in "ZX" and (b"sleep\x001001" in cmd or (b"bin/probe" in cmd and not helpers_only)):
                found.append(pid)
        return found
    wait_until(run, lambda: os.path.exists(units.file("probe.started")), "the probe", timeout=10)
    wait_until(run, lambda: len(probe_procs(helpers_only=True)) == 1 and len(probe_procs()) >= 2,
               "the probe's shell and its helper", timeout=3)
    t0 = time.monotonic()
    wait_until(run, lambda: "health probe failed (1 of HealthRetries=10): timed out after 600ms: still thinking"
               in run.stderr, "the timeout", timeout=5)
    assert time.monotonic() - t0 < 3, "killed at HealthTimeout=600ms, not much later"
    os.unlink(units.file("probe.started"))
    # Killed with its group: at most the next probe's helper is alive, never two.
    for _ in range(20):
        assert len(probe_procs(helpers_only=True)) <= 1, "probes overlap, or the killed one's helper survived"
        time.sleep(0.05)
    u = unit_of(status_json(vigil), "hang.service")
    assert u["sub"] == "start" and u["ready"] is False and u["health_failures"] >= 1, u
    stop_vigil(run)


def test_exec_probe_runs_as_the_units_user_with_its_environment(vigil, public_units):
    units = public_units
    probe = units.script("probe", f'echo "$(id -u) $(id -g) $PROBE_VAR" > {units.file("probe.id")}; echo fine')
    units.add("svc", unit_text("[Service]", "ExecStart=/bin/sleep 1000", "User=nobody", "Group=nogroup",
                               "Environment=PROBE_VAR=from-the-unit", "[X-Vigil]", f"HealthExec={probe}",
                               "HealthInterval=100ms"))
    run = units.start()
    wait_until(run, lambda: read_lines(units.file("probe.id")), "the probe", timeout=10)
    uid, gid, var = read_lines(units.file("probe.id"))[0].split()
    assert (int(uid), var) == (65534, "from-the-unit"), (uid, gid, var)
    wait_until(run, lambda: unit_of(status_json(vigil), "svc.service")["health"] == "healthy", "healthy")
    assert unit_of(status_json(vigil), "svc.service")["health_output"] == "exit status 0: fine"
    r = vigil.ctl("status")
    assert "[healthy]" in r.stdout, r.stdout
    stop_vigil(run)


@pytest.mark.pid1_only
def test_bad_probe_settings_are_refused_with_file_and_line(vigil, units):
    path = units.add("bad", unit_text("[Service]", "ExecStart=/bin/sleep 1000", "[X-Vigil]",
                                      "HealthTCP=db.example:5432", "HealthInterval=0", "HealthRetries=0"))
    units.add("good", unit_text("[Service]", "ExecStart=/bin/sleep 1000"))
    run = units.start()
    wait_until(run, lambda: "good.service: waiting -> start" in run.stderr or "loaded" in run.stderr, "the load")
    for line, key in ((4, "HealthTCP=db.example:5432"), (5, "HealthInterval=0"), (6, "HealthRetries=0")):
        assert f"{path}:{line}: {key}" in run.stderr, run.stderr
    assert "bad.service: not loaded" in run.stderr
    stop_vigil(run)
