#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Crafted captures (gen_pcaps.py): every reassembly case, both directions,
# IPv4 and IPv6.  `xdpflow follow --format bytes` must give exactly the
# expected stream of each direction, and report exactly the expected gaps.
# Also checks that every format runs and that JSON lines parse.
set -u
XDPFLOW=${XDPFLOW:?set XDPFLOW to the xdpflow binary}
WORK=${BUILD:-/tmp}/streams-crafted
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK"; mkdir -p "$WORK"
python3 "$here/gen_pcaps.py" "$WORK" || { echo "FAIL: generator"; exit 1; }

fails=0; n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for pcap in "$WORK"/*.pcap; do
	base=${pcap%.pcap}; name=$(basename "$base")
	got_gaps=$(mktemp)
	for d in A B; do
		n=$((n + 1))
		"$XDPFLOW" follow "$pcap" 1 --format bytes --dir $d >"$base.$d.got" 2>"$base.$d.err" ||
			{ fail "$name dir $d: follow exited $?: $(head -1 "$base.$d.err")"; continue; }
		cmp -s "$base.$d.got" "$base.$d.bin" ||
			fail "$name dir $d: stream differs (got $(wc -c <"$base.$d.got") bytes, want $(wc -c <"$base.$d.bin"))"
		sed -n "s/.*direction \([AB]\): \([0-9]*\) bytes missing at offset \([0-9]*\).*/\1 \3 \2/p" \
			"$base.$d.err" >>"$got_gaps"
	done
	diff -q <(sort "$got_gaps") <(sort "$base.gaps") >/dev/null ||
		fail "$name: gaps reported '$(tr '\n' ';' <"$got_gaps")' want '$(tr '\n' ';' <"$base.gaps")'"
	rm -f "$got_gaps"
	for f in text ascii hex raw json; do
		"$XDPFLOW" follow "$pcap" 1 --format $f >"$base.$f" 2>/dev/null ||
			fail "$name: --format $f exited $?"
	done
	"$XDPFLOW" follow "$pcap" 1 --no-reassembly >/dev/null 2>&1 || fail "$name: --no-reassembly"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$base.json" ||
		fail "$name: JSON output does not parse"
	grep -q "^flow 1: client packets [0-9]* ([0-9]* bytes), server packets" "$base.text" ||
		fail "$name: text output has no closing line"
done

# 5-tuple selection gives the same flow as flowInd 1, from either end
t4="$WORK/inorder.v4.pcap"; t6="$WORK/inorder.v6.pcap"
cmp -s <("$XDPFLOW" follow "$t4" 10.0.0.2:8080-10.0.0.1:40000/tcp --format bytes --dir B 2>/dev/null) \
	"$WORK/inorder.v4.B.bin" || fail "5-tuple selection (IPv4)"
cmp -s <("$XDPFLOW" follow "$t6" '[2001:db8::1]:40000-[2001:db8::2]:8080' --format bytes --dir A 2>/dev/null) \
	"$WORK/inorder.v6.A.bin" || fail "5-tuple selection (IPv6)"
# a gap is shown in the text formats too
grep -q "gap: 6 bytes missing in capture at offset 3" "$WORK/gap.v4.text" || fail "gap not shown in text"
grep -q '"type":"gap".*"offset":3,"len":6' "$WORK/gap.v6.json" || fail "gap not shown in json"
grep -q "\[6 bytes missing in capture file\]" "$WORK/gap.v4.ascii" || fail "gap not shown in ascii"
# the overlap is counted and shown
grep -q "overlap: 3 bytes at offset 4" "$WORK/overlap_diff.v4.text" || fail "overlap not shown in text"
# other policies: last wins takes the retransmitted bytes
got=$("$XDPFLOW" follow "$WORK/overlap_diff.v4.pcap" 1 -D REASM_POLICY=last --format bytes 2>/dev/null)
[ "$got" = "0123new" ] || fail "REASM_POLICY=last gave '$got', want 0123new"
# a packets file (-s output, T2 columns, C-escaped l7Content) as SOURCE
for c in ooo seqwrap overlap_diff; do
	for v in v4 v6; do
		pk="$WORK/$c.$v.packets.txt"
		python3 "$here/packets_file.py" "$WORK/$c.$v.pcap" "$pk" || { fail "packets_file.py $c.$v"; continue; }
		for d in A B; do
			"$XDPFLOW" follow "$pk" 1 --format bytes --dir $d 2>/dev/null | cmp -s - "$WORK/$c.$v.$d.bin" ||
				fail "packets file $c.$v dir $d: stream differs"
		done
	done
done
# a packets file keeps only the first bytes of each payload: the rest is a gap
python3 "$here/packets_file.py" "$WORK/inorder.v4.pcap" "$WORK/snap.txt" 2
"$XDPFLOW" follow "$WORK/snap.txt" 1 --format bytes --dir A 2>"$WORK/snap.err" >"$WORK/snap.bin"
[ "$(od -An -c "$WORK/snap.bin" | tr -d ' ')" = 'he\0\0\0\0wo\0\0\0\0' ] ||
	fail "snapped packets file: stream $(od -An -c "$WORK/snap.bin" | tr -d ' ')"
[ "$(grep -c 'bytes missing' "$WORK/snap.err")" -eq 2 ] || fail "snapped packets file: gaps not reported"

# bad selectors and sources fail with one line
"$XDPFLOW" follow "$t4" 99 >/dev/null 2>&1 && fail "flow 99 should not exist"
"$XDPFLOW" follow "$t4" 'nonsense' >/dev/null 2>&1 && fail "bad FLOW accepted"
"$XDPFLOW" follow /nonexistent 1 >/dev/null 2>&1 && fail "missing SOURCE accepted"

echo "streams/crafted: $n direction checks over $(ls "$WORK"/*.pcap | wc -l) captures, $fails failure(s)"
[ $fails -eq 0 ]
