#!/bin/sh
# Installs what xdpflow needs to build, test and benchmark on Debian 12.
# Idempotent: does nothing (and needs no network) when everything is present.
#   scripts/install-deps.sh          install what is missing (as root, or via sudo)
#   scripts/install-deps.sh --check  only report what is missing; exit 1 if anything is
set -eu
PKGS="make gcc clang llvm pkg-config libbpf-dev libxdp-dev bpftool xdp-tools libpcap-dev \
libcmocka-dev zlib1g-dev python3 python3-pytest iproute2 tshark wireshark-common tcpflow softflowd \
argus-client argus-server tcpreplay git ca-certificates procps mount util-linux"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "xdpflow: missing Debian packages:$missing (run scripts/install-deps.sh)" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "xdpflow: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "xdpflow: dependencies installed" >&2
