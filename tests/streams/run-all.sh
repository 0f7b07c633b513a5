#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stream tests: crafted captures (every reassembly case, both directions,
# IPv4/IPv6), split, the FTP size check, and the comparison with tshark and
# tcpflow on the crafted captures and on the corpus's TCP-heavy folders.
# Peer outputs are cached by capture sha256 in $XF_PEER_CACHE/streams
# (default /var/tmp/xdpflow-peer-cache, outside the clone so a fresh clone on
# the same machine reuses it): the first run pays for tshark/tcpflow, later
# runs take well under a minute.
#
#   XDPFLOW=build/xdpflow BUILD=build tests/streams/run-all.sh
#   STREAMS_CORPUS=all   compare every corpus capture (slow the first time)
#   STREAMS_CORPUS=none  skip the corpus comparison
set -u
here=$(cd "$(dirname "$0")" && pwd)
export XDPFLOW=${XDPFLOW:?set XDPFLOW to the xdpflow binary}
export BUILD=${BUILD:-/tmp}
export CORPUS=${CORPUS:-$(cd "$here/../../.." && pwd)/shared/corpus}
cache="${XF_PEER_CACHE:-/var/tmp/xdpflow-peer-cache}/streams-$(tshark -v 2>/dev/null | head -n1 | tr -c 'A-Za-z0-9.\n' _)-$(tcpflow -V 2>/dev/null | head -n1 | tr -c 'A-Za-z0-9.\n' _)"
mkdir -p "$cache"
rc=0

for t in crafted split ftp bigtcp; do
	echo "== streams/$t"
	"$here/$t.sh" || rc=1
done

for tool in tshark tcpflow; do
	command -v $tool >/dev/null || { echo "SKIP: peer comparison: $tool not installed"; exit $rc; }
done

echo "== streams/peers (crafted captures)"
python3 "$here/compare_peers.py" --xdpflow "$XDPFLOW" --cache "$cache" \
	"$BUILD"/streams-crafted/*.pcap || rc=1

case ${STREAMS_CORPUS:-default} in
none)	echo "SKIP: corpus comparison (STREAMS_CORPUS=none)"; exit $rc ;;
all)	pattern='.' ;;
*)	pattern='^zeek/(ftp|tcp|smtp|pop3|http)/' ;;
esac
if [ ! -f "$CORPUS/MANIFEST.tsv" ]; then
	echo "SKIP: corpus comparison: $CORPUS/MANIFEST.tsv not found"
	exit $rc
fi
echo "== streams/peers (corpus: $pattern)"
mapfile -t files < <(awk -F'\t' 'NR > 1 && $9 == "flows" { print $1 }' "$CORPUS/MANIFEST.tsv" |
	grep -E "$pattern" | sed "s|^|$CORPUS/|")
python3 "$here/compare_peers.py" --xdpflow "$XDPFLOW" --cache "$cache" --max-streams 300 \
	"${files[@]}" || rc=1
exit $rc
