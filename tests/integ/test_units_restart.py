"""Restart= exactly as systemd (SPEC §4), and what limits it (issue 3).

Every cell of the Restart= table, the three exit-status override keys, start
limits and StartLimitAction=, FailureAction=/SuccessAction= exit codes, the
back-off (RestartSec=, RestartSteps=, RestartMaxDelaySec=) and RestartSec=0.

A unit's process appends a line ("PID TIME") to its own file each time it
starts; that count is the observation. A unit that must not restart has to
have exactly one start after a generous wait (RestartSec=0, so a wrong
restart would show at once); one that must restart reaches two. The first
start ends the way the test wants (exit code, signal, start timeout...);
every later start stays up, so a restarting unit settles at exactly two
starts and the shutdown (a stop by the user, which never restarts) can be
checked not to add any.

Both modes (pid1, subreaper) run every test of the table and the exit-status
keys: each test starts one vigil with all the units of a row at once, so a
row costs about a second. The pure timing tests (start limits, RestartSec=,
back-off) run as pid1 only: tests/sim proves those rules to the microsecond.
"""
import collections
import time

import pytest

from harness import count_lines, stop_vigil, unit_text, wait_until

RESTART_MODES = ("no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog")

# SPEC §4 / systemd.service(5), Table 2: which Restart= values restart, per exit cause.
RESTARTS = {
    "clean exit code": {"always", "on-success"},
    "clean signal": {"always", "on-success"},
    "unclean exit code": {"always", "on-failure"},
    "unclean signal": {"always", "on-failure", "on-abnormal", "on-abort"},
    "timeout": {"always", "on-failure", "on-abnormal"},
    "watchdog": {"always", "on-failure", "on-abnormal", "on-watchdog"},
}

# cause COUNT CAUSE [PIDFILE]: the first start ends by CAUSE, every later one stays up.
#   exit-N       exit N
#   sig-NAME     killed by signal NAME (its default action restored first)
#   hang         never ends by itself (for WatchdogSec=)
#   fork-hang    Type=forking whose parent never exits (TimeoutStartSec=); later
#                starts daemonize properly: a child in the background, PIDFILE, exit 0
CAUSE_SCRIPT = """
    count=$1 cause=$2 pidfile=$3
    echo "$$ $(date +%s.%N)" >> "$count"
    if [ "$(wc -l < "$count")" -gt 1 ]; then
            if [ "$cause" = fork-hang ]; then
                    sleep 30 &
                    echo $! > "$pidfile"
                    exit 0
            fi
            exec sleep 30
    fi
    case $cause in
    exit-*) exit "${cause#exit-}" ;;
    sig-*)  s=${cause#sig-}; trap - "$s"; kill -s "$s" $$; sleep 5; exit 99 ;;
    hang|fork-hang) exec sleep 30 ;;
    esac
    exit 98
"""

# How each row of the table is produced.
ROW = {
    "clean exit code": dict(cause="exit-0"),
    "clean signal": dict(cause="sig-TERM"),
    "unclean exit code": dict(cause="exit-3"),
    "unclean signal": dict(cause="sig-KILL"),
    # Type=oneshot may not have Restart=always/on-success (systemd refuses
    # the unit), so the start timeout row uses Type=forking, whose start
    # times out the same way (result "timeout").
    "timeout": dict(cause="fork-hang", lines=("Type=forking", "TimeoutStartSec=500ms")),
    "watchdog": dict(cause="hang", lines=("WatchdogSec=300ms",)),
}

Cell = collections.namedtuple("Cell", "name cause lines restarts exact unit_lines", defaults=((), None, True, ()))


