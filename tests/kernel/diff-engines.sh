#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# diff-engines.sh [CAPTURE...] - the differential test of the two engines.
#
# For each capture (default: every capture with role `flows` in
# $XF_CORPUS/MANIFEST.tsv) run the offline engine and `--engine xdp`
# (the loaded XDP program, fed by BPF_PROG_RUN) and compare the flows files,
# sorted, apart from the columns listed in engine-specific-columns.txt
# (each one explained in docs/kernel-engine.md, "Engine-specific columns").
# A difference fails loudly: the capture, the first differing flow and the
# columns that differ.  Ends with `N passed, N failed`.
#
# If BPF_PROG_RUN is not permitted here the test prints SKIP with the reason
# and exits 1, unless XF_ALLOW_SKIP=1 (then 0).
#
# Environment:
#   XDPFLOW        the binary (default build/xdpflow)
#   XF_CORPUS      corpus folder (default ../shared/corpus)
#   XF_JOBS        captures compared in parallel (default 2)
#   XF_DIFF_OPTS   extra options for both engines (e.g. "-D BYTE_LAYER=2")
#   XF_DIFF_KEEP   a folder: keep the outputs of failed captures there
#   XF_SAMPLE=N    compare only every Nth capture of the manifest (quick runs)
#   XF_DIFF_LIST=1 run each batch of XF_DIFF_BATCH (default 20) captures as
#                  one `-R LIST` run per engine: one program load per batch
#                  instead of per capture; a differing batch is then
#                  compared capture by capture to name the culprit
# POSIX sh: it also runs under busybox in the vmtest guest.

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
XDPFLOW=${XDPFLOW:-$top/build/xdpflow}
XF_CORPUS=${XF_CORPUS:-$top/../shared/corpus}
XF_CORPUS=$(cd "$XF_CORPUS" 2>/dev/null && pwd || echo "$XF_CORPUS")
JOBS=${XF_JOBS:-2}
SPECIFIC=$here/engine-specific-columns.txt
PER_RUN_TIMEOUT=${XF_DIFF_TIMEOUT:-120}

# ---- one capture: run both engines, compare; prints a PASS/FAIL line ----
# Column names to drop, comma-separated, from the list file.
specific_cols() {
	sed -e 's/#.*//' -e 's/[ \t]//g' "$SPECIFIC" 2>/dev/null | grep -v '^$' | tr '\n' ','
}

# One awk over both flows files (few processes per capture: forks are
# what a 1300-capture run spends its time on).  Each line is projected on
# the shared columns; the files must hold the same header and the same
# multiset of flow lines (order is free: map polling decides it).  On a
# difference: the first differing flow, its partner (same dir and flowInd)
# and the columns that differ.
compare_flows() {
	awk -F'\t' -v OFS='\t' -v drop="$XF_DROP_COLS" -v name="$3" '
	BEGIN { n = split(drop, d, ","); for (i = 1; i <= n; i++) if (d[i] != "") skip[d[i]] = 1 }
	FNR == 1 {
		f++
		if ($1 !~ /^%/) { printf "FAIL %s: %s: no header line\n", name, FILENAME; bad = 1; exit 1 }
		nk = 0; h = ""
		for (i = 1; i <= NF; i++) {
			c = $i; sub(/^%/, "", c)
			if (!(c in skip)) { keep[f, ++nk] = i; h = h (nk > 1 ? OFS : "") c; cname[nk] = c }
			if (c == "dir") cdir = nk; if (c == "flowInd") cind = nk
		}
		nkeep[f] = nk; hdr[f] = h
		next
	}
	/^%/ { next }
	{
		l = ""
		for (j = 1; j <= nkeep[f]; j++) l = l (j > 1 ? OFS : "") $keep[f, j]
		lines[f]++
		if (f == 1) { cnt[l]++; ord1[++n1] = l }
		else { cnt[l]--; ord2[++n2] = l; split(l, t, OFS); bykey[t[cdir] SUBSEP t[cind]] = l }
	}
	END {
		if (bad) exit 1
		if (hdr[1] != hdr[2]) {
			printf "FAIL %s: the header lines differ\n    offline: %s\n    xdp:     %s\n", name, hdr[1], hdr[2]
			exit 1
		}
		for (l in cnt) if (cnt[l] != 0) { differ = 1; break }
		if (!differ) { printf "PASS %s (%d flow lines)\n", name, lines[1]; exit 0 }
		printf "FAIL %s: the engines disagree (%d offline, %d xdp flow lines); first differing flow:\n", \
			name, lines[1], lines[2]
		for (i = 1; i <= n1; i++) if (cnt[ord1[i]] > 0) { first = ord1[i]; break }
		if (first == "") {
			for (i = 1; i <= n2; i++) if (cnt[ord2[i]] < 0) { print "    only in --engine xdp: " ord2[i]; exit 1 }
		}
		split(first, a, OFS)
		print "    offline:      " first
		k = a[cdir] SUBSEP a[cind]
		if (!(k in bykey)) { print "    --engine xdp: no flow with this dir and flowInd"; exit 1 }
		print "    --engine xdp: " bykey[k]
		split(bykey[k], b, OFS); dl = ""
		for (i = 1; i <= nkeep[1]; i++) if (a[i] != b[i])
			dl = dl " " cname[i] " (offline " a[i] ", xdp " b[i] ")"
		print "    differing columns:" dl
		exit 1
	}' "$1" "$2"
}

