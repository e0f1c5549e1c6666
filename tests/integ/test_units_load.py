"""Loading units: broken files next to good ones, warnings, drop-ins, directories (issue 3).

A malformed value fails that unit's load: `vigil: FILE:LINE: message` on
stderr, the unit does not run, every other unit does. An unknown key or
section is a warning with FILE:LINE and the unit runs. FILE may be printed
with the directory vigil was given or not: the tests match the file name
and line.
"""
import os
import re
import time

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until

# ran LOG: "ran"
RAN = """
    echo ran >> "$1"
"""


def diag(run, filename, line):
    """vigil's stderr lines `vigil: [DIR/]FILENAME:LINE: ...`."""
    pattern = re.compile(rf"^vigil: (\S*/)?{re.escape(filename)}:{line}: \S")
    return [x for x in run.stderr.splitlines() if pattern.match(x)]


MALFORMED = [
    "Restart=sometimes",
    "RestartSec=5 parsecs",
    "Type=bogus",
    "RemainAfterExit=maybe",
    "KillMode=gently",
    "KillSignal=SIGNOPE",
    "Nice=42",
    "LimitNOFILE=lots",
    "UMask=0999",
    "TimeoutStopSec=soon",
    "SuccessExitStatus=300",
    "StandardOutput=file:relative/path",
]


def test_a_malformed_value_fails_only_that_unit(units):
    # One broken unit per malformed value (at line 6 of each), and a good one, in one vigil.
    ran = units.script("ran", RAN)
    for i, bad in enumerate(MALFORMED):
        units.add(f"broken{i}", "\n".join([
            "[Unit]",                                          # 1
            f"Description=a unit with one bad value: {bad}",   # 2
            "",                                                # 3
            "[Service]",                                       # 4
            f"ExecStart={ran} {units.file(f'broken{i}')}",     # 5
            bad,                                               # 6
        ]) + "\n")
    units.add("good", unit_text("[Service]", f"ExecStart={ran} {units.file('good')}"))
    run = units.start()
    wait_until(run, lambda: read_lines(units.file("good")), "the good unit to run")

    def unreported():
        return [bad for i, bad in enumerate(MALFORMED)
                if not any(bad.split("=")[0] in x for x in diag(run, f"broken{i}.service", 6))]
    try:
        wait_until(run, lambda: not unreported(), "`vigil: .../brokenN.service:6: KEY...` for every bad value",
                   timeout=5)
    except AssertionError:
        raise AssertionError(f"no FILE:6 error naming the key for {unreported()}:\n{run.stderr}") from None
    time.sleep(0.3)
    ran_anyway = [bad for i, bad in enumerate(MALFORMED) if read_lines(units.file(f"broken{i}"))]
    assert not ran_anyway, f"units that failed to load must not run: {ran_anyway}"
    stop_vigil(run)


def test_a_malformed_value_in_a_drop_in_is_reported_there(units):
    ran = units.script("ran", RAN)
    units.add("svc", unit_text("[Service]", f"ExecStart={ran} {units.file('svc')}"))
    units.dropin("svc", "50-limits.conf", "[Service]\nLimitNOFILE=lots\n")
    units.add("good", unit_text("[Service]", f"ExecStart={ran} {units.file('good')}"))
    run = units.start()
    wait_until(run, lambda: read_lines(units.file("good")), "the good unit to run")
    wait_until(run, lambda: diag(run, "50-limits.conf", 2), "`vigil: .../50-limits.conf:2: ...`")
    time.sleep(0.3)
    assert not read_lines(units.file("svc"))
    stop_vigil(run)


