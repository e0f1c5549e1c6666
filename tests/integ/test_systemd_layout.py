"""The systemd layout as a source of units (--systemd-layout ROOT), templates
started on demand, and vigilctl as `systemctl` (issue 15, points 1, 2, 3, 5):
what boots is what default.target wants, the files' precedence, masks, drop-ins
and bad links each get one clear line; systemctl answers as systemd's does."""
import json
import os
import signal
import subprocess
import textwrap
import time

import pytest

from harness import VIGILCTL, Harness, Units, read_lines, stderr_lines, stop_vigil, wait_until

LIB, ETC = "lib/systemd/system", "etc/systemd/system"


class Layout:
    """A systemd layout under ROOT: unit files, links, and a `systemctl` for it."""

    def __init__(self, h):
        self.h = h
        self.root = h.tmp / "root"
        self.out = h.tmp / "out"
        self.bin = h.tmp / "bin"
        for d in (self.root / LIB, self.root / ETC, self.out, self.bin):
            d.mkdir(parents=True, exist_ok=True)
        os.symlink(VIGILCTL, self.bin / "systemctl")
        self.unit("multi-user.target", "[Unit]\nDescription=Multi-User System\n")

    def unit(self, name, text, where=LIB):
        path = self.root / where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def service(self, name, body, extra="", install="WantedBy=multi-user.target", where=LIB):
        """A unit whose ExecStart= is `sh -c BODY` (BODY has no quotes)."""
        return self.unit(name, f"[Unit]\nDescription={name} here\n{extra}\n[Service]\n"
                               f"ExecStart=/bin/sh -c '{body}'\n[Install]\n{install}\n", where)

    def link(self, rel, target):
        path = self.root / ETC / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def want(self, name, target="multi-user.target"):
        self.link(f"{target}.wants/{name}", f"/{LIB}/{name.split('@')[0] + '@.service' if '@' in name else name}")

    def systemctl(self, *args, root=True):
        argv = [str(self.bin / "systemctl")] + ([f"--root={self.root}"] if root else []) + [str(a) for a in args]
        return subprocess.run(argv, env=self.h.env(), capture_output=True, text=True, timeout=20)

    def start(self, *options):
        return self.h.start("--systemd-layout", str(self.root), *options)


def marker(layout, name):
    return f"echo up >> {layout.out}/{name}; exec sleep 600"


def test_what_default_target_wants_boots_and_each_bad_link_gets_one_line(vigil):
    L = Layout(vigil)
    L.service("a.service", marker(L, "a"), extra="Wants=b.service")
    L.service("b.service", marker(L, "b"), install="")            # pulled in by a's Wants=
    L.service("c.service", marker(L, "c"))                         # installed, not enabled
    L.service("d.service", "echo lib >> %s/d; exec sleep 600" % L.out)
    L.service("d.service", "echo etc >> %s/d; exec sleep 600" % L.out, where=ETC)   # /etc wins
    L.unit("t@.service", f"[Service]\nExecStart=/bin/sh -c 'echo %i %I >> {L.out}/t; exec sleep 600'\n")
    L.unit("app.target", "[Unit]\nDescription=App\n")
    L.service("e.service", marker(L, "e"), install="WantedBy=app.target")
    L.service("m.service", marker(L, "m"))
    L.unit("x.socket", "[Socket]\nListenStream=/tmp/nothing\n")
    L.unit("a.service.d/env.conf", f"[Service]\nExecStartPost=/bin/sh -c 'echo dropin >> {L.out}/a-post'\n", where=ETC)
    for name in ("a.service", "d.service", "t@one.service", "t@we-b.service", "x.socket", "m.service"):
        L.want(name)
    L.link("multi-user.target.wants/app.target", f"/{LIB}/app.target")
    L.link("app.target.wants/e.service", f"/{LIB}/e.service")
    L.link("m.service", "/dev/null")                                  # masked and wanted
    L.link("multi-user.target.wants/gone.service", f"/{LIB}/gone.service")   # dangling
    L.link("loop1.service", "loop2.service")                          # an alias loop
    L.link("loop2.service", "loop1.service")
    L.link("multi-user.target.wants/loop1.service", "/etc/systemd/system/loop1.service")
    run = L.start()
    for name in ("a", "b", "d", "e", "a-post"):
        wait_until(run, lambda n=name: read_lines(L.out / n), f"{name} to start", timeout=10)
    wait_until(run, lambda: len(read_lines(L.out / "t")) == 2, "both instances", timeout=10)
    assert read_lines(L.out / "d") == ["etc"], "/etc/systemd/system overrides /lib/systemd/system"
    assert sorted(read_lines(L.out / "t")) == ["one one", "we-b we/b"]
    assert not read_lines(L.out / "c") and not read_lines(L.out / "m")
    # One clear line for each bad entry, naming it and who wanted it.
    for words in (("m.service", "masked", "multi-user.target"), ("gone.service", "no unit file"),
                  ("loop1.service", "symlink loop"), ("x.socket", "skipped")):
        assert len(stderr_lines(run, *words)) == 1, (words, run.stderr)
    # Not enabled is not started, but starts on request; masked does not.
    r = vigil.ctl("start", "c.service")
    assert r.returncode == 0, r.stderr
    wait_until(run, lambda: read_lines(L.out / "c"), "c on request")
    r = L.systemctl("start", "m.service")
    assert r.returncode == 1 and "masked" in r.stderr, (r.returncode, r.stderr)
    st = vigil.ctl("status")
    assert "app.target" in st.stdout and "multi-user.target" in st.stdout, st.stdout
    stop_vigil(run)


