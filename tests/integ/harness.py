"""Integration harness: the real vigil binary, in two modes.

(conftest.py holds the fixtures; tests import what they need from here.)

* ``pid1``: ``unshare -pf --mount-proc VIGIL ...``: vigil is PID 1 of a fresh
  PID namespace (with that namespace's /proc mounted), as in a container.
* ``subreaper``: VIGIL run directly by the test: not PID 1, so it must make
  itself a child subreaper.

Every test that takes the ``vigil`` fixture runs in both modes. The binary
comes from $VIGIL (default: build/vigil). Small C helpers (helpers/*.c) are
compiled once per session into build/tests/integ/.

Each test gets a unique tag in the environment of everything it starts
(vigil inherits it and passes it on to CMD and everything below), so
teardown finds and SIGKILLs whatever a test left behind, on the host and in
the namespaces, and no pid reuse can fool it. Every run's stderr is checked
for sanitizer reports (for VIGIL=build/asan/vigil).
"""
import json
import os
import pathlib
import resource
import signal
import shutil
import subprocess
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIGIL = os.path.abspath(os.environ.get("VIGIL", str(ROOT / "build" / "vigil")))
# vigilctl of the same build: build/vigilctl, build/vigilctl-static, build/asan/vigilctl.
VIGILCTL = os.path.abspath(os.environ.get(
    "VIGILCTL", VIGIL[:-len("vigil-static")] + "vigilctl-static" if VIGIL.endswith("vigil-static")
    else os.path.join(os.path.dirname(VIGIL), "vigilctl")))
HELPER_SRC = pathlib.Path(__file__).resolve().parent / "helpers"
HELPER_DIR = ROOT / "build" / "tests" / "integ"
TAG_VAR = "VIGIL_ITEST_TAG"
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
MODES = ("pid1", "subreaper")
SI_KERNEL = 0x80


# ---------------------------------------------------------------- /proc helpers

def wait_for(predicate, timeout=10.0, interval=0.01, what="a condition"):
    """Poll predicate() until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def proc_stat(pid):
    """(state, ppid, comm) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    comm = data[data.index("(") + 1:data.rindex(")")]
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), comm


def proc_table():
    """{pid: (state, ppid, comm)} of every process visible in /proc."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st:
                table[int(name)] = st
    return table


def children(pid, table=None):
    table = table if table is not None else proc_table()
    return sorted(p for p, (_, ppid, _) in table.items() if ppid == pid)


def descendants(root, table=None):
    """Every process below root (host pids), zombies included."""
    table = table if table is not None else proc_table()
    kids = {}
    for p, (_, ppid, _) in table.items():
        kids.setdefault(ppid, []).append(p)
    out, todo = [], list(kids.get(root, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return sorted(out)


def proc_status(pid):
    """/proc/PID/status as a dict, or None when pid is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except (FileNotFoundError, ProcessLookupError):
        return None


def has_tag(pid, tag):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return f"{TAG_VAR}={tag}".encode() in env.split(b"\0")


def tagged_pids(tag):
    me = os.getpid()
    return [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) != me and has_tag(int(n), tag)]


def alive(pid, tag):
    """pid still names a live (non-zombie) process started by this test."""
    st = proc_stat(pid)
    return st is not None and st[0] not in "ZX" and has_tag(pid, tag)


