"""erlinit's device duties in system mode (issue 16 point 2), under QEMU.

Two boots:

* disk: "/" is ext4 on the first partition of a virtio disk (the initramfs
  only loads the modules and `switch_root`s to it, keeping PID 1), so
  /dev/rootdisk0 -> /dev/vda and /dev/rootdisk0p1 -> /dev/vda1; lo is up and
  answers on 127.0.0.1; --update-clock raised the clock (QEMU's RTC starts
  in 2001) to the --clock-file's mtime (2030, set in the disk image);
  --core-pattern is in /proc/sys/kernel/core_pattern, and core dumps are
  turned off before the kill-all; `vigilctl reboot "recovery mode"` reaches
  reboot(2) RESTART2 with that argument (the kernel's own log line).
* param: a unit writes "0 tryboot" to /run/reboot-param and sends SIGTERM to
  PID 1 (erlinit's way, what busybox `reboot` does): RESTART2 with it;
  --tty-options 57600n8 is on the console's line.
"""
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile

import pytest

import qemu_harness as q

BOOT = 90
TEST_DIR = "/usr/lib/vigil-test"
CLOCK_FILE_MTIME = 1893456000          # 2030-01-01 UTC: later than any build of today
DISK_MODULES = ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"]   # ext4 needs a crc32c
PART_START = 2048                      # sectors
PART_MB = 48

# The initramfs's /init: the modules, the disk's first partition as the new
# root, then vigil there (switch_root execs it: still PID 1).
SWITCH_INIT = """#!/bin/sh
/sbin/load-modules
mount -t devtmpfs devtmpfs /dev
mkdir -p /newroot
if mount -t ext4 /dev/vda1 /newroot; then
    umount /dev
    exec switch_root /newroot /sbin/vigil "$@"
fi
echo "init: cannot mount /dev/vda1, vigil on the initramfs"
umount /dev
exec /sbin/vigil "$@"
"""


def unit(img, name, body, keys=""):
    img.script(f"{TEST_DIR}/{name}", body)
    img.unit(name, f"[Unit]\nDescription={name}\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                   f"ExecStart={TEST_DIR}/{name}\n{keys}")


def disk_image(img, out_dir):
    """A raw disk: an MBR with one Linux partition holding img's tree as ext4."""
    part = out_dir / "part.ext4"
    disk = out_dir / "disk.raw"
    with tempfile.TemporaryDirectory(prefix="vigil-diskroot.") as staging:
        img.stage(staging)
        clock = pathlib.Path(staging) / "root/clock"
        clock.write_text("")
        os.utime(clock, (CLOCK_FILE_MTIME, CLOCK_FILE_MTIME))
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "root", "-d", staging, str(part), f"{PART_MB}M"],
                       check=True, stdout=subprocess.DEVNULL)
    sectors = part.stat().st_size // 512
    entry = struct.pack("<B3sB3sII", 0x00, b"\0\0\0", 0x83, b"\0\0\0", PART_START, sectors)
    mbr = bytearray(512)
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    with open(disk, "wb") as f:
        f.write(mbr)
        f.seek(PART_START * 512)
        with open(part, "rb") as p:
            shutil.copyfileobj(p, f)
    part.unlink()
    return disk


