"""What a Debian root's units needed from vigil (issue 15, the real-packages
tier in tests/distro): each fix with small units of its own."""
import ctypes
import os
import resource

import test_cgroups
from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until
from test_systemd_layout import LIB, Layout, marker

cgroup_root = test_cgroups.cgroup_root   # the fixture: a private cgroup2 mount's group

# Debian bookworm's own targets (systemd 252), the lines that order them.
DEBIAN_TARGETS = {
    "sysinit.target": "Wants=local-fs.target swap.target\nAfter=local-fs.target swap.target emergency.service\n",
    "local-fs.target": "After=local-fs-pre.target\n",
    "swap.target": "",
    "sockets.target": "",
    "timers.target": "",
    "paths.target": "",
    "slices.target": "Wants=-.slice system.slice\nAfter=-.slice system.slice\n",
    "basic.target": "Requires=sysinit.target\nWants=sockets.target timers.target paths.target slices.target\n"
                    "After=sysinit.target sockets.target paths.target slices.target tmp.mount\n",
    "multi-user.target": "Requires=basic.target\nConflicts=rescue.service rescue.target\n"
                         "After=basic.target rescue.service rescue.target\nAllowIsolate=yes\n",
    "graphical.target": "Requires=multi-user.target\nWants=display-manager.service\n"
                        "After=multi-user.target rescue.service rescue.target display-manager.service\n",
}


def test_debians_own_targets_load_with_no_ordering_cycle(vigil):
    L = Layout(vigil)
    for name, deps in DEBIAN_TARGETS.items():
        L.unit(name, f"[Unit]\nDescription={name}\n{deps}")
    L.link("default.target", f"/{LIB}/graphical.target")
    L.service("a.service", marker(L, "a"))
    L.want("a.service")
    run = L.start("-v")
    wait_until(run, lambda: read_lines(L.out / "a"), "a to start", timeout=10)
    wait_until(run, lambda: stderr_lines(run, "graphical.target: start -> exited"), "graphical.target", timeout=10)
    assert not stderr_lines(run, "ordering cycle"), run.stderr
    # Each target came up after what it requires, in systemd's order.
    order = [line.split(":")[1].strip() for line in run.stderr.splitlines() if line.endswith("start -> exited")]
    assert order.index("sysinit.target") < order.index("basic.target") < order.index("multi-user.target") \
        < order.index("graphical.target"), order
    stop_vigil(run)


def test_a_target_with_no_unit_file_is_its_wants_links(vigil):
    """No systemd package in the image: multi-user.target.wants/ links, no file."""
    L = Layout(vigil)
    (L.root / LIB / "multi-user.target").unlink()
    L.service("a.service", marker(L, "a"), extra="Wants=network-online.target\nAfter=network-online.target")
    L.want("a.service")
    run = L.start("-v")
    wait_until(run, lambda: read_lines(L.out / "a"), "a to start", timeout=10)
    for target in ("multi-user.target", "network-online.target"):
        assert len(stderr_lines(run, f"{target}: no unit file; a target of its .wants/")) == 1, run.stderr
    assert not stderr_lines(run, "wanted by", "no unit file of that name"), run.stderr
    st = vigil.ctl("status")
    assert "multi-user.target" in st.stdout, st.stdout
    # A start request for a target of no file and no links: not found.
    r = L.systemctl("start", "nosuch.target", root=False)
    assert r.returncode == 5, (r.returncode, r.stdout, r.stderr)
    stop_vigil(run)


def test_requires_on_a_socket_unit_is_taken_as_satisfied(vigil):
    """rsyslog.service: Requires=syslog.socket (systemd has it; vigil owns /dev/log)."""
    L = Layout(vigil)
    L.unit("r.socket", "[Socket]\nListenDatagram=/tmp/nothing\n")
    L.service("r.service", marker(L, "r"), extra="Requires=r.socket gone.socket\nAfter=r.socket")
    L.service("s.service", marker(L, "s"), extra="Requires=missing.service")
    L.want("r.service")
    L.want("s.service")
    run = L.start()
    wait_until(run, lambda: read_lines(L.out / "r"), "r to start", timeout=10)
    for sock in ("r.socket", "gone.socket"):
        assert len(stderr_lines(run, f"r.service: Requires={sock} is a unit type vigil does not run")) == 1, \
            run.stderr
    # A missing .service is still a failed requirement.
    assert stderr_lines(run, "s.service: Requires=missing.service is not loaded"), run.stderr
    assert not read_lines(L.out / "s")
    stop_vigil(run)


CAP_SYS_RESOURCE, PR_CAPBSET_DROP = 24, 24


def low_hard_limit_without_cap_sys_resource():
    """As in a container: NOFILE's hard limit 4096, no CAP_SYS_RESOURCE
    (dropped from the bounding set, so the exec'd vigil has none)."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 4096))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


def test_a_limit_above_what_vigil_may_set_is_clamped_with_file_line(vigil):
    """redis-server.service: LimitNOFILE=65535 (systemd would fail the exec)."""
    L = Layout(vigil)
    path = L.service("redis.service", f"echo $(ulimit -Sn) $(ulimit -Hn) > {L.out}/nofile; exec sleep 600",
                     extra="")
    text = path.read_text().replace("[Service]\n", "[Service]\nLimitNOFILE=65535\nLimitCORE=0\n")
    path.write_text(text)
    L.want("redis.service")
    run = vigil.start("--systemd-layout", str(L.root), preexec_fn=low_hard_limit_without_cap_sys_resource)
    wait_until(run, lambda: read_lines(L.out / "nofile"), "the unit to start", timeout=10)
    assert read_lines(L.out / "nofile") == ["4096 4096"]
    lines = stderr_lines(run, f"{path}:5: LimitNOFILE=65535 is above the hard limit 4096", "clamped to 4096")
    assert len(lines) == 1, run.stderr
    assert not stderr_lines(run, "LimitCORE"), run.stderr   # below the ceiling: as asked
    stop_vigil(run)


# A daemon as postfix's master: the main command forks a child that makes a
# session of its own and forks the daemon, then both exit; the daemon (a
# child of vigil now, in no group vigil knows) sends a syslog line and
# stays, so its cgroup can be read when vigil reads the line.
DOUBLE_FORK = """
    ( setsid /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"<22>master[1]: daemon started", sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(1000)' "$1" "$2" & )
    exit 0
"""


def test_a_syslog_line_of_a_daemon_that_forked_twice_goes_to_its_unit_by_cgroup(units, vigil, cgroup_root):
    sock = str(vigil.tmp / "log.sock")
    daemon = units.script("double-fork", DOUBLE_FORK)
    sent = units.file("sent")
    units.add("mta", unit_text("[Service]", "Type=forking", f"ExecStart={daemon} {sock} {sent}"))
    run = units.start(f"--syslog-socket={sock}", "--cgroup-root", str(cgroup_root))
    wait_until(run, lambda: os.path.exists(sent), "the daemon's line", timeout=10)
    wait_until(run, lambda: "mta.service[" in vigil.ctl("log", "mta").stdout and
               "master: daemon started" in vigil.ctl("log", "mta").stdout, "the line in the unit's log", timeout=10)
    assert "syslog[" not in run.stdout, "not unattributed:\n" + run.stdout
    stop_vigil(run)
