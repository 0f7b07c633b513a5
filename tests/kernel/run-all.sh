#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run-all.sh - the kernel engine's tests, for `make test`:
#   harness   diff-engines.sh itself catches differences (selftest.sh, no BPF)
#   stack61   every program's call chain fits the 6.1 verifier's stack rule
#             (frames rounded to 32, 512 in all; tests/bpf/check-stack.py),
#             which the running kernel's verifier does not apply
#   load      every BPF program loads and passes the verifier on the running
#             kernel, BPF_PROG_RUN works, no kernel warning (vmtest/vmtest.sh host)
#   diff      offline engine vs --engine xdp over the corpus (diff-engines.sh)
#   partial   the same on synthetic frames the kernel's parser sees only in
#             part: multi-buffer, over 64 KiB (partial-frames.sh)
#   live      xdpflow on a veth in a namespace vs offline (live-veth.sh)
# Sums the suites' `N passed, N failed` lines into one closing line; exits
# non-zero if any suite failed.  A suite that cannot run here says SKIP and
# fails, unless XF_ALLOW_SKIP=1.
#
# Environment: BUILD, XDPFLOW, XF_CORPUS; XF_QUICK=1 compares every 10th
# capture of the corpus only (the full differential is the default);
# XF_DIFF_LIST=0 runs the differential one capture per program load.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
export BUILD XDPFLOW=${XDPFLOW:-$BUILD/xdpflow}
[ "${XF_QUICK:-0}" = 1 ] && export XF_SAMPLE=${XF_SAMPLE:-10}
# one program load per batch of captures (the verifier's time dominates a
# per-capture run: ~8 min for the corpus instead of ~1 min); a batch that
# differs is compared capture by capture, so a failure is still named
export XF_DIFF_LIST=${XF_DIFF_LIST:-1}

total_pass=0 total_fail=0 bad_suites=""
run_suite() {
	local name=$1 log start rc line p f
	shift
	log=$(mktemp /tmp/xf-kernel-$name.XXXXXX)
	start=$(date +%s)
	echo "=== kernel/$name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	# a suite that died without its summary counts as one failure
	[ -n "$p" ] || { p=0; f=1; }
	[ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ $rc -eq 0 ] || bad_suites="$bad_suites $name"
	echo "=== kernel/$name: exit $rc in $(( $(date +%s) - start ))s"
}

# the helpers the load suite uses (a failure shows there as a SKIP/FAIL)
make -s -C "$top" BUILD="$BUILD" "$BUILD/vmtest/smoke.bpf.o" xdp-prog-run >/dev/null ||
	echo "run-all: cannot build vmtest's smoke program or xdp-prog-run"
run_suite harness "$here/selftest.sh"
run_suite stack61 /usr/bin/python3 "$top/tests/bpf/check-stack.py" "$BUILD/bpf/xdpflow.bpf.o"
run_suite load "$top/vmtest/vmtest.sh" host
run_suite diff "$here/diff-engines.sh"
run_suite partial "$here/partial-frames.sh"
run_suite live "$here/live-veth.sh"

[ -z "$bad_suites" ] || echo "kernel tests failed:$bad_suites"
echo "$total_pass passed, $total_fail failed"
[ -z "$bad_suites" ]
