#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# xdpflow split: every flow's packets land in its own pcap, nothing is lost
# or duplicated, files are readable by tshark, and selection by flowInd
# list and by filter works.
set -u
XDPFLOW=${XDPFLOW:?set XDPFLOW to the xdpflow binary}
CORPUS=${CORPUS:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus}
WORK=${BUILD:-/tmp}/streams-split
rm -rf "$WORK"; mkdir -p "$WORK"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

ftp="$CORPUS/zeek/ftp/retr.pcap"
if [ ! -f "$ftp" ]; then echo "SKIP: split: $ftp not found"; exit 0; fi
"$XDPFLOW" split "$ftp" -o "$WORK/all" 2>/dev/null || fail "split exited $?"
n=$(ls "$WORK/all" | wc -l)
[ "$n" -eq 2 ] || fail "retr.pcap: $n files, want 2 (control and data connection)"
total=0
for f in "$WORK"/all/*.pcap; do
	c=$(tshark -r "$f" 2>/dev/null | wc -l) || fail "tshark cannot read $f"
	total=$((total + c))
done
want=$(tshark -r "$ftp" -Y tcp 2>/dev/null | wc -l)
[ "$total" -eq "$want" ] || fail "retr.pcap: $total packets in the split files, $want TCP packets in the capture"
data=$(ls "$WORK"/all/*-141.142.192.162.38141-6.pcap 2>/dev/null)
[ -n "$data" ] || fail "data connection file not named after its addresses and ports"
# the data connection's file alone still gives the 16557-byte download
if [ -n "$data" ]; then
	got=$("$XDPFLOW" follow "$data" 1 --format bytes --dir B 2>/dev/null | wc -c)
	[ "$got" -eq 16557 ] || fail "split data connection: follow gives $got bytes, want 16557"
fi
"$XDPFLOW" split "$ftp" -o "$WORK/f2" -f 2 2>/dev/null
[ "$(ls "$WORK/f2" | wc -l)" -eq 1 ] || fail "-f 2 did not select exactly one flow"
"$XDPFLOW" split "$ftp" -o "$WORK/p21" port 21 2>/dev/null
ls "$WORK"/p21/*-141.142.192.162.21-6.pcap >/dev/null 2>&1 || fail "filter 'port 21' did not select the control connection"
[ "$(ls "$WORK/p21" | wc -l)" -eq 1 ] || fail "filter 'port 21' selected more than the control connection"
"$XDPFLOW" split "$ftp" -o "$WORK/bad" -f 'x' >/dev/null 2>&1 && fail "-f x accepted"
echo "streams/split: $fails failure(s)"
[ $fails -eq 0 ]