def read_signals(path):
    """A sigrec log: [(signo, si_code, si_pid), ...]."""
    try:
        with open(path) as f:
            return [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def signos(path):
    return [r[0] for r in read_signals(path)]


def sanitizer_report(text):
    return next((p for p in SANITIZER_REPORTS if p in text), None)


# ---------------------------------------------------------------- running vigil

class Run:
    """One vigil process (in pid1 mode: the unshare process above it)."""

    def __init__(self, harness, argv, proc, out_path, err_path, binary=VIGIL):
        self.harness, self.argv, self.proc = harness, argv, proc
        self.binary = binary
        self.mode = harness.mode
        self.out_path, self.err_path = out_path, err_path
        self.started = time.monotonic()
        self.ended = None
        self._pid = None

    @property
    def pid(self):
        """vigil's pid as seen from the host (in pid1 mode, the child of unshare)."""
        if self._pid is None:
            if self.mode == "subreaper":
                self._pid = self.proc.pid
            else:
                target = os.path.realpath(self.binary)

                def find():
                    for c in children(self.proc.pid):
                        try:
                            if os.readlink(f"/proc/{c}/exe") == target:
                                return c
                        except OSError:
                            pass
                    if self.proc.poll() is not None:
                        raise AssertionError(f"vigil exited ({self.proc.returncode}) before it was found; "
                                             f"stderr:\n{self.stderr}")
                    return None

                self._pid = wait_for(find, timeout=10, what="vigil to start under unshare")
        return self._pid

    @property
    def ns_pid(self):
        """vigil's pid as its children see it."""
        return 1 if self.mode in ("pid1", "system") else self.pid

    @property
    def stderr(self):
        return pathlib.Path(self.err_path).read_text(errors="replace")

    @property
    def stdout(self):
        return pathlib.Path(self.out_path).read_text(errors="replace")

    @property
    def returncode(self):
        return self.proc.returncode

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout=20):
        """Wait for vigil to exit; its exit status (negative: killed by that signal)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"vigil did not exit within {timeout} s; stderr so far:\n{self.stderr}") from None
        if self.ended is None:
            self.ended = time.monotonic()
        self.check_sanitizers()
        return self.proc.returncode

    def wait_timed(self, timeout=20, poll=0.002):
        """Like wait(), polling finely; returns (status, monotonic time of exit)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"vigil did not exit within {timeout} s; stderr so far:\n{self.stderr}")
            time.sleep(poll)
        self.ended = time.monotonic()
        return self.wait(), self.ended

    def check_sanitizers(self):
        found = sanitizer_report(self.stderr)
        assert found is None, f"sanitizer report ({found}) in vigil's stderr:\n{self.stderr}"

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait_signals_ready(self):
        """Until vigil has taken over its signals (SIGTERM blocked for its signalfd,
        or caught by the forwarding handler: SigBlk is the wait's mask while vigil
        sleeps in epoll_pwait, which unblocks the signals that handler takes)."""
        bit = 1 << (signal.SIGTERM - 1)

        def ready():
            st = proc_status(self.pid)
            if st is None:
                raise AssertionError(f"vigil is gone; stderr:\n{self.stderr}")
            return (int(st["SigBlk"], 16) | int(st["SigCgt"], 16)) & bit

        wait_for(ready, timeout=10, what="vigil to block its signals")

    def main_pid(self, comm=None, timeout=10):
        """Host pid of vigil's child (the main command), optionally once it runs `comm`."""
        def find():
            table = proc_table()
            for c in children(self.pid, table):
                if comm is None or table[c][2] == comm:
                    return c
            if self.proc.poll() is not None:
                raise AssertionError(f"vigil exited ({self.proc.returncode}); stderr:\n{self.stderr}")
            return None
        return wait_for(find, timeout=timeout, what=f"vigil's main command {comm or ''}")

    def context_switches(self):
        st = proc_status(self.pid)
        return int(st["voluntary_ctxt_switches"]) + int(st["nonvoluntary_ctxt_switches"])


class Leftover:
    """A main command that leaves a process behind: helpers/leftover.c.

    CMD waits on a FIFO until release(), so the test can first find the
    processes; release() returns the time CMD was let go (it exits at once).
    """

    def __init__(self, harness, run, pidfile, log, fifo):
        self.harness, self.run, self.pidfile, self.log, self.fifo = harness, run, pidfile, log, fifo
        self.pid = None  # host pid of the leftover

    def find(self):
        ns_pid = int(open(self.pidfile).read())
        table = proc_table()
        for p in descendants(self.run.pid, table):
            st = proc_status(p)
            if st and table[p][2] == "leftover" and int(st["NSpid"].split()[-1]) == ns_pid:
                self.pid = p
                return p
        raise AssertionError(f"leftover (pid {ns_pid} in its namespace) not found below vigil")

    def release(self):
        def open_fifo():
            try:
                return os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: CMD has not opened it yet
                return None
        fd = wait_for(open_fifo, what="the main command to wait on its FIFO")
        os.close(fd)
        return time.monotonic()

    def sigterms(self):
        with open(self.log) as f:
            return f.read().split().count("15")

    def alive(self):
        return alive(self.pid, self.harness.tag)


def no_systemd_layout(args):
    """vigil as PID 1 with no command and no units would boot the host's own systemd
    layout (vigil(1) --systemd-layout, issue 15): tests that do not ask for a
    layout get none (erlinit mode, --config DIR/erlinit.config, never takes
    that default; an ordinary options file may, so it gets none either)."""
    args = [str(a) for a in args]
    erlinit = any(a == "--config" and b.endswith("erlinit.config") for a, b in zip(args, args[1:]))
    if erlinit or any(a == "--systemd-layout" or a.startswith("--systemd-layout=") for a in args):
        return []
    return ["--systemd-layout", "no"]


