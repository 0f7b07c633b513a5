#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench-streams.sh - the streams part of `make bench`: reassembly and
# payload dump throughput against tcpflow on the same capture, the floor
# both share, and peak memory bounded by the reassembly caps.
#
# 1. a stream-heavy capture (tests/streams/gen_pcaps.py --bulk: STREAMS_FLOWS
#    connections x STREAMS_SEGS segments of 1000 bytes, interleaved), cached
#    in $BUILD/bench/ by its parameters and the generator's sha256
# 2. on each file system of STREAMS_FS ("disk": $BUILD/bench/streams/, the
#    disk the build lives on; "tmpfs": /dev/shm, if it is a tmpfs), round
#    robin STREAMS_REPS times: xdpflow with the payloadDumper (tcpflow
#    names), tcpflow, and the floor: tools/bench/write-floor.c reading the
#    capture and writing the same files (names and sizes) with one write()
#    per MiB and nothing else.  /usr/bin/time: wall, user, sys, peak RSS;
#    medians.  Every run writes into a new empty directory, removed outside
#    the timing (on the disk only at the end: ext4 without a journal scans
#    past every inode freed in the last minutes when it creates a file, so
#    deleting 4000 files just before a run would charge the next tool for it;
#    for the same reason the probe run writes to the tmpfs, and each round
#    starts with the next tool).  Runs of this script less than a few minutes
#    apart still charge the first rounds for the last one's removed files.
#    Before each run on the disk, `sync` (untimed) writes back what earlier
#    runs left dirty, so no run waits for another's writeback
# 3. the files of the first round: tcpflow's and xdpflow's must be the same
#    files with the same bytes (tcpflow's zero-padded names mapped to the
#    RFC 5952 ones), else the run fails
# 4. the same capture with every flow's first segment missing, so every
#    byte waits out of order: with REASM_MAX_OOO_TOTAL=8 MiB the peak RSS
#    must stay within the run without holes + the cap + 16 MiB slack
#
# Prints key=value lines; disk figures without a prefix, tmpfs ones with
# streams_tmpfs_: streams_xdpflow_s, streams_tcpflow_s, streams_floor_s
# (wall medians), streams_*_cpu_s (user+sys), streams_speedup (tcpflow /
# xdpflow wall; target >= 2), streams_speedup_cpu, streams_speedup_above_floor
# ((tcpflow - floor) / (xdpflow - floor), wall), streams_xdpflow_rss_kb,
# streams_tcpflow_rss_kb, streams_hole_rss_kb, streams_hole_cap_kb,
# streams_outputs_equal.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
XDPFLOW=${XDPFLOW:-$BUILD/xdpflow}
FLOWS=${STREAMS_FLOWS:-2000}
SEGS=${STREAMS_SEGS:-100}
REPS=${STREAMS_REPS:-3}
FSES=${STREAMS_FS:-disk tmpfs}
DIR=$BUILD/bench/streams
GEN=$top/tests/streams/gen_pcaps.py
FLOOR=$BUILD/tools/write-floor
mkdir -p "$DIR"

command -v tcpflow >/dev/null || { echo "streams_bench=SKIP (tcpflow not installed)"; exit 0; }
[ -x "$XDPFLOW" ] || { echo "streams_bench=SKIP ($XDPFLOW not built)"; exit 0; }
if [ ! -x "$FLOOR" ] || [ "$here/write-floor.c" -nt "$FLOOR" ]; then
	mkdir -p "$(dirname "$FLOOR")"
	${CC:-cc} -O2 -Wall -o "$FLOOR" "$here/write-floor.c" ||
		{ echo "bench-streams: cannot build $FLOOR"; exit 1; }
fi

key="$FLOWS $SEGS $(sha256sum < "$GEN" | cut -c1-16)"
CAP=$DIR/streams-f$FLOWS-s$SEGS.pcap
HOLE=$DIR/streams-f$FLOWS-s$SEGS-hole.pcap
if [ "$(cat "$CAP.key" 2>/dev/null)" != "$key" ]; then
	python3 "$GEN" --bulk "$CAP" "$FLOWS" "$SEGS" 1000 &&
	python3 "$GEN" --bulk "$HOLE" "$FLOWS" "$SEGS" 1000 hole &&
	echo "$key" > "$CAP.key" || { echo "bench-streams: generator failed"; exit 1; }
fi
cat "$CAP" "$HOLE" > /dev/null     # warm the page cache

