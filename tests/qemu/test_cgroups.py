"""cgroup v2 per unit under a real kernel (issue 17): one boot, system mode.

vigil mounts cgroup2 on /sys/fs/cgroup, enables the controllers and puts
each unit in its own group. The main command drives four scenarios and
prints CG-* lines on the console, then powers off:

* MemoryMax=16M hit (dd with a 64 MiB buffer as the main process): the
  result is oom-kill, in history and metrics, and Restart=on-failure
  restarts the unit;
* TasksMax=16 stops a fork bomb inside its unit, while vigil and another
  unit run on;
* a setsid() grandchild that ignores SIGTERM is gone after `vigilctl stop`;
* CPUWeight=100 vs 400, two busy units on the VM's one CPU: the heavy one
  gets more than twice the CPU time;
* OOMPolicy= (a helper of the main process hits MemoryMax=16M): stop, the
  default, stops the unit with the result oom-kill; kill makes the kernel
  kill the whole group (memory.oom.group=1), the main process too;
  continue leaves the unit running.
"""
import re

import pytest

import qemu_harness as q

BOOT = 150
TEST_DIR = "/usr/lib/vigil-test"

DRIVER = r"""
cg=/sys/fs/cgroup
echo "CG-SUBTREE $(cat $cg/cgroup.subtree_control)"
echo "CG-VIGIL-SCOPE $(cat $cg/vigil.scope/cgroup.procs | tr '\n' ' ')"
i=0
while ! vigilctl history hog | grep -q oom-kill && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
i=0
while [ ! -e /tmp/hog-second ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
vigilctl history hog | sed 's/^/CG-HISTORY /'
echo "CG-HOG-RESTARTED $(cat /tmp/hog-second 2>/dev/null)"
vigilctl metrics | grep -E '^vigil_unit_(memory_bytes|tasks|cpu_seconds_total|oom_kills_total)' | sed 's/^/CG-METRIC /'
vigilctl --json status hog | sed 's/^/CG-JSON /'

wait_json() { i=0; while ! vigilctl --json status $1 | grep -q "$2" && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done; }
fields() { vigilctl --json status $1 | grep -o '"\(active\|sub\|result\)":"[a-z-]*"' | tr '\n' ' '; }
wait_json oomstop '"result":"oom-kill"'
wait_json oomkill '"result":"oom-kill"'
i=0
while [ ! -e /tmp/oomcont-done ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
echo "CG-OOMSTOP $(fields oomstop)"
echo "CG-OOMKILL $(fields oomkill) group=$(cat $cg/oomkill.service/memory.oom.group) survived=$(cat /tmp/oomkill-survived 2>/dev/null)"
echo "CG-OOMCONT $(fields oomcont) group=$(cat $cg/oomcont.service/memory.oom.group) done=$(cat /tmp/oomcont-done 2>/dev/null)"

i=0
while [ ! -e /tmp/bomb-done ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
echo "CG-BOMB current=$(cat $cg/bomb.service/pids.current) max=$(cat $cg/bomb.service/pids.max) $(grep max $cg/bomb.service/pids.events)"
vigilctl status calm bomb >/dev/null; echo "CG-STATUS-RC=$?"
echo "CG-BOMB-UNIT $(vigilctl --json status bomb | grep -o '"sub":"[a-z]*"')"
echo "CG-CALM $(vigilctl --json status calm | grep -o '"sub":"[a-z]*"')"

p=$(cat /tmp/esc.pid)
echo "CG-ESC-BEFORE $(cat $cg/esc.service/cgroup.procs | wc -l)"
vigilctl stop esc; echo "CG-STOP-RC=$?"
if kill -0 "$p" 2>/dev/null; then echo "CG-ESCAPER alive"; else echo "CG-ESCAPER gone"; fi
echo "CG-ESC-AFTER $(cat $cg/esc.service/cgroup.procs | wc -l) $(grep populated $cg/esc.service/cgroup.events)"

usage() { grep usage_usec $cg/$1.service/cpu.stat | cut -d' ' -f2; }
touch /tmp/go
sleep 1
a0=$(usage light); b0=$(usage heavy)
sleep 5
a1=$(usage light); b1=$(usage heavy)
echo "CG-CPU light=$((a1 - a0)) heavy=$((b1 - b0))"
vigilctl stop light heavy
echo CG-DONE
vigilctl poweroff
sleep 100
"""


def service(img, name, body, keys=""):
    img.script(f"{TEST_DIR}/{name}", body)
    img.unit(name, f"[Service]\nExecStart={TEST_DIR}/{name}\n{keys}\n")


