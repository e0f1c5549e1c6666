"""The process context of a unit, observed from inside its process (issue 3).

User=, Group=, SupplementaryGroups=, WorkingDirectory=, Environment=,
EnvironmentFile=, UMask=, Nice=, LimitNOFILE=, NoNewPrivileges=, and how a
context that cannot be set is reported: the unit does not run, vigil says
which unit and why, the other units run.

The probe script writes what it sees to out/NAME ("key=value" lines), its
environment to out/NAME.env, and creates out/NAME.created (for owner and
mode). Units that run as nobody live in a world-readable directory under
/tmp (fixture public_units).
"""
import grp
import os
import pwd
import time

import pytest

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until

PROBE = """
    f=$1
    {
            echo "uid=$(id -u)"
            echo "gid=$(id -g)"
            echo "groups=$(id -G)"
            echo "pwd=$(pwd -P)"
            echo "umask=$(umask)"
            echo "nice=$(nice)"
            echo "nofile=$(ulimit -n)"
            echo "nofile_hard=$(ulimit -Hn)"
            echo "nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status)"
            echo "argv=$*"
    } > "$f.tmp"
    env > "$f.env"
    : > "$f.created"
    mv "$f.tmp" "$f"
"""


def probe(units, lines, name="probe", env=None, args=""):
    """Run one unit with these [Service] lines; return (facts, environment, run), vigil stopped."""
    script = units.script("probe", PROBE)
    out = units.file(name)
    units.add(name, unit_text("[Service]", f"ExecStart={script} {out}{args}", *lines))
    run = units.start(env=env)
    wait_until(run, lambda: os.path.exists(out), f"{name} to report its context")
    stop_vigil(run)
    facts = dict(line.split("=", 1) for line in read_lines(out))
    environment = dict(line.split("=", 1) for line in read_lines(out + ".env") if "=" in line)
    return facts, environment, run


def test_user_nobody_drops_privileges(public_units):
    nobody = pwd.getpwnam("nobody")
    facts, env, _ = probe(public_units, ["User=nobody"])
    assert facts["uid"] == str(nobody.pw_uid)
    assert facts["gid"] == str(nobody.pw_gid), "the user's primary group"
    assert "0" not in facts["groups"].split(), f"root's groups kept: {facts['groups']}"
    st = os.stat(public_units.file("probe.created"))
    assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid), "a file the unit creates is nobody's"


def test_user_sets_the_users_environment_as_systemd(public_units):
    # systemd sets $USER, $LOGNAME, $HOME, $SHELL for a unit with User=.
    nobody = pwd.getpwnam("nobody")
    _, env, _ = probe(public_units, ["User=nobody"])
    assert env.get("USER") == "nobody" and env.get("LOGNAME") == "nobody", env
    assert env.get("HOME") == nobody.pw_dir and env.get("SHELL") == nobody.pw_shell


def test_group_and_supplementary_groups(public_units):
    daemon, binary = grp.getgrnam("daemon").gr_gid, grp.getgrnam("bin").gr_gid
    facts, _, _ = probe(public_units, ["User=nobody", "Group=daemon", "SupplementaryGroups=bin"])
    assert facts["uid"] == str(pwd.getpwnam("nobody").pw_uid)
    assert facts["gid"] == str(daemon), "Group= is the primary group"
    groups = set(facts["groups"].split())
    assert {str(daemon), str(binary)} <= groups, f"id -G: {facts['groups']}"
    assert "0" not in groups
    st = os.stat(public_units.file("probe.created"))
    assert st.st_gid == daemon


def test_group_without_user(units):
    facts, _, _ = probe(units, ["Group=daemon"])
    assert facts["uid"] == "0" and facts["gid"] == str(grp.getgrnam("daemon").gr_gid)


def test_numeric_user_and_group(public_units):
    facts, _, _ = probe(public_units, ["User=65534", "Group=1"])
    assert (facts["uid"], facts["gid"]) == ("65534", "1")


def test_working_directory(units):
    wd = units.root / "workdir"
    wd.mkdir()
    facts, _, _ = probe(units, [f"WorkingDirectory={wd}"])
    assert facts["pwd"] == os.path.realpath(wd)


