"""Signal forwarding and signal hygiene (SPEC §2).

The main command is helpers/sigrec.c: it blocks every signal and takes them
with sigwaitinfo(), so no default action (death, stop) applies, and logs
"SIGNO SI_CODE SI_PID" per signal.
"""
import os
import signal
import subprocess
import time

import pytest

from harness import read_signals, signos, wait_for

FAULTS = [signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT, signal.SIGTRAP,
          signal.SIGSYS]
NOT_FORWARDABLE = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, signal.SIGTTOU, *FAULTS,
                   32, 33}  # 32, 33: reserved by glibc, cannot be blocked by the recorder
FORWARDABLE = [s for s in range(1, 65) if s not in NOT_FORWARDABLE]
SENTINEL = 64  # SIGRTMAX: forwarded, and dequeued after any standard signal sent before it


def start_recorder(vigil, *options, child=False, exit_on=signal.SIGTERM, exit_code=0, **kwargs):
    """vigil OPTIONS -- sigrec; returns (run, log, child_log, ready fields)."""
    log, child_log, ready = vigil.path("sigs"), vigil.path("child-sigs"), vigil.path("sigrec.ready")
    cmd = [vigil.h.sigrec, "-r", ready, "-x", f"{int(exit_on)}:{exit_code}"]
    if child:
        cmd += ["-c", child_log]
    run = vigil.start(*options, "--", *cmd, log, **kwargs)
    wait_for(lambda: os.path.exists(ready) or not run.running(), what="the recorder to start")
    assert os.path.exists(ready), f"recorder did not start ({run.wait()}):\n{run.stderr}"
    return run, log, child_log, [int(x) for x in open(ready).read().split()]


def stop_recorder(run):
    run.signal(signal.SIGTERM)  # forwarded; the recorder exits 0 on it
    assert run.wait(15) == 0, run.stderr


def test_every_forwardable_signal_reaches_the_main_command_once_from_vigil(vigil):
    # Batches, each awaited before the next. SIGCONT goes alone: the kernel
    # discards a pending SIGCONT when a stop signal (TSTP, TTIN) is sent and
    # vice versa, in vigil's queue as in CMD's. SIGTERM goes last: it ends
    # the recorder.
    run, log, _, _ = start_recorder(vigil)
    rest = [s for s in FORWARDABLE if s not in (signal.SIGCONT, signal.SIGTERM)]
    batches = [rest[i:i + 13] for i in range(0, len(rest), 13)] + [[signal.SIGCONT]]
    for batch in batches:
        for sig in batch:
            run.signal(sig)
        try:
            wait_for(lambda: set(batch) <= set(signos(log)), timeout=10)
        except AssertionError:
            state = "still running" if run.running() else f"exited with status {run.wait()}"
            raise AssertionError(f"signals {sorted(set(batch) - set(signos(log)))} sent to vigil did not "
                                 f"reach the main command (vigil {state}); stderr:\n{run.stderr}") from None
    stop_recorder(run)
    got = read_signals(log)
    assert sorted(r[0] for r in got) == sorted(FORWARDABLE), "each signal exactly once, nothing else"
    senders = {r[2] for r in got}
    assert senders == {run.ns_pid}, f"signals must come from vigil (pid {run.ns_pid} in CMD's view): {senders}"


@pytest.mark.parametrize("group", [True, False], ids=["with-g", "without-g"])
def test_process_group_option_decides_whether_the_whole_group_gets_signals(vigil, group):
    # sigrec -c forks a second recorder that stays in CMD's process group.
    run, log, child_log, _ = start_recorder(vigil, *(["-g"] if group else []), child=True)
    for sig in (signal.SIGUSR1, signal.SIGHUP, 40):
        run.signal(sig)
    wait_for(lambda: {signal.SIGUSR1, signal.SIGHUP, 40} <= set(signos(log)), what="CMD to get the signals")
    if group:
        wait_for(lambda: {signal.SIGUSR1, signal.SIGHUP, 40} <= set(signos(child_log)),
                 what="the grandchild in CMD's group to get the signals")
    else:
        time.sleep(0.5)
        assert signos(child_log) == [], "without -g only CMD itself gets forwarded signals"
    stop_recorder(run)


