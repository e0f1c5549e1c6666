"""The pages tell the truth about the binary (issue 18, point 4): the unit
keys vigil reads, their defaults and which are not enforced (asked from the
binary: the hidden `vigil --list-unit-keys`) against man/vigil.service.5;
vigilctl's commands and options against man/vigilctl.1 and the README; the
options files the pages show parse; and the README's figures and claims
against what can be checked: the static binary's size, every option and
unit key it names, "not yet" lines that name something built, the
benchmark figures it quotes from docs/benchmarks.md.

A helper adding a unit key, a default or a vigilctl command must document
it here to keep this test green."""
import os
import pathlib
import re
import subprocess


ROOT = pathlib.Path(__file__).resolve().parents[2]
VIGIL = os.environ.get("VIGIL", str(ROOT / "build" / "vigil"))
VIGILCTL = os.environ.get("VIGILCTL", os.path.join(os.path.dirname(VIGIL), "vigilctl"))
STATIC = ROOT / "build" / "vigil-static"
README = (ROOT / "README.md").read_text()


def roff_text(text):
    """Man page source as plain text: font escapes dropped, \\- as -."""
    return re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace("\\(em", "--")


def man(name):
    return (ROOT / "man" / name).read_text()


def sections(text):
    """{".SH title": body} of a man page source."""
    parts = re.split(r"^\.SH (.+)$", text, flags=re.M)
    return {parts[i].strip('"'): parts[i + 1] for i in range(1, len(parts), 2)}


def entries(body):
    """[(heading line, text)] of the .TP entries of a section, as plain text."""
    out = []
    for chunk in body.split(".TP\n")[1:]:
        head, _, rest = chunk.partition("\n")
        out.append((roff_text(head), " ".join(roff_text(rest).split())))
    return out


def unit_keys():
    out = subprocess.run([VIGIL, "--list-unit-keys"], capture_output=True, text=True, timeout=10, check=True).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows and all(len(r) == 4 for r in rows), out
    return rows


SERVICE5 = sections(man("vigil.service.5"))
# The man page's section of the keys of [Name]: ".SH [NAME] SECTION".
KEY_SECTIONS = {t[1:].split("]")[0]: body for t, body in SERVICE5.items()
                if re.fullmatch(r"\[[A-Z-]+\] SECTION", t)}


def key_section(section):
    """The body of the man page's section for [section]; fails naming it when there is none."""
    body = next((b for name, b in KEY_SECTIONS.items() if name.lower() == section.lower()), None)
    assert body is not None, f"man/vigil.service.5 has no '.SH [{section.upper()}] SECTION' for the [{section}] keys"
    return body


def key_entry(section, key):
    for head, text in entries(key_section(section)):
        if re.search(rf"(^|[ ,]){re.escape(key)}=", head):
            return head, text
    return None


def test_every_unit_key_is_in_vigil_service_5_under_its_section():
    rows = unit_keys()
    assert len(rows) > 50
    missing = []
    for section, key, _, _ in rows:
        if key_entry(section, key):
            continue
        # A [Unit] key that systemd also accepts in [Service] is documented once, in [Unit].
        unit = key_entry("Unit", key)
        if section == "Service" and unit and "accepted in [service]" in unit[1].lower():
            continue
        missing.append(f"[{section}] {key}=")
    assert missing == [], "keys vigil reads but man/vigil.service.5 does not document"


def test_every_key_vigil_service_5_documents_is_read_by_vigil():
    known = {(s.lower(), k) for s, k, _, _ in unit_keys()}
    ghosts = []
    assert {"unit", "service"} <= {s.lower() for s in KEY_SECTIONS}
    for section, body in KEY_SECTIONS.items():
        for head, _ in entries(body):
            for key in re.findall(r"([A-Za-z]+)=", head):
                if (section.lower(), key) not in known:
                    ghosts.append(f"[{section}] {key}=")
    assert ghosts == [], "keys man/vigil.service.5 documents that vigil does not read"


def test_unit_key_defaults_in_vigil_service_5_are_the_binary_s():
    wrong = []
    defaults = {k: d for _, k, d, _ in unit_keys()}
    for section, key, default, _ in unit_keys():
        if default == "-":
            continue
        head, text = key_entry(section, key) or key_entry("Unit", key)
        # An entry for several keys with different defaults states each after its key's name.
        together = {defaults.get(k) for k in re.findall(r"([A-Za-z]+)=", head)}
        want = f"Default: {default}" if len(together) == 1 else f"{key}= Default: {default}"
        if want not in text:
            wrong.append(f"{key}=: the binary's default is {default!r}, the page does not say {want!r}")
    assert wrong == []


def test_vigil_service_5_states_no_default_the_binary_does_not_give():
    """A "Default:" on the page needs the binary's word for it (unit/unit_key_doc.c's table)."""
    listed = {k: d for _, k, d, _ in unit_keys()}
    unbacked = []
    for section, body in KEY_SECTIONS.items():
        for head, text in entries(body):
            keys = re.findall(r"([A-Za-z]+)=", head)
            if "Default:" in text and all(listed.get(k, "-") == "-" for k in keys):
                unbacked.append(head)
    assert unbacked == [], "add these keys' defaults to unit/unit_key_doc.c (vigil --list-unit-keys)"


