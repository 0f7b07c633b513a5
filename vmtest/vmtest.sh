#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vmtest.sh - run xdpflow's BPF tests on another kernel under qemu, or on
# the running kernel.
#
#   vmtest/vmtest.sh 6.1     Debian 12's linux-image-6.1.0-*-amd64 under qemu
#   vmtest/vmtest.sh host    the same tests on the running kernel
#
# The guest is minimal on purpose (no KVM here: qemu emulates the CPU with
# TCG): a kernel from Debian's .deb, and an initramfs holding busybox, the
# host's build of xdpflow, bpftool, the BPF objects, the test scripts, a
# few captures and the shared libraries they need.  The guest runs
# vmtest/guest-init.sh as PID 1, which runs vmtest/run-tests.sh and powers
# off; results come back over the serial console.  One exit code: 0 when
# every test passed and the kernel logged no warning.
#
# Environment: BUILD (build dir, default build), XDPFLOW (the binary),
# VMTEST_TIMEOUT (seconds for the whole guest run, default 900),
# VMTEST_MEM (guest memory, default 1024M), XF_ALLOW_SKIP (see run-tests.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
XDPFLOW=${XDPFLOW:-$BUILD/xdpflow}
CORPUS=${XF_CORPUS:-$top/../shared/corpus}
VMDIR=$BUILD/vmtest
TIMEOUT=${VMTEST_TIMEOUT:-900}
MEM=${VMTEST_MEM:-1024M}

die() { echo "vmtest: $*" >&2; exit 2; }

# Captures replayed inside the guest: small, and between them TCP, UDP,
# IPv6 and VLAN.  Every one must have role `flows` in the MANIFEST.
GUEST_CAPTURES="zeek/http/get.pcap zeek/dns/long-connection.pcap
zeek/communityid/ipv6.pcap zeek/http-vlan-0.pcap zeek/http-qinq-0.pcap
tcpdump/dns_tcp.pcap"
# Replayed only (not through xdp-prog-run, which takes frames whole): frames
# the kernel's parser sees in part (multi-buffer, TSO, BIG TCP over the 64 KiB
# BPF_PROG_RUN is handed), plus tests/kernel/mk-partial-frames.py's capture,
# written to $VMDIR/partial-frames.pcap (synthetic/ in the guest).
REPLAY_EXTRA="tcpdump/gso-ipv4.pcap tcpdump/bigtcp-ipv6-hbh.pcap"

# The synthetic capture of partial frames; empty if python3 cannot write it
# (run-tests.sh then replays the corpus captures only and says so).
make_partial_frames() {
	mkdir -p "$VMDIR"
	/usr/bin/python3 "$top/tests/kernel/mk-partial-frames.py" "$VMDIR/partial-frames.pcap" 2>/dev/null &&
		echo "$VMDIR/partial-frames.pcap"
}

# The Debian 6.1 kernel: linux-image-amd64's current 6.1 ABI package,
# downloaded once with apt-get and unpacked into $VMDIR/kernel-6.1.
fetch_kernel_61() {
	local kdir=$VMDIR/kernel-6.1 pkg deb
	if [ -f "$kdir/.unpacked" ]; then
		echo "$kdir"
		return
	fi
	mkdir -p "$VMDIR/debs"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      awk '/Depends: linux-image-6\.1\.0-[0-9]+-amd64$/ {print $2; exit}')
	if [ -z "$pkg" ]; then
		apt-get update -q >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      awk '/Depends: linux-image-6\.1\.0-[0-9]+-amd64$/ {print $2; exit}')
	fi
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-6.1.0-*-amd64 (is this Debian 12?)"
	(cd "$VMDIR/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		die "apt-get download $pkg failed"
	deb=$(ls -t "$VMDIR/debs/${pkg}_"*.deb | head -n1)
	rm -rf "$kdir"
	mkdir -p "$kdir"
	dpkg-deb -x "$deb" "$kdir" || die "dpkg-deb -x $deb failed"
	touch "$kdir/.unpacked"
	echo "$kdir"
}

# Copy a host file into the initramfs tree at the same path.
put() {
	local src=$1 dst=$2${3:-$1}
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}

# Copy an executable and every shared library it needs (per ldd).
put_exe() {
	local exe=$1 root=$2 dest=${3:-$1} lib
	put "$exe" "$root" "$dest"
	for lib in $(ldd "$exe" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}'); do
		[ -f "$root$lib" ] || put "$lib" "$root"
	done
}

