#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Integration tests over ../shared/corpus (called by `make integration` and,
# with XF_QUICK=1 and the sanitizer build, by `make integration-san`).
#   XDPFLOW  path to the xdpflow binary under test
#   BUILD    build directory (tshark's cached output lives in BUILD/tshark-cache)
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

# tshark's output depends only on the capture: the sanitizer build reads the
# cache the plain build filled (keyed by sha256), if there is one.
if [ -z "${XF_TSHARK_CACHE:-}" ]; then
	XF_TSHARK_CACHE=$BUILD/tshark-cache
	case "$BUILD" in
	*-san) [ -d "${BUILD%-san}/tshark-cache" ] &&
		XF_TSHARK_CACHE=${BUILD%-san}/tshark-cache ;;
	esac
fi
export XF_TSHARK_CACHE

/usr/bin/python3 "$here/tshark_conv.py" "$XF_CORPUS" "$XF_TSHARK_CACHE" 2
mkdir -p "$BUILD"
cd "$here"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider -rfE \
	--basetemp="$BUILD/integration-tmp" "$@" .
