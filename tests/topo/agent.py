# SPDX-License-Identifier: ISC
"""A helper process in a topology node that takes one command per line.

Tests that need a long-lived actor inside a namespace (a host holding
sockets, a scripted PIM neighbour) run a small Python script there with
LineAgent: the script prints "ready" once set up, then answers each command
line with "ok" (optionally followed by data) or an error text.
"""
import os
import select
import subprocess
import time

import topo as topolib


class LineAgent:
    def __init__(self, t, name, script, *args):
        self.t, self.node = t, t[name]
        self.ifc = self.node.ifaces[0]
        self.ip, self.ifname = self.ifc.ip, self.ifc.name
        err = open(t.workdir / f"agent-{name}.log", "wb")
        try:
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.node.ns, "/usr/bin/python3", "-u", "-c", script]
                + [str(a) for a in args],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True, preexec_fn=topolib._die_with_parent)
        finally:
            err.close()
        t._procs.append(self.proc)   # killed at topology stop
        self._buf = b""
        assert self._reply(10) == "ready"

    def _reply(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"agent on {self.node.name}: no answer "
                                     f"(exit {self.proc.poll()})")
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"agent on {self.node.name} closed its output")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode().strip()

    def cmd(self, *args, timeout=5):
        """Send one command; the data after "ok", or fail the test."""
        self.proc.stdin.write((" ".join(args) + "\n").encode())
        self.proc.stdin.flush()
        r = self._reply(timeout)
        assert r == "ok" or r.startswith("ok "), f"{self.node.name}: {' '.join(args)}: {r}"
        return r[3:]