class Harness:
    """What a test gets as `vigil`: start runs in this test's mode, clean up after."""

    def __init__(self, mode, tmp_path, helpers):
        self.mode, self.tmp, self.h = mode, tmp_path, helpers
        self.tag = f"{os.getpid()}-{uuid.uuid4().hex}"
        self.runs, self.others = [], []
        self._n = 0
        # vigil's runtime dir (the notify socket): short, so socket paths fit
        # in sun_path, and private to this test, so tests never share one.
        self.runtime = tempfile.mkdtemp(prefix="vr-", dir="/tmp")
        os.chmod(self.runtime, 0o755)
        self._public = None   # copies of vigil and vigilctl that any user may run (start/ctl with user=)

    def path(self, name):
        return str(self.tmp / name)

    def public_copy(self, binary):
        """binary copied to a directory any user can enter (the checkout may sit in one only root can)."""
        if self._public is None:
            self._public = tempfile.mkdtemp(prefix="vpub-", dir="/tmp")
            os.chmod(self._public, 0o755)
        path = os.path.join(self._public, os.path.basename(binary))
        if not os.path.exists(path):
            shutil.copy(binary, path)
            os.chmod(path, 0o755)
        return path

    def env(self, extra=None, unset=()):
        env = dict(os.environ)
        env[TAG_VAR] = self.tag
        env["VIGIL_RUNTIME_DIR"] = self.runtime
        # ASan builds: a small free-quarantine, so "memory stays flat" checks
        # measure vigil, not ASan's 256 MB of delayed frees (use-after-free
        # of recent frees is still caught).
        asan = os.environ.get("ASAN_OPTIONS")
        env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "quarantine_size_mb=1"
        for name in unset:
            env.pop(name, None)
        env.update(extra or {})
        return env

    def implied_args(self, args):
        """What every test's vigil gets besides args. As PID 1 vigil binds
        /dev/log when nobody listens there; the tests share the host's /dev,
        so they get no syslog receiver unless they ask for one (test_syslog.py);
        and no systemd layout unless they ask for one (no_systemd_layout)."""
        args = [str(a) for a in args]
        if self.mode in ("pid1", "system") and not any(a.startswith("--syslog-socket") for a in args):
            args = ["--syslog-socket=none", *args]
        return no_systemd_layout(args) + args

    def argv(self, args, user=None):
        args = self.implied_args(args)
        if self.mode == "system":
            # `vigil --system` as PID 1 of its own PID, mount and UTS namespaces:
            # its mounts, hostname and reboot(2) stay inside them (reboot(2) in a
            # PID namespace kills its init with SIGHUP or SIGINT). /tmp is bound
            # onto itself first, so vigil sees it mounted and leaves the tests'
            # files in view.
            return ["unshare", "-pfmu", "--mount-proc", "--propagation", "private", "sh", "-c",
                    'mount --bind /tmp /tmp && exec "$0" "$@"', VIGIL, "--system"] + args
        binary, drop = VIGIL, []
        if user is not None:
            # As another uid (issue 14: non-root): unshare as root, then setpriv
            # drops to the uid and execs vigil, PID 1 of the namespace or not.
            binary = self.public_copy(VIGIL)
            drop = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
        base = drop + [binary] if self.mode == "subreaper" else ["unshare", "-pf", "--mount-proc"] + drop + [binary]
        return base + args

    def start(self, *args, stdin=subprocess.DEVNULL, stdout=None, pass_fds=(), preexec_fn=None,
              start_new_session=True, env=None, user=None, unset=()):
        """Start vigil with these arguments (options, then `--`, CMD...); user: as that uid
        (setpriv), in a directory it can enter; unset: names taken out of its environment."""
        self._n += 1
        out_path, err_path = self.path(f"vigil{self._n}.out"), self.path(f"vigil{self._n}.err")

        def preexec():
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if preexec_fn:
                preexec_fn()

        # (a test may replace argv with a one-argument function: it knows nothing of user=)
        argv = self.argv(args) if user is None else self.argv(args, user)
        cwd = str(self.tmp) if user is None else os.path.dirname(self.public_copy(VIGIL))
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout if stdout is not None else out, stderr=err,
                                    pass_fds=pass_fds, preexec_fn=preexec, start_new_session=start_new_session,
                                    env=self.env(env, unset), cwd=cwd)
        run = Run(self, argv, proc, out_path, err_path, VIGIL if user is None else self.public_copy(VIGIL))
        self.runs.append(run)
        return run

    def ctl(self, *args, timeout=10, user=None, env=None, unset=()):
        """Run vigilctl against this test's vigil (its runtime dir); user: a uid to run as;
        env, unset: added to / taken out of its environment."""
        def drop():
            os.setgroups([])
            os.setgid(user)
            os.setuid(user)
        ctl, cwd = VIGILCTL, str(self.tmp)
        if user is not None:
            # The checkout may sit in a directory only root can enter
            # (mktemp -d): that user runs a copy from a public place.
            public = tempfile.mkdtemp(prefix="vctl-", dir="/tmp")
            os.chmod(public, 0o755)
            ctl = shutil.copy(VIGILCTL, os.path.join(public, "vigilctl"))
            os.chmod(ctl, 0o755)
            cwd = public
        try:
            return subprocess.run([ctl, *[str(a) for a in args]], env=self.env(env, unset), cwd=cwd,
                                  capture_output=True, text=True, timeout=timeout,
                                  preexec_fn=drop if user is not None else None)
        finally:
            if user is not None:
                shutil.rmtree(os.path.dirname(ctl), ignore_errors=True)

    def control_socket(self):
        return os.path.join(self.runtime, "control")

    def run(self, *args, timeout=20, **kwargs):
        """Start vigil and wait for it to exit."""
        r = self.start(*args, **kwargs)
        r.wait(timeout)
        return r

    def start_leftover(self, *options, ignore_term=False, code=0, **kwargs):
        """vigil OPTIONS -- leftover: returns (run, leftover), CMD not yet released."""
        pidfile, log, fifo = self.path("leftover.pid"), self.path("leftover.log"), self.path("leftover.fifo")
        for path in (pidfile, log, fifo):
            if os.path.exists(path):
                os.unlink(path)
        os.mkfifo(fifo)
        cmd = [self.h.leftover, *(["-i"] if ignore_term else []), "-e", code, "-w", fifo, pidfile, log]
        run = self.start(*options, "--", *cmd, **kwargs)
        wait_for(lambda: os.path.exists(pidfile) or not run.running(), what="the leftover to start")
        assert os.path.exists(pidfile), f"leftover did not start ({run.wait()}):\n{run.stderr}"
        left = Leftover(self, run, pidfile, log, fifo)
        left.find()
        return run, left

    def spawn(self, argv, **kwargs):
        """Start some other process of this test (tagged, killed in teardown)."""
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen([str(a) for a in argv], env=self.env(), cwd=str(self.tmp), **kwargs)
        self.others.append(p)
        return p

    def cleanup(self):
        for _ in range(100):
            pids = tagged_pids(self.tag)
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        for p in [r.proc for r in self.runs] + self.others:
            try:
                p.kill()
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
        shutil.rmtree(self.runtime, ignore_errors=True)
        if self._public:
            shutil.rmtree(self._public, ignore_errors=True)
        left = tagged_pids(self.tag)
        assert not left, f"could not kill processes left by the test: {left}"
        reports = [r.stderr for r in self.runs if sanitizer_report(r.stderr)]
        assert not reports, "sanitizer report in vigil's stderr:\n" + (reports[0] if reports else "")


