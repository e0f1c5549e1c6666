"""The Debian root (session fixture `debian_root`): built once with
mmdebstrap from the archive and cached under build/distro/, keyed by the
suite and the package list; `booted` (module): vigil as PID 1 of that root
(boot.sh), with helpers to run clients inside its namespaces."""
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VIGIL = os.environ.get("VIGIL", str(REPO / "build/vigil-static"))
VIGILCTL = os.environ.get("VIGILCTL", str(REPO / "build/vigilctl-static"))
SUITE = "bookworm"
MIRROR = os.environ.get("VIGIL_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# The daemons, then the clients the tests drive inside the root.
PACKAGES = ["nginx", "redis-server", "openssh-server", "cron", "postfix", "postgresql", "rsyslog",
            "curl", "openssh-client", "redis-tools", "postgresql-client"]
CACHE = REPO / "build/distro"


def pytest_configure(config):
    for path in (VIGIL, VIGILCTL):
        if not os.access(path, os.X_OK):
            raise pytest.UsageError(f"{path} is missing: build it with `make static`")
    if shutil.which("mmdebstrap") is None:
        raise pytest.UsageError("mmdebstrap not found: run tools/install-deps")


def root_key():
    text = "\n".join([SUITE, MIRROR, *sorted(PACKAGES)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.fixture(scope="session")
def debian_root():
    """The root, packages installed with their maintainer scripts
    (mmdebstrap's own policy-rc.d keeps them from starting meanwhile)."""
    root = CACHE / f"root-{SUITE}-{root_key()}"
    if (root / ".complete").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / f"building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run(["mmdebstrap", "--quiet", "--mode=root", "--variant=apt",
                    "--include=" + ",".join(PACKAGES), SUITE, str(tmp), MIRROR],
                   check=True, timeout=900)
    (tmp / ".complete").write_text(f"built in {time.monotonic() - t0:.0f} s\n")
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    return root


def cgroup2_mount():
    for line in Path("/proc/self/mounts").read_text().splitlines():
        f = line.split()
        if f[2] == "cgroup2":
            return Path(f[1])
    return None


def remove_cgroup(path):
    """Depth first: vigil's groups below it, then it (each empty by now)."""
    if not path.exists():
        return
    for sub in [*sorted((p for p in path.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)), path]:
        for _ in range(50):   # the last processes' exits settle a moment after the reap
            try:
                sub.rmdir()
                break
            except OSError:
                time.sleep(0.1)


class Boot:
    def __init__(self, root, scratch, syslog=""):
        self.scratch = scratch
        self.out = scratch / "vigil.out"
        cg = cgroup2_mount()
        # A group of its own to be the root of its cgroup namespace (as a
        # container's): vigil then gives each unit a group below it.
        # Without one, units are process groups and postfix's master (it
        # forks twice, no PIDFile=) cannot be followed: its tests fail.
        self.cgroup = cg / f"vigil-distro-{os.getpid()}" if cg else None
        try:
            if self.cgroup:
                self.cgroup.mkdir()
        except OSError as err:
            print(f"no cgroup of its own ({err}): units are process groups")
            self.cgroup = None

        def enter_group():
            if self.cgroup:
                (self.cgroup / "cgroup.procs").write_text(str(os.getpid()))

        env = dict(os.environ, VIGIL=VIGIL, VIGILCTL=VIGILCTL, VIGIL_DISTRO_SYSLOG=syslog)
        self.outf = open(self.out, "wb")
        self.proc = subprocess.Popen(
            ["unshare", "-Cpfmn", "--fork", "--kill-child", str(Path(__file__).parent / "boot.sh"),
             str(root), str(scratch)],
            stdin=subprocess.DEVNULL, stdout=self.outf, stderr=subprocess.STDOUT, env=env,
            preexec_fn=enter_group, start_new_session=True)
        self.pid = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.pid is None:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            try:
                pids = kids.read_text().split()
            except OSError:
                pids = []
            if pids and (scratch / "booting").exists():
                exe = Path(f"/proc/{pids[0]}/exe")
                try:
                    if os.readlink(exe).endswith("/sbin/vigil"):
                        self.pid = int(pids[0])
                except OSError:
                    pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if self.pid is None:
            self.stop_hard()
            raise AssertionError("vigil did not boot:\n" + self.log())

    def log(self):
        return self.out.read_text(errors="replace")

    def run(self, *argv, timeout=30, check=False):
        """argv inside the root, in vigil's namespaces (as `docker exec`)."""
        cmd = ["nsenter", "-t", str(self.pid), "-m", "-p", "-n", "-u", "-i", "-C", "-r", "-w", *argv]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check)

    def wait_for(self, what, check, timeout):
        deadline = time.monotonic() + timeout
        while True:
            got = check()
            if got:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout} s\n" + self.log())
            time.sleep(0.3)

    def stop_hard(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.outf.close()
        if self.cgroup:
            remove_cgroup(self.cgroup)


def boot_module(root, tmp_path_factory, syslog=""):
    scratch = tmp_path_factory.mktemp("boot")
    b = Boot(root, scratch, syslog)
    yield b
    b.stop_hard()
    shutil.copy(b.out, CACHE / f"last-boot{'-' + syslog if syslog else ''}.log")   # for a look after a failure
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="module")
def booted(debian_root, tmp_path_factory):
    """Every daemon; rsyslog disabled: vigil's /dev/log keeps the lines."""
    yield from boot_module(debian_root, tmp_path_factory)


@pytest.fixture(scope="module")
def booted_rsyslog(debian_root, tmp_path_factory):
    """rsyslog enabled as installed (the syslog receiver), cron and sshd."""
    yield from boot_module(debian_root, tmp_path_factory, "rsyslog")
