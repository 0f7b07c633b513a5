# SPDX-License-Identifier: BSD-3-Clause
"""(e) The documentation matches the binary: every setting `--list-config
--json` prints is in docs/config.md with its module, type and default; every
column `--list-columns --json` prints (all modules on) and every packet-mode
column of a real `-s` run is in docs/formats.md with its type; every bit of
flowStat and of the other bit-field columns, as the sources define them, is
in the bit tables of docs/formats.md; and docs/xdpflow.1 renders and mentions
every option of `xdpflow --help`."""
import json
import os
import re
import shutil
import subprocess

import pytest

import xf
from conftest import ROOT, corpus_path

DOCS = os.path.join(ROOT, "docs")
BASE = "zeek/http/get.pcap"            # 14 packets, one HTTP connection


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def run_ok(args):
    res = xf.run(args)
    assert not res.timed_out and res.rc == 0, res
    assert res.sanitizer_report() is None, res.sanitizer_report()
    return res


def section(text, heading):
    """The text under a markdown heading (exact line), up to the next heading
    of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    assert heading in lines, "heading %r not found" % heading
    start = lines.index(heading) + 1
    end = len(lines)
    for i in range(start, len(lines)):
        m = re.match(r"(#+) ", lines[i])
        if m and len(m.group(1)) <= level:
            end = i
            break
    return "\n".join(lines[start:end])


def table_rows(text):
    """Markdown table rows as lists of stripped cells (header and rule rows
    included; callers match on the cells they need)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            cells = re.split(r"(?<!\\)\|", line[1:-1])
            rows.append([c.strip() for c in cells])
    return rows


def untick(cell):
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


# ---------------------------------------------------------------- settings --

@pytest.fixture(scope="module")
def settings():
    res = run_ok(["--list-config", "--json"])
    data = json.loads(res.out)
    assert isinstance(data, list) and data, "--list-config --json: empty"
    for s in data:
        for key in ("name", "module", "type", "default", "value",
                    "description"):
            assert key in s, "--list-config --json: %r lacks %r" % (s, key)
    return data


def documented_settings():
    """NAME -> (module, type, default) from the tables of docs/config.md's
    "All settings" section, one table per "### module" heading."""
    text = section(read("docs", "config.md"), "## All settings")
    found, module = {}, None
    for line in text.splitlines():
        m = re.match(r"### (\S+)", line)
        if m:
            module = m.group(1)
            continue
        rows = table_rows(line)
        if not rows or not rows[0][0].startswith("`"):
            continue
        cells = rows[0]
        assert len(cells) == 5, "config.md: row is not 5 cells: %r" % line
        name, typ, default = untick(cells[0]), cells[1], cells[2]
        default = "" if default == "(empty)" else untick(default)
        assert name not in found, "config.md: %s listed twice" % name
        found[name] = (module, typ, default)
    return found


def test_every_setting_is_documented(settings):
    docs = documented_settings()
    missing = [s["name"] for s in settings if s["name"] not in docs]
    assert not missing, ("settings of `xdpflow --list-config --json` missing "
                         "from docs/config.md: %s" % ", ".join(missing))


def test_documented_setting_matches_binary(settings):
    docs = documented_settings()
    wrong = []
    for s in settings:
        if s["name"] not in docs:
            continue            # reported by test_every_setting_is_documented
        module, typ, default = docs[s["name"]]
        btype = s["type"].split("(")[0]
        if (module, typ, default) != (s["module"], btype, s["default"]):
            wrong.append("%s: docs say module %s, type %s, default %r; the "
                         "binary %s, %s, %r" % (s["name"], module, typ,
                                                 default, s["module"], btype,
                                                 s["default"]))
    assert not wrong, "docs/config.md disagrees:\n" + "\n".join(wrong)


def test_no_stale_setting_in_docs(settings):
    names = {s["name"] for s in settings}
    stale = sorted(set(documented_settings()) - names)
    assert not stale, ("docs/config.md lists settings the binary does not "
                       "know: %s" % ", ".join(stale))


def test_byte_layer_default_documented(settings):
    default = {s["name"]: s["default"] for s in settings}["BYTE_LAYER"]
    text = section(read("docs", "config.md"), "## What a byte is: `BYTE_LAYER`")
    marked = re.findall(r"\*\*`(\d)` \(default\)\*\*", text)
    assert marked == [default], ("docs/config.md marks %r as BYTE_LAYER's "
                                 "default; the binary's is %r" %
                                 (marked, default))


# ----------------------------------------------------------------- columns --

def documented_columns(heading):
    """name -> set of types, from the table rows of a formats.md section whose
    first backticked cell is the name and whose next cell is the type."""
    found = {}
    for cells in table_rows(section(read("docs", "formats.md"), heading)):
        for i, c in enumerate(cells[:-1]):
            if c.startswith("`") and c.endswith("`"):
                found.setdefault(untick(c), set()).add(cells[i + 1])
                break
    return found


