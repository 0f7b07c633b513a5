#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench-xdp.sh - the kernel engine's part of `make bench`.
#
# 1. ns per packet of the XDP program over the corpus mix (every Ethernet
#    capture with role `flows`), BPF_PROG_RUN with repeat, for flow metering
#    and with payload sampling on (tools/bench/xdp-prog-run.c).  Target:
#    under 50 ns per packet for metering, so one core outruns 10GbE line
#    rate (14.88 Mpps = 67 ns per packet).  Next to it the floor on this
#    machine (tools/bench/xdp-floor.c): a program that only reads the clock,
#    looks the flow up and counts it under its lock.
# 2. packets/s the live path holds on a veth without loss: xdpflow attached
#    (native XDP) in a namespace, tcpreplay at increasing rates into the
#    peer, packets counted in the flows file against packets sent.
#
# Prints key=value lines (xdp_ns_per_pkt_meter=..., xdp_live_veth_pps_lossless=...).
# Environment: BUILD, XDPFLOW, XF_CORPUS, XF_BENCH_REPEAT (default 200),
# XF_BENCH_RATES (pps steps, default "20000 50000 100000 200000 400000 topspeed"),
# XF_BENCH_LIVE_PKTS (packets per live step, default 40000), XF_BENCH_QUICK=1
# (a tenth of the corpus, fewer steps), XF_BENCH_LIVE_ONLY=1 (part 2 only).
# The replayed mix is written as pcap: tcpreplay 4.4 sends nothing, and
# says nothing, when handed pcapng (mergecap's default).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
XDPFLOW=${XDPFLOW:-$BUILD/xdpflow}
XF_CORPUS=$(cd "${XF_CORPUS:-$top/../shared/corpus}" && pwd)
REPEAT=${XF_BENCH_REPEAT:-200}
RATES=${XF_BENCH_RATES:-20000 50000 100000 200000 400000 topspeed}
LIVE_PKTS=${XF_BENCH_LIVE_PKTS:-40000}
PROG_RUN=$BUILD/tools/xdp-prog-run
sample=1
if [ "${XF_BENCH_QUICK:-0}" = 1 ]; then
	sample=10
	RATES=${XF_BENCH_RATES:-50000 200000 topspeed}
	LIVE_PKTS=${XF_BENCH_LIVE_PKTS:-10000}
fi

