"""Condition*= and Assert*= (issue 15, point 6), as systemd.unit(5): a
failed condition skips the start (the unit stays inactive, its start job
succeeds, other units run), a failed assert fails it; "|" triggers (one
must hold), "!" negates; bad values refused with FILE:LINE."""
import os
import platform

from harness import stderr_lines, stop_vigil, unit_text, wait_until

ARCH = {"x86_64": "x86-64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def touch_unit(units, name, *lines):
    out = units.file(name)
    units.add(name, unit_text("[Unit]", *lines, "[Service]", f"ExecStart=/bin/sh -c 'touch {out}; exec sleep 100'"))
    return out


def test_conditions_decide_which_units_start(units, vigil):
    d = vigil.tmp / "d"
    (d / "sub").mkdir(parents=True)
    (d / "full").write_text("x")
    (d / "empty").write_text("")
    os.symlink(d / "full", d / "link")
    env = {"VIGIL_TEST_COND": "on"}
    runs = {
        "path": [f"ConditionPathExists={d}/full", f"ConditionPathExists=!{d}/missing"],
        "glob": [f"ConditionPathExistsGlob={d}/fu*"],
        "dir": [f"ConditionPathIsDirectory={d}/sub", f"ConditionDirectoryNotEmpty={d}"],
        "link": [f"ConditionPathIsSymbolicLink={d}/link", f"ConditionFileNotEmpty={d}/full"],
        "exe": ["ConditionFileIsExecutable=/bin/sh", "ConditionPathIsMountPoint=/proc",
                "ConditionPathIsReadWrite=/tmp"],
        "env": ["ConditionEnvironment=VIGIL_TEST_COND=on", "ConditionEnvironment=VIGIL_TEST_COND"],
        "arch": [f"ConditionArchitecture={ARCH}", "ConditionUser=root", "ConditionGroup=0",
                 "ConditionCapability=CAP_KILL", "ConditionHost=!no-such-host-*", "ConditionACPower=true"],
        "trigger": [f"ConditionPathExists=|{d}/missing", f"ConditionPathExists=|{d}/full"],
    }
    skips = {
        "nopath": [f"ConditionPathExists={d}/missing"],
        "notempty": [f"ConditionFileNotEmpty={d}/empty"],
        "noenv": ["ConditionEnvironment=VIGIL_TEST_COND=off"],
        "notrigger": [f"ConditionPathExists=|{d}/missing", f"ConditionPathExists=|{d}/missing2"],
        "cmdline": ["ConditionKernelCommandLine=vigil.no-such-word"],
        "notuser": ["ConditionUser=!root"],
        "virt": ["ConditionVirtualization=no-such-virt"],
    }
    outs = {n: touch_unit(units, n, *lines) for n, lines in {**runs, **skips}.items()}
    run = units.start(env=env)
    for n in runs:
        wait_until(run, lambda n=n: os.path.exists(outs[n]), f"{n} to start")
    wait_until(run, lambda: all(stderr_lines(run, f"{n}.service", "not met, skipping") for n in skips),
               "every skip to be logged")
    for n in skips:
        assert not os.path.exists(outs[n]), f"{n} ran"
        st = vigil.ctl("status", f"{n}.service").stdout
        assert "failed" not in st and "running" not in st, f"{n} is skipped, not failed:\n{st}"
    assert len(stderr_lines(run, "nopath.service", f"ConditionPathExists={d}/missing not met")) == 1
    stop_vigil(run)


def test_a_failed_assert_fails_the_unit_and_dependents_see_it(units, vigil):
    units.add("asserted", unit_text("[Unit]", f"AssertPathExists={vigil.tmp}/missing",
                                    "[Service]", "ExecStart=/bin/sleep 100"))
    ok = touch_unit(units, "other")
    run = units.start()
    wait_until(run, lambda: os.path.exists(ok), "the other unit")
    wait_until(run, lambda: stderr_lines(run, "asserted.service", "AssertPathExists=", "failed"), "the assert line")
    status = vigil.ctl("status", "asserted.service")
    assert "failed" in status.stdout, status.stdout
    stop_vigil(run)


def test_bad_condition_values_refused_with_file_and_line(units, vigil):
    path = units.add("bad", unit_text("[Unit]", "ConditionPathExists=relative", "AssertCapability=CAP_NOPE",
                                      "ConditionFirstBoot=sometimes", "ConditionNeedsUpdate=/usr",
                                      "[Service]", "ExecStart=/bin/true"))
    ok = touch_unit(units, "good")
    run = units.start()
    wait_until(run, lambda: os.path.exists(ok), "the good unit")
    stop_vigil(run)
    for line, key in ((2, "ConditionPathExists=relative"), (3, "AssertCapability=CAP_NOPE"),
                      (4, "ConditionFirstBoot=sometimes"), (5, "ConditionNeedsUpdate=/usr")):
        assert stderr_lines(run, f"{path}:{line}", key), f"{key}:\n{run.stderr}"
