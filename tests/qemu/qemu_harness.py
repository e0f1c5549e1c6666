"""QEMU harness: boot a real Debian kernel with vigil as /init and read its console.

Three parts, each usable on its own (tests/qemu/test_*.py import from here):

* ``kernel()``: the Debian kernel that ``linux-image-amd64`` depends on,
 fetched once with ``apt-get download`` and unpacked with ``dpkg -x`` under
 build/qemu/ (or $VIGIL_QEMU_CACHE); reused by every later run.
* ``Image``: an initramfs described by a test (files, units, startup scripts,
 kernel modules, the options file), built in a staging directory and packed
 with ``cpio -H newc``. busybox-static provides the shell and the test tools;
 vigil-static is /init (and /sbin/vigil), vigilctl-static is /bin/vigilctl.
* ``VM``: ``qemu-system-x86_64 -accel tcg -nographic -no-reboot`` on that
 kernel and initramfs. The serial console is read line by line into a
 transcript; ``expect()`` waits for a regex, ``wait_exit()`` for QEMU's exit
 status; a hard deadline kills QEMU whatever happens.

Binaries: $VIGIL (default build/vigil-static) and $VIGILCTL (default: the
vigilctl next to it). Both must be static: the initramfs has no libc.
Accelerator: TCG unless $VIGIL_QEMU_ACCEL says otherwise (e.g. ``kvm``; a
/dev/kvm that exists and answers may still hang the guest, as in nested VMs).
"""
import fcntl
import gzip
import os
import pathlib
import re
import shlex
import shutil
import socket
import stat
import struct
import subprocess
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = pathlib.Path(os.environ.get("VIGIL_QEMU_CACHE", str(ROOT / "build" / "qemu")))
VIGIL = os.path.abspath(os.environ.get("VIGIL", str(ROOT / "build" / "vigil-static")))
# vigilctl-static next to $VIGIL (build/vigil-static, build/vigil-static-testhooks...).
VIGILCTL = os.path.abspath(os.environ.get(
    "VIGILCTL", os.path.join(os.path.dirname(VIGIL), "vigilctl-static")))
BUSYBOX = os.environ.get("VIGIL_QEMU_BUSYBOX", "/bin/busybox")
QEMU = os.environ.get("VIGIL_QEMU", "qemu-system-x86_64")
ACCEL = os.environ.get("VIGIL_QEMU_ACCEL", "tcg")
META_PACKAGE = "linux-image-amd64"

# The kernel's own last words (printed at KERN_EMERG, so even with "quiet").
POWER_DOWN = r"reboot: Power down"
RESTARTING = r"reboot: Restarting system"
HALTED = r"reboot: System halted"
PANIC = "Kernel panic"


# ------------------------------------------------------------------ the kernel

class Kernel:
    """An unpacked kernel package: vmlinuz and its modules tree."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        vmlinuz = sorted(self.root.glob("boot/vmlinuz-*"))
        if not vmlinuz:
            raise RuntimeError(f"no boot/vmlinuz-* in {self.root}")
        self.vmlinuz = vmlinuz[-1]
        self.version = self.vmlinuz.name[len("vmlinuz-"):]
        self.modules_dir = self.root / "lib" / "modules" / self.version
        self._index = None

    def module_index(self):
        """{module name (with '_'): path of its .ko[.xz|.zst]}."""
        if self._index is None:
            self._index = {}
            for dirpath, _, files in os.walk(self.modules_dir / "kernel"):
                for f in files:
                    m = re.fullmatch(r"(.+)\.ko(\.xz|\.zst|\.gz)?", f)
                    if m:
                        self._index[m.group(1).replace("-", "_")] = \
                            pathlib.Path(dirpath) / f
        return self._index

    def module_path(self, name):
        path = self.module_index().get(name.replace("-", "_"))
        if path is None:
            if name.replace("-", "_") in self.builtin_modules():
                return None
            raise KeyError(f"no module {name} in {self.modules_dir}")
        return path

    def builtin_modules(self):
        names = set()
        try:
            with open(self.modules_dir / "modules.builtin") as f:
                for line in f:
                    base = os.path.basename(line.strip())
                    names.add(re.sub(r"\.ko$", "", base).replace("-", "_"))
        except FileNotFoundError:
            pass
        return names

    def module_deps(self, name):
        """Names the module depends on (its .modinfo "depends=")."""
        path = self.module_path(name)
        if path is None:
            return []
        info = modinfo(read_module(path))
        deps = info.get("depends", "")
        return [d for d in deps.split(",") if d]

    def modules_closure(self, names):
        """Modules to load for names, each after everything it depends on
        (built-in ones left out)."""
        order, seen = [], set()

        def visit(n, stack):
            n = n.replace("-", "_")
            if n in seen:
                return
            if n in stack:
                raise RuntimeError(f"module dependency cycle: {' -> '.join(stack + [n])}")
            for d in self.module_deps(n):
                visit(d, stack + [n])
            seen.add(n)
            if self.module_path(n) is not None:
                order.append(n)

        for n in names:
            visit(n, [])
        return order


def read_module(path):
    """The ELF bytes of a module, decompressed on the host if needed
    (busybox insmod takes plain .ko only)."""
    path = str(path)
    if path.endswith(".xz"):
        import lzma
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".gz"):
        with gzip.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def modinfo(elf):
    """The key=value strings of a module's .modinfo section (ELF64 LE)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a little-endian ELF64 module")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i):
        base = shoff + i * shentsize
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, base)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    info = {}
    for i in range(shnum):
        name, off, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] != b".modinfo":
            continue
        for item in elf[off:off + size].split(b"\0"):
            if b"=" in item:
                k, v = item.decode(errors="replace").split("=", 1)
                info.setdefault(k, v)
    return info


