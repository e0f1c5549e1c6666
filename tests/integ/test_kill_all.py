"""The bounded kill-all when the main command exits (SPEC §2 step 9).

The main command is helpers/leftover.c: it forks a child that starts its own
session (like a daemon) and waits; CMD exits when the test releases it. The
leftover logs each SIGTERM it gets; with ignore_term it carries on, without
it obeys. Times are measured from CMD's release.
"""
import os
import signal
import time

import pytest

from harness import proc_stat, read_signals, wait_for


def test_leftover_ignoring_sigterm_is_killed_after_the_timeout_and_no_sooner(vigil):
    run, left = vigil.start_leftover("--kill-all-timeout", "2", ignore_term=True, code=3)
    t0 = left.release()
    wait_for(lambda: left.sigterms() > 0, timeout=5, what="kill-all's SIGTERM to the leftover")
    time.sleep(max(0.0, t0 + 1.7 - time.monotonic()))
    running, leftover_alive, checked = run.running(), left.alive(), time.monotonic() - t0
    if checked < 1.95:  # (a stalled test thread may look too late to judge)
        assert running, f"vigil exited less than {checked:.2f} s after CMD, before the 2 s timeout"
        assert leftover_alive, f"the leftover was killed less than {checked:.2f} s after CMD, before the timeout"
    status, ended = run.wait_timed(timeout=10)
    elapsed = ended - t0
    assert status == 3, f"vigil's status is CMD's, whatever the kill-all does:\n{run.stderr}"
    assert 1.9 <= elapsed < 2 + 2.5, f"vigil exited {elapsed:.2f} s after CMD with --kill-all-timeout 2"
    assert not left.alive(), "the leftover outlived vigil"
    assert left.sigterms() == 1


def test_leftover_obeying_sigterm_lets_vigil_exit_at_once(vigil):
    run, left = vigil.start_leftover(code=7)  # default timeout: 3 s
    t0 = left.release()
    status, ended = run.wait_timed(timeout=10)
    assert status == 7, run.stderr
    assert ended - t0 < 1.5, f"vigil waited {ended - t0:.2f} s for a leftover that obeyed SIGTERM at once"
    assert left.sigterms() == 1
    assert not left.alive()


@pytest.mark.parametrize("span", ["500ms", "0.5"])
def test_fractional_timeouts_are_honoured(vigil, span):
    run, left = vigil.start_leftover("--kill-all-timeout", span, ignore_term=True)
    t0 = left.release()
    status, ended = run.wait_timed(timeout=10)
    assert status == 0, run.stderr
    assert 0.45 <= ended - t0 < 0.5 + 2.0, f"{ended - t0:.2f} s with --kill-all-timeout {span}"
    assert not left.alive()


def test_stopped_leftover_is_continued_so_it_can_obey_sigterm(vigil):
    # The leftover obeys SIGTERM from a handler, which a stopped process
    # cannot run: vigil follows SIGTERM with SIGCONT (README), so it exits at
    # once instead of being SIGKILLed after the timeout.
    run, left = vigil.start_leftover(code=5)
    os.kill(left.pid, signal.SIGSTOP)
    wait_for(lambda: proc_stat(left.pid)[0] == "T", what="the leftover to stop")
    t0 = left.release()
    status, ended = run.wait_timed(timeout=10)
    assert status == 5, run.stderr
    assert left.sigterms() == 1, "the stopped leftover never ran its SIGTERM handler"
    assert ended - t0 < 1.5, f"vigil took {ended - t0:.2f} s: the stopped leftover was not continued"


def test_no_kill_all_exits_at_once_and_leaves_leftovers_alone(vigil):
    run, left = vigil.start_leftover("--no-kill-all", ignore_term=True)
    t0 = left.release()
    status, ended = run.wait_timed(timeout=10)
    assert status == 0, run.stderr
    assert ended - t0 < 1.5, f"vigil took {ended - t0:.2f} s with --no-kill-all"
    time.sleep(0.1)
    assert left.sigterms() == 0, "--no-kill-all must not send SIGTERM to leftovers"
    if vigil.mode == "subreaper":
        # Left alone: still running after vigil is gone (teardown kills it).
        assert left.alive(), "the leftover did not survive vigil"
    # As PID 1, the kernel SIGKILLs the rest of the namespace when vigil exits.


def test_kill_all_never_signals_a_process_outside_vigils_tree(vigil):
    # An unrelated recorder, started by the test in its own process group,
    # with vigil (or unshare above it) placed in that same process group and
    # session: a kill(-1), kill(0) or kill(-pgrp) by vigil would reach it.
    # As PID 1 the namespace confines kill(-1) anyway; as a subreaper only
    # vigil's own restraint does (SPEC §2: "never anything else on the host").
    stranger_log = vigil.path("stranger.log")
    stranger = vigil.spawn([vigil.h.sigrec, stranger_log], preexec_fn=lambda: os.setpgid(0, 0))
    wait_for(lambda: os.path.exists(stranger_log), what="the unrelated recorder")
    run, left = vigil.start_leftover("--kill-all-timeout", "0.5", ignore_term=True,
                                     start_new_session=False, preexec_fn=lambda: os.setpgid(0, stranger.pid))
    assert os.getpgid(run.proc.pid) == stranger.pid
    left.release()
    status, _ = run.wait_timed(timeout=10)
    assert status == 0, run.stderr
    assert left.sigterms() == 1 and not left.alive(), "the leftover got SIGTERM, then SIGKILL"
    time.sleep(0.2)
    assert stranger.poll() is None, "the unrelated process died"
    assert read_signals(stranger_log) == [], "vigil signalled a process that is not its descendant"