# compare_one CAPTURE DIR NAME [-r|-R]: -R compares a list file's captures
# in one run of each engine (one program load for many captures).
compare_one() {
	cap=$1 d=$2 name=$3 in=${4:--r}
	mkdir -p "$d"
	# shellcheck disable=SC2086
	timeout "$PER_RUN_TIMEOUT" "$XDPFLOW" $in "$cap" $XF_DIFF_OPTS -w "$d/off" \
		>"$d/off.log" 2>&1
	orc=$?
	# shellcheck disable=SC2086
	timeout "$PER_RUN_TIMEOUT" "$XDPFLOW" $in "$cap" --engine xdp $XF_DIFF_OPTS -w "$d/xdp" \
		>"$d/xdp.log" 2>&1
	xrc=$?
	if [ $orc -ne $xrc ]; then
		echo "FAIL $name: exit status offline $orc, --engine xdp $xrc; --engine xdp said:"
		tail -n 5 "$d/xdp.log" | sed 's/^/    /'
		[ $orc -ne 0 ] && { echo "    offline said:"; tail -n 5 "$d/off.log" | sed 's/^/    /'; }
		return 1
	fi
	if [ ! -f "$d/off_flows.txt" ] || [ ! -f "$d/xdp_flows.txt" ]; then
		echo "FAIL $name: a flows file is missing (exit status $orc); offline said:"
		tail -n 3 "$d/off.log" | sed 's/^/    /'
		return 1
	fi
	compare_flows "$d/off_flows.txt" "$d/xdp_flows.txt" "$name"
}

