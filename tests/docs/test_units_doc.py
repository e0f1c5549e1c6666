"""docs/UNITS.md lists every key of vigil's unit tables: the supported ones
(src/unit/unit_keys.c, its LIMIT and COND rows) and the known ones not
enforced or not applied (src/unit/unit_keys_known.c), so the table of
issue 15 point 6 cannot drift from the code."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "UNITS.md").read_text()


def table_keys():
    src = (ROOT / "src" / "unit" / "unit_keys.c").read_text()
    keys = set(re.findall(r'\{ "(?:Unit|Service)", "(\w+)", ', src))
    keys |= set(re.findall(r'LIMIT\("(\w+)"', src))
    for c in re.findall(r'COND\("(\w+)"', src):
        keys |= {"Condition" + c, "Assert" + c}
    return keys


def known_keys():
    return set(re.findall(r'"([A-Z]\w+)"', (ROOT / "src" / "unit" / "unit_keys_known.c").read_text()))


def test_every_key_is_in_the_doc():
    keys = table_keys() | known_keys()
    assert len(keys) > 150
    missing = sorted(k for k in keys if f"`{k}=`" not in DOC)
    assert missing == []


def test_no_key_is_both_supported_and_known():
    assert sorted(table_keys() & known_keys()) == []
