"""Build the sd_notify test clients (tests/clients/*.c) against libsystemd.

Used by the session fixture `clients` of tests/integ/test_notify_*.py:
each client is compiled with

    cc -O2 -Wall -Wextra -Werror -o OUT SRC $(pkg-config --cflags --libs libsystemd)

into build/tests/clients/ (rebuilt when the source is newer; written to a
temporary name and renamed, so two sessions never see half a binary).
"""
import os
import pathlib
import shlex
import subprocess
import types

SRC = pathlib.Path(__file__).resolve().parent
ROOT = SRC.parents[1]
OUT = ROOT / "build" / "tests" / "clients"


def libsystemd_flags():
    r = subprocess.run(["pkg-config", "--cflags", "--libs", "libsystemd"], capture_output=True, text=True,
                       timeout=30)
    if r.returncode != 0:
        raise AssertionError("pkg-config finds no libsystemd (tools/install-deps installs libsystemd-dev):\n"
                             + r.stderr)
    return shlex.split(r.stdout)


def build():
    """{name: path} of every client, compiled if needed."""
    OUT.mkdir(parents=True, exist_ok=True)
    flags = None
    paths = {}
    for src in sorted(SRC.glob("*.c")):
        out = OUT / src.stem
        paths[src.stem] = str(out)
        if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
            continue
        flags = flags if flags is not None else libsystemd_flags()
        tmp = OUT / f".{src.stem}.{os.getpid()}.tmp"
        cc = ["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(tmp), str(src), *flags]
        r = subprocess.run(cc, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"cannot compile client {src.name}:\n{' '.join(cc)}\n{r.stderr}"
        os.replace(tmp, out)
    return types.SimpleNamespace(**paths)
