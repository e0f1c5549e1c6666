"""Installing vigil (issue 18, "How it must be proven"): `make install
DESTDIR=...` lays out the tree the man pages' FILES sections name and `make
uninstall` takes it away; the Debian package (`make deb`) installs into a
fresh, empty root with `dpkg --root`, the demo runs from the installed files
(vigil, vigilctl on PATH, the demo's units and main command from the doc
directory), and `dpkg --purge` leaves nothing behind; `make release` leaves
static binaries whose SHA256SUMS check.

Run as root (dpkg --root, unshare -p). Uses the tree's Makefile, so the
binaries are the ones `make static` builds."""
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAN = sorted((ROOT / "man").glob("*.[15]"))


def make(*args, timeout=300):
    return subprocess.run(["make", "-s", "-C", str(ROOT), *args], capture_output=True, text=True,
                          timeout=timeout, check=True)


def version():
    return re.search(r"^VERSION := (\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)


def files_in(root, skip=()):
    """Every file and symbolic link under root, as absolute paths inside it."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = "/" + os.path.relpath(dirpath, root).lstrip(".")
        dirnames[:] = [d for d in dirnames if os.path.join(rel, d).replace("//", "/") not in skip]
        for f in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            out.add(os.path.join(rel, f).replace("//", "/"))
    return out


def man_files_paths():
    """The paths the FILES sections of every man page name: {path: page}."""
    paths = {}
    for page in MAN:
        text = page.read_text().replace("\\-", "-")
        m = re.search(r"^\.SH FILES\n(.*?)(?=^\.SH )", text, re.S | re.M)
        assert m, f"{page.name} has no FILES section"
        for line in m.group(1).splitlines():
            if line.startswith(".B "):
                for p in re.findall(r"(/[\w./-]+)", line):
                    paths[p] = page.name
    return paths


def test_make_install_lays_out_the_tree_the_man_pages_name(tmp_path):
    dest = tmp_path / "dest"
    make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    installed = files_in(dest)
    named = {p: page for p, page in man_files_paths().items() if p.startswith("/usr/")}
    assert len(named) >= 5, named
    for path, page in named.items():
        target = dest / path.lstrip("/")
        assert target.is_dir() if path.endswith("/") else target.is_file(), f"{page} names {path}, not installed"
    # Every installed file is named by a page (itself or its directory), man pages and the README aside.
    unnamed = [f for f in installed if not f.startswith("/usr/share/man/") and f != "/usr/share/doc/vigil/README.md"
               and not any(f == p or (p.endswith("/") and f.startswith(p)) for p in named)]
    assert unnamed == []
    for page in MAN:
        assert f"/usr/share/man/man{page.suffix[1:]}/{page.name}" in installed
    for binary in ("/usr/sbin/vigil", "/usr/bin/vigilctl", "/usr/bin/vigil-heart"):
        out = subprocess.run(["readelf", "-l", str(dest / binary.lstrip("/"))], capture_output=True, text=True)
        assert out.returncode == 0 and "INTERP" not in out.stdout, f"{binary} is not static (LINK=static default)"
    make("install-systemctl-link", f"DESTDIR={dest}", "PREFIX=/usr")
    assert os.readlink(dest / "usr/bin/systemctl") == "vigilctl"
    make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert files_in(dest) == set()


@pytest.fixture
def fresh_root(tmp_path):
    """An empty root with only dpkg's database (an empty status file)."""
    root = tmp_path / "root"
    admin = root / "var/lib/dpkg"
    for d in ("info", "updates", "triggers"):
        (admin / d).mkdir(parents=True)
    (admin / "status").write_text("")
    (admin / "available").write_text("")
    return root


def dpkg(root, *args):
    return subprocess.run(["dpkg", f"--root={root}", *args], capture_output=True, text=True, timeout=60)


def test_package_installs_in_a_fresh_root_runs_the_demo_and_purges_clean(fresh_root, tmp_path):
    make("deb")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    deb = ROOT / "build" / f"vigil_{version()}_{arch}.deb"
    before = files_in(fresh_root)
    r = dpkg(fresh_root, "-i", str(deb))
    assert r.returncode == 0, r.stderr
    assert dpkg(fresh_root, "--verify", "vigil").returncode == 0
    listed = set(dpkg(fresh_root, "-L", "vigil").stdout.split())
    for f in ("/usr/sbin/vigil", "/usr/bin/vigilctl", "/usr/bin/vigil-heart",
              "/usr/share/man/man5/vigil.service.5.gz", "/usr/share/doc/vigil/examples/vigil.conf"):
        assert f in listed and (fresh_root / f.lstrip("/")).exists(), f

    demo = fresh_root / "usr/share/doc/vigil/examples/demo"
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIGILCTL", "NOTIFY_SOCKET")}
    env.update(PATH=f"{fresh_root}/usr/bin:/usr/bin:/bin", VIGIL_RUNTIME_DIR=str(runtime))
    r = subprocess.run(["unshare", "-pf", "--mount-proc", str(fresh_root / "usr/sbin/vigil"), "-v",
                        "--units", str(demo / "units"), "--kill-all-timeout", "2", "--", str(demo / "main.sh")],
                       capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 3, out                       # the main command's own status
    assert "migrated" in out and "serving on :8080" in out, out
    assert "vigilctl check exits" in out, out          # the installed vigilctl, found on PATH
    assert re.search(r"web\.service\s+active\s+running", out), out
    assert "zombies left in the namespace: 0" in out, out

    r = dpkg(fresh_root, "--purge", "vigil")
    assert r.returncode == 0, r.stderr
    assert dpkg(fresh_root, "-s", "vigil").returncode != 0
    left = files_in(fresh_root, skip={"/var/lib/dpkg"}) - before
    assert left == set()
    assert sorted(p.name for p in fresh_root.iterdir()) == ["var"]
    assert not list((fresh_root / "var/lib/dpkg/info").glob("vigil*"))


def test_make_release_leaves_static_binaries_and_their_checksums():
    make("release")
    rel = ROOT / "build" / "release"
    names = sorted(p.name for p in rel.iterdir())
    v = version()
    for prog in ("vigil", "vigilctl", "vigil-heart"):
        assert any(n.startswith(f"{prog}-{v}-linux-") for n in names), names
    assert any(n.endswith(".deb") for n in names) and "SHA256SUMS" in names
    sums = (rel / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(names) - 1
    r = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=rel, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for n in names:
        if "-linux-" in n:
            out = subprocess.run(["readelf", "-l", str(rel / n)], capture_output=True, text=True).stdout
            assert "INTERP" not in out, f"{n} is not static"
