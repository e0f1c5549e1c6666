"""vigil as a drop-in for erlinit (issue 16, docs/ERLINIT.md), proven with a
real kernel: an unchanged Nerves erlinit.config boots its release.

The fixture is fixtures/nerves_system_rpi0_2/erlinit.config, copied unchanged
from github.com/nerves-project/nerves_system_rpi0_2 at commit
89c596a553b71f8445beb42a4b4c384bf63e82a9, path rootfs_overlay/etc/erlinit.config
(see the README beside it). The image has no /etc/vigil.conf, so vigil reads
/etc/erlinit.config. The release under /srv/erlang is a fake whose erlexec
is a shell script that logs its argv, environment, tty, hostname and ids,
then exits. The kernel command line adds erlinit options after "--" as a
Nerves user would (erlinit merges them over the file): "-c ttyS0" (QEMU's
serial port instead of the Pi's ttyAMA0), "--uid 100", and "-h", which in
erlinit's language is --hang-on-exit: the main program's exit must leave the
machine up and hanging, never return from PID 1's main().

One boot.
"""
import pathlib
import re

import pytest

import qemu_harness as q

BOOT = 90
FIXTURE = pathlib.Path(__file__).parent / "fixtures/nerves_system_rpi0_2/erlinit.config"
ERTS = "/srv/erlang/erts-14.2"
VERSION_DIR = "/srv/erlang/releases/0.1.0"

ERLEXEC = r"""#!/bin/sh
echo "ERLEXEC-ARGS=$*"
for v in ROOTDIR BINDIR EMU PROGNAME RELEASE_SYS_CONFIG RELEASE_ROOT RELEASE_TMP HOME PATH TERM \
         LANG LANGUAGE ERL_INETRC ERL_CRASH_DUMP ERL_CRASH_DUMP_SECONDS NBTTY_WRAPPED; do
    eval "echo \"ERLEXEC-ENV $v=\${$v}\""
done
echo "ERLEXEC-CONTEXT uid=$(id -u) gid=$(id -g) hostname=$(hostname) cwd=$(pwd) fd0=$(readlink /proc/self/fd/0)"
set -- $(cat /proc/self/stat); echo "ERLEXEC-TTY tty_nr=$7"
echo ERLEXEC-EXITING
exit 0
"""

# -s "/usr/bin/nbtty": the wrapper gets erlexec's path and arguments.
NBTTY = """#!/bin/sh
echo "NBTTY-WRAPPER $*"
export NBTTY_WRAPPED=yes
exec "$@"
"""


@pytest.fixture(scope="module")
def nerves_vm(boot):
    img = q.Image(conf=None)
    img.file("/etc/erlinit.config", FIXTURE.read_bytes())
    img.file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnerves:x:100:100::/home/nerves:/bin/sh\n")
    img.file("/etc/group", "root:x:0:\nnerves:x:100:\n")
    img.script("/usr/bin/boardid", "echo 00000000a1b2c3d4\n")   # -d /usr/bin/boardid
    img.script("/usr/bin/nbtty", NBTTY)
    img.file("/srv/erlang/releases/start_erl.data", "14.2 0.1.0\n")
    for name in ("shoehorn.boot", "myapp.boot", "start_clean.boot"):
        img.file(f"{VERSION_DIR}/{name}", "")
    img.file(f"{VERSION_DIR}/sys.config", "[].\n")
    img.file(f"{VERSION_DIR}/vm.args", "-heart\n")
    img.script(f"{ERTS}/bin/erlexec", ERLEXEC)
    img.file("/srv/erlang/lib/myapp-0.1.0/ebin/myapp.app", "")
    return boot(img, "erlinit-nerves", append=["--", "-c", "ttyS0", "--uid", "100", "-h"],
                until=r"vigil: hanging \(--on-exit hang\)", linger=4, timeout=BOOT)


def test_fixture_is_the_unchanged_nerves_file():
    text = FIXTURE.read_text()
    assert "-c ttyAMA0" in text and "--boot shoehorn" in text and "-n nerves-%-.4s" in text
    assert "\n-h" not in text and "\n--hang-on-exit" not in text, "the fixture itself must not hang"


