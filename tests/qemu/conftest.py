"""Fixtures of the QEMU tests: the cached kernel, and boot() to run an image.

A failing test's report carries the full console transcript of every VM it
used; every transcript is also saved under build/qemu/logs/.
"""
import os
import pathlib
import re
import shutil
import tempfile

import pytest

import qemu_harness as q

LOG_DIR = q.CACHE / "logs"


def pytest_configure(config):
    for path in (q.VIGIL, q.VIGILCTL):
        if not os.access(path, os.X_OK):
            raise pytest.UsageError(f"{path} is missing: build it with `make static` "
                                    "(or set $VIGIL / $VIGILCTL to static binaries)")
        if not q.is_static(path):
            raise pytest.UsageError(f"{path} is not a static executable: the initramfs has no libc")
    if shutil.which(q.QEMU) is None:
        raise pytest.UsageError(f"{q.QEMU} not found: run tools/install-deps")


@pytest.fixture(scope="session")
def kernel():
    return q.kernel()


@pytest.fixture(scope="session")
def run_dir():
    """A scratch directory for initramfs images and persistent directories."""
    q.CACHE.mkdir(parents=True, exist_ok=True)
    d = tempfile.mkdtemp(prefix="run.", dir=q.CACHE)
    yield pathlib.Path(d)
    shutil.rmtree(d, ignore_errors=True)


class Booter:
    """boot(image, name=..., append=..., persist_dir=..., devices=..., until=..., timeout=...)
    builds the image, boots it and waits (VM.run); returns the finished VM."""

    def __init__(self, kernel, run_dir):
        self.kernel, self.run_dir, self.vms = kernel, run_dir, []

    def __call__(self, image, name, until=None, timeout=90, linger=0.0, deadline=None, during=None,
                 **vm_args):
        if image.kernel is None:
            image.kernel = self.kernel
        initrd = image.build(self.run_dir / f"{name}.cpio")
        vm = q.VM(initrd, kernel=self.kernel, name=name, log_dir=LOG_DIR,
                  deadline=deadline or timeout + 30, **vm_args)
        self.vms.append(vm)
        return vm.run(until=until, timeout=timeout, linger=linger, during=during)


@pytest.fixture(scope="module")
def boot(kernel, run_dir):
    """A Booter shared by a module's scenario fixtures."""
    return Booter(kernel, run_dir)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    vms = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, q.VM):
            vms.append(value)
        elif isinstance(value, (list, tuple)):
            vms.extend(v for v in value if isinstance(v, q.VM))
        elif isinstance(value, Booter):
            vms.extend(value.vms)
    seen = set()
    for vm in vms:
        if id(vm) in seen:
            continue
        seen.add(id(vm))
        head = f"QEMU exit status {vm.proc.returncode if vm.proc else None}"
        if getattr(vm, "error", None):
            head += f"; {vm.error}"
        rep.sections.append((f"console of {vm.name} ({head})", _printable(vm.transcript())))


def _printable(text):
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc", "", text)
