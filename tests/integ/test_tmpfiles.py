"""--tmpfiles ROOT (issue 15, point 4): the boot's tmpfiles.d pass, with
systemd's precedence (/etc over /run over /usr/lib, a link to /dev/null
masks) and the d, D, f, f+, L, L+, z lines packages ship, applied before
any unit starts; every line vigil does not take is one FILE:LINE warning
and the rest are applied."""
import os
import pwd
import stat

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_lines_applied_before_units_with_precedence(units, vigil):
    root = str(vigil.tmp / "root")
    nobody = pwd.getpwnam("nobody")
    write(f"{root}/usr/lib/tmpfiles.d/sshd.conf", "d /run/sshd 0755 root root -\n")
    write(f"{root}/usr/lib/tmpfiles.d/hidden.conf", "d /run/should-not-exist 0755 - - -\n")
    write(f"{root}/usr/lib/tmpfiles.d/masked.conf", "d /run/masked-away 0755 - - -\n")
    write(f"{root}/etc/tmpfiles.d/hidden.conf", "d /run/from-etc 0700 nobody - -\n")
    os.makedirs(f"{root}/etc/tmpfiles.d", exist_ok=True)
    os.symlink("/dev/null", f"{root}/etc/tmpfiles.d/masked.conf")
    os.makedirs(f"{root}/run/emptied")
    write(f"{root}/run/emptied/old", "stale\n")
    write(f"{root}/var/log/trunc.log", "old content\n")
    write(f"{root}/var/log/adjust.log", "x\n")
    os.symlink("/elsewhere", f"{root}/run/replaced")
    write(f"{root}/run/tmpfiles.d/pkg.conf", "\n".join([
        "# a comment",
        "D /run/emptied 0750 - - -",
        "f /var/log/new.log 0640 nobody - - hello",
        "f+ /var/log/trunc.log 0644 - - -",
        "L /run/link - - - - /run/sshd",
        "L+ /run/replaced - - - - /run/sshd",
        "z /var/log/adjust.log 0600 nobody - -",
        "d! %t/boot-only 0711 - - -",
        "x /run/sshd/ignored-cleanup",
        "C /run/copied - - - - /etc/hostname",
        "d /run/badmode 9999 - - -",
        "d %Z/odd 0755 - - -",
        "d /run/sshd 0700 - - -",
    ]) + "\n")
    probe = units.file("probe")
    units.add("sees", unit_text("[Service]",
                                f"ExecStart=/bin/sh -c 'test -d {root}/run/sshd && echo yes > {probe}; exec sleep 100'"))
    run = units.start(f"--tmpfiles={root}")
    wait_until(run, lambda: read_lines(probe) == ["yes"], "the unit to see /run/sshd")
    stop_vigil(run)

    def mode(p):
        return stat.S_IMODE(os.lstat(f"{root}{p}").st_mode)
    assert mode("/run/sshd") == 0o700, "a path's line in the earliest file name wins (pkg.conf < sshd.conf)"
    assert not os.path.exists(f"{root}/run/should-not-exist"), "/etc/tmpfiles.d hides the same name"
    assert mode("/run/from-etc") == 0o700 and os.stat(f"{root}/run/from-etc").st_uid == nobody.pw_uid
    assert not os.path.exists(f"{root}/run/masked-away"), "a link to /dev/null masks"
    assert os.listdir(f"{root}/run/emptied") == [] and mode("/run/emptied") == 0o750
    assert open(f"{root}/var/log/new.log").read() == "hello" and mode("/var/log/new.log") == 0o640
    assert os.stat(f"{root}/var/log/new.log").st_uid == nobody.pw_uid
    assert open(f"{root}/var/log/trunc.log").read() == ""
    assert os.readlink(f"{root}/run/link") == "/run/sshd"
    assert os.readlink(f"{root}/run/replaced") == "/run/sshd"
    assert mode("/var/log/adjust.log") == 0o600 and os.stat(f"{root}/var/log/adjust.log").st_uid == nobody.pw_uid
    assert mode("/run/boot-only") == 0o711, "%t is /run"
    assert not os.path.exists(f"{root}/run/copied")
    pkg = f"{root}/run/tmpfiles.d/pkg.conf"
    for line, words in ((10, "type 'C' is not supported"), (11, "mode '9999'"), (12, "specifier '%Z'")):
        assert len(stderr_lines(run, f"{pkg}:{line}", words)) == 1, f"line {line}:\n{run.stderr}"
    assert len(stderr_lines(run, f"{root}/usr/lib/tmpfiles.d/sshd.conf:1", "came first")) == 1, run.stderr
    assert len(stderr_lines(run, "tmpfiles.d")) == 4, "one line each, nothing else:\n" + run.stderr


def test_without_the_option_nothing_is_touched(units, vigil):
    units.add("idle", unit_text("[Service]", "ExecStart=/bin/sleep 100"))
    run = units.start()
    wait_until(run, lambda: vigil.ctl("status").returncode == 0, "vigil to answer")
    stop_vigil(run)
    assert not stderr_lines(run, "tmpfiles")