def list_columns(extra):
    res = run_ok(list(extra) + ["--list-columns", "--json"])
    data = json.loads(res.out)
    assert isinstance(data, list) and data, "--list-columns --json: empty"
    for c in data:
        for key in ("name", "type", "json", "module", "description"):
            assert key in c, "--list-columns --json: %r lacks %r" % (c, key)
    return data


@pytest.mark.parametrize("modules", [None, "all"])
def test_every_flow_column_is_documented(modules):
    extra = ["-D", "MODULES=" + modules] if modules else []
    cols = list_columns(extra)
    docs = documented_columns("## Columns of PREFIX_flows.txt")
    problems = []
    for c in cols:
        if c["name"] not in docs:
            problems.append("%s (%s, module %s) is not documented" %
                            (c["name"], c["type"], c["module"]))
        elif c["type"] not in docs[c["name"]]:
            problems.append("%s: docs say type %s, the binary %s" %
                            (c["name"], "/".join(sorted(docs[c["name"]])),
                             c["type"]))
    assert not problems, ("docs/formats.md vs `xdpflow %s--list-columns "
                          "--json`:\n%s" % (" ".join(extra) + " " if extra
                                            else "", "\n".join(problems)))


def test_all_modules_add_columns():
    """MODULES=all must list more columns than the default set (payloadDumper
    is off by default), or the test above checks nothing more with it."""
    assert len(list_columns(["-D", "MODULES=all"])) > len(list_columns([]))


def test_every_packet_column_is_documented(corpus, tmp_path):
    prefix = str(tmp_path / "p")
    # all modules, so every module's packet columns appear; payloadDumper's
    # files go to tmp_path, not to its default folder
    run_ok(["-r", corpus_path(BASE), "-w", prefix, "-s", "-D", "MODULES=all",
            "-D", "PLDUMP_FOLDER=" + str(tmp_path / "pld")])
    cols, rows = xf.read_tsv(prefix + "_packets.txt")
    assert rows, "empty packets file"
    docs = documented_columns("## PREFIX_packets.txt (`-s`, packet mode)")
    missing = [c for c in cols if c not in docs]
    assert not missing, ("packet-mode columns missing from docs/formats.md: "
                         "%s" % ", ".join(missing))


def test_headers_file_matches_list_columns(corpus, tmp_path):
    """_headers.txt (documented as number, type, name, description) lists
    the same columns as --list-columns."""
    prefix = str(tmp_path / "h")
    run_ok(["-r", corpus_path(BASE), "-w", prefix])
    with open(prefix + "_headers.txt", encoding="utf-8") as f:
        lines = [l.rstrip("\n").split("\t") for l in f
                 if l.strip() and not l.startswith("#")]
    got = [(int(l[0]), l[1], l[2]) for l in lines]
    want = [(i, c["type"], c["name"])
            for i, c in enumerate(list_columns([]), 1)]
    assert got == want


# -------------------------------------------------------------- bit fields --

def c_int(expr):
    """The value of a C integer constant expression of the kind bit
    definitions use: 0x10, 0x..ULL, (1u << 4)."""
    expr = re.sub(r"(?<=[0-9a-fA-F])[uUlL]+\b", "", expr.strip())
    if not re.fullmatch(r"[0-9a-fA-Fx()<| \t]+", expr):
        raise ValueError("not a constant bit expression: %r" % expr)
    return int(eval(expr, {"__builtins__": {}}))   # digits and << only


def defines(path, pattern):
    """{NAME: value} of the `#define NAME <constant>` lines matching
    pattern (comments after the value ignored)."""
    out = {}
    for m in re.finditer(r"^#define[ \t]+(%s)[ \t]+([^/\n]+)" % pattern,
                         read(path), re.M):
        out[m.group(1)] = c_int(m.group(2))
    return out


def documented_bits(heading, width):
    """Hex values in the first cell of the section's table rows."""
    bits = set()
    for cells in table_rows(section(read("docs", "formats.md"), heading)):
        m = re.fullmatch(r"`0x([0-9a-f]{%d})`" % width, cells[0])
        if m:
            bits.add(int(m.group(1), 16))
    return bits


BIT_TABLES = [
    # (heading in formats.md, hex digits, source file, #define pattern)
    ("## flowStat", 16, "include/xdpflow/abi.h", r"XF_FS_\w+"),
    ("#### tcpAnomaly", 8, "include/xdpflow/abi.h", r"XF_TA_\w+"),
    ("#### tcpStatesAFlags", 4, "include/xdpflow/abi.h", r"XF_TS_\w+"),
    ("#### tcpOptions", 4, "include/xdpflow/abi.h", r"XF_TO_\w+"),
    ("#### ipFlags", 2, "include/xdpflow/abi.h", r"XF_IPF_\w+"),
    ("#### tcpFStat", 4, "userspace/modules/tcp_flags.c", r"TFS_\w+"),
    ("### payloadDumper (default off)", 2, "userspace/modules/payload_dumper.c",
     r"PLD_(?!BUF_)\w+"),   # PLD_BUF_* are buffer sizes, not bits
]


