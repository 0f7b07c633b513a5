#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-stack.py OBJ - the BPF stack of every call chain in OBJ, counted as
Debian 12's 6.1 verifier counts it, without booting 6.1.

Why: the 6.1 verifier rounds each function's stack up to 32 bytes and refuses
a call chain whose rounded frames add up to more than 512 ("combined stack
size of N calls is M. Too large"); newer kernels with the JIT round to 16 and
accept more, so the host's own verifier (6.18 here) does not see a parser
change that breaks 6.1 (xdpflow_tc with the parser's frame at 240 bytes: 544
on 6.1, accepted on 6.18).  `make vmtest-61` sees it, but is not part of
`make test`; this check is.

A function's frame is the deepest r10-relative offset it uses, directly
(`*(u64 *)(r10 - 8)`) or through a copy of r10 (`r2 = r10; r2 += -72`); calls
are the relocations of `call -1` to another function of the object.  Prints
each program's chain and exits 1 if one is over 512.
"""
import re
import subprocess
import sys

LIMIT = 512


def frames_and_calls(obj):
    r = subprocess.run(["llvm-objdump", "-dr", "--no-show-raw-insn", obj],
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit("check-stack: FAIL: llvm-objdump cannot read %s: %s"
                 % (obj, r.stderr.strip().splitlines()[-1:]))
    out = r.stdout
    frame, calls, section, fn, copies = {}, {}, {}, None, set()
    sec = None
    for line in out.splitlines():
        m = re.match(r"^Disassembly of section (\S+):$", line)
        if m:
            sec = m.group(1)
            continue
        m = re.match(r"^[0-9a-f]+ <([A-Za-z_][\w.]*)>:$", line)
        if m and not m.group(1).startswith("LBB"):
            fn = m.group(1)
            section[fn] = sec
            frame.setdefault(fn, 0)
            calls.setdefault(fn, set())
            copies = set()
            continue
        if fn is None:
            continue
        m = re.search(r"R_BPF_64_32\s+(\w+)", line)
        if m:
            calls[fn].add(m.group(1))
            continue
        m = re.search(r"\b(r\d+) = r10$", line)
        if m:
            copies.add(m.group(1))
            continue
        depth = 0
        m = re.search(r"\(r10 - (\d+)\)", line)
        if m:
            depth = int(m.group(1))
        m = re.search(r"\b(r\d+) \+= -(\d+)$", line)
        if m and m.group(1) in copies:
            depth = int(m.group(2))
            copies.discard(m.group(1))
        frame[fn] = max(frame[fn], depth)
    return frame, calls, section


def round32(n):
    return (max(n, 1) + 31) // 32 * 32


def chains(fn, calls, seen=()):
    if fn in seen:
        raise ValueError("recursion through %s" % fn)
    subs = [c for c in calls.get(fn, ()) if c in calls]
    if not subs:
        yield [fn]
    for c in sorted(subs):
        for rest in chains(c, calls, seen + (fn,)):
            yield [fn] + rest


def main():
    frame, calls, section = frames_and_calls(sys.argv[1])
    called = {c for cs in calls.values() for c in cs}
    # a subprogram (.text) that nothing calls means the calls were not
    # read: its frame would be counted alone, and a chain over 512 pass
    lost = sorted(f for f in frame if f not in called and section[f] == ".text")
    if lost:
        print("check-stack: FAIL: no call to %s found in %s: the call chains cannot be "
              "counted" % (", ".join(lost), sys.argv[1]))
        return 1
    bad = good = 0
    for prog in sorted(f for f in frame if f not in called):
        for ch in chains(prog, calls):
            total = sum(round32(frame[f]) for f in ch)
            parts = " + ".join("%s %d (%d)" % (f, frame[f], round32(frame[f])) for f in ch)
            verdict = "ok" if total <= LIMIT else "TOO LARGE"
            print("check-stack: %s = %d of %d on 6.1: %s" % (parts, total, LIMIT, verdict))
            bad += total > LIMIT
            good += total <= LIMIT
    print("%d passed, %d failed" % (good, bad))
    if not good and not bad:
        print("check-stack: FAIL: no BPF program found in %s" % sys.argv[1])
        return 1
    if bad:
        print("check-stack: FAIL: %d call chain(s) over %d bytes once 6.1 rounds each frame to "
              "32: the 6.1 verifier refuses them" % (bad, LIMIT))
        return 1
    print("check-stack: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
