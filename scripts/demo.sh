#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The quick start's first command ends here: xdpflow on a real capture from
# ../shared/corpus, then a look at what it wrote.
#   scripts/demo.sh [XDPFLOW] [CAPTURE]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
xdpflow=${1:-$root/build/xdpflow}
cap=${2:-$root/../shared/corpus/zeek/ftp/retr.pcap}
out=$root/build/demo
if [ ! -f "$cap" ]; then
	echo "demo: $cap: capture not found (../shared/corpus must sit beside the project)" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
echo "== xdpflow -r $cap -w $out/"
"$xdpflow" -r "$cap" -w "$out/"
name=$(basename "$cap"); name=${name%.gz}; name=${name%.*}
echo
echo "== files written"
ls -l "$out"
echo
echo "== $out/${name}_flows.txt (first columns; every column: ${name}_headers.txt)"
if command -v column >/dev/null 2>&1; then
	cut -f 1-9,14-22 "$out/${name}_flows.txt" | column -t -s "$(printf '\t')"
else
	cut -f 1-9,14-22 "$out/${name}_flows.txt"
fi
echo
echo "== explain the first flow's flowStat"
"$xdpflow" --explain-flowstat "$(sed -n 2p "$out/${name}_flows.txt" | cut -f 3)"