build_initramfs() {
	local kdir=$1 root=$VMDIR/initramfs kver f obj
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,xf/bpf,xf/corpus,xf/tests/kernel}
	put /bin/busybox "$root"
	put "$here/guest-init.sh" "$root" /init
	chmod +x "$root/init"
	put "$here/run-tests.sh" "$root" /xf/vmtest/run-tests.sh
	put "$here/dmesg-check.sh" "$root" /xf/vmtest/dmesg-check.sh
	mkdir -p "$root/etc" "$root/run" "$root/var"
	ln -s ../run "$root/var/run"
	put "$VMDIR/smoke.bpf.o" "$root" /xf/vmtest/smoke.bpf.o
	for f in "$top"/tests/kernel/*.sh "$top"/tests/kernel/*.txt; do
		[ -f "$f" ] && put "$f" "$root" "/xf/tests/kernel/$(basename "$f")"
	done
	put_exe "$(command -v bpftool)" "$root" /usr/sbin/bpftool
	# the live test in the guest: bash, iproute2 (netns), tc, tcpreplay
	# (in /usr/local/bin, ahead of busybox's applets of the same name)
	for f in /bin/bash /usr/sbin/ip /usr/sbin/tc /usr/bin/tcpreplay; do
		[ -x "$f" ] && put_exe "$f" "$root" "/usr/local/bin/$(basename "$f")"
	done
	ln -s /usr/local/bin/bash "$root/bin/bash"
	if [ -x "$XDPFLOW" ]; then
		put_exe "$XDPFLOW" "$root" /xf/xdpflow
	fi
	if [ -x "$BUILD/tools/xdp-prog-run" ]; then
		put_exe "$BUILD/tools/xdp-prog-run" "$root" /xf/xdp-prog-run
	fi
	for obj in "$BUILD"/bpf/*.bpf.o; do
		[ -f "$obj" ] && put "$obj" "$root" "/xf/bpf/$(basename "$obj")"
	done
	# libxdp's dispatcher, in case a test attaches with libxdp.
	for f in /usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o; do
		[ -f "$f" ] && put "$f" "$root"
	done
	head -n1 "$CORPUS/MANIFEST.tsv" >"$root/xf/corpus/MANIFEST.tsv"
	for f in $GUEST_CAPTURES; do
		put "$CORPUS/$f" "$root" "/xf/corpus/$f"
		awk -F'\t' -v f="$f" '$1 == f' "$CORPUS/MANIFEST.tsv" >>"$root/xf/corpus/MANIFEST.tsv"
	done
	: >"$root/xf/corpus/replay-extra.txt"
	for f in $REPLAY_EXTRA; do
		put "$CORPUS/$f" "$root" "/xf/corpus/$f"
		echo "$f" >>"$root/xf/corpus/replay-extra.txt"
	done
	f=$(make_partial_frames)
	if [ -n "$f" ]; then
		put "$f" "$root" /xf/corpus/synthetic/partial-frames.pcap
		echo synthetic/partial-frames.pcap >>"$root/xf/corpus/replay-extra.txt"
	fi
	# live-veth.sh's jumbo case (XF_LIVE_JUMBO in guest-init.sh)
	/usr/bin/python3 "$top/tests/kernel/mk-partial-frames.py" --jumbo \
		"$root/xf/corpus/synthetic/partial-jumbo.pcap" 2>/dev/null || true
	# veth and clsact, should a guest test want an interface.
	kver=$(ls "$kdir/lib/modules")
	for f in drivers/net/veth.ko net/sched/sch_ingress.ko net/sched/cls_bpf.ko; do
		[ -f "$kdir/lib/modules/$kver/kernel/$f" ] &&
			put "$kdir/lib/modules/$kver/kernel/$f" "$root" "/lib/modules/$(basename "$f")"
	done
	(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$VMDIR/initramfs.cpio.gz"
}

# Boot the guest; its console (ttyS0) goes to $VMDIR/console-6.1.log.
run_guest() {
	local kdir=$1 log=$VMDIR/console-6.1.log kernel rc
	kernel=$(ls "$kdir"/boot/vmlinuz-*)
	echo "vmtest: booting $(basename "$kernel") under qemu (TCG), console in $log"
	set +e
	timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
		-machine q35 -cpu max -smp 1 -m "$MEM" -nographic -no-reboot \
		-nic none -kernel "$kernel" -initrd "$VMDIR/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 rdinit=/init \
xf_allow_skip=${XF_ALLOW_SKIP:-0}" \
		</dev/null >"$log" 2>&1
	rc=$?
	set -e
	tr -d '\r' <"$log" | sed -n '/=== vmtest guest start/,$p' |
		sed 's/^.*=== vmtest guest start/=== vmtest guest start/' | grep -v '^\[ *[0-9.]*\] ' || true
	[ $rc -eq 124 ] && die "guest did not finish in ${TIMEOUT}s (see $log)"
	rc=$(tr -d '\r' <"$log" | sed -n 's/^VMTEST-RC=\([0-9]*\)$/\1/p' | tail -n1)
	[ -n "$rc" ] || die "guest ended without a result line (kernel panic? see $log)"
	return "$rc"
}

run_61() {
	local kdir start
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 missing (make vmtest-deps installs qemu-system-x86)"
	[ -x /bin/busybox ] || die "/bin/busybox missing (make vmtest-deps installs busybox-static)"
	[ -f "$VMDIR/smoke.bpf.o" ] || die "$VMDIR/smoke.bpf.o missing (make vmtest builds it)"
	start=$(date +%s)
	kdir=$(fetch_kernel_61)
	build_initramfs "$kdir"
	if run_guest "$kdir"; then
		echo "vmtest 6.1: PASS in $(( $(date +%s) - start ))s"
		return 0
	fi
	echo "vmtest 6.1: FAIL after $(( $(date +%s) - start ))s"
	return 1
}

# The running kernel: the same run-tests.sh with the host's tools.
run_host() {
	local start=$(date +%s) rc=0
	echo "vmtest: running the BPF tests on the running kernel $(uname -r)"
	XF_ROOT=$top XDPFLOW=$XDPFLOW XF_BPF_DIR=$BUILD/bpf XF_SMOKE_OBJ=$VMDIR/smoke.bpf.o \
	XF_CORPUS=$CORPUS XF_GUEST_CAPTURES="$GUEST_CAPTURES" XF_PROG_RUN=$BUILD/tools/xdp-prog-run \
	XF_REPLAY_EXTRA="$REPLAY_EXTRA $(make_partial_frames)" \
		sh "$here/run-tests.sh" || rc=$?
	if [ $rc -eq 0 ]; then
		echo "vmtest host: PASS in $(( $(date +%s) - start ))s"
	else
		echo "vmtest host: FAIL after $(( $(date +%s) - start ))s"
	fi
	return $rc
}

case ${1:-} in
6.1) run_61 ;;
host) run_host ;;
*) echo "usage: $0 6.1|host" >&2; exit 2 ;;
esac
