#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TSO / BIG TCP super-frames (IP length field 0, frames over 64 KiB, in
# tunnels too): the parser's 16-bit lengths saturate at 0xffff, so the
# payload length must come from the frame.  The dumper and follow must both
# give each segment whole: tcpdump's bigtcp captures carry 80000-byte
# streams (79968 / 79924 where the frame is cut), and the two must agree.
set -u
XDPFLOW=${XDPFLOW:?set XDPFLOW to the xdpflow binary}
CORPUS=${CORPUS:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus}
WORK=${BUILD:-/tmp}/streams-bigtcp
rm -rf "$WORK"; mkdir -p "$WORK"
fails=0 checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for name in bigtcp-ipv4 bigtcp-ipv6 bigtcp-ipv6-hbh bigtcp-ipv4-vxlan-ipv6; do
	pcap="$CORPUS/tcpdump/$name.pcap"
	[ -f "$pcap" ] || { fail "$pcap not found"; continue; }
	d="$WORK/$name"
	"$XDPFLOW" -r "$pcap" -w "$d/run" -D MODULES=default,payloadDumper \
		-D PLDUMP_FOLDER="$d/pld" >"$d.out" 2>&1 || { fail "$name: xdpflow exited $?"; continue; }
	[ -f "$d/pld/1_A" ] || { fail "$name: no dump 1_A ($(ls "$d/pld" | tr '\n' ' '))"; continue; }
	"$XDPFLOW" follow "$pcap" 1 --dir A --format bytes >"$d/follow.bin" 2>/dev/null ||
		fail "$name: follow exited $?"
	got=$(wc -c <"$d/pld/1_A")
	[ "$got" -gt 65535 ] || fail "$name: dumper wrote $got bytes: a segment was cut at the 16-bit length"
	cmp -s "$d/pld/1_A" "$d/follow.bin" ||
		fail "$name: dumper ($got bytes) and follow ($(wc -c <"$d/follow.bin") bytes) disagree"
	checked=$((checked + 1))
done
[ $fails -eq 0 ] && echo "PASS: bigtcp: dumper and follow agree on $checked BIG TCP streams over 64 KiB"
exit $((fails > 0))
