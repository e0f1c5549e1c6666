"""runit service directories (--runit-dir): run restarted always, finish
with runit's two arguments, a down file, and log/run fed through a pipe that
survives restarts of the service."""
import time

from harness import wait_for


def service(root, name, run, finish=None, log=None, down=False):
    d = root / name
    d.mkdir(parents=True)
    files = {"run": run, "finish": finish}
    if log is not None:
        (d / "log").mkdir()
        files["log/run"] = log
    for rel, text in files.items():
        if text is None:
            continue
        p = d / rel
        p.write_text("#!/bin/sh\n" + text)
        p.chmod(0o755)
    if down:
        (d / "down").write_text("")
    return d


def lines(path):
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def test_run_is_restarted_and_finish_gets_exit_code_and_signal(vigil):
    root, out = vigil.tmp / "sv", vigil.tmp / "out"
    out.mkdir()
    service(root, "crash",
            run=f'n=$(cat {out}/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > {out}/count\n'
                f'if [ $n -eq 2 ]; then kill -USR1 $$; fi\nexit 7\n',
            finish=f'echo "$1 $2 $(pwd)" >> {out}/finish\n')
    run = vigil.start("--runit-dir", str(root))
    wait_for(lambda: len(lines(out / "finish")) >= 3, timeout=10, what="three finish runs")
    run.signal(15)
    assert run.wait(15) == 0, run.stderr
    got = lines(out / "finish")
    # ./finish EXIT SIGNAL: exit 7 -> "7 0"; killed by SIGUSR1 (10) -> "-1 10"; run in the service dir.
    assert got[0] == f"7 0 {root / 'crash'}", got
    assert got[1] == f"-1 10 {root / 'crash'}", got
    assert got[2] == f"7 0 {root / 'crash'}", got


def test_down_file_keeps_a_service_stopped_at_boot(vigil):
    root, out = vigil.tmp / "sv", vigil.tmp / "out"
    out.mkdir()
    service(root, "up", run=f"echo up >> {out}/up; exec sleep 30\n")
    service(root, "held", run=f"echo held >> {out}/held; exec sleep 30\n", down=True)
    run = vigil.start("--runit-dir", str(root))
    wait_for(lambda: lines(out / "up"), timeout=10, what="the up service")
    time.sleep(0.5)
    assert not (out / "held").exists(), "a service with a down file must not start"
    run.signal(15)
    assert run.wait(15) == 0, run.stderr


def test_log_run_reads_stdout_through_a_pipe_that_survives_restarts(vigil):
    root, out = vigil.tmp / "sv", vigil.tmp / "out"
    out.mkdir()
    service(root, "talker",
            run='echo "line from $$"\necho "to stderr" >&2\nsleep 0.1\nexit 1\n',
            log=f'echo "log started $$" >> {out}/log-starts\nwhile read -r l; do echo "$l" >> {out}/logged; done\n')
    run = vigil.start("--runit-dir", str(root))
    wait_for(lambda: len(lines(out / "logged")) >= 3, timeout=10, what="three logged lines")
    run.signal(15)
    assert run.wait(15) == 0, run.stderr
    logged = lines(out / "logged")
    assert all(l.startswith("line from ") for l in logged), logged
    assert len(set(logged)) >= 3, "each restart is a new process writing into the same pipe"
    assert len(lines(out / "log-starts")) == 1, "the log service ran once across all restarts"
    assert "to stderr" not in "\n".join(logged), "only stdout goes to log/run"
    assert "to stderr" in run.stderr


def test_entries_without_an_executable_run_are_ignored(vigil):
    root, out = vigil.tmp / "sv", vigil.tmp / "out"
    out.mkdir()
    d = root / "norun"
    d.mkdir(parents=True)
    (d / "run").write_text("#!/bin/sh\necho ran > " + str(out / "norun") + "\n")  # not executable
    (root / "afile").write_text("x")
    service(root, "ok", run=f"echo ok > {out}/ok; exec sleep 30\n")
    run = vigil.start("--runit-dir", str(root))
    wait_for(lambda: (out / "ok").exists(), timeout=10, what="the good service")
    run.signal(15)
    assert run.wait(15) == 0, run.stderr
    assert not (out / "norun").exists()
