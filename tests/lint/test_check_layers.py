"""tools/check-layers catches each kind of violation it exists for, and passes
a clean tree: a minimal fake src/ (one or two modules per folder) is written
to a temporary directory, one violation planted at a time, and the script
pointed at it."""
import pathlib, subprocess, sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "check-layers"

# A tree that follows the rule, with the traps a naive lint falls into:
# syscall names in comments and strings, a member called read, a static
# function called send, a module's private header including its public one,
# an exception (cmd/vigilctl.c) in use.
CLEAN = {
    "base/num.h": '#include <stddef.h>\nint num_parse(const char *s, unsigned *ret);\n',
    "base/num.c": '#include "base/num.h"\n/* read(2) is not called here */\n'
                  'int num_parse(const char *s, unsigned *ret) { *ret = 0; return s ? 0 : -1; }\n',
    "os/fd.h": '#include "base/num.h"\nint os_read(int fd, char *buf, int n);\n',
    "os/fd.c": '#include "os/fd.h"\n#include <unistd.h>\n'
               'int os_read(int fd, char *buf, int n) { return (int)read(fd, buf, n); }\n',
    "core/timer_heap.h": '#include "base/num.h"\nvoid timer_heap_init(void);\n',
    "core/timer_heap.c": '#include "core/timer_heap.h"\nvoid timer_heap_init(void) {}\n',
    "core/loop.h": '#include "core/timer_heap.h"\nvoid loop_run(void);\n',
    "core/loop.c": '#include "core/loop.h"\n#include "os/fd.h"\nvoid loop_run(void) { char b[4]; os_read(0, b, 4); }\n',
    "unit/conf.h": '#include "base/num.h"\nstruct conf { int (*read)(void); };\n',
    "unit/conf.c": '#include "unit/conf.h"\nint conf_load(struct conf *c);\n'
                   'int conf_load(struct conf *c) { return c->read(); }\n',
    "unit/policy.c": '#include "unit/conf.h"\n#include "unit/policy.h"\nconst char *policy_name(void) { return "fork("; }\n',
    "unit/policy.h": '#include "base/num.h"\nconst char *policy_name(void);\n',
    "heart/heart_msg.h": '#include "base/num.h"\nint heart_msg_parse(const char *b);\n',
    "heart/heart_msg.c": '#include "heart/heart_msg.h"\nint heart_msg_parse(const char *b) { return b != 0; }\n',
    "notify/notify_msg.h": '#include "base/num.h"\nint notify_msg_parse(const char *b);\n',
    "notify/notify_msg.c": '#include "notify/notify_msg.h"\nint notify_msg_parse(const char *b) { return !b; }\n',
    "notify/notify_server.c": '#include "notify/notify_msg.h"\n#include "core/loop.h"\n'
                              'void notify_server_run(void);\nvoid notify_server_run(void) { loop_run(); }\n',
    "logcap/log_ring.c": '#include "base/num.h"\nvoid log_ring_init(void);\nvoid log_ring_init(void) {}\n',
    "watchdog/hw_watchdog.c": '#include "core/loop.h"\nvoid hw_watchdog_pet(void);\nvoid hw_watchdog_pet(void) {}\n',
    "system/machine.c": '#include "os/fd.h"\nvoid machine_end(void);\nvoid machine_end(void) {}\n',
    "container/container_env.c": '#include "base/num.h"\nvoid container_env_x(void);\nvoid container_env_x(void) {}\n',
    "container/startup.c": '#include "unit/conf.h"\n#include "core/loop.h"\nvoid startup_run(void);\nvoid startup_run(void) {}\n',
    "supervise/unit.h": '#include "unit/conf.h"\nvoid sup_unit_start(void);\n',
    "supervise/unit_internal.h": '#include "supervise/unit.h"\nstruct unit { int state; };\n',
    "supervise/unit.c": '#include "supervise/unit_internal.h"\n#include "notify/notify_msg.h"\n#include "os/fd.h"\n'
                        'static int send(int pid, int sig) { return pid + sig; }\n'
                        'void sup_unit_start(void) { send(1, 15); }\n',
    "supervise/manager.c": '#include "supervise/unit.h"\n#include "watchdog/hw_watchdog.h"\nvoid manager_go(void);\n'
                           'void manager_go(void) { sup_unit_start(); }\n',
    "watchdog/hw_watchdog.h": '#include "core/loop.h"\nvoid hw_watchdog_pet(void);\n',
    "control/control_server.c": '#include "supervise/unit.h"\nvoid control_x(void);\nvoid control_x(void) {}\n',
    "cmd/options.c": '#include "base/num.h"\nvoid options_x(void);\nvoid options_x(void) {}\n',
    "cmd/vigil.c": '#include "control/control_server.h"\n#include "supervise/unit.h"\nint main(void) { return 0; }\n',
    "control/control_server.h": '#include "supervise/unit.h"\nvoid control_x(void);\n',
    "cmd/vigilctl.c": '#include <stdio.h>\nint main(void) { printf("ok\\n"); return 0; }\n',
}