# where each file system's runs write
TMPFS=/dev/shm/xdpflow-bench-streams.$$
root() { case $1 in disk) echo "$DIR/out" ;; tmpfs) echo "$TMPFS" ;; esac; }
cleanup() { rm -rf "$TMPFS" "$DIR/out" "$DIR/probe" "$DIR/old.$$"; }
trap cleanup EXIT
fses=
for fs in $FSES; do
	case $fs in
	disk) fses="$fses disk" ;;
	tmpfs) if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then fses="$fses tmpfs"
	       else echo "streams_tmpfs=SKIP (/dev/shm is not a tmpfs)"; fi ;;
	*) echo "bench-streams: STREAMS_FS: '$fs' is neither disk nor tmpfs"; exit 1 ;;
	esac
done
[ -n "$fses" ] || { echo "bench-streams: no file system to measure on"; exit 1; }
# outputs of an interrupted run: set aside now, removed at the end (see
# the header: removing files on the disk just before a run is charged to it)
[ -e "$DIR/out" ] && mv "$DIR/out" "$DIR/old.$$"
[ -e "$DIR/probe" ] && mv "$DIR/probe" "$DIR/old.$$/probe" 2>/dev/null
rm -rf "$TMPFS"

# xf_cmd CAPTURE OUTDIR: the xdpflow command line into the array xf
xf_cmd() { xf=("$XDPFLOW" -r "$1" -w "$2/run" -D MODULES=default,payloadDumper
	-D PLDUMP_FOLDER="$2/pld" -D PLDUMP_NAMES=tcpflow); }

# a probe run: xdpflow works, and the manifest (names, sizes) for the floor.
# On the tmpfs if there is one (else kept with the outputs till the end):
# its 4000 files removed from the disk just before the timed runs would
# charge the first tools on the disk for ext4 skipping their freed inodes
probe=$DIR/out/probe
case " $fses " in *" tmpfs "*) probe=$TMPFS/probe ;; esac
mkdir -p "$probe"
xf_cmd "$CAP" "$probe"
if ! "${xf[@]}" > "$DIR/probe.out" 2>&1; then
	echo "streams_bench=SKIP (xdpflow -r ... -D MODULES=default,payloadDumper failed: $(tail -1 "$DIR/probe.out"))"
	exit 0
fi
(cd "$probe/pld" && find . -maxdepth 1 -type f -printf '%f %s\n' | sort) > "$DIR/manifest"
[ "$probe" = "$TMPFS/probe" ] && rm -rf "$probe"

# run FS TOOL REP: one timed run into a new directory; appends
# "FS TOOL wall user sys rssKB" to $DIR/times
run() {
	local fs=$1 tool=$2 out cmd
	out=$(root "$fs")/$tool.$3
	mkdir -p "$out"
	case $tool in
	xdpflow) xf_cmd "$CAP" "$out"; cmd=("${xf[@]}") ;;
	tcpflow) cmd=(tcpflow -r "$CAP" -o "$out") ;;
	floor) cmd=("$FLOOR" "$DIR/manifest" "$out" "$CAP") ;;
	esac
	# the earlier runs' 200 MB each written back first, outside the timing:
	# kept dirty, they added up past the kernel's dirty thresholds within a
	# few rounds and one run (a tcpflow one: 30 s wall for 2.3 s of CPU) was
	# throttled for the writeback of the others' files
	[ "$fs" = disk ] && sync
	/usr/bin/time -f "$fs $tool %e %U %S %M" -a -o "$DIR/times" "${cmd[@]}" \
		> "$DIR/$tool.out" 2>&1 || { echo "bench-streams: $tool failed on $fs: $(tail -1 "$DIR/$tool.out")"; exit 1; }
	# the first round's outputs stay for the comparison; tmpfs is memory
	[ "$fs" = tmpfs ] && [ "$3" -gt 1 ] && rm -rf "$out"
	return 0
}

rm -f "$DIR/times"
echo "streams_load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
# each round starts with the next tool (xdpflow, tcpflow, floor; then
# tcpflow, floor, xdpflow; ...), so whatever slows the first runs of a
# round (the page cache, inodes freed by an earlier run) is not always
# charged to the same tool
tools=(xdpflow tcpflow floor)
for ((i = 1; i <= REPS; i++)); do
	for fs in $fses; do
		for ((k = 0; k < 3; k++)); do
			run "$fs" "${tools[(i - 1 + k) % 3]}" "$i" || exit 1
		done
	done
