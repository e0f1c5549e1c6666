"""Startup scripts and the container environment (SPEC §2 steps 3-4, §9).

The fixed paths of SPEC §9 (/etc/rc.local, /etc/my_init.d,
/etc/container_environment{,.sh,.json}, /etc/group for docker_env) are
never touched on the host: each run of vigil gets a private mount namespace
in which a tmpfs holds a copy of the test's `etc/` directory, laid over the
real /etc as the upper layer of an overlay. vigil sees the host's /etc with
the test's files on top; whatever it writes lands in the tmpfs and vanishes
with the namespace. The main command copies out what a test wants to look
at (its own environment, the exported files with their modes). In pid1 mode
the namespace is the one `unshare -pf --mount-proc` makes anyway; in
subreaper mode it is `unshare -m`, and vigil is still not PID 1.
"""
import json
import os
import signal
import stat
import subprocess


from harness import VIGIL, children, proc_table, tagged_pids, wait_for

# Runs in the new mount namespace, then becomes vigil: $1 = the test's etc/,
# $2 = an empty dir for the tmpfs; the rest is vigil's argv.
OVERLAY_SETUP = r'''
set -e
src=$1 ns=$2
shift 2
mount -t tmpfs -o mode=0755 vigil-itest "$ns"
mkdir "$ns/upper" "$ns/work"
cp -a "$src/." "$ns/upper/"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ns/upper,workdir=$ns/work" /etc
exec "$@"
'''

DOCKER_ENV_GID = 8377  # baseimage-docker's image/system_services.sh

# The main command of the environment tests: its environment as vigil gave
# it (the initial environment of sh), and copies of the exported files with
# their modes and owners.
DUMP = r'''
cp /proc/$$/environ "$1/main.env"
mkdir "$1/out"
for f in /etc/container_environment /etc/container_environment.sh /etc/container_environment.json; do
        if [ -e "$f" ]; then cp -a "$f" "$1/out/"; fi
done
'''


class Etc:
    """The test's layer over /etc, and vigil started above it."""

    def __init__(self, vigil):
        self.vigil = vigil
        self.src = vigil.tmp / "etc"
        self.src.mkdir()
        self.ns = vigil.tmp / "etc-ns"
        self.ns.mkdir()
        # Shadow a host rc.local, if any: only the test's runs.
        self.file("rc.local", "#!/bin/sh\necho 'host rc.local must not run'\nexit 99\n", 0o644)
        prefix = ["unshare", "-m"] if vigil.mode == "subreaper" else ["unshare", "-pf", "--mount-proc"]
        # The harness's implied arguments too (PID 1 with nothing to run
        # would boot the host's own systemd layout).
        vigil.argv = lambda args: prefix + ["sh", "-c", OVERLAY_SETUP, "sh", str(self.src), str(self.ns), VIGIL] + \
            vigil.implied_args(args)

    def file(self, rel, text, mode=0o644):
        p = self.src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode() if isinstance(text, str) else text)
        p.chmod(mode)
        return p

    def env_file(self, name, value):
        d = self.src / "container_environment"
        d.mkdir(exist_ok=True)
        d.chmod(0o700)
        return self.file(f"container_environment/{name}", value, 0o644)

    def add_docker_env_group(self):
        with open("/etc/group") as f:
            group = f.read()
        self.file("group", group + f"docker_env:x:{DOCKER_ENV_GID}:\n", 0o644)


def script(path, body, mode=0o755):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(mode)
    return path


def read_environ(path):
    data = path.read_bytes()
    return dict(item.split(b"=", 1) for item in data.split(b"\0") if b"=" in item)


def dump_cmd(vigil):
    return ["--", "sh", "-c", DUMP, "sh", str(vigil.tmp)]


# ---------------------------------------------------------------- scripts