# Worker entry for xargs: diff-engines.sh --batch CAPTURE...; one result
# line per capture in $XF_DIFF_WORK/results (appends of one short line
# are atomic), the full report in r<n>.txt.
compare_each() {
	for cap in "$@"; do
		name=${cap#"$XF_CORPUS"/}
		key=$(printf '%s' "$name" | tr '/ ' '__')
		d=$XF_DIFF_WORK/c-$key
		if compare_one "$cap" "$d" "$name" >"$XF_DIFF_WORK/r-$key.txt" 2>&1; then
			echo "pass $name" >>"$XF_DIFF_WORK/results"
		else
			echo "fail $name" >>"$XF_DIFF_WORK/results"
			[ -n "${XF_DIFF_KEEP:-}" ] && mkdir -p "$XF_DIFF_KEEP" && cp -r "$d" "$XF_DIFF_KEEP/$key"
		fi
		cat "$XF_DIFF_WORK/r-$key.txt"
		rm -rf "$d"
	done
}

# XF_DIFF_LIST=1: the whole batch through `-R LIST` in one run per engine;
# only if that differs, each capture alone, to name the one at fault.
compare_list() {
	list=$(mktemp "$XF_DIFF_WORK/list.XXXXXX")
	for cap in "$@"; do echo "$cap"; done >"$list"
	d=$list.d
	if compare_one "$list" "$d" "batch of $# from ${1#"$XF_CORPUS"/}" -R >"$list.txt" 2>&1; then
		for cap in "$@"; do echo "pass ${cap#"$XF_CORPUS"/}" >>"$XF_DIFF_WORK/results"; done
		echo "PASS $# captures in one -R run, from ${1#"$XF_CORPUS"/} to ${cap#"$XF_CORPUS"/}"
		rm -rf "$d" "$list" "$list.txt"
		return
	fi
	echo "diff-engines: a -R batch differs; comparing its $# captures one by one"
	sed -n '1,6p' "$list.txt"
	before=$(grep -c '^fail ' "$XF_DIFF_WORK/results")
	compare_each "$@"
	if [ "$(grep -c '^fail ' "$XF_DIFF_WORK/results")" -eq "$before" ]; then
		# each capture alone agrees, together they do not (state carried
		# across inputs): the batch itself fails
		echo "fail -R batch from ${1#"$XF_CORPUS"/}" >>"$XF_DIFF_WORK/results"
		echo "FAIL the -R batch from ${1#"$XF_CORPUS"/} differs although each capture alone agrees:"
		sed -n '1,6p' "$list.txt"
	fi
	rm -rf "$d" "$list" "$list.txt"
}

# Worker entry for xargs: diff-engines.sh --batch CAPTURE...; one result
# line per capture in $XF_DIFF_WORK/results (appends of one short line
# are atomic), the full report in r-<name>.txt.
if [ "${1:-}" = "--batch" ]; then
	shift
	if [ "${XF_DIFF_LIST:-0}" = 1 ]; then
		compare_list "$@"
	else
		compare_each "$@"
	fi
	exit 0
fi

# ---- main ----
if [ ! -x "$XDPFLOW" ]; then
	echo "diff-engines: $XDPFLOW: not built (make)" >&2
	exit 2
fi
work=$(mktemp -d /tmp/xf-diff.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
XF_DROP_COLS=$(specific_cols)
export XF_DIFF_WORK=$work XDPFLOW XF_CORPUS XF_DIFF_OPTS XF_DIFF_KEEP XF_DROP_COLS XF_DIFF_LIST

if [ $# -gt 0 ]; then
	for f in "$@"; do echo "$f"; done >"$work/list"
else
	[ -f "$XF_CORPUS/MANIFEST.tsv" ] || { echo "diff-engines: $XF_CORPUS/MANIFEST.tsv: not found" >&2; exit 2; }
	awk -F'\t' -v c="$XF_CORPUS" -v n="${XF_SAMPLE:-1}" \
		'NR > 1 && $9 == "flows" && (++i % n) == 0 { print c "/" $1 }' \
		"$XF_CORPUS/MANIFEST.tsv" >"$work/list"
fi
total=$(wc -l <"$work/list")
[ "$total" -gt 0 ] || { echo "diff-engines: no capture to compare" >&2; exit 2; }

# Can this machine run BPF_PROG_RUN for us at all?  Ask the xdp engine on
# the first capture; a refusal for lack of privilege is a SKIP, not a pass.
probe=$(head -n 1 "$work/list")
if ! timeout "$PER_RUN_TIMEOUT" "$XDPFLOW" -r "$probe" --engine xdp -w "$work/probe" \
	>"$work/probe.log" 2>&1; then
	if grep -qiE 'not permitted|permission denied|privilege|CAP_BPF|CAP_SYS_ADMIN|EPERM|BPF is not' \
		"$work/probe.log"; then
		echo "SKIP diff-engines: BPF_PROG_RUN is not permitted here:" \
		     "$(grep -iE 'not permitted|permission|privilege|CAP_|EPERM|BPF' "$work/probe.log" | head -n 1)"
		echo "0 passed, 0 failed, $total skipped"
		[ "${XF_ALLOW_SKIP:-0}" = 1 ] && exit 0
		exit 1
	fi
fi

echo "diff-engines: $total capture(s), offline vs --engine xdp, ignoring:" \
     "$(echo "$XF_DROP_COLS" | sed 's/,$//; s/,/ /g')"
: >"$work/results"
# Batches of 20 per worker: a shell per capture costs more than it should.
tr '\n' '\0' <"$work/list" | xargs -0 -n "${XF_DIFF_BATCH:-20}" -P "$JOBS" sh "$0" --batch

passed=$(grep -c '^pass ' "$work/results")
failed=$(grep -c '^fail ' "$work/results")
missing=$((total - passed - $(grep -c '^fail [^-]' "$work/results")))
if [ $failed -gt 0 ]; then
	echo "--- failures (first lines of each):"
	grep '^fail [^-]' "$work/results" | while read -r _ name; do
		sed -n '1,6p' "$work/r-$(printf '%s' "$name" | tr '/ ' '__').txt"
	done
fi
[ $missing -eq 0 ] || echo "diff-engines: $missing capture(s) produced no result (a worker died?)"
echo "$passed passed, $((failed + missing)) failed"
[ $failed -eq 0 ] && [ $missing -eq 0 ]
