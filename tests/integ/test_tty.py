"""With a terminal, the main command is the foreground process group, so
Ctrl-C reaches it directly and not vigil (SPEC §2).

vigil (pid1 mode: unshare above it) runs as a session leader with a
pseudo-terminal's slave as controlling terminal and stdin/stdout; the test
types on the master side.
"""
import fcntl
import os
import select
import signal
import termios
import time

import pytest

from harness import SI_KERNEL, proc_status, read_signals, signos, wait_for


def drain(fd):
    out = b""
    while select.select([fd], [], [], 0)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def test_ctrl_c_reaches_the_main_command_as_sigint_and_not_vigil(vigil):
    master, slave = os.openpty()
    log, ready = vigil.path("sigs"), vigil.path("sigrec.ready")
    try:
        # The recorder exits 42 on SIGQUIT (Ctrl-\), after logging it.
        run = vigil.start("--", vigil.h.sigrec, "-r", ready, "-x", f"{int(signal.SIGQUIT)}:42", log,
                          stdin=slave, stdout=slave,
                          preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        slave = -1
        wait_for(lambda: os.path.exists(ready) or not run.running(), what="the recorder to start")
        assert os.path.exists(ready), f"recorder did not start ({run.wait()}):\n{run.stderr}"
        _, _, foreground = (int(x) for x in open(ready).read().split())
        assert foreground == 1, "the main command's group is not the terminal's foreground group"

        os.write(master, b"\x03")  # Ctrl-C
        wait_for(lambda: read_signals(log), what="SIGINT from the terminal")
        time.sleep(0.3)  # a second SIGINT (forwarded by vigil) would show up by now
        got = read_signals(log)
        assert [(s, c) for s, c, _ in got] == [(signal.SIGINT, SI_KERNEL)], \
            f"want exactly one SIGINT, sent by the terminal (si_code SI_KERNEL), got {got}"
        assert run.running(), f"vigil died of Ctrl-C:\n{run.stderr}"

        os.write(master, b"\x1c")  # Ctrl-\ ends the recorder with status 42
        deadline = time.monotonic() + 10
        while run.running() and time.monotonic() < deadline:
            drain(master)
            time.sleep(0.01)
        assert run.wait(1) == 42, run.stderr
    finally:
        if slave >= 0:
            os.close(slave)
        drain(master)
        os.close(master)


@pytest.mark.subreaper_only("in pid1 mode unshare, not vigil, leads the terminal's session")
def test_terminal_hangup_signals_to_vigil_are_not_forwarded(vigil):
    # When the terminal hangs up (the master side closes), the kernel sends
    # SIGHUP and SIGCONT to the session leader; vigil must not pass those on
    # (SPEC §2, dumb-init#136). Only meaningful when vigil itself leads the
    # session: in pid1 mode unshare is the session leader and gets them.
    master, slave = os.openpty()
    log, ready = vigil.path("sigs"), vigil.path("sigrec.ready")
    run = vigil.start("--", vigil.h.sigrec, "-r", ready, "-x", f"{int(signal.SIGQUIT)}:42", log,
                      stdin=slave, stdout=slave, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    try:
        wait_for(lambda: os.path.exists(ready) or not run.running(), what="the recorder to start")
        assert os.path.exists(ready), f"recorder did not start ({run.wait()}):\n{run.stderr}"
    finally:
        drain(master)
        os.close(master)  # hang-up: SIGHUP + SIGCONT (SI_KERNEL) to vigil
    wait_for(lambda: int(proc_status(run.pid)["SigPnd"], 16) == 0 and int(proc_status(run.pid)["ShdPnd"], 16) == 0,
             what="vigil to read the hang-up signals")
    time.sleep(0.3)
    assert run.running(), f"vigil died of the hang-up:\n{run.stderr}"
    run.signal(signal.SIGQUIT)  # a user's signal is still forwarded: the recorder exits 42
    assert run.wait(10) == 42, run.stderr
    assert signos(log) == [signal.SIGQUIT], "the kernel's hang-up SIGHUP/SIGCONT must not be forwarded"
