# SPDX-License-Identifier: BSD-3-Clause
"""list_config / get_default / describe against `xdpflow --list-config --json`."""
import json
import subprocess

import pytest

import xdpflow


def test_list_config_matches_binary(binary):
    raw = json.loads(subprocess.run([binary, "--list-config", "--json"], check=True,
                                    stdout=subprocess.PIPE).stdout)
    settings = xdpflow.list_config()
    assert [s["name"] for s in settings] == [s["name"] for s in raw]
    by_name = {s["name"]: s for s in settings}
    for name in ("SOCKET_PATH", "SOCKET_CONNECT", "SOCKET_FORMAT", "SOCKET_BUFFER",
                 "SOCKET_MODE", "SOCKET_WAIT", "MONITOR_INTERVAL"):
        assert name in by_name, name
        assert set(by_name[name]) >= {"name", "module", "type", "default", "value",
                                      "description"}
    assert by_name["SOCKET_PATH"]["module"] == "socketSink"
    assert by_name["MONITOR_INTERVAL"]["module"] == "monitor"


def test_get_default_typed(binary):
    assert xdpflow.get_default("SOCKET_FORMAT") == "json"
    assert xdpflow.get_default("SOCKET_BUFFER") == 4194304
    assert xdpflow.get_default("socket_mode") == "0600"          # names are case-blind
    assert xdpflow.get_default("MONITOR_INTERVAL") == 0.0
    assert xdpflow.get_default("MONITOR_STDERR") is True
    with pytest.raises(KeyError):
        xdpflow.get_default("NO_SUCH_SETTING")


def test_describe(binary):
    d = xdpflow.describe("SOCKET_BUFFER")
    assert isinstance(d, str) and "subscriber" in d
    with pytest.raises(KeyError):
        xdpflow.describe("NO_SUCH_SETTING")


def test_config_options():
    assert xdpflow.config_options({"MODULES": ["basicFlow", "tcpFlags"],
                                   "MONITOR_STDERR": False, "SOCKET_BUFFER": 4096}) == [
        "-D", "MODULES=basicFlow,tcpFlags", "-D", "MONITOR_STDERR=0",
        "-D", "SOCKET_BUFFER=4096"]
    with pytest.raises(ValueError):
        xdpflow.config_options({"A=B": 1})
