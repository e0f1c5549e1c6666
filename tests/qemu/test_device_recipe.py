"""The README's device recipe, run as written and booted (issue 18): the
```sh block under "### On a device" of README.md, taken from the README
itself, run in a scratch directory whose build/ holds the static binaries
and whose my-app.service is a unit of the test's; the initramfs.cpio.gz it
makes is booted under QEMU with the Debian kernel: vigil is /init, sees it
is the machine's PID 1 (system mode), reads the example /etc/vigil.conf
and runs the unit."""
import os
import re
import shutil
import subprocess

import qemu_harness as q

APP = "[Unit]\nDescription=the application\n\n[Service]\nExecStart=/bin/sh -c 'echo my-app up on $(hostname)'\n" \
      "RemainAfterExit=yes\nType=oneshot\n"


def readme_device_recipe():
    part = (q.ROOT / "README.md").read_text().split("### On a device", 1)[1]
    return re.search(r"```sh\n(.*?)```", part, re.S).group(1)


def test_readme_device_recipe_boots_with_vigil_as_init(kernel, run_dir):
    d = run_dir / "device-recipe"
    (d / "build").mkdir(parents=True)
    shutil.copy2(q.VIGIL, d / "build" / "vigil-static")
    shutil.copy2(q.VIGILCTL, d / "build" / "vigilctl-static")
    os.symlink(q.ROOT / "examples", d / "examples")
    (d / "my-app.service").write_text(APP)
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_device_recipe()], cwd=d, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    initrd = d / "initramfs.cpio.gz"
    assert initrd.stat().st_size > 100_000

    vm = q.VM(initrd, kernel=kernel, name="device-recipe", deadline=150).run(until=r"my-app up on", timeout=120)
    console = vm.transcript()
    assert vm.error is None, console
    assert re.search(r"system mode \(PID 1 of the machine\)", console), console
    assert q.PANIC not in console