@pytest.fixture(scope="module")
def cgroups_vm(boot):
    img = q.Image(conf=["-v"], main=["/bin/sh", f"{TEST_DIR}/driver"])
    img.script(f"{TEST_DIR}/driver", DRIVER)
    service(img, "hog", """
if [ -e /tmp/hog-once ]; then date +%s > /tmp/hog-second; exec sleep 1000; fi
touch /tmp/hog-once
echo HOG-ALLOC
exec dd if=/dev/zero of=/dev/null bs=64M count=1
""", "MemoryMax=16M\nRestart=on-failure\nRestartSec=1")
    # The inner shell forks until the kernel refuses (and dies of it); the
    # main process, its sleeps and the unit live on at the limit.
    img.script(f"{TEST_DIR}/bomb-inner", """
i=0
while [ $i -lt 60 ]; do sleep 1000 & i=$((i + 1)); done
""")
    service(img, "bomb", f"""
sh {TEST_DIR}/bomb-inner 2>/dev/null
touch /tmp/bomb-done
exec sleep 1000
""", "TasksMax=16")
    service(img, "calm", "while :; do sleep 1; done\n")
    service(img, "esc", """
setsid sh -c 'trap "" TERM; echo $$ > /tmp/esc.pid; while :; do sleep 1; done' &
exec sleep 1000
""", "TimeoutStopSec=2")
    # The main process (sh) outlives the helper the OOM killer picks (dd, the
    # big one), unless OOMPolicy=kill has the kernel kill the whole group.
    for name, policy in (("oomstop", None), ("oomkill", "kill"), ("oomcont", "continue")):
        service(img, name, f"""
dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null
echo yes > /tmp/{name}-survived
echo yes > /tmp/{name}-done
exec sleep 1000
""", "MemoryMax=16M\nTimeoutStopSec=2" + (f"\nOOMPolicy={policy}" if policy else ""))
    busy = "while [ ! -e /tmp/go ]; do sleep 0.2; done\nwhile :; do :; done\n"
    service(img, "light", busy, "CPUWeight=100")
    service(img, "heavy", busy, "CPUWeight=400")
    return boot(img, "cgroups", timeout=BOOT, until=r"reboot: Power down")


def line(vm, prefix):
    i = vm.index_of(prefix)
    assert i is not None, f"no {prefix!r} line"
    return vm.lines[i]


def test_the_tree_has_the_controllers_and_vigil_in_its_own_leaf(cgroups_vm):
    vm = cgroups_vm
    vm.assert_no_panic()
    subtree = line(vm, r"CG-SUBTREE").split()
    for c in ("memory", "pids", "cpu"):
        assert c in subtree, subtree
    assert re.search(r"CG-VIGIL-SCOPE 1\b", line(vm, r"CG-VIGIL-SCOPE")), "vigil (pid 1) is not in vigil.scope"
    assert not vm.seen(r"not applied"), "a key was not applied with a full tree"


def test_memory_max_gives_oom_kill_and_a_restart(cgroups_vm):
    vm = cgroups_vm
    assert vm.seen(r"CG-HISTORY .*oom-kill"), "history has no oom-kill exit"
    assert re.search(r"CG-HOG-RESTARTED \d+", line(vm, r"CG-HOG-RESTARTED")), "hog did not run again"
    assert vm.seen(r'CG-METRIC vigil_unit_oom_kills_total\{unit="hog.service"\} [1-9]')
    assert vm.seen(r"hog.service: the OOM killer killed")


def test_tasks_max_stops_a_fork_bomb_and_the_rest_runs_on(cgroups_vm):
    vm = cgroups_vm
    m = re.search(r"current=(\d+) max=(\d+) max (\d+)", line(vm, r"CG-BOMB"))
    assert m, line(vm, r"CG-BOMB")
    current, limit, refused = map(int, m.groups())
    assert limit == 16 and 12 <= current <= 16 and refused > 0, m.groups()
    assert vm.seen(r'CG-BOMB-UNIT "sub":"running"'), "the unit did not survive its own fork bomb"
    assert vm.seen(r"CG-STATUS-RC=0")
    assert vm.seen(r'CG-CALM "sub":"running"')


def test_a_setsid_grandchild_is_gone_after_vigilctl_stop(cgroups_vm):
    vm = cgroups_vm
    assert int(line(vm, r"CG-ESC-BEFORE").split()[1]) >= 2
    assert vm.seen(r"CG-STOP-RC=0")
    assert vm.seen(r"CG-ESCAPER gone")
    assert vm.seen(r"CG-ESC-AFTER 0 populated 0")


def test_cpu_weights_split_the_cpu(cgroups_vm):
    vm = cgroups_vm
    m = re.search(r"light=(\d+) heavy=(\d+)", line(vm, r"CG-CPU"))
    assert m, line(vm, r"CG-CPU")
    light, heavy = map(int, m.groups())
    assert light > 0 and heavy > 2 * light, f"CPUWeight=100 got {light} us, CPUWeight=400 {heavy} us"


def test_oom_policy_stop_kill_and_continue(cgroups_vm):
    vm = cgroups_vm
    stop = line(vm, r"CG-OOMSTOP")
    assert '"result":"oom-kill"' in stop and '"active":"failed"' in stop, stop
    assert vm.seen(r"oomstop.service: the OOM killer killed 1 process of its cgroup .*OOMPolicy=stop: stopping it")
    kill = line(vm, r"CG-OOMKILL")
    assert '"result":"oom-kill"' in kill and "group=1" in kill, kill
    assert "survived=yes" not in kill, "the main process outlived OOMPolicy=kill: " + kill
    cont = line(vm, r"CG-OOMCONT")
    assert '"sub":"running"' in cont and '"result":"success"' in cont and "group=0" in cont, cont
    assert "done=yes" in cont, cont
    assert vm.seen(r"oomcont.service: the OOM killer killed .*OOMPolicy=continue: it runs on")
