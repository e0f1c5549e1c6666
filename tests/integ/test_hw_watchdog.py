"""The hardware watchdog (SPEC §7, §8; issue 7 items 1-5), against a device
played by an LD_PRELOAD shim (tests/shim/wdt_shim.c): vigil opens
--watchdog-device, sets --runtime-watchdog-sec, pets at half the granted
timeout only while healthy, re-arms with --reboot-watchdog-sec for a
requested shutdown only, disarms with the magic close on a clean exit unless
nowayout, reports busy/missing devices and refused timeouts, snoozes, and
shows it all in `vigilctl watchdog`, `status --json` and `metrics`.

The shim records every device call with CLOCK_MONOTONIC stamps (the same
clock as time.monotonic() here, also across the PID namespace), so the
tests assert ordered event streams and gaps between pets.

A fully static vigil cannot be preloaded: with VIGIL=build/vigil-static
these tests are skipped (the QEMU tests cover the static binary against a
real i6300esb). Run: VIGIL=build/vigil (or build/asan/vigil) pytest this file.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from harness import (POWER, RESTART, ROOT, VIGIL, Units, ended_by, read_lines, stderr_lines, stop_vigil,
                     unit_text, wait_for, wait_until)

SHIM_SRC = ROOT / "tests" / "shim" / "wdt_shim.c"
SHIM_SO = ROOT / "build" / "tests" / "shim" / "wdt_shim.so"
SLACK = 1.5          # seconds a pet may come late on a loaded 2-CPU machine
EARLY = 0.05         # a pet never comes sooner than its interval (timerfd), minus clock slop

if VIGIL.endswith("vigil-static"):
    pytest.skip("a static vigil cannot be LD_PRELOADed; tests/qemu covers it with a real watchdog",
                allow_module_level=True)


@pytest.fixture(scope="session")
def shim():
    SHIM_SO.parent.mkdir(parents=True, exist_ok=True)
    tmp = SHIM_SO.with_suffix(f".{os.getpid()}.tmp")
    r = subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(tmp),
                        str(SHIM_SRC), "-ldl"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"cannot build the watchdog shim:\n{r.stderr}"
    os.replace(tmp, SHIM_SO)
    return str(SHIM_SO)


class Device:
    """One test's shim device: its path (basename watchdog7, so vigil looks
    for /sys/class/watchdog/watchdog7/nowayout, which the shim serves), its
    log, and the environment that makes vigil see it."""

    def __init__(self, vigil, shim, **config):
        self.vigil = vigil
        self.path = vigil.path("watchdog7")
        self.log = vigil.path("wdt.log")
        self.env = {"LD_PRELOAD": shim, "VIGIL_WDT_SHIM_PATH": self.path, "VIGIL_WDT_SHIM_LOG": self.log}
        # An ASan vigil: the shim comes before the ASan runtime in the
        # library list, which ASan refuses unless told.
        asan = vigil.env().get("ASAN_OPTIONS", "")
        self.env["ASAN_OPTIONS"] = asan + ":verify_asan_link_order=0"
        for key, value in config.items():
            self.env["VIGIL_WDT_SHIM_" + key.upper()] = str(value)

    def options(self, runtime=2, reboot=None):
        opts = ["--watchdog-device", self.path, "--runtime-watchdog-sec", runtime]
        if reboot is not None:
            opts += ["--reboot-watchdog-sec", reboot]
        return opts

    def events(self):
        """[(time, event, args...)] of vigil's device (the shim's own pid column dropped)."""
        out = []
        for line in read_lines(self.log):
            f = line.split()
            out.append((float(f[0]), *f[2:]))
        return out

    def names(self):
        return [e[1] for e in self.events()]

    def stamps(self, name):
        return [e[0] for e in self.events() if e[1] == name]


def gaps(ts):
    return [b - a for a, b in zip(ts, ts[1:])]


NOTIFIER = """\
import os, socket, sys, time
log, pings, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def send(m):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    a = os.environ["NOTIFY_SOCKET"]
    s.sendto(m.encode(), "\\0" + a[1:] if a[0] == "@" else a)
    s.close()
