"""The hardware watchdog under QEMU with a real device (issue 7, SPEC §7, §8):
an emulated Intel 6300ESB (`-device i6300esb -action watchdog=reset`) and
the kernel's i6300esb driver, loaded before vigil starts (vigil opens the
device before its startup scripts run).

Scenarios (one boot or two each; the runtime watchdog is 4 s):
* healthy: a critical unit pings; the system stays up for more than 3x the
  timeout and powers off cleanly when its main command ends;
* a critical unit (FailureAction=reboot, WatchdogSec=2) stops pinging: vigil
  stops petting and reboots the machine itself;
* the same with a hung reboot path (the test-hooks build, kernel word
  VIGIL_TEST_STALL=shutdown: vigil stops dead at the start of its shutdown):
  the hardware resets the VM within the runtime timeout, and the next boot
  reports a watchdog reset (QEMU's i6300esb keeps its "timed out" bit across
  the reset, and the driver turns it into WDIOF_CARDRESET);
* a critical unit's health probe (HealthExec=, no sd_notify) fails past
  HealthRetries=: vigil stops petting, its reboot hangs on a stuck unit, and
  the hardware resets the board (one boot and the reset);
* snooze: a startup script snoozes for 25 s; the critical unit hangs inside
  the snooze: the board stays up (petted) until the snooze ends, then the
  postponed reboot starts, hangs (test-hooks build again), and the hardware
  resets the board: for its bound and no longer.

The helper that pings (sd_notify READY=1, then WATCHDOG=1) is a tiny static
C program built here with musl-gcc (the image has no libc).
"""
import pathlib
import subprocess

import pytest

import qemu_harness as q

BOOT = 120            # seconds a scenario may take (TCG on a loaded 2-CPU box)
RUNTIME = 4           # --runtime-watchdog-sec
SLACK = 6.0           # console-arrival slack on a loaded host (the bounds are generous)
ESB = ["-device", "i6300esb", "-action", "watchdog=reset"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "tests" / "qemu"
SYSTEM_MODE = r"vigil: system mode \(PID 1 of the machine\)"
OPENED = r"vigil: hardware watchdog /dev/watchdog0 \(i6300ESB timer\): timeout 4 s"

PINGER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* pinger COUNT PERIOD_MS: READY=1, then COUNT WATCHDOG=1 (COUNT < 0: forever)
 * PERIOD_MS apart, then hang without pinging. */
static void say(const char *msg) {
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        if (!path)
                return;
        strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
        if (a.sun_path[0] == '@')
                a.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a));
        close(fd);
}

int main(int argc, char **argv) {
        long count = argc > 1 ? atol(argv[1]) : -1, period = argc > 2 ? atol(argv[2]) : 500;
        struct timespec ts = { period / 1000, (period % 1000) * 1000000L };
        say("READY=1");
        printf("PINGER-READY\n");
        fflush(stdout);
        for (long i = 0; count < 0 || i < count; i++) {
                say("WATCHDOG=1");
                nanosleep(&ts, NULL);
        }
        printf("PINGER-HANGS\n");
        fflush(stdout);
        for (;;)
                pause();
}
"""


@pytest.fixture(scope="module")
def pinger():
    OUT.mkdir(parents=True, exist_ok=True)
    src, exe = OUT / "pinger.c", OUT / "pinger"
    src.write_text(PINGER_C)
    cc = "musl-gcc" if subprocess.run(["sh", "-c", "command -v musl-gcc"], capture_output=True).returncode == 0 \
        else "cc"
    r = subprocess.run([cc, "-static", "-O2", "-o", str(exe), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, f"cannot build the pinger:\n{r.stderr}"
    return exe.read_bytes()


@pytest.fixture(scope="module")
def hooks_vigil():
    """The test-hooks static build (VIGIL_TEST_STALL=shutdown works only there)."""
    r = subprocess.run(["make", "-C", str(ROOT), "test-hooks"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"make test-hooks failed:\n{r.stdout}\n{r.stderr}"
    path = ROOT / "build" / "vigil-static-testhooks"
    assert path.exists(), "make test-hooks did not leave build/vigil-static-testhooks"
    return str(path)


def image(kernel, pinger, main, pings, extra_conf=(), vigil=None):
    img = q.Image(conf=[f"--runtime-watchdog-sec {RUNTIME}", "--reboot-watchdog-sec 60", *extra_conf],
                  main=main, kernel=kernel, preload_modules=True, **({"vigil": vigil} if vigil else {}))
    img.modules("i6300esb")
    img.file("/usr/lib/vigil-test/pinger", pinger, 0o755)
    img.unit("critical", f"""[Unit]
