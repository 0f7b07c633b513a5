#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# run-tests.sh - the BPF tests vmtest runs, in the guest (busybox sh) and on
# the running kernel alike:
#   1. smoke: a trivial XDP program loads and runs under BPF_PROG_RUN (if
#      not, the kernel or the harness is at fault, not xdpflow);
#   2. load: every program of every $XF_BPF_DIR/*.bpf.o loads and passes
#      the verifier (bpftool prog loadall; the verifier's log on failure),
#      and the XDP program does so configured with every module on and with
#      payload sampling (xdp-prog-run), then runs the captures;
#   3. replay: tests/kernel/diff-engines.sh on a few captures (TCP, UDP,
#      IPv6, VLAN) and on frames the parser sees in part ($XF_REPLAY_EXTRA:
#      TSO, BIG TCP, the synthetic partial-frames capture): --engine xdp
#      through BPF_PROG_RUN equals the offline engine;
#   4. live (XF_LIVE=1, the guest): tests/kernel/live-veth.sh, xdpflow
#      attached to a veth with tcpreplay into its peer (on the host,
#      tests/kernel/run-all.sh runs it);
#   5. dmesg: the kernel logged no warning, oops or BUG while they ran.
# Prints `N passed, N failed` and exits non-zero on any failure.  A test
# that cannot run (nothing built yet) prints SKIP and counts as a failure
# unless XF_ALLOW_SKIP=1.
#
# Environment: XF_ROOT (tree holding tests/kernel), XDPFLOW, XF_BPF_DIR,
# XF_PROG_RUN (tools/bench/xdp-prog-run: loads the program configured with
# every module and payload sampling, as default-config loading prunes them),
# XF_SMOKE_OBJ, XF_CORPUS, XF_GUEST_CAPTURES (captures to replay; default:
# every capture in $XF_CORPUS/MANIFEST.tsv, which in the guest is a few),
# XF_REPLAY_EXTRA (replayed only; relative to XF_CORPUS or absolute).

: "${XF_ROOT:?}" "${XDPFLOW:?}" "${XF_BPF_DIR:?}" "${XF_SMOKE_OBJ:?}" "${XF_CORPUS:?}"
BPFTOOL=${BPFTOOL:-bpftool}
passed=0
failed=0
skipped=0

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() {
	echo "SKIP $*"
	skipped=$((skipped + 1))
	[ "${XF_ALLOW_SKIP:-0}" = 1 ] || failed=$((failed + 1))
}

dmesg_mark=$(dmesg 2>/dev/null | wc -l)
work=$(mktemp -d /tmp/xf-vmtest.XXXXXX)
bpffs=$work/bpffs
mkdir -p "$bpffs"
if ! mount -t bpf bpf "$bpffs" 2>"$work/mount.err"; then
	echo "run-tests: cannot mount a bpffs at $bpffs: $(cat "$work/mount.err")" >&2
	exit 2