@pytest.mark.parametrize("heading,width,path,pattern", BIT_TABLES,
                         ids=[t[0].lstrip("# ").split()[0] for t in BIT_TABLES])
def test_every_bit_is_documented(heading, width, path, pattern):
    source = defines(path, pattern)
    assert source, "no %s defines found in %s" % (pattern, path)
    docs = documented_bits(heading, width)
    missing = ["%s 0x%0*x" % (n, width, v) for n, v in sorted(source.items(),
               key=lambda kv: kv[1]) if v not in docs]
    stale = ["0x%0*x" % (width, v) for v in sorted(docs - set(source.values()))]
    assert not missing, "%s: bits of %s missing from docs/formats.md %r" % (
        path, pattern, missing)
    assert not stale, "docs/formats.md %r documents bits %s does not " \
        "define: %s" % (heading, path, stale)


def test_flowstat_names_in_docs():
    text = section(read("docs", "formats.md"), "## flowStat")
    missing = [n for n in defines("include/xdpflow/abi.h", r"XF_FS_\w+")
               if "`%s`" % n not in text]
    assert not missing, "flowStat table lacks the names %s" % missing


def test_man_page_lists_every_flowstat_bit():
    man = man_source()
    missing = ["0x%016x" % v for v in
               defines("include/xdpflow/abi.h", r"XF_FS_\w+").values()
               if "0x%016x" % v not in man]
    assert not missing, "docs/xdpflow.1 FLOW STATUS lacks %s" % missing


def test_explain_flowstat_knows_every_bit():
    """--explain-flowstat decodes every documented bit: given all of them, it
    prints one line per bit (at least as many lines as bits)."""
    bits = defines("include/xdpflow/abi.h", r"XF_FS_\w+")
    value = 0
    for v in bits.values():
        value |= v
    res = run_ok(["--explain-flowstat", "0x%016x" % value])
    lines = [l for l in res.out.splitlines() if l.strip()]
    assert len(lines) >= len(bits), (
        "--explain-flowstat 0x%016x printed %d lines for %d bits:\n%s" %
        (value, len(lines), len(bits), res.out))


# ---------------------------------------------------------------- man page --

def man_source():
    """docs/xdpflow.1 with groff escapes for '-' and fonts undone."""
    text = read("docs", "xdpflow.1")
    text = text.replace("\\-", "-").replace("\\c", "")
    return re.sub(r"\\f[BIRP]|\\f\(CR", "", text)


def help_options(text):
    longs = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9])", text))
    shorts = set(re.findall(r"(?<![\w-])(-[A-Za-z])(?![\w-])", text))
    return longs, shorts


def test_man_page_mentions_every_option():
    res = xf.run(["--help"])
    assert not res.timed_out and res.rc == 0, res
    longs, shorts = help_options(res.out + res.err)
    assert "--help" in longs, "--help printed no --help: %r" % res.out
    man = man_source()
    words = set(re.findall(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)", man))
    missing = sorted(o for o in longs | shorts if o not in words)
    assert not missing, "options of `xdpflow --help` not in docs/xdpflow.1: " \
        "%s" % ", ".join(missing)


def source_long_options(path):
    """Long option names of the `struct option` tables in a C file."""
    text = read(path)
    names = []
    for table in re.findall(r"struct option\s+\w+\[\]\s*=\s*\{(.*?)\};",
                            text, re.S):
        names += re.findall(r"\{\s*\"([a-z][a-z0-9-]*)\"\s*,", table)
    return names


@pytest.mark.parametrize("path", ["userspace/main.c", "userspace/follow.c",
                                  "userspace/split.c"])
def test_man_page_mentions_every_long_option_accepted(path):
    """Also the long spellings --help does not show (--read, --write, ...),
    and those of the follow and split subcommands."""
    names = source_long_options(path)
    assert names, "no struct option table found in %s" % path
    words = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", man_source()))
    missing = ["--" + n for n in names if "--" + n not in words]
    assert not missing, "long options of %s not in docs/xdpflow.1: %s" % (
        path, ", ".join(missing))


def test_man_page_renders_cleanly():
    groff = shutil.which("groff")
    if not groff:
        pytest.skip("SKIP: groff not installed, docs/xdpflow.1 not rendered")
    p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z",
                        os.path.join(DOCS, "xdpflow.1")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and not p.stderr.strip(), \
        "groff warnings for docs/xdpflow.1:\n" + p.stderr
