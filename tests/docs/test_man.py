"""The man page and the binary cannot drift: every option --help lists is
documented in man/vigil.1, and the defaults the man page states are the ones
the binary applies (checked through its behaviour-independent --help table and
the unit-tested defaults, see tests/unit/test_options.c)."""
import os, pathlib, re, subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIGIL = os.environ.get("VIGIL", str(ROOT / "build" / "vigil"))
MAN = (ROOT / "man" / "vigil.1").read_text().replace("\\-", "-")


def help_options():
    out = subprocess.run([VIGIL, "--help"], capture_output=True, text=True, timeout=10, check=True).stdout
    return re.findall(r"--([a-z][a-z-]+)", out.split("Options:", 1)[1].split("\n\n", 1)[0])


def test_every_option_in_help_is_in_the_man_page():
    opts = help_options()
    assert len(opts) > 30
    missing = [o for o in opts if f"--{o}" not in MAN]
    assert missing == []


def test_options_marked_unsupported_agree():
    out = subprocess.run([VIGIL, "--help"], capture_output=True, text=True, timeout=10).stdout
    for line in out.splitlines():
        m = re.search(r"--([a-z][a-z-]+)", line)
        if not m or "Options may" in line:
            continue
        # The man page entry of this option: from its .TP to the next .TP
        entry = next(e for e in MAN.split(".TP") if f"--{m.group(1)}" in e.split("\n", 2)[1])
        assert ("not yet supported" in line) == ("not yet supported" in entry), m.group(1)


def test_man_page_defaults_match_spec_defaults():
    # These numbers are asserted against the code in tests/unit/test_options.c
    # (defaults_match_the_spec); here they are asserted against the man page.
    assert "Default: 3 (container mode), 5 (system mode)" in MAN
    assert "Default: 5 (container mode), 90 (system mode)" in MAN
    assert "Default: 0 (container mode), 30 (system mode)" in MAN
    assert "armed for the shutdown path. Default: 600" in MAN
    assert "Default: 9 in container mode" in MAN and "default), none in system mode." in MAN
    assert "Ignored in system mode.\nDefault: 0 (no drain)." in MAN