def is_static(path):
    """True if the ELF file at path has no program interpreter (PT_INTERP):
    it runs in an initramfs without a libc."""
    with open(path, "rb") as f:
        elf = f.read(1 << 16)
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        if phoff + (i + 1) * phentsize > len(elf):
            return False
        if struct.unpack_from("<I", elf, phoff + i * phentsize)[0] == 3:   # PT_INTERP
            return False
    return True


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


def kernel_package():
    """The package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64."""
    out = _run(["apt-cache", "depends", META_PACKAGE]).stdout
    for line in out.splitlines():
        m = re.match(r"\s*Depends:\s*(linux-image-\S+)", line)
        if m:
            return m.group(1)
    raise RuntimeError(f"apt-cache depends {META_PACKAGE} names no linux-image package:\n{out}")


_kernel_lock = threading.Lock()


def kernel():
    """The cached kernel, fetched and unpacked on first use.

    $VIGIL_QEMU_KERNEL_DIR may name an already unpacked package instead.
    Without apt metadata (apt-cache fails) the newest cached kernel is used.
    """
    if os.environ.get("VIGIL_QEMU_KERNEL_DIR"):
        return Kernel(os.environ["VIGIL_QEMU_KERNEL_DIR"])
    CACHE.mkdir(parents=True, exist_ok=True)
    # One fetch at a time, across threads and across test runs sharing the cache.
    with _kernel_lock, open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                pkg = kernel_package()
            except (subprocess.CalledProcessError, RuntimeError):
                if os.geteuid() != 0:
                    raise
                _run(["apt-get", "update", "-qq"])   # a fresh machine may have no package lists
                pkg = kernel_package()
        except (subprocess.CalledProcessError, RuntimeError, FileNotFoundError):
            cached = sorted(CACHE.glob("linux-image-*/.unpacked"))
            if cached:
                return Kernel(cached[-1].parent)
            raise
        dest = CACHE / pkg
        if (dest / ".unpacked").exists():
            return Kernel(dest)
        debs = CACHE / "debs"
        debs.mkdir(exist_ok=True)
        have = sorted(debs.glob(f"{pkg}_*.deb"))
        if not have:
            # The sandbox user _apt cannot write into a root-owned build tree.
            _run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg], cwd=debs)
            have = sorted(debs.glob(f"{pkg}_*.deb"))
            if not have:
                raise RuntimeError(f"apt-get download {pkg} left no .deb in {debs}")
        tmp = pathlib.Path(tempfile.mkdtemp(prefix=pkg + ".", dir=CACHE))
        try:
            _run(["dpkg", "-x", str(have[-1]), str(tmp)])
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        (dest / ".unpacked").write_text(have[-1].name + "\n")
        return Kernel(dest)


# ------------------------------------------------------------------ the initramfs

# Loads /lib/modules/*.ko in the order of /etc/modules.load (one name a line,
# dependencies first, as Image.modules() writes it). Run from a startup script
# (Image.modules(...)) or before vigil (Image(preload_modules=True)).
LOAD_MODULES = """#!/bin/sh
# Load the kernel modules listed in /etc/modules.load, in order.
[ -f /etc/modules.load ] || exit 0
rc=0
while read -r m; do
    [ -n "$m" ] || continue
    if [ -e "/sys/module/$m" ]; then continue; fi
    if ! insmod "/lib/modules/$m.ko"; then
        echo "load-modules: insmod $m failed" >&2
        rc=1
    fi
done < /etc/modules.load
exit $rc
"""