Description=a critical service
FailureAction=reboot
[Service]
Type=notify
WatchdogSec=2
TimeoutStopSec=2
ExecStart=/usr/lib/vigil-test/pinger {pings} 500
""")
    return img


class ResettingVM(q.VM):
    """A VM without -no-reboot: a (watchdog) reset boots the image again."""

    def command(self):
        return [a for a in super().command() if a != "-no-reboot"]


def boot_resetting(kernel, run_dir, img, name, append=()):
    initrd = img.build(run_dir / f"{name}.cpio")
    return ResettingVM(initrd, kernel=kernel, name=name, append=append, devices=ESB, deadline=BOOT + 60,
                       log_dir=q.CACHE / "logs")


def stamp(vm, pattern, start=0):
    i = vm.index_of(pattern, start)
    assert i is not None, f"{vm.name}: no console line matches {pattern!r}:\n{vm.transcript()}"
    return i, vm.stamps[i]


# ---------------------------------------------------------------- healthy

@pytest.fixture(scope="module")
def healthy_vm(boot, kernel, pinger):
    img = image(kernel, pinger, ["/bin/sh", "-c", "sleep 16; echo HEALTHY-DONE"], pings=-1,
                extra_conf=["--on-exit poweroff"])
    return boot(img, "watchdog-healthy", timeout=BOOT, devices=ESB)


def test_healthy_system_stays_up_for_more_than_three_timeouts(healthy_vm):
    vm = healthy_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.seen(OPENED), vm.transcript()
    _, opened = stamp(vm, OPENED)
    _, done = stamp(vm, "HEALTHY-DONE")
    assert done - opened >= 3 * RUNTIME, (done - opened)
    # One boot, ended by vigil's power-off, never by the watchdog.
    assert len(vm.seen(SYSTEM_MODE)) == 1, vm.transcript()
    assert vm.seen(q.POWER_DOWN) and not vm.seen("unhealthy"), vm.transcript()
    assert vm.seen("armed with 60 s for the shutdown"), vm.transcript()


# ---------------------------------------------------------------- vigil reboots

@pytest.fixture(scope="module")
def missed_vm(boot, kernel, pinger):
    img = image(kernel, pinger, ["/bin/sleep", "1000"], pings=6)
    return boot(img, "watchdog-missed", timeout=BOOT, devices=ESB)


def test_a_critical_unit_that_stops_pinging_makes_vigil_reboot(missed_vm):
    vm = missed_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    i, _ = stamp(vm, "PINGER-HANGS")
    j, _ = stamp(vm, r"unhealthy \(FailureAction=reboot of critical.service \(result watchdog\)\)", i)
    k, _ = stamp(vm, r"shutting down \(reboot\): FailureAction=reboot of critical.service \(result watchdog\)", j)
    stamp(vm, "keeping the 4 s runtime timeout, no more pets", k)
    stamp(vm, q.RESTARTING, k)
    assert len(vm.seen(SYSTEM_MODE)) == 1, vm.transcript()


# ---------------------------------------------------------------- the hardware resets a hung reboot path

def boot_until_reset(kernel, run_dir, img, name, hang_marker, append=()):
    """Boot, see the reboot path hang (hang_marker), then the second boot and its watchdog-reset report.
    vm.hang_stamp and vm.reboot_stamp are the console times of the hang and of the second boot."""
    vm = boot_resetting(kernel, run_dir, img, name, append=append)
    with vm:
        vm.expect(SYSTEM_MODE, BOOT)
        vm.expect(hang_marker, BOOT)
        vm.hang_stamp = vm.last_stamp
        vm.expect(SYSTEM_MODE, 4 * RUNTIME + SLACK)        # the second boot
        vm.reboot_stamp = vm.last_stamp
        vm.expect("the last boot was caused by a watchdog reset", BOOT)
    return vm


@pytest.fixture(scope="module")
def stalled_vm(kernel, run_dir, pinger, hooks_vigil):
    img = image(kernel, pinger, ["/bin/sleep", "1000"], pings=6, vigil=hooks_vigil)
    return boot_until_reset(kernel, run_dir, img, "watchdog-stalled", "stalling here on purpose",
                            append=["VIGIL_TEST_STALL=shutdown"])


def test_a_hung_reboot_path_is_reset_by_the_hardware_within_the_runtime_timeout(stalled_vm):
    vm = stalled_vm
    vm.assert_no_panic()
    first = vm.index_of("stalling here on purpose")
    # vigil never got to reboot(2): no kernel restart line before the new boot.
    second = vm.index_of(SYSTEM_MODE, first)
    restarting = vm.index_of(q.RESTARTING)
    assert second is not None and (restarting is None or restarting > second), vm.transcript()
    # Unhealthy came first, then the stall; the last pet was at or before the
    # health failure, so the reset comes at most RUNTIME s after it (plus boot
    # time of the second kernel up to vigil's first line, and console slack).
    assert vm.reboot_stamp - vm.hang_stamp <= RUNTIME + SLACK + 10, vm.reboot_stamp - vm.hang_stamp
    assert vm.index_of("unhealthy") < first, vm.transcript()


def test_the_next_boot_reports_a_watchdog_reset(stalled_vm):
    vm = stalled_vm
    second = vm.index_of(SYSTEM_MODE, vm.index_of("stalling here on purpose"))
    assert vm.index_of("the last boot was caused by a watchdog reset", second) is not None, vm.transcript()
    # The first boot was a cold one.
    first_boot = vm.lines[:second]
    assert not [l for l in first_boot if "caused by a watchdog reset" in l], vm.transcript()


# ---------------------------------------------------------------- the hardware resets a hung unit stop

@pytest.fixture(scope="module")
def stuck_vm(kernel, run_dir, pinger):
    """The shipped vigil; the reboot path hangs on a unit whose stop never finishes."""
    img = image(kernel, pinger, ["/bin/sleep", "1000"], pings=6)
    img.unit("stuck", """[Unit]
