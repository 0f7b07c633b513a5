#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
#
# guest-init.sh - PID 1 of the vmtest guest: mount what the tests need, run
# run-tests.sh, print VMTEST-RC=<exit code> on the console, power off.
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin:/xf
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf
ip link set lo up 2>/dev/null
# veth and clsact are modules in Debian's kernel (no dependencies)
for m in /lib/modules/*.ko; do insmod "$m" 2>/dev/null; done

allow_skip=0
for arg in $(cat /proc/cmdline); do
	case $arg in xf_allow_skip=*) allow_skip=${arg#xf_allow_skip=} ;; esac
done

echo "=== vmtest guest start: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu"
start=$(date +%s)
XF_GUEST_CAPTURES=$(awk -F'\t' 'NR > 1 { print $1 }' /xf/corpus/MANIFEST.tsv)
export XF_GUEST_CAPTURES
XF_REPLAY_EXTRA=$(cat /xf/corpus/replay-extra.txt 2>/dev/null)
export XF_REPLAY_EXTRA
# live-veth.sh's jumbo capture, written on the host (no python3 here)
[ -f /xf/corpus/synthetic/partial-jumbo.pcap ] &&
	export XF_LIVE_JUMBO=/xf/corpus/synthetic/partial-jumbo.pcap
XF_ROOT=/xf XDPFLOW=/xf/xdpflow XF_BPF_DIR=/xf/bpf XF_SMOKE_OBJ=/xf/vmtest/smoke.bpf.o \
XF_CORPUS=/xf/corpus XF_PROG_RUN=/xf/xdp-prog-run XF_ALLOW_SKIP=$allow_skip XF_LIVE=1 \
	XF_LIVE_ATTACH_WAIT=60 \
	sh /xf/vmtest/run-tests.sh
rc=$?
echo "=== vmtest guest end: $(( $(date +%s) - start ))s in the guest"
echo "VMTEST-RC=$rc"
sync
poweroff -f