def test_release_started_through_the_alternate_exec(nerves_vm):
    vm = nerves_vm
    wrapper = vm.seen(r"NBTTY-WRAPPER ")
    assert wrapper, "the -s wrapper /usr/bin/nbtty did not run"
    assert wrapper[0].split("NBTTY-WRAPPER ", 1)[1].startswith(f"{ERTS}/bin/erlexec "), wrapper[0]
    args = vm.seen(r"ERLEXEC-ARGS=")
    assert args, "erlexec did not run"
    words = args[0].split("ERLEXEC-ARGS=", 1)[1].split()
    pairs = dict(zip(words[::2], words[1::2]))
    assert pairs.get("-boot") == f"{VERSION_DIR}/shoehorn", words   # --boot shoehorn
    assert pairs.get("-config") == f"{VERSION_DIR}/sys.config", words
    assert pairs.get("-args_file") == f"{VERSION_DIR}/vm.args", words
    assert words[-2:] == ["RELEASE_LIB", "/srv/erlang/lib"], words
    assert not vm.seen(r"vigil: .*(unknown option|not an option)"), vm.seen(r"unknown option|not an option")


def env_of(vm):
    return dict(m.group(1, 2) for m in (re.search(r"ERLEXEC-ENV (\w+)=(.*)$", l) for l in vm.lines) if m)


def test_release_environment(nerves_vm):
    env = env_of(nerves_vm)
    expected = {
        # the file's two -e lines, split on ';' and accumulated
        "LANG": "en_US.UTF-8", "LANGUAGE": "en", "ERL_INETRC": "/etc/erl_inetrc",
        "ERL_CRASH_DUMP": "/root/erl_crash.dump", "ERL_CRASH_DUMP_SECONDS": "5",
        # erlinit's own
        "ROOTDIR": "/srv/erlang", "BINDIR": f"{ERTS}/bin", "EMU": "beam", "PROGNAME": "erlexec",
        "RELEASE_SYS_CONFIG": f"{VERSION_DIR}/sys", "RELEASE_ROOT": "/srv/erlang", "RELEASE_TMP": "/tmp",
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "xterm-256color",
        "HOME": "/home/nerves",          # --uid 100's home
        "NBTTY_WRAPPED": "yes",
    }
    for key, value in expected.items():
        assert env.get(key) == value, f"{key}={env.get(key)!r}, want {value!r}"


def test_release_context_tty_hostname_ids(nerves_vm):
    vm = nerves_vm
    # -d /usr/bin/boardid + -n nerves-%-.4s: the id's last four characters.
    assert vm.seen(r"vigil: hostname set to nerves-c3d4$")
    ctx = vm.seen(r"ERLEXEC-CONTEXT ")
    assert ctx, "no context line from erlexec"
    assert "uid=100 gid=100 hostname=nerves-c3d4 cwd=/srv/erlang fd0=/dev/ttyS0" in ctx[0], ctx[0]
    # -c ttyS0 (the command line's, over the file's ttyAMA0) is its controlling tty: major 4, minor 64.
    assert vm.seen(r"ERLEXEC-TTY tty_nr=1088$"), vm.seen(r"ERLEXEC-TTY")


def test_device_options_of_the_file_are_honoured_not_warned(nerves_vm):
    vm = nerves_vm
    # --warn-unused-tty (line 17) is vigil's own since issue 16 point 2: no warning, the boot goes on.
    assert not vm.seen(r"not honoured yet"), vm.seen(r"not honoured yet")
    assert vm.seen(r"ERLEXEC-EXITING"), "the boot did not go on"


def test_dash_h_hangs_on_exit_instead_of_panicking(nerves_vm):
    vm = nerves_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.rc is None, f"QEMU exited ({vm.rc}): -h is --hang-on-exit, the machine must stay up"
    assert not vm.seen(r"Attempted to kill init")
    assert not vm.seen(r"reboot: "), vm.seen(r"reboot: ")
    at = vm.index_of(r"ERLEXEC-EXITING")
    assert at is not None
    assert vm.index_of(r"vigil: shutting down \(hang\): main command \S+ exited with status 0", at) is not None
    assert vm.index_of(r"vigil: hanging \(--on-exit hang\)", at) is not None
    assert not vm.seen(r"-h/--help ignored"), "-h was read as --help, not erlinit's --hang-on-exit"
