# SPDX-License-Identifier: ISC
"""Multicast test traffic: a paced sender and a counting receiver.

Command line (run inside a namespace with `ip netns exec NS python3 ...`):

    mcast_tools.py send --group G --port P [--rate 100] [--count N | --duration D]
                        [--ttl 16] [--iface-addr A] [--start-seq 0] [--size 64]
    mcast_tools.py recv --group G [--source S] --port P [--iface-addr A]
                        [--duration D] [--expect N] [--control] [--sniff IFNAME]

Every datagram carries MAGIC, a 32-bit sequence number and the send time.
The sender paces on an absolute schedule (packet k leaves at start + k/rate)
and prints one JSON line when done:
    {"sent": n, "errors": e, "first_seq": a, "last_seq": b, "start": t0, "end": t1}

The receiver joins G (any-source, or source-specific with --source: IGMPv3
INCLUDE {S}), counts packets per sequence number and prints one JSON report
on exit (--duration elapsed, --expect reached, SIGTERM/SIGINT, or stdin EOF
with --control), and also on SIGUSR1:
    {"received": n, "unique": u, "duplicates": d, "dup_seqs": [...], "first_seq": a, "last_seq": b,
     "missing": m, "gaps": [[from, to], ...], "longest_gap": k, "loss_span": l,
     "max_interarrival": s, "first_time": t, "last_time": t, "sources": {...}}
gaps are the inclusive ranges of sequence numbers missing between first_seq
and last_seq; loss_span the sequence numbers from the first missing to the
last missing, both included (one outage that came in several gaps); dup_seqs the sequence numbers that arrived more than once (the
first MAX_DUP_SEQS); times are time.time() (shared by all namespaces).

--sniff IFNAME counts the stream's packets as they arrive on a link
(AF_PACKET), with or without any membership: "does anything reach this
subnet?".

With --control the receiver takes one command per stdin line and answers
with one JSON line each:
    report                   the report above
    reset                    forget everything counted so far
    join G [S] / leave G [S] add or drop a membership (source-specific with S)
    close                    close the socket (drops every membership)
    quit                     final report and exit
It prints {"ready": true, ...} once its socket is set up.

From Python tests (topo.py nodes): Receiver(node, ...) drives a --control
receiver, send(node, ...) runs a sender to completion, Sender(node, ...) one
in the background.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

MAGIC = b"MCT1"
MAX_DUP_SEQS = 2000                   # the report lists at most these duplicated seqs
HDR = struct.Struct("!4sId")          # magic, seq, send time
TOOL = str(Path(__file__).resolve())
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

IP_ADD_MEMBERSHIP = getattr(socket, "IP_ADD_MEMBERSHIP", 35)
IP_DROP_MEMBERSHIP = getattr(socket, "IP_DROP_MEMBERSHIP", 36)
IP_ADD_SOURCE_MEMBERSHIP = 39         # struct ip_mreq_source: group, iface, source
IP_DROP_SOURCE_MEMBERSHIP = 40
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4


# ---------------------------------------------------------------------------
# Sender

def run_sender(group, port, rate=100.0, count=0, duration=0.0, ttl=16, iface_addr=None,
               start_seq=0, size=64, loop=False, stop=None):
    """Send the stream; returns the summary dict.  count=0: until duration
    (or forever with neither); stop() -> True ends it early."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1 if loop else 0)
    if iface_addr:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface_addr))
    pad = b"\0" * max(0, size - HDR.size)
    interval = 1.0 / rate if rate > 0 else 0.0
    sent = errors = 0
    seq = start_seq
    t0 = time.time()
    m0 = time.monotonic()
    last_error = None
    while True:
        if count and sent + errors >= count:
            break
        if duration and time.monotonic() - m0 >= duration:
            break
        if stop is not None and stop():
            break
        due = m0 + (sent + errors) * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            s.sendto(HDR.pack(MAGIC, seq & 0xffffffff, time.time()) + pad, (group, port))
            sent += 1
        except OSError as e:
            errors += 1
            last_error = str(e)
        seq += 1
    s.close()
    out = {"sent": sent, "errors": errors, "first_seq": start_seq, "last_seq": seq - 1,
           "start": t0, "end": time.time(), "rate": rate}
    if last_error:
        out["last_error"] = last_error
    return out


