"""erlinit mode on the host (issue 16, docs/ERLINIT.md): `vigil --system
--config DIR/erlinit.config` as PID 1 of its own namespaces reads erlinit's
option language, merges the command line over the file as erlinit does, and
starts the release it finds with erlinit's arguments and environment.
(The machine's own /etc/erlinit.config and a real Nerves file: tests/qemu.)
"""
import os
import pathlib
import signal
import time

from harness import POWER, ended_by, wait_for


def release_tree(root):
    """A fake release under root/srv: erlexec writes what it got to root/facts."""
    srv = root / "srv"
    (srv / "releases/0.2.0").mkdir(parents=True)
    (srv / "releases/0.1.0").mkdir(parents=True)
    for name in ("shoehorn.boot", "app.boot", "sys.config", "vm.args"):
        (srv / "releases/0.2.0" / name).write_text("")
    (srv / "releases/0.1.0/app.boot").write_text("")
    bindir = srv / "erts-14.2/bin"
    bindir.mkdir(parents=True)
    facts = root / "facts"
    erlexec = bindir / "erlexec"
    erlexec.write_text(f"""#!/bin/sh
{{ echo "argv0=$0"; echo "args=$*"
  for v in ROOTDIR BINDIR EMU PROGNAME RELEASE_SYS_CONFIG A B C WRAPPED; do eval "echo $v=\\${{$v}}"; done
  echo "host=$(hostname)"; echo "cwd=$(pwd)"; }} > {facts}.tmp
mv {facts}.tmp {facts}
exit 0
""")
    erlexec.chmod(0o755)
    wrap = root / "wrap"
    wrap.write_text('#!/bin/sh\nexport WRAPPED="$1"\nshift\nexec "$@"\n')
    wrap.chmod(0o755)
    return srv, facts, wrap


def kv(path):
    return dict(line.split("=", 1) for line in pathlib.Path(path).read_text().splitlines() if "=" in line)


def test_erlinit_config_and_command_line_reach_the_release(sysv, tmp_path):
    srv, facts, wrap = release_tree(tmp_path)
    config = tmp_path / "erlinit.config"
    config.write_text(f"""# erlinit's language
-e A=1;B=2
--env C=3     # accumulates with the line above
-n nerves-%-.4s
-d "echo 00000000a1b2c3d4"
-r {tmp_path}/none:{srv}
--boot shoehorn
-s "{wrap} yes"
--update-clock
-h
""")
    # erlinit's form on the command line too: -e accumulates, B's last value wins.
    run = sysv.start("--config", config, "-e", "B=22")
    wait_for(lambda: os.path.exists(facts) or not run.running(), what="the release's erlexec")
    assert os.path.exists(facts), run.stderr
    got = kv(facts)
    vdir = f"{srv}/releases/0.2.0"   # the last version by name (no start_erl.data)
    assert got["argv0"] == f"{srv}/erts-14.2/bin/erlexec"
    assert got["args"].split()[:6] == ["-config", f"{vdir}/sys.config", "-boot", f"{vdir}/shoehorn",
                                       "-args_file", f"{vdir}/vm.args"], got["args"]
    assert (got["ROOTDIR"], got["BINDIR"], got["EMU"], got["PROGNAME"]) == (
        str(srv), f"{srv}/erts-14.2/bin", "beam", "erlexec")
    assert got["RELEASE_SYS_CONFIG"] == f"{vdir}/sys"
    assert (got["A"], got["B"], got["C"]) == ("1", "22", "3")
    assert got["WRAPPED"] == "yes", "the -s wrapper did not run with its argument"
    assert got["host"] == "nerves-c3d4"
    assert got["cwd"] == str(srv)
    # -h is --hang-on-exit: the release's exit leaves vigil hanging, not exiting.
    wait_for(lambda: "hanging (--on-exit hang)" in run.stderr, what="the hang")
    assert run.running()
    assert "--update-clock not honoured" not in run.stderr, run.stderr   # vigil's own since issue 16 point 2
    assert f"no release found in {tmp_path}/none" in run.stderr
    assert "-h/--help ignored" not in run.stderr
    run.signal(signal.SIGUSR2)
    ended_by(run, POWER)


def test_graceful_shutdown_timeout_in_milliseconds_bounds_the_main_programs_stop(sysv, tmp_path):
    """--graceful-shutdown-timeout MS: how long a requested shutdown waits for
    the main program (given here by a "--" line, a vigil extension)."""
    trapped = tmp_path / "trapped"
    main = tmp_path / "main"
    main.write_text(f"#!/bin/sh\ntrap '' TERM\ntouch {trapped}\nwhile :; do sleep 0.05; done\n")
    main.chmod(0o755)
    config = tmp_path / "erlinit.config"
    config.write_text(f"--graceful-shutdown-timeout 1500\n-- {main}\n")
    run = sysv.start("--config", config)
    wait_for(lambda: trapped.exists() or not run.running(), what="the main program's trap")
    run.wait_signals_ready()
    run.signal(signal.SIGUSR2)
    wait_for(lambda: "shutting down (poweroff)" in run.stderr, what="the shutdown")
    t0 = time.monotonic()
    wait_for(lambda: "still running after the stop timeout" in run.stderr, timeout=8, what="the stop timeout")
    waited = time.monotonic() - t0
    assert 1.0 < waited < 4.0, f"waited {waited:.2f} s for a 1500 ms timeout"
    ended_by(run, POWER)