@pytest.fixture(scope="module")
def disk_vm(boot, kernel, run_dir):
    if shutil.which("mkfs.ext4") is None:
        pytest.fail("mkfs.ext4 not found: run tools/install-deps (e2fsprogs)")
    img = q.Image(conf=["-v", "--update-clock", "--clock-file /root/clock", "--core-pattern /root/core.%p",
                        "--hostname-pattern devices"], kernel=kernel, preload_modules=True)
    img.modules(*DISK_MODULES)
    unit(img, "facts", """
echo "ROOTDISK0=$(readlink /dev/rootdisk0) ROOTDISK0P1=$(readlink /dev/rootdisk0p1)"
echo "ROOTFS=$(awk '$2 == "/" { print $1 " " $3 }' /proc/mounts | tail -n 1)"
echo "LOFLAGS=$(cat /sys/class/net/lo/flags)"
ping -c 1 -W 5 127.0.0.1 >/dev/null 2>&1 && echo "LOPING=ok" || echo "LOPING=failed"
echo "NOW=$(date +%s)"
echo "CORE=$(cat /proc/sys/kernel/core_pattern)"
echo FACTS-DONE
""")
    unit(img, "rebooter", """
sleep 1
vigilctl reboot "recovery  mode"
""", keys="")
    img.file("/init", SWITCH_INIT, 0o755)
    disk = disk_image(img, run_dir)
    vm = boot(img, "devices-disk", timeout=BOOT,
              devices=["-drive", f"file={disk},format=raw,if=virtio", "-rtc", "base=2001-01-01T00:00:00"])
    yield vm
    disk.unlink()


def fact(vm, key):
    lines = vm.seen(rf"{key}=")
    assert lines, f"{vm.name}: no {key}= line"
    return lines[-1].split(f"{key}=", 1)[1].split(" ")[0]


def test_rootdisk_links_point_at_the_disk_holding_the_root(disk_vm):
    vm = disk_vm
    assert vm.seen(r"ROOTFS=/dev/vda1 ext4"), vm.seen(r"ROOTFS=")
    assert vm.seen(r"ROOTDISK0=/dev/vda ROOTDISK0P1=/dev/vda1$"), vm.seen(r"ROOTDISK0=")
    assert vm.seen(r"vigil: /dev/rootdisk0p1 -> /dev/vda1")


def test_loopback_is_up_and_answers(disk_vm):
    vm = disk_vm
    assert int(fact(vm, "LOFLAGS"), 16) & 0x1, "IFF_UP is not set on lo"
    assert fact(vm, "LOPING") == "ok"


def test_update_clock_raises_the_clock_to_the_clock_files_time(disk_vm):
    vm = disk_vm
    assert vm.seen(rf"vigil: clock was 97\d+, behind --clock-file: set to {CLOCK_FILE_MTIME}$"), \
        vm.seen(r"vigil: clock")
    now = int(fact(vm, "NOW"))
    assert CLOCK_FILE_MTIME <= now < CLOCK_FILE_MTIME + 3600, now


def test_core_pattern_at_boot_and_core_dumps_off_before_the_kill_all(disk_vm):
    vm = disk_vm
    assert fact(vm, "CORE") == "/root/core.%p"
    off = vm.index_of(r"vigil: /proc/sys/kernel/core_pattern is \|/bin/false")
    assert off is not None, "core dumps were not turned off at the end"
    assert vm.index_of(r"FACTS-DONE") < off


def test_vigilctl_reboot_arg_reaches_reboot2_restart2(disk_vm):
    vm = disk_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.seen(r"vigil: reboot argument 'recovery mode' \(from vigilctl reboot\)")
    assert vm.seen(r"reboot: Restarting system with command 'recovery mode'"), \
        "the kernel did not restart with the argument"
    assert vm.rc == 0


@pytest.fixture(scope="module")
def param_vm(boot, kernel):
    # Bad lines in the options file too: the machine's init logs and skips them.
    img = q.Image(conf=["--tty-options 57600n8", "--warn-unused-tty", "--bogus-file-option", "--on-exit sometimes",
                        "--ctty 'unterminated"], kernel=kernel)
    unit(img, "facts", """
echo "TTY=$(stty -F /dev/ttyS0 speed)"
# --warn-unused-tty: the note is on the VGA console's screen (tty1), read back from /dev/vcs1.
tr -s ' ' < /dev/vcs1 | grep -o 'vigil: the console is [a-zA-Z0-9]*, not this tty' | sed 's/^/VCS: /'
""")
    unit(img, "rebooter", """
sleep 1
echo "0 tryboot" > /run/reboot-param
kill -TERM 1
""")
    # Two consoles, ttyS0 the preferred one (the last): tty0 is active but unused.
    return boot(img, "devices-param", timeout=BOOT, append=["console=tty0", "console=ttyS0"])


