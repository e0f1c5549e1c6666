"""System mode, proven by booting a real kernel with vigil as /init (issue 6).

Each module-scoped fixture below is one scenario: one or two real boots under
QEMU, run to their end (QEMU exits, or the expected last line arrives); the
tests then check the console transcript. Log words are the contract's
(docs: vigil.1, "system mode"); the kernel's own last words are
"reboot: Power down", "reboot: Restarting system", "reboot: System halted".
"""
import re

import pytest

import qemu_harness as q

BOOT = 90          # seconds a boot to its end may take (TCG on a loaded 2-CPU box)
SHUTDOWN_BOUND = 30  # seconds from "shutting down" to the kernel's last line
TEST_DIR = "/usr/lib/vigil-test"


def service(img, name, body, unit="", service_keys="", type_="simple"):
    """A unit NAME.service whose ExecStart is a shell script with body."""
    img.script(f"{TEST_DIR}/{name}", body)
    img.unit(name, f"""[Unit]
Description=test unit {name}
{unit}
[Service]
Type={type_}
ExecStart={TEST_DIR}/{name}
{service_keys}
""")


def ring_unit(img, name, after=None):
    """A long-running unit that says when it starts and stops (the stop takes
    0.5 s, so a stop in parallel with another one would show)."""
    service(img, name, f"""
trap 'echo STOP-BEGIN-{name}; sleep 0.5; echo STOP-END-{name}; exit 0' TERM
echo START-{name}
while :; do sleep 1 & wait $!; done
""", unit=f"After={after}.service" if after else "")


def signal_unit(img, body, unit=""):
    """A unit sending signals to PID 1 (body), once the system is up."""
    service(img, "trigger", "sleep 1\n" + body + "\nwhile :; do sleep 1; done\n", unit=unit)


def idx(vm, pattern, start=0):
    i = vm.index_of(pattern, start)
    assert i is not None, f"{vm.name}: no console line matches {pattern!r}"
    return i


def shutdown_lines(vm):
    return vm.seen(r"vigil: shutting down \(")


def assert_clean_end(vm, kernel_line, exits=True):
    """The VM reached kernel_line without a panic; QEMU exited (status 0) or,
    for a halt, was still running when killed."""
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.seen(kernel_line), f"{vm.name}: no {kernel_line!r} on the console"
    if exits:
        assert vm.rc == 0, f"{vm.name}: QEMU exit status {vm.rc}"
    else:
        assert vm.rc is None, f"{vm.name}: QEMU exited ({vm.rc}) after a halt"
    assert len(shutdown_lines(vm)) == 1, f"{vm.name}: shutdown lines: {shutdown_lines(vm)}"


# ------------------------------------------------------- boot, run, vigilctl poweroff

STANDARD_MOUNTS = [  # (target, type, an option /proc/mounts must show or None), in mount order
    ("/proc", "proc", None), ("/sys", "sysfs", None), ("/dev", "devtmpfs", None),
    ("/dev/pts", "devpts", None), ("/dev/shm", "tmpfs", None), ("/run", "tmpfs", "mode=755"),
    ("/tmp", "tmpfs", None)]


@pytest.fixture(scope="module")
def poweroff_vm(boot):
    img = q.Image(conf=[
        "-v",
        '--hostname-pattern "vm-%-.4s"',
        '--uniqueid-exec "/bin/echo SERIAL0042AB"',
        "-m tmpfs:/mnt/extra:tmpfs:nosuid,nodev:size=64k",
        "--env GREETING=hello",
        "--working-directory /tmp",
        "--uid 1000",
        "--gid 1000",
        "--kill-all-timeout 2",
        "-m none:/mnt/bad:no-such-fs::",
    ], main=["/bin/sh", "-c",
             # Two leftovers in sessions of their own, for the kill-all: one
             # goes on SIGTERM, one ignores it (and needs the SIGKILL).
             'setsid sleep 1000 & '
             'setsid sh -c \'trap "" TERM; while :; do sleep 1; done\' & '
             'set -- $(cat /proc/self/stat); echo "MAIN-CTTY tty_nr=$7"; '
             'touch /tmp/main-started; '
             'echo "MAIN-CONTEXT greeting=$GREETING cwd=$(pwd) uid=$(id -u) gid=$(id -g)"; '
             'exec sleep 1000'])
    ring_unit(img, "svc-a")
    ring_unit(img, "svc-b", after="svc-a")
    ring_unit(img, "svc-c", after="svc-b")
    service(img, "probe", """
echo MOUNTS-BEGIN; cat /proc/mounts; echo MOUNTS-END
echo "HOSTNAME=$(hostname)"
echo PROBE-DONE
""", type_="oneshot")
    service(img, "trigger", """
i=0
while [ ! -e /tmp/main-started ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
sleep 1
echo TRIGGER-POWEROFF
vigilctl poweroff
echo "VIGILCTL-RC=$?"
while :; do sleep 1 & wait $!; done
""", unit="After=svc-c.service probe.service")
    return boot(img, "poweroff", timeout=BOOT)


