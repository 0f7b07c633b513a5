#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# check-verifier.sh - compile tests/bpf/parse_check.bpf.c (the shared parser,
# include/xdpflow/parse.h, with every tunnel and the IPv4 checksum on) with
# clang -target bpf and load it with bpftool, so the kernel's verifier proves
# the parser is BPF-safe.  Prints the verified instruction count.
# Usage: tests/bpf/check-verifier.sh [BUILD_DIR]     (run from the repository root)
set -eu

build=${1:-${BUILD:-build}}
src=tests/bpf/parse_check.bpf.c
obj=$build/tests/bpf/parse_check.bpf.o
log=$build/tests/bpf/parse_check.verifier.log
pin=/sys/fs/bpf/xdpflow_parse_check_$$
clang=${CLANG:-clang}
arch_inc=/usr/include/$(${CC:-cc} -dumpmachine)

mkdir -p "$build/tests/bpf"
if ! command -v "$clang" >/dev/null; then
	echo "check-verifier: FAIL: $clang not found (needed to build BPF)"; exit 1
fi
"$clang" -O2 -g -Wall -target bpf -Iinclude -I"$arch_inc" -c "$src" -o "$obj"
echo "check-verifier: compiled $src for BPF"

if ! command -v bpftool >/dev/null; then
	echo "check-verifier: SKIP verifier load: bpftool not installed"; exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "check-verifier: SKIP verifier load: needs root to load BPF"; exit 0
fi
if ! mount | grep -q ' /sys/fs/bpf '; then
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null || {
		echo "check-verifier: SKIP verifier load: no bpffs at /sys/fs/bpf"; exit 0; }
fi
trap 'rm -f "$pin"' EXIT
# -d: libbpf debug output carries the verifier log (level 1 on failure;
# the "processed N insns" line needs the log, so ask for stats with -d).
if bpftool -d prog load "$obj" "$pin" >"$log" 2>&1; then
	insns=$(sed -n 's/.*processed \([0-9]*\) insns.*/\1/p' "$log" | tail -1)
	echo "check-verifier: PASS: the verifier accepts xf_parse${insns:+ (processed $insns insns)}"
	bpftool prog show pinned "$pin" | sed 's/^/check-verifier:   /' | head -3
else
	tail -30 "$log"
	echo "check-verifier: FAIL: the verifier rejected $obj (log: $log)"
	exit 1
fi
