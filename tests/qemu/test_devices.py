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
    img = q.Image(conf=["--tty-options 57600n8"], kernel=kernel)
    unit(img, "facts", """
echo "TTY=$(stty -F /dev/ttyS0 speed)"
""")
    unit(img, "rebooter", """
sleep 1
echo "0 tryboot" > /run/reboot-param
kill -TERM 1
""")
    return boot(img, "devices-param", timeout=BOOT)


def test_reboot_param_file_reaches_reboot2_restart2(param_vm):
    vm = param_vm
    vm.assert_no_panic()
    assert vm.error is None, vm.error
    assert vm.seen(r"vigil: reboot argument '0 tryboot' \(from /run/reboot-param\)")
    assert vm.seen(r"reboot: Restarting system with command '0 tryboot'")
    assert vm.rc == 0


def test_tty_options_set_the_consoles_line(param_vm):
    assert fact(param_vm, "TTY") == "57600"