def test_the_not_enforced_table_is_the_binary_s():
    rows = [(s, k) for s, k, _, enforced in unit_keys() if enforced == "not-enforced"]
    page = set()
    for head, _ in entries(SERVICE5["KEYS ACCEPTED BUT NOT ENFORCED"]):
        page.update(re.findall(r"([A-Za-z]+)=", head))
    assert page == {k for _, k in rows}
    for section, key in rows:   # and the key's own entry says so
        entry = key_entry(section, key)
        assert entry and "not enforced" in entry[1], f"[{section}] {key}=: its entry must say it is not enforced"


def vigilctl_help():
    return subprocess.run([VIGILCTL, "--help"], capture_output=True, text=True, timeout=10).stdout


def vigilctl_commands():
    body = vigilctl_help().split("Commands:", 1)[1].split("\n\n", 1)[0]
    cmds = set()
    for line in body.splitlines():
        m = re.match(r"  (\S+)", line)
        if m:
            cmds.update(m.group(1).split("|"))
    return cmds


def test_vigilctl_1_documents_every_command_and_option():
    page = sections(man("vigilctl.1"))
    heads = " ".join(h for h, _ in entries(page["COMMANDS"]))
    cmds = vigilctl_commands()
    assert {"status", "check", "log", "daemon-reload", "watchdog"} <= cmds
    assert [c for c in cmds if not re.search(rf"(^|[ |]){re.escape(c)}( |\||$)", heads)] == []
    opts = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", vigilctl_help().split("Options:", 1)[1]))
    opt_heads = " ".join(h for h, _ in entries(page["OPTIONS"]))
    assert opts and [o for o in opts if o not in opt_heads] == []


def test_readme_names_every_vigilctl_command():
    part = README.split("### vigilctl", 1)[1].split("\n## ", 1)[0]
    words = {w for span in re.findall(r"`([^`]+)`", part) for w in re.split(r"[ /]", span)}
    assert sorted(vigilctl_commands() - words) == []


def parses(path):
    r = subprocess.run([VIGIL, "--config", str(path), "--help"], capture_output=True, text=True, timeout=10)
    return r.returncode == 0, r.stderr


def test_the_example_options_files_parse(tmp_path):
    ok, err = parses(ROOT / "examples" / "vigil.conf")
    assert ok, err
    example = sections(man("vigil.conf.5"))["EXAMPLE"]
    text = roff_text(example.split(".nf\n.RS\n", 1)[1].split(".RE", 1)[0])
    (tmp_path / "vigil.conf").write_text(text)
    ok, err = parses(tmp_path / "vigil.conf")
    assert ok, err
    readme = re.search(r"```sh\n(# /etc/vigil.conf.*?)```", README, re.S).group(1)
    (tmp_path / "readme.conf").write_text(readme)
    ok, err = parses(tmp_path / "readme.conf")
    assert ok, err


def test_readme_states_the_static_binary_s_size():
    assert STATIC.exists(), "build/vigil-static is missing: make static"
    m = re.search(r"about (\d+) KB\)", README)
    assert m, "README.md no longer states the static binary's size as 'about N KB)'"
    stated, actual = int(m.group(1)), STATIC.stat().st_size / 1024
    assert abs(actual - stated) / actual <= 0.12, f"README says about {stated} KB, build/vigil-static is {actual:.0f} KiB"


# Flags of other programs the README shows (podman, docker, unshare, erl, redis, tools/test).
FOREIGN_FLAGS = {"--init", "--mount-proc", "--quick", "--sdnotify", "--supervised", "--boot", "--hang-on-exit",
                 "--build-arg", "--pull", "--network", "--from", "--install", "--root", "--format",
                 "--value"}  # systemctl show --value (vigilctl as systemctl)


def test_readme_names_only_options_that_exist():
    vigil_help = subprocess.run([VIGIL, "--help"], capture_output=True, text=True, timeout=10).stdout
    # --list-unit-keys is vigil's hidden listing for this test (not in --help).
    known = set(re.findall(r"--[a-z][a-z-]*", vigil_help + vigilctl_help())) | FOREIGN_FLAGS | {"--list-unit-keys"}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", README))
    assert sorted(named - known) == []


def known_not_applied_keys():
    """systemd's keys vigil knows and does not apply (one summary line per unit),
    named in docs/UNITS.md's table: src/unit/unit_keys_known.c's lists."""
    return set(re.findall(r'"([A-Z]\w+)"', (ROOT / "src" / "unit" / "unit_keys_known.c").read_text()))


def test_readme_and_docs_name_only_unit_keys_vigil_reads():
    known = {k for _, k, _, _ in unit_keys()} | known_not_applied_keys()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named = set(re.findall(r"(?<![\w$./-])([A-Z][a-z]+[A-Za-z]*)=", path.read_text()))
        assert sorted(named - known) == [], path.name


