#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# zeek/ftp/retr.pcap: the control channel announces the file size
# ("213 16557"); the data connection's server direction must carry exactly
# that many bytes, extracted by follow and by the payload dumper.
set -u
XDPFLOW=${XDPFLOW:?set XDPFLOW to the xdpflow binary}
CORPUS=${CORPUS:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus}
WORK=${BUILD:-/tmp}/streams-ftp
pcap="$CORPUS/zeek/ftp/retr.pcap"
rm -rf "$WORK"; mkdir -p "$WORK"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ -f "$pcap" ] || { echo "SKIP: ftp: $pcap not found"; exit 0; }

# the announced size, read from the control connection's server side
announced=$("$XDPFLOW" follow "$pcap" 1 --format bytes --dir B 2>/dev/null |
	tr -d '\r' | sed -n 's/^213 \([0-9][0-9]*\)$/\1/p' | head -1)
[ "$announced" = 16557 ] || fail "control channel: announced size '$announced', want 16557"

# follow: flow 2 is the data connection (second flow by first packet)
"$XDPFLOW" follow "$pcap" 2 --format bytes --dir B >"$WORK/follow.bin" 2>"$WORK/follow.err" ||
	fail "follow flow 2 exited $?"
got=$(wc -c <"$WORK/follow.bin")
[ "$got" = "$announced" ] || fail "follow: data connection carried $got bytes, announced $announced"
grep -q "missing" "$WORK/follow.err" && fail "follow: gaps reported on a complete transfer"
# and by 5-tuple, from the client's end
got=$("$XDPFLOW" follow "$pcap" 141.142.228.5:50737-141.142.192.162:38141 --format bytes --dir B 2>/dev/null | wc -c)
[ "$got" = "$announced" ] || fail "follow by 5-tuple: $got bytes"

# the dumper, through the engine (needs the offline engine and its CLI)
if "$XDPFLOW" -r "$pcap" -w "$WORK/run" -D MODULES=default,payloadDumper \
	-D PLDUMP_FOLDER="$WORK/pld" -D PLDUMP_RMDIR=1 >"$WORK/run.out" 2>&1; then
	f="$WORK/pld/2_B"
	[ -f "$f" ] || fail "dumper: no file $f ($(ls "$WORK/pld" | tr '\n' ' '))"
	[ -f "$f" ] && { got=$(wc -c <"$f"); [ "$got" = "$announced" ] || fail "dumper: $f has $got bytes"; }
	cmp -s "$f" "$WORK/follow.bin" || fail "dumper and follow disagree on the data connection"
	grep -q "pldStat" "$WORK/run_flows.txt" 2>/dev/null || fail "dumper: no pldStat column in run_flows.txt"
	grep -q "payloadDumper: .* dumped" "$WORK/run.out" "$WORK/run_log.txt" 2>/dev/null ||
		fail "dumper: no end-report line"
else
	echo "SKIP: ftp: the offline engine run failed ($(tail -1 "$WORK/run.out")): dumper not checked"
fi
echo "streams/ftp: $fails failure(s)"
[ $fails -eq 0 ]