def test_unknown_keys_and_sections_are_warnings_and_the_unit_runs(units):
    ran = units.script("ran", RAN)
    units.add("tolerated", "\n".join([
        "[Unit]",                                          # 1
        "Description=unknown things",                      # 2
        "Frobnicate=yes",                                  # 3
        "[Service]",                                       # 4
        f"ExecStart={ran} {units.file('tolerated')}",      # 5
        "NotAKey=1",                                       # 6
        "[Bogus]",                                         # 7
        "Whatever=2",                                      # 8
        "[Install]",                                       # 9
        "WantedBy=multi-user.target",                      # 10
    ]) + "\n")
    run = units.start()
    wait_until(run, lambda: read_lines(units.file("tolerated")), "the unit to run despite unknown keys")
    wait_until(run, lambda: diag(run, "tolerated.service", 3) and diag(run, "tolerated.service", 6),
               "warnings for the unknown keys at lines 3 and 6")
    assert diag(run, "tolerated.service", 7) or diag(run, "tolerated.service", 8), \
        f"a warning for the unknown section [Bogus]:\n{run.stderr}"
    assert not diag(run, "tolerated.service", 10), "[Install] is read and ignored silently"
    stop_vigil(run)


def test_drop_ins_override_and_reset(units):
    probe = units.script("probe", """
        echo "$1 $COLOUR $SIZE" >> "$2"
    """)
    log = units.file("log")
    units.add("web", unit_text("[Service]", f"ExecStart={probe} from-unit {log}",
                               "Environment=COLOUR=red SIZE=small"))
    # Drop-ins apply in file name order; ExecStart= empty resets the list.
    units.dropin("web", "20-colour.conf", "[Service]\nEnvironment=COLOUR=blue\n")
    units.dropin("web", "10-colour.conf", "[Service]\nEnvironment=COLOUR=green\n")
    units.dropin("web", "30-start.conf", f"[Service]\nExecStart=\nExecStart={probe} from-drop-in {log}\n")
    units.dropin("web", "README", "not a .conf file: ignored\n")
    run = units.start()
    wait_until(run, lambda: read_lines(log), "the unit to run")
    time.sleep(0.2)
    assert read_lines(log) == ["from-drop-in blue small"]
    stop_vigil(run)


def test_several_units_directories_and_only_service_files_directly_in_them(units):
    ran = units.script("ran", RAN)
    second = units.root / "more-units"
    second.mkdir()
    units.add("first", unit_text("[Service]", f"ExecStart={ran} {units.file('first')}"))
    units.add("second", unit_text("[Service]", f"ExecStart={ran} {units.file('second')}"), directory=second)
    sub = units.dir / "sub"
    sub.mkdir()
    units.add("nested", unit_text("[Service]", f"ExecStart={ran} {units.file('nested')}"), directory=sub)
    (units.dir / "notes.txt").write_text(f"[Service]\nExecStart={ran} {units.file('notes')}\n")
    (units.dir / "timer.timer").write_text("[Timer]\nOnBootSec=1\n")
    run = units.start("--units", str(second))
    wait_until(run, lambda: read_lines(units.file("first")) and read_lines(units.file("second")),
               "the units of both directories to run")
    time.sleep(0.3)
    assert not read_lines(units.file("nested")), "only files directly in the directory are units"
    assert not os.path.exists(units.file("notes")), "only NAME.service files are units"
    stop_vigil(run)


def test_requiring_a_unit_that_failed_to_load(units):
    ran = units.script("ran", RAN)
    units.add("broken", unit_text("[Service]", f"ExecStart={ran} {units.file('broken')}", "Restart=sometimes"))
    units.add("needy", unit_text("[Unit]", "Requires=broken.service", "After=broken.service",
                                 "[Service]", f"ExecStart={ran} {units.file('needy')}"))
    units.add("good", unit_text("[Service]", f"ExecStart={ran} {units.file('good')}"))
    run = units.start()
    wait_until(run, lambda: read_lines(units.file("good")), "the good unit to run")
    time.sleep(0.5)
    assert not read_lines(units.file("needy")), "a unit that Requires= a unit that failed to load must not start"
    assert stderr_lines(run, "broken.service"), run.stderr
    stop_vigil(run)


def test_a_units_directory_with_only_broken_units_still_runs_cmd(units):
    units.add("broken", unit_text("[Service]", "ExecStart=/bin/true", "Type=bogus"))
    run = units.start(cmd=["sh", "-c", "exit 9"])
    assert run.wait(10) == 9, run.stderr
    assert diag(run, "broken.service", 3), run.stderr
