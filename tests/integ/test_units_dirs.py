"""RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
ConfigurationDirectory= (issue 15, point 4), as systemd.exec(5) "Paths":
made before the unit's first process under /run, /var/lib, /var/cache,
/var/log and /etc, with *DirectoryMode= and the User=/Group= ownership
(not for ConfigurationDirectory=), named in $RUNTIME_DIRECTORY and kin;
RuntimeDirectory= removed at the stop unless RuntimeDirectoryPreserve=.

The directories are real ones of this machine, each named vigil-test-RANDOM
and removed by the fixture.
"""
import os
import pwd
import shutil
import stat
import uuid

import pytest

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until

ROOTS = {"Runtime": "/run", "State": "/var/lib", "Cache": "/var/cache", "Logs": "/var/log",
         "Configuration": "/etc"}


@pytest.fixture
def name():
    n = f"vigil-test-{uuid.uuid4().hex[:10]}"
    yield n
    for root in ROOTS.values():
        shutil.rmtree(os.path.join(root, n), ignore_errors=True)


def start_probe(units, name, lines, script="env > {out}; exec sleep 100"):
    out = units.file("env")
    body = script.format(out=out)
    units.add("dirs", unit_text("[Service]", f"ExecStart={units.script('dirs', body)}", *lines))
    run = units.start()
    wait_until(run, lambda: os.path.exists(out) and read_lines(out), "the unit to write its environment")
    env = dict(line.split("=", 1) for line in read_lines(out) if "=" in line)
    return run, env


def test_all_five_made_with_modes_owner_and_environment(public_units, name):
    nobody = pwd.getpwnam("nobody")
    lines = ["User=nobody"] + [f"{k}Directory={name} {name}/sub" for k in ROOTS] + \
            [f"{k}DirectoryMode=0710" for k in ROOTS]
    run, env = start_probe(public_units, name, lines)
    for k, root in ROOTS.items():
        for path in (f"{root}/{name}", f"{root}/{name}/sub"):
            st = os.lstat(path)
            assert stat.S_ISDIR(st.st_mode), path
            assert stat.S_IMODE(st.st_mode) == 0o710, f"{path}: {oct(st.st_mode)}"
            owner = (0, 0) if k == "Configuration" else (nobody.pw_uid, nobody.pw_gid)
            assert (st.st_uid, st.st_gid) == owner, f"{path}: owner {st.st_uid}:{st.st_gid}"
        var = f"{k.upper()}_DIRECTORY"
        assert env.get(var) == f"{root}/{name}:{root}/{name}/sub", f"{var}: {env.get(var)}"
    stop_vigil(run)
    assert not os.path.exists(f"/run/{name}"), "RuntimeDirectory= is removed when the unit stops"
    for k in ("State", "Cache", "Logs", "Configuration"):
        assert os.path.isdir(f"{ROOTS[k]}/{name}"), f"{k}Directory= is kept"


def test_default_mode_0755_and_root_without_user(units, name):
    run, env = start_probe(units, name, [f"RuntimeDirectory={name}", f"StateDirectory={name}"])
    for root in ("/run", "/var/lib"):
        st = os.stat(f"{root}/{name}")
        assert stat.S_IMODE(st.st_mode) == 0o755 and st.st_uid == 0
    assert env["RUNTIME_DIRECTORY"] == f"/run/{name}"
    assert "CACHE_DIRECTORY" not in env, "no variable for a kind the unit does not use"
    stop_vigil(run)


def test_preserve_yes_keeps_it_and_restart_keeps_it_over_a_restart(units, name):
    # RuntimeDirectoryPreserve=restart: the directory (and a file in it)
    # survives an automatic restart; =yes survives the stop too.
    units.add("keep", unit_text("[Service]", f"RuntimeDirectory={name}-keep", "RuntimeDirectoryPreserve=yes",
                                "ExecStart=/bin/sleep 100"))
    marker = f"/run/{name}/marker"
    count = units.file("count")
    body = f"""
        echo run >> {count}
        [ -e {marker} ] && echo kept >> {count}
        touch {marker}
        [ "$(wc -l < {count})" -ge 3 ] && exec sleep 100
        exit 1
        """
    units.add("again", unit_text("[Service]", f"RuntimeDirectory={name}", "RuntimeDirectoryPreserve=restart",
                                 "Restart=on-failure", "RestartSec=0.1", f"ExecStart={units.script('again', body)}"))
    run = units.start()
    try:
        wait_until(run, lambda: read_lines(count).count("kept") >= 1, "a restart to find the directory kept",
                   timeout=10)
        assert os.path.isdir(f"/run/{name}-keep")
        stop_vigil(run)
        assert os.path.isdir(f"/run/{name}-keep"), "RuntimeDirectoryPreserve=yes: kept after the stop"
        assert not os.path.exists(f"/run/{name}"), "=restart: removed when the unit stops for good"
    finally:
        shutil.rmtree(f"/run/{name}-keep", ignore_errors=True)


def test_preserve_no_removes_it_before_a_restart(units, name):
    marker = f"/run/{name}/marker"
    count = units.file("count")
    body = f"""
        echo run >> {count}
        [ -e {marker} ] && echo kept >> {count}
        touch {marker}
        [ "$(wc -l < {count})" -ge 2 ] && exec sleep 100
        exit 1
        """
    units.add("again", unit_text("[Service]", f"RuntimeDirectory={name}", "Restart=on-failure", "RestartSec=0.1",
                                 f"ExecStart={units.script('again', body)}"))
    run = units.start()
    wait_until(run, lambda: len(read_lines(count)) >= 2, "the restart", timeout=10)
    assert "kept" not in read_lines(count), "RuntimeDirectoryPreserve=no: a restart gets a fresh directory"
    stop_vigil(run)


def test_bad_values_refused_with_file_and_line(units, name):
    path = units.add("bad", unit_text("[Service]", "ExecStart=/bin/true", "RuntimeDirectory=../escape",
                                      "StateDirectory=/abs", "CacheDirectoryMode=999",
                                      "RuntimeDirectoryPreserve=maybe"))
    units.add("good", unit_text("[Service]", f"RuntimeDirectory={name}", "ExecStart=/bin/sleep 100"))
    run = units.start()
    wait_until(run, lambda: os.path.isdir(f"/run/{name}"), "the good unit's directory")
    stop_vigil(run)
    for line, key in ((3, "RuntimeDirectory=../escape"), (4, "StateDirectory=/abs"),
                      (5, "CacheDirectoryMode=999"), (6, "RuntimeDirectoryPreserve=maybe")):
        assert stderr_lines(run, f"{path}:{line}", key), f"{key} at line {line}:\n{run.stderr}"
    assert not os.path.exists("/run/escape")


def test_a_directory_that_cannot_be_made_fails_that_unit_only(units, name):
    with open(f"/run/{name}", "w") as f:
        f.write("a file, not a directory\n")
    units.add("blocked", unit_text("[Service]", f"RuntimeDirectory={name}/sub", "ExecStart=/bin/sleep 100"))
    units.add("other", unit_text("[Service]", f"RuntimeDirectory={name}-other", "ExecStart=/bin/sleep 100"))
    run = units.start()
    try:
        wait_until(run, lambda: stderr_lines(run, "blocked", "RuntimeDirectory=", name), "the failure line")
        wait_until(run, lambda: os.path.isdir(f"/run/{name}-other"), "the other unit's directory")
        stop_vigil(run)
    finally:
        shutil.rmtree(f"/run/{name}-other", ignore_errors=True)
        os.unlink(f"/run/{name}")