def test_boot_system_mode_logged(poweroff_vm):
    assert poweroff_vm.seen(r"vigil: system mode \(PID 1 of the machine\)")


def test_boot_mounts(poweroff_vm):
    vm = poweroff_vm
    begin = idx(vm, r"MOUNTS-BEGIN")
    end = idx(vm, r"MOUNTS-END", begin)
    mounts = vm.lines[begin + 1:end]
    for target, fstype, option in STANDARD_MOUNTS + [("/mnt/extra", "tmpfs", "size=64k")]:
        rx = re.compile(rf"\S+ {re.escape(target)} {fstype} (\S+)")
        found = [m.group(1) for m in map(rx.search, mounts) if m]
        assert found, f"{target} ({fstype}) not in /proc/mounts:\n" + "\n".join(mounts)
        if option:
            assert option in found[0].split(","), f"{target}: options {found[0]}, no {option}"
        if target == "/mnt/extra":
            assert {"nosuid", "nodev"} <= set(found[0].split(",")), found[0]


def test_boot_hostname(poweroff_vm):
    assert poweroff_vm.seen(r"vigil: hostname set to vm-42ab\b")
    assert poweroff_vm.seen(r"HOSTNAME=vm-42ab\b")


def test_boot_units_start(poweroff_vm):
    for name in ("svc-a", "svc-b", "svc-c"):
        idx(poweroff_vm, rf"START-{name}\b")
    idx(poweroff_vm, r"PROBE-DONE")


def test_main_command_context(poweroff_vm):
    assert poweroff_vm.seen(r"MAIN-CONTEXT greeting=hello cwd=/tmp uid=1000 gid=1000")


def test_failed_mount_is_a_warning(poweroff_vm):
    assert poweroff_vm.seen(r"vigil: .*/mnt/bad"), "no warning naming the failed mount /mnt/bad"
    idx(poweroff_vm, r"PROBE-DONE")   # and the boot went on


def test_main_command_has_console_as_ctty(poweroff_vm):
    m = poweroff_vm.seen(r"MAIN-CTTY tty_nr=\d+")
    assert m, "the main command did not report its controlling terminal"
    assert not m[0].endswith("tty_nr=0"), f"the main command has no controlling terminal: {m[0]}"


def test_vigilctl_poweroff_powers_off(poweroff_vm):
    vm = poweroff_vm
    assert_clean_end(vm, q.POWER_DOWN)
    assert vm.seen(r"vigil: shutting down \(poweroff\): vigilctl poweroff \(pid \d+, uid 0\)")
    assert not vm.seen(q.RESTARTING)
    took = vm.elapsed(r"vigil: shutting down \(", q.POWER_DOWN)
    assert took is not None and took < SHUTDOWN_BOUND, f"shutdown took {took} s"


def test_poweroff_stops_units_in_reverse_order(poweroff_vm):
    vm = poweroff_vm
    start = idx(vm, r"vigil: shutting down \(")
    c_end = idx(vm, r"STOP-END-svc-c", start)
    b_begin = idx(vm, r"STOP-BEGIN-svc-b", start)
    b_end = idx(vm, r"STOP-END-svc-b", start)
    a_begin = idx(vm, r"STOP-BEGIN-svc-a", start)
    assert c_end < b_begin, "svc-b began stopping before svc-c (After=svc-b) had stopped"
    assert b_end < a_begin, "svc-a began stopping before svc-b (After=svc-a) had stopped"


def test_poweroff_sequence_in_order(poweroff_vm):
    vm = poweroff_vm
    steps = [r"vigil: shutting down \(poweroff\)", r"STOP-END-svc-a",
             r"vigil: sending SIGTERM to all processes", r"vigil: .*sending SIGKILL to all processes",
             r"vigil: unmounted /mnt/extra\b", r"vigil: powering off", q.POWER_DOWN]
    at = 0
    for step in steps:
        at = idx(vm, step, at)