# ---------------------------------------------------------------------------
# Receiver

class Stats:
    """Per-sequence-number counts of one stream."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.counts = {}
        self.received = 0
        self.foreign = 0
        self.sources = {}
        self.first_time = self.last_time = None
        self.max_iat = 0.0
        self.max_iat_after = None      # seq received just before the longest pause
        self._last_seq = None

    def add(self, seq, src, now):
        self.received += 1
        self.counts[seq] = self.counts.get(seq, 0) + 1
        self.sources[src] = self.sources.get(src, 0) + 1
        if self.last_time is not None and now - self.last_time > self.max_iat:
            self.max_iat = now - self.last_time
            self.max_iat_after = self._last_seq
        if self.first_time is None:
            self.first_time = now
        self.last_time = now
        self._last_seq = seq

    def report(self):
        seqs = sorted(self.counts)
        gaps = []
        for a, b in zip(seqs, seqs[1:]):
            if b > a + 1:
                gaps.append([a + 1, b - 1])
        return {
            "received": self.received,
            "unique": len(seqs),
            "duplicates": self.received - len(seqs),
            "dup_seqs": [q for q in seqs if self.counts[q] > 1][:MAX_DUP_SEQS],
            "first_seq": seqs[0] if seqs else None,
            "last_seq": seqs[-1] if seqs else None,
            "missing": sum(b - a + 1 for a, b in gaps),
            "gaps": gaps,
            "longest_gap": max((b - a + 1 for a, b in gaps), default=0),
            "loss_span": gaps[-1][1] - gaps[0][0] + 1 if gaps else 0,
            "max_interarrival": round(self.max_iat, 6),
            "max_interarrival_after_seq": self.max_iat_after,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "sources": self.sources,
            "foreign": self.foreign,
        }


def _mreq(group, iface_addr, source=None):
    b = socket.inet_aton(group) + socket.inet_aton(iface_addr or "0.0.0.0")
    return b + socket.inet_aton(source) if source else b


class RecvSocket:
    """A UDP socket bound to the port, with memberships, or a link sniffer."""

    def __init__(self, group, port, iface_addr=None, bind_any=False, sniff=None):
        self.group, self.port, self.iface_addr, self.sniff = group, port, iface_addr, sniff
        if sniff:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
            self.sock.bind((sniff, ETH_P_IP))
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            self.sock.bind(("" if bind_any else group, port))
        self.sock.setblocking(False)

    def fileno(self):
        return self.sock.fileno()

    def membership(self, add, group, source=None):
        if self.sniff:
            return
        if source:
            opt = IP_ADD_SOURCE_MEMBERSHIP if add else IP_DROP_SOURCE_MEMBERSHIP
        else:
            opt = IP_ADD_MEMBERSHIP if add else IP_DROP_MEMBERSHIP
        self.sock.setsockopt(socket.IPPROTO_IP, opt, _mreq(group, self.iface_addr, source))

    def read(self, stats):
        """Drain the socket into stats."""
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            now = time.time()
            if self.sniff:
                if addr[2] == PACKET_OUTGOING or len(data) < 28 or data[0] >> 4 != 4:
                    continue
                ihl = (data[0] & 15) * 4
                if data[9] != socket.IPPROTO_UDP or socket.inet_ntoa(data[16:20]) != self.group:
                    continue
                if struct.unpack("!H", data[ihl + 2:ihl + 4])[0] != self.port:
                    continue
                src = socket.inet_ntoa(data[12:16])
                data = data[ihl + 8:]
            else:
                src = addr[0]
            if len(data) >= HDR.size and data[:4] == MAGIC:
                stats.add(HDR.unpack_from(data)[1], src, now)
            else:
                stats.foreign += 1

    def close(self):
        self.sock.close()


def run_receiver(args):
    stats = Stats()
    rs = RecvSocket(args.group, args.port, args.iface_addr, args.bind_any, args.sniff)
    if not args.no_join and not args.sniff:
        rs.membership(True, args.group, args.source)
    flags = {"report": False, "quit": False}

    def out(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    signal.signal(signal.SIGUSR1, lambda *_: flags.__setitem__("report", True))
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: flags.__setitem__("quit", True))
    if args.control:
        out({"ready": True, "pid": os.getpid(), "group": args.group, "source": args.source})
    deadline = time.monotonic() + args.duration if args.duration else None
    stdin = sys.stdin.fileno() if args.control else None
    inbuf = b""
    while not flags["quit"]:
        if args.expect and len(stats.counts) >= args.expect:
            break
        timeout = 0.2
        if deadline is not None:
            timeout = min(timeout, max(0.0, deadline - time.monotonic()))
            if timeout <= 0:
                break
        fds = [rs] if rs is not None else []
        if stdin is not None:
            fds.append(stdin)
        try:
            ready = select.select(fds, [], [], timeout)[0]
        except InterruptedError:
            ready = []
        if rs is not None and rs in ready:
            rs.read(stats)
        if flags["report"]:
            flags["report"] = False
            out(stats.report())
        if stdin is not None and stdin in ready:
            chunk = os.read(stdin, 4096)
            if not chunk:
                break
            inbuf += chunk
            while b"\n" in inbuf:
                line, inbuf = inbuf.split(b"\n", 1)
                f = line.decode().split()
                if not f:
                    continue
                try:
                    if f[0] == "report":
                        if rs is not None:
                            rs.read(stats)
                        out(stats.report())
                    elif f[0] == "reset":
                        stats.reset()
                        out({"ok": True})
                    elif f[0] in ("join", "leave"):
                        if rs is None:
                            raise RuntimeError("socket closed")
                        rs.membership(f[0] == "join", f[1], f[2] if len(f) > 2 else None)
                        out({"ok": True})
                    elif f[0] == "close":
                        if rs is not None:
                            rs.read(stats)
                            rs.close()
                            rs = None
                        out({"ok": True})
                    elif f[0] == "quit":
                        flags["quit"] = True
                        break
                    else:
                        out({"error": f"unknown command {f[0]!r}"})
                except Exception as e:  # noqa: BLE001 - reported to the caller
                    out({"error": repr(e)})
    if rs is not None:
        rs.read(stats)
    out(stats.report())
    return 0


# ---------------------------------------------------------------------------
# Helpers for tests: processes in a topo.py node's namespace.

def _popen(node, argv, stdin, stdout, stderr):
    p = subprocess.Popen(["ip", "netns", "exec", node.ns, PYTHON, "-u", TOOL] + argv,
                         stdin=stdin, stdout=stdout, stderr=stderr, start_new_session=True,
                         preexec_fn=_pdeathsig)
    procs = getattr(getattr(node, "topo", None), "_procs", None)
    if procs is not None:
        procs.append(p)          # killed at topology stop
    return p


def _pdeathsig():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def _logfile(node, name):
    wd = getattr(getattr(node, "topo", None), "workdir", None)
    if wd is None:
        return subprocess.DEVNULL
    return open(Path(wd) / name, "ab")


class Receiver:
    """A --control receiver in node's namespace.

        r = Receiver(t["hr"], "232.1.1.1", 5000, iface_addr=..., source=S)
        r.report()["unique"]; r.leave("232.1.1.1", S); r.stop()
    """

    def __init__(self, node, group, port, iface_addr=None, source=None, join=True,
                 sniff=None, bind_any=False, name=None):
        self.node = node
        argv = ["recv", "--control", "--group", group, "--port", str(port)]
        if iface_addr:
            argv += ["--iface-addr", iface_addr]
        if source:
            argv += ["--source", source]
        if not join:
            argv += ["--no-join"]
        if sniff:
            argv += ["--sniff", sniff]
        if bind_any:
            argv += ["--bind-any"]
        self.name = name or f"recv-{node.name}-{group}{'-sniff' if sniff else ''}"
        err = _logfile(node, f"{self.name}.log")
        try:
            self.proc = _popen(node, argv, subprocess.PIPE, subprocess.PIPE, err)
        finally:
            if err is not subprocess.DEVNULL:
                err.close()
        self._buf = b""
        hello = self._line(10)
        if not hello.get("ready"):
            raise AssertionError(f"{self.name}: not ready: {hello}")

    def _line(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: no answer within {timeout}s")
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"{self.name}: exited ({self.proc.poll()})")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, *words, timeout=5):
        self.proc.stdin.write((" ".join(words) + "\n").encode())
        self.proc.stdin.flush()
        r = self._line(timeout)
        if "error" in r:
            raise AssertionError(f"{self.name}: {' '.join(words)}: {r['error']}")
        return r

    def report(self):
        return self.cmd("report")

    def reset(self):
        self.cmd("reset")

    def join(self, group, source=None):
        self.cmd("join", group, *([source] if source else []))

    def leave(self, group, source=None):
        self.cmd("leave", group, *([source] if source else []))

    def close(self):
        self.cmd("close")

    def stop(self, timeout=5):
        """Final report; the process exits."""
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name}: already exited ({self.proc.returncode})")
        self.proc.stdin.write(b"quit\n")
        self.proc.stdin.flush()
        r = self._line(timeout)
        self.proc.wait(timeout)
        return r


class Sender:
    """A sender in node's namespace, in the background; wait() -> summary."""

    def __init__(self, node, group, port, rate=100, count=0, duration=0, ttl=16,
                 iface_addr=None, start_seq=0, size=64):
        argv = ["send", "--group", group, "--port", str(port), "--rate", str(rate),
                "--count", str(count), "--duration", str(duration), "--ttl", str(ttl),
                "--start-seq", str(start_seq), "--size", str(size)]
        if iface_addr:
            argv += ["--iface-addr", iface_addr]
        self.name = f"send-{node.name}-{group}"
        err = _logfile(node, f"{self.name}.log")
        try:
            self.proc = _popen(node, argv, subprocess.DEVNULL, subprocess.PIPE, err)
        finally:
            if err is not subprocess.DEVNULL:
                err.close()

    def wait(self, timeout=60):
        out, _ = self.proc.communicate(timeout=timeout)
        if self.proc.returncode != 0:
            raise AssertionError(f"{self.name}: exit {self.proc.returncode}")
        return json.loads(out.decode().strip().splitlines()[-1])

    def stop(self):
        """Stop early (SIGTERM); the summary of what was sent."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        return self.wait()


def send(node, group, port, **kw):
    """Run a sender to completion in node's namespace; its summary."""
    return Sender(node, group, port, **kw).wait()


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("send", help="send a paced, numbered stream")
    s.add_argument("--group", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--rate", type=float, default=100.0, help="packets per second")
    s.add_argument("--count", type=int, default=0, help="packets (0: no limit)")
    s.add_argument("--duration", type=float, default=0.0, help="seconds (0: no limit)")
    s.add_argument("--ttl", type=int, default=16)
    s.add_argument("--iface-addr", help="outgoing interface (IP_MULTICAST_IF)")
    s.add_argument("--start-seq", type=int, default=0)
    s.add_argument("--size", type=int, default=64, help="UDP payload bytes")
    s.add_argument("--loop", action="store_true", help="IP_MULTICAST_LOOP on")

    r = sub.add_parser("recv", help="join and count a stream")
    r.add_argument("--group", required=True)
    r.add_argument("--source", help="source-specific join (IGMPv3 INCLUDE {S})")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--iface-addr", help="interface address for the membership")
    r.add_argument("--duration", type=float, default=0.0, help="seconds (0: until told)")
    r.add_argument("--expect", type=int, default=0, help="exit after N distinct packets")
    r.add_argument("--control", action="store_true", help="take commands on stdin")
    r.add_argument("--no-join", action="store_true", help="bind only, no membership")
    r.add_argument("--bind-any", action="store_true", help="bind 0.0.0.0, not the group")
    r.add_argument("--sniff", metavar="IFNAME", help="count packets on a link (AF_PACKET)")

    a = ap.parse_args(argv)
    if a.cmd == "send":
        flag = {"stop": False}
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: flag.__setitem__("stop", True))
        res = run_sender(a.group, a.port, a.rate, a.count, a.duration, a.ttl, a.iface_addr,
                         a.start_seq, a.size, a.loop, stop=lambda: flag["stop"])
        print(json.dumps(res), flush=True)
        return 0
    return run_receiver(a)


if __name__ == "__main__":
    sys.exit(main())
