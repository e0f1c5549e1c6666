"""Engine harness: vigil-static under a real container engine (podman, rootful).

Three parts, used by tests/engine/test_*.py through conftest.py's fixtures:

* ``Engine``: podman with a configuration of its own, written into a session
  directory and pointed to with $CONTAINERS_CONF and $CONTAINERS_STORAGE_CONF
  (nothing under /etc/containers is changed; the machine's own images and
  containers are never seen). Storage: overlay under that directory. Engine
  settings chosen for this machine kind (see README.md, "Why this
  configuration"): cgroupfs as the cgroup manager when systemd is not PID 1,
  events to a file, explicit ulimits (podman asks for 1048576 open files,
  which root cannot set where it lacks CAP_SYS_RESOURCE), and the first OCI
  runtime of crun, runc that can start a container here (crun refuses a
  hybrid cgroup hierarchy whose cgroup2 root has a controller).
  ``Engine.podman(*args)`` runs one podman command with that environment.
* ``Image``: a root file system built from scratch and loaded with
  ``podman import`` (no registry ever): busybox-static with its applets in
  /bin, vigil-static as /sbin/vigil, vigilctl-static as /usr/bin/vigilctl
  (the paths docs/CONTROL.md uses), the static helper ``sdnotify``
  (helpers/sdnotify.c) as /usr/bin/sdnotify, /usr/bin/stamp (STAMP: a unit
  prints when something happened, on the host's boot clock), /etc/passwd and /etc/group,
  plus what a test adds (units in /etc/vigil/units, other files). The base
  tree is staged once per session; each test's image is one more import
  (~0.5 s).
* ``Container``: one container started by a test (``Engine.start``) with
  ``logs()``, ``inspect(fmt)``, ``exec(*cmd)``, ``wait()``, ``stop(t)``,
  ``kill(sig)``, ``top(*descriptors)``; every container a test made is
  removed when it ends. ``NotifyReceiver`` plays the outer manager (systemd's
  side of sd_notify): a datagram socket on the host whose messages are
  stamped on arrival.

Binaries: $VIGIL (default build/vigil-static) and $VIGILCTL (default: the
vigilctl-static next to it); both must be static. The session directory is
under $VIGIL_ENGINE_DIR (default /var/tmp/vigil-engine) and is removed at the end.
"""
import os
import pathlib
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIGIL = os.path.abspath(os.environ.get("VIGIL", str(ROOT / "build" / "vigil-static")))
VIGILCTL = os.path.abspath(os.environ.get(
    "VIGILCTL", os.path.join(os.path.dirname(VIGIL), "vigilctl-static")))
BUSYBOX = os.environ.get("VIGIL_ENGINE_BUSYBOX", "/bin/busybox")
PODMAN = os.environ.get("VIGIL_PODMAN", "podman")
# A short path: with podman's storage (graphroot) at a path of 55 characters
# or more, every container's exit took podman 4.3 20 s to see ("Exceeded
# conmon timeout waiting for container to exit"); at 49 or fewer, at once.
WORK = pathlib.Path(os.environ.get("VIGIL_ENGINE_DIR", "/var/tmp/vigil-engine"))
GRAPHROOT_MAX = 49
HELPER_SRC = pathlib.Path(__file__).resolve().parent / "helpers"
RUNTIMES = ("crun", "runc")
IMAGE_REPO = "localhost/vigil-engine-test"
IMAGE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def is_static(path):
    """True if the ELF file has no program interpreter (PT_INTERP)."""
    out = subprocess.run(["readelf", "-l", path], capture_output=True, text=True)
    return out.returncode == 0 and "INTERP" not in out.stdout


def systemd_is_init():
    return os.path.isdir("/run/systemd/system")


def _hard_limit(resource, cap):
    import resource as r
    hard = r.getrlimit(resource)[1]
    return cap if hard == r.RLIM_INFINITY else min(hard, cap)


# ------------------------------------------------------------------ the engine

class EngineError(Exception):
    pass