def test_poweroff_kill_all_waits_its_timeout(poweroff_vm):
    # --kill-all-timeout 2: the leftover ignoring SIGTERM gets SIGKILL 2 s later.
    took = poweroff_vm.elapsed(r"vigil: sending SIGTERM to all processes",
                               r"vigil: .*sending SIGKILL to all processes")
    assert took is not None and 1.5 <= took < 15, f"SIGTERM to SIGKILL: {took} s"


def test_poweroff_unmounts_in_reverse_order(poweroff_vm):
    """Every mount that holds files is unmounted (or remounted read-only when
    busy) in reverse mount order. The kernel's API file systems (proc, sysfs,
    devtmpfs, devpts) may stay mounted; if vigil names them, in order too."""
    vm = poweroff_vm
    start = idx(vm, r"vigil: shutting down \(")
    assert vm.seen(r"vigil: unmounted /mnt/extra$", start)
    api = {"proc", "sysfs", "devtmpfs", "devpts"}
    order = []
    for target, fstype, _ in STANDARD_MOUNTS + [("/mnt/extra", "tmpfs", None)]:
        t = re.escape(target)
        i = vm.index_of(rf"vigil: (unmounted {t}$|{t} is busy, remounted read-only|cannot unmount {t}:)",
                        start)
        if i is None and fstype in api:
            continue
        assert i is not None, f"no unmount line for {target}"
        order.append((i, target))
    got = [t for _, t in sorted(order)]
    want = [t for t, _, _ in reversed(STANDARD_MOUNTS + [("/mnt/extra", None, None)]) if t in got]
    assert got == want, f"unmount order {got}, want reverse mount order {want}"
    assert idx(vm, r"vigil: powering off", start) > max(i for i, _ in order)


# ------------------------------------------- main command exit, reboot, shutdown report

@pytest.fixture(scope="module")
def report_vms(boot, run_dir):
    persist = run_dir / "persist"
    persist.mkdir()

    def image(main):
        img = q.Image(conf=["-v", "--on-exit reboot", "--shutdown-report /persist/shutdown-report",
                            '--run-on-exit "/bin/echo RUN-ON-EXIT-RAN"'], main=main)
        img.persist()
        return img

    first = boot(image(["/bin/sh", "-c", "echo MAIN-START; sleep 1; exit 3"]), "report-1",
                 persist_dir=persist, timeout=BOOT)
    report_1 = (persist / "shutdown-report").read_text() if (persist / "shutdown-report").exists() else None
    img = image(["/bin/sleep", "1000"])
    service(img, "status", """
echo STATUS-BEGIN; vigilctl status; echo STATUS-END
echo "STATUS-JSON $(vigilctl status --json | tr -d '\\n')"
""", type_="oneshot")
    signal_unit(img, "sleep 1; kill -USR2 1", unit="After=status.service")
    second = boot(img, "report-2", persist_dir=persist, timeout=BOOT)
    report_2 = (persist / "shutdown-report").read_text() if (persist / "shutdown-report").exists() else None
    return first, report_1, second, report_2


MAIN_EXIT_3 = r"main command \S+ exited with status 3"


def test_main_exit_reboots(report_vms):
    vm = report_vms[0]
    assert_clean_end(vm, q.RESTARTING)
    idx(vm, r"MAIN-START")
    at = idx(vm, rf"vigil: shutting down \(reboot\): {MAIN_EXIT_3}")
    at = idx(vm, r"vigil: running --run-on-exit /bin/echo\b", at)
    at = idx(vm, r"RUN-ON-EXIT-RAN$", at)
    at = idx(vm, r"vigil: wrote shutdown report /persist/shutdown-report", at)
    at = idx(vm, r"vigil: rebooting", at)
    idx(vm, q.RESTARTING, at)
    assert not vm.seen(q.POWER_DOWN)


def test_shutdown_report_written(report_vms):
    report = report_vms[1]
    assert report is not None, "no shutdown report in the persistent directory after the reboot"
    lines = report.splitlines()
    assert "action: reboot" in lines, report
    assert any(re.fullmatch(rf"reason: {MAIN_EXIT_3}", l) for l in lines), report
    assert any(re.fullmatch(r"uptime: \d+\.\d{3} s", l) for l in lines), report
    assert "timeline:" in lines, report
    after = lines[lines.index("timeline:") + 1:]
    events = [l for l in after if re.fullmatch(r"  \+\d+\.\d{3} s \S.*", l)]
    assert events, f"no timeline events:\n{report}"
    times = [float(re.match(r"  \+(\d+\.\d{3})", l).group(1)) for l in events]
    assert times == sorted(times), f"timeline not in order:\n{report}"