def run_cells(units, cells, wait=5.0, settle=0.7, options=()):
    """Start one vigil with a unit per cell; check each unit's start count.

    Restarting cells must reach 2 starts (exactly 2 when exact), the others
    stay at exactly 1 for `settle` s after every restarting cell restarted.
    Then stop vigil and check that the stop restarted nothing.
    """
    assert any(c.restarts for c in cells), "a row needs a restarting cell to know when the causes have happened"
    script = units.script("cause", CAUSE_SCRIPT)
    for c in cells:
        units.add(c.name, unit_text(
            "[Unit]",
            "StartLimitIntervalSec=0",
            *c.unit_lines,
            "[Service]",
            f"ExecStart={script} {units.file(c.name + '.starts')} {c.cause} {units.file(c.name + '.pid')}",
            f"PIDFile={units.file(c.name + '.pid')}" if "Type=forking" in c.lines else None,
            "RestartSec=0",
            *c.lines))

    def counts():
        return {c.name: count_lines(units.file(c.name + ".starts")) for c in cells}

    def table(got):
        return "\n".join(f"  {c.name:28} {got[c.name]} starts, expected {'2' if c.restarts else '1'}"
                         f"{'' if c.exact or not c.restarts else ' or more'}" for c in cells)

    run = units.start(*options)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and run.running():
        got = counts()
        if all(got[c.name] >= (2 if c.restarts else 1) for c in cells):
            break
        time.sleep(0.02)
    time.sleep(settle)
    got = counts()
    wrong = [c for c in cells
             if (got[c.name] != 1 if not c.restarts else (got[c.name] != 2 if c.exact else got[c.name] < 2))]
    assert not wrong, (f"wrong restarts for {[c.name for c in wrong]}:\n{table(got)}\n"
                       f"vigil {'running' if run.running() else f'exited {run.returncode}'}; stderr:\n{run.stderr}")
    stop_vigil(run)
    after = counts()
    grew = [c.name for c in cells if c.exact and after[c.name] != got[c.name]]
    assert not grew, f"a stop by the user restarted {grew}:\n{table(after)}"
    return run


@pytest.mark.parametrize("row", [
    "clean exit code",
    "clean signal",
    "unclean exit code",
    "unclean signal",
    "timeout",
    "watchdog",
])
def test_restart_table_row(units, row):
    spec = ROW[row]
    cells = [Cell(f"r-{mode}", spec["cause"], spec.get("lines", ()), mode in RESTARTS[row],
                  exact=row != "watchdog")  # a watchdog kills the later starts too
             for mode in RESTART_MODES]
    cells = [c._replace(lines=(*c.lines, f"Restart={c.name[2:]}")) for c in cells]
    run_cells(units, cells, wait=3 if row == "watchdog" else 5)


def test_every_clean_signal_is_clean_and_other_signals_are_not(units):
    # Clean: SIGHUP, SIGINT, SIGTERM, SIGPIPE (SPEC §4). Unclean: any other
    # (USR1, ALRM: no core dump either way; KILL is in the table test).
    cells = []
    for sig in ("HUP", "INT", "TERM", "PIPE"):
        cells += [Cell(f"clean-{sig}-on-success", f"sig-{sig}", ("Restart=on-success",), True),
                  Cell(f"clean-{sig}-on-failure", f"sig-{sig}", ("Restart=on-failure",), False)]
    for sig in ("USR1", "ALRM"):
        cells += [Cell(f"unclean-{sig}-on-abort", f"sig-{sig}", ("Restart=on-abort",), True),
                  Cell(f"unclean-{sig}-on-success", f"sig-{sig}", ("Restart=on-success",), False)]
    run_cells(units, cells)


def test_success_exit_status_adds_clean_codes_and_signals(units):
    success = "SuccessExitStatus=3 SIGUSR1"
    run_cells(units, [
        Cell("code-on-success", "exit-3", (success, "Restart=on-success"), True),
        Cell("code-on-failure", "exit-3", (success, "Restart=on-failure"), False),
        Cell("signal-on-success", "sig-USR1", (success, "Restart=on-success"), True),
        Cell("signal-on-failure", "sig-USR1", (success, "Restart=on-failure"), False),
        Cell("signal-on-abort", "sig-USR1", (success, "Restart=on-abort"), False),
        # Other codes are failures still, and 0 stays clean.
        Cell("other-code", "exit-4", (success, "Restart=on-failure"), True),
        Cell("zero", "exit-0", (success, "Restart=on-success"), True),
    ])


