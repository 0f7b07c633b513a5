# SPDX-License-Identifier: BSD-3-Clause
"""Finding and running the xdpflow binary."""

import os
import shutil
import subprocess

__all__ = ["XdpflowError", "find_binary", "run_xdpflow"]


class XdpflowError(RuntimeError):
    """xdpflow failed: the message carries its command line and stderr."""

    def __init__(self, cmd, returncode, stderr):
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stderr = stderr or ""
        tail = "\n".join(self.stderr.strip().splitlines()[-5:])
        super().__init__("%s exited with %s%s" % (
            " ".join(self.cmd), returncode, (":\n" + tail) if tail else ""))


def find_binary():
    """The xdpflow executable: $XDPFLOW, else build/xdpflow of the source tree
    this package sits in, else xdpflow on PATH."""
    env = os.environ.get("XDPFLOW")
    if env:
        if not os.access(env, os.X_OK):
            raise FileNotFoundError("XDPFLOW=%s: not an executable file" % env)
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.normpath(os.path.join(here, "..", "..", "..", "build", "xdpflow"))
    if os.access(tree, os.X_OK):
        return tree
    found = shutil.which("xdpflow")
    if found:
        return found
    raise FileNotFoundError(
        "xdpflow binary not found: set XDPFLOW, run `make`, or put xdpflow on PATH")


def run_xdpflow(args, binary=None, timeout=None, text=True):
    """Run xdpflow with args; return stdout (str, or bytes with text=False)."""
    cmd = [binary or find_binary()] + [str(a) for a in args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)
    if proc.returncode != 0:
        raise XdpflowError(cmd, proc.returncode,
                           proc.stderr.decode("utf-8", "replace"))
    return proc.stdout.decode("utf-8", "replace") if text else proc.stdout