class Engine:
    """podman with its own configuration in `workdir` (see the module note)."""

    def __init__(self, workdir):
        self.dir = pathlib.Path(workdir)
        self.conf = self.dir / "containers.conf"
        self.storage_conf = self.dir / "storage.conf"
        self.runtime = None
        self.runtime_trials = {}   # runtime -> why it could not start a container ("" = it could)
        self.env = dict(os.environ, CONTAINERS_CONF=str(self.conf),
                        CONTAINERS_STORAGE_CONF=str(self.storage_conf))
        self.env.pop("NOTIFY_SOCKET", None)   # only a test that plays the outer manager sets it
        self.containers = []
        self.graphroot = self.dir / "g"
        if len(str(self.graphroot)) > GRAPHROOT_MAX:
            raise EngineError(f"{self.graphroot}: podman's storage path is over {GRAPHROOT_MAX} characters, "
                              "with which podman 4.3 takes 20 s to see each container exit: "
                              "set VIGIL_ENGINE_DIR to a shorter directory")

    # -- configuration
    def write_config(self, runtime):
        import resource
        nofile = _hard_limit(resource.RLIMIT_NOFILE, 65536)
        # podman 4.3 (as root) lowers its own RLIMIT_NPROC to 32768: stay under it.
        nproc = _hard_limit(resource.RLIMIT_NPROC, 16384)
        manager = "systemd" if systemd_is_init() else "cgroupfs"
        self.conf.write_text(
            "# written by tests/engine/engine_harness.py\n"
            "[containers]\n"
            f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
            'log_driver = "k8s-file"\n'
            "[engine]\n"
            f'runtime = "{runtime}"\n'
            f'cgroup_manager = "{manager}"\n'
            'events_logger = "file"\n'
            f'events_logfile_path = "{self.dir / "events.log"}"\n')
        self.storage_conf.write_text(
            "# written by tests/engine/engine_harness.py\n"
            "[storage]\n"
            'driver = "overlay"\n'
            f'graphroot = "{self.graphroot}"\n'
            f'runroot = "{self.dir / "r"}"\n')
        self.runtime = runtime

    def setup(self, probe_image_tar):
        """Pick the first runtime that can run a container here; EngineError if none can."""
        self.dir.mkdir(parents=True, exist_ok=True)
        forced = os.environ.get("VIGIL_ENGINE_RUNTIME")
        for runtime in ((forced,) if forced else RUNTIMES):
            if shutil.which(runtime) is None:
                self.runtime_trials[runtime] = "not installed"
                continue
            self.write_config(runtime)
            if not self.images_loaded:
                self.import_tar(probe_image_tar, f"{IMAGE_REPO}:probe")
                self.images_loaded = True
            r = self.podman("run", "--rm", "--network", "none", f"{IMAGE_REPO}:probe", "/bin/true",
                            check=False, timeout=60)
            self.runtime_trials[runtime] = "" if r.returncode == 0 else (r.stderr.strip() or
                                                                         f"exit {r.returncode}")
            if r.returncode == 0:
                return
        raise EngineError("podman cannot run a container here: " +
                          "; ".join(f"{k}: {v}" for k, v in self.runtime_trials.items()))

    images_loaded = False

    # -- commands
    def podman(self, *args, check=True, timeout=60, input=None, env=None):
        cmd = [PODMAN, *map(str, args)]
        r = subprocess.run(cmd, env=env or self.env, capture_output=True, text=True,
                           timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise EngineError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
        return r

    def import_tar(self, tar_path, ref):
        # An imported image has no configuration: without PATH, `podman kube play`
        # containers find no command by name.
        self.podman("import", "--change", f"ENV PATH={IMAGE_PATH}", tar_path, ref, timeout=120)
        return ref

    def start(self, image, *cmd, name=None, opts=(), env=None):
        """`podman run -d OPTS IMAGE CMD...` → Container (removed at the test's end)."""
        name = name or f"vigil-t{os.getpid()}-{len(self.containers)}-{int(time.monotonic() * 1000) % 100000}"
        r = self.podman("run", "-d", "--name", name, "--network", "none", *opts, image, *cmd, env=env)
        c = Container(self, name, r.stdout.strip())
        self.containers.append(c)
        return c

    def run(self, image, *cmd, name=None, opts=(), timeout=60):
        """`podman run` in the foreground (kept, not --rm) → (CompletedProcess, Container)."""
        name = name or f"vigil-f{os.getpid()}-{len(self.containers)}-{int(time.monotonic() * 1000) % 100000}"
        c = Container(self, name, name)
        self.containers.append(c)
        r = self.podman("run", "--name", name, "--network", "none", *opts, image, *cmd, check=False,
                        timeout=timeout)
        return r, c

    def remove_all(self):
        for c in self.containers:
            self.podman("rm", "-f", "-t", "0", c.name, check=False, timeout=60)
        self.containers = []

    def teardown(self):
        self.remove_all()
        self.podman("pod", "rm", "-a", "-f", "-t", "0", check=False, timeout=60)
        self.podman("rm", "-a", "-f", "-t", "0", check=False, timeout=60)
        self.podman("rmi", "-a", "-f", check=False, timeout=120)
        # Not `podman system reset`: it also removes networks outside this directory.
        subprocess.run(["umount", "-R", str(self.graphroot / "overlay")], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class Container:
    def __init__(self, engine, name, cid):
        self.engine, self.name, self.id = engine, name, cid

    def _p(self, *args, **kw):
        return self.engine.podman(*args, **kw)

    def logs(self):
        r = self._p("logs", self.name, check=False)
        return r.stdout + r.stderr

    def inspect(self, fmt):
        return self._p("inspect", "--format", fmt, self.name).stdout.strip()

    def exit_code(self):
        return int(self.inspect("{{.State.ExitCode}}"))

    def running(self):
        return self.inspect("{{.State.Running}}") == "true"

    def exec(self, *cmd, opts=(), timeout=30):
        return self._p("exec", *opts, self.name, *cmd, check=False, timeout=timeout)

    def wait(self, timeout=60):
        r = self._p("wait", self.name, timeout=timeout)
        return int(r.stdout.strip().splitlines()[-1])

    def stop(self, t=10, timeout=60):
        """`podman stop -t T`; returns (seconds it took, CompletedProcess)."""
        t0 = time.monotonic()
        r = self._p("stop", "-t", t, self.name, check=False, timeout=timeout)
        return time.monotonic() - t0, r

    def kill(self, sig):
        return self._p("kill", "-s", sig, self.name)

    def top(self, *descriptors):
        """`podman top NAME DESCRIPTORS` → list of rows (lists of fields), header dropped."""
        out = self._p("top", self.name, *descriptors).stdout.splitlines()
        return [line.split(None, len(descriptors) - 1) for line in out[1:] if line.strip()]

    def wait_log(self, text, timeout=20):
        """Wait until `text` is in the container's log; returns the log (AssertionError if never)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.logs()
            if text in log:
                return log
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not in the log of {self.name} after {timeout} s:\n{log}")
            time.sleep(0.2)


# ------------------------------------------------------------------ images

class ImageBuilder:
    """Stages the base tree once; image(files) imports base + files as a new image."""

    def __init__(self, engine, workdir, helpers):
        self.engine = engine
        self.dir = pathlib.Path(workdir)
        self.base = self.dir / "rootfs"
        self.count = 0
        self._stage_base(helpers)

    def _stage_base(self, helpers):
        b = self.base
        for d in ("bin", "sbin", "usr/bin", "etc/vigil/units", "tmp", "proc", "sys", "dev", "run", "var",
                  "root"):
            (b / d).mkdir(parents=True, exist_ok=True)
        os.chmod(b / "tmp", 0o1777)
        shutil.copy2(BUSYBOX, b / "bin" / "busybox")
        applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                                 check=True).stdout.split()
        for a in applets:
            if a != "busybox" and not (b / "bin" / a).exists():
                os.symlink("busybox", b / "bin" / a)
        shutil.copy2(VIGIL, b / "sbin" / "vigil")
        shutil.copy2(VIGILCTL, b / "usr" / "bin" / "vigilctl")
        for name, path in helpers.items():
            shutil.copy2(path, b / "usr" / "bin" / name)
        (b / "usr" / "bin" / "stamp").write_text(STAMP[0])
        os.chmod(b / "usr" / "bin" / "stamp", STAMP[1])
        (b / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                          "app:x:12345:12345:app:/tmp:/bin/sh\n")
        (b / "etc" / "group").write_text("root:x:0:\napp:x:12345:\n")

    def tar(self, files=None):
        """A tarball of the base tree plus `files` ({path in image: text or (text, mode)})."""
        self.count += 1
        path = self.dir / f"image-{self.count}.tar"
        with tarfile.open(path, "w") as t:
            t.add(self.base, arcname=".")
            for dest, spec in (files or {}).items():
                text, mode = spec if isinstance(spec, tuple) else (spec, 0o644)
                data = text.encode()
                parts = pathlib.PurePosixPath(dest.lstrip("/")).parts
                for i in range(1, len(parts)):
                    d = "/".join(parts[:i])
                    if not (self.base / d).is_dir():
                        info = tarfile.TarInfo(d)
                        info.type, info.mode = tarfile.DIRTYPE, 0o755
                        t.addfile(info)
                info = tarfile.TarInfo(dest.lstrip("/"))
                info.size, info.mode, info.mtime = len(data), mode, int(time.time())
                import io
                t.addfile(info, io.BytesIO(data))
        return path

    def image(self, units=None, files=None, tag=None):
        """Import base + units ({name: text} into /etc/vigil/units) + files → image reference."""
        all_files = dict(files or {})
        for name, text in (units or {}).items():
            all_files[f"/etc/vigil/units/{name}"] = text
        path = self.tar(all_files)
        ref = f"{IMAGE_REPO}:{tag or 'img' + str(self.count)}"
        self.engine.import_tar(path, ref)
        path.unlink()
        return ref


def compile_helpers(outdir):
    """The static helpers for the image: {name: path}."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for src in sorted(HELPER_SRC.glob("*.c")):
        out = outdir / src.stem
        r = subprocess.run(["cc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(out), str(src)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise EngineError(f"cannot compile {src.name}:\n{r.stderr}")
        paths[src.stem] = str(out)
    return paths


# ------------------------------------------------------------------ the outer manager

class NotifyReceiver:
    """A datagram socket playing systemd's side of sd_notify: messages, each stamped
    on arrival with CLOCK_BOOTTIME (the clock of /proc/uptime, inside a container
    too: compare with STAMP's lines), gathered by a thread into .messages [(t, text)]."""

    def __init__(self, path):
        self.path = str(path)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.sock.settimeout(0.1)
        self.messages = []
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.done:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append((boottime(), data.decode(errors="replace")))

    def first(self, assignment, timeout=0):
        """Arrival time of the first datagram holding the line `assignment` (e.g. READY=1), or None."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                for t, text in self.messages:
                    if assignment in text.split("\n"):
                        return t
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def close(self):
        self.done = True
        self.thread.join(timeout=2)
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def boottime():
    """Seconds since boot, the clock of /proc/uptime (not namespaced)."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


# /usr/bin/stamp NAME EVENT in the image: prints "NAME EVENT at UPTIME" (boottime,
# comparable with boottime() on the host), for units that say when something happened.
STAMP = ('#!/bin/sh\nread up idle </proc/uptime\necho "$1 $2 at $up"\n', 0o755)


def stamped(log, name, event):
    """The UPTIME of the first "NAME EVENT at UPTIME" line in `log`, or None."""
    import re
    m = re.search(rf"\b{re.escape(name)} {re.escape(event)} at ([0-9.]+)", log)
    return float(m.group(1)) if m else None


def new_workdir():
    """A session directory PID.XXXXXXXX under WORK (podman's part in it is p/);
    those of sessions that died without their teardown (PID gone) are removed first."""
    WORK.mkdir(parents=True, exist_ok=True)
    for old in WORK.glob("*.*"):
        pid = old.name.split(".")[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            subprocess.run(["umount", "-R", str(old / "p" / "g" / "overlay")], capture_output=True)
            shutil.rmtree(old, ignore_errors=True)
    return pathlib.Path(tempfile.mkdtemp(prefix=f"{os.getpid()}.", dir=WORK))
