# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures for the Python package and socket export tests: the package on
sys.path, the xdpflow binary (a loud SKIP if it is not built), corpus
captures."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "python"))
CORPUS = os.environ.get("XF_CORPUS", os.path.join(os.path.dirname(ROOT), "shared", "corpus"))

import xdpflow  # noqa: E402

# Captures the tests run on (paths relative to the corpus)
HTTP_GET = "zeek/http/get.pcap"             # one HTTP connection
HTTP_MANY = "zeek/http/bro.org.pcap"        # a page with its resources: many TCP flows
DNS_SMALL = "tcpdump/dns_udp.pcap"


def corpus_file(rel):
    path = os.path.join(CORPUS, rel)
    if not os.path.exists(path):
        pytest.fail("corpus capture missing: %s" % path)
    return path


def manifest_rows(role="flows", encap="ether"):
    rows = []
    with open(os.path.join(CORPUS, "MANIFEST.tsv")) as f:
        names = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(names, line.rstrip("\n").split("\t")))
            if r.get("role") == role and r.get("encapsulation") == encap:
                rows.append(r)
    return rows


@pytest.fixture(scope="session")
def binary():
    try:
        path = xdpflow.find_binary()
    except FileNotFoundError as e:
        print("\nSKIP: xdpflow binary not available: %s" % e, file=sys.stderr)
        pytest.skip("xdpflow binary not available: %s" % e)
    return path


@pytest.fixture
def http_get():
    return corpus_file(HTTP_GET)


@pytest.fixture
def http_many():
    return corpus_file(HTTP_MANY)


@pytest.fixture(scope="session")
def big_list(tmp_path_factory):
    """A -R list of many corpus captures: thousands of flows, so a stuck
    subscriber overflows its buffer and the kernel's socket buffer."""
    rows = sorted(manifest_rows(), key=lambda r: -int(r["packets"]))
    paths = [os.path.join(CORPUS, r["file"]) for r in rows[:150]]
    lst = tmp_path_factory.mktemp("list") / "big.list"
    lst.write_text("".join(p + "\n" for p in paths if os.path.exists(p)))
    return str(lst)
