"""Fixtures of the integration suite; the harness itself is in harness.py.

`vigil` (parametrized: pid1, subreaper) gives each test a Harness that
starts vigil in that mode and, in teardown, kills whatever the test left
behind and fails on any sanitizer report in vigil's stderr. `helpers` are
the C helpers, compiled once per session.
"""
import os
import signal
import subprocess
import types

import pytest

from harness import HELPER_DIR, HELPER_SRC, MODES, VIGIL, Harness

TEST_TIME_LIMIT = 120  # seconds, per test: a hung test fails instead of hanging the suite


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "serial: runs alone, after the parallel part (tools/test): it moves the machine's clock, "
                   "or loads the machine and measures vigil's time, memory or CPU")
    config.addinivalue_line(
        "markers", "pid1_only: a pure timing rule; only its pid1 run is collected (see pytest_collection_modifyitems)")
    config.addinivalue_line(
        "markers", "subreaper_only(why): means something only when vigil is not PID 1 of its namespace; only the "
                   "subreaper run is collected")


def pytest_collection_modifyitems(config, items):
    """A test marked pid1_only checks a pure timing rule (a timer's length,
    what fires when): the same code in both modes, proven to the
    microsecond by tests/sim, so only the pid1 run is kept as the one
    real-time check with generous bounds (tests/sim/README.md, "Moved from
    tests/integ"). Only where the mode changes nothing the test looks at:
    not for vigil's kill-all of leftovers, the tty, reaping or anything else
    that works differently as PID 1 and as a subreaper. The subreaper run is
    not collected (deselected), not skipped. A test marked subreaper_only
    means something only when vigil is not PID 1 of its namespace (it says
    why in the marker): its pid1 run is not collected."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        mode = params.get("vigil")
        if (item.get_closest_marker("pid1_only") and mode == "subreaper") or \
           (item.get_closest_marker("subreaper_only") and mode == "pid1"):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def helpers():
    """The C helpers, compiled once per session: helpers.NAME is the path of NAME."""
    assert os.access(VIGIL, os.X_OK), f"the binary under test does not exist: {VIGIL} (set $VIGIL or run make)"
    HELPER_DIR.mkdir(parents=True, exist_ok=True)
    jobs = {}
    for src in sorted(HELPER_SRC.glob("*.c")):
        out = HELPER_DIR / src.stem
        tmp = HELPER_DIR / f".{src.stem}.{os.getpid()}.tmp"
        cc = ["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(tmp), str(src)]
        jobs[src.stem] = (out, tmp, subprocess.Popen(cc, stderr=subprocess.PIPE, text=True))
    paths = {}
    for name, (out, tmp, proc) in jobs.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"cannot compile helper {name}:\n{err}"
        os.replace(tmp, out)
        paths[name] = str(out)
    return types.SimpleNamespace(**paths)


@pytest.fixture(params=MODES)
def vigil(request, tmp_path, helpers):
    h = Harness(request.param, tmp_path, helpers)
    yield h
    h.cleanup()


@pytest.fixture
def sysv(tmp_path, helpers):
    """A Harness that starts `vigil --system` as PID 1 of its own PID, mount and UTS namespaces."""
    h = Harness("system", tmp_path, helpers)
    yield h
    h.cleanup()


@pytest.fixture(autouse=True)
def time_limit():
    """A hung test fails after TEST_TIME_LIMIT s instead of hanging the suite."""
    def expired(signo, frame):
        raise AssertionError(f"test took longer than {TEST_TIME_LIMIT} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIME_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- units (issue 3)

from harness import Units, public_dir, remove_public_dir  # noqa: E402


@pytest.fixture
def units(vigil):
    """A units directory for this test (tmp_path/units) and its scripts; see harness.Units."""
    return Units(vigil)


@pytest.fixture
def public_units(vigil):
    """Like units, but under a world-readable /tmp directory (out/ world-writable),
    for units that run as another user; removed after the test."""
    root = public_dir()
    yield Units(vigil, root)
    remove_public_dir(root)
