# SPDX-License-Identifier: BSD-3-Clause
"""xdpflow from Python: run it on captures or interfaces and get flows,
packets, reports and streams as Python values (standard library only;
pandas used if installed).

    >>> import xdpflow
    >>> s = xdpflow.Session(pcap="get.pcap").run()
    >>> s.flows()[0]["dstPort"]
    80
"""

from ._binary import XdpflowError, find_binary
from .columns import read_headers, read_tsv
from .config import config_options, describe, get_default, list_config
from .session import Session

__all__ = ["Session", "XdpflowError", "find_binary", "list_config", "get_default",
           "describe", "config_options", "read_headers", "read_tsv", "list_columns"]

__version__ = "0.1.0"


def list_columns(config=None, binary=None):
    """The columns a run with this config writes: list of dicts {name, type,
    json, module, description} from `xdpflow --list-columns --json`."""
    import json
    from ._binary import run_xdpflow
    return json.loads(run_xdpflow(["--list-columns", "--json"] + config_options(config),
                                  binary))
