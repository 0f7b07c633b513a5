# SPDX-License-Identifier: BSD-3-Clause
"""(b) Every `robust` capture (link types xdpflow need not decode, records
tshark rejects): no crash, no hang, no sanitizer report; either a clean run
that writes a readable flow file, or a non-zero exit with one line that names
the file."""
import os

import pytest

import xf
from conftest import corpus_path, rows_with_role

ROBUST = rows_with_role("robust")


def check_clean_or_clear_error(res, path, prefix):
    assert not res.timed_out, "xdpflow hung: %r" % res
    san = res.sanitizer_report()
    assert san is None, "sanitizer report:\n%s" % san
    assert res.rc is not None and 0 <= res.rc < 126, \
        "xdpflow died (rc %s, a signal?): %r" % (res.rc, res)
    if res.rc == 0:
        cols, rows = xf.read_tsv(prefix + "_flows.txt")
        _, problems = xf.flows_from_rows(rows)
        assert not problems, problems
        return
    base = os.path.basename(path)
    named = [l for l in res.err_lines() if base in l]
    assert named, "non-zero exit without a line naming %s: %r" % (base, res)
    assert all("\n" not in l and len(l) < 400 for l in named)


@pytest.mark.parametrize("entry", ROBUST, ids=[r["file"] for r in ROBUST])
def test_robust_capture(entry, tmp_path):
    path = corpus_path(entry["file"])
    prefix = str(tmp_path / "out")
    res = xf.run(["-r", path, "-w", prefix])
    check_clean_or_clear_error(res, path, prefix)
