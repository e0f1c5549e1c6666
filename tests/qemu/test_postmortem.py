"""The post-mortem under QEMU (issue 16 point 3): one VM, two boots, on the
emulated i6300ESB watchdog with a persistent 9p directory.

Boot 1: a critical unit (FailureAction=reboot, WatchdogSec=2) prints its
last words and stops pinging; vigil stops petting and reboots the machine.
A flood unit meanwhile writes far more than its log files may hold
(--log-dir with --log-file-size 16K --log-file-count 2).
Boot 2 (QEMU resets, same image; a startup script tells the boots apart):
vigil logs the previous shutdown and the failed unit's last lines, into
the kernel log too; the main command prints them from `dmesg -r` (raw
priorities) and saves the first report, then powers off.

Checked: the report of boot 1 names the failed unit and holds its last
stdout lines and the kernel log's tail (vigil's own kmsg records in it);
boot 2's kernel log carries those lines with priority <29> (daemon.notice);
the breadcrumbs (a regular file standing in for /dev/pmsg0: Debian's kernel
is built without CONFIG_PSTORE_PMSG, so ramoops' pmsg device cannot exist)
hold boot, the unit failure and the shutdown's cause; the flood's files
stay within their bound (each at most 16 KiB, at most three) and were
rotated.
"""
import re

import pytest

import qemu_harness as q
import test_watchdog as wd

BOOT = 150
SIZE = 16 * 1024
COUNT = 2
STAGE = r"""
if [ -e /persist/boot-1 ]; then echo 2 > /run/stage; else touch /persist/boot-1; echo 1 > /run/stage; fi
echo "stage: $(cat /run/stage)"
"""
CRITICAL = r"""#!/bin/sh
if [ "$(cat /run/stage)" = 2 ]; then exec /usr/lib/vigil-test/pinger -1 500; fi
echo LAST-WORDS-ONE
echo LAST-WORDS-TWO
exec /usr/lib/vigil-test/pinger 6 500
"""
FLOOD = r"""#!/bin/sh
[ "$(cat /run/stage)" = 2 ] && exec sleep 1000
i=0
while [ $i -lt 4000 ]; do
    echo "FLOOD-LINE $i ................................................................"
    i=$((i+1))
done
echo FLOOD-DONE
exec sleep 1000
"""
MAIN = r"""#!/bin/sh
if [ "$(cat /run/stage)" = 2 ]; then
    cp /persist/shutdown-report /persist/report-boot-1
    dmesg -r | grep 'vigil: previous shutdown' | sed 's/^/KMSG: /'
    echo MAIN-BOOT-2-DONE
    vigilctl poweroff
fi
exec sleep 1000
"""


# The static sd_notify pinger, built once as test_watchdog.py builds it.
pinger = wd.pinger


@pytest.fixture(scope="module")
def postmortem(kernel, run_dir, pinger):
    persist = run_dir / "postmortem-persist"
    persist.mkdir()
    (persist / "pmsg").write_text("")      # the stand-in pmsg device: never created by vigil
    img = q.Image(conf=[f"--runtime-watchdog-sec {wd.RUNTIME}", "--reboot-watchdog-sec 60",
                        "--shutdown-report /persist/shutdown-report", "--log-dir /persist/logs",
                        f"--log-file-size {SIZE // 1024}K", f"--log-file-count {COUNT}",
                        "--pmsg-device /persist/pmsg", "--on-exit poweroff"],
                  main="/usr/lib/vigil-test/main", kernel=kernel, preload_modules=True)
    img.modules("i6300esb")
    img.persist()
    img.startup("02-stage", STAGE)
    img.file("/usr/lib/vigil-test/pinger", pinger, 0o755)
    img.script("/usr/lib/vigil-test/critical", CRITICAL)
    img.script("/usr/lib/vigil-test/flood", FLOOD)
    img.script("/usr/lib/vigil-test/main", MAIN)
    img.unit("critical", """[Unit]
Description=a critical service
FailureAction=reboot
[Service]
Type=notify
WatchdogSec=2
TimeoutStopSec=2
ExecStart=/usr/lib/vigil-test/critical
""")
    img.unit("flood", """[Unit]
Description=a unit flooding its output
[Service]
ExecStart=/usr/lib/vigil-test/flood
""")
    initrd = img.build(run_dir / "postmortem.cpio")
    vm = wd.ResettingVM(initrd, kernel=kernel, name="postmortem", devices=wd.ESB, persist_dir=persist,
                        deadline=2 * BOOT + 60, log_dir=q.CACHE / "logs")
    vm.run(timeout=2 * BOOT)
    return vm, persist