# ---------------------------------------------------------------- units (issue 3)
#
# Unit tests write their unit files inline, into a directory of their own,
# and watch what the units' own processes leave behind: lines appended to
# files, timestamps (`date +%s.%N`, the realtime clock, which every process
# and the test share, also across the PID namespace), pids.

import textwrap  # noqa: E402


class Units:
    """One test's units directory (`vigil --units DIR`) and the scripts its units run.

    * add(NAME, TEXT): DIR/NAME.service (TEXT dedented); dropin(NAME, CONF, TEXT);
    * script(NAME, BODY): an executable in ROOT/bin (`#!/bin/sh` unless told);
    * file(NAME): a path in ROOT/out for the units to write to;
    * start(*OPTIONS, cmd=[...]) = vigil --units DIR OPTIONS -- CMD.

    Unit files only ever name scripts and plain paths: no `$` and no `%` in
    them unless a test means it, so nothing depends on systemd's expansion
    rules except where a test is about them.
    """

    def __init__(self, harness, root=None):
        self.h = harness
        self.root = pathlib.Path(root) if root else pathlib.Path(harness.tmp)
        self.dir = self.root / "units"
        self.bin = self.root / "bin"
        self.out = self.root / "out"
        for d in (self.dir, self.bin, self.out):
            d.mkdir(parents=True, exist_ok=True)

    def add(self, name, text, directory=None):
        if not name.endswith(".service"):
            name += ".service"
        path = pathlib.Path(directory or self.dir) / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def dropin(self, name, conf, text):
        if not name.endswith(".service"):
            name += ".service"
        d = self.dir / f"{name}.d"
        d.mkdir(exist_ok=True)
        path = d / conf
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def script(self, name, body, interpreter="/bin/sh"):
        path = self.bin / name
        path.write_text(f"#!{interpreter}\n" + textwrap.dedent(body).lstrip("\n"))
        path.chmod(0o755)
        return str(path)

    def file(self, name):
        return str(self.out / name)

    def wait_cmd(self, *files, code=0):
        """A main command that waits (at most 10 s, else exits 99) until every
        file exists, writes its own end time to out/cmd.end, and exits code."""
        path = self.bin / "wait-cmd"
        if not path.exists():
            self.script("wait-cmd", """
                code=$1; shift
                i=0
                for f in "$@"; do
                        while [ ! -e "$f" ]; do
                                i=$((i + 1)); [ $i -gt 1000 ] && exit 99
                                sleep 0.01
                        done
                done
                date +%s.%N > "$(dirname "$0")/../out/cmd.end"
                exit "$code"
                """)
        return [str(path), str(code), *[str(f) for f in files]]

    def cmd_end(self):
        return float(read_lines(self.out / "cmd.end")[0])

    def start(self, *options, cmd=(), **kwargs):
        args = ["--units", str(self.dir), *options]
        if cmd:
            args += ["--", *cmd]
        return self.h.start(*args, **kwargs)