done
echo "streams_load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$DIR/out/hole"
xf_cmd "$HOLE" "$DIR/out/hole"
/usr/bin/time -f "%M" -o "$DIR/hole.times" "${xf[@]}" -D REASM_MAX_OOO_TOTAL=8388608 > "$DIR/hole.out" 2>&1 ||
	{ echo "bench-streams: xdpflow failed on the capture with holes"; exit 1; }
grep -h "payloadDumper: .* files opened" "$DIR/xdpflow.out" | sed 's/^/streams_xdpflow_syscalls=/'

# med FS TOOL FIELD: median of a column of $DIR/times (3 wall, 4 user,
# 5 sys, 6 rss, 0 user+sys)
med() {
	awk -v fs="$1" -v t="$2" -v f="$3" '$1 == fs && $2 == t { print (f ? $f : $4 + $5) }' "$DIR/times" |
		sort -n | awk '{ v[NR] = $1 } END { printf "%.2f\n", v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "streams_capture=$(basename "$CAP") flows=$FLOWS segments_per_flow=$SEGS bytes=$(stat -c %s "$CAP") reps=$REPS"
for fs in $fses; do
	p=streams_; [ "$fs" = tmpfs ] && p=streams_tmpfs_
	echo "${p}fs=$(stat -f -c %T "$(root "$fs")" 2>/dev/null || echo '?') at $(root "$fs")"
	for tool in xdpflow tcpflow floor; do
		echo "${p}${tool}_s=$(med "$fs" $tool 3)"
		echo "${p}${tool}_cpu_s=$(med "$fs" $tool 0) (user $(med "$fs" $tool 4), sys $(med "$fs" $tool 5))"
	done
	xs=$(med "$fs" xdpflow 3) ts=$(med "$fs" tcpflow 3) fl=$(med "$fs" floor 3)
	sp=$(ratio "$ts" "$xs")
	echo "${p}speedup=$sp"
	echo "${p}speedup_cpu=$(ratio "$(med "$fs" tcpflow 0)" "$(med "$fs" xdpflow 0)")"
	echo "${p}speedup_above_floor=$(ratio "$(awk -v a="$ts" -v f="$fl" 'BEGIN { print a - f }')" \
		"$(awk -v a="$xs" -v f="$fl" 'BEGIN { print a - f }')")"
	awk -v s="$sp" 'BEGIN { exit !(s >= 2) }' && echo "${p}speedup_target=met (goal: 2x tcpflow, wall)" ||
		echo "${p}speedup_target=MISSED (goal: 2x tcpflow, wall)"
done
fs=${fses# }; fs=${fs%% *}
xm=$(med "$fs" xdpflow 6); xm=${xm%.*}
tm=$(med "$fs" tcpflow 6); tm=${tm%.*}
hm=$(cat "$DIR/hole.times")
echo "streams_xdpflow_rss_kb=$xm"
echo "streams_tcpflow_rss_kb=$tm"
echo "streams_hole_rss_kb=$hm"
echo "streams_hole_cap_kb=8192"
[ "$hm" -le $((xm + 8192 + 16384)) ] || echo "streams_hole_memory=MISSED (peak $hm kB > $xm + cap + slack)"

# the first round's files, byte for byte
for fs in $fses; do
	r=$(root "$fs")
	if ! eq=$(python3 - "$r/tcpflow.1" "$r/xdpflow.1/pld" <<'EOF'
import filecmp, os, sys
tf, xf = sys.argv[1], sys.argv[2]

def rfc(name):      # 010.001.000.007.01031-010.002.000.001.00080 -> 10.1.0.7.1031-10.2.0.1.80-6
    sides = []
    for s in name.split("-"):
        p = s.split(".")
        sides.append(".".join(str(int(x)) for x in p))
    return "-".join(sides) + "-6"

tnames = sorted(n for n in os.listdir(tf) if n != "report.xml")
xnames = set(os.listdir(xf))
bad = [n for n in tnames if rfc(n) not in xnames or
       not filecmp.cmp(os.path.join(tf, n), os.path.join(xf, rfc(n)), shallow=False)]
size = sum(os.path.getsize(os.path.join(xf, n)) for n in xnames)
if bad or len(tnames) != len(xnames):
    print("NO (%d tcpflow files, %d xdpflow files, %d differ: %s)" % (len(tnames), len(xnames), len(bad), bad[:3]))
    sys.exit(1)
print("yes (%d files, %d bytes, byte for byte)" % (len(xnames), size))
EOF
	); then
		echo "streams_outputs_equal=$eq"
		exit 1
	fi
done
echo "streams_outputs_equal=$eq"