say() { echo "bench-xdp: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	echo "xdp_bench=SKIP (needs root for BPF_PROG_RUN and the veth)"
	exit 0
fi
make -s -C "$top" BUILD="$BUILD" xdp-prog-run xdp-floor >&2 || { say "cannot build $PROG_RUN"; exit 1; }

# ---- 1. BPF_PROG_RUN over the corpus mix ----
mapfile -t mix < <(awk -F'\t' -v c="$XF_CORPUS" -v n=$sample \
	'NR > 1 && $9 == "flows" && $7 == "ether" && (++i % n) == 0 { print c "/" $1 }' \
	"$XF_CORPUS/MANIFEST.tsv")
say "BPF_PROG_RUN, repeat $REPEAT, over ${#mix[@]} Ethernet captures of the corpus"
if [ "${XF_BENCH_LIVE_ONLY:-0}" != 1 ]; then
	"$PROG_RUN" --repeat "$REPEAT" "${mix[@]}" || exit 1
	"$PROG_RUN" --repeat "$REPEAT" --payload "${mix[@]}" || exit 1
	# What any flow meter pays here before parsing a header: BPF_PROG_RUN's
	# own cost, a clock read, a lookup of xdpflow's key, a locked counter.
	say "the floor: empty program, clock read, key lookup, clock+lookup+lock+count"
	"$BUILD/tools/xdp-floor" || exit 1
fi

# ---- 2. live: the highest replay rate with no packet lost ----
if ! command -v tcpreplay >/dev/null || [ ! -x "$XDPFLOW" ]; then
	echo "xdp_live_veth_pps_lossless=SKIP (tcpreplay or $XDPFLOW missing)"
	exit 0
fi
NS=xfb$$ OUTER=xbo$$ INNER=xbi$$
work=$(mktemp -d /tmp/xf-bench.XXXXXX)
xf_pid=""
cleanup() {
	[ -n "$xf_pid" ] && kill -KILL "$xf_pid" 2>/dev/null
	ip link del "$OUTER" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" && ip link add "$OUTER" type veth peer name "$INNER" netns "$NS" || {
	echo "xdp_live_veth_pps_lossless=SKIP (cannot create a namespace and veth)"; exit 0; }
sysctl -qw "net.ipv6.conf.$OUTER.disable_ipv6=1"
nsenter --net="/var/run/netns/$NS" sysctl -qw "net.ipv6.conf.$INNER.disable_ipv6=1"
ip link set "$OUTER" mtu 1600 up
ip -n "$NS" link set "$INNER" mtu 1600 up

# The replayed traffic: a TCP, a UDP, an IPv6 and a VLAN capture, looped.
base="zeek/http/get.pcap zeek/dns/long-connection.pcap zeek/communityid/ipv6.pcap zeek/http-vlan-0.pcap"
mix_pkts=0
for f in $base; do mix_pkts=$((mix_pkts + $(tshark -r "$XF_CORPUS/$f" -T fields -e frame.number 2>/dev/null | wc -l))); done
loops=$(( (LIVE_PKTS + mix_pkts - 1) / mix_pkts ))
mergecap -F pcap -a -w "$work/mix.pcap" $(for f in $base; do echo "$XF_CORPUS/$f"; done) 2>/dev/null || {
	echo "xdp_live_veth_pps_lossless=SKIP (mergecap failed)"; exit 0; }

best=0 best_rate=""
for rate in $RATES; do
	rm -f "$work"/live_*
	nsenter --net="/var/run/netns/$NS" "$XDPFLOW" -i "$INNER" --engine xdp --direction ingress \
		-w "$work/live" >"$work/xf.log" 2>&1 &
	xf_pid=$!
	for _ in $(seq 1 100); do
		ip -n "$NS" link show dev "$INNER" | grep -q 'prog/xdp' && break
		kill -0 "$xf_pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! ip -n "$NS" link show dev "$INNER" | grep -q 'prog/xdp'; then
		say "xdpflow did not attach: $(tail -n 2 "$work/xf.log")"
		echo "xdp_live_veth_pps_lossless=FAIL (xdpflow did not attach)"
		exit 1
	fi
	if [ "$rate" = topspeed ]; then
		opt=--topspeed
	else
		opt="--pps=$rate"
	fi
	tcpreplay -i "$OUTER" $opt --loop "$loops" "$work/mix.pcap" >"$work/replay.log" 2>&1
	sent=$(awk '/Successful packets:/ {print $3}' "$work/replay.log")
	actual=$(awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i ~ /pps/) print int($(i-1))}' "$work/replay.log" | head -n1)
	sleep 1
	kill -INT "$xf_pid"
	wait "$xf_pid"
	xf_pid=""
	counted=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "numPktsSnt") c = i; next }
		/^%/ { next } c { s += $c } END { print s + 0 }' "$work/live_flows.txt" 2>/dev/null)
	lost=$(( ${sent:-0} - ${counted:-0} ))
	echo "xdp_live_veth_step rate=$rate actual_pps=${actual:-?} sent=${sent:-0} counted=${counted:-0} lost=$lost"
	if [ "${sent:-0}" -gt 0 ] && [ "$lost" -eq 0 ]; then
		[ "${actual:-0}" -gt "$best" ] && { best=$actual; best_rate=$rate; }
	else
		break   # higher rates will not do better
	fi
done
echo "xdp_live_veth_pps_lossless=$best"
echo "xdp_live_veth_step_lossless=${best_rate:-none}"