def read_lines(path):
    """The lines of a file the units write ([] while it does not exist)."""
    try:
        with open(path) as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    except FileNotFoundError:
        return []


def kv(path):
    """{KEY: [VALUE, ...]} of an sdclient log ("KEY=VALUE" tokens, in order)."""
    out = {}
    for line in read_lines(path):
        for tok in line.split():
            key, _, value = tok.partition("=")
            out.setdefault(key, []).append(value)
    return out


def count_lines(path):
    return len(read_lines(path))


def stamps(path, word=None):
    """Timestamps from lines "WORD TIME ..." (or "TIME ..." when word is None)."""
    out = []
    for line in read_lines(path):
        f = line.split()
        if word is None:
            out.append(float(f[0]))
        elif f[0] == word:
            out.append(float(f[1]))
    return out


def stop_vigil(run, timeout=20):
    """SIGTERM to a vigil that has no main command: it stops its units and exits 0."""
    assert run.running(), f"vigil exited early ({run.returncode}):\n{run.stderr}"
    run.signal(signal.SIGTERM)
    status = run.wait(timeout)
    assert status == 0, f"vigil without CMD exits 0 after SIGTERM, not {status}:\n{run.stderr}"
    return status


def stderr_lines(run, *words):
    """vigil's stderr lines that contain every one of words."""
    return [line for line in run.stderr.splitlines() if all(w in line for w in words)]


def public_dir():
    """A directory under /tmp that any user can read (for User= tests), its out/ writable by all."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="vigil-itest-", dir="/tmp"))
    root.chmod(0o755)
    for sub, mode in (("units", 0o755), ("bin", 0o755), ("out", 0o777)):
        (root / sub).mkdir()
        (root / sub).chmod(mode)
    return root


def remove_public_dir(root):
    shutil.rmtree(root, ignore_errors=True)


def wait_until(run, predicate, what, timeout=5.0, interval=0.01):
    """wait_for while vigil runs, with vigil's stderr in the failure message.

    Fails at once when vigil has exited and the condition still does not hold."""
    deadline = time.monotonic() + timeout
    while True:
        exited = not run.running()
        value = predicate()
        if value:
            return value
        if exited:
            raise AssertionError(f"vigil exited with {run.returncode} before {what}; its stderr:\n{run.stderr}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; vigil is running; "
                                 f"its stderr:\n{run.stderr}")
        time.sleep(interval)


def unit_text(*lines):
    """A unit file from lines (None and "" entries are skipped: handy for optional keys)."""
    return "\n".join(line for line in lines if line) + "\n"


# ---------------------------------------------------------------- system mode (issue 6)

RESTART, POWER = signal.SIGHUP, signal.SIGINT   # what reboot(2) in a PID namespace turns into


def ended_by(run, sig, timeout=40):
    """vigil --system ended with reboot(2) of this kind: its PID namespace's init died of sig."""
    rc = run.wait(timeout)
    assert rc in (-sig, 128 + sig), f"vigil ended with {rc}, not by {sig.name}; stderr:\n{run.stderr}"


def status_json(vigil):
    """`vigilctl status --json` as a dict (the call must succeed)."""
    r = vigil.ctl("status", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def unit_of(doc, name):
    return next(u for u in doc["units"] if u["name"] == name)
