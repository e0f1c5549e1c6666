"""vigil as a client of the manager that started it (issue 14, points 4 and 5).

The outer manager is a Python AF_UNIX SOCK_DGRAM listener handed to vigil as
NOTIFY_SOCKET (what podman --sdnotify=container and a Type=notify systemd unit
do): READY=1 only once the boot is complete, STATUS=, STOPPING=1 on SIGTERM,
WATCHDOG=1 at half of WATCHDOG_USEC when WATCHDOG_PID is unset or vigil's.
Socket activation runs through Debian's real `systemd-socket-activate` in
front of vigil. Units and the main command never see the outer variables.
Bad input (a socket that is not there, a full one, LISTEN_FDS naming a
closed fd): one log line each, vigil runs on.
"""
import os
import signal
import socket
import tempfile
import time

import pytest

from harness import Units, stderr_lines, stop_vigil, wait_until

OUTER = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES")


def env_of(path):
    """{KEY: VALUE} of an `env` dump."""
    out = {}
    with open(path) as f:
        for line in f:
            key, eq, value = line.rstrip("\n").partition("=")
            if eq:
                out[key] = value
    return out


class Listener:
    """The outer manager's notify socket: a path under /tmp, or an abstract name."""

    def __init__(self, abstract=False, rcvbuf=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.dir = tempfile.mkdtemp(prefix="vo-", dir="/tmp")
        if abstract:
            name = os.path.basename(self.dir)
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(self.dir, "n")
            self.sock.bind(self.address)
        self.sock.setblocking(False)
        self.got = []   # (monotonic time, text)

    def poll(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return self.got
            self.got.append((time.monotonic(), data.decode()))

    def lines(self, key):
        """(time, value) of every KEY=VALUE line received."""
        out = []
        for t, text in self.poll():
            for line in text.split("\n"):
                if line.startswith(key + "="):
                    out.append((t, line[len(key) + 1:]))
        return out

    def fill(self):
        """Queue datagrams until the socket takes no more (nobody reads it)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setblocking(False)
        n = 0
        try:
            while n < 100000:
                s.sendto(b"X" * 256, self.sock.getsockname())
                n += 1
        except BlockingIOError:
            pass
        finally:
            s.close()
        assert n > 0
        return n

    def close(self):
        self.sock.close()
        if not self.address.startswith("@"):
            os.unlink(self.address)
        os.rmdir(self.dir)


@pytest.fixture
def outer():
    made = []

    def make(**kwargs):
        made.append(Listener(**kwargs))
        return made[-1]
    yield make
    for listener in made:
        listener.close()


def notify_unit(units, name, gate):
    """A Type=notify unit whose main process says READY=1 once gate exists."""
    script = units.script(f"{name}-run", f"""
        import os, socket, sys, time
        with open({units.file(name + '.env')!r}, "w") as f:
            for k, v in os.environ.items():
                f.write(k + "=" + v + "\\n")
        for _ in range(2000):
            if os.path.exists({str(gate)!r}):
                break
            time.sleep(0.01)
        addr = os.environ["NOTIFY_SOCKET"]
        addr = "\\0" + addr[1:] if addr.startswith("@") else addr
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"READY=1", addr)
        time.sleep(600)
        """, interpreter="/usr/bin/python3")
    units.add(name, f"""
        [Service]
        Type=notify
        ExecStart={script}
        TimeoutStartSec=30
        """)


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_ready_only_after_the_units_are_ready_then_stopping(vigil, outer, abstract):
    units = Units(vigil)
    gate = units.file("gate")
    notify_unit(units, "slow", gate)
    listener = outer(abstract=abstract)
    run = units.start(env={"NOTIFY_SOCKET": listener.address})
    wait_until(run, lambda: os.path.exists(units.file("slow.env")), "the notify unit to start")
    time.sleep(1.0)
    assert listener.lines("READY") == [], f"READY=1 before the unit was ready: {listener.got}"
    t_gate = time.monotonic()
    open(gate, "w").close()
    ready = wait_until(run, lambda: listener.lines("READY"), "READY=1 at the outer socket", timeout=10)
    assert ready[0][0] >= t_gate and ready[0][1] == "1"
    status = [v for _, v in listener.lines("STATUS")]
    assert "1 unit running" in status, status
    assert listener.lines("STOPPING") == []
    stop_vigil(run)
    stopping = listener.lines("STOPPING")
    assert [v for _, v in stopping] == ["1"], listener.got
    assert "stopping" in [v for _, v in listener.lines("STATUS")]
    assert len(listener.lines("READY")) == 1


def test_stopping_when_sigterm_goes_to_the_main_command(vigil, outer):
    listener = outer()
    run = vigil.start("--", "sleep", "600", env={"NOTIFY_SOCKET": listener.address})
    wait_until(run, lambda: listener.lines("READY"), "READY=1")
    run.main_pid("sleep")
    run.signal(signal.SIGTERM)
    rc = run.wait(20)
    assert rc == 128 + signal.SIGTERM, run.stderr
    assert [v for _, v in listener.lines("STOPPING")] == ["1"], listener.got


def watchdog_env(vigil, pid_rule):
    env = {"WATCHDOG_USEC": "400000"}
    if pid_rule == "vigil":
        # vigil's pid as vigil sees itself: 1 in its own PID namespace; in
        # subreaper mode the shell below execs vigil, keeping its pid.
        env["WATCHDOG_PID"] = "1" if vigil.mode == "pid1" else "$$"
    elif pid_rule == "other":
        env["WATCHDOG_PID"] = str(os.getpid())
    return env


def start_with_shell_env(vigil, env, *args):
    """vigil started through `sh -c 'export ...; exec VIGIL'`, so $$ can name vigil's own pid."""
    exports = "; ".join(f'export {k}="{v}"' for k, v in env.items())   # "$$": the shell's pid, then vigil's
    orig = vigil.argv

    def argv(a):
        inner = orig(a)
        return ["sh", "-c", exports + '; exec "$@"', "sh", *inner]
    vigil.argv = argv
    try:
        return vigil.start(*args)
    finally:
        vigil.argv = orig


@pytest.mark.parametrize("pid_rule", ["unset", "vigil", "other"])
def test_watchdog_pings_at_half_the_period(vigil, outer, pid_rule):
    listener = outer()
    env = watchdog_env(vigil, pid_rule)
    env["NOTIFY_SOCKET"] = listener.address
    run = start_with_shell_env(vigil, env, "-v")
    wait_until(run, lambda: listener.lines("READY"), "READY=1")
    end = time.monotonic() + 2.5
    while time.monotonic() < end:   # read as they come: each datagram's arrival time
        listener.poll()
        time.sleep(0.005)
    pings = [t for t, v in listener.lines("WATCHDOG") if v == "1"]
    if pid_rule == "other":
        assert pings == [], f"WATCHDOG_PID names another process, yet vigil pinged: {listener.got}"
        assert len(stderr_lines(run, "WATCHDOG_USEC=400000", "not for vigil", "no pings")) == 1, run.stderr
    else:
        # 0.2 s apart: about 12 in 2.5 s; generous bounds for a loaded machine.
        assert 5 <= len(pings) <= 20, f"{len(pings)} pings in 2.5 s: {listener.got}"
        gaps = sorted(b - a for a, b in zip(pings, pings[1:]))
        median = gaps[len(gaps) // 2]
        assert 0.12 <= median <= 0.35, f"median gap {median:.3f} s, want about 0.2 s: {gaps}"
    stop_vigil(run)


def test_units_and_main_command_do_not_see_the_outer_variables(vigil, outer):
    listener = outer()
    units = Units(vigil)
    gate = units.file("gate")
    open(gate, "w").close()
    notify_unit(units, "talker", gate)
    plain = units.script("plain-run", f"""
        env > {units.file('plain.env')}
        exec sleep 600
        """)
    units.add("plain", f"""
        [Service]
        ExecStart={plain}
        """)
    main_env = units.file("main.env")
    env = {"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1234567",
           "LISTEN_FDS": "1", "LISTEN_PID": "1234567", "LISTEN_FDNAMES": "outer"}
    run = units.start("--wait-ready", cmd=["sh", "-c", f"env > {main_env}; sleep 600"], env=env)
    wait_until(run, lambda: os.path.exists(main_env) and os.path.getsize(main_env) > 0, "the main command")
    wait_until(run, lambda: os.path.exists(units.file("plain.env")), "the plain unit")
    main, plain_env, talker = env_of(main_env), env_of(units.file("plain.env")), env_of(units.file("talker.env"))
    for name, seen in (("main command", main), ("plain unit", plain_env)):
        leaked = {k: seen[k] for k in OUTER if k in seen}
        assert not leaked, f"the {name} sees the outer manager's {leaked}"
    assert talker.get("NOTIFY_SOCKET") == os.path.join(vigil.runtime, "notify"), talker.get("NOTIFY_SOCKET")
    for k in ("WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
        assert k not in talker, f"the notify unit sees the outer {k}={talker[k]}"
    run.signal(signal.SIGTERM)
    run.wait(20)


# ---------------------------------------------------------------- bad input

def test_notify_socket_pointing_nowhere(vigil):
    where = f"/tmp/vo-nowhere-{os.getpid()}-{time.monotonic_ns()}"
    run = vigil.start("--", "sh", "-c", "sleep 1.5; exit 7",
                      env={"NOTIFY_SOCKET": where, "WATCHDOG_USEC": "200000"})
    rc = run.wait(20)
    assert rc == 7, f"vigil must run on and pass CMD's status: {rc}\n{run.stderr}"
    lines = stderr_lines(run, f"NOTIFY_SOCKET={where}", "cannot tell the outer manager")
    assert len(lines) == 1, f"one line for ~8 failed sends, not {len(lines)}:\n{run.stderr}"


def test_full_outer_socket(vigil, outer):
    listener = outer(rcvbuf=2048)
    queued = listener.fill()
    run = vigil.start("-v", "--", "sleep", "600",
                      env={"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "200000"})
    wait_until(run, lambda: stderr_lines(run, "cannot tell the outer manager", "full"), "the full-socket line")
    time.sleep(1.0)
    assert len(stderr_lines(run, "cannot tell the outer manager")) == 1, run.stderr
    assert run.running()
    # The outer manager reads again: the pings get through, vigil says so
    # once, and the READY=1 the full socket refused is sent again.
    listener.poll()
    assert len(listener.got) >= queued
    assert listener.lines("READY") == []
    wait_until(run, lambda: [v for t, v in listener.lines("WATCHDOG")], "a ping after the socket drained")
    ready = wait_until(run, lambda: listener.lines("READY"), "the refused READY=1 sent again", timeout=5)
    assert [v for _, v in ready] == ["1"], listener.got
    assert len(stderr_lines(run, "takes messages again")) == 1, run.stderr
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 128 + signal.SIGTERM


def unbound_dgram_sockets(pid):
    """Inodes of pid's AF_UNIX datagram sockets bound to no address (/proc/net/unix):
    the client socket vigil sends to its outer manager from."""
    unbound = set()
    with open(f"/proc/{pid}/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Num RefCount Protocol Flags Type St Inode [Path]
            if fields[4] == "0002" and len(fields) == 7:
                unbound.add(int(fields[6]))
    mine = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(int(target[8:-1]))
    return mine & unbound


def test_one_client_socket_for_all_datagrams_and_a_restarted_outer_manager(vigil, outer):
    # Every WATCHDOG=1 and READY=1 goes out from one socket vigil keeps (not a
    # socket per datagram); when the outer manager goes away and binds its
    # path again, one warning, then the pings reach the new socket.
    listener = outer()
    run = vigil.start("-v", "--", "sleep", "600",
                      env={"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "200000"})
    wait_until(run, lambda: listener.lines("READY") and len(listener.lines("WATCHDOG")) >= 3, "READY=1 and pings")
    first = unbound_dgram_sockets(run.pid)
    assert len(first) == 1, f"vigil holds {len(first)} unbound datagram sockets: {first}"
    seen = len(listener.lines("WATCHDOG"))
    wait_until(run, lambda: len(listener.lines("WATCHDOG")) >= seen + 5, "five more pings")
    assert unbound_dgram_sockets(run.pid) == first, "the pings did not all go out from the one socket"
    listener.sock.close()
    os.unlink(listener.address)
    wait_until(run, lambda: stderr_lines(run, "cannot tell the outer manager"), "the warning for the missing socket")
    listener.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.sock.bind(listener.address)
    listener.sock.setblocking(False)
    listener.got = []
    wait_until(run, lambda: len(listener.lines("WATCHDOG")) >= 2, "pings to the outer manager's new socket")
    assert len(stderr_lines(run, "cannot tell the outer manager")) == 1, run.stderr
    assert len(stderr_lines(run, "takes messages again")) == 1, run.stderr
    assert unbound_dgram_sockets(run.pid) == first
    run.signal(signal.SIGTERM)
    assert run.wait(20) == 128 + signal.SIGTERM


def test_listen_fds_naming_a_closed_fd(vigil):
    """LISTEN_FDS=2 with fd 3 open and fd 4 closed: one line, no LISTEN_* for CMD, it runs."""
    out = vigil.path("cmd.env")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    n = os.dup(sock.fileno())
    orig = vigil.argv
    # bash: fd 3 = the socket, fd 4 closed, LISTEN_PID = the shell, which execs vigil (or unshare).
    vigil.argv = lambda a: ["bash", "-c", f'export LISTEN_PID=$$; exec 3<&{n} {n}<&- 4<&-; exec "$@"', "bash",
                            *orig(a)]
    try:
        run = vigil.start("--", "sh", "-c", f"env > {out}; [ -e /proc/$$/fd/3 ] && echo FD3=open >> {out}; exit 5",
                          env={"LISTEN_FDS": "2"}, pass_fds=(n,))
    finally:
        vigil.argv = orig
        os.close(n)
        sock.close()
    assert run.wait(20) == 5, run.stderr
    lines = stderr_lines(run, "LISTEN_FDS=2", "fd 4", "not open")
    assert len(lines) == 1, run.stderr
    seen = env_of(out)
    assert not [k for k in OUTER if k in seen], seen
    assert "FD3" not in seen, "fd 3 reached CMD though LISTEN_FDS was refused"


# ---------------------------------------------------------------- socket activation

@pytest.mark.subreaper_only("as PID 1 of its namespace vigil takes any LISTEN_PID (man vigil, ENVIRONMENT)")
def test_listen_pid_of_another_process_is_not_taken(vigil):
    """LISTEN_PID naming another process (vigil not PID 1): the fds are not
    vigil's, CMD gets neither fd 3 nor LISTEN_*. As PID 1 of a namespace any
    LISTEN_PID is taken (it was written in the parent namespace)."""
    out = vigil.path("cmd.env")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    n = os.dup(sock.fileno())
    orig = vigil.argv
    vigil.argv = lambda a: ["bash", "-c", f'exec 3<&{n} {n}<&-; exec "$@"', "bash", *orig(a)]
    try:
        run = vigil.start("-v", "--", "sh", "-c", f"env > {out}; [ -e /proc/$$/fd/3 ] && echo FD3=open >> {out}; exit 0",
                          env={"LISTEN_FDS": "1", "LISTEN_PID": str(os.getpid())}, pass_fds=(n,))
    finally:
        vigil.argv = orig
        os.close(n)
        sock.close()
    assert run.wait(20) == 0, run.stderr
    assert len(stderr_lines(run, "LISTEN_FDS=1", f"LISTEN_PID={os.getpid()}", "not vigil")) == 1, run.stderr
    seen = env_of(out)
    assert not [k for k in OUTER if k in seen], seen
    assert "FD3" not in seen, "fd 3 reached CMD though LISTEN_PID named another process"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_socket_activation_through_systemd_socket_activate(vigil):
    """systemd-socket-activate -l 127.0.0.1:PORT vigil -- CMD: the connection
    reaches CMD on fd 3, CMD's LISTEN_PID is its own pid, a unit gets neither
    the fd nor LISTEN_*, and vigil keeps no copy once CMD has it."""
    units = Units(vigil)
    unit_out = units.file("unit.out")
    side = units.script("side-run", f"""
        [ -e /proc/$$/fd/3 ] && echo FD3=open > {unit_out}
        env >> {unit_out}
        exec sleep 600
        """)
    units.add("side", f"""
        [Service]
        ExecStart={side}
        """)
    cmd = units.script("serve", """
        import os, socket, time
        s = socket.socket(fileno=3)
        c, _ = s.accept()
        c.sendall(("%d %s %s %s\\n" % (os.getpid(), os.environ.get("LISTEN_PID"), os.environ.get("LISTEN_FDS"),
                                        os.readlink("/proc/self/fd/3"))).encode())
        c.close()
        time.sleep(600)
        """, interpreter="/usr/bin/python3")
    port = free_port()
    orig = vigil.argv
    keep = [a for k in ("VIGIL_ITEST_TAG", "VIGIL_RUNTIME_DIR", "PATH", "ASAN_OPTIONS") for a in ("-E", k)]
    vigil.argv = lambda a: ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", *keep, *orig(a)]
    try:
        run = units.start("-v", cmd=[cmd])
    finally:
        vigil.argv = orig

    def connect():
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except ConnectionRefusedError:
            return None
    c = wait_until(run, connect, "systemd-socket-activate to listen")
    data = b""
    with c:
        c.settimeout(15)
        while not data.endswith(b"\n"):
            chunk = c.recv(200)
            if not chunk:
                break
            data += chunk
    assert data, f"nothing came back from CMD; vigil's stderr:\n{run.stderr}"
    pid, listen_pid, listen_fds, sock_id = data.decode().split()
    assert listen_pid == pid, f"CMD's LISTEN_PID={listen_pid}, its pid {pid}"
    assert listen_fds == "1"
    assert sock_id.startswith("socket:"), sock_id
    wait_until(run, lambda: os.path.exists(unit_out) and "PATH=" in open(unit_out).read(), "the unit")
    seen = env_of(unit_out)
    assert "FD3" not in seen, "the unit got fd 3"
    assert not [k for k in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES") if k in seen], seen
    held = []
    for n in os.listdir(f"/proc/{run.pid}/fd"):
        try:
            held.append(os.readlink(f"/proc/{run.pid}/fd/{n}"))
        except OSError:
            pass
    assert sock_id not in held, f"vigil still holds the activation socket {sock_id}: {held}"
    assert len(stderr_lines(run, "handed 1 socket-activation fd to the main command")) == 1, run.stderr
    run.signal(signal.SIGTERM)
    run.wait(20)