def test_sigttou_and_sigchld_sent_to_vigil_are_not_forwarded(vigil):
    # The recorder has no children, so any SIGCHLD it saw would be vigil's.
    run, log, _, _ = start_recorder(vigil)
    run.signal(signal.SIGTTOU)
    run.signal(signal.SIGCHLD)
    time.sleep(0.2)
    run.signal(SENTINEL)
    wait_for(lambda: SENTINEL in signos(log), what="the sentinel signal")
    time.sleep(0.2)
    assert signos(log) == [SENTINEL]
    assert run.running(), "vigil must survive SIGTTOU and SIGCHLD"
    stop_recorder(run)


def test_fault_signals_sent_with_kill_are_not_forwarded_and_vigil_survives(vigil):
    # SEGV BUS ILL FPE ABRT TRAP SYS are "synchronous fault signals" (SPEC
    # §2): never forwarded. Sent asynchronously with kill(), vigil must not
    # die of them either (as PID 1 the kernel would also drop them, but as a
    # subreaper only vigil's own blocking protects it).
    run, log, _, _ = start_recorder(vigil)
    for sig in FAULTS:
        run.signal(sig)
    time.sleep(0.2)
    assert run.running(), f"vigil died of a fault signal sent with kill(): status {run.wait()}\n{run.stderr}"
    run.signal(SENTINEL)
    wait_for(lambda: SENTINEL in signos(log), what="the sentinel signal")
    time.sleep(0.2)
    assert signos(log) == [SENTINEL], "fault signals must not be forwarded"
    stop_recorder(run)


def test_main_command_starts_with_empty_mask_and_no_ignored_signals(vigil):
    # vigil's own parent blocks and ignores signals (ignored dispositions
    # survive exec, so vigil inherits them), and vigil itself ignores SIGTTOU;
    # none of that may reach CMD. CMD is `cat /proc/self/status`.
    def dirty():
        for sig in (signal.SIGHUP, signal.SIGPIPE, signal.SIGUSR1, signal.SIGQUIT, signal.SIGTTIN):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGWINCH, signal.SIGALRM, 40})

    # The harness is meaningful: a child of that parent does see the dirt.
    probe = subprocess.run(["cat", "/proc/self/status"], preexec_fn=dirty, capture_output=True, text=True,
                           timeout=10)
    fields = dict(line.split(":\t", 1) for line in probe.stdout.splitlines() if ":\t" in line)
    assert int(fields["SigBlk"], 16) != 0 and int(fields["SigIgn"], 16) != 0

    run = vigil.run("--", "cat", "/proc/self/status", preexec_fn=dirty)
    assert run.returncode == 0, run.stderr
    fields = dict(line.split(":\t", 1) for line in run.stdout.splitlines() if ":\t" in line)
    assert int(fields["SigBlk"], 16) == 0, f"CMD starts with blocked signals: SigBlk {fields['SigBlk']}"
    assert int(fields["SigIgn"], 16) == 0, f"CMD starts with ignored signals: SigIgn {fields['SigIgn']}"


def test_main_command_leads_its_own_process_group(vigil):
    run, _, _, (pid, pgrp, _) = start_recorder(vigil)
    assert pid == pgrp
    stop_recorder(run)


@pytest.mark.parametrize("signo", [32, 33, 34])
def test_libc_reserved_signals_are_forwarded_too(vigil, signo):
    # glibc reserves 32-33 and musl 32-34 for threads, and their sigaddset()
    # refuses them; vigil must still block and forward them, not die of
    # them. CMD (sleep) has the default action for them: it dies of the
    # forwarded signal, and vigil reports 128+N.
    run = vigil.start("--", "sleep", "30")
    time.sleep(0.3)
    run.signal(signo)
    assert run.wait(15) == 128 + signo, run.stderr
