"""The main command inherits no file descriptor beyond 0, 1 and 2: neither
vigil's own nor the ones vigil itself inherited."""
import os
import socket


def listed_fds(path):
    with open(path) as f:
        return {int(line.split()[0]): line.split(" ", 1)[1].strip() for line in f if line.strip()}


def test_main_command_gets_only_stdio(vigil):
    out = vigil.path("fds")
    run = vigil.run("--", vigil.h.fdlist, out)
    assert run.returncode == 0, run.stderr
    assert sorted(listed_fds(out)) == [0, 1, 2], listed_fds(out)


def test_fds_passed_to_vigil_do_not_reach_the_main_command(vigil):
    out = vigil.path("fds")
    extra = os.open(vigil.path("extra"), os.O_CREAT | os.O_WRONLY, 0o644)
    rd, wr = os.pipe()
    a, b = socket.socketpair()
    high = os.dup2(extra, 100)
    passed = (extra, rd, wr, a.fileno(), high)
    try:
        run = vigil.run("--", vigil.h.fdlist, out, pass_fds=passed)
        assert run.returncode == 0, run.stderr
        assert sorted(listed_fds(out)) == [0, 1, 2], \
            f"passed {sorted(passed)} to vigil; CMD got {listed_fds(out)}"
    finally:
        for fd in (extra, rd, wr, high):
            os.close(fd)
        a.close()
        b.close()
