#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# check-meter.sh - compile tests/bpf/meter_check.bpf.c (include/xdpflow/meter.h
# under a bpf_spin_lock) with clang -target bpf and load it with bpftool, so
# the kernel's verifier proves the shared meter is BPF-safe.
# Usage: tests/bpf/check-meter.sh [BUILD_DIR]     (run from the repository root)
set -eu

build=${1:-${BUILD:-build}}
src=tests/bpf/meter_check.bpf.c
obj=$build/tests/bpf/meter_check.bpf.o
pin=/sys/fs/bpf/xdpflow_meter_check_$$
clang=${CLANG:-clang}
arch_inc=/usr/include/$(${CC:-cc} -dumpmachine)

mkdir -p "$build/tests/bpf"
if ! command -v "$clang" >/dev/null; then
	echo "check-meter: FAIL: $clang not found (needed to build BPF)"; exit 1
fi
"$clang" -O2 -g -Wall -target bpf -Iinclude -I"$arch_inc" -c "$src" -o "$obj"
echo "check-meter: compiled $src for BPF"

if ! command -v bpftool >/dev/null; then
	echo "check-meter: SKIP verifier load: bpftool not installed"; exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "check-meter: SKIP verifier load: needs root to load BPF"; exit 0
fi
if ! mount | grep -q ' /sys/fs/bpf '; then
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null || {
		echo "check-meter: SKIP verifier load: no bpffs at /sys/fs/bpf"; exit 0; }
fi
log=$build/tests/bpf/meter_check.verifier.log
trap 'rm -f "$pin"' EXIT
if bpftool prog load "$obj" "$pin" >"$log" 2>&1; then
	echo "check-meter: PASS: the verifier accepts xf_meter_update under bpf_spin_lock"
	bpftool prog show pinned "$pin" | sed -n 's/^/check-meter:   /p' | head -2
else
	tail -25 "$log"
	echo "check-meter: FAIL: the verifier rejected $obj (log: $log)"
	exit 1
fi