# /init when modules must be in before vigil starts: load them, then become vigil
# (exec keeps PID 1; the kernel's arguments and environment pass through).
PRELOAD_INIT = """#!/bin/sh
/sbin/load-modules
exec /sbin/vigil "$@"
"""

PERSIST_TAG = "persist"
PERSIST_MOUNT = "/persist"
PERSIST_MODULES = ["virtio_pci", "9pnet_virtio", "9p"]


class Image:
    """An initramfs a test describes; build() writes the cpio archive.

    Paths are absolute paths inside the VM. The options file is
    /etc/vigil.conf: ``conf`` lines (each one option, as on the command
    line), then ``-- main`` if a main command is given (a list of words or
    a string used as is). With conf=None there is no /etc/vigil.conf (vigil
    then reads /etc/erlinit.config if the image has one).
    """

    def __init__(self, conf=(), main=None, kernel=None, vigil=VIGIL, vigilctl=VIGILCTL,
                 preload_modules=False, startup_dir="/etc/my_init.d"):
        self.vigil_conf = conf is not None
        self.conf = list(conf or ())
        self.main = main
        self.kernel = kernel
        self.vigil = vigil
        self.vigilctl = vigilctl
        self.preload_modules = preload_modules
        self.startup_dir = startup_dir
        self.files = {}          # path -> (bytes, mode)
        self.symlinks = {}       # path -> target
        self.module_names = []

    # -- describing
    def file(self, path, content, mode=0o644):
        if isinstance(content, str):
            content = content.encode()
        self.files[path] = (content, mode)
        return self

    def script(self, path, body, mode=0o755):
        """An executable shell script (a #!/bin/sh line is added if missing)."""
        if not body.startswith("#!"):
            body = "#!/bin/sh\n" + body
        return self.file(path, body if body.endswith("\n") else body + "\n", mode)

    def startup(self, name, body):
        """A startup script (run by vigil in lexical order before units)."""
        return self.script(f"{self.startup_dir}/{name}", body)

    def unit(self, name, text, units_dir="/etc/vigil/units"):
        if not name.endswith(".service"):
            name += ".service"
        return self.file(f"{units_dir}/{name}", text)

    def symlink(self, path, target):
        self.symlinks[path] = target
        return self

    def modules(self, *names):
        """Load these kernel modules (and what they depend on) at boot:
        from the startup script 00-modules, or before vigil with
        preload_modules=True."""
        self.module_names.extend(names)
        return self

    def persist(self, mount=PERSIST_MOUNT, tag=PERSIST_TAG):
        """Mount the VM's persistent directory (VM(persist_dir=...)) at
        mount, from the startup script 01-persist."""
        self.modules(*PERSIST_MODULES)
        return self.startup("01-persist", f"""
mkdir -p {mount}
mount -t 9p -o trans=virtio,version=9p2000.L,msize=65536 {tag} {mount} || {{
    echo "persist: cannot mount {tag} on {mount}" >&2; exit 1; }}
echo "persist: mounted {tag} on {mount}"
""")

    # -- building
    def conf_text(self):
        lines = [str(line) for line in self.conf]
        if self.main is not None:
            main = self.main if isinstance(self.main, str) else shlex.join(self.main)
            lines.append("-- " + main)
        return "\n".join(lines) + "\n"

    def stage(self, staging):
        """Fill the staging directory staging (which must exist and be empty)."""
        s = pathlib.Path(staging)
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "run", "tmp",
                  "etc/vigil/units", "lib/modules", "root", "var", "mnt"):
            (s / d).mkdir(parents=True, exist_ok=True)
        os.chmod(s / "tmp", 0o1777)
        os.mknod(s / "dev/console", 0o600 | stat.S_IFCHR, os.makedev(5, 1))
        os.mknod(s / "dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        shutil.copy2(BUSYBOX, s / "bin/busybox")
        for applet in busybox_applets():
            if applet in ("bin/busybox", "linuxrc", "sbin/init"):
                continue
            p = s / applet
            p.parent.mkdir(parents=True, exist_ok=True)
            if not p.exists():
                p.symlink_to("/bin/busybox")
        shutil.copy2(self.vigil, s / "sbin/vigil")
        shutil.copy2(self.vigilctl, s / "bin/vigilctl")
        if self.preload_modules:
            _write(s / "init", PRELOAD_INIT.encode(), 0o755)
        else:
            os.link(s / "sbin/vigil", s / "init")
        if self.vigil_conf:
            _write(s / "etc/vigil.conf", self.conf_text().encode(), 0o644)
        _write(s / "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", 0o644)
        _write(s / "etc/group", b"root:x:0:\n", 0o644)
        if self.module_names:
            if self.kernel is None:
                raise RuntimeError("Image.modules() needs Image(kernel=...)")
            names = self.kernel.modules_closure(self.module_names)
            for n in names:
                _write(s / f"lib/modules/{n}.ko", read_module(self.kernel.module_path(n)), 0o644)
            _write(s / "etc/modules.load", ("\n".join(names) + "\n").encode(), 0o644)
            _write(s / "sbin/load-modules", LOAD_MODULES.encode(), 0o755)
            if not self.preload_modules:
                self.startup("00-modules", "exec /sbin/load-modules\n")
        for path, (content, mode) in self.files.items():
            _write(s / path.lstrip("/"), content, mode)
        for path, target in self.symlinks.items():
            p = s / path.lstrip("/")
            p.parent.mkdir(parents=True, exist_ok=True)
            p.symlink_to(target)

    def build(self, out, compress=False):
        """Write the initramfs to out (a path); return out."""
        out = pathlib.Path(out)
        with tempfile.TemporaryDirectory(prefix="vigil-initramfs.") as staging:
            self.stage(staging)
            names = sorted(str(p.relative_to(staging)) for p in pathlib.Path(staging).rglob("*"))
            data = subprocess.run(["cpio", "--quiet", "-H", "newc", "-o", "-R", "0:0"],
                                  cwd=staging, input=("\n".join(names) + "\n").encode(),
                                  stdout=subprocess.PIPE, check=True).stdout
        if compress:
            data = gzip.compress(data, compresslevel=1)
        out.write_bytes(data)
        return out


def _write(path, content, mode):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, mode)