def test_environment_and_inherited_environment(units):
    facts, env, _ = probe(units, [
        'Environment=PLAIN=one "SPACED=two words" OVERRIDDEN=unit',
        "Environment=SECOND=line",
    ], env={"VIGIL_TEST_INHERITED": "from-vigil", "OVERRIDDEN": "from-vigil"})
    assert env["PLAIN"] == "one" and env["SPACED"] == "two words" and env["SECOND"] == "line"
    assert env["VIGIL_TEST_INHERITED"] == "from-vigil", "units inherit vigil's environment"
    assert env["OVERRIDDEN"] == "unit", "Environment= wins over vigil's environment"


def test_environment_expands_in_exec_start(units):
    facts, env, _ = probe(units, ["Environment=WORD=hello"], args=" ${WORD} $WORD")
    assert facts["argv"].split()[1:] == ["hello", "hello"], facts["argv"]


def test_environment_file(units):
    envfile = units.root / "app.env"
    envfile.write_text('# a comment\nFROM_FILE=file\nQUOTED="a b"\nSHARED=file\n')
    facts, env, _ = probe(units, [
        "Environment=SHARED=unit",
        f"EnvironmentFile={envfile}",
        f"EnvironmentFile=-{units.root}/does-not-exist.env",
    ])
    assert env["FROM_FILE"] == "file" and env["QUOTED"] == "a b"
    assert env["SHARED"] == "file", "EnvironmentFile= (later) wins over Environment="


def test_umask(units):
    facts, _, _ = probe(units, ["UMask=0027"])
    assert facts["umask"] == "0027"
    assert os.stat(units.file("probe.created")).st_mode & 0o777 == 0o640


def test_default_umask_is_0022(units):
    facts, _, _ = probe(units, [])
    assert facts["umask"] == "0022"


def test_nice(units):
    facts, _, _ = probe(units, ["Nice=7"])
    assert facts["nice"] == "7"


@pytest.mark.parametrize("value,soft,hard", [("1234", "1234", "1234"), ("100:200", "100", "200")])
def test_limit_nofile(units, value, soft, hard):
    facts, _, _ = probe(units, [f"LimitNOFILE={value}"])
    assert (facts["nofile"], facts["nofile_hard"]) == (soft, hard)


def test_no_new_privileges(units):
    facts, _, _ = probe(units, ["NoNewPrivileges=yes"])
    assert facts["nnp"] == "1"


# ---------------------------------------------------------------- failures

@pytest.mark.parametrize("line,error", [
    ("User=vigil-test-no-such-user", None),
    ("Group=vigil-test-no-such-group", None),
    ("WorkingDirectory=/nonexistent/vigil-test", "No such file or directory"),
    ("EnvironmentFile=/nonexistent/vigil-test.env", "No such file or directory"),
], ids=["user", "group", "working-directory", "environment-file"])
def test_a_context_that_cannot_be_set_fails_the_unit_and_says_why(units, line, error):
    script = units.script("probe", PROBE)
    units.add("ctx-bad", unit_text("[Service]", f"ExecStart={script} {units.file('bad')}", line))
    units.add("ctx-good", unit_text("[Service]", f"ExecStart={script} {units.file('good')}"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(units.file("good")), "the good unit to run")
    key, value = line.split("=", 1)
    # The errno text where there is one; for a name that does not resolve,
    # something that says what could not be applied.
    hints = (error,) if error else ("user", "group", value, "No such process", "not found", "unknown")

    def reported():
        return [x for x in stderr_lines(run, "ctx-bad") if any(h.lower() in x.lower() for h in hints)]
    wait_until(run, reported, f"a line naming ctx-bad and the error about {key}=")
    time.sleep(0.3)
    assert not os.path.exists(units.file("bad")), f"the unit ran although {line} could not be applied"
    stop_vigil(run)


def test_working_directory_dash_prefix_tolerates_a_missing_directory(units):
    facts, _, _ = probe(units, ["WorkingDirectory=-/nonexistent/vigil-test"])
    assert facts["uid"] == "0", "the unit ran"