def test_restart_prevent_exit_status_wins_over_restart(units):
    prevent = "RestartPreventExitStatus=3 SIGUSR1"
    run_cells(units, [
        Cell("code-always", "exit-3", (prevent, "Restart=always"), False),
        Cell("code-on-failure", "exit-3", (prevent, "Restart=on-failure"), False),
        Cell("signal-always", "sig-USR1", (prevent, "Restart=always"), False),
        Cell("signal-on-abort", "sig-USR1", (prevent, "Restart=on-abort"), False),
        Cell("other-code", "exit-4", (prevent, "Restart=always"), True),
        Cell("other-signal", "sig-USR2", (prevent, "Restart=always"), True),
        # It also wins over RestartForceExitStatus= (systemd checks it first).
        Cell("prevent-and-force", "exit-3", (prevent, "RestartForceExitStatus=3", "Restart=always"), False),
    ])


def test_restart_force_exit_status_restarts_whatever_restart_says(units):
    force = "RestartForceExitStatus=3 SIGUSR1"
    run_cells(units, [
        Cell("code-no", "exit-3", (force, "Restart=no"), True),
        Cell("code-on-success", "exit-3", (force, "Restart=on-success"), True),
        Cell("signal-no", "sig-USR1", (force, "Restart=no"), True),
        Cell("signal-on-success", "sig-USR1", (force, "Restart=on-success"), True),
        Cell("other-code", "exit-4", (force, "Restart=no"), False),
        Cell("other-signal", "sig-USR2", (force, "Restart=no"), False),
        Cell("clean-forced", "exit-0", ("RestartForceExitStatus=0", "Restart=on-failure"), True),
    ])


# ---------------------------------------------------------------- start limits

CRASH_SCRIPT = """
    # crash COUNT CODE [N]: record the start, then exit CODE; from the N-th start on, stay up
    echo "$$ $(date +%s.%N)" >> "$1"
    if [ -n "$3" ] && [ "$(wc -l < "$1")" -ge "$3" ]; then exec sleep 30; fi
    exit "$2"
"""


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_start_limit_burst_stops_restarts_after_exactly_burst_starts(units):
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("crashy", unit_text(
        "[Unit]", "StartLimitIntervalSec=10s", "StartLimitBurst=3",
        "[Service]", f"ExecStart={crash} {starts} 1", "Restart=always", "RestartSec=0"))
    run = units.start()
    wait_until(run, lambda: count_lines(starts) >= 3, "three starts")
    time.sleep(1.0)
    assert count_lines(starts) == 3, f"StartLimitBurst=3: {count_lines(starts)} starts\n{run.stderr}"
    assert run.running(), f"StartLimitAction=none (the default) does not stop vigil:\n{run.stderr}"
    stop_vigil(run)


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_default_start_limit_is_5_starts(units):
    # Defaults: RestartSec=100ms, StartLimitBurst=5 in StartLimitIntervalSec=10s.
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("crashy", unit_text("[Service]", f"ExecStart={crash} {starts} 1", "Restart=always"))
    run = units.start()
    wait_until(run, lambda: count_lines(starts) >= 5, "five starts")
    time.sleep(1.0)
    assert count_lines(starts) == 5, f"default StartLimitBurst=5: {count_lines(starts)} starts\n{run.stderr}"
    gaps = _gaps(starts)
    assert min(gaps) >= 0.07, f"the default RestartSec= is 100ms; gaps between starts: {gaps}"
    stop_vigil(run)


@pytest.mark.parametrize("action,code,expected", [
    ("exit", 0, 1),        # a failure never yields 0
    ("exit", 7, 7),        # the unit's last main-process status
    ("exit-force", 7, 7),
    ("reboot", 0, 1),      # reboot*: always non-zero
    ("reboot-force", 7, 7),
    ("poweroff", 7, 7),    # poweroff* for a failure: as exit
])
def test_start_limit_action_shuts_vigil_down_with_the_contract_code(units, action, code, expected):
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("crashy", unit_text(
        "[Unit]", "StartLimitIntervalSec=10s", "StartLimitBurst=3", f"StartLimitAction={action}",
        "[Service]", f"ExecStart={crash} {starts} {code}", "Restart=always", "RestartSec=0"))
    run = units.start()
    status = run.wait(10)
    assert status == expected, f"StartLimitAction={action} after exits with {code}: vigil {status}\n{run.stderr}"
    assert count_lines(starts) == 3


