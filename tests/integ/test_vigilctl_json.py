"""vigilctl's JSON is valid JSON whatever bytes units hand it (issue 15/17
mends): a unit file's Description=, an exec probe's output, a STATUS= that
is not UTF-8 and service output all reach `status --json`, `history --json`
and `log --json`; every byte that does not start a valid UTF-8 sequence is
U+FFFD, valid UTF-8 goes through unchanged, and the document parses with
python's json module on strictly decoded UTF-8."""
import json
import os
import subprocess

from harness import VIGILCTL, stop_vigil, wait_until

BAD = b"\xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82"  # lone bytes, overlong, surrogate, > U+10FFFF, cut


def ctl_doc(vigil, *args):
    """vigilctl --json output, decoded strictly (an invalid byte raises) and parsed."""
    r = subprocess.run([VIGILCTL, *args], env=vigil.env(), cwd=str(vigil.tmp), capture_output=True, timeout=20)
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode("utf-8")  # strict
    return [json.loads(line) for line in text.splitlines()] if args[0] == "log" else json.loads(text)


def unit_named(doc, name):
    return next(u for u in doc["units"] if u["name"] == name)


def test_strings_from_units_are_valid_json_with_invalid_bytes_as_u_fffd(vigil, units):
    gate = units.file("gate")
    sender = units.script("sender", f"""
        import os, socket, sys, time
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect(os.environ["NOTIFY_SOCKET"])
        s.send("READY=1\\nSTATUS=caf\\u00e9 ok".encode())
        while not os.path.exists({gate!r}):
            time.sleep(0.02)
        s.send(b"STATUS=" + {BAD!r})
        sys.stdout.buffer.write(b"out " + {BAD!r} + b" end\\n")
        sys.stdout.flush()
        time.sleep(1000)
        """, interpreter="/usr/bin/python3")
    probe = units.script("probe", "printf 'probe \\377\\300\\257 \\342\\202\\254\\n'; exit 1")
    path = os.path.join(units.dir, "odd.service")
    with open(path, "wb") as f:
        f.write(b"[Unit]\nDescription=d\xe9j\xe0 vu \xc3\xa9t\xc3\xa9 " + BAD + b"\n[Service]\nType=notify\n"
                b"ExecStart=" + sender.encode() + b"\n[X-Vigil]\nHealthExec=" + probe.encode() +
                b"\nHealthInterval=100ms\nHealthRetries=1000\n")
    run = units.start("-vv")
    wait_until(run, lambda: os.path.exists(vigil.control_socket()), "the control socket")
    wait_until(run, lambda: unit_named(ctl_doc(vigil, "--json", "status"), "odd.service")["status"] == "caf\u00e9 ok",
               "the first STATUS=")
    open(gate, "w").close()
    wait_until(run, lambda: "odd.service: 0 unknown and 1 invalid fields ignored" in run.stderr,
               "the second STATUS= read and ignored")
    wait_until(run, lambda: unit_named(ctl_doc(vigil, "--json", "status"), "odd.service")["health_output"],
               "a probe result")
    odd = unit_named(ctl_doc(vigil, "--json", "status"), "odd.service")
    r = "\ufffd"
    # Latin-1 bytes are not UTF-8: one U+FFFD each; the valid "\u00e9t\u00e9" stays.
    assert odd["description"] == f"d{r}j{r} vu \u00e9t\u00e9 {r}{r} {r}{r} {r}{r}{r} {r}{r}{r}{r} {r}{r}", odd
    # A STATUS= that is not UTF-8 is ignored, as systemd ignores it: the last good one stays.
    assert odd["status"] == "caf\u00e9 ok", odd
    assert f"probe {r}{r}{r} \u20ac" in odd["health_output"], odd
    # The same strings in the table and in history.
    hist = ctl_doc(vigil, "--json", "history", "odd.service")
    assert isinstance(hist, (dict, list))
    line = f"out {r}{r} {r}{r} {r}{r}{r} {r}{r}{r}{r} {r}{r} end"
    wait_until(run, lambda: line in [rec["message"] for rec in ctl_doc(vigil, "log", "--json", "odd.service")],
               "the output line in log --json")
    stop_vigil(run)
