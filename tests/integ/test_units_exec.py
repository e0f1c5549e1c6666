"""The Exec*= commands of a service, its types, and how a start fails (issue 3).

ExecStartPre=/ExecStartPost=/ExecStop=/ExecStopPost= order and environment
($MAINPID, $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS), the "-" prefix,
RemainAfterExit=, Type=oneshot with several ExecStart=, Type=forking with
PIDFile=, Type=exec and Type=simple with a binary that does not exist.
Each command appends a word to a log; the test reads the order back.
"""
import time

import pytest

from harness import count_lines, read_lines, stderr_lines, stop_vigil, unit_text, wait_until

# ev LOG WORD: append "WORD MAINPID-or-none ALIVE-or-gone" (is $MAINPID alive?)
EV = """
    st=none
    if [ -n "$MAINPID" ]; then
            if kill -0 "$MAINPID" 2>/dev/null; then st=alive; else st=gone; fi
    fi
    echo "$2 ${MAINPID:-none} $st" >> "$1"
"""

# main LOG: "start PID", then stay up
MAIN = """
    echo "start $$" >> "$1"
    exec sleep 30
"""

# result LOG: what ExecStopPost= is told
RESULT = """
    echo "stoppost ${SERVICE_RESULT:-unset} ${EXIT_CODE:-unset} ${EXIT_STATUS:-unset}" >> "$1"
"""


def words(path):
    return [line.split()[0] for line in read_lines(path)]


def fields(path, word):
    return [line.split() for line in read_lines(path) if line.split()[0] == word]


def test_simple_unit_hooks_run_in_order_with_mainpid(units):
    ev, main = units.script("ev", EV), units.script("main", MAIN)
    log = units.file("log")
    units.add("hooks", unit_text(
        "[Service]",
        f"ExecStartPre={ev} {log} pre",
        f"ExecStart={main} {log}",
        f"ExecStartPost={ev} {log} post",
        f"ExecStop={ev} {log} stop",
        f"ExecStopPost={ev} {log} stoppost"))
    run = units.start()
    wait_until(run, lambda: {"start", "post"} <= set(words(log)), "the unit to start")
    time.sleep(0.3)
    assert "stop" not in words(log), f"ExecStop= ran while the service was running:\n{read_lines(log)}"
    stop_vigil(run)
    w = words(log)
    assert w[0] == "pre" and set(w[1:3]) == {"start", "post"} and w[3:] == ["stop", "stoppost"], \
        f"order of the commands: {w}"
    main_pid = fields(log, "start")[0][1]
    assert fields(log, "post")[0][1:] == [main_pid, "alive"], "ExecStartPost= gets $MAINPID of the live main process"
    assert fields(log, "stop")[0][1:] == [main_pid, "alive"], "ExecStop= runs before the main process is signalled"
    assert fields(log, "pre")[0][1] == "none", "ExecStartPre= runs before there is a main process"


def test_oneshot_commands_run_one_after_the_other(units):
    ev = units.script("ev", EV)
    job = units.script("job", """
        echo "$2" >> "$1"
        sleep 0.1
        echo "$2-end" >> "$1"
    """)
    log = units.file("log")
    units.add("once", unit_text(
        "[Service]", "Type=oneshot", "RemainAfterExit=yes",
        f"ExecStartPre={job} {log} pre1",
        f"ExecStartPre={job} {log} pre2",
        f"ExecStart={job} {log} start1",
        f"ExecStart={job} {log} start2",
        f"ExecStartPost={job} {log} post",
        f"ExecStop={ev} {log} stop",
        f"ExecStopPost={ev} {log} stoppost"))
    run = units.start()
    wait_until(run, lambda: "post-end" in words(log), "the oneshot to finish starting")
    time.sleep(0.3)
    stop_vigil(run)
    assert words(log) == ["pre1", "pre1-end", "pre2", "pre2-end", "start1", "start1-end", "start2", "start2-end",
                          "post", "post-end", "stop", "stoppost"]


def test_remain_after_exit_keeps_a_oneshot_active_until_shutdown(units):
    ev = units.script("ev", EV)
    log_remain, log_plain = units.file("remain"), units.file("plain")
    for name, log, remain in (("remain", log_remain, "yes"), ("plain", log_plain, "no")):
        units.add(name, unit_text(
            "[Service]", "Type=oneshot", f"RemainAfterExit={remain}",
            f"ExecStart={ev} {log} start", f"ExecStop={ev} {log} stop", f"ExecStopPost={ev} {log} stoppost"))
    run = units.start()
    # Without RemainAfterExit= the oneshot goes down (its stop path) as soon as it is done.
    wait_until(run, lambda: words(log_plain) == ["start", "stop", "stoppost"], "the plain oneshot to go down")
    time.sleep(0.3)
    assert words(log_remain) == ["start"], "RemainAfterExit=yes: the unit stays active, no stop yet"
    stop_vigil(run)
    assert words(log_remain) == ["start", "stop", "stoppost"], "stopped at shutdown"
    assert words(log_plain) == ["start", "stop", "stoppost"], "a dead unit is not stopped again"


