"""The corpus test (issue 15, "How it must be proven"): the .service files
real Debian packages ship all load. The packages are fetched with
`apt-get download` and unpacked with `dpkg-deb -x` once, cached under
build/corpus (not committed); `vigil --check-units` loads every file as vigil
would (templates as NAME@check) and reports loaded / refused / unknown keys.

A file refused for a value systemd accepts fails the test: none may be
refused (the templates' specifiers, %I and the rest, work since the layout).
A network or archive failure fails it too (loudly: no skip). The keys of
issue 15 point 6 that the corpus uses (Conflicts=, OnFailure=,
ExecCondition=, StandardInput=...) are applied, never in a "known but not
applied" summary."""
import os
import re
import shutil
import subprocess

from harness import ROOT, VIGIL

PACKAGES = """
nginx-common redis-server openssh-server cron rsyslog postfix postgresql-common postgresql-15 apache2
mariadb-server bind9 chrony dnsmasq haproxy memcached squid dovecot-core avahi-daemon cups-daemon prometheus
nftables ufw fail2ban unattended-upgrades smartmontools lm-sensors nut-server openvpn wireguard-tools vsftpd
proftpd-core samba nfs-kernel-server rpcbind uwsgi-core supervisor php8.2-fpm mosquitto
prometheus-node-exporter snmpd keepalived lighttpd varnish rabbitmq-server unbound knot pdns-server
irqbalance acpid at anacron sysstat lldpd qemu-guest-agent dbus-daemon containerd
""".split()

CACHE = ROOT / "build" / "corpus"


def corpus_units():
    units = CACHE / "units"
    stamp = CACHE / "packages"
    if stamp.exists() and stamp.read_text() == "\n".join(PACKAGES):
        return units
    shutil.rmtree(CACHE, ignore_errors=True)
    debs, root = CACHE / "debs", CACHE / "root"
    for d in (debs, root, units):
        d.mkdir(parents=True)
    r = subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"apt-get download failed (network or archive):\n{r.stdout}\n{r.stderr}"
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=120)
    for sub in ("lib/systemd/system", "usr/lib/systemd/system"):
        for f in sorted((root / sub).glob("*.service")) if (root / sub).is_dir() else []:
            target = units / f.name
            if f.is_file() and not target.exists():
                shutil.copyfile(f, target)
        for d in sorted((root / sub).glob("*.service.d")) if (root / sub).is_dir() else []:
            shutil.copytree(d, units / d.name, dirs_exist_ok=True)
    shutil.rmtree(debs)
    stamp.write_text("\n".join(PACKAGES))
    return units


def test_debian_packages_service_files_all_load():
    units = corpus_units()
    files = sorted(p.name for p in units.glob("*.service"))
    assert len(files) >= 80, f"too few unit files from {len(PACKAGES)} packages: {files}"
    r = subprocess.run([VIGIL, "--check-units", str(units)], capture_output=True, text=True, timeout=60)
    summary = r.stdout.strip().splitlines()[-1]
    refused_files = [os.path.basename(l.split(" ", 1)[1]) for l in r.stdout.splitlines() if l.startswith("refused ")]
    m = re.match(r"checked (\d+): loaded (\d+), refused (\d+); unknown keys (\d+)", summary)
    assert m, f"no summary line:\n{r.stdout}\n{r.stderr}"
    checked, loaded, refused, unknown = map(int, m.groups())
    assert checked == len(files) and loaded + refused == checked
    lines = {}
    for line in r.stderr.splitlines():
        f = re.match(r"vigil: (\S+?\.service)(?:\.d/\S+)?:(\d+): (.*)$", line)
        if f and not f.group(3).endswith(("ignoring", "ignoring it", "keeping the text as written")):
            lines.setdefault(os.path.basename(f.group(1)), []).append(f.group(3))
    print(f"\n{len(PACKAGES)} packages: {summary}")
    assert refused == 0 and refused_files == [] and r.returncode == 0, \
        f"refused: {[(n, lines.get(n)) for n in refused_files]}"
    applied = ("Conflicts", "OnFailure", "OnSuccess", "ExecCondition", "StandardInput", "TTYPath", "TTYReset")
    summaries = [l for l in r.stderr.splitlines() if "settings known but not applied:" in l]
    assert not [l for l in summaries if any(re.search(rf"[:,] {k}\b", l) for k in applied)], summaries
    assert not [l for l in r.stderr.splitlines() if "internal error" in l]