def test_template_instances_start_stop_restart_by_request(vigil):
    units = Units(vigil)
    out = units.file("inst")
    units.add("echo@", f"[Service]\nExecStart=/bin/sh -c 'echo %i:%n >> {out}; exec sleep 600'\n")
    run = units.start()
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    assert not stderr_lines(run, "echo@.service"), "a template is not a unit to load: " + run.stderr
    r = vigil.ctl("start", "echo@bar.service")
    assert r.returncode == 0, (r.stdout, r.stderr)
    wait_until(run, lambda: read_lines(out) == ["bar:echo@bar.service"], "the instance")
    pid = vigil.ctl("status", "echo@bar.service").stdout
    r = vigil.ctl("restart", "echo@bar.service")
    assert r.returncode == 0, r.stderr
    wait_until(run, lambda: len(read_lines(out)) == 2, "the restart")
    assert vigil.ctl("status", "echo@bar.service").stdout != pid
    r = vigil.ctl("stop", "echo@bar.service")
    assert r.returncode == 0, r.stderr
    assert "inactive" in vigil.ctl("status", "echo@bar.service").stdout
    assert vigil.ctl("start", "nosuch@x.service").returncode == 3
    stop_vigil(run)


# systemd's answers, per state: is-active's output and exit code, show's ActiveState= and SubState=,
# status's exit code (systemctl(1) "Exit status"; LSB: 0 running, 3 not running, 4 no such unit).
STATES = [
    # unit, how it gets there, is-active, its exit, SubState, status exit
    ("run.service", "running", "active", 0, "running", 0),
    ("once.service", "exited oneshot, RemainAfterExit", "active", 0, "exited", 0),
    ("fail.service", "exits 3, no Restart=", "failed", 3, "failed", 3),
    ("idle.service", "installed, never started", "inactive", 3, "dead", 3),
    ("stopped.service", "started, then stopped", "inactive", 3, "dead", 3),
    ("nosuch.service", "no file at all", "inactive", 3, "dead", 4),
    ("cond.service", "a Condition*= not met: skipped", "inactive", 3, "dead", 3),
    ("assert.service", "an Assert*= failed", "failed", 3, "failed", 3),
]

# show's ConditionResult=, AssertResult= (org.freedesktop.systemd1(5)): "no" until checked, and
# whether ConditionTimestamp=/AssertTimestamp= is set. A skip leaves the asserts unchecked.
CHECKS = [
    # unit, ConditionResult, its timestamp, AssertResult, its timestamp
    ("run.service", "yes", True, "yes", True),
    ("fail.service", "yes", True, "yes", True),
    ("idle.service", "no", False, "no", False),
    ("nosuch.service", "no", False, "no", False),
    ("cond.service", "no", True, "no", False),
    ("assert.service", "yes", True, "no", True),
]


def checked_at(stamp):
    """systemd's timestamp ("Mon 2026-12-07 23:51:34 UTC", local time) as seconds."""
    return time.mktime(time.strptime(stamp.rsplit(" ", 1)[0], "%a %Y-%m-%d %H:%M:%S"))


