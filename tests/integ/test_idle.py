"""No periodic wake-ups (SPEC §10): an idle vigil is not scheduled at all."""
import signal
import time


def test_idle_vigil_makes_zero_context_switches_in_ten_seconds(vigil):
    run = vigil.start("--", "sleep", "60")
    run.main_pid(comm="sleep")
    time.sleep(0.5)  # start-up done: the exec-status pipe and SIGCHLDs are behind us
    before = run.context_switches()
    time.sleep(10)
    after = run.context_switches()
    assert after == before, f"vigil woke up {after - before} times in 10 idle seconds"
    run.signal(signal.SIGTERM)
    assert run.wait(10) == 143, run.stderr
