"""Fixtures of the engine tier; the harness itself is in engine_harness.py.

`engine` (session): podman configured for this machine, its storage in a
session directory, a runtime that works here (EngineError says why none
does). `images` (session): builds test images (`images.image(units=...)`).
`ctrs` (function): the engine, and every container the test made is removed
when it ends; a failing test's report carries each one's `podman logs`.

Marker `needs(BRANCH)`: the test proves a point of issue 14 implemented on
another branch; it is skipped with "needs branch BRANCH" while the binaries
under test do not have that feature, and runs as soon as they do (see
FEATURES for how each is detected). VIGIL_ENGINE_NEEDS=ignore runs them all
regardless (to see them fail before the merge).
"""
import functools
import os
import shutil
import subprocess
import tempfile

import pytest

import engine_harness as e


def _help(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    return r.stdout + r.stderr


def _has_budget():
    """Branch `budget`: `vigil --help` lists --stop-timeout."""
    return "--stop-timeout" in _help(e.VIGIL)


def _has_probes():
    """Branch `probes`: `vigilctl --help` lists check --live."""
    return "--live" in _help(e.VIGILCTL)


def _has_outer():
    """Branch `outer`: vigil, given a NOTIFY_SOCKET, sends READY=1 to it
    (tried on the host: `vigil -- /bin/true` with a socket of ours)."""
    d = tempfile.mkdtemp(prefix="vigil-outer-probe.")
    rx = e.NotifyReceiver(os.path.join(d, "notify"))
    try:
        env = dict(os.environ, NOTIFY_SOCKET=rx.path, VIGIL_RUNTIME_DIR=d)
        subprocess.run([e.VIGIL, "--control-socket", os.path.join(d, "control"), "--", "/bin/true"],
                       env=env, capture_output=True, timeout=20)
        return rx.first("READY=1", timeout=1) is not None
    finally:
        rx.close()
        shutil.rmtree(d, ignore_errors=True)


FEATURES = {"budget": _has_budget, "probes": _has_probes, "outer": _has_outer}


@functools.lru_cache(maxsize=None)
def feature(branch):
    return FEATURES[branch]()


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(branch): skipped until the feature of that branch of "
                                       "issue 14 is in the binaries under test")
    for path in (e.VIGIL, e.VIGILCTL):
        if not os.access(path, os.X_OK):
            raise pytest.UsageError(f"{path} is missing: build it with `make static` "
                                    "(or set $VIGIL / $VIGILCTL to static binaries)")
        if not e.is_static(path):
            raise pytest.UsageError(f"{path} is not a static executable: the image has no libc")
    for tool in (e.PODMAN, e.BUSYBOX):
        if shutil.which(tool) is None:
            raise pytest.UsageError(f"{tool} not found: run tools/install-deps")


def pytest_runtest_setup(item):
    if os.environ.get("VIGIL_ENGINE_NEEDS") == "ignore":
        return
    for mark in item.iter_markers("needs"):
        branch = mark.args[0]
        if not feature(branch):
            pytest.skip(f"needs branch {branch}")


_INFO = []


def pytest_terminal_summary(terminalreporter):
    for line in _INFO:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def workdir():
    d = e.new_workdir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(workdir):
    helpers = e.compile_helpers(workdir / "helpers")
    try:
        eng = e.Engine(workdir / "p")
    except e.EngineError as err:
        pytest.fail(str(err), pytrace=False)
    builder = e.ImageBuilder(eng, workdir, helpers)
    probe = builder.tar()
    try:
        eng.setup(probe)
    except e.EngineError as err:
        pytest.fail(str(err), pytrace=False)
    finally:
        probe.unlink()
    eng.builder = builder
    _INFO.append(f"engine: podman with runtime {eng.runtime}" + "".join(
        f"; {rt} not used: {why.splitlines()[-1] if why else 'ok'}" for rt, why in eng.runtime_trials.items()
        if rt != eng.runtime))
    yield eng
    eng.teardown()


@pytest.fixture(scope="session")
def images(engine):
    return engine.builder


@pytest.fixture
def ctrs(engine):
    yield engine
    engine.remove_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    eng = item.funcargs.get("ctrs")
    if eng is None:
        return
    for c in eng.containers:
        try:
            rep.sections.append((f"podman logs {c.name}", c.logs()))
        except Exception as err:  # the report must not hide the failure
            rep.sections.append((f"podman logs {c.name}", f"(unavailable: {err})"))
