#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/gen/run.sh - checks xdpflow-gen, the capture generator of `make bench`,
# against tshark on a small deterministic capture (-p 2000 -f 100):
#   1. same seed, same bytes (pcap and summary); another seed, other bytes
#   2. exactly 2000 packets and 100 flows, the summary adds up to the packets
#   3. every TCP/UDP flow of the summary is a tshark conversation with the same
#      frames and bytes each way, and tshark has no other (check_conv.py)
#   4. no bad IPv4/TCP/UDP/ICMP checksum according to tshark
#   5. the mix is there: VLAN, IPv6, ICMP, ICMPv6, DNS; retransmissions and
#      out-of-order segments; a flow idle longer than 182 s
#   6. the pcapng and nanosecond variants carry the same packets (check 3 again)
# Environment: BUILD (default build/), XF_GEN (default $BUILD/tools/xdpflow-gen).
# Exit 0 only if every check passed; a check that cannot run says SKIP and fails
# the run, since without tshark nothing here is proven.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
XF_GEN=${XF_GEN:-$BUILD/tools/xdpflow-gen}
PY=/usr/bin/python3
fails=0
tmp=$(mktemp -d /tmp/xf-gen-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS gen: $*"; }
fail() { echo "FAIL gen: $*"; fails=$((fails + 1)); }

if [ ! -x "$XF_GEN" ]; then
	make -s -C "$top" BUILD="$BUILD" gen || { echo "FAIL gen: cannot build $XF_GEN"; exit 1; }
fi
if ! command -v tshark >/dev/null; then
	echo "SKIP gen: tshark is not installed; the generator is unchecked"
	exit 1
fi
tsh() { tshark -n "$@" 2>/dev/null; }

gen() { "$XF_GEN" -q -p 2000 -f 100 "$@"; }
gen -o "$tmp/a.pcap" --summary "$tmp/a.tsv" -s 7 || { echo "FAIL gen: generator failed"; exit 1; }
gen -o "$tmp/b.pcap" --summary "$tmp/b.tsv" -s 7
gen -o "$tmp/c.pcap" -s 8
gen -o "$tmp/a.pcapng" --pcapng -s 7
gen -o "$tmp/a-ns.pcap" --ns -s 7

# 1. determinism
if cmp -s "$tmp/a.pcap" "$tmp/b.pcap" && cmp -s "$tmp/a.tsv" "$tmp/b.tsv"; then
	pass "same seed gives the same capture and summary"
else
	fail "same seed gave different output"
fi
if cmp -s "$tmp/a.pcap" "$tmp/c.pcap"; then fail "seeds 7 and 8 gave the same capture"
else pass "another seed gives another capture"; fi

# 2. counts
frames=$(tsh -r "$tmp/a.pcap" -T fields -e frame.number | wc -l)
flows=$(grep -vc '^%' "$tmp/a.tsv")
sum=$(awk -F'\t' '!/^%/ { n += $10 + $12 } END { print n + 0 }' "$tmp/a.tsv")
if [ "$frames" = 2000 ] && [ "$flows" = 100 ] && [ "$sum" = 2000 ]; then
	pass "2000 packets in 100 flows, summary adds up"
else
	fail "tshark frames $frames (want 2000), summary flows $flows (100), summary packets $sum (2000)"
fi

# 3. tshark conversations equal the ground truth
conv() { tsh -r "$1" -q -z conv,tcp -z conv,udp > "$tmp/conv.txt" &&
	 $PY "$here/check_conv.py" "$tmp/a.tsv" "$tmp/conv.txt"; }
if out=$(conv "$tmp/a.pcap"); then pass "tshark conversations: $(tail -n1 <<<"$out")"
else echo "$out"; fail "tshark conversations differ from the summary (pcap)"; fi

# 4. checksums
bad=$(tsh -r "$tmp/a.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-o udp.check_checksum:TRUE \
	-Y 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0 || icmpv6.checksum.status == 0' |
	wc -l)
good=$(tsh -r "$tmp/a.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-o udp.check_checksum:TRUE -Y 'tcp.checksum.status == 1 && ip.checksum.status == 1' | wc -l)
if [ "$bad" = 0 ] && [ "$good" -gt 0 ]; then pass "checksums valid ($good TCP/IPv4 frames verified good)"
else fail "$bad frames with a bad checksum, $good verified good"; fi

# 5. the mix
phs=$(tsh -r "$tmp/a.pcap" -q -z io,phs)
for p in vlan ipv6 icmp icmpv6 dns tcp udp; do
	if grep -Eq "^ *$p +frames" <<<"$phs"; then pass "mix has $p"
	else fail "mix lacks $p"; fi
done
expert=$(tsh -r "$tmp/a.pcap" -q -z expert)
for e in "retransmission" "out-of-order" "Connection reset"; do
	if grep -qi "$e" <<<"$expert"; then pass "tshark sees TCP $e"
	else fail "tshark sees no TCP $e"; fi
done
long=$(awk -F'\t' '!/^%/ && $18 > 0 { n++ } END { print n + 0 }' "$tmp/a.tsv")
if [ "$long" -gt 0 ]; then pass "$long flow(s) idle longer than 182 s"
else fail "no flow idles past the 182 s timeout"; fi

# 6. pcapng and ns variants
for v in a.pcapng a-ns.pcap; do
	if out=$(conv "$tmp/$v"); then pass "$v: tshark conversations equal the summary"
	else echo "$out"; fail "$v: conversations differ from the summary"; fi
done
first_ns=$(tsh -r "$tmp/a-ns.pcap" -c 3 -T fields -e frame.time_epoch | tail -n1)
first_us=$(tsh -r "$tmp/a.pcap" -c 3 -T fields -e frame.time_epoch | tail -n1)
if [ "${first_ns%???}" = "$first_us" ] || [ "${first_ns:0:17}" = "${first_us:0:17}" ]; then
	pass "ns timestamps ($first_ns) truncate to the µs ones ($first_us)"
else
	fail "ns timestamp $first_ns does not match µs $first_us"
fi

if [ $fails -ne 0 ]; then echo "gen: $fails check(s) FAILED"; exit 1; fi
echo "gen: all checks passed"
