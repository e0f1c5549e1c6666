"""Options from the command line and an options file (SPEC §3).

Usage errors: exit status 2 and exactly one line on stderr, starting with
"vigil" and naming the option (and FILE:LINE for the options file); the
main command must not run.
"""
import os
import re

import pytest


def assert_usage_error(vigil, run, *needles):
    lines = run.stderr.splitlines()
    assert run.returncode == 2, f"status {run.returncode}, stderr:\n{run.stderr}"
    assert len(lines) == 1, f"want one line on stderr, got:\n{run.stderr}"
    assert lines[0].startswith("vigil"), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not named in: {lines[0]}"
    assert not os.path.exists(vigil.path("ran")), "the main command ran despite the usage error"


def write_config(vigil, text):
    path = vigil.path("vigil.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


CMD = ["--", "touch", "ran"]  # relative to the test's directory, vigil's cwd


@pytest.mark.parametrize("args,needle", [
    (["--no-such-option"], "--no-such-option"),
    (["-Z"], "-Z"),
    (["--kill-all-timeout", "abc"], "--kill-all-timeout"),
    (["--kill-all-timeout=abc"], "--kill-all-timeout"),
    (["--kill-all-timeout", "-1"], "--kill-all-timeout"),
    (["--log-format", "xml"], "--log-format"),
    (["--no-kill-all=yes"], "--no-kill-all"),
], ids=["unknown-long", "unknown-short", "bad-timespan", "bad-timespan-eq", "negative-timespan",
        "bad-enum", "flag-with-value"])
def test_bad_option_exits_2_with_one_line_naming_it(vigil, args, needle):
    run = vigil.run(*args, *CMD)
    assert_usage_error(vigil, run, needle)


@pytest.mark.parametrize("args,needle", [
    (["--kill-all-timeout"], "--kill-all-timeout"),
    (["--config"], "--config"),
], ids=["kill-all-timeout", "config"])
def test_missing_option_value_exits_2_naming_the_option(vigil, args, needle):
    run = vigil.run(*args)
    assert_usage_error(vigil, run, needle)


@pytest.mark.parametrize("lines,lineno,needle", [
    (["# a comment", "", "--no-kill-all", "--no-such-option"], 4, "--no-such-option"),
    (["--kill-all-timeout abc"], 1, "--kill-all-timeout"),
    (["", "  # indented comment", "--kill-all-timeout 'unterminated"], 3, None),
    (["--kill-all-timeout"], 1, "--kill-all-timeout"),
], ids=["unknown-option", "bad-value", "bad-quoting", "missing-value"])
def test_bad_line_in_options_file_names_file_and_line(vigil, lines, lineno, needle):
    conf = write_config(vigil, "\n".join(lines) + "\n")
    run = vigil.run("--config", conf, *CMD)
    assert_usage_error(vigil, run, f"{conf}:{lineno}", *([needle] if needle else []))


def test_unreadable_options_file_exits_2_naming_it(vigil):
    run = vigil.run("--config", "/nonexistent/vigil.conf", *CMD)
    assert_usage_error(vigil, run, "/nonexistent/vigil.conf")


def test_help_and_version_print_to_stdout_and_exit_0(vigil):
    run = vigil.run("--help")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "Usage" in run.stdout and "--kill-all-timeout" in run.stdout
    run = vigil.run("--version")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert re.match(r"vigil \S*\d", run.stdout), run.stdout


def kill_all_seconds(vigil, *options):
    """How long vigil waits for a leftover that ignores SIGTERM."""
    run, left = vigil.start_leftover(*options, ignore_term=True)
    t0 = left.release()
    status, ended = run.wait_timed(timeout=15)
    assert status == 0, run.stderr
    return ended - t0


def test_options_file_takes_effect(vigil):
    # Comments, blank lines and shell quoting as SPEC §3 describes.
    conf = write_config(vigil, "# grace for leftovers\n\n  # indented comment\n\t\n--kill-all-timeout '1'\n")
    elapsed = kill_all_seconds(vigil, "--config", conf)
    assert 0.9 <= elapsed < 1 + 1.5, f"{elapsed:.2f} s with --kill-all-timeout 1 from the file (default 3)"


def test_command_line_wins_over_the_options_file(vigil):
    conf = write_config(vigil, "--kill-all-timeout 5\n")
    elapsed = kill_all_seconds(vigil, "--config", conf, "--kill-all-timeout", "500ms")
    assert 0.45 <= elapsed < 0.5 + 1.5, f"{elapsed:.2f} s: the command line's 500ms must beat the file's 5"


def test_main_command_from_options_file_and_command_line_replaces_it(vigil):
    conf = write_config(vigil, "# the main program\n-- sh -c \"exit 7\"\n")
    run = vigil.run("--config", conf)
    assert run.returncode == 7, run.stderr
    run = vigil.run("--config", conf, "--", "sh", "-c", "exit 9")
    assert run.returncode == 9, run.stderr


def test_verbosity_options_change_the_amount_of_log_and_every_line_is_vigils(vigil):
    def log_lines(*options):
        run, left = vigil.start_leftover(*options, "--kill-all-timeout", "0.2", ignore_term=True)
        left.release()
        assert run.wait() == 0, run.stderr
        lines = run.stderr.splitlines()
        assert all(line.startswith("vigil") for line in lines), run.stderr
        return lines

    quiet, normal, verbose = log_lines("-q"), log_lines(), log_lines("-v", "-v")
    assert len(verbose) > len(normal) >= len(quiet), (quiet, normal, verbose)