fi
cleanup() {
	rm -rf "$bpffs"/* 2>/dev/null
	umount "$bpffs" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Load every program of OBJ and pin it under the bpffs; on failure show
# the end of what bpftool/libbpf said (it carries the verifier's log).
load_object() {
	obj=$1 name=$(basename "$1" .o); name=$(echo "${name%.bpf}" | tr . _)
	pin=$bpffs/$name
	if "$BPFTOOL" prog loadall "$obj" "$pin" >"$work/$name.log" 2>&1; then
		n=$(ls "$pin" | wc -l)
		pass "load $name: $n program(s) passed the verifier: $(ls "$pin" | tr '\n' ' ')"
		return 0
	fi
	fail "load $name: rejected; last lines from bpftool:"
	tail -n 25 "$work/$name.log" | sed 's/^/    /'
	return 1
}

echo "--- smoke: a trivial XDP program under BPF_PROG_RUN"
if load_object "$XF_SMOKE_OBJ"; then
	# 64-byte frame, 1000 runs: XDP_PASS (2) expected.
	head -c 64 /dev/zero >"$work/frame"
	"$BPFTOOL" prog run pinned "$bpffs/smoke/smoke_count" data_in "$work/frame" repeat 1000 \
		>"$work/run.log" 2>&1
	if grep -q 'Return value: 2' "$work/run.log"; then
		pass "smoke: BPF_PROG_RUN returned XDP_PASS"
	else
		fail "smoke: BPF_PROG_RUN: $(cat "$work/run.log")"
	fi
fi

echo "--- load: every program in $XF_BPF_DIR"
nobj=0
for obj in "$XF_BPF_DIR"/*.bpf.o; do
	[ -f "$obj" ] || continue
	nobj=$((nobj + 1))
	load_object "$obj"
done
[ $nobj -gt 0 ] || skip "load: no $XF_BPF_DIR/*.bpf.o (the kernel engine is not built)"

echo "--- configured: the XDP program with every metering module and payload sampling on"
if [ -x "${XF_PROG_RUN:-}" ]; then
	set --
	for f in ${XF_GUEST_CAPTURES:-}; do set -- "$@" "$XF_CORPUS/$f"; done
	for mode in meter payload; do
		opt=""
		[ $mode = payload ] && opt=--payload
		if "$XF_PROG_RUN" --repeat 10 $opt "$@" >"$work/pr.log" 2>&1 &&
		   grep -q 'run_errors:0$' "$work/pr.log"; then
			pass "configured $mode: loaded, $(sed -n 's/^xdp_frames_[a-z]*=//p' "$work/pr.log") frames through BPF_PROG_RUN," \
			     "$(sed -n 's/^xdp_ns_per_pkt_[a-z]*=//p' "$work/pr.log") ns/frame"
		else
			fail "configured $mode: xdp-prog-run failed:"
			tail -n 14 "$work/pr.log" | sed 's/^/    /'
		fi
	done
else
	skip "configured: ${XF_PROG_RUN:-xdp-prog-run} not built (make xdp-prog-run)"
fi

echo "--- replay: --engine xdp (BPF_PROG_RUN) against the offline engine"
if [ ! -x "$XDPFLOW" ]; then
	skip "replay: $XDPFLOW not built"
else
	set --
	for f in ${XF_GUEST_CAPTURES:-}; do set -- "$@" "$XF_CORPUS/$f"; done
	for f in ${XF_REPLAY_EXTRA:-}; do
		case $f in /*) set -- "$@" "$f" ;; *) set -- "$@" "$XF_CORPUS/$f" ;; esac
	done
	case " ${XF_REPLAY_EXTRA:-} " in
	*partial-frames.pcap*) ;;
	*) echo "replay: no synthetic partial-frames capture (python3 missing on the host?)" ;;
	esac
	# one -R run per engine: under qemu without KVM each program load
	# (verifier) takes many seconds; a differing batch is still compared
	# capture by capture
	if XDPFLOW=$XDPFLOW XF_CORPUS=$XF_CORPUS XF_ALLOW_SKIP=${XF_ALLOW_SKIP:-0} XF_DIFF_LIST=1 \
	   sh "$XF_ROOT/tests/kernel/diff-engines.sh" "$@" >"$work/diff.log" 2>&1; then
		tail -n 1 "$work/diff.log"
		pass "replay: $(tail -n 1 "$work/diff.log")"
	else
		cat "$work/diff.log"
		fail "replay: differential failed (above)"
	fi
fi

if [ "${XF_LIVE:-0}" = 1 ]; then
	echo "--- live: xdpflow attached to a veth, tcpreplay into its peer, against offline"
	if [ ! -x "$XDPFLOW" ]; then
		skip "live: $XDPFLOW not built"
	elif XDPFLOW=$XDPFLOW XF_CORPUS=$XF_CORPUS XF_ALLOW_SKIP=${XF_ALLOW_SKIP:-0} \
	     bash "$XF_ROOT/tests/kernel/live-veth.sh" >"$work/live.log" 2>&1; then
		cat "$work/live.log"
		if grep -q '^SKIP' "$work/live.log"; then
			skip "live: $(grep '^SKIP' "$work/live.log" | head -n 1)"
		else
			pass "live: $(tail -n 1 "$work/live.log")"
		fi
	else
		cat "$work/live.log"
		fail "live: the live veth test failed (above)"
	fi
fi

echo "--- dmesg: warnings logged by the kernel during the tests"
dmesg 2>/dev/null | tail -n +$((dmesg_mark + 1)) >"$work/dmesg"
if sh "$(dirname "$0")/dmesg-check.sh" "$work/dmesg"; then
	pass "dmesg: no kernel warning"
else
	fail "dmesg: the kernel logged warnings (above)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