def note(w):
    with open(log, "a") as f:
        f.write(f"{w} {time.monotonic():.6f}\\n")
send("READY=1")
for i in range(pings):
    note("ping")
    send("WATCHDOG=1")
    time.sleep(period)
note("hang")
while True:
    time.sleep(3600)
"""


def critical_units(units, pings, watchdog_sec=1, slow_stop=3):
    """critical.service: FailureAction=reboot + WatchdogSec, pings `pings`
    times 0.2 s apart then hangs; slow.service ignores SIGTERM, so a stop
    lasts its TimeoutStopSec (the shutdown window the tests look into)."""
    notifier = units.script("notifier", NOTIFIER, interpreter="/usr/bin/python3")
    units.add("critical", unit_text(
        "[Unit]", "FailureAction=reboot",
        "[Service]", "Type=notify", f"WatchdogSec={watchdog_sec}", "TimeoutStopSec=2",
        f"ExecStart={notifier} {units.file('critical.log')} {pings} 0.2"))
    slow = units.script("slow", "trap '' TERM\nexec sleep 1000\n")
    units.add("slow", unit_text("[Service]", f"ExecStart={slow}", f"TimeoutStopSec={slow_stop}"))
    return units.file("critical.log")


def start(vigil, dev, *options, cmd=None, units=None):
    args = list(options)
    if units is not None:
        args = ["--units", str(units.dir), *args]
    if cmd:
        args += ["--", *cmd]
    return vigil.start(*args, env=dev.env)


# ---------------------------------------------------------------- open, timeout, pets

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_opens_the_device_sets_the_timeout_and_pets_at_half_of_it(vigil, shim):
    dev = Device(vigil, shim)
    t0 = time.monotonic()
    run = start(vigil, dev, *dev.options(runtime=2), cmd=["sleep", "5"])
    assert run.wait(30) == 0, run.stderr
    names = dev.names()
    assert names[:3] == ["open", "getsupport", "getbootstatus"], names
    opened = dev.events()[0]
    assert opened[3] == "cloexec=yes", opened
    sets = [e for e in dev.events() if e[1] == "settimeout"]
    assert sets[0][2:] == ("2", "2"), sets
    pets = [t for t in dev.stamps("keepalive") if t >= t0]
    # 5 s of a 2 s timeout, petted every 1 s: 5 or 6 pets (one at open), then
    # the shutdown's one pet after the reboot timeout.
    running = [t for t in pets if t <= dev.stamps("settimeout")[-1]]
    assert 4 <= len(running) <= 7, (running, run.stderr)
    for g in gaps(running):
        assert 1.0 - EARLY <= g <= 1.0 + SLACK, (gaps(running), run.stderr)
    assert "timeout 2 s, petting every 1s while healthy" in run.stderr


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_the_driver_rounds_the_timeout_and_vigil_pets_at_half_of_what_it_granted(vigil, shim):
    dev = Device(vigil, shim, round=4)
    run = start(vigil, dev, *dev.options(runtime=3), cmd=["sleep", "5"])
    assert run.wait(30) == 0, run.stderr
    assert ("settimeout", "3", "4") == tuple(e for e in dev.events() if e[1] == "settimeout")[0][1:], dev.events()
    assert stderr_lines(run, "asked for a 3 s timeout, the driver granted 4 s"), run.stderr
    first_set = dev.stamps("settimeout")[0]
    shutdown_set = dev.stamps("settimeout")[-1]
    running = [t for t in dev.stamps("keepalive") if first_set <= t < shutdown_set]
    assert 2 <= len(running) <= 4, running
    for g in gaps(running):
        assert 2.0 - EARLY <= g <= 2.0 + SLACK, gaps(running)


def test_a_clean_exit_of_a_device_that_can_stop_disarms_it_with_the_magic_close(vigil, shim):
    dev = Device(vigil, shim, nowayout=0)
    run = start(vigil, dev, *dev.options(), cmd=["true"])
    assert run.wait(30) == 0, run.stderr
    names = dev.names()
    assert names[-2:] == ["write", "close"], names
    write, close = dev.events()[-2:]
    assert write[3] == "magic=yes" and close[2] == "disarmed", dev.events()
    assert stderr_lines(run, "disarmed (magic close)"), run.stderr


def test_a_nowayout_device_is_never_closed_and_the_log_says_nowayout(vigil, shim):
    dev = Device(vigil, shim, nowayout=1)
    run = start(vigil, dev, *dev.options(), cmd=["true"])
    assert run.wait(30) == 0, run.stderr
    assert "sysfs-nowayout" in dev.names()
    assert "write" not in dev.names() and "close" not in dev.names(), dev.events()
    assert stderr_lines(run, "nowayout", "cannot be disarmed"), run.stderr


def test_a_driver_without_magic_close_and_no_sysfs_is_taken_as_nowayout(vigil, shim):
    # SETTIMEOUT | KEEPALIVEPING, no MAGICCLOSE; sysfs says nothing: closing
    # could not be relied on, so vigil never closes it.
    dev = Device(vigil, shim, options=0x8080)
    run = start(vigil, dev, *dev.options(), cmd=["true"])
    assert run.wait(30) == 0, run.stderr
    assert "close" not in dev.names() and "write" not in dev.names(), dev.events()
    assert stderr_lines(run, "nowayout"), run.stderr


# ---------------------------------------------------------------- unusable devices

def test_a_busy_device_is_reported_and_vigil_runs_on_without_it(vigil, shim):
    dev = Device(vigil, shim, open_errno=16)
    run = start(vigil, dev, *dev.options(), cmd=["sh", "-c", "sleep 0.5; exit 7"])
    assert run.wait(30) == 7, run.stderr
    assert dev.names() == ["open-refused"], dev.events()
    lines = stderr_lines(run, "hardware watchdog", "busy", "running without it")
    assert len(lines) == 1, run.stderr


def test_vigilctl_says_why_a_configured_device_is_unusable(vigil, shim):
    dev = Device(vigil, shim, open_errno=16)
    run = start(vigil, dev, *dev.options())
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    r = vigil.ctl("watchdog")
    assert r.returncode == 1 and "no hardware watchdog: " in r.stderr and "is busy" in r.stderr, (r.stdout, r.stderr)
    w = json.loads(vigil.ctl("status", "--json").stdout)["watchdog"]
    assert w["state"] == "unavailable" and w["device"] == dev.path and "busy" in w["why"], w
    assert "vigil_watchdog_healthy 0" in vigil.ctl("metrics").stdout
    stop_vigil(run)


def test_a_missing_device_is_reported_and_vigil_runs_on_without_it(vigil):
    missing = vigil.path("no-such-watchdog")
    run = vigil.start("--watchdog-device", missing, "--runtime-watchdog-sec", "2", "--", "sh", "-c", "exit 3")
    assert run.wait(30) == 3, run.stderr
    lines = stderr_lines(run, "hardware watchdog", missing, "No such file", "running without it")
    assert len(lines) == 1, run.stderr


def test_a_refused_timeout_is_reported_and_the_device_disarmed(vigil, shim):
    dev = Device(vigil, shim, refuse=1, nowayout=0)
    run = start(vigil, dev, *dev.options(), cmd=["sleep", "2.5"])
    assert run.wait(30) == 0, run.stderr
    names = dev.names()
    assert "settimeout" in names and names[-2:] == ["write", "close"], dev.events()
    assert "keepalive" not in names, dev.events()
    assert dev.events()[-1][2] == "disarmed"
    assert stderr_lines(run, "refused a 2 s timeout", "disarmed it", "running without"), run.stderr


def test_without_the_runtime_timeout_the_device_is_never_opened(vigil, shim):
    dev = Device(vigil, shim)
    run = start(vigil, dev, "--watchdog-device", dev.path, cmd=["true"])
    assert run.wait(30) == 0, run.stderr
    assert dev.names() == [], dev.events()


# ---------------------------------------------------------------- gating and the way down

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_a_critical_unit_that_stops_pinging_stops_the_pets_for_good(vigil, shim, units):
    dev = Device(vigil, shim)
    log = critical_units(units, pings=5)
    run = start(vigil, dev, *dev.options(runtime=2), units=units)
    wait_until(run, lambda: any(l.startswith("hang") for l in read_lines(log)), "the unit to stop pinging",
               timeout=30)
    assert run.wait(40) != 0, run.stderr
    end = time.monotonic()
    pings = [float(l.split()[1]) for l in read_lines(log) if l.startswith("ping")]
    miss = pings[-1] + 1.0      # WatchdogSec=1 after the last ping
    # The shutdown after the miss lasted (slow.service's 3 s stop): a
    # healthy vigil would have petted in it; this one must not.
    assert end - miss >= 2.0, (end - miss, run.stderr)
    late = [t for t in dev.stamps("keepalive") if t > miss + 0.5]
    assert late == [], (late, miss, run.stderr)
    # A health failure keeps the runtime timeout: no re-arm with the reboot one.
    assert [e[2:] for e in dev.events() if e[1] == "settimeout"] == [("2", "2")], dev.events()
    assert stderr_lines(run, "unhealthy", "critical.service"), run.stderr
    assert stderr_lines(run, "health failure", "keeping the 2 s runtime timeout"), run.stderr
    # Container mode: vigil exits; the device can stop: magic close.
    assert dev.events()[-1][1:] == ("close", "disarmed"), dev.events()


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_a_requested_shutdown_rearms_with_the_reboot_timeout_and_pets_once(vigil, shim, units):
    dev = Device(vigil, shim)
    slow = units.script("slow", "trap '' TERM\nexec sleep 1000\n")
    units.add("slow", unit_text("[Service]", f"ExecStart={slow}", "TimeoutStopSec=3"))
    run = start(vigil, dev, *dev.options(runtime=2, reboot=120), units=units)
    wait_until(run, lambda: len(dev.stamps("keepalive")) >= 2, "two pets", timeout=20)
    stop_vigil(run, timeout=30)
    ev = dev.events()
    i = next(k for k, e in enumerate(ev) if e[1] == "settimeout" and e[2] == "120")
    assert ev[i][3] == "120"
    after = [e[1] for e in ev[i + 1:]]
    # One pet right after the re-arm, then none through the 3 s unit stop.
    assert after == ["keepalive", "write", "close"], ev[i:]
    assert ev[-1][2] == "disarmed"
    assert ev[-2][0] - ev[i][0] >= 2.5, ev[i:]
    assert stderr_lines(run, "armed with 120 s for the shutdown, no more pets"), run.stderr


# ---------------------------------------------------------------- snooze

@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_snooze_keeps_petting_a_sick_system_for_its_bound_and_no_longer(vigil, shim, units):
    dev = Device(vigil, shim)
    log = critical_units(units, pings=8)
    run = start(vigil, dev, *dev.options(runtime=2), units=units)
    wait_until(run, lambda: read_lines(log), "the critical unit to start", timeout=20)
    r = vigil.ctl("watchdog", "snooze", "6")
    assert r.returncode == 0 and "snoozing for 6s" in r.stdout, (r.stdout, r.stderr)
    snoozed = time.monotonic()
    assert run.wait(40) != 0, run.stderr
    pings = [float(l.split()[1]) for l in read_lines(log) if l.startswith("ping")]
    miss = pings[-1] + 1.0
    assert snoozed < miss < snoozed + 6 - 1.5, "the miss must fall inside the snooze for this test to mean anything"
    pets = dev.stamps("keepalive")
    # Unhealthy from the miss, yet petted through the snooze...
    during = [t for t in pets if miss + 0.2 < t < snoozed + 6]
    assert len(during) >= 1, (pets, miss, snoozed)
    # ...and never after it (its end runs the postponed FailureAction=reboot).
    after = [t for t in pets if t > snoozed + 6 + 0.5]
    assert after == [], (after, snoozed)
    assert stderr_lines(run, "postponed"), run.stderr
    assert stderr_lines(run, "snooze over"), run.stderr
    shut = stderr_lines(run, "shutting down")
    assert shut, run.stderr


def test_snooze_is_capped_and_zero_ends_it(vigil, shim):
    dev = Device(vigil, shim)
    run = start(vigil, dev, *dev.options(runtime=2))
    wait_until(run, lambda: dev.stamps("keepalive"), "the first pet", timeout=20)
    r = vigil.ctl("watchdog", "snooze", "2h")
    assert r.returncode == 0 and "snoozing for 3600s (the cap)" in r.stdout, (r.stdout, r.stderr)
    r = vigil.ctl("--json", "watchdog")
    w = json.loads(r.stdout)["watchdog"]
    assert 3500e6 < w["snooze_left_usec"] <= 3600e6, w
    r = vigil.ctl("watchdog", "snooze", "0")
    assert r.returncode == 0 and "snooze ended" in r.stdout, r.stdout
    w = json.loads(vigil.ctl("--json", "watchdog").stdout)["watchdog"]
    assert w["snooze_left_usec"] == 0 and w["state"] == "healthy", w
    r = vigil.ctl("watchdog", "snooze", "soon")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    stop_vigil(run)


def test_snooze_without_a_device_fails_clearly(vigil):
    run = vigil.start()
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    r = vigil.ctl("watchdog", "snooze", "10")
    assert r.returncode == 1 and "no hardware watchdog" in r.stderr, (r.stdout, r.stderr)
    r = vigil.ctl("watchdog")
    assert r.returncode == 1 and "no hardware watchdog (--runtime-watchdog-sec is 0)" in r.stderr, (r.stdout, r.stderr)
    st = json.loads(vigil.ctl("status", "--json").stdout)
    assert st["watchdog"]["state"] == "off", st
    stop_vigil(run)


# ---------------------------------------------------------------- status

def test_status_shows_the_device_its_timeout_pets_and_a_watchdog_reset_at_boot(vigil, shim):
    dev = Device(vigil, shim, bootstatus=0x20, identity="Test WDT 9000", firmware=7)
    run = start(vigil, dev, *dev.options(runtime=4))
    wait_until(run, lambda: dev.stamps("keepalive"), "the first pet", timeout=20)
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    assert stderr_lines(run, "the last boot was caused by a watchdog reset"), run.stderr

    r = vigil.ctl("watchdog")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    for want in (dev.path, "Test WDT 9000 (firmware 7)", "state:       healthy", "timeout:     4 s",
                 "last boot:   watchdog reset", "settimeout,magicclose,keepaliveping"):
        assert want in text, text

    w = json.loads(vigil.ctl("--json", "watchdog").stdout)["watchdog"]
    assert w["device"] == dev.path and w["identity"] == "Test WDT 9000" and w["firmware_version"] == 7, w
    assert w["state"] == "healthy" and w["timeout_sec"] == 4 and w["nowayout"] is False, w
    assert w["last_boot_watchdog"] is True and w["boot_status"] == 0x20, w
    assert 0 <= w["since_last_pet_usec"] <= (2 + SLACK) * 1e6, w
    assert (2 - SLACK) * 1e6 <= w["time_left_usec"] <= 4e6, w
    assert w["snooze_left_usec"] == 0 and w["pets"] >= 1 and w["why"] is None, w

    st = json.loads(vigil.ctl("status", "--json").stdout)
    assert st["watchdog"]["device"] == dev.path and st["watchdog"]["timeout_sec"] == 4, st

    m = vigil.ctl("metrics").stdout
    for want in ("vigil_watchdog_healthy 1", "vigil_watchdog_timeout_seconds 4",
                 "vigil_watchdog_last_boot_watchdog_reset 1", "vigil_watchdog_snooze_seconds 0",
                 'identity="Test WDT 9000"', "vigil_watchdog_last_pet_seconds ",
                 "vigil_watchdog_time_left_seconds ", "vigil_watchdog_pets_total "):
        assert want in m, m
    stop_vigil(run)


def test_status_after_a_health_failure_names_the_unit(vigil, shim, units):
    dev = Device(vigil, shim)
    log = critical_units(units, pings=2, slow_stop=6)
    run = start(vigil, dev, *dev.options(runtime=2), units=units)
    wait_until(run, lambda: stderr_lines(run, "unhealthy"), "the health failure", timeout=30)
    r = vigil.ctl("--json", "watchdog")
    w = json.loads(r.stdout)["watchdog"]
    assert w["state"] in ("unhealthy", "shutdown"), w
    assert "critical.service" in (w["why"] or ""), w
    m = vigil.ctl("metrics").stdout
    assert "vigil_watchdog_healthy 0" in m, m
    run.wait(40)
    assert read_lines(log)


# ---------------------------------------------------------------- system mode (--system in namespaces)





def test_system_health_failure_keeps_the_runtime_timeout_and_leaves_it_armed_for_reboot(sysv, shim):
    dev = Device(sysv, shim)
    u = Units(sysv)
    log = critical_units(u, pings=5)
    run = start(sysv, dev, *dev.options(runtime=2, reboot=120), units=u)
    ended_by(run, RESTART)
    pings = [float(l.split()[1]) for l in read_lines(log) if l.startswith("ping")]
    miss = pings[-1] + 1.0
    assert [t for t in dev.stamps("keepalive") if t > miss + 0.5] == [], (dev.events(), miss)
    assert [e[2:] for e in dev.events() if e[1] == "settimeout"] == [("2", "2")], dev.events()
    # reboot(2) follows: the device stays armed (no magic close).
    assert "write" not in dev.names() and "close" not in dev.names(), dev.events()
    assert "shutting down (reboot): FailureAction=reboot of critical.service (result watchdog)" in run.stderr


def test_system_requested_reboot_rearms_with_the_reboot_timeout_and_stays_armed(sysv, shim):
    dev = Device(sysv, shim)
    run = start(sysv, dev, *dev.options(runtime=2, reboot=120), cmd=["sleep", "1000"])
    wait_for(lambda: len(dev.stamps("keepalive")) >= 2, timeout=20, what="two pets")
    run.wait_signals_ready()
    run.signal(signal.SIGTERM)
    ended_by(run, RESTART)
    ev = dev.events()
    i = next(k for k, e in enumerate(ev) if e[1] == "settimeout" and e[2] == "120")
    assert [e[1] for e in ev[i + 1:]] == ["keepalive"], ev[i:]
    assert "armed with 120 s for the shutdown" in run.stderr, run.stderr


def test_system_hang_with_a_nowayout_device_pets_on_until_a_request_ends_it(sysv, shim):
    dev = Device(sysv, shim, nowayout=1)
    run = start(sysv, dev, *dev.options(runtime=2, reboot=2), "--on-exit", "hang", cmd=["true"])
    wait_for(lambda: "hanging (--on-exit hang)" in run.stderr, timeout=20, what="the hang")
    hung = time.monotonic()
    time.sleep(3.5)
    assert run.running(), run.stderr
    during = [t for t in dev.stamps("keepalive") if t > hung]
    assert len(during) >= 2, (dev.events(), hung)
    for g in gaps(during):
        assert 1.0 - EARLY <= g <= 1.0 + SLACK, gaps(during)
    assert "nowayout: it cannot be disarmed, vigil pets it every 1s while it hangs" in run.stderr, run.stderr
    run.signal(signal.SIGUSR2)
    ended_by(run, POWER)
    ended = time.monotonic()
    assert [t for t in dev.stamps("keepalive") if t > ended] == []
    assert "write" not in dev.names() and "close" not in dev.names(), dev.events()


def test_system_hang_with_a_device_that_can_stop_disarms_it(sysv, shim):
    dev = Device(sysv, shim, nowayout=0)
    run = start(sysv, dev, *dev.options(runtime=2), "--on-exit", "hang", cmd=["true"])
    wait_for(lambda: "hanging (--on-exit hang)" in run.stderr, timeout=20, what="the hang")
    wait_for(lambda: "close" in dev.names(), timeout=10, what="the magic close")
    assert dev.events()[-2][1:] == ("write", "1", "magic=yes") and dev.events()[-1][1:] == ("close", "disarmed")
    run.signal(signal.SIGTERM)
    ended_by(run, RESTART)