def test_is_active_show_and_status_answer_as_systemd(vigil):
    L = Layout(vigil)
    L.service("run.service", "exec sleep 600")
    L.unit("once.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n")
    L.unit("fail.service", "[Service]\nExecStart=/bin/sh -c 'exit 3'\n")
    L.service("idle.service", "exec sleep 600")
    L.service("stopped.service", "exec sleep 600")
    L.service("cond.service", "exec sleep 600", extra=f"ConditionPathExists={vigil.tmp}/missing")
    L.service("assert.service", "exec sleep 600", extra=f"AssertPathExists={vigil.tmp}/missing")
    for name in ("run.service", "once.service", "fail.service", "stopped.service", "cond.service", "assert.service"):
        L.want(name)
    begun = time.time()
    run = L.start()
    wait_until(run, lambda: "failed" in L.systemctl("is-active", "fail").stdout, "fail.service to fail", timeout=10)
    wait_until(run, lambda: "failed" in L.systemctl("is-active", "assert").stdout, "assert.service to fail")
    props = "ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp"
    for unit, cond, cond_at, asserted, assert_at in CHECKS:
        got = dict(line.split("=", 1) for line in L.systemctl("show", "-p", props, unit).stdout.splitlines())
        assert (got["ConditionResult"], got["AssertResult"]) == (cond, asserted), (unit, got)
        assert (bool(got["ConditionTimestamp"]), bool(got["AssertTimestamp"])) == (cond_at, assert_at), (unit, got)
        for stamp in (got["ConditionTimestamp"], got["AssertTimestamp"]):
            assert not stamp or begun - 2 <= checked_at(stamp) <= time.time() + 1, (unit, got)
    assert L.systemctl("stop", "stopped.service").returncode == 0
    for unit, how, active, code, sub, status_code in STATES:
        r = L.systemctl("is-active", unit)
        assert (r.stdout.strip(), r.returncode) == (active, code), (unit, how, r.stdout, r.returncode)
        r = L.systemctl("show", "-p", "ActiveState", "--value", unit)
        assert r.stdout == active + "\n" and r.returncode == 0, (unit, how, r.stdout)
        r = L.systemctl("show", "-p", "SubState,LoadState", unit)
        load = "not-found" if unit == "nosuch.service" else "loaded"
        assert r.stdout.splitlines() == [f"LoadState={load}", f"SubState={sub}"], (unit, how, r.stdout)
        assert L.systemctl("status", unit).returncode == status_code, (unit, how)
        q = L.systemctl("is-active", "--quiet", unit)
        assert q.stdout == "" and q.returncode == code
    show = dict(line.split("=", 1) for line in L.systemctl("show", "run.service").stdout.splitlines())
    assert int(show["MainPID"]) > 0 and show["Type"] == "simple" and show["UnitFileState"] == "enabled", show
    assert show["NRestarts"] == "0" and show["Restart"] == "no" and show["Id"] == "run.service", show
    fail = dict(line.split("=", 1) for line in L.systemctl("show", "fail").stdout.splitlines())
    assert (fail["Result"], fail["ExecMainCode"], fail["ExecMainStatus"]) == ("exit-code", "1", "3"), fail
    assert L.systemctl("is-failed", "fail").returncode == 0 and L.systemctl("is-failed", "run").returncode == 1
    r = L.systemctl("start", "nosuch.service")
    assert r.returncode == 5 and "not found" in r.stderr, (r.returncode, r.stderr)
    r = L.systemctl("frobnicate", "run.service")
    assert r.returncode == 1 and "Unknown command verb" in r.stderr, r.stderr
    r = L.systemctl("list-units", "--no-legend")
    assert any(line.split()[:4] == ["run.service", "loaded", "active", "running"] for line in r.stdout.splitlines()), r.stdout
    # try-restart leaves a stopped unit stopped; reload-or-restart of one without ExecReload= restarts it.
    assert L.systemctl("try-restart", "stopped.service").returncode == 0
    assert L.systemctl("is-active", "stopped.service").returncode == 3
    pid = show["MainPID"]
    assert L.systemctl("reload-or-restart", "run.service").returncode == 0
    assert L.systemctl("show", "-p", "MainPID", "--value", "run").stdout.strip() != pid
    stop_vigil(run)