def test_dash_prefix_ignores_a_failing_command_and_without_it_the_start_fails(units):
    ev, main = units.script("ev", EV), units.script("main", MAIN)
    result = units.script("result", RESULT)
    tolerant, strict = units.file("tolerant"), units.file("strict")
    units.add("tolerant", unit_text(
        "[Service]", "ExecStartPre=-/bin/false", f"ExecStart={main} {tolerant}",
        f"ExecStopPost={result} {tolerant}"))
    units.add("strict", unit_text(
        "[Service]", "ExecStartPre=/bin/false", f"ExecStart={main} {strict}",
        f"ExecStop={ev} {strict} stop", f"ExecStopPost={result} {strict}"))
    run = units.start()
    wait_until(run, lambda: "start" in words(tolerant) and "stoppost" in words(strict), "both units to get going")
    time.sleep(0.3)
    assert "start" not in words(strict), "a failing ExecStartPre= without '-' must fail the start"
    assert "stop" not in words(strict), "ExecStop= runs only for a service that started"
    assert fields(strict, "stoppost")[0][1] == "exit-code", f"ExecStopPost= sees the failure: {read_lines(strict)}"
    stop_vigil(run)
    assert fields(tolerant, "stoppost")[0][1] == "success", read_lines(tolerant)


def test_oneshot_dash_prefix_on_exec_start(units):
    ev = units.script("ev", EV)
    log_ok, log_bad = units.file("ok"), units.file("bad")
    units.add("ok", unit_text("[Service]", "Type=oneshot", "ExecStart=-/bin/false", f"ExecStart={ev} {log_ok} second"))
    units.add("bad", unit_text("[Service]", "Type=oneshot", "ExecStart=/bin/false", f"ExecStart={ev} {log_bad} second",
                               f"ExecStopPost={ev} {log_bad} stoppost"))
    # Requires= + After= on "ok" proves it succeeded as a whole.
    units.add("needs-ok", unit_text("[Unit]", "Requires=ok.service", "After=ok.service",
                                    "[Service]", "Type=oneshot", f"ExecStart={ev} {units.file('needs-ok')} ran"))
    run = units.start()
    wait_until(run, lambda: words(log_ok) and words(log_bad) and words(units.file("needs-ok")),
               "the oneshots to run")
    time.sleep(0.3)
    assert words(log_ok) == ["second"]
    assert words(log_bad) == ["stoppost"], "the command after a failing one must not run"
    stop_vigil(run)


RESULT_CASES = {
    # cause: (unit lines, script body, expected SERVICE_RESULT EXIT_CODE EXIT_STATUS)
    "exit-0": ((), "exit 0", ["success", "exited", "0"]),
    "exit-3": ((), "exit 3", ["exit-code", "exited", "3"]),
    "sig-KILL": ((), "kill -s KILL $$", ["signal", "killed", "KILL"]),
    "sig-TERM": ((), "kill -s TERM $$", ["success", "killed", "TERM"]),   # a clean signal
    "timeout": (("Type=oneshot", "TimeoutStartSec=300ms"), "exec sleep 30", ["timeout", "killed", "TERM"]),
    "exec-missing": (("Type=exec",), None, ["exit-code", "exited", "127"]),
}


@pytest.mark.parametrize("cause", RESULT_CASES)
def test_exec_stop_post_is_told_how_the_service_ended(units, cause):
    lines, body, expected = RESULT_CASES[cause]
    result = units.script("result", RESULT)
    log = units.file("log")
    exec_start = units.script("main", body) if body else "/nonexistent/vigil-test-no-such-binary"
    units.add("ender", unit_text("[Service]", *lines, f"ExecStart={exec_start}", f"ExecStopPost={result} {log}"))
    run = units.start()
    wait_until(run, lambda: read_lines(log), "ExecStopPost= to run")
    assert fields(log, "stoppost")[0][1:] == expected, read_lines(log)
    stop_vigil(run)
    assert count_lines(log) == 1