def test_reboot_param_file_reaches_reboot2_restart2(param_vm):
    vm = param_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.seen(r"vigil: reboot argument '0 tryboot' \(from /run/reboot-param\)")
    assert vm.seen(r"reboot: Restarting system with command '0 tryboot'")
    assert vm.rc == 0


def test_bad_options_file_lines_are_logged_and_the_boot_goes_on(param_vm):
    vm = param_vm
    assert vm.seen(r"vigil: /etc/vigil\.conf:3: unknown option '--bogus-file-option'.*\(ignored\)"), vm.seen("conf")
    assert vm.seen(r"vigil: /etc/vigil\.conf:4: .*sometimes.*\(ignored\)"), vm.seen("conf")
    assert vm.seen(r"vigil: /etc/vigil\.conf:5: .*\(ignored\)"), vm.seen("conf")
    assert vm.index_of(r"vigil: /etc/vigil\.conf:5") < vm.index_of(r"Restarting system with command")


def test_warn_unused_tty_notes_the_other_active_console(param_vm):
    assert param_vm.seen(r"VCS: vigil: the console is ttyS0, not this tty$"), param_vm.seen(r"VCS|tty0")


def test_tty_options_set_the_consoles_line(param_vm):
    assert fact(param_vm, "TTY") == "57600"


# ------------------------------------------- PID 1 never returns from main() (issue 16)

# /init: few fds (vigil cannot make its event loop) and an option vigil does
# not know. A static C launcher, not a shell script: ash moves each fd it
# opens to 10 or above, which fails under the limit before its exec.
FEW_FDS_C = r"""
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
int main(int argc, char **argv) {
    struct rlimit rl = { 5, 5 };
    char *args[64] = { "/sbin/vigil", "--bogus-option" };
    int n = 2;
    for (int i = 1; i < argc && n < 63; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        perror("fewfds: setrlimit");
    execv(args[0], args);
    perror("fewfds: execv");
    return 127;
}
"""


def few_fds_launcher(out_dir):
    src, exe = out_dir / "fewfds.c", out_dir / "fewfds"
    src.write_text(FEW_FDS_C)
    subprocess.run([os.environ.get("CC", "cc"), "-static", "-O1", "-o", str(exe), str(src)], check=True)
    return exe.read_bytes()


@pytest.fixture(scope="module")
def exit_paths_vm(boot, kernel, run_dir):
    """The paths out of main() that would end vigil elsewhere: an options
    file that cannot be read (a directory), an unknown option on init's
    command line, and an internal error before the loop (EMFILE making it):
    as the machine's init each is logged and the machine reboots."""
    # preload_modules: /init is a file of its own (else a hard link to /sbin/vigil).
    img = q.Image(conf=None, kernel=kernel, preload_modules=True)
    img.file("/etc/vigil.conf/not-a-file", "")
    img.file("/init", few_fds_launcher(run_dir), 0o755)
    return boot(img, "exit-paths", timeout=BOOT, append=["--", "--hostname-pattern", "exitpaths"])


def test_unreadable_options_file_and_unknown_option_do_not_end_the_machines_init(exit_paths_vm):
    vm = exit_paths_vm
    assert vm.seen(r"vigil: /etc/vigil\.conf: cannot read options file: Is a directory")
    assert vm.seen(r"vigil: init arguments: unknown option '--bogus-option'.*\(ignored\)"), \
        vm.seen(r"bogus")
    # The command line's other options still apply after both.
    assert vm.seen(r"vigil: hostname set to exitpaths$")


def test_internal_error_before_the_loop_reboots_instead_of_returning(exit_paths_vm):
    vm = exit_paths_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert not vm.seen(r"Attempted to kill init")
    at = vm.index_of(r"vigil: cannot .*: (Too many open files|No file descriptors available)")   # EMFILE: glibc, musl
    assert at is not None, "no log line for the failed set-up"
    assert vm.index_of(r"ending with reboot", at) is not None
    assert vm.seen(r"reboot: Restarting system")
    assert vm.rc == 0
