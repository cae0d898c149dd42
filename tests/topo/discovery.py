#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Service discovery across routers: the traffic pimd is for.

An agent multicasts a query to a group with a TTL high enough to cross
routers; responders that joined the group answer the agent by unicast.

    discovery.py respond --name NAME [--group G] [--port P] [--iface-addr A] [--duration S]
    discovery.py query [--group G] [--port P] [--ttl T] [--wait S] [--repeat N]

`query` prints JSON: {"answers": {"NAME": "ADDRESS", ...}, "queries": N}.
`respond` answers every query it hears until --duration runs out and then
prints JSON: {"name": NAME, "queries_heard": N}.  Both stop by themselves.
"""
import argparse
import json
import socket
import struct
import sys
import time

GROUP = "239.100.100.1"
PORT = 65100
MAGIC = b"PIMD-DISCOVERY"


def respond(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.group, args.port))
    mreq = socket.inet_aton(args.group) + socket.inet_aton(args.iface_addr)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    heard = 0
    end = time.monotonic() + args.duration
    print(json.dumps({"name": args.name, "ready": True}), flush=True)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(1500)
        except socket.timeout:
            break
        if not data.startswith(MAGIC + b" QUERY "):
            continue
        heard += 1
        qid = data.split()[-1]
        s.sendto(MAGIC + b" ANSWER " + qid + b" " + args.name.encode(), peer)
    print(json.dumps({"name": args.name, "queries_heard": heard}), flush=True)


def query(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, struct.pack("b", args.ttl))
    s.bind(("0.0.0.0", 0))
    qid = str(int(time.time() * 1000) % 1000000).encode()
    answers = {}
    sent = 0
    for _ in range(args.repeat):
        s.sendto(MAGIC + b" QUERY " + qid, (args.group, args.port))
        sent += 1
        end = time.monotonic() + args.wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(1500)
            except socket.timeout:
                break
            parts = data.split()
            if len(parts) == 4 and parts[0] == MAGIC and parts[1] == b"ANSWER" \
                    and parts[2] == qid:
                answers[parts[3].decode()] = peer[0]
    print(json.dumps({"answers": answers, "queries": sent}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("respond")
    r.add_argument("--name", required=True)
    r.add_argument("--iface-addr", default="0.0.0.0")
    r.add_argument("--duration", type=float, default=30)
    q = sub.add_parser("query")
    q.add_argument("--ttl", type=int, default=16)
    q.add_argument("--wait", type=float, default=1.0)
    q.add_argument("--repeat", type=int, default=1)
    for sp in (r, q):
        sp.add_argument("--group", default=GROUP)
        sp.add_argument("--port", type=int, default=PORT)
    args = p.parse_args()
    respond(args) if args.cmd == "respond" else query(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