# Features a "not yet" claim may name in words, and how to tell they are built.
FEATURES = {
    r"hardware watchdog": lambda: (ROOT / "src" / "watchdog" / "hw_watchdog.c").exists(),
    r"\bheart\b": lambda: (ROOT / "src" / "cmd" / "vigil_heart.c").exists(),
    r"make install|\binstall target": lambda: re.search(r"^install:", (ROOT / "Makefile").read_text(), re.M),
    r"Debian package|\.deb\b": lambda: (ROOT / "tools" / "build-deb").exists(),
    r"man page": lambda: all((ROOT / "man" / p).exists() for p in ("vigilctl.1", "vigil.service.5", "vigil.conf.5")),
    r"Dockerfile|Containerfile|image recipe": lambda: "```Dockerfile" in README,
    r"system mode": lambda: (ROOT / "src" / "system" / "machine.c").exists(),
}


def unfinished_claims(text):
    """The sentences (table rows) of a Markdown text that say something is not built:
    "not yet", "open issue N"."""
    for para in re.split(r"\n\s*\n", text):
        # A table's row is a claim of its own; prose is split into sentences.
        units = para.splitlines() if para.lstrip().startswith("|") else re.split(r"(?<=[.;])\s", para)
        for sentence in units:
            if re.search(r"\bnot yet\b|\bopen issue\b", sentence, re.I) and "not built yet are" not in sentence:
                yield sentence


def stale_names(sentence):
    vigil_help = subprocess.run([VIGIL, "--help"], capture_output=True, text=True, timeout=10).stdout
    supported = {m.group(1) for line in vigil_help.splitlines() if "not yet supported" not in line
                 for m in [re.search(r"--([a-z][a-z-]+)", line)] if m}
    enforced = {k for _, k, _, e in unit_keys() if e == "enforced"}
    out = [f"--{o}" for o in re.findall(r"--([a-z][a-z-]+)", sentence) if o in supported]
    out += [f"{k}=" for k in re.findall(r"([A-Z][a-z]+[A-Za-z]*)=", sentence) if k in enforced]
    out += [pat for pat, built in FEATURES.items() if re.search(pat, sentence, re.I) and built()]
    return out


def test_the_stale_claim_detector_catches_the_old_readme_lines():
    old = ("Not yet: the hardware watchdog (`--watchdog-device`, `--runtime-watchdog-sec`) and "
           "vigil-heart (open issue 7).")
    assert list(unfinished_claims(old)) == [old]
    assert "--watchdog-device" in stale_names(old) and "hardware watchdog" in stale_names(old)
    assert stale_names("Not yet: WatchdogSec= and a make install target.") == ["WatchdogSec=", "make install|\\binstall target"]


def test_not_yet_lines_name_nothing_that_is_built():
    stale = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for sentence in unfinished_claims(path.read_text()):
            stale += [f"{path.name}: {name}: {sentence.strip()[:100]}" for name in stale_names(sentence)]
    assert stale == []
    fuzzing = (ROOT / "docs" / "FUZZING.md").read_text().split("## Not yet fuzzed", 1)[1].split("\n## ", 1)[0]
    assert [f for f in re.findall(r"fuzz/fuzz_\w+\.c", fuzzing) if (ROOT / f).exists()] == []


def test_readme_benchmark_figures_are_in_the_benchmark_docs():
    part = README.split("## Benchmarks", 1)[1].split("\n## ", 1)[0]
    docs = (ROOT / "docs" / "benchmarks.md").read_text() + (ROOT / "bench" / "README.md").read_text()
    figures = re.findall(r"(?<![\d.,–-])(\d[\d.,]*(?:×| KiB))(?![\d–-])", part)
    assert len(figures) >= 5, figures
    assert [f for f in figures if f not in docs] == [], "README quotes figures docs/benchmarks.md no longer has"


def test_fuzzing_md_lists_every_fuzz_target():
    doc = (ROOT / "docs" / "FUZZING.md").read_text()
    targets = sorted(p.stem for p in (ROOT / "fuzz").glob("fuzz_*.c"))
    assert targets and [t for t in targets if f"`{t}`" not in doc] == []


def test_every_program_answers_help_and_version_with_one_version():
    # SPEC §1: --help and --version on every program.
    heart = os.path.join(os.path.dirname(VIGIL), "vigil-heart")
    versions = set()
    for prog in (VIGIL, VIGILCTL, heart):
        name = os.path.basename(prog)
        h = subprocess.run([prog, "--help"], capture_output=True, text=True, timeout=10)
        assert h.returncode == 0 and h.stdout.strip() and h.stderr == "", (name, h.stdout, h.stderr)
        v = subprocess.run([prog, "--version"], capture_output=True, text=True, timeout=10)
        assert v.returncode == 0 and v.stderr == "", (name, v.stdout, v.stderr)
        m = re.fullmatch(rf"{re.escape(name)} (\S*\d\S*)\n", v.stdout)
        assert m, (name, v.stdout)
        versions.add(m.group(1))
    assert len(versions) == 1, versions
