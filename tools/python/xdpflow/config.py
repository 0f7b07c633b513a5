# SPDX-License-Identifier: BSD-3-Clause
"""The settings registry as `xdpflow --list-config --json` reports it."""

import json

from ._binary import run_xdpflow

__all__ = ["list_config", "get_default", "describe", "config_options", "typed_value"]

_cache = {}


def list_config(binary=None, refresh=False):
    """Every setting: a list of dicts {name, module, type, default, value,
    description} (plus whatever else xdpflow reports, e.g. choices)."""
    key = binary or ""
    if refresh or key not in _cache:
        _cache[key] = json.loads(run_xdpflow(["--list-config", "--json"], binary))
    return [dict(s) for s in _cache[key]]


def _find(name, binary=None):
    for s in list_config(binary):
        if s["name"].upper() == str(name).upper():
            return s
    raise KeyError("unknown xdpflow setting %r (see xdpflow.list_config())" % name)


def typed_value(setting, text):
    """A setting's text value as a Python value of its type."""
    kind = str(setting.get("type", "string")).lower()
    if not isinstance(text, str):
        return text
    if kind in ("bool", "boolean"):
        return text.strip().lower() in ("1", "yes", "true", "on")
    if kind in ("int", "integer"):
        return int(text, 0)
    if kind in ("double", "float"):
        return float(text)
    return text


def get_default(name, binary=None):
    """A setting's default value, typed (bool, int, float or str)."""
    s = _find(name, binary)
    return typed_value(s, s.get("default"))


def describe(name, binary=None):
    """A setting's one-line description."""
    return _find(name, binary)["description"]


def _option_text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def config_options(config):
    """A {NAME: value} dict as `-D NAME=VALUE` arguments (booleans as 1/0,
    lists as comma lists, e.g. MODULES)."""
    args = []
    for name, value in (config or {}).items():
        if not name or "=" in name:
            raise ValueError("bad setting name %r" % (name,))
        args += ["-D", "%s=%s" % (name, _option_text(value))]
    return args