def test_previous_shutdown_logged_at_next_boot(report_vms):
    vm = report_vms[2]
    mounted = idx(vm, r"persist: mounted")
    idx(vm, rf"vigil: previous shutdown: reboot: {MAIN_EXIT_3}", mounted)


def test_previous_shutdown_in_vigilctl_status(report_vms):
    vm = report_vms[2]
    begin = idx(vm, r"STATUS-BEGIN")
    end = idx(vm, r"STATUS-END", begin)
    status = vm.lines[begin + 1:end]
    assert any(re.search(rf"previous shutdown: reboot: {MAIN_EXIT_3}", l) for l in status), \
        "\n".join(status)
    js = vm.seen(r"STATUS-JSON ")
    assert js and re.search(r'"previous_shutdown"\s*:\s*\{[^}]*"action"\s*:\s*"reboot"', js[0]), js
    assert re.search(r'"reason"\s*:\s*"' + MAIN_EXIT_3, js[0]), js


def test_sigusr2_powers_off(report_vms):
    vm, report = report_vms[2], report_vms[3]
    assert_clean_end(vm, q.POWER_DOWN)
    assert vm.seen(r"vigil: shutting down \(poweroff\): SIGUSR2 from pid \d+")
    assert report is not None and "action: poweroff" in report.splitlines(), report
    assert re.search(r"^reason: SIGUSR2 from pid \d+", report, re.M), report


# ------------------------------------------ SIGTERM (reboot) and a unit ignoring SIGTERM

@pytest.fixture(scope="module")
def sigterm_vm(boot):
    img = q.Image(conf=["-v"], main=["/bin/sleep", "1000"])
    img.file("/etc/hostname", "board-7\nsecond line\n")
    ring_unit(img, "plain")
    # Ignores SIGTERM (so do its children); asks PID 1 to reboot, then to power off.
    service(img, "stubborn", """
trap '' TERM
sleep 1
echo STUBBORN-SENDS-TERM
kill -TERM 1
sleep 0.5
echo STUBBORN-SENDS-USR2
kill -USR2 1
while :; do sleep 1; done
""", unit="After=plain.service", service_keys="TimeoutStopSec=3")
    return boot(img, "sigterm", timeout=BOOT)


def test_sigterm_reboots(sigterm_vm):
    vm = sigterm_vm
    assert_clean_end(vm, q.RESTARTING)
    assert vm.seen(r"vigil: shutting down \(reboot\): SIGTERM from pid \d+")
    at = idx(vm, r"vigil: rebooting")
    idx(vm, q.RESTARTING, at)


def test_hostname_from_etc_hostname(sigterm_vm):
    # No --hostname-pattern: the first line of /etc/hostname.
    assert sigterm_vm.seen(r"vigil: hostname set to board-7$")


def test_later_request_is_ignored(sigterm_vm):
    vm = sigterm_vm
    start = idx(vm, r"STUBBORN-SENDS-USR2")
    assert vm.seen(r"vigil: .*SIGUSR2", start), "the second request (SIGUSR2) was not logged"
    assert not vm.seen(r"vigil: shutting down \(poweroff\)")
    assert not vm.seen(q.POWER_DOWN)


def test_unit_ignoring_sigterm_killed_within_timeout(sigterm_vm):
    vm = sigterm_vm
    assert vm.error is None, vm.error
    took = vm.elapsed(r"vigil: shutting down \(", q.RESTARTING)
    assert took is not None, "no shutdown line followed by the reboot"
    # TimeoutStopSec=3 then SIGKILL; system mode's default would be 90 s.
    assert 2.5 <= took < SHUTDOWN_BOUND, f"shutdown took {took:.1f} s (unit TimeoutStopSec=3)"
    killed = vm.elapsed(r"vigil: shutting down \(", r"vigil: stubborn\.service: main process \d+ killed by SIGKILL")
    assert killed is not None, "the unit ignoring SIGTERM was not killed with SIGKILL"
    assert 2.5 <= killed < 15, f"SIGKILL {killed:.1f} s after the shutdown began (TimeoutStopSec=3)"


# --------------------------------------------------------- other signals to PID 1