def test_start_limit_action_stops_a_running_main_command_and_its_code_wins(units):
    crash = units.script("crash", CRASH_SCRIPT)
    starts, other = units.file("starts"), units.file("other")
    units.add("crashy", unit_text(
        "[Unit]", "StartLimitIntervalSec=10s", "StartLimitBurst=3", "StartLimitAction=exit",
        "[Service]", f"ExecStart={crash} {starts} 7", "Restart=always", "RestartSec=0"))
    units.add("bystander", unit_text("[Service]", f"ExecStart={crash} {other} 0 1"))
    t0 = time.monotonic()
    run = units.start(cmd=["sleep", "30"])
    status = run.wait(15)
    assert status == 7, f"the action's code wins over the stopped CMD's:\n{run.stderr}"
    assert time.monotonic() - t0 < 8, "CMD (sleep 30) was stopped, not waited for"
    assert count_lines(starts) == 3


# ---------------------------------------------------------------- FailureAction= / SuccessAction=

@pytest.mark.parametrize("action,cause,expected", [
    ("FailureAction=exit", "exit-5", 5),
    ("FailureAction=exit", "sig-KILL", 137),
    ("FailureAction=exit", "sig-USR1", 138),
    ("FailureAction=exit-force", "exit-5", 5),
    ("FailureAction=reboot", "exit-5", 5),
    ("FailureAction=poweroff", "exit-5", 5),
    ("SuccessAction=exit", "exit-0", 0),
    ("SuccessAction=exit-force", "exit-0", 0),
    ("SuccessAction=reboot", "exit-0", 1),      # reboot*: never 0
    ("SuccessAction=poweroff", "exit-0", 0),
    ("SuccessAction=exit", "sig-TERM", 143),    # a clean signal is a success; status 128+15
])
def test_failure_and_success_actions_exit_with_the_contract_code(units, action, cause, expected):
    script = units.script("cause", CAUSE_SCRIPT)
    units.add("act", unit_text("[Unit]", action, "[Service]", f"ExecStart={script} {units.file('starts')} {cause}"))
    run = units.start()
    status = run.wait(10)
    assert status == expected, f"{action} after {cause}: vigil exited {status}\n{run.stderr}"
    assert count_lines(units.file("starts")) == 1


def test_success_action_exits_with_a_success_exit_status_code(units):
    # SuccessExitStatus=3 makes exit 3 a success; exit's code is still the unit's status.
    script = units.script("cause", CAUSE_SCRIPT)
    units.add("act", unit_text("[Unit]", "SuccessAction=exit",
                               "[Service]", f"ExecStart={script} {units.file('starts')} exit-3",
                               "SuccessExitStatus=3"))
    run = units.start()
    assert run.wait(10) == 3, run.stderr


def test_actions_that_do_not_apply_leave_vigil_running(units):
    script = units.script("cause", CAUSE_SCRIPT)
    cases = {
        "fail-action-success": ("FailureAction=exit", "exit-0"),
        "success-action-failure": ("SuccessAction=exit", "exit-5"),
        "action-none": ("FailureAction=none", "exit-5"),
    }
    for name, (action, cause) in cases.items():
        units.add(name, unit_text("[Unit]", action, "[Service]",
                                  f"ExecStart={script} {units.file(name)} {cause}"))
    run = units.start()
    wait_until(run, lambda: all(count_lines(units.file(n)) == 1 for n in cases), "every unit to run")
    time.sleep(0.7)
    assert run.running(), f"vigil exited ({run.returncode}) on an action that does not apply:\n{run.stderr}"
    stop_vigil(run)


def test_failure_action_waits_until_restarts_are_exhausted(units):
    # Restart=on-failure puts the unit in auto-restart, not failed: the
    # FailureAction= runs only when the start limit makes it fail.
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("crashy", unit_text(
        "[Unit]", "StartLimitIntervalSec=10s", "StartLimitBurst=3", "FailureAction=exit",
        "[Service]", f"ExecStart={crash} {starts} 5", "Restart=on-failure", "RestartSec=0"))
    run = units.start()
    status = run.wait(10)
    assert status == 5, run.stderr
    assert count_lines(starts) == 3, "FailureAction= ran before the restarts were exhausted"