def read(path):
    return path.read_text(errors="replace") if path.exists() else None


def test_the_failed_unit_s_last_lines_and_the_kernel_log_are_in_the_report(postmortem):
    vm, persist = postmortem
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    report = read(persist / "report-boot-1")
    assert report is not None, f"boot 2 found no report of boot 1:\n{vm.transcript()}"
    assert "action: reboot" in report.splitlines(), report
    assert "failed unit: critical.service" in report.splitlines(), report
    lines = report.split("last lines of critical.service:\n", 1)[1].split("kernel log:", 1)[0]
    quoted = [l[4:] for l in lines.splitlines() if l.startswith("  | ")]
    assert quoted and quoted[-1].endswith("PINGER-HANGS"), report
    assert any(l.endswith("LAST-WORDS-TWO") for l in quoted), report
    klog = [l for l in report.split("kernel log:\n", 1)[1].splitlines() if l.startswith("  | ")]
    assert 0 < len(klog) <= 40, report
    # vigil's own log went into the kernel log: the shutdown's start is in its tail.
    assert any("vigil: shutting down (reboot): FailureAction=reboot of critical" in l for l in klog), report


def test_the_next_boot_shows_them_on_the_console_and_in_kmsg(postmortem):
    vm, _ = postmortem
    second = vm.index_of(r"stage: 2")
    assert second is not None and vm.index_of(r"stage: 1") < second, vm.transcript()
    assert vm.index_of(r"vigil: previous shutdown: reboot: FailureAction=reboot of critical", second), \
        vm.transcript()
    assert vm.index_of(r"vigil: previous shutdown: critical.service\| PINGER-HANGS", second), vm.transcript()
    # dmesg -r: the raw records, priority daemon (3) * 8 + notice (5).
    kmsg = r"KMSG: <29>\[ *[\d.]+\] vigil: previous shutdown: "
    assert vm.index_of(kmsg + r"reboot: FailureAction=reboot of critical.service \(result watchdog\)", second), \
        vm.transcript()
    assert vm.index_of(kmsg + r"critical.service\| LAST-WORDS-TWO", second), vm.transcript()
    assert vm.index_of(kmsg + r"critical.service\| PINGER-HANGS", second), vm.transcript()
    assert vm.seen("MAIN-BOOT-2-DONE") and vm.seen(q.POWER_DOWN), vm.transcript()


def test_breadcrumbs(postmortem):
    _, persist = postmortem
    crumbs = read(persist / "pmsg").splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z vigil: "
    assert all(re.match(stamp, c) and len(c) < 160 for c in crumbs), crumbs
    text = "\n".join(crumbs)
    assert len(re.findall(r"vigil: boot \(the machine's init\)", text)) == 2, text
    assert re.search(r"vigil: critical.service failed \(result watchdog\)", text), text
    assert re.search(r"vigil: shutdown \(reboot\): FailureAction=reboot of critical.service", text), text
    assert re.search(r"vigil: shutdown \(poweroff\)", text), text


def test_rotated_log_files_stay_within_their_bound(postmortem):
    vm, persist = postmortem
    logs = persist / "logs"
    files = sorted(p.name for p in logs.glob("flood.service.log*"))
    assert files == ["flood.service.log", "flood.service.log.1", "flood.service.log.2"], (files, vm.transcript())
    for name in files:
        assert (logs / name).stat().st_size <= SIZE, (name, (logs / name).stat().st_size)
    newest = read(logs / "flood.service.log")
    assert re.search(r"^\d{4}-\d\d-\d\dT[\d:.]+Z \[\d+\] FLOOD-LINE \d+ ", newest, re.M), newest[:500]
    # The critical unit's file has its last words of boot 1.
    critical = read(logs / "critical.service.log")
    assert critical and "LAST-WORDS-TWO" in critical and "PINGER-HANGS" in critical, critical
