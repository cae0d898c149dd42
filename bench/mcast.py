# SPDX-License-Identifier: ISC
"""Multicast sender and receiver for the benchmark (one JSON line out).

    mcast.py send --group 239.1.0.1 [--count N] --rate PPS --duration S
    mcast.py recv --group 239.1.0.1 [--count N] --ifaddr A --timeout S

Groups are GROUP, GROUP+1, ... GROUP+count-1.  The sender goes round
robin over them at --rate packets per second in total; every packet
carries a magic, a sequence number, the group index and the send time
(CLOCK_MONOTONIC, the same clock in every network namespace).  It prints
{"t_first": ..., "sent": ...} when done.

The receiver joins every group at once on one socket (IGMP on the
interface with address --ifaddr), then records per group the arrival
time of the first packet, and for group 0 the sequence numbers of its
first --keep-seq packets.  It stops when every group has been seen and
--linger seconds have passed, or at --timeout.  It prints
{"t_join": ..., "t_join_end": ..., "first": {idx: t}, "seqs": [...], ...}.

    mcast.py igmpwatch --iface IF --group G --timeout S

waits for the first IGMP membership report for G that the host sends on
IF (v2 report, or a v3 report with a record for G), and prints
{"ready": true} once listening, then {"t_report": wall-clock time} (or
{"t_report": null} at the timeout).

Times are seconds (float) of CLOCK_MONOTONIC, except t_report, which is
time.time() like the timestamps of tests/topo/mcast_tools.py.
"""

import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time

MAGIC = 0x50494D42          # "PIMB"
HDR = struct.Struct("!IIIq")  # magic, seq, group index, send time (ns)
PAYLOAD = 64
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def groups(first, count):
    base = int(ipaddress.IPv4Address(first))
    return [str(ipaddress.IPv4Address(base + k)) for k in range(count)]


def send(a):
    gs = groups(a.group, a.count)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    if a.ifaddr:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.ifaddr))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    pad = b"\0" * (PAYLOAD - HDR.size)
    dests = [(g, a.port) for g in gs]
    n = len(dests)
    seq = 0
    errors = 0
    t0 = now()
    end = t0 + a.duration
    period = 1.0 / a.rate
    t_first = None
    while True:
        t = now()
        if t >= end:
            break
        due = t0 + seq * period
        if due > t:
            time.sleep(due - t)
            continue
        # catch up in a burst if we fell behind (keeps the average rate)
        k = seq % n
        ts = now()
        try:
            s.sendto(HDR.pack(MAGIC, seq // n, k, int(ts * 1e9)) + pad, dests[k])
        except OSError:
            errors += 1
        if t_first is None:
            t_first = ts
        seq += 1
    print(json.dumps({"t_start": t0, "t_first": t_first, "t_end": now(), "sent": seq,
                      "errors": errors, "groups": n}), flush=True)


def recv(a):
    gs = groups(a.group, a.count)
    index = {socket.inet_aton(g): k for k, g in enumerate(gs)}
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind((gs[0] if len(gs) == 1 else "0.0.0.0", a.port))
    local = socket.inet_aton(a.ifaddr)
    if a.ready_file:
        # Wait for the go file: the caller decides when the join happens.
        deadline = now() + a.timeout
        while not os.path.exists(a.ready_file) and now() < deadline:
            time.sleep(0.001)
    t_join = now()
    join_errors = []
    for g in gs:
        try:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton(g) + local)
        except OSError as e:
            join_errors.append(f"{g}: {e}")
            if len(join_errors) > 5:
                break
    t_join_end = now()
    first = {}
    seqs = []
    pkts = 0
    t_all = None
    deadline = t_join + a.timeout
    while True:
        t = now()
        if t_all is not None and t >= t_all + a.linger:
            break
        if t >= deadline:
            break
        limit = deadline if t_all is None else min(deadline, t_all + a.linger)
        r, _, _ = select.select([s], [], [], max(0.0, min(0.2, limit - t)))
        if not r:
            continue
        while True:
            try:
                data, anc, _, _ = s.recvmsg(256, 64, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            t = now()
            if len(data) < HDR.size:
                continue
            magic, seq, k, _ = HDR.unpack_from(data)
            if magic != MAGIC:
                continue
            # pktinfo tells the destination group; trust it over the payload
            for lvl, typ, val in anc:
                if lvl == socket.IPPROTO_IP and typ == IP_PKTINFO and len(val) >= 12:
                    k = index.get(val[8:12], -1)
            if k < 0:
                continue
            pkts += 1
            if k not in first:
                first[k] = t
                if len(first) == len(gs) and t_all is None:
                    t_all = t
            if k == 0 and len(seqs) < a.keep_seq:
                seqs.append(seq)
    print(json.dumps({"t_join": t_join, "t_join_end": t_join_end, "t_all": t_all,
                      "groups": len(gs), "seen": len(first), "packets": pkts,
                      "first": {str(k): v for k, v in first.items()}, "seqs": seqs,
                      "join_errors": join_errors}), flush=True)


ETH_P_ALL = 0x0003          # only ETH_P_ALL packet sockets see outgoing packets
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4


def igmp_has_group(igmp, group):
    """True if the IGMP message is a v1/v2 report or v3 record for group."""
    if len(igmp) < 8:
        return False
    typ = igmp[0]
    if typ in (0x12, 0x16):
        return igmp[4:8] == group
    if typ != 0x22:
        return False
    nrec = struct.unpack_from("!H", igmp, 6)[0]
    off = 8
    for _ in range(nrec):
        if off + 8 > len(igmp):
            return False
        aux, nsrc = igmp[off + 1], struct.unpack_from("!H", igmp, off + 2)[0]
        if igmp[off + 4:off + 8] == group:
            return True
        off += 8 + 4 * nsrc + 4 * aux
    return False


def igmpwatch(a):
    group = socket.inet_aton(a.group)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.bind((a.iface, ETH_P_ALL))
    print(json.dumps({"ready": True}), flush=True)
    deadline = now() + a.timeout
    t_report = None
    while t_report is None:
        left = deadline - now()
        if left <= 0:
            break
        if not select.select([s], [], [], left)[0]:
            continue
        data, addr = s.recvfrom(65535)
        t = time.time()
        if (addr[1] != ETH_P_IP or addr[2] != PACKET_OUTGOING or len(data) < 20
                or data[9] != socket.IPPROTO_IGMP):
            continue
        ihl = (data[0] & 15) * 4
        if igmp_has_group(data[ihl:], group):
            t_report = t
    print(json.dumps({"t_report": t_report}), flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    for name in ("send", "recv"):
        q = sub.add_parser(name)
        q.add_argument("--group", required=True)
        q.add_argument("--count", type=int, default=1)
        q.add_argument("--port", type=int, default=5001)
        q.add_argument("--ifaddr")
    q = sub.choices["send"]
    q.add_argument("--rate", type=float, default=1000)
    q.add_argument("--duration", type=float, default=5)
    q.add_argument("--ttl", type=int, default=16)
    q = sub.choices["recv"]
    q.add_argument("--timeout", type=float, default=10)
    q.add_argument("--linger", type=float, default=0.0)
    q.add_argument("--keep-seq", type=int, default=200)
    q.add_argument("--ready-file")
    q = sub.add_parser("igmpwatch")
    q.add_argument("--iface", required=True)
    q.add_argument("--group", required=True)
    q.add_argument("--timeout", type=float, default=10)
    a = p.parse_args(argv)
    if a.mode == "recv" and not a.ifaddr:
        p.error("recv needs --ifaddr")
    {"send": send, "recv": recv, "igmpwatch": igmpwatch}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
