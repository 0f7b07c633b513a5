#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# partial-frames.sh - the differential on frames the kernel's parser sees
# only in part: multi-buffer XDP frames (over ~3.5 KB) and frames over the
# 64 KiB BPF_PROG_RUN is handed (mk-partial-frames.py says which and why).
# The corpus has some of these (BIG TCP, TSO, jumbo TLS); this capture has
# each case once: datagram ending with the frame, before it, after it, IP
# length fields of 0, 16-bit saturation, a tunnel.  Ends with
# `N passed, N failed` (diff-engines.sh's line).
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/xf-partial.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 "$here/mk-partial-frames.py" "$tmp/partial-frames.pcap"; then
	echo "FAIL partial-frames: mk-partial-frames.py could not write the capture"
	echo "0 passed, 1 failed"
	exit 1
fi
"$here/diff-engines.sh" "$tmp/partial-frames.pcap"
