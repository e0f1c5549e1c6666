#!/bin/sh
# Boot a Debian root with vigil as PID 1 (tests/distro/README.md). Runs as
# PID 1 of `unshare -Cpfmn --fork`: its own PID, mount, network and cgroup
# namespaces. $1: the cached root (read-only lower layer), $2: a scratch
# directory (the overlay's upper layer: what the boot writes stays there).
# The root is built without systemd, as container images are; vigil's
# systemctl enables the two units that systemd's generators would
# (postgresql-generator, postfix-instance-generator: vigil runs none).
set -eu
lower=$1 scratch=$2
mount --make-rprivate /
mkdir -p "$scratch/upper" "$scratch/work" "$scratch/root"
root=$scratch/root
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup" || echo "boot.sh: no cgroup2: units are process groups" >&2
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t tmpfs -o mode=755 tmpfs "$root/dev"
for d in null zero full random urandom tty; do
        touch "$root/dev/$d"
        mount --bind "/dev/$d" "$root/dev/$d"
done
mkdir -p "$root/dev/shm" "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ip link set lo up
# The image recipe's steps: vigil in, systemctl linked to vigilctl, the
# generators' units enabled offline, a cron job.
cp "$VIGIL" "$root/sbin/vigil"
cp "$VIGILCTL" "$root/usr/bin/vigilctl"
ln -sf vigilctl "$root/usr/bin/systemctl"
chroot "$root" systemctl enable postgresql@15-main.service postfix@-.service
# VIGIL_DISTRO_SYSLOG=rsyslog (test_rsyslog.py): rsyslog as installed, the
# syslog receiver, with only cron and sshd beside it (a short boot); rsyslog's
# imklog off (the kernel's log is the host's: a container image does the
# same). Else rsyslog is disabled and vigil's /dev/log keeps the lines.
if [ "${VIGIL_DISTRO_SYSLOG:-}" = rsyslog ]; then
        chroot "$root" systemctl mask nginx.service redis-server.service postgresql.service \
                postgresql@15-main.service postfix.service postfix@-.service
        sed -i 's/^module(load="imklog")/#&/' "$root/etc/rsyslog.conf"
else
        chroot "$root" systemctl disable rsyslog.service
fi
# (it runs a few seconds: cron's child that logs its CMD line is then
# still there when vigil reads the line, and is attributed to cron.service)
echo '@reboot root sleep 3; echo cron-job-ran > /var/tmp/cron-ran' > "$root/etc/cron.d/vigil-test"
touch "$scratch/booting"
exec chroot "$root" /sbin/vigil -v   # -v: the info lines the tests read (what loaded, each stop)