def write_tree(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def run(root, *args):
    r = subprocess.run([sys.executable, str(SCRIPT), *args, str(root)], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def planted(tmp_path, changes):
    files = dict(CLEAN)
    for rel, text in changes.items():
        files[rel] = files.get(rel, "") + text
    write_tree(tmp_path, files)
    return run(tmp_path), files


def where(files, text):
    """"file:@: ..." with @ = the line of the file's last line (the plant)."""
    rel, rest = text.split(":@:", 1)
    return f"{rel}:{files[rel].count(chr(10))}:{rest}"


def test_a_clean_tree_passes(tmp_path):
    write_tree(tmp_path, CLEAN)
    r = run(tmp_path)
    assert r.returncode == 0, r.stdout
    assert r.stdout.strip().endswith("check-layers: ok")


# (name, files to append to, what the output must name)
PLANTS = [
    ("cycle", {"supervise/unit.c": '#include "supervise/manager.h"\n', "supervise/manager.h": "void manager_go(void);\n"},
     ["[cycle]", "supervise/manager -> supervise/unit -> supervise/manager"]),
    ("cycle through a header and another folder",
     {"notify/notify_server.h": '#include "supervise/unit.h"\n', "supervise/unit.h": '#include "notify/notify_server.h"\n'},
     ["[cycle]", "notify/notify_server -> supervise/unit -> notify/notify_server"]),
    ("syscall outside os", {"supervise/manager.c": "int manager_spawn(void);\nint manager_spawn(void) { return fork(); }\n"},
     ["supervise/manager.c:@: [syscall] fork()"]),
    ("socket call outside os", {"notify/notify_server.c": "int ns(int fd);\nint ns(int fd) { return (int)recv(fd, 0, 0, 0); }\n"},
     ["notify/notify_server.c:@: [syscall] recv()"]),
    ("clock call outside os", {"core/loop.c": "long now(void);\nlong now(void) { return time(0); }\n"},
     ["core/loop.c:@: [syscall] time()"]),
    ("nss call outside os", {"container/startup.c": "void *who(void);\nvoid *who(void) { return getpwnam(\"x\"); }\n"},
     ["container/startup.c:@: [syscall] getpwnam()"]),
    ("stdio outside os", {"system/machine.c": "void rep(void);\nvoid rep(void) { fopen(\"/x\", \"r\"); }\n"},
     ["system/machine.c:@: [stdio] fopen()"]),
    ("file I/O in a pure folder", {"unit/conf.c": "int conf_read(int fd);\nint conf_read(int fd) { char b[8]; return (int)read(fd, b, 8); }\n"},
     ["unit/conf.c:@: [pure-call] read()"]),
    ("stdio in a pure file", {"heart/heart_msg.c": "void hm(void);\nvoid hm(void) { printf(\"x\"); }\n"},
     ["heart/heart_msg.c:@: [pure-call] printf()"]),
    ("I/O in a listed pure file", {"core/timer_heap.c": "void th(void);\nvoid th(void) { close(3); }\n"},
     ["core/timer_heap.c:@: [pure-call] close()"]),
    ("wrong-direction include", {"core/loop.c": '#include "supervise/unit.h"\n'},
     ["core/loop.c:@: [include] core/ may not include supervise/"]),
    ("sibling include", {"notify/notify_server.c": '#include "watchdog/hw_watchdog.h"\n'},
     ["notify/notify_server.c:@: [include] notify/ may not include watchdog/"]),
    ("feature folder includes supervise", {"watchdog/hw_watchdog.c": '#include "supervise/unit.h"\n'},
     ["watchdog/hw_watchdog.c:@: [include] watchdog/ may not include supervise/"]),
    ("pure file includes a non-base header", {"notify/notify_msg.c": '#include "core/loop.h"\n'},
     ["notify/notify_msg.c:@: [pure-include] pure notify/notify_msg includes core/loop.h"]),
    ("pure folder includes os", {"unit/policy.h": '#include "os/fd.h"\n'},
     ["unit/policy.h:@: [pure-include]"]),
    ("private header from another folder", {"control/control_server.c": '#include "supervise/unit_internal.h"\n'},
     ["control/control_server.c:@: [private] supervise/unit_internal.h is private to supervise/unit"]),
    ("unknown folder", {"extra/thing.c": "int thing;\n"}, ["extra/thing.c:@: [layout]"]),
    ("include without a folder", {"core/loop.c": '#include "loop.h"\n'}, ["core/loop.c:@: [layout]"]),
    ("an exception covers its calls only", {"cmd/vigilctl.c": "int x(void);\nint x(void) { return fork(); }\n"},
     ["cmd/vigilctl.c:@: [syscall] fork()"]),
]


@pytest.mark.parametrize("changes,expected", [p[1:] for p in PLANTS], ids=[p[0] for p in PLANTS])
def test_a_planted_violation_fails_and_is_named(tmp_path, changes, expected):
    r, files = planted(tmp_path, changes)
    assert r.returncode == 1, r.stdout
    for text in expected:
        text = where(files, text) if ":@:" in text else text
        assert text in r.stdout, r.stdout
    assert "check-layers: ok" not in r.stdout


def test_every_planted_violation_at_once_is_named(tmp_path):
    changes = {}
    for _, plant, _ in PLANTS:
        for rel, text in plant.items():
            changes[rel] = changes.get(rel, "") + text
    r, _ = planted(tmp_path, changes)
    assert r.returncode == 1
    for kind in ("[cycle]", "[syscall]", "[stdio]", "[pure-call]", "[include]", "[pure-include]", "[private]",
                 "[layout]"):
        assert kind in r.stdout, r.stdout


def test_comments_strings_members_and_local_functions_are_not_calls(tmp_path):
    r, _ = planted(tmp_path, {"supervise/manager.c": '/* fork(); kill(1, 9) */\n// waitpid(-1)\n'
                           'const char *m = "exec" "vp(";\nchar q = \'(\';\n'})
    assert r.returncode == 0, r.stdout


def test_explain_prints_the_rule_and_the_exceptions(tmp_path):
    write_tree(tmp_path, CLEAN)
    r = run(tmp_path, "--explain")
    assert r.returncode == 0
    assert "may include" in r.stdout and "Exceptions" in r.stdout and "cmd/vigilctl.c" in r.stdout


def test_the_real_tree_is_checked_without_errors_of_its_own():
    # Violations of the rule make it exit 1; anything else (a crash, bad
    # usage) would be another status or a traceback.
    r = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, cwd="/")
    assert r.returncode in (0, 1) and r.stderr == "", r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("check-layers: ")
    # Every folder of src/ is in the rule and every include names its folder.
    assert "[layout]" not in r.stdout, r.stdout
