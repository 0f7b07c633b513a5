#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench-streams.sh - the streams part of `make bench`: reassembly and
# payload dump throughput against tcpflow on the same capture, and peak
# memory bounded by the reassembly caps.
#
# 1. a stream-heavy capture (tests/streams/gen_pcaps.py --bulk: STREAMS_FLOWS
#    connections x STREAMS_SEGS segments of 1000 bytes, interleaved), cached
#    in $BUILD/bench/ by its parameters and the generator's sha256
# 2. xdpflow with the payloadDumper (tcpflow names) and tcpflow, each
#    STREAMS_REPS times, /usr/bin/time: wall and peak RSS, median; the two
#    output folders must hold the same bytes
# 3. the same capture with every flow's first segment missing, so every
#    byte waits out of order: with REASM_MAX_OOO_TOTAL=8 MiB the peak RSS
#    must stay within the run without holes + the cap + 16 MiB slack
#
# Prints key=value lines: streams_xdpflow_s, streams_tcpflow_s,
# streams_speedup (target >= 2), streams_xdpflow_rss_kb, streams_tcpflow_rss_kb,
# streams_hole_rss_kb, streams_hole_cap_kb, streams_outputs_equal.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
XDPFLOW=${XDPFLOW:-$BUILD/xdpflow}
FLOWS=${STREAMS_FLOWS:-2000}
SEGS=${STREAMS_SEGS:-100}
REPS=${STREAMS_REPS:-3}
DIR=$BUILD/bench/streams
GEN=$top/tests/streams/gen_pcaps.py
mkdir -p "$DIR"

command -v tcpflow >/dev/null || { echo "streams_bench=SKIP (tcpflow not installed)"; exit 0; }
[ -x "$XDPFLOW" ] || { echo "streams_bench=SKIP ($XDPFLOW not built)"; exit 0; }

key="$FLOWS $SEGS $(sha256sum < "$GEN" | cut -c1-16)"
CAP=$DIR/streams-f$FLOWS-s$SEGS.pcap
HOLE=$DIR/streams-f$FLOWS-s$SEGS-hole.pcap
if [ "$(cat "$CAP.key" 2>/dev/null)" != "$key" ]; then
	python3 "$GEN" --bulk "$CAP" "$FLOWS" "$SEGS" 1000 &&
	python3 "$GEN" --bulk "$HOLE" "$FLOWS" "$SEGS" 1000 hole &&
	echo "$key" > "$CAP.key" || { echo "bench-streams: generator failed"; exit 1; }
fi
cat "$CAP" "$HOLE" > /dev/null     # warm the page cache

# run NAME FUNCTION ARGS...: wall seconds and peak RSS (kB) appended to
# $DIR/NAME.times.  /usr/bin/time runs programs, not shell functions: the
# function (xf_dump, tf_dump) runs in a child bash that inherits it (export -f).
run() {
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$DIR/time.tmp" bash -c '"$@"' run "$@" \
		> "$DIR/$name.out" 2>&1 || return 1
	cat "$DIR/time.tmp" >> "$DIR/$name.times"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

xf_dump() {   # CAP OUTDIR [extra -D...]
	local cap=$1 out=$2; shift 2
	rm -rf "$out"
	"$XDPFLOW" -r "$cap" -w "$out/run" -D MODULES=default,payloadDumper \
		-D PLDUMP_FOLDER="$out/pld" -D PLDUMP_NAMES=tcpflow "$@"
}

tf_dump() {   # CAP OUTDIR
	rm -rf "$2"; mkdir -p "$2"
	tcpflow -r "$1" -o "$2"
}
export XDPFLOW
export -f xf_dump tf_dump

rm -f "$DIR"/*.times
if ! xf_dump "$CAP" "$DIR/xf" > "$DIR/probe.out" 2>&1; then
	echo "streams_bench=SKIP (xdpflow -r ... -D MODULES=default,payloadDumper failed: $(tail -1 "$DIR/probe.out"))"
	exit 0
fi
for ((i = 0; i < REPS; i++)); do
	run xdpflow xf_dump "$CAP" "$DIR/xf" || { echo "bench-streams: xdpflow failed"; exit 1; }
	run tcpflow tf_dump "$CAP" "$DIR/tf" || { echo "bench-streams: tcpflow failed"; exit 1; }
done
run hole xf_dump "$HOLE" "$DIR/xfh" -D REASM_MAX_OOO_TOTAL=8388608 ||
	{ echo "bench-streams: xdpflow failed on the capture with holes"; exit 1; }

xs=$(cut -d' ' -f1 "$DIR/xdpflow.times" | median)
ts=$(cut -d' ' -f1 "$DIR/tcpflow.times" | median)
xm=$(cut -d' ' -f2 "$DIR/xdpflow.times" | median)
tm=$(cut -d' ' -f2 "$DIR/tcpflow.times" | median)
hm=$(cut -d' ' -f2 "$DIR/hole.times")
xb=$(cat "$DIR"/xf/pld/* 2>/dev/null | wc -c)
tb=$(find "$DIR/tf" -type f ! -name report.xml -exec cat {} + | wc -c)
echo "streams_capture=$(basename "$CAP") flows=$FLOWS segments_per_flow=$SEGS"
echo "streams_xdpflow_s=$xs"
echo "streams_tcpflow_s=$ts"
echo "streams_speedup=$(awk -v a="$ts" -v b="$xs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
awk -v a="$ts" -v b="$xs" 'BEGIN { exit !(b > 0 && a / b < 2) }' && echo "streams_speedup_target=MISSED (goal: 2x tcpflow)"
echo "streams_xdpflow_rss_kb=$xm"
echo "streams_tcpflow_rss_kb=$tm"
echo "streams_hole_rss_kb=$hm"
echo "streams_hole_cap_kb=8192"
[ "$hm" -le $((xm + 8192 + 16384)) ] || echo "streams_hole_memory=MISSED (peak $hm kB > $xm + cap + slack)"
if [ "$xb" -eq "$tb" ]; then echo "streams_outputs_equal=yes ($xb bytes)"; else
	echo "streams_outputs_equal=NO (xdpflow $xb bytes, tcpflow $tb bytes)"; exit 1; fi
