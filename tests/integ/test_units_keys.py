"""More of systemd's keys (issue 15, point 6): the sandboxing settings vigil
does not enforce are known, one summary line per unit instead of a warning
per line; UnsetEnvironment=, PassEnvironment=, StandardInput=null and
DefaultDependencies= with systemd's meaning, seen from the unit's process
(StandardInput=tty: test_units_relations.py)."""
import os

from harness import read_lines, stderr_lines, stop_vigil, unit_text, wait_until


def test_sandboxing_keys_one_summary_line(units, vigil):
    out = units.file("ran")
    path = units.add("hardened", unit_text(
        "[Unit]", "DefaultDependencies=no",
        "[Service]", f"ExecStart=/bin/sh -c 'touch {out}; exec sleep 100'",
        "ProtectSystem=strict", "PrivateTmp=yes", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "SystemCallFilter=@system-service", "PrivateTmp=yes", "OOMScoreAdjust=-500", "NoNewPrivileges=yes"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(out), "the unit to run")
    stop_vigil(run)
    lines = stderr_lines(run, str(path))
    assert len(lines) == 2, "\n".join(lines)
    assert any("4 sandboxing settings not enforced: ProtectSystem, PrivateTmp, CapabilityBoundingSet, "
               "SystemCallFilter" in l for l in lines), lines
    assert any("1 settings known but not applied: OOMScoreAdjust" in l for l in lines), lines


def test_unset_and_pass_environment_and_standard_input(units, vigil):
    out = units.file("env")
    units.add("env", unit_text(
        "[Service]", f"ExecStart=/bin/sh -c 'env > {out}.tmp; cat >> {out}.tmp; mv {out}.tmp {out}; exec sleep 100'",
        "Environment=KEEP=1 DROP=2 ONLY=a", "UnsetEnvironment=DROP ONLY=b VIGIL_TEST_OUTER",
        "PassEnvironment=VIGIL_TEST_OUTER", "StandardInput=null"))
    run = units.start(env={"VIGIL_TEST_OUTER": "x"})
    wait_until(run, lambda: read_lines(out), "the unit's environment")
    env = dict(l.split("=", 1) for l in read_lines(out) if "=" in l)
    assert env.get("KEEP") == "1" and "DROP" not in env, env
    assert env.get("ONLY") == "a", "NAME=VALUE unsets only that exact assignment"
    assert "VIGIL_TEST_OUTER" not in env, "UnsetEnvironment= applies to the inherited environment too"
    stop_vigil(run)


def test_send_sighup_follows_the_kill_signal(units, vigil):
    ready, out = units.file("ready"), units.file("signals")
    body = f"""
        trap 'echo TERM >> {out}' TERM
        trap 'echo HUP >> {out}' HUP
        touch {ready}
        while [ "$(wc -l < {out} 2>/dev/null || echo 0)" -lt 2 ]; do sleep 0.05; done
        """
    units.add("hup", unit_text("[Service]", f"ExecStart={units.script('hup', body)}", "SendSIGHUP=yes",
                               "KillMode=process", "TimeoutStopSec=20"))
    run = units.start()
    wait_until(run, lambda: os.path.exists(ready), "the traps to be set")
    stop_vigil(run)
    # Both arrive at once; the shell runs pending traps in signal-number order.
    assert sorted(read_lines(out)) == ["HUP", "TERM"], read_lines(out)
