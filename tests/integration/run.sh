#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Integration tests over ../shared/corpus (called by `make integration` and,
# with XF_QUICK=1 and the sanitizer build, by `make integration-san`).
#   XDPFLOW  path to the xdpflow binary under test
#   BUILD    build directory (pytest's temporary files)
#   XF_PEER_CACHE  where tshark's output is cached (/var/tmp/xdpflow-peer-cache)
#   XF_QUICK 1: sanitizer pass; reuses the plain build's tshark cache
# Extra arguments go to pytest (e.g. -k retr, -x, -v).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${BUILD:=$root/build}"
: "${XDPFLOW:=$BUILD/xdpflow}"
: "${XF_CORPUS:=$root/../shared/corpus}"
export XDPFLOW BUILD XF_CORPUS

if [ ! -x "$XDPFLOW" ]; then
	echo "integration: $XDPFLOW: no such executable (set XDPFLOW)" >&2
	exit 1
fi
if [ ! -f "$XF_CORPUS/MANIFEST.tsv" ]; then
	echo "integration: $XF_CORPUS/MANIFEST.tsv: corpus not found (set XF_CORPUS)" >&2
	exit 1
fi
XF_CORPUS=$(cd "$XF_CORPUS" && pwd)
for tool in tshark mergecap /usr/bin/python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "integration: $tool not installed (scripts/install-deps.sh)" >&2
		exit 1
	fi
done

# tshark's output depends only on the capture and tshark's version: it is
# cached by sha256 outside the clone (XF_PEER_CACHE, default
# /var/tmp/xdpflow-peer-cache), so the sanitizer pass and later clones on the
# same machine reuse it.
if [ -z "${XF_TSHARK_CACHE:-}" ]; then
	XF_TSHARK_CACHE=${XF_PEER_CACHE:-/var/tmp/xdpflow-peer-cache}/tshark-conv-$(tshark -v 2>/dev/null | head -n1 | tr -c 'A-Za-z0-9.\n' _)
fi
export XF_TSHARK_CACHE

/usr/bin/python3 "$here/tshark_conv.py" "$XF_CORPUS" "$XF_TSHARK_CACHE" 2
mkdir -p "$BUILD"
cd "$here"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider -rfE \
	--basetemp="$BUILD/integration-tmp" "$@" .