Description=a unit whose stop never finishes
[Service]
TimeoutStopSec=infinity
ExecStart=/bin/sh -c "trap 'echo STUCK-IGNORES-TERM' TERM; while :; do sleep 1; done"
""")
    return boot_until_reset(kernel, run_dir, img, "watchdog-stuck", "STUCK-IGNORES-TERM")


def test_a_unit_whose_stop_never_finishes_is_reset_by_the_hardware(stuck_vm):
    vm = stuck_vm
    vm.assert_no_panic()
    health = vm.index_of(r"unhealthy \(FailureAction=reboot of critical.service \(result watchdog\)\)")
    stuck = vm.index_of("STUCK-IGNORES-TERM")
    second = vm.index_of(SYSTEM_MODE, stuck)
    assert health is not None and stuck is not None and health < stuck < second, vm.transcript()
    # vigil was still waiting for the unit: no kernel restart before the new boot.
    restarting = vm.index_of(q.RESTARTING)
    assert restarting is None or restarting > second, vm.transcript()
    assert vm.reboot_stamp - vm.hang_stamp <= RUNTIME + SLACK + 10, vm.reboot_stamp - vm.hang_stamp
    assert vm.index_of("the last boot was caused by a watchdog reset", second) is not None


# ---------------------------------------------------------------- a health probe's failure resets the board

@pytest.fixture(scope="module")
def probed_vm(kernel, run_dir):
    """A critical unit with a health probe ([X-Vigil], issue 17) instead of
    sd_notify: healthy for a while, then its probe fails HealthRetries= times;
    vigil stops petting, and its reboot hangs on a unit whose stop never
    finishes: the i6300esb resets the board."""
    img = q.Image(conf=[f"--runtime-watchdog-sec {RUNTIME}", "--reboot-watchdog-sec 60"], main=["/bin/sleep", "1000"],
                  kernel=kernel, preload_modules=True)
    img.modules("i6300esb")
    img.unit("critical", """[Unit]
