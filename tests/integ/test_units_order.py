"""Start and stop order, parallelism, dependencies, and the main command (issue 3).

Units record "start"/"end"/"stop..." lines with `date +%s.%N` timestamps
(the realtime clock, shared by every process and the test, also across the
PID namespace). A unit that must wait for another is named so that it sorts
first, so a loader that starts units in directory order cannot pass by luck.
"""
import time

import pytest

from harness import count_lines, read_lines, stamps, stop_vigil, unit_text, wait_until

# job LOG SECONDS [stay]: "start TIME PID", sleep, "end TIME PID"; with "stay", then sleep 30.
JOB = """
    echo "start $(date +%s.%N) $$" >> "$1"
    sleep "$2"
    echo "end $(date +%s.%N) $$" >> "$1"
    if [ "$3" = stay ]; then exec sleep 30; fi
    exit 0
"""

# stamp LOG WORD: "WORD TIME PID" (the pid of this short-lived process)
STAMP = """
    echo "$2 $(date +%s.%N) $$" >> "$1"
"""


def one(path, word):
    got = stamps(path, word)
    assert len(got) == 1, f"{path}: expected one '{word}' line, got {read_lines(path)}"
    return got[0]


def test_after_waits_for_a_oneshot_to_finish(units):
    job = units.script("job", JOB)
    units.add("zulu", unit_text("[Service]", "Type=oneshot", f"ExecStart={job} {units.file('zulu')} 0.3"))
    units.add("alpha", unit_text("[Unit]", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('alpha')} 0 stay"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "alpha to start")
    assert one(units.file("alpha"), "start") >= one(units.file("zulu"), "end"), \
        f"alpha (After=zulu) started before the oneshot zulu finished:\n{run.stderr}"
    stop_vigil(run)


def test_after_chain_runs_in_order(units):
    job = units.script("job", JOB)
    # c1 After=c2 After=c3: c3 first, c1 last (reverse of directory order).
    units.add("c3", unit_text("[Service]", "Type=oneshot", f"ExecStart={job} {units.file('c3')} 0.2"))
    units.add("c2", unit_text("[Unit]", "After=c3.service",
                              "[Service]", "Type=oneshot", f"ExecStart={job} {units.file('c2')} 0.2"))
    units.add("c1", unit_text("[Unit]", "After=c2.service",
                              "[Service]", "Type=oneshot", f"ExecStart={job} {units.file('c1')} 0.2"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("c1"), "end"), "the chain to finish")
    assert one(units.file("c2"), "start") >= one(units.file("c3"), "end")
    assert one(units.file("c1"), "start") >= one(units.file("c2"), "end")
    stop_vigil(run)


def test_before_is_after_seen_from_the_other_side(units):
    job = units.script("job", JOB)
    units.add("zz-first", unit_text("[Unit]", "Before=aa-second.service",
                                    "[Service]", "Type=oneshot", f"ExecStart={job} {units.file('first')} 0.3"))
    units.add("aa-second", unit_text("[Service]", f"ExecStart={job} {units.file('second')} 0 stay"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("second"), "start"), "aa-second to start")
    assert one(units.file("second"), "start") >= one(units.file("first"), "end"), run.stderr
    stop_vigil(run)


def test_a_simple_unit_is_up_once_spawned(units):
    # After= a Type=simple unit waits for its spawn, not for its end.
    job = units.script("job", JOB)
    units.add("zulu", unit_text("[Service]", f"ExecStart={job} {units.file('zulu')} 30"))
    units.add("alpha", unit_text("[Unit]", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('alpha')} 0 stay"))
    run = units.start()
    # alpha may begin before zulu's script has written anything: zulu is up once forked.
    wait_until(run, lambda: stamps(units.file("alpha"), "start") and stamps(units.file("zulu"), "start"),
               "alpha to start while zulu runs")
    assert not stamps(units.file("zulu"), "end")
    stop_vigil(run)


FORKING = """
    # forking PIDFILE LOG DELAY: the parent takes DELAY s, starts a daemon, writes PIDFILE, exits
    sleep "$3"
    sleep 30 &
    echo $! > "$1.tmp"
    mv "$1.tmp" "$1"
    echo "parent-exit $(date +%s.%N) $$" >> "$2"
    exit 0
"""


def test_a_forking_unit_is_up_when_its_parent_has_exited(units):
    job = units.script("job", JOB)
    forking = units.script("forking", FORKING)
    pidfile, log = units.file("zulu.pid"), units.file("zulu")
    units.add("zulu", unit_text("[Service]", "Type=forking", f"PIDFile={pidfile}",
                                f"ExecStart={forking} {pidfile} {log} 0.3"))
    units.add("alpha", unit_text("[Unit]", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('alpha')} 0 stay"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "alpha to start")
    assert one(units.file("alpha"), "start") >= one(log, "parent-exit"), run.stderr
    stop_vigil(run)


NOTIFY = """
    # notify LOG: after 0.3 s, "ready" and READY=1 from the main process itself
    import os, socket, sys, time
    log = sys.argv[1]
    time.sleep(0.3)
    with open(log, "a") as f:
        f.write(f"ready {time.time():.6f} {os.getpid()}\\n")
    try:
        addr = os.environ["NOTIFY_SOCKET"]
        if addr.startswith("@"):
            addr = "\\0" + addr[1:]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect(addr)
        s.send(b"READY=1")
    except (KeyError, OSError) as e:
        os.unlink(log)
        sys.exit(f"no READY=1: {e!r}")
    time.sleep(30)
"""


def test_a_notify_unit_is_up_at_ready(units):
    job = units.script("job", JOB)
    notify = units.script("notify", NOTIFY, interpreter="/usr/bin/python3")
    units.add("zulu", unit_text("[Service]", "Type=notify", f"ExecStart={notify} {units.file('zulu')}"))
    units.add("alpha", unit_text("[Unit]", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('alpha')} 0 stay"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("alpha"), "start"), "alpha to start", timeout=5)
    assert one(units.file("alpha"), "start") >= one(units.file("zulu"), "ready"), run.stderr
    stop_vigil(run)


def test_a_dependency_cycle_is_reported_once_and_every_member_starts(units):
    job = units.script("job", JOB)
    names = ("cyc-alpha", "cyc-bravo", "cyc-charlie")
    for name, after in zip(names, names[1:] + names[:1]):
        units.add(name, unit_text("[Unit]", f"After={after}.service",
                                  "[Service]", f"ExecStart={job} {units.file(name)} 0 stay"))
    units.add("bystander", unit_text("[Service]", f"ExecStart={job} {units.file('bystander')} 0 stay"))
    lines = []
    for attempt in range(2):  # broken deterministically: the same report twice
        for name in (*names, "bystander"):
            path = units.file(name)
            if count_lines(path):
                open(path, "w").close()
        run = units.start()
        wait_until(run, lambda: all(stamps(units.file(n), "start") for n in (*names, "bystander")),
                   "every member of the cycle to start")
        cycle = [line for line in run.stderr.splitlines() if "cycle" in line.lower()]
        assert len(cycle) == 1, f"one line about the cycle expected:\n{run.stderr}"
        assert all(n in cycle[0] for n in names), f"the cycle line names every member: {cycle[0]}"
        assert "bystander" not in cycle[0]
        lines.append(cycle[0])
        stop_vigil(run)
    assert lines[0] == lines[1], f"the cycle is not reported (broken) the same way twice: {lines}"


def test_independent_oneshots_run_in_parallel_and_cmd_waits_for_them(units):
    job = units.script("job", JOB)
    n = 10
    for i in range(n):
        units.add(f"par{i}", unit_text("[Service]", "Type=oneshot", f"ExecStart={job} {units.file(f'par{i}')} 0.3"))
    run = units.start(cmd=units.wait_cmd())
    assert run.wait(20) == 0, run.stderr
    starts = [one(units.file(f"par{i}"), "start") for i in range(n)]
    ends = [one(units.file(f"par{i}"), "end") for i in range(n)]
    total = max(ends) - min(starts)
    assert total < 1.5, f"{n} independent oneshots of 0.3 s took {total:.2f} s: not in parallel"
    assert max(starts) < min(ends), "some oneshot started only after another had finished"
    assert units.cmd_end() >= max(ends), "CMD started before every oneshot had finished"


STOP_SLOW_TRAP = """
    # slow-term LOG UP: on SIGTERM take 0.3 s ("stop-begin", "stop-end"), then exit
    trap 'trap "" TERM; echo "stop-begin $(date +%s.%N)" >> "$1"; sleep 0.3; echo "stop-end $(date +%s.%N)" >> "$1"; exit 0' TERM
    touch "$2"
    while :; do sleep 0.05; done
"""

# up MARKER: create MARKER, stay up
UP = """
    touch "$1"
    exec sleep 30
"""

# slow-stop LOG: an ExecStop= of 0.3 s
STOP_SLOW_EXEC = """
    echo "stop-begin $(date +%s.%N)" >> "$1"
    sleep 0.3
    echo "stop-end $(date +%s.%N)" >> "$1"
"""


@pytest.mark.parametrize("how", ["ExecStop", "SIGTERM-handler"])
def test_independent_units_stop_in_parallel(units, how):
    n = 10
    trap = units.script("slow-term", STOP_SLOW_TRAP)
    up = units.script("up", UP)
    slow_stop = units.script("slow-stop", STOP_SLOW_EXEC)
    markers = []
    for i in range(n):
        log, marker = units.file(f"s{i}"), units.file(f"s{i}.up")
        markers.append(marker)
        if how == "ExecStop":
            units.add(f"s{i}", unit_text("[Service]", f"ExecStart={up} {marker}", f"ExecStop={slow_stop} {log}"))
        else:
            units.add(f"s{i}", unit_text("[Service]", f"ExecStart={trap} {log} {marker}"))
    run = units.start(cmd=units.wait_cmd(*markers))
    status, _ = run.wait_timed(20)
    exited = time.time()
    assert status == 0, run.stderr
    begins = [one(units.file(f"s{i}"), "stop-begin") for i in range(n)]
    ends = [one(units.file(f"s{i}"), "stop-end") for i in range(n)]
    took = exited - units.cmd_end()
    assert max(begins) < min(ends), "some unit began to stop only after another had stopped"
    assert 0.3 <= took < 1.5, f"{n} stops of 0.3 s took {took:.2f} s after CMD exited"


def test_units_stop_in_reverse_order(units):
    up = units.script("up", UP)
    slow_stop = units.script("slow-stop", STOP_SLOW_EXEC)
    # alpha After=zulu: zulu starts first, so alpha stops first.
    units.add("zulu", unit_text("[Service]", f"ExecStart={up} {units.file('zulu.up')}",
                                f"ExecStop={slow_stop} {units.file('zulu')}"))
    units.add("alpha", unit_text("[Unit]", "After=zulu.service",
                                 "[Service]", f"ExecStart={up} {units.file('alpha.up')}",
                                 f"ExecStop={slow_stop} {units.file('alpha')}"))
    run = units.start(cmd=units.wait_cmd(units.file("zulu.up"), units.file("alpha.up")))
    assert run.wait(20) == 0, run.stderr
    assert one(units.file("zulu"), "stop-begin") >= one(units.file("alpha"), "stop-end"), \
        "zulu stopped before alpha, which is ordered after it, had stopped"


def test_requires_with_after_on_a_failed_oneshot_keeps_the_dependent_from_starting(units):
    job = units.script("job", JOB)
    stamp = units.script("stamp", STAMP)
    fail = units.script("fail", """
        echo "ran $(date +%s.%N)" >> "$1"
        exit 1
    """)
    units.add("zulu", unit_text("[Service]", "Type=oneshot", f"ExecStart={fail} {units.file('zulu')}"))
    units.add("alpha", unit_text("[Unit]", "Requires=zulu.service", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('alpha')} 0 stay"))
    # Wants= is weak: the dependent starts anyway (after zulu is done).
    units.add("bravo", unit_text("[Unit]", "Wants=zulu.service", "After=zulu.service",
                                 "[Service]", f"ExecStart={job} {units.file('bravo')} 0 stay"))
    # A unit that needs nothing: unaffected.
    units.add("charlie", unit_text("[Service]", f"ExecStart={stamp} {units.file('charlie')} ran"))
    run = units.start()
    wait_until(run, lambda: stamps(units.file("zulu"), "ran") and stamps(units.file("bravo"), "start")
               and stamps(units.file("charlie"), "ran"), "zulu, bravo and charlie to run")
    time.sleep(0.7)
    assert not read_lines(units.file("alpha")), \
        f"alpha (Requires= + After= zulu) started although zulu failed:\n{run.stderr}"
    assert one(units.file("bravo"), "start") >= one(units.file("zulu"), "ran")
    stop_vigil(run)


def bound_pair(units):
    """zulu dies after 0.5 s; alpha (BindsTo= + After= zulu) records its ExecStop=."""
    stamp = units.script("stamp", STAMP)
    up = units.script("up", UP)
    die = units.script("die-later", """
        sleep 0.5
        exit 1
    """)
    units.add("zulu", unit_text("[Service]", f"ExecStart={die}"))
    units.add("alpha", unit_text("[Unit]", "BindsTo=zulu.service", "After=zulu.service",
                                 "[Service]", f"ExecStart={up} {units.file('alpha.up')}",
                                 f"ExecStop={stamp} {units.file('alpha')} stopped"))
    return stamp, up


def test_binds_to_stops_the_dependent_when_its_unit_goes_down(units):
    bound_pair(units)
    run = units.start()
    wait_until(run, lambda: count_lines(units.file("alpha")), "alpha to be stopped when zulu dies", timeout=5)
    assert run.running(), run.stderr
    stop_vigil(run)
    assert count_lines(units.file("alpha")) == 1, "alpha was stopped twice"


def test_part_of_follows_a_stop_of_its_unit(units):
    # zulu dies -> alpha (BindsTo=zulu) is stopped -> bravo (PartOf=alpha) is
    # stopped too; charlie, unrelated, keeps running until the shutdown.
    stamp, up = bound_pair(units)
    for name, dep in (("bravo", "PartOf=alpha.service"), ("charlie", None)):
        units.add(name, unit_text("[Unit]", dep, "After=alpha.service" if dep else None,
                                  "[Service]", f"ExecStart={up} {units.file(name + '.up')}",
                                  f"ExecStop={stamp} {units.file(name)} stopped"))
    run = units.start()
    wait_until(run, lambda: count_lines(units.file("bravo")), "bravo to be stopped with alpha", timeout=5)
    time.sleep(0.3)
    assert count_lines(units.file("alpha")) == 1
    assert count_lines(units.file("charlie")) == 0, "an unrelated unit was stopped"
    stop_vigil(run)
    assert count_lines(units.file("charlie")) == 1


def test_a_propagated_stop_keeps_after_order_in_reverse(vigil, units):
    # db <- app (BindsTo= + After= db) <- web (PartOf= + After= app): `vigilctl
    # stop db` stops web first, then app, then db, each once the one ordered
    # after it is gone (its ExecStopPost= ran), as systemd orders stop jobs.
    stamp = units.script("stamp", STAMP)
    slow = units.script("slow-stop", """
        echo "stop $(date +%s.%N) $$" >> "$1"
        sleep 0.3
    """)
    deps = {"db": (), "app": ("BindsTo=db.service", "After=db.service"),
            "web": ("PartOf=app.service", "After=app.service")}
    for name, lines in deps.items():
        units.add(name, unit_text("[Unit]", *lines, "[Service]", "ExecStart=/bin/sleep 1000",
                                  f"ExecStop={slow} {units.file(name)}",
                                  f"ExecStopPost={stamp} {units.file(name)} gone"))
    run = units.start()
    wait_until(run, lambda: vigil.ctl("check", "--ready").returncode == 0, "the three units up")
    r = vigil.ctl("stop", "db")
    assert r.returncode == 0, r.stdout + r.stderr
    assert one(units.file("app"), "stop") >= one(units.file("web"), "gone"), \
        f"app stopped before web (After=app) was gone:\n{run.stderr}"
    assert one(units.file("db"), "stop") >= one(units.file("app"), "gone"), \
        f"db stopped before app (After=db) was gone:\n{run.stderr}"
    assert "web.service: stopping, as app.service stops" in run.stderr
    stop_vigil(run)


# ---------------------------------------------------------------- the main command

def test_main_command_starts_after_oneshots_have_finished(units):
    marker = units.file("done")
    units.script("late", f"""
        sleep 0.3
        touch {marker}
    """)
    units.add("prep", unit_text("[Service]", "Type=oneshot", f"ExecStart={units.bin}/late"))
    run = units.start(cmd=["test", "-e", marker])
    assert run.wait(10) == 0, f"CMD ran before the oneshot had finished:\n{run.stderr}"


def test_main_command_starts_after_a_chain_of_oneshots(units):
    job = units.script("job", JOB)
    units.add("c2", unit_text("[Service]", "Type=oneshot", f"ExecStart={job} {units.file('c2')} 0.2"))
    units.add("c1", unit_text("[Unit]", "After=c2.service",
                              "[Service]", "Type=oneshot", f"ExecStart={job} {units.file('c1')} 0.2"))
    run = units.start(cmd=units.wait_cmd())
    assert run.wait(10) == 0, run.stderr
    assert units.cmd_end() >= one(units.file("c1"), "end")


@pytest.mark.parametrize("wait_ready,expected", [(True, 0), (False, 1)], ids=["wait-ready", "no-wait-ready"])
def test_wait_ready_waits_for_a_forking_unit_to_be_up(units, wait_ready, expected):
    # Without --wait-ready CMD starts once every start has been initiated (the
    # forking parent is still in its 0.5 s); with it, once the parent exited.
    forking = units.script("forking", FORKING)
    pidfile, log = units.file("d.pid"), units.file("d")
    units.add("daemon", unit_text("[Service]", "Type=forking", f"PIDFile={pidfile}",
                                  f"ExecStart={forking} {pidfile} {log} 0.5"))
    options = ["--wait-ready"] if wait_ready else []
    run = units.start(*options, cmd=["test", "-e", pidfile])
    assert run.wait(10) == expected, run.stderr


def test_wait_ready_waits_for_ready_1(units):
    notify = units.script("notify", NOTIFY, interpreter="/usr/bin/python3")
    log = units.file("n")
    units.add("notifier", unit_text("[Service]", "Type=notify", f"ExecStart={notify} {log}"))
    run = units.start("--wait-ready", cmd=["test", "-e", log])
    assert run.wait(10) == 0, run.stderr


def test_main_command_status_is_vigils_with_units_running(units):
    up = units.script("up", UP)
    units.add("svc", unit_text("[Service]", f"ExecStart={up} {units.file('svc.up')}"))
    run = units.start(cmd=units.wait_cmd(units.file("svc.up"), code=42))
    assert run.wait(15) == 42, run.stderr
