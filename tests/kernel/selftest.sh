#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# selftest.sh - tests the differential test: diff-engines.sh run against a
# stand-in xdpflow (fake/xdpflow) must pass equal outputs and must fail,
# naming the flow and column, when `--engine xdp` differs; a refusal for
# lack of privilege must be a loud SKIP, never a pass.  Needs no BPF.
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../../../shared/corpus" 2>/dev/null && pwd)
cap=$corpus/zeek/http/get.pcap
passed=0 failed=0
out=$(mktemp /tmp/xf-selftest.XXXXXX)
trap 'rm -f "$out"' EXIT

# expect NAME MODE EXIT_WANTED PATTERN [env...]
expect() {
	name=$1 mode=$2 want=$3 pat=$4
	shift 4
	env "$@" FAKE_MODE=$mode XDPFLOW="$here/fake/xdpflow" XF_CORPUS="$corpus" \
		sh "$here/diff-engines.sh" "$cap" >"$out" 2>&1
	rc=$?
	if [ $rc -eq "$want" ] && grep -q "$pat" "$out"; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc (want $want), output:"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
	fi
}

expect "equal outputs pass" same 0 '^1 passed, 0 failed'
expect "a differing count fails, naming the column" count 1 'differing columns: numPktsSnt (offline 5, xdp 6)'
expect "an extra flow fails, showing it" extra 1 'only in --engine xdp: A	2'
expect "an xdp run that fails is a failure" crash 1 'exit status offline 0, --engine xdp 1'
expect "no privilege is a SKIP that fails" eperm 1 '^SKIP diff-engines: BPF_PROG_RUN is not permitted'
expect "no privilege with XF_ALLOW_SKIP=1 is a SKIP that passes" eperm 0 '^SKIP diff-engines' XF_ALLOW_SKIP=1
expect "-R batches: equal outputs pass" same 0 '^1 passed, 0 failed' XF_DIFF_LIST=1
expect "-R batches: a difference is traced to its capture" count 1 'differing columns: numPktsSnt (offline 5, xdp 6)' XF_DIFF_LIST=1
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