@pytest.fixture
def once(tmp_path, helpers):
    """A harness for what does not depend on vigil's mode (run once, not per mode)."""
    h = Harness("subreaper", tmp_path, helpers)
    yield h
    h.cleanup()


def links(root):
    """Every symlink under ROOT/etc/systemd/system, relative, with its target."""
    etc = root / ETC
    return {str(p.relative_to(etc)): os.readlink(p) for p in etc.rglob("*") if p.is_symlink()}


def test_enable_disable_mask_work_on_the_files_with_no_vigil_running(once):
    L = Layout(once)
    L.service("ssh.service", "exec sleep 1", install="WantedBy=multi-user.target\nAlias=sshd.service\nAlso=ssh-keys.service")
    L.service("ssh-keys.service", "exit 0", install="RequiredBy=ssh.service")
    L.unit("getty@.service", "[Service]\nExecStart=/bin/sleep 1\n[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n")
    L.unit("static.service", "[Service]\nExecStart=/bin/true\n")
    assert L.systemctl("is-enabled", "ssh").stdout == "disabled\n"
    r = L.systemctl("enable", "ssh.service")
    assert r.returncode == 0, r.stderr
    # The links systemctl enable makes (systemd 252 on Debian), targets as seen inside ROOT.
    assert links(L.root) == {
        "multi-user.target.wants/ssh.service": "/lib/systemd/system/ssh.service",
        "sshd.service": "/lib/systemd/system/ssh.service",
        "ssh.service.requires/ssh-keys.service": "/lib/systemd/system/ssh-keys.service",
    }
    assert "Created symlink" in r.stderr and "\u2192" in r.stderr
    assert L.systemctl("is-enabled", "ssh").stdout == "enabled\n"
    assert L.systemctl("is-enabled", "sshd.service").stdout == "alias\n"
    assert L.systemctl("enable", "ssh").returncode == 0, "enabling twice is fine"
    assert L.systemctl("enable", "getty@.service").returncode == 0
    assert L.systemctl("enable", "getty@tty5.service").returncode == 0
    assert links(L.root)["getty.target.wants/getty@tty1.service"] == "/lib/systemd/system/getty@.service"
    assert links(L.root)["getty.target.wants/getty@tty5.service"] == "/lib/systemd/system/getty@.service"
    r = L.systemctl("enable", "static")
    assert r.returncode == 0 and "no installation config" in r.stderr
    assert L.systemctl("is-enabled", "static").stdout == "static\n"
    r = L.systemctl("is-enabled", "nosuch")
    assert r.returncode == 1 and "No such file" in r.stderr
    assert L.systemctl("enable", "nosuch").returncode == 1
    assert L.systemctl("disable", "ssh").returncode == 0
    assert set(links(L.root)) == {"getty.target.wants/getty@tty1.service", "getty.target.wants/getty@tty5.service"}
    assert L.systemctl("mask", "static").returncode == 0
    assert links(L.root)["static.service"] == "/dev/null"
    r = L.systemctl("is-enabled", "static")
    assert (r.stdout, r.returncode) == ("masked\n", 1)
    assert L.systemctl("unmask", "static").returncode == 0 and "static.service" not in links(L.root)
    files = L.systemctl("list-unit-files", "--no-legend").stdout.split("\n")
    assert any(line.split()[:2] == ["getty@.service", "enabled"] for line in files), files
    assert any(line.split()[:2] == ["ssh.service", "disabled"] for line in files), files
    cat = L.systemctl("cat", "ssh").stdout
    assert cat.startswith(f"# {L.root}/{LIB}/ssh.service\n") and "Alias=sshd.service" in cat
    # A running vigil is not needed, and its absence is said, not hidden.
    r = L.systemctl("start", "ssh")
    assert r.returncode == 1 and "not running" in r.stderr
    assert L.systemctl("daemon-reload").returncode == 0


