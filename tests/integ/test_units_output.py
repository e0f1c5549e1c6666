"""Where a unit's output goes (issue 3; SPEC §6 "Service output").

Default (StandardOutput=journal): each process's stdout and stderr reach
vigil through a pipe, and vigil writes `NAME[PID]: line` to its own stdout,
NAME being the unit name without .service (or SyslogIdentifier=), PID the
process that owns the pipe. StandardOutput=inherit: straight to vigil's
stdout; null: nowhere; file:PATH / append:PATH.
"""
import os
import re
import time

from harness import read_lines, stop_vigil, unit_text, wait_until

# talk WORD [MARKER]: one line on stdout and one on stderr, each with our pid; then MARKER
TALK = """
    echo "$1 out pid=$$"
    echo "$1 err pid=$$" >&2
    [ -n "$2" ] && : > "$2"
    exit 0
"""


def prefixed(run, name, text):
    """(pid in the prefix, pid in the text) of the lines `NAME[PID]: TEXT pid=N` on vigil's stdout."""
    pattern = re.compile(rf"^{re.escape(name)}\[(\d+)\]: {re.escape(text)} pid=(\d+)$")
    return [m.groups() for m in map(pattern.match, run.stdout.splitlines()) if m]


def test_output_is_prefixed_with_the_unit_name_and_pid(units):
    talk = units.script("talk", TALK)
    units.add("talker", unit_text("[Service]", f"ExecStart={talk} hello"))
    run = units.start()
    wait_until(run, lambda: prefixed(run, "talker", "hello out") and prefixed(run, "talker", "hello err"),
               "talker's lines on vigil's stdout")
    for text in ("hello out", "hello err"):
        (prefix_pid, own_pid), = prefixed(run, "talker", text)
        assert prefix_pid == own_pid, f"the prefix names the process that wrote: {run.stdout}"
    stop_vigil(run)


def test_syslog_identifier_replaces_the_name(units):
    talk = units.script("talk", TALK)
    units.add("talker", unit_text("[Service]", f"ExecStart={talk} hi", "SyslogIdentifier=front-end"))
    run = units.start()
    wait_until(run, lambda: prefixed(run, "front-end", "hi out") and prefixed(run, "front-end", "hi err"),
               "the lines under SyslogIdentifier=")
    assert "talker[" not in run.stdout
    stop_vigil(run)


def test_exec_start_pre_output_carries_its_own_pid(units):
    talk = units.script("talk", TALK)
    units.add("staged", unit_text("[Service]", f"ExecStartPre={talk} pre", f"ExecStart={talk} main"))
    run = units.start()
    wait_until(run, lambda: prefixed(run, "staged", "pre out") and prefixed(run, "staged", "main out"),
               "the pre and main lines")
    (pre_prefix, pre_pid), = prefixed(run, "staged", "pre out")
    (main_prefix, main_pid), = prefixed(run, "staged", "main out")
    assert pre_prefix == pre_pid and main_prefix == main_pid and pre_pid != main_pid
    stop_vigil(run)


def test_lines_of_several_units_are_not_mixed(units):
    # 3 units x 200 lines each, concurrently: every line arrives whole, once, with its unit's name.
    spam = units.script("spam", """
        i=0
        while [ $i -lt 200 ]; do echo "$1 line $i of a unit that talks a lot"; i=$((i + 1)); done
    """)
    for n in ("u1", "u2", "u3"):
        units.add(n, unit_text("[Service]", f"ExecStart={spam} {n}"))
    run = units.start()

    def complete():
        lines = run.stdout.splitlines()
        return all(sum(1 for x in lines if x.startswith(f"{n}[")) >= 200 for n in ("u1", "u2", "u3"))
    wait_until(run, complete, "600 lines on vigil's stdout")
    for n in ("u1", "u2", "u3"):
        mine = [x for x in run.stdout.splitlines() if x.startswith(f"{n}[")]
        texts = [x.split("]: ", 1)[1] for x in mine]
        assert texts == [f"{n} line {i} of a unit that talks a lot" for i in range(200)], \
            f"{n}'s lines are not whole and in order"
    stop_vigil(run)


def test_standard_output_null(units):
    talk = units.script("talk", TALK)
    marker = units.file("done")
    units.add("quiet", unit_text("[Service]", f"ExecStart={talk} secret-words {marker}", "StandardOutput=null"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(marker), "the unit to run")
    time.sleep(0.3)
    stop_vigil(run)
    assert "secret-words" not in run.stdout and "secret-words" not in run.stderr, \
        "StandardOutput=null (and StandardError= inheriting it) discards both"


def test_standard_output_file_and_append(units):
    talk = units.script("talk", TALK)
    to_file, to_append = units.out / "file.log", units.out / "append.log"
    to_append.write_text("old line\n")
    m1, m2 = units.file("m1"), units.file("m2")
    units.add("filer", unit_text("[Service]", f"ExecStart={talk} filed {m1}", f"StandardOutput=file:{to_file}"))
    units.add("appender", unit_text("[Service]", f"ExecStart={talk} appended {m2}",
                                    f"StandardOutput=append:{to_append}"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(m1) and os.path.exists(m2), "the units to run")
    time.sleep(0.2)
    stop_vigil(run)
    got = read_lines(to_file)
    assert len(got) == 2 and got[0].startswith("filed out pid=") and got[1].startswith("filed err pid="), got
    got = read_lines(to_append)
    assert got[0] == "old line" and [x.split(" pid=")[0] for x in got[1:]] == ["appended out", "appended err"], got
    assert "filed" not in run.stdout and "appended" not in run.stdout


def test_standard_output_inherit_writes_straight_to_vigils_stdout(units):
    talk = units.script("talk", TALK)
    marker = units.file("done")
    units.add("direct", unit_text("[Service]", f"ExecStart={talk} plain {marker}", "StandardOutput=inherit"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(marker), "the unit to run")
    wait_until(run, lambda: any(x.startswith("plain out pid=") for x in run.stdout.splitlines()),
               "the unprefixed line on vigil's stdout")
    assert not re.search(r"direct\[\d+\]: plain out", run.stdout), "inherit: no prefix"
    stop_vigil(run)


def test_standard_error_can_go_elsewhere(units):
    talk = units.script("talk", TALK)
    marker = units.file("done")
    errors = units.out / "errors.log"
    units.add("split", unit_text("[Service]", f"ExecStart={talk} split {marker}", f"StandardError=file:{errors}"))
    run = units.start()
    wait_until(run, lambda: prefixed(run, "split", "split out"), "stdout through vigil")
    wait_until(run, lambda: read_lines(errors), "stderr in its file")
    assert read_lines(errors)[0].startswith("split err pid=")
    assert "split err" not in run.stdout
    stop_vigil(run)