Description=a critical service checked by a health probe
FailureAction=reboot
[Service]
TimeoutStopSec=2
ExecStart=/bin/sh -c "sleep 5; echo PROBED-TURNS-SICK; touch /run/sick; exec sleep 1000"
[X-Vigil]
HealthExec=/bin/sh -c "test ! -e /run/sick"
HealthInterval=1s
HealthTimeout=2s
HealthRetries=2
""")
    img.unit("stuck", """[Unit]
Description=a unit whose stop never finishes
[Service]
TimeoutStopSec=infinity
ExecStart=/bin/sh -c "trap 'echo STUCK-IGNORES-TERM' TERM; while :; do sleep 1; done"
""")
    return boot_until_reset(kernel, run_dir, img, "watchdog-probed", "STUCK-IGNORES-TERM")


def test_a_critical_units_health_probe_failure_resets_the_board(probed_vm):
    vm = probed_vm
    vm.assert_no_panic()
    sick = vm.index_of("PROBED-TURNS-SICK")
    failed = vm.index_of(r"critical.service: unhealthy: 2 health probe failures in a row \(HealthRetries=2\)")
    health = vm.index_of(r"unhealthy \(FailureAction=reboot of critical.service \(result watchdog\)\)")
    stuck = vm.index_of("STUCK-IGNORES-TERM")
    second = vm.index_of(SYSTEM_MODE, stuck or 0)
    assert None not in (sick, failed, health, stuck, second), vm.transcript()
    assert sick < failed < health < stuck < second, vm.transcript()
    restarting = vm.index_of(q.RESTARTING)
    assert restarting is None or restarting > second, "vigil did not reboot itself: the hardware did"
    assert vm.reboot_stamp - vm.hang_stamp <= RUNTIME + SLACK + 10, vm.reboot_stamp - vm.hang_stamp
    assert vm.index_of("the last boot was caused by a watchdog reset", second) is not None


# ---------------------------------------------------------------- snooze

SNOOZE = 25


@pytest.fixture(scope="module")
def snooze_vm(kernel, run_dir, pinger, hooks_vigil):
    img = image(kernel, pinger, ["/bin/sh", "-c", "sleep 12; vigilctl watchdog; sleep 1000"], pings=4,
                vigil=hooks_vigil)
    img.startup("10-snooze", f"vigilctl watchdog snooze {SNOOZE}\n")
    vm = boot_resetting(kernel, run_dir, img, "watchdog-snooze", append=["VIGIL_TEST_STALL=shutdown"])
    with vm:
        vm.expect(rf"snoozed for {SNOOZE}s", BOOT)
        vm.snoozed = vm.last_stamp
        vm.expect("PINGER-HANGS", BOOT)
        vm.expect(r"postponed", 30)
        vm.expect(r"snooze over", SNOOZE + SLACK)
        vm.over = vm.last_stamp
        vm.expect("stalling here on purpose", 30)
        vm.expect(SYSTEM_MODE, 4 * RUNTIME + SLACK)
        vm.reset = vm.last_stamp
        vm.expect("the last boot was caused by a watchdog reset", BOOT)
    return vm


def test_snooze_keeps_a_hung_apps_board_alive_for_its_bound_and_no_longer(snooze_vm):
    vm = snooze_vm
    vm.assert_no_panic()
    # Alive (petted) through the snooze although unhealthy...
    assert vm.over - vm.snoozed >= SNOOZE - 2, vm.over - vm.snoozed
    i = vm.index_of("PINGER-HANGS")
    assert vm.index_of("unhealthy", i) is not None, vm.transcript()
    assert vm.index_of(r"state:\s+unhealthy: FailureAction=reboot of critical.service", i) is not None, \
        vm.transcript()
    # ...and reset by the hardware soon after it ended (the postponed reboot hung).
    assert vm.reset - vm.over <= RUNTIME + SLACK + 10, vm.reset - vm.over
    assert len(vm.seen(SYSTEM_MODE)) >= 2, vm.transcript()