def machine_layout_argv(L, *vigil_args):
    """unshare + mounts: L's tree as the machine's layout, vigil PID 1 with vigil_args."""
    from harness import VIGIL
    setup = (f"mount --bind {L.root / ETC} /etc/systemd/system && "
             f"mount --bind {L.root / LIB} /lib/systemd/system && "
             "mount -t tmpfs tmpfs /run && mkdir -p /var/lib/systemd && mount -t tmpfs tmpfs /var/lib/systemd && "
             # vigilctl installed as the image's systemctl (tools look in /bin and /usr/bin before PATH).
             f"{{ [ ! -e /usr/bin/systemctl ] || mount --bind {VIGILCTL} /usr/bin/systemctl; }} && "
             # A Docker-style policy-rc.d (exit 101) of the host would veto every start: ours allows.
             "{ [ ! -e /usr/sbin/policy-rc.d ] || mount --bind /bin/true /usr/sbin/policy-rc.d; } && "
             'exec "$0" "$@"')
    # vigil is PID 1 there, as in an image (what Ansible's service_mgr fact reads first).
    # No syslog receiver: this namespace shares the host's /dev.
    return ["unshare", "-pfm", "--mount-proc", "--propagation", "private", "sh", "-c", setup, VIGIL,
            "--syslog-socket=none", *[str(a) for a in vigil_args]]


def machine_env(h, L, env=None):
    # vigil's own default control socket, /run/vigil/control (the private /run), as in an image:
    # tools that clean their environment (Ansible's service module) still find it.
    return h.env({"PATH": f"{L.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}", **(env or {})},
                 unset=["VIGIL_RUNTIME_DIR"])


def test_the_layout_is_the_default_for_pid1_with_nothing_else_to_run(once):
    L = Layout(once)
    L.service("web.service", f"echo up > {L.out}/web; exec sleep 600")
    L.want("web.service")
    proc = subprocess.Popen(machine_layout_argv(L), env=machine_env(once, L), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not read_lines(L.out / "web") and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert read_lines(L.out / "web") == ["up"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        err = proc.communicate(timeout=20)[1]
    assert proc.returncode == 0, err


def boot_as_machine_layout(h, L, script, timeout=120, env=None):
    """vigil --systemd-layout / in a mount namespace where L's tree is the machine's
    /etc/systemd/system and /lib/systemd/system, with a private /run and
    /var/lib/systemd, and `systemctl` on PATH being vigilctl; its main command runs
    script (sh) there, so tools see the layout at / as they would in an image.
    Returns (vigil's exit status, its stderr)."""
    env = machine_env(h, L, env)
    (L.bin / "main").write_text("#!/bin/sh\nset -x\n" + textwrap.dedent(script))
    (L.bin / "main").chmod(0o755)
    # vigil is PID 1 there, as in an image (what Ansible's service_mgr fact reads first).
    argv = machine_layout_argv(L, "--systemd-layout", "/", "--", L.bin / "main")
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(h.tmp))
    return r.returncode, r.stderr


# dh_installsystemd's postinst snippet (debhelper 13, Debian 12), for hello.service.
POSTINST = """
    set -e
    if [ "$1" = "configure" ]; then
        deb-systemd-helper unmask 'hello.service' >/dev/null || true
        if deb-systemd-helper --quiet was-enabled 'hello.service'; then
            deb-systemd-helper enable 'hello.service' >/dev/null || true
        else
            deb-systemd-helper update-state 'hello.service' >/dev/null || true
        fi
        if [ -d /run/systemd/system ]; then
            systemctl --system daemon-reload >/dev/null || true
            deb-systemd-invoke start 'hello.service' >/dev/null || true
        fi
    fi
"""


def test_a_postinst_enables_and_starts_through_deb_systemd_helper_and_invoke(once):
    L = Layout(once)
    L.service("hello.service", f"echo started >> {L.out}/hello; exec sleep 600")
    # As dpkg runs it: deb-systemd-helper insists on dpkg's variables.
    (L.bin / "postinst").write_text("#!/bin/sh\nexport DPKG_MAINTSCRIPT_PACKAGE=hello DPKG_MAINTSCRIPT_NAME=postinst\n"
                                    + textwrap.dedent(POSTINST))
    (L.bin / "postinst").chmod(0o755)
    status, err = boot_as_machine_layout(once, L, f"""
        {L.bin}/postinst configure
        systemctl is-active hello.service > {L.out}/active
        ls /var/lib/systemd/deb-systemd-helper-enabled/ > {L.out}/state
        deb-systemd-invoke stop hello.service
        systemctl is-active hello.service >> {L.out}/active
        DPKG_MAINTSCRIPT_PACKAGE=hello DPKG_MAINTSCRIPT_NAME=postrm deb-systemd-helper purge hello.service
        systemctl is-enabled hello.service >> {L.out}/active || true
        """)
    assert status == 0, err
    assert read_lines(L.out / "hello") == ["started"], err
    assert read_lines(L.out / "active") == ["active", "inactive", "disabled"], err
    assert "hello.service.dsh-also" in read_lines(L.out / "state"), err
    assert links(L.root) == {}, "purge removed the links enable made"


PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.systemd: {name: web.service, state: started, enabled: true}
      register: started
    - ansible.builtin.systemd: {name: web.service}
      register: running
    - ansible.builtin.service: {name: web, state: restarted}
    - ansible.builtin.systemd: {name: web.service, state: stopped}
    - ansible.builtin.systemd: {name: web.service}
      register: stopped
    - ansible.builtin.service: {name: web, state: started, enabled: false}
      register: again
    - ansible.builtin.copy:
        dest: "OUT"
        content: "{{ {'changed': started.changed, 'enabled': started.enabled,
                      'running': running.status.ActiveState, 'sub': running.status.SubState,
                      'file_state': running.status.UnitFileState, 'pid': running.status.MainPID,
                      'stopped': stopped.status.ActiveState, 'again': again.changed} | to_json }}"
