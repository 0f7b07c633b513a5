# SPDX-License-Identifier: BSD-3-Clause
"""Reading xdpflow's files with typed values.

Column types are T2's codes, from PREFIX_headers.txt (or `xdpflow
--list-columns --json`):  U8..U64 and I8..I64 -> int, H8..H64 (hex) -> int,
F/D -> float, U64.U32 (seconds.fraction timestamps) -> float, R(X) ->
list of X (TSV values separated by ';'), everything else (C, S, MAC, IPX)
-> str.  An empty field is None.
"""

import json
import re

__all__ = ["read_headers", "converter", "read_tsv", "typed_record", "infer_value"]

_INT = re.compile(r"^[UI](8|16|32|64)$")
_HEX = re.compile(r"^H(8|16|32|64)$")
_REP = re.compile(r"^R\((.*)\)$")


def read_headers(path):
    """PREFIX_headers.txt as a list of dicts {col, type, name, description}."""
    cols = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t", 3)
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            cols.append({"col": int(parts[0]), "type": parts[1], "name": parts[2],
                         "description": parts[3] if len(parts) > 3 else ""})
    return cols


def _scalar(t):
    if _INT.match(t):
        return int
    if _HEX.match(t):
        return lambda v: int(v, 16) if isinstance(v, str) else v
    if t in ("F", "D", "U64.U32"):
        return float
    return str


def converter(t):
    """A function turning one field (TSV text, or a JSON value) into the
    Python value for T2 type code t."""
    m = _REP.match(t or "")
    if m:
        inner = _scalar(m.group(1))

        def rep(v):
            if v is None or v == "":
                return []
            items = v if isinstance(v, list) else v.split(";")
            return [inner(x) if x != "" else None for x in items]
        return rep
    scalar = _scalar(t or "")

    def one(v):
        if v is None or v == "":
            return None
        if scalar is str:
            return v if isinstance(v, str) else str(v)
        try:
            return scalar(v)
        except (TypeError, ValueError):
            return v            # not what the type says: keep it as it is
    return one


def infer_value(v):
    """No declared type (packet files): int, hex int, float, else text."""
    if v == "":
        return None
    try:
        return int(v)
    except ValueError:
        pass
    if v[:2] in ("0x", "0X"):
        try:
            return int(v, 16)
        except ValueError:
            return v
    try:
        return float(v)
    except ValueError:
        return v


def typed_record(record, convs):
    """A dict (from TSV fields or a JSON object) with values converted by
    convs {name: converter}; unknown names infer from text or stay as is."""
    out = {}
    for name, v in record.items():
        conv = convs.get(name)
        if conv:
            out[name] = conv(v)
        elif isinstance(v, str):
            out[name] = infer_value(v)
        else:
            out[name] = v
    return out


def split_header(line):
    """'%dir\\tflowInd...' -> ['dir', 'flowInd', ...]"""
    return line.rstrip("\n").lstrip("%").split("\t")


def read_tsv(path, convs=None):
    """A TSV file whose header line starts with '%': list of typed dicts.
    Lines starting with '#' are comments."""
    rows, names = [], None
    convs = convs or {}
    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        for line in f:
            if line.startswith("#") or not line.strip("\n"):
                continue
            if line.startswith("%"):
                names = split_header(line)
                continue
            if names is None:
                raise ValueError("%s: data before the '%%' header line" % path)
            fields = line.rstrip("\n").split("\t")
            rows.append(typed_record(dict(zip(names, fields)), convs))
    return rows


def json_lines(path_or_lines, convs=None):
    """JSON lines (PREFIX_flows.json or a socket stream) as typed dicts."""
    convs = convs or {}
    if isinstance(path_or_lines, str):
        with open(path_or_lines, encoding="utf-8") as f:
            return [typed_record(json.loads(l), convs) for l in f if l.strip()]
    return [typed_record(json.loads(l), convs) for l in path_or_lines if l.strip()]
