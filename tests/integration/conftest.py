# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures: the corpus, its manifest, tshark's cache, and a record of
every difference a documented rule accepted (written at the end of the run to
$BUILD/integration-out/differences.txt)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import tshark_conv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.environ.get("XF_CORPUS",
                        os.path.join(os.path.dirname(ROOT), "shared", "corpus"))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
CACHE = os.environ.get("XF_TSHARK_CACHE")  # set by run.sh
if not CACHE:
    raise RuntimeError("XF_TSHARK_CACHE is not set: run tests/integration/run.sh "
                       "(or `make integration`), which fills the tshark cache")
OUT = os.path.join(BUILD, "integration-out")

MANIFEST = (tshark_conv.read_manifest(CORPUS)
            if os.path.exists(os.path.join(CORPUS, "MANIFEST.tsv")) else [])

ALLOWED = []    # (file, rule line)


def rows_with_role(role):
    return [r for r in MANIFEST if r["role"] == role]


def corpus_path(rel):
    return os.path.join(CORPUS, rel)


@pytest.fixture(scope="session")
def corpus():
    if not MANIFEST:
        pytest.fail("corpus not found at %s (MANIFEST.tsv)" % CORPUS)
    return CORPUS


@pytest.fixture(scope="session")
def tshark_cache():
    # run.sh fills the cache first (2 tshark processes in parallel); this
    # only catches what it missed, e.g. when pytest is started by hand.
    tshark_conv.fill_cache(CORPUS, CACHE)
    return CACHE


def pytest_sessionfinish(session, exitstatus):
    if not ALLOWED:
        return
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "differences.txt"), "w") as f:
        for name, line in ALLOWED:
            f.write("%s\t%s\n" % (name, line))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not ALLOWED:
        return
    counts = {}
    for _, line in ALLOWED:
        rule = line.split()[0]
        counts[rule] = counts.get(rule, 0) + 1
    terminalreporter.write_line(
        "differences accepted by docs/tshark-differences.md rules: " +
        ", ".join("%s %d" % kv for kv in sorted(counts.items())) +
        " (details: %s)" % os.path.join(OUT, "differences.txt"))