"""


def test_ansible_systemd_and_service_modules_drive_units_through_vigil(once):
    L = Layout(once)
    L.service("web.service", f"echo start >> {L.out}/web; exec sleep 600")
    result = L.out / "result.json"
    (L.bin / "play.yml").write_text(PLAYBOOK.replace("OUT", str(result)))
    home = once.tmp / "home"
    home.mkdir()
    status, err = boot_as_machine_layout(once, L, f"""
        ansible-playbook -i localhost, {L.bin}/play.yml > {L.out}/ansible.log 2>&1 || {{ cat {L.out}/ansible.log; exit 1; }}
        """, timeout=240, env={"HOME": str(home), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
                               "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3"})
    assert status == 0, err
    got = json.loads(result.read_text())
    assert got == {"changed": True, "enabled": True, "running": "active", "sub": "running", "file_state": "enabled",
                   "pid": got["pid"], "stopped": "inactive", "again": True}, got
    assert int(got["pid"]) > 0
    # started, restarted (stop + start), stopped, started again.
    assert read_lines(L.out / "web") == ["start"] * 3, err
    assert links(L.root) == {}, "enabled: true made the link, enabled: false removed it"


def test_daemon_reload_and_start_requests_in_the_layout(vigil):
    L = Layout(vigil)
    L.service("a.service", f"echo one >> {L.out}/a; exec sleep 600")
    L.want("a.service")
    L.service("n.service", f"echo n >> {L.out}/n; exec sleep 600")
    L.service("p.service", "exec sleep 600", extra="Requires=q.service\nAfter=q.service", install="")
    L.service("q.service", f"echo q >> {L.out}/q; exec sleep 600", install="")
    run = L.start()
    wait_until(run, lambda: read_lines(L.out / "a"), "a")
    # enable reloads the running vigil; the newly enabled unit starts when asked (as systemd's).
    assert L.systemctl("enable", "n.service").returncode == 0
    assert L.systemctl("is-active", "n").stdout == "inactive\n"
    assert L.systemctl("start", "n").returncode == 0
    wait_until(run, lambda: read_lines(L.out / "n"), "n")
    # A unit loaded on request brings what it requires.
    assert L.systemctl("start", "p").returncode == 0
    assert [L.systemctl("is-active", u).stdout for u in ("p", "q")] == ["active\n", "active\n"]
    # A changed file: restarted with its new definition; a masked one: stopped and dropped.
    L.service("a.service", f"echo two >> {L.out}/a; exec sleep 600")
    assert L.systemctl("daemon-reload").returncode == 0
    wait_until(run, lambda: read_lines(L.out / "a") == ["one", "two"], "a's new definition")
    assert L.systemctl("mask", "n").returncode == 0
    wait_until(run, lambda: L.systemctl("is-active", "n").stdout == "inactive\n", "n stopped by its mask")
    assert L.systemctl("start", "n").returncode == 1
    assert L.systemctl("is-active", "a").stdout == "active\n", "nothing else harmed"
    stop_vigil(run)