_applets = None


def busybox_applets():
    """Paths (relative, e.g. "bin/ls") of busybox's applets."""
    global _applets
    if _applets is None:
        out = _run([BUSYBOX, "--list-full"]).stdout
        _applets = [line.strip() for line in out.splitlines() if line.strip()]
    return _applets


# ------------------------------------------------------------------ the runner

class Timeout(AssertionError):
    pass


class VM:
    """One QEMU run. Use as a context manager (it is killed on exit).

    append: extra kernel command-line words (a list or a string).
    devices: extra QEMU arguments (e.g. ["-device", "i6300esb"]).
    persist_dir: a host directory shared over virtio-9p (tag "persist");
    the image mounts it with Image.persist().
    deadline: seconds after which QEMU is killed, whatever happens.
    """

    def __init__(self, initrd, kernel=None, append=(), devices=(), persist_dir=None,
                 memory="256M", deadline=120, name="vm", log_dir=None):
        self.kernel = kernel or globals()["kernel"]()
        self.initrd = pathlib.Path(initrd)
        self.append = append.split() if isinstance(append, str) else list(append)
        self.devices = list(devices)
        self.persist_dir = persist_dir
        self.memory = memory
        self.deadline = deadline
        self.name = name
        self.log_dir = pathlib.Path(log_dir) if log_dir else None
        self.lines = []          # the transcript, one console line each ("\r" stripped)
        self.stamps = []         # time.monotonic() at which each line arrived
        self.pos = 0             # expect() searches from here on
        self.proc = None
        self.started = None
        self.killed_by_deadline = False
        self._cond = threading.Condition()
        self._eof = False
        self._reader = None
        self._timer = None
        self._monitor_dir = None

    def command(self):
        cmd = [QEMU, "-accel", ACCEL, "-nographic", "-no-reboot", "-m", self.memory,
               "-smp", "1", "-nic", "none", "-kernel", str(self.kernel.vmlinuz), "-initrd", str(self.initrd),
               "-append", " ".join(["console=ttyS0", "panic=-1", "quiet"] + self.append)]
        if self.persist_dir is not None:
            cmd += ["-virtfs", f"local,path={self.persist_dir},mount_tag={PERSIST_TAG},"
                    f"security_model=none,id={PERSIST_TAG}"]
        if self._monitor_dir is not None:
            cmd += ["-monitor", f"unix:{self._monitor_dir}/monitor,server=on,wait=off"]
        return cmd + self.devices

    def start(self):
        # A human monitor (HMP) on a unix socket, for hmp() (e.g. sendkey).
        self._monitor_dir = tempfile.mkdtemp(prefix="vigil-qemu-mon.")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._timer = threading.Timer(self.deadline, self._on_deadline)
        self._timer.daemon = True
        self._timer.start()
        return self

    def _read(self):
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                break
            buf += chunk
            *whole, buf = buf.split(b"\n")
            if whole:
                now = time.monotonic()
                with self._cond:
                    for raw in whole:
                        self.lines.append(_clean(raw))
                        self.stamps.append(now)
                    self._cond.notify_all()
        with self._cond:
            if buf:
                self.lines.append(_clean(buf))
                self.stamps.append(time.monotonic())
            self._eof = True
            self._cond.notify_all()

    def _on_deadline(self):
        if self.proc and self.proc.poll() is None:
            self.killed_by_deadline = True
            self.proc.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        """Kill QEMU if it still runs; save the transcript."""
        if self._timer:
            self._timer.cancel()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        if self._reader:
            self._reader.join(10)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if self._monitor_dir:
            shutil.rmtree(self._monitor_dir, ignore_errors=True)
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            (self.log_dir / f"{self.name}.log").write_text(self.transcript())

    def hmp(self, command, timeout=10):
        """Send one QEMU monitor command (e.g. "sendkey ctrl-alt-delete");
        return what the monitor answered."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(f"{self._monitor_dir}/monitor")
            out = b""
            while b"(qemu) " not in out:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                out += chunk
            sock.sendall(command.encode() + b"\n")
            out = b""
            while out.count(b"(qemu) ") < 1:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                out += chunk
            return _clean(out)

    # -- reading the console
    def transcript(self):
        with self._cond:
            return "\n".join(self.lines) + "\n"

    def expect(self, pattern, timeout=60):
        """Wait for a console line matching the regex pattern (searched from
        the line after the previous match on); return the re.Match.
        The line's arrival time is in self.last_stamp."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                while self.pos < len(self.lines):
                    i = self.pos
                    self.pos += 1
                    m = rx.search(self.lines[i])
                    if m:
                        self.last_stamp = self.stamps[i]
                        self.last_index = i
                        return m
                left = end - time.monotonic()
                if self._eof:
                    raise Timeout(f"{self.name}: QEMU's console closed "
                                  f"(exit {self.proc.poll()}) before a line matching {pattern!r}")
                if left <= 0:
                    raise Timeout(f"{self.name}: no line matching {pattern!r} within {timeout} s")
                self._cond.wait(min(left, 1.0))

    def seen(self, pattern, start=0):
        """Lines (from index start) matching pattern, without waiting."""
        rx = re.compile(pattern)
        with self._cond:
            return [line for line in self.lines[start:] if rx.search(line)]

    def index_of(self, pattern, start=0):
        """Index of the first line from start matching pattern, or None."""
        rx = re.compile(pattern)
        with self._cond:
            for i in range(start, len(self.lines)):
                if rx.search(self.lines[i]):
                    return i
        return None

    def wait_exit(self, timeout=60):
        """Wait for QEMU to exit; return its exit status."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Timeout(f"{self.name}: QEMU still running after {timeout} s") from None
        if self._reader:
            self._reader.join(10)
        return rc

    def run(self, until=None, timeout=90, linger=0.0, during=None):
        """Boot, call during(self) if given (to drive the VM: expect(),
        hmp()...), then wait for QEMU to exit (until=None) or for a console
        line matching until, plus linger seconds, and then kill QEMU. Never raises
        on a timeout: self.rc is QEMU's exit status (None if it was killed
        by us), self.error says what did not happen in time. Returns self."""
        self.rc, self.error = None, None
        if self.proc is None:
            self.start()
        end = time.monotonic() + timeout
        try:
            if during is not None:
                during(self)
            timeout = max(end - time.monotonic(), 1)
            if until is None:
                self.rc = self.wait_exit(timeout)
            else:
                self.expect(until, timeout)
                if linger:
                    time.sleep(linger)
                self.rc = self.proc.poll()
        except (Timeout, OSError) as e:
            self.error = str(e)
        finally:
            self.stop()
        if self.killed_by_deadline and not self.error:
            self.error = f"{self.name}: killed at the hard deadline ({self.deadline} s)"
        return self

    def elapsed(self, pattern_a, pattern_b):
        """Seconds between the first line matching pattern_a and the first
        line after it matching pattern_b (host arrival times), or None."""
        a = self.index_of(pattern_a)
        if a is None:
            return None
        b = self.index_of(pattern_b, a + 1)
        if b is None:
            return None
        return self.stamps[b] - self.stamps[a]

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def assert_no_panic(self):
        bad = self.seen(PANIC)
        assert not bad, f"{self.name}: the kernel panicked: {bad[0]}"


_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|c)")


def _clean(raw):
    """A console line as text: no "\r", no terminal escapes (SeaBIOS's)."""
    return _ESCAPES.sub("", raw.decode(errors="replace").replace("\r", ""))
