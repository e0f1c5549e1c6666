"""Fixtures of the engine tier; the harness itself is in engine_harness.py.

`engine` (session): podman configured for this machine, its storage in a
session directory, a runtime that works here (EngineError says why none
does). `images` (session): builds test images (`images.image(units=...)`).
`ctrs` (function): the engine, and every container the test made is removed
when it ends; a failing test's report carries each one's `podman logs`.
"""
import os
import shutil

import pytest

import engine_harness as e


def pytest_configure(config):
    for path in (e.VIGIL, e.VIGILCTL):
        if not os.access(path, os.X_OK):
            raise pytest.UsageError(f"{path} is missing: build it with `make static` "
                                    "(or set $VIGIL / $VIGILCTL to static binaries)")
        if not e.is_static(path):
            raise pytest.UsageError(f"{path} is not a static executable: the image has no libc")
    for tool in (e.PODMAN, e.BUSYBOX):
        if shutil.which(tool) is None:
            raise pytest.UsageError(f"{tool} not found: run tools/install-deps")


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
