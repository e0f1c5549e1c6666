"""The README's image recipe, built and run by a real engine (issue 18, "How
it must be proven"): the ```Dockerfile block of README.md, taken from the
README text itself (so the README cannot go stale), built with `podman
build` on two bases with no registry: `scratch`, and a busybox root made by
`podman import` (the role of Debian or Alpine: a base with a shell and a
libc-free busybox). The context is what the README says: the static
binaries at build/vigil-static and build/vigilctl-static, the units in
units/."""
import re
import shutil
import subprocess
import tarfile
import time

import pytest

import engine_harness as e

README = e.ROOT / "README.md"
BASE_REF = "localhost/vigil-recipe-base:busybox"


def readme_containerfile():
    blocks = re.findall(r"^```Dockerfile\n(.*?)^```$", README.read_text(), re.S | re.M)
    assert len(blocks) == 1, "README.md must hold exactly one ```Dockerfile block (the image recipe)"
    return blocks[0]


def context(tmp_path, units):
    ctx = tmp_path / "ctx"
    (ctx / "build").mkdir(parents=True)
    (ctx / "units").mkdir()
    shutil.copy2(e.VIGIL, ctx / "build" / "vigil-static")
    shutil.copy2(e.VIGILCTL, ctx / "build" / "vigilctl-static")
    for name, text in units.items():
        (ctx / "units" / name).write_text(text)
    (ctx / "Containerfile").write_text(readme_containerfile())
    return ctx


def build(engine, ctx, base, tag):
    ref = f"localhost/vigil-recipe:{tag}"
    # --format docker, as the README says: the OCI format has no HEALTHCHECK.
    r = engine.podman("build", "--format", "docker", "--pull=never", "--network", "none", "--build-arg", f"BASE={base}",
                      "-f", ctx / "Containerfile", "-t", ref, ctx, check=False, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return ref


@pytest.fixture(scope="module")
def busybox_base(engine, tmp_path_factory):
    """A base image with only busybox (its applets in /bin) and /tmp."""
    d = tmp_path_factory.mktemp("recipe-base")
    tar_path = d / "base.tar"
    with tarfile.open(tar_path, "w") as t:
        for name in ("bin", "tmp", "etc"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            t.addfile(info)
        t.add(e.BUSYBOX, arcname="bin/busybox")
        for a in subprocess.run([e.BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split():
            if a != "busybox":
                info = tarfile.TarInfo(f"bin/{a}")
                info.type, info.linkname = tarfile.SYMTYPE, "busybox"
                t.addfile(info)
    engine.import_tar(tar_path, BASE_REF)
    return BASE_REF


def test_recipe_on_a_busybox_base_runs_units_and_cmd_under_vigil(ctrs, busybox_base, tmp_path):
    unit = "[Service]\nExecStart=/bin/sh -c 'echo hello from a unit; exec sleep 1000'\n"
    ref = build(ctrs, context(tmp_path, {"hello.service": unit}), busybox_base, "busybox")
    assert ctrs.podman("image", "inspect", "--format", "{{.Config.Entrypoint}}", ref).stdout.strip() == \
        "[/sbin/vigil --]"
    # The recipe's own CMD: vigil runs the unit, then the CMD, and exits with its status.
    r, c = ctrs.run(ref)
    assert r.returncode == 0, r.stdout + r.stderr
    log = c.logs()
    assert "replace me with the application" in log and "hello from a unit" in log, log
    # An application given at `podman run`: its status is the container's; vigilctl is there.
    r, c = ctrs.run(ref, "/bin/sh", "-c", "vigilctl status; exit 7")
    assert r.returncode == 7, r.stdout + r.stderr
    assert re.search(r"hello\.service\s+active\s+running", c.logs()), c.logs()
    # The recipe's HEALTHCHECK is vigilctl check (driven by hand: podman's timer needs systemd).
    assert "vigilctl" in ctrs.podman("image", "inspect", "--format", "{{.Config.Healthcheck}}", ref).stdout
    c = ctrs.start(ref, "/bin/sh", "-c", "echo app up; exec sleep 1000")
    c.wait_log("app up")
    deadline = time.monotonic() + 20
    while (h := ctrs.podman("healthcheck", "run", c.name, check=False)).returncode != 0:
        assert time.monotonic() < deadline, h.stdout + h.stderr
        time.sleep(0.5)
    secs, _ = c.stop(t=10)
    assert secs < 10 and c.exit_code() == 128 + 15   # sleep, killed by the forwarded SIGTERM


def test_recipe_on_scratch_runs_a_static_cmd(ctrs, tmp_path):
    ref = build(ctrs, context(tmp_path, {}), "scratch", "scratch")
    r, c = ctrs.run(ref, "/sbin/vigil", "--version")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "vigil" in c.logs()
    r, c = ctrs.run(ref, "/usr/bin/vigilctl", "no-such-command")
    assert r.returncode == 2, r.stdout + r.stderr   # vigilctl's usage status, through vigil