def test_scripts_run_in_lexical_order_before_the_main_command_with_output_visible(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    script(d / "10-a", "echo out 10-a; echo err 10-a >&2")
    script(d / "100-c", "echo out 100-c")
    script(d / "2-b", "echo out 2-b")
    script(d / "05-not-executable", "echo out 05", 0o644)
    script(d / ".hidden", "echo out hidden")
    (d / "07-dir").mkdir()
    run = vigil.run("-vv", "--startup-dir", d, "--", "sh", "-c", "echo out main")
    assert run.returncode == 0, run.stderr
    # bytewise: "10-a" < "100-c" ('-' < '0') < "2-b"
    assert run.stdout.splitlines() == ["out 10-a", "out 100-c", "out 2-b", "out main"], run.stderr
    assert "err 10-a" in run.stderr
    assert f"running startup script {d}/10-a" in run.stderr
    assert f"skipping {d}/05-not-executable: not executable" in run.stderr
    assert f"skipping {d}/.hidden: hidden file" in run.stderr
    assert f"skipping {d}/07-dir: not a regular file" in run.stderr


def test_default_startup_dir_is_etc_my_init_d(vigil):
    etc = Etc(vigil)
    script(etc.src / "my_init.d" / "50-default", "echo from my_init.d")
    run = vigil.run("--", "echo", "main")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["from my_init.d", "main"], run.stderr


def test_rc_local_runs_last_if_executable(vigil):
    etc = Etc(vigil)
    etc.file("rc.local", "#!/bin/sh\necho rc.local\n", 0o755)
    d = vigil.tmp / "init.d"
    script(d / "99-last-of-dir", "echo 99")
    run = vigil.run("--startup-dir", d, "--", "echo", "main")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["99", "rc.local", "main"], run.stderr


def test_non_executable_rc_local_is_skipped(vigil):
    Etc(vigil)  # its rc.local is 0644
    run = vigil.run("--", "echo", "main")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["main"], run.stderr


def test_failing_script_aborts_start_up_with_its_status(vigil):
    etc = Etc(vigil)
    etc.file("rc.local", "#!/bin/sh\necho rc.local\n", 0o755)
    d = vigil.tmp / "init.d"
    script(d / "10-ok", "echo 10")
    script(d / "20-fails", "echo 20; exit 7")
    script(d / "30-never", "echo 30")
    marker = vigil.tmp / "main-ran"
    run = vigil.run("--startup-dir", d, "--", "touch", marker)
    assert run.returncode == 7, run.stderr
    assert run.stdout.splitlines() == ["10", "20"]
    assert not marker.exists(), "the main command ran after a failed start-up"
    assert f"{d}/20-fails failed with status 7" in run.stderr


def test_script_killed_by_signal_aborts_with_128_plus_n(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    script(d / "10-killed", "kill -USR1 $$")
    marker = vigil.tmp / "main-ran"
    run = vigil.run("--startup-dir", d, "--", "touch", marker)
    assert run.returncode == 128 + signal.SIGUSR1, run.stderr
    assert not marker.exists()
    assert "killed by SIGUSR1" in run.stderr


def test_failed_start_up_without_main_command_exits_with_the_status(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    script(d / "10-fails", "exit 3")
    run = vigil.run("--startup-dir", d)
    assert run.returncode == 3, run.stderr


def test_script_leftovers_are_stopped_after_a_failed_start_up(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    pidfile = vigil.tmp / "daemon.pid"
    # A daemon-like leftover in its own session, then failure.
    script(d / "10-daemon-then-fail", f"setsid sleep 300 & echo $! > {pidfile}; exit 4")
    run = vigil.run("--startup-dir", d, "--", "true", timeout=20)
    assert run.returncode == 4, run.stderr
    assert pidfile.exists()
    assert tagged_pids(vigil.tag) == [], "the script's leftover outlived vigil"


def test_orphans_are_reaped_while_a_script_runs(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    fifo, marker = vigil.tmp / "release", vigil.tmp / "orphaned"
    os.mkfifo(fifo)
    # The orphan (sleep 0.3, its parent gone at once) comes to vigil, dies
    # and must be reaped while the script still waits on the FIFO.
    script(d / "10-orphans", f"(sleep 0.3 &) ; touch {marker}; read x < {fifo}; echo script done")
    run = vigil.start("--startup-dir", d, "--", "echo", "main")
    wait_for(marker.exists, timeout=10, what="the script to make its orphan")
    vigil_pid = run.pid

    def orphan_gone():
        table = proc_table()
        kids = children(vigil_pid, table)
        if any(table[k][0] == "Z" for k in kids):
            return False
        return not any(table[k][2] == "sleep" for k in kids)

    wait_for(orphan_gone, timeout=10, what="the adopted orphan to be reaped while the script runs")
    assert run.running()
    fd = os.open(fifo, os.O_WRONLY)
    os.close(fd)
    assert run.wait(10) == 0, run.stderr
    assert run.stdout.splitlines() == ["script done", "main"]


def test_sigterm_during_a_script_stops_it_and_the_main_command_never_runs(vigil):
    Etc(vigil)
    d = vigil.tmp / "init.d"
    log, started = vigil.tmp / "script.log", vigil.tmp / "started"
    script(d / "10-slow", f"trap 'echo TERM >> {log}; exit 0' TERM\ntouch {started}\n"
                          "while :; do sleep 0.05; done")
    script(d / "20-never", f"echo 20 >> {log}")
    marker = vigil.tmp / "main-ran"
    run = vigil.start("--startup-dir", d, "--", "touch", marker)
    wait_for(started.exists, timeout=10, what="the script to start")
    run.signal(signal.SIGTERM)
    run.wait(10)
    # (TERM may come twice: from vigil's stop of the script and, in pid1
    # mode, from the kill-all; the trap may run for each.)
    assert "TERM" in log.read_text().split(), run.stderr
    assert "20" not in log.read_text().split(), "a script ran after the stop request"
    assert not marker.exists(), "the main command ran after a stop request during start-up"


def test_missing_explicit_startup_dir_is_an_error(vigil):
    Etc(vigil)
    marker = vigil.tmp / "main-ran"
    run = vigil.run("--startup-dir", vigil.tmp / "missing", "--", "touch", marker)
    assert run.returncode == 1, run.stderr
    assert "missing" in run.stderr
    assert not marker.exists()


# ---------------------------------------------------------------- container environment

QUOTED = "it's \"double\" and $HOME ${X} `cmd` \\back\\slash; | & * ?"
MULTI = "line 1\nline 2\n"          # the file has one more '\n', stripped on import
UNICODE = "h\u00e9llo \u2713"
SKIPPED = {"HOME": "/home/itest", "USER": "itest", "GROUP": "itest-group", "UID": "4242", "GID": "4343",
           "SHELL": "/bin/itest-sh"}


def env_etc(vigil):
    etc = Etc(vigil)
    etc.env_file("QUOTED", QUOTED)
    etc.env_file("MULTI", MULTI + "\n")
    etc.env_file("WEIRD-NAME", "weird\n")
    etc.env_file("UNICODE", UNICODE)
    etc.env_file("GIVEN", "from the file\n")
    return etc


def test_container_env_import_reaches_the_main_command_unchanged(vigil):
    env_etc(vigil)
    run = vigil.run("--container-env", *dump_cmd(vigil), env={"GIVEN": "from docker run -e"})
    assert run.returncode == 0, run.stderr
    env = read_environ(vigil.tmp / "main.env")
    assert env[b"QUOTED"] == QUOTED.encode()
    assert env[b"MULTI"] == MULTI.encode()
    assert env[b"WEIRD-NAME"] == b"weird"
    assert env[b"UNICODE"] == UNICODE.encode()
    assert env[b"GIVEN"] == b"from docker run -e", "vigil's own environment wins over the files (my_init)"
    # ... and the directory now holds what vigil had.
    assert (vigil.tmp / "out" / "container_environment" / "GIVEN").read_text() == "from docker run -e"


def test_without_container_env_nothing_is_imported_or_written(vigil):
    env_etc(vigil)
    run = vigil.run(*dump_cmd(vigil))
    assert run.returncode == 0, run.stderr
    env = read_environ(vigil.tmp / "main.env")
    assert b"QUOTED" not in env
    out = vigil.tmp / "out"
    assert not (out / "container_environment.sh").exists()
    assert not (out / "container_environment.json").exists()
    # The directory is the test's own, untouched: GIVEN still the file's.
    assert (out / "container_environment" / "GIVEN").read_text() == "from the file\n"


def exported_values(vigil, extra_env):
    """Run with --container-env (one start-up script too); the .sh sourced in
    dash and the .json, each as a dict of str."""
    d = vigil.tmp / "init.d"
    script(d / "10-noop", "true")
    run = vigil.run("--container-env", "--startup-dir", d, *dump_cmd(vigil), env=extra_env)
    assert run.returncode == 0, run.stderr
    out = vigil.tmp / "out"
    sourced = subprocess.run(["env", "-i", "dash", "-c", '. "$1" && exec env -0', "dash",
                              str(out / "container_environment.sh")],
                             capture_output=True, timeout=10)
    assert sourced.returncode == 0, sourced.stderr
    sh = {k.decode(): v.decode() for k, v in
          (item.split(b"=", 1) for item in sourced.stdout.split(b"\0") if b"=" in item)}
    with open(out / "container_environment.json", encoding="utf-8") as f:
        js = json.load(f)
    return run, sh, js


def test_export_sh_is_valid_shell_and_json_parses_to_the_same_values(vigil):
    env_etc(vigil)
    run, sh, js = exported_values(vigil, {"GIVEN": "from -e", "FROM_ENV": "a\nb 'c' \"d\" $e"})
    want = {"QUOTED": QUOTED, "MULTI": MULTI, "UNICODE": UNICODE, "GIVEN": "from -e",
            "FROM_ENV": "a\nb 'c' \"d\" $e"}
    for name, value in want.items():
        assert sh.get(name) == value, f".sh: {name}"
        assert js.get(name) == value, f".json: {name}"
    assert sh.get("WEIRD_NAME") == "weird", "a name that is no shell identifier is sanitised in the .sh"
    assert js.get("WEIRD-NAME") == "weird"


def test_skipped_names_are_not_exported_but_kept_for_the_main_command(vigil):
    env_etc(vigil)
    run, sh, js = exported_values(vigil, SKIPPED)
    listing = os.listdir(vigil.tmp / "out" / "container_environment")
    for name in SKIPPED:
        assert name not in sh, f".sh exports {name}"
        assert name not in js, f".json holds {name}"
        assert name not in listing, f"the directory holds {name}"
    # Unlike my_init (phusion/baseimage-docker#119), they survive the
    # re-import after a startup script.
    env = read_environ(vigil.tmp / "main.env")
    for name, value in SKIPPED.items():
        assert env[name.encode()] == value.encode(), name


def modes(vigil):
    out = vigil.tmp / "out"
    d = out / "container_environment"
    files = [d / n for n in os.listdir(d)] + [out / "container_environment.sh", out / "container_environment.json"]
    return os.stat(d), {p.name: os.stat(p) for p in files}


def test_exported_files_are_0600_root_without_a_docker_env_group(vigil):
    Etc(vigil)  # no container_environment directory: vigil makes it
    run = vigil.run("--container-env", *dump_cmd(vigil), env={"SECRET": "s3cret"})
    assert run.returncode == 0, run.stderr
    dir_st, files = modes(vigil)
    assert stat.S_IMODE(dir_st.st_mode) == 0o700
    assert "SECRET" in files
    for name, st in files.items():
        assert stat.S_IMODE(st.st_mode) == 0o600, name
        assert st.st_uid == 0, name


def test_exported_files_are_0640_root_docker_env_when_the_group_exists(vigil):
    etc = env_etc(vigil)
    etc.add_docker_env_group()
    run = vigil.run("--container-env", *dump_cmd(vigil), env={"SECRET": "s3cret"})
    assert run.returncode == 0, run.stderr
    dir_st, files = modes(vigil)
    assert stat.S_IMODE(dir_st.st_mode) == 0o700, "the existing directory keeps its mode"
    assert {"SECRET", "QUOTED", "container_environment.sh", "container_environment.json"} <= set(files)
    for name, st in files.items():
        assert stat.S_IMODE(st.st_mode) == 0o640, name
        assert (st.st_uid, st.st_gid) == (0, DOCKER_ENV_GID), name


def test_a_script_changes_the_environment_of_later_scripts_and_the_main_command(vigil):
    etc = env_etc(vigil)
    etc.env_file("TO_DELETE", "doomed\n")
    etc.env_file("TO_CHANGE", "before\n")
    d = vigil.tmp / "init.d"
    ce = "/etc/container_environment"
    script(d / "10-writes", f"printf 'from script 10\\n' > {ce}/FROM_SCRIPT\n"
                            f"rm {ce}/TO_DELETE\nprintf after > {ce}/TO_CHANGE")
    script(d / "20-reads", f"printf '%s|%s|%s\\n' \"$FROM_SCRIPT\" \"${{TO_DELETE-unset}}\" \"$TO_CHANGE\" "
                           f"> {vigil.tmp}/seen-by-20")
    run = vigil.run("--container-env", "--startup-dir", d, *dump_cmd(vigil))
    assert run.returncode == 0, run.stderr
    assert (vigil.tmp / "seen-by-20").read_text() == "from script 10|unset|after\n"
    env = read_environ(vigil.tmp / "main.env")
    assert env[b"FROM_SCRIPT"] == b"from script 10"
    assert b"TO_DELETE" not in env
    assert env[b"TO_CHANGE"] == b"after"
    assert env[b"QUOTED"] == QUOTED.encode()
    sh = (vigil.tmp / "out" / "container_environment.sh").read_text()
    assert "export FROM_SCRIPT='from script 10'\n" in sh
    assert "TO_DELETE" not in sh