# forking-daemon PIDFILE LOG: the parent forks; the child starts its own session
# and forks the daemon, which writes PIDFILE (its handler already set) and
# logs SIGTERM; the parent waits for PIDFILE and exits 0.
FORKING_DAEMON = """
    import os, signal, sys, time
    pidfile, log = sys.argv[1], sys.argv[2]

    def note(word):
        with open(log, "a") as f:
            f.write(f"{word} {os.getpid()} {time.time():.6f}\\n")

    def on_term(signo, frame):
        note("daemon-TERM")
        os._exit(0)

    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, on_term)
            with open(pidfile + ".tmp", "w") as f:
                f.write(f"{os.getpid()}\\n")
            os.rename(pidfile + ".tmp", pidfile)
            while True:
                signal.pause()
        os._exit(0)
    os.waitpid(child, 0)
    while not os.path.exists(pidfile):
        time.sleep(0.01)
    note("parent-exit")
"""


def test_forking_unit_main_pid_comes_from_pid_file_and_is_stopped(units):
    daemon = units.script("forking-daemon", FORKING_DAEMON, interpreter="/usr/bin/python3")
    ev = units.script("ev", EV)
    pidfile, log = units.file("daemon.pid"), units.file("log")
    units.add("forky", unit_text(
        "[Service]", "Type=forking", f"PIDFile={pidfile}", f"ExecStart={daemon} {pidfile} {log}",
        f"ExecStartPost={ev} {log} post", f"ExecStopPost={ev} {log} stoppost"))
    run = units.start()
    wait_until(run, lambda: "post" in words(log), "ExecStartPost= of the forking unit")
    daemon_pid = open(pidfile).read().strip()
    assert fields(log, "post")[0][1:] == [daemon_pid, "alive"], \
        f"$MAINPID is the daemon's pid from PIDFile= ({daemon_pid}): {read_lines(log)}"
    assert words(log).index("parent-exit") < words(log).index("post"), "ExecStartPost= after the parent exited"
    stop_vigil(run)
    w = words(log)
    assert "daemon-TERM" in w, f"the daemon (main pid, in its own session) got no SIGTERM at stop: {w}"
    assert w.index("daemon-TERM") < w.index("stoppost"), f"the daemon was not stopped by the unit's stop: {w}"


def test_exec_with_a_missing_binary_fails_the_start_and_its_requires_dependent(units):
    ev = units.script("ev", EV)
    units.add("broken-exec", unit_text("[Service]", "Type=exec", "ExecStart=/nonexistent/vigil-test-no-such-binary",
                                       f"ExecStopPost={ev} {units.file('broken')} stoppost"))
    units.add("dependent", unit_text("[Unit]", "Requires=broken-exec.service", "After=broken-exec.service",
                                     "[Service]", f"ExecStart={ev} {units.file('dependent')} ran"))
    units.add("other", unit_text("[Service]", f"ExecStart={ev} {units.file('other')} ran"))
    run = units.start()
    wait_until(run, lambda: words(units.file("broken")) and words(units.file("other")), "the units to run")
    time.sleep(0.5)
    assert not words(units.file("dependent")), "Type=exec is not up when exec fails: its dependent must not start"
    lines = stderr_lines(run, "broken-exec", "No such file or directory")
    assert lines, f"vigil names the unit and the error:\n{run.stderr}"
    stop_vigil(run)


def test_simple_with_a_missing_binary_fails_with_127_and_restarts_on_failure(units):
    result = units.script("result", RESULT)
    log = units.file("log")
    units.add("missing", unit_text(
        "[Unit]", "StartLimitIntervalSec=10s", "StartLimitBurst=3",
        "[Service]", "ExecStart=/nonexistent/vigil-test-no-such-binary", "Restart=on-failure", "RestartSec=0",
        f"ExecStopPost={result} {log}"))
    run = units.start()
    wait_until(run, lambda: count_lines(log) >= 3, "three failed starts")
    time.sleep(0.7)
    assert read_lines(log) == ["stoppost exit-code exited 127"] * 3, \
        f"each start fails with status 127, restarts until the start limit: {read_lines(log)}"
    assert stderr_lines(run, "missing", "No such file or directory"), run.stderr
    stop_vigil(run)


def test_a_non_executable_binary_fails_with_126(units):
    result = units.script("result", RESULT)
    log = units.file("log")
    plain = units.out / "not-executable"
    plain.write_text("#!/bin/sh\nexit 0\n")
    plain.chmod(0o644)
    units.add("noexec", unit_text("[Service]", f"ExecStart={plain}", f"ExecStopPost={result} {log}"))
    run = units.start()
    wait_until(run, lambda: read_lines(log), "ExecStopPost=")
    assert read_lines(log) == ["stoppost exit-code exited 126"]
    assert stderr_lines(run, "noexec", "Permission denied"), run.stderr
    stop_vigil(run)