# name: (what the trigger unit runs, action, the WHY of the shutdown line, kernel's last line)
REQUESTS = {
    "sigusr1": ("kill -USR1 1", "halt", r"SIGUSR1 from pid \d+", q.HALTED),
    "sigpwr": ("kill -PWR 1", "halt", r"SIGPWR from pid \d+", q.HALTED),
    "sigint": ("kill -INT 1", "reboot", r"SIGINT from pid \d+", q.RESTARTING),
    "vigilctl-reboot": ("vigilctl reboot", "reboot", r"vigilctl reboot \(pid \d+, uid 0\)", q.RESTARTING),
    "vigilctl-halt": ("vigilctl halt", "halt", r"vigilctl halt \(pid \d+, uid 0\)", q.HALTED),
}


@pytest.fixture(scope="module", params=sorted(REQUESTS))
def request_vm(request, boot):
    name = request.param
    command, action, why, last = REQUESTS[name]
    img = q.Image(conf=["-v"], main=["/bin/sleep", "1000"])
    signal_unit(img, f"echo SENDING-{name}; {command}")
    if action == "halt":   # QEMU does not exit on a halt: stop it 2 s after the kernel's line
        vm = boot(img, name, until=last, linger=2, timeout=BOOT)
    else:
        vm = boot(img, name, timeout=BOOT)
    return action, why, last, vm


def test_request_to_pid1(request_vm):
    """Signals to PID 1 and vigilctl requests: the action they name, cleanly."""
    action, why, last, vm = request_vm
    assert_clean_end(vm, last, exits=action != "halt")
    at = idx(vm, r"SENDING-")
    at = idx(vm, rf"vigil: shutting down \({action}\): {why}", at)
    word = {"halt": "halting", "reboot": "rebooting"}[action]
    at = idx(vm, rf"vigil: {word}$", at)
    idx(vm, last, at)


@pytest.fixture(scope="module")
def failure_action_vm(boot):
    img = q.Image(conf=["-v"], main=["/bin/sleep", "1000"])
    service(img, "fragile", "sleep 1; echo FRAGILE-FAILS; exit 1", unit="FailureAction=poweroff")
    return boot(img, "failure-action", timeout=BOOT)


def test_unit_failure_action_powers_off(failure_action_vm):
    vm = failure_action_vm
    assert_clean_end(vm, q.POWER_DOWN)
    at = idx(vm, r"FRAGILE-FAILS")
    at = idx(vm, r"vigil: shutting down \(poweroff\): FailureAction=poweroff of fragile(\.service)? "
                 r"\(result [a-z-]+\)", at)
    idx(vm, r"vigil: powering off$", at)


@pytest.fixture(scope="module")
def ctrl_alt_del_vm(boot):
    img = q.Image(conf=["-v"], main=["/bin/sh", "-c", "echo MAIN-UP; exec sleep 1000"])

    def press(vm):
        vm.expect(r"MAIN-UP", BOOT)
        vm.hmp("sendkey ctrl-alt-delete")

    return boot(img, "ctrl-alt-del", during=press, timeout=BOOT)


def test_ctrl_alt_del_is_sigint_to_vigil(ctrl_alt_del_vm):
    """The kernel hands Ctrl-Alt-Del to vigil (SIGINT), which reboots cleanly,
    instead of rebooting at once itself."""
    vm = ctrl_alt_del_vm
    assert_clean_end(vm, q.RESTARTING)
    at = idx(vm, r"vigil: shutting down \(reboot\): SIGINT\b")
    at = idx(vm, r"vigil: rebooting", at)
    idx(vm, q.RESTARTING, at)


# ------------------------------------------------------------- failing --pre-run-exec

@pytest.fixture(scope="module")
def prerun_vm(boot):
    img = q.Image(conf=["-v", """--pre-run-exec "/bin/sh -c 'echo PRERUN-RAN; exit 7'" """],
                  main=["/bin/sh", "-c", "echo MAIN-RAN; exec sleep 1000"])
    ring_unit(img, "never")
    return boot(img, "prerun", timeout=BOOT)


def test_failing_pre_run_exec_reboots(prerun_vm):
    vm = prerun_vm
    assert_clean_end(vm, q.RESTARTING)
    at = idx(vm, r"PRERUN-RAN")
    at = idx(vm, r"vigil: shutting down \(reboot\): --pre-run-exec failed", at)
    idx(vm, q.RESTARTING, at)
    assert not vm.seen(r"START-never"), "a unit started after --pre-run-exec failed"
    assert not vm.seen(r"MAIN-RAN"), "the main command ran after --pre-run-exec failed"


