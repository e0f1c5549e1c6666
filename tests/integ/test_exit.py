"""Exit status (SPEC §2 step 10), and running without a main command."""
import signal

import pytest

from harness import proc_status, wait_for


@pytest.mark.parametrize("code", [0, 1, 255])
def test_exit_code_of_the_main_command_is_vigils(vigil, code):
    run = vigil.run("--", "sh", "-c", f"exit {code}")
    assert run.returncode == code, run.stderr


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGKILL, 137), (signal.SIGSEGV, 139)],
                         ids=["TERM", "KILL", "SEGV"])
def test_main_command_killed_by_signal_n_gives_128_plus_n(vigil, sig, code):
    run = vigil.run("--", "sh", "-c", f"kill -{int(sig)} $$")
    assert run.returncode == code, run.stderr


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)],
                         ids=["TERM", "INT", "HUP"])
def test_signal_sent_to_vigil_kills_a_default_main_command(vigil, sig, code):
    run = vigil.start("--", "sleep", "30")
    run.main_pid(comm="sleep")  # CMD has exec'd: default dispositions
    run.signal(sig)
    assert run.wait(10) == code, run.stderr


@pytest.mark.parametrize("cmd", ["/nonexistent/command", "vigil-test-no-such-command"],
                         ids=["path", "PATH-search"])
def test_missing_command_gives_127(vigil, cmd):
    run = vigil.run("--", cmd)
    assert run.returncode == 127, run.stderr
    assert cmd in run.stderr, "vigil says which command it could not run"


def test_non_executable_file_gives_126(vigil):
    script = vigil.tmp / "script"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)
    run = vigil.run("--", str(script))
    assert run.returncode == 126, run.stderr


def test_directory_as_command_gives_126(vigil):
    run = vigil.run("--", str(vigil.tmp))
    assert run.returncode == 126, run.stderr


def test_option_parsing_stops_at_the_first_non_option_word(vigil):
    # No `--`: "sh" ends vigil's options; "--bogus" and "--kill-all-timeout"
    # are CMD's arguments, not vigil's ($# = 2 after $0 = x).
    run = vigil.run("sh", "-c", "exit $#", "x", "--bogus", "--kill-all-timeout")
    assert run.returncode == 2 and "bogus" not in run.stderr, run.stderr
    run = vigil.run("--no-kill-all", "--", "sh", "-c", "exit $#", "x", "--", "-q")
    assert run.returncode == 2, run.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_without_main_command_vigil_runs_until_stop_signal_and_exits_0(vigil, sig):
    run = vigil.start()
    run.wait_signals_ready()
    # Other signals do not stop it (nothing to forward them to).
    for other in (signal.SIGHUP, signal.SIGUSR1, signal.SIGCHLD, 40):
        run.signal(other)
    wait_for(lambda: int(proc_status(run.pid)["SigPnd"], 16) == 0
             and int(proc_status(run.pid)["ShdPnd"], 16) == 0, what="vigil to read its signals")
    assert run.running(), f"vigil without CMD stopped on a signal other than TERM/INT:\n{run.stderr}"
    run.signal(sig)
    assert run.wait(10) == 0, run.stderr