def test_failure_action_stops_a_running_main_command(units):
    script = units.script("cause", CAUSE_SCRIPT)
    units.add("act", unit_text("[Unit]", "FailureAction=exit",
                               "[Service]", f"ExecStart={script} {units.file('starts')} exit-5"))
    t0 = time.monotonic()
    run = units.start(cmd=["sleep", "30"])
    status = run.wait(15)
    assert status == 5, f"the action's code wins over CMD's:\n{run.stderr}"
    assert time.monotonic() - t0 < 8


# ---------------------------------------------------------------- RestartSec= and back-off

def _gaps(path):
    t = [float(line.split()[1]) for line in open(path) if line.strip()]
    return [b - a for a, b in zip(t, t[1:])]


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_restart_sec_delays_each_restart(units):
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("slow", unit_text(
        "[Unit]", "StartLimitIntervalSec=0",
        "[Service]", f"ExecStart={crash} {starts} 1 3", "Restart=on-failure", "RestartSec=300ms"))
    run = units.start()
    wait_until(run, lambda: count_lines(starts) >= 3, "three starts")
    gaps = _gaps(starts)
    assert all(0.28 <= g < 0.3 + 0.4 for g in gaps), f"RestartSec=300ms: gaps {gaps}"
    stop_vigil(run)


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_backoff_grows_to_restart_max_delay_and_stays_there(units):
    # systemd's service_restart_usec_next(): the n-th restart waits
    # RestartSec * (Max/RestartSec)^((n-1)/Steps) for n <= Steps, then Max:
    # 100 ms, 200 ms, 400 ms, then 800 ms, 800 ms.
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("backoff", unit_text(
        "[Unit]", "StartLimitIntervalSec=0",
        "[Service]", f"ExecStart={crash} {starts} 1 6", "Restart=on-failure",
        "RestartSec=100ms", "RestartSteps=3", "RestartMaxDelaySec=800ms"))
    run = units.start()
    wait_until(run, lambda: count_lines(starts) >= 6, "six starts", timeout=15)
    gaps = _gaps(starts)
    expected = [0.1, 0.2, 0.4, 0.8, 0.8]
    shown = ", ".join(f"{g * 1000:.0f}" for g in gaps)
    for g, e in zip(gaps, expected):
        assert e - 0.03 <= g <= e + 0.35, f"gaps (ms) {shown}; expected about 100, 200, 400, 800, 800"
    assert gaps[0] < gaps[1] < gaps[2] < gaps[3], f"the delay must grow: {shown}"
    assert max(gaps[3:]) <= 0.8 + 0.35, f"the delay must stay at RestartMaxDelaySec=800ms: {shown}"
    time.sleep(0.5)
    assert count_lines(starts) == 6, "the sixth start stays up"
    stop_vigil(run)


@pytest.mark.pid1_only  # a pure timing rule: tests/sim proves it, the pid1 run is the real-time check
def test_restart_sec_0_restarts_at_once(units):
    # No hidden throttle (runit's and s6's 1 s): 20 restarts back to back.
    crash = units.script("crash", CRASH_SCRIPT)
    starts = units.file("starts")
    units.add("fast", unit_text(
        "[Unit]", "StartLimitIntervalSec=0",
        "[Service]", f"ExecStart={crash} {starts} 1 21", "Restart=always", "RestartSec=0"))
    run = units.start()
    wait_until(run, lambda: count_lines(starts) >= 21, "21 starts")
    gaps = sorted(_gaps(starts))
    median = gaps[len(gaps) // 2]
    # Each gap is a fork, an exec of sh and the script: tens of ms on an idle
    # machine, more under load; tests/sim proves the delay itself is zero.
    assert median < 0.3, f"RestartSec=0: median gap {median * 1000:.1f} ms (all: {gaps})"
    assert gaps[-1] < 0.9, f"RestartSec=0: a gap of {gaps[-1]:.2f} s looks like a throttle"
    stop_vigil(run)
