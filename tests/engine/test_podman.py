"""vigil-static as PID 1 of real podman containers (issue 14, "How it must be
proven"): exit codes as podman reports them, signals from `podman kill`,
`podman exec vigilctl`, `podman run --init`, the stop budget under `podman
stop -t 10` and the drain before it, non-root and read-only containers, the outer manager's
sd_notify through `--sdnotify=container`, `podman kube play` probes and
the termination log."""
import re
import time

import pytest

import engine_harness as e

VIGIL = "/sbin/vigil"


def unit(exec_start, **keys):
    lines = ["[Service]", f"ExecStart={exec_start}"]
    lines += [f"{k}={v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def plain(images):
    """The base image with no units."""
    return images.image(tag="plain")


# ---------------------------------------------------------------- exit codes and signals

def test_exit_code_as_podman_reports_it(ctrs, plain):
    r, c = ctrs.run(plain, VIGIL, "--", "/bin/sh", "-c", "exit 3")
    assert r.returncode == 3, r.stderr
    assert c.exit_code() == 3
    assert c.wait() == 3


@pytest.mark.parametrize("sig,num", [("KILL", 9), ("USR2", 12)])
def test_main_killed_by_signal_is_128_plus_n(ctrs, plain, sig, num):
    r, c = ctrs.run(plain, VIGIL, "--", "/bin/sh", "-c", f"kill -{sig} $$; sleep 5")
    assert r.returncode == 128 + num, r.stderr
    assert c.exit_code() == 128 + num
    assert c.wait() == 128 + num


def test_podman_kill_term_reaches_main(ctrs, plain):
    """`podman kill -s TERM` is vigil's to forward: the main command (no trap) dies of it, 143."""
    c = ctrs.start(plain, VIGIL, "--", "/bin/sh", "-c", "echo main up; exec sleep 1000")
    c.wait_log("main up")
    c.kill("TERM")
    assert c.wait(timeout=30) == 128 + 15


def test_podman_kill_usr1_reaches_main(ctrs, plain):
    script = ('trap "echo got USR1 >>/tmp/signals; echo main got USR1" USR1; '
              'echo main up; while :; do sleep 0.1; done')
    c = ctrs.start(plain, VIGIL, "--", "/bin/sh", "-c", script)
    c.wait_log("main up")
    c.kill("USR1")
    c.wait_log("main got USR1")
    c.kill("USR1")
    deadline = time.monotonic() + 10
    while True:
        got = c.exec("cat", "/tmp/signals").stdout
        if got.count("got USR1") == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got.count("got USR1") == 2, got
    assert c.running(), "USR1 must reach the main command, not stop vigil"


# ---------------------------------------------------------------- podman exec vigilctl

def test_exec_vigilctl_status_and_check_as_root(ctrs, images):
    img = images.image(units={"web.service": unit("/bin/sleep 1000"),
                              "bad.service": unit("/bin/sh -c 'test -e /tmp/break && exit 1; exec sleep 1000'",
                                                  Restart="no")})
    c = ctrs.start(img, VIGIL, "--", "/bin/sleep", "1000")
    deadline = time.monotonic() + 20
    while True:
        st = c.exec("vigilctl", "status")
        if (st.returncode == 0 and re.search(r"^web\b.*running", st.stdout, re.M)
                and re.search(r"^bad\b.*running", st.stdout, re.M)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert st.returncode == 0, st.stderr
    assert re.search(r"^web\b.*running", st.stdout, re.M), st.stdout
    ok = c.exec("vigilctl", "check")
    assert ok.returncode == 0 and "healthy" in ok.stdout, ok.stdout + ok.stderr
    # The same check fails once a unit has failed (so the passing one meant something).
    assert c.exec("touch", "/tmp/break").returncode == 0
    assert c.exec("vigilctl", "restart", "bad").returncode == 0
    deadline = time.monotonic() + 20
    while True:
        bad = c.exec("vigilctl", "check")
        if bad.returncode != 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad" in bad.stdout + bad.stderr


# ---------------------------------------------------------------- podman run --init

def _zombies_and_orphans(c, vigil_pid):
    rows = c.top("pid", "ppid", "state", "args")
    zombies = [r for r in rows if r[2].startswith("Z")]
    adopted = [r for r in rows if r[1] == vigil_pid and "sleep 1000" in r[3]]
    return rows, zombies, adopted


def test_init_catatonit_vigil_subreaper_reaps_orphans(ctrs, images):
    """Under `podman run --init` (catatonit is PID 1) vigil is a subreaper: the
    orphans that a unit and the main command leave behind are adopted by vigil,
    the short-lived ones are reaped (no zombie in `podman top`), and `podman
    stop` ends it all at once with the main command's status."""
    orphaner = "/bin/sh -c 'for i in 1 2 3 4 5; do (sleep 0.2 &); done; (sleep 1000 &); exec sleep 1000'"
    img = images.image(units={"orphaner.service": unit(orphaner)})
    c = ctrs.start(img, VIGIL, "--", "/bin/sh", "-c",
                   "for i in 1 2 3 4 5; do (sleep 0.2 &); done; (sleep 1000 &); echo main up; exec sleep 1000",
                   opts=["--init"])
    c.wait_log("main up")
    rows = c.top("pid", "ppid", "args")
    init = [r for r in rows if r[0] == "1"]
    assert init and not init[0][2].startswith(VIGIL), f"PID 1 should be podman's init (catatonit): {rows}"
    vigil_rows = [r for r in rows if r[1] == "1" and r[2].startswith(VIGIL)]
    assert vigil_rows, rows
    vigil_pid = vigil_rows[0][0]
    deadline = time.monotonic() + 15
    while True:
        rows, zombies, adopted = _zombies_and_orphans(c, vigil_pid)
        if (not zombies and len(adopted) >= 2) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert not zombies, f"zombies left: {rows}"
    assert len(adopted) >= 2, f"the two long orphans should be vigil's children: {rows}"
    took, r = c.stop(10)
    assert r.returncode == 0, r.stderr
    assert took < 9, f"podman stop took {took:.1f} s: vigil did not stop cleanly (SIGKILL at 10 s)"
    assert c.exit_code() == 128 + 15   # the main command (sleep) ended by the forwarded SIGTERM


# ---------------------------------------------------------------- the stop budget

def _stubborn(name):
    return unit(f"/bin/sh -c 'trap \"echo {name} got TERM\" TERM; echo {name} up; "
                f"while :; do sleep 0.1; done'", TimeoutStopSec="4")


def test_podman_stop_fits_ten_seconds_with_three_stubborn_units(ctrs, images):
    """a -> b -> c (After=), each ignoring SIGTERM with TimeoutStopSec=4: one
    after another that is 12 s, past podman's 10 s. The stop budget must make
    `podman stop -t 10` return in under 10 s with the main command's status
    (0: it exits on SIGTERM), units stopped in reverse order."""
    units = {"a.service": _stubborn("a"),
             "b.service": "[Unit]\nAfter=a.service\n" + _stubborn("b"),
             "c.service": "[Unit]\nAfter=b.service\n" + _stubborn("c")}
    img = images.image(units=units)
    c = ctrs.start(img, VIGIL, "--", "/bin/sh", "-c",
                   'trap "echo main got TERM; exit 0" TERM; echo main up; while :; do sleep 0.1; done')
    for name in ("a", "b", "c", "main"):
        c.wait_log(f"{name} up")
    took, r = c.stop(10, timeout=30)
    assert r.returncode == 0, r.stderr
    log = c.logs()
    assert took < 10, f"podman stop -t 10 took {took:.1f} s\n{log}"
    assert c.exit_code() == 0, log
    order = [m.group(1) for m in re.finditer(r"\b([abc]) got TERM", log)]
    assert order[:2] == ["c", "b"], f"units must stop in reverse order, got {order}\n{log}"
    assert order in (["c", "b"], ["c", "b", "a"]), order


# ---------------------------------------------------------------- non-root, read-only

def test_exec_vigilctl_as_random_uid_read_only(ctrs, images):
    """`podman run --user 12345 --read-only`: there is no /run/vigil to make,
    vigil falls back to another runtime place and `podman exec --user 12345
    vigilctl check|status` finds it by the same rule."""
    img = images.image(units={"web.service": unit("/bin/sleep 1000")})
    c = ctrs.start(img, VIGIL, "--", "/bin/sleep", "1000", opts=["--user", "12345", "--read-only"])
    deadline = time.monotonic() + 20
    while True:
        ck = c.exec("vigilctl", "check", opts=["--user", "12345"])
        if ck.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert ck.returncode == 0, ck.stdout + ck.stderr + c.logs()
    st = c.exec("vigilctl", "status", opts=["--user", "12345"])
    assert st.returncode == 0 and re.search(r"^web\b.*running", st.stdout, re.M), st.stdout + st.stderr
    assert c.inspect("{{.Config.User}}") == "12345"


# ---------------------------------------------------------------- the outer manager

# The unit's main process says READY=1 itself (sh execs sdnotify, which execs sleep).
NOTIFY_UNIT = unit("/bin/sh -c 'sleep 2; stamp slow ready; exec sdnotify READY=1 sleep 1000'", Type="notify")


def test_sdnotify_container_ready_only_once_units_are(ctrs, images, workdir):
    """`podman run --sdnotify=container` under an outer manager (we play
    systemd: podman's NOTIFY_SOCKET is ours). podman 4.3 sends MAINPID (conmon)
    and its proxy forwards the container's READY=1 — which vigil must send
    only once its Type=notify unit is ready (~2 s), not at start."""
    img = images.image(units={"slow.service": NOTIFY_UNIT})
    rx = e.NotifyReceiver(workdir / "outer.sock")
    try:
        t0 = e.boottime()
        c = ctrs.start(img, VIGIL, "--", "/bin/sleep", "1000", opts=["--sdnotify=container"],
                       env=dict(ctrs.env, NOTIFY_SOCKET=rx.path))
        ready = rx.first("READY=1", timeout=20)
        assert ready is not None, f"no READY=1 reached the outer manager: {rx.messages}\n{c.logs()}"
        unit_ready = e.stamped(c.logs(), "slow", "ready")
        assert unit_ready is not None, c.logs()
        assert ready >= unit_ready, f"READY=1 {unit_ready - ready:.2f} s before the unit was ready"
        assert ready - t0 >= 1.5, f"READY=1 {ready - t0:.2f} s after podman run: before the unit was ready"
        st = c.exec("vigilctl", "status", "slow")
        assert re.search(r"running", st.stdout), st.stdout
    finally:
        rx.close()


def test_outer_socket_sees_ready_status_and_stopping(ctrs, images, workdir):
    """podman 4.3's proxy forwards READY=1 only, so to see STOPPING=1 the outer
    socket is mounted into the container (as a systemd unit running docker or
    podman with --sdnotify=ignore and the socket would): READY=1 after the
    unit is ready, STOPPING=1 when `podman stop` begins, and the main command
    does not see the outer NOTIFY_SOCKET."""
    img = images.image(units={"slow.service": NOTIFY_UNIT})
    sockdir = workdir / "outer"
    sockdir.mkdir(exist_ok=True)
    rx = e.NotifyReceiver(sockdir / "notify.sock")
    try:
        t0 = e.boottime()
        c = ctrs.start(img, VIGIL, "--", "/bin/sh", "-c",
                       'echo "main NOTIFY_SOCKET=[$NOTIFY_SOCKET]"; exec sleep 1000',
                       opts=["-v", f"{sockdir}:/outer", "-e", "NOTIFY_SOCKET=/outer/notify.sock"])
        ready = rx.first("READY=1", timeout=20)
        assert ready is not None, f"no READY=1: {rx.messages}\n{c.logs()}"
        unit_ready = e.stamped(c.logs(), "slow", "ready")
        assert unit_ready is not None and ready >= unit_ready, f"READY=1 before the unit was ready\n{c.logs()}"
        assert ready - t0 >= 1.5, f"READY=1 {ready - t0:.2f} s after start: before the unit was ready"
        assert rx.first("STOPPING=1") is None, "STOPPING=1 before any stop"
        assert "main NOTIFY_SOCKET=[/outer/notify.sock]" not in c.logs()
        t_stop = e.boottime()
        took, r = c.stop(10)
        assert r.returncode == 0, r.stderr
        stopping = rx.first("STOPPING=1", timeout=2)
        assert stopping is not None and stopping >= t_stop, f"no STOPPING=1 on stop: {rx.messages}"
    finally:
        rx.close()


# ---------------------------------------------------------------- kube play probes

def doc_pod_spec(pod, image):
    """The pod spec of docs/CONTROL.md ("As a health probe"), made runnable here:
    our image, a unique pod name, `/bin/sleep 1000` as the main command, and
    probe timeouts of 10 s (podman exec under a loaded machine)."""
    doc = (e.ROOT / "docs" / "CONTROL.md").read_text()
    section = doc[doc.index("## As a health probe"):]
    m = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert m and "kind: Pod" in m.group(1), "docs/CONTROL.md: no pod spec under 'As a health probe'"
    spec = m.group(1)
    for probe, flag in (("startupProbe", "--startup"), ("readinessProbe", "--ready"), ("livenessProbe", "--live")):
        assert re.search(rf"{probe}:\s*\n\s*exec:\s*\n\s*command: \[[^]]*\"{flag}\"", spec), \
            f"docs/CONTROL.md's pod spec has no {probe} running vigilctl check {flag}"
    spec = re.sub(r"(?m)^(  name: )\S+$", rf"\g<1>{pod}", spec, count=1)
    spec = re.sub(r"(?m)^(\s+image: )\S+$", rf"\g<1>{image}", spec)
    spec = spec.replace('"/app/main"', '"/bin/sleep", "1000"')
    spec = re.sub(r"timeoutSeconds: \d+", "timeoutSeconds: 10", spec)
    assert pod in spec and image in spec and "/bin/sleep" in spec, spec
    return spec


def test_kube_play_probes_live_through_restart_unhealthy_when_failed_for_good(ctrs, images, workdir):
    """`podman kube play` of docs/CONTROL.md's pod spec: exec startup/readiness/liveness probes.
    podman 4.3 turns the livenessProbe into the container's healthcheck (its
    timer needs systemd, absent here, so `podman healthcheck run` drives it);
    the startup and readiness probes it does not run, so they are run as the
    kubelet would, with `podman exec`. A unit restarting after RestartSec=
    keeps the container healthy (while plain `check` fails in that window);
    a unit that failed for good makes it unhealthy, and podman restarts it."""
    units = {"flappy.service": unit("/bin/sh -c 'sleep 1; exit 1'", Restart="always", RestartSec="2"),
             "doomed.service": unit("/bin/sh -c 'while [ ! -e /tmp/doom ]; do sleep 0.2; done; exit 1'",
                                    Restart="no")}
    img = images.image(units=units)
    pod = f"vigilpod{int(time.monotonic() * 1000) % 100000}"
    spec = workdir / f"{pod}.yaml"
    spec.write_text(doc_pod_spec(pod, img))
    r = ctrs.podman("kube", "play", "--network", "none", spec, timeout=120)
    name = f"{pod}-app"
    c = e.Container(ctrs, name, name)
    ctrs.containers.append(c)
    try:
        started = c.inspect("{{.State.StartedAt}}")
        hc = c.inspect("{{json .Config.Healthcheck}}")
        assert "--live" in hc, f"the liveness probe is not the healthcheck: {hc}"
        deadline = time.monotonic() + 30
        while c.exec("vigilctl", "check", "--startup").returncode != 0:
            assert time.monotonic() < deadline, "startup probe never passed\n" + c.logs()
            time.sleep(0.5)
        # Through at least one RestartSec= wait of flappy (seen by plain check failing).
        saw_restart_wait = False
        end = time.monotonic() + 8
        while time.monotonic() < end:
            if c.exec("vigilctl", "check").returncode != 0:
                saw_restart_wait = True
            h = ctrs.podman("healthcheck", "run", name, check=False)
            assert h.returncode == 0, f"liveness failed during an ordinary restart: {h.stdout}{h.stderr}"
            time.sleep(0.3)
        assert saw_restart_wait, "flappy was never seen waiting to restart"
        assert c.inspect("{{.State.Health.Status}}") == "healthy"
        assert c.inspect("{{.State.StartedAt}}") == started, "podman restarted the container"
        # Now a unit fails for good.
        assert c.exec("touch", "/tmp/doom").returncode == 0
        deadline = time.monotonic() + 20
        while c.exec("vigilctl", "check", "--live").returncode == 0:
            assert time.monotonic() < deadline, "check --live still passes with doomed failed\n" + c.logs()
            time.sleep(0.3)
        assert c.exec("vigilctl", "check", "--ready").returncode != 0
        # failureThreshold 3: failed runs make it unhealthy, and for a kube liveness
        # probe podman then restarts the container (as the kubelet would); a run
        # that meets the restart is podman's error 125.
        runs, turned = [], False
        for _ in range(6):
            runs.append(ctrs.podman("healthcheck", "run", name, check=False).returncode)
            turned = (c.inspect("{{.State.Health.Status}}") == "unhealthy"
                      or c.inspect("{{.State.StartedAt}}") != started)
            if turned:
                break
        assert runs[0] == 1 and set(runs) <= {1, 125}, runs
        assert turned, f"neither unhealthy nor restarted after {runs}"
    finally:
        ctrs.podman("kube", "down", spec, check=False, timeout=60)
    assert r.returncode == 0


# ---------------------------------------------------------------- drain

def test_sigterm_drains_before_stopping(ctrs, images):
    """`--drain-sec 2`: on the stop's SIGTERM (`podman kill -s TERM`, what
    `podman stop` sends first; during `podman stop` itself podman refuses
    `exec`) vigil logs that it is draining (and `check --ready` fails while
    `check --live` passes), the unit keeps running
    (`vigilctl status`) for the 2 s, then gets its SIGTERM; the whole
    stop fits podman's 10 s. The unit stamps its SIGTERM with /proc/uptime,
    the host's boot clock (not namespaced)."""
    web = unit("/bin/sh -c 'trap \"stamp web got-TERM; exit 0\" TERM; echo web up; while :; do sleep 0.1; done'")
    img = images.image(units={"web.service": web})
    c = ctrs.start(img, VIGIL, "--drain-sec", "2", "--", "/bin/sleep", "1000")
    c.wait_log("web up")
    t_stop = e.boottime()
    c.kill("TERM")
    saw_drain, seen = None, []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and saw_drain is None:
        st = c.exec("vigilctl", "status")
        seen.append(f"{e.boottime() - t_stop:.2f}: {st.stdout}{st.stderr}")
        if "draining" in c.logs() and re.search(r"^web\b.*running", st.stdout, re.M):
            saw_drain = st.stdout
            assert c.exec("vigilctl", "check", "--ready").returncode != 0, "ready while draining"
            assert c.exec("vigilctl", "check", "--live").returncode == 0, "not live while draining"
    code = c.wait(timeout=30)
    took = e.boottime() - t_stop
    log = c.logs()
    assert saw_drain, f"never saw vigil draining (log) with web running (status): {seen}\n{log}"
    assert took < 10, f"the stop took {took:.1f} s\n{log}"
    assert code == 128 + 15, log   # the main command (sleep) ended by SIGTERM
    got_term = e.stamped(log, "web", "got-TERM")
    assert got_term is not None, log
    waited = got_term - t_stop
    assert 1.8 <= waited < 8, f"web got SIGTERM {waited:.2f} s after the stop began (drain 2 s)\n{log}"


# ---------------------------------------------------------------- termination log

def test_termination_log_says_why_it_died(ctrs, plain, workdir):
    """A file bind-mounted at /dev/termination-log (where Kubernetes mounts
    terminationMessagePath) gets one short message on exit: the main command,
    its status and vigil's, within Kubernetes' 4 KiB."""
    log = workdir / "termination-log"
    log.write_text("")
    r, c = ctrs.run(plain, VIGIL, "--", "/bin/sh", "-c", "exit 3",
                    opts=["-v", f"{log}:/dev/termination-log"])
    assert r.returncode == 3, r.stderr
    text = log.read_text()
    assert 0 < len(text.encode()) <= 4096, repr(text)
    assert re.search(r"main command \S*sh\b.*\b3\b", text), repr(text)
