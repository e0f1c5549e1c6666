"""The post-mortem (issue 16 point 3) on the host: --log-dir's rotated
per-unit files stay within their bound under a flood and keep the newest
lines in order; a write failure never stops vigil; breadcrumbs (--pmsg-device,
a regular file standing in for ramoops' /dev/pmsg0) and the failed unit's
last lines in the shutdown report under --system. The kernel-log parts
(/dev/kmsg, the kernel log's tail in the report) need vigil as the
machine's init: tests/qemu/test_postmortem.py.
"""
import os
import pathlib
import re

from harness import RESTART, Units, ended_by, stop_vigil, unit_text, wait_for

SIZE = 16 * 1024
LINES = 5000
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[\d+\] "
FLOOD = f"""
    i=0
    while [ $i -lt {LINES} ]; do
        echo "FLOOD $i ................................................................................."
        i=$((i + 1))
    done
    : > "$1"
    exec sleep 1000
"""


def flood_files(logs):
    return sorted(p.name for p in pathlib.Path(logs).glob("flood.service.log*"))


def numbers(path):
    return [int(m.group(1)) for m in re.finditer(rf"^{STAMP}FLOOD (\d+) ", path.read_text(), re.M)]


def test_rotated_files_stay_within_their_bound_under_a_flood(units):
    logs = units.file("logs")                 # made by vigil at the first write
    done = units.file("done")
    units.add("flood", unit_text("[Service]", f"ExecStart={units.script('flood', FLOOD)} {done}"))
    run = units.start("--log-dir", logs, "--log-file-size", "16K", "--log-file-count", "2")
    wait_for(lambda: os.path.exists(done), timeout=30, what="the flood's end")
    newest = pathlib.Path(logs) / "flood.service.log"
    wait_for(lambda: newest.exists() and f"FLOOD {LINES - 1} " in newest.read_text(), timeout=10,
             what="the last line in the newest file (flushed within 1 s)")
    assert flood_files(logs) == ["flood.service.log", "flood.service.log.1", "flood.service.log.2"], \
        flood_files(logs)
    for name in flood_files(logs):
        size = (pathlib.Path(logs) / name).stat().st_size
        assert 0 < size <= SIZE, (name, size)
    # Oldest to newest, the files hold the newest lines, every one, in order.
    kept = [n for name in reversed(flood_files(logs)) for n in numbers(pathlib.Path(logs) / name)]
    assert kept == list(range(kept[0], LINES)), kept[:5]
    assert len(kept) > 2 * SIZE // 150, len(kept)
    assert "lines dropped" not in run.stderr, run.stderr
    stop_vigil(run)


def test_count_zero_keeps_one_file_and_the_last_lines_are_written_at_exit(units):
    logs = units.file("logs")
    done = units.file("done")
    units.add("flood", unit_text("[Service]", f"ExecStart={units.script('flood', FLOOD)} {done}"))
    units.add("once", unit_text("[Service]", f"ExecStart={units.script('once', 'echo ONE-LINE; exec sleep 1000')}"))
    run = units.start("--log-dir", logs, "--log-file-size", "16K", "--log-file-count", "0")
    wait_for(lambda: os.path.exists(done) and "once[" in run.stdout, timeout=30, what="the flood's end")
    stop_vigil(run)      # within the 1 s flush delay: the exit writes what waits
    assert flood_files(logs) == ["flood.service.log"], flood_files(logs)
    assert (pathlib.Path(logs) / "flood.service.log").stat().st_size <= SIZE
    assert numbers(pathlib.Path(logs) / "flood.service.log")[-1] == LINES - 1
    once = (pathlib.Path(logs) / "once.service.log").read_text()
    assert re.fullmatch(rf"{STAMP}ONE-LINE\n", once), once


def test_an_unwritable_log_dir_is_one_warning_and_vigil_runs_on(units):
    blocker = pathlib.Path(units.file("not-a-dir"))
    blocker.write_text("")
    talk = units.script("talk", "i=0; while [ $i -lt 3 ]; do echo TALK-$i; i=$((i + 1)); done; exec sleep 1000")
    units.add("talk", unit_text("[Service]", f"ExecStart={talk}"))
    run = units.start("--log-dir", str(blocker / "logs"))
    wait_for(lambda: "TALK-2" in run.stdout, what="the unit's output on stdout as before")
    wait_for(lambda: "cannot write" in run.stderr, what="the warning (after the 1 s flush delay)")
    warnings = [l for l in run.stderr.splitlines() if "cannot write" in l]
    assert len(warnings) == 1 and "talk.service" in warnings[0] and "Not a directory" in warnings[0], run.stderr
    stop_vigil(run)
    assert re.search(r"log files: \d+ lines dropped", run.stderr), run.stderr


def test_bad_log_file_options_are_usage_errors(vigil):
    for args in (["--log-file-size", "1K"], ["--log-file-size", "12Q"], ["--log-file-count", "x"]):
        r = vigil.run(*args, "--", "true")
        assert r.returncode == 2, (args, r.stderr)
        assert "--log-file-" in r.stderr, r.stderr


def test_breadcrumbs_and_the_failed_units_last_lines_in_the_report(sysv):
    u = Units(sysv)
    pmsg = pathlib.Path(sysv.path("pmsg"))
    pmsg.write_text("")
    report = sysv.path("report")
    crash = u.script("crash", "echo CRASH-FIRST; echo CRASH-LAST; sleep 0.2; exit 7")
    u.add("crash", f"""
        [Unit]
        FailureAction=reboot
        [Service]
        ExecStart={crash}
    """)
    run = u.start("--pmsg-device", str(pmsg), "--shutdown-report", report)
    ended_by(run, RESTART)
    crumbs = pmsg.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z vigil: "
    assert [re.sub(stamp, "", c) for c in crumbs] == [
        "boot (--system)", "crash.service failed (result exit-code)",
        "shutdown (reboot): FailureAction=reboot of crash.service (result exit-code)"], crumbs
    assert all(re.match(stamp, c) for c in crumbs), crumbs
    text = pathlib.Path(report).read_text()
    assert "failed unit: crash.service\nlast lines of crash.service:\n  | CRASH-FIRST\n  | CRASH-LAST\n" in text, text
    assert "kernel log:" not in text, "the host's kernel log is not --system's business:\n" + text