# ---------------------------------------- kernel command line over /etc/vigil.conf

@pytest.fixture(scope="module")
def cmdline_vm(boot):
    # -h (erlinit's --hang-on-exit, copied by habit) in the file and --version
    # among init's arguments: as the machine's init vigil must not print and
    # return from main() (a kernel panic); it says so and boots on.
    img = q.Image(conf=["-v", "--on-exit reboot", "-h"],
                  main=["/bin/sh", "-c", "echo MAIN-RAN; sleep 1; exit 0"])
    img.file("/etc/machine-id", "0123ABCDEF456789\n")
    # Words after "--" are init's arguments: options, above the options file.
    return boot(img, "cmdline", append=["vigil.on-exit=poweroff", "single",
                                        "--", "--hostname-pattern", "argv-%.6s", "--version"], timeout=BOOT)


def test_kernel_cmdline_overrides_options_file(cmdline_vm):
    vm = cmdline_vm
    assert_clean_end(vm, q.POWER_DOWN)
    at = idx(vm, r"MAIN-RAN")
    idx(vm, r"vigil: shutting down \(poweroff\): main command \S+ exited with status 0", at)
    assert not vm.seen(q.RESTARTING)


def test_kernel_init_arguments_are_options(cmdline_vm):
    # --hostname-pattern from init's argv; the id from /etc/machine-id (no --uniqueid-exec).
    assert cmdline_vm.seen(r"vigil: hostname set to argv-0123ab$")
    assert cmdline_vm.seen(r"vigil: .*/etc/machine-id"), "the log does not say the id came from /etc/machine-id"


def test_help_and_version_do_not_end_the_machines_init(cmdline_vm):
    vm = cmdline_vm
    vm.assert_no_panic()
    end = idx(vm, r"MAIN-RAN")
    at = idx(vm, r"vigil: -h/--help ignored: vigil is the machine's init, which never exits")
    assert at < end
    assert vm.seen(r"vigil: vigil \d+\.\d+"), "--version: the version is logged"
    assert not vm.seen(r"^Usage: vigil"), "the help text was printed"
    assert_clean_end(vm, q.POWER_DOWN)


def test_stray_kernel_word_ignored_with_warning(cmdline_vm):
    vm = cmdline_vm
    end = idx(vm, r"MAIN-RAN")
    assert vm.index_of(r"vigil: .*\bsingle\b") is not None, "no warning about the stray word 'single'"
    assert vm.index_of(r"vigil: .*\bsingle\b") < end


# ------------------------------------------- a main command that cannot be executed

CANNOT_EXEC = {"missing": ("/bin/no-such-program", 127, "reboot", q.RESTARTING),
               "not-executable": ("/usr/lib/vigil-test/not-executable", 126, "poweroff", q.POWER_DOWN)}


@pytest.fixture(scope="module", params=sorted(CANNOT_EXEC))
def cannot_exec_vm(request, boot):
    path, status, action, last = CANNOT_EXEC[request.param]
    img = q.Image(conf=["-v"] + (["--on-exit poweroff"] if action == "poweroff" else []), main=[path])
    img.file("/usr/lib/vigil-test/not-executable", "#!/bin/sh\necho SHOULD-NOT-RUN\n", mode=0o644)
    return request.param, status, action, last, boot(img, f"exec-{request.param}", timeout=BOOT)


def test_main_command_cannot_execute(cannot_exec_vm):
    kind, status, action, last, vm = cannot_exec_vm
    assert_clean_end(vm, last)
    at = idx(vm, rf"vigil: shutting down \({action}\): main command \S+ exited with status {status}")
    idx(vm, last, at)
    assert not vm.seen(r"SHOULD-NOT-RUN")


# ----------------------------------------------------------------- --on-exit hang

@pytest.fixture(scope="module")
def hang_vm(boot):
    img = q.Image(conf=["-v", "--on-exit hang"], main=["/bin/sh", "-c", "echo MAIN-RAN; exit 0"])
    return boot(img, "hang", until=r"vigil: hanging \(--on-exit hang\)", linger=4, timeout=BOOT)


def test_on_exit_hang_keeps_vm_up(hang_vm):
    vm = hang_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.rc is None, f"QEMU exited ({vm.rc}) although --on-exit hang"
    idx(vm, r"vigil: shutting down \(hang\): main command \S+ exited with status 0")
    assert not vm.seen(r"reboot: "), vm.seen(r"reboot: ")
