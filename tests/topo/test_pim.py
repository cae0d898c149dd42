# SPDX-License-Identifier: ISC
"""PIM Hellos, neighbours and DR election (RFC 7761 §4.3), and Join/Prune from a
scripted neighbour (§4.5).

Two or more pimd on a bridged LAN, and pimd against a scripted neighbour:
a small agent in a host namespace that writes hand-built IP/PIM packets
through a raw socket (IP_HDRINCL, any source address on the link, so one
host plays several routers) and records the PIM packets it receives.
"""

import ipaddress
import json
import socket
import struct
import time

import pytest

from agent import LineAgent
from mcast_tools import Receiver
from topo import PimcError, wait_for

ALL_PIM_ROUTERS = "224.0.0.13"
IPPROTO_PIM = 103
HELLO = 0

# Hello option types (§4.9.2)
OPT_HOLDTIME, OPT_LPD, OPT_DR_PRIORITY, OPT_GENID, OPT_ADDR_LIST = 1, 2, 19, 20, 24

DROPS = ("too-short", "bad-version", "unknown-type", "bad-checksum", "bad-encoding",
         "bad-count", "bad-group", "bad-option", "source-off-subnet", "bad-destination",
         "passive-interface", "not-a-neighbor", "unsupported-type", "bootstrap-not-from-rpf",
         "bootstrap-not-preferred", "bootstrap-filtered", "bootstrap-unexpected",
         "candidate-rp-advertisement-not-bsr")

# Triggered_Hello_Delay, t_override default (§4.11)
TRIGGERED_HELLO_DELAY = 5
T_OVERRIDE = 2.5

JOIN_PRUNE = 3
SPARSE, WILDCARD, RPT = 4, 2, 1


# ---------------------------------------------------------------------------
# show ... --json

def pim_if(d, ifn):
    """The pim container of ifn in show interfaces, or None."""
    return d.interfaces().get(ifn, {}).get("pim")


def pim_up(d, ifn):
    return pim_if(d, ifn) is not None


def counters(d, ifn):
    """PIM counters of ifn as ints; drops under 'drop:<leaf>'."""
    c = pim_if(d, ifn)["counters"]
    out = {k: int(v) for k, v in c.items() if k != "drops"}
    out.update({f"drop:{k}": int(v) for k, v in c.get("drops", {}).items()})
    return out


def drops(d, ifn):
    c = counters(d, ifn)
    return {k: c[f"drop:{k}"] for k in DROPS}


def nbrs(d):
    """show neighbors --json as {address: entry}."""
    js = d.pimc("show", "neighbors", "--json")
    return {e["address"]: e for e in js.get("pimd:pimd", {}).get("state", {}).get("neighbor", [])}


def dr_is(d, ifn, addr):
    """ifn's pim container if the elected DR is addr, the flags agreeing."""
    p = pim_if(d, ifn)
    if p is None or p["dr-address"] != addr:
        return None
    me = d.interfaces()[ifn]["primary-address"]
    assert p["dr"] is (addr == me), p
    for a, e in nbrs(d).items():
        if e["interface"] == ifn:
            assert e["dr"] is (a == addr), (a, e)
    return p


def pim_cfg(t, router, **kw):
    pim = {"hello-interval": 1}
    pim.update({k.replace("_", "-"): v for k, v in kw.items()})
    return t.config_for(router, pim=pim)


# ---------------------------------------------------------------------------
# Packets

def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a2b(addr):
    return socket.inet_aton(addr)


def pim_msg(ptype, body, version=2, bad_cksum=False):
    """A PIM message: header with checksum over the whole message (§4.9)."""
    m = bytes([(version << 4) | ptype, 0, 0, 0]) + body
    ck = cksum(m)
    if bad_cksum:
        ck ^= 0x5a5a
    return m[:2] + struct.pack("!H", ck) + m[4:]


def opt(otype, value, length=None):
    return struct.pack("!HH", otype, len(value) if length is None else length) + value


def hello_opts(holdtime=105, prio=1, genid=None, lpd=(500, 2500), addrs=()):
    """Hello options; None leaves one out."""
    o = b""
    if holdtime is not None:
        o += opt(OPT_HOLDTIME, struct.pack("!H", holdtime))
    if lpd is not None:
        o += opt(OPT_LPD, struct.pack("!HH", lpd[0], lpd[1]))
    if prio is not None:
        o += opt(OPT_DR_PRIORITY, struct.pack("!I", prio))
    if genid is not None:
        o += opt(OPT_GENID, struct.pack("!I", genid))
    if addrs:
        o += opt(OPT_ADDR_LIST, b"".join(b"\x01\x00" + a2b(a) for a in addrs))
    return o


def hello(**kw):
    return pim_msg(HELLO, hello_opts(**kw))


def ip_packet(src, dst, payload, ttl=1):
    """An IPv4 header, protocol PIM (the kernel fills in checksum and id)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0xc0, 20 + len(payload), 0, 0,
                      ttl, IPPROTO_PIM, 0, a2b(src), a2b(dst))
    return hdr + payload


def parse_pim(pkt):
    """An IP/PIM packet as a dict; Hello options under 'opts' {type: bytes}."""
    hl = (pkt[0] & 0x0f) * 4
    tot = struct.unpack("!H", pkt[2:4])[0]
    msg = pkt[hl:tot]
    p = {"src": socket.inet_ntoa(pkt[12:16]), "dst": socket.inet_ntoa(pkt[16:20]),
         "ttl": pkt[8], "proto": pkt[9], "version": msg[0] >> 4, "type": msg[0] & 0x0f,
         "cksum_ok": cksum(msg) == 0, "len": len(msg)}
    if p["type"] == JOIN_PRUNE:
        p["upstream"] = socket.inet_ntoa(msg[6:10])
        ngroups, off, p["groups"] = msg[11], 14, []
        for _ in range(ngroups):
            grp = socket.inet_ntoa(msg[off + 4:off + 8])
            nj, np_ = struct.unpack("!HH", msg[off + 8:off + 12])
            off += 12
            srcs = [(socket.inet_ntoa(msg[off + 8 * i + 4:off + 8 * i + 8]), msg[off + 8 * i + 2])
                    for i in range(nj + np_)]
            off += 8 * (nj + np_)
            p["groups"].append({"group": grp, "joins": srcs[:nj], "prunes": srcs[nj:]})
    if p["type"] == HELLO:
        opts, off = {}, 4
        while off + 4 <= len(msg):
            ot, ol = struct.unpack("!HH", msg[off:off + 4])
            opts[ot] = msg[off + 4:off + 4 + ol]
            off += 4 + ol
        p["opts"] = opts
        p["trailing"] = len(msg) - off
    return p


# ---------------------------------------------------------------------------
# The scripted neighbour: an agent in a host namespace.

AGENT = r"""
import json, socket, sys, threading, time
addr, ifname = sys.argv[1], sys.argv[2]
ifa = socket.inet_aton(addr)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
raw.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, ifa)
raw.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, 103)
rx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
              socket.inet_aton("224.0.0.13") + ifa)
got, lock = [], threading.Lock()
def reader():
    while True:
        pkt = rx.recv(65535)
        with lock:
            got.append((time.monotonic(), pkt.hex()))
threading.Thread(target=reader, daemon=True).start()
print("ready", flush=True)
for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    try:
        if f[0] == "send":
            for h in f[1:]:
                pkt = bytes.fromhex(h)
                raw.sendto(pkt, (socket.inet_ntoa(pkt[16:20]), 0))
            print("ok", flush=True)
        elif f[0] == "take":
            with lock:
                out = list(got)
                got.clear()
            print("ok " + json.dumps(out), flush=True)
    except Exception as e:
        print("err", repr(e), flush=True)
"""


class Agent(LineAgent):
    """Sends crafted PIM packets from a host; records PIM packets received."""

    def __init__(self, t, name):
        ifc = t[name].ifaces[0]
        super().__init__(t, name, AGENT, ifc.ip, ifc.name)
        self.subnet = ipaddress.ip_network(self.ifc.link.subnet)

    def addr(self, k):
        """The k-th address of the link's subnet: a fake router's address."""
        return str(self.subnet[k])

    def send(self, pim, src=None, dst=ALL_PIM_ROUTERS, ttl=1):
        """Send a PIM message (bytes) in a hand-built IP header."""
        self.cmd("send", ip_packet(src or self.ip, dst, pim, ttl).hex())

    def hello(self, src=None, **kw):
        self.send(hello(**kw), src=src)

    def take(self):
        """PIM packets received since the last take: parsed, with 'ts' (monotonic)."""
        out = []
        for ts, h in json.loads(self.cmd("take")):
            p = parse_pim(bytes.fromhex(h))
            p["ts"] = ts
            out.append(p)
        return out


def scripted(topo, pim=None, router_hosts=("h1",)):
    """r1 with one link to each host, an agent on each; pimd on r1 with pim settings."""
    t = topo(routers=["r1"], hosts=list(router_hosts), links=[("r1", h) for h in router_hosts])
    agents = [Agent(t, h) for h in router_hosts]
    cfg = {"hello-interval": 30}
    cfg.update(pim or {})
    d = t.start_pimd("r1", t.config_for("r1", pim=cfg))
    for h in router_hosts:
        wait_for(lambda: pim_up(d, t.ifname("r1", h)), timeout=5, msg=f"PIM up towards {h}")
    return t, d, agents


# ---------------------------------------------------------------------------
# 1, 5. Two routers on a LAN

def two_on_lan(topo):
    t = topo("lan1: r1 r2")
    if1, if2 = t.ifname("r1", "lan1"), t.ifname("r2", "lan1")
    a1, a2 = t.addr("r1", "lan1"), t.addr("r2", "lan1")
    assert ipaddress.ip_address(a1) < ipaddress.ip_address(a2)
    return t, if1, if2, a1, a2


def test_lan_neighbors_dr_and_fields(topo):
    t, if1, if2, a1, a2 = two_on_lan(topo)
    # r2 has a secondary address: it goes in r2's Hellos' address list (§4.3.4)
    sec = str(ipaddress.ip_network(t.subnet("r2", "lan1"))[100])
    t["r2"].ip("addr", "add", f"{sec}/24", "dev", if2)
    d1 = t.start_pimd("r1", pim_cfg(t, "r1"))
    d2 = t.start_pimd("r2", pim_cfg(t, "r2"))
    t0 = time.monotonic()
    wait_for(lambda: a2 in nbrs(d1) and a1 in nbrs(d2), timeout=2.0, interval=0.02,
             msg="r1 and r2 neighbours of each other within 2 s")
    # the higher address is DR on both
    wait_for(lambda: dr_is(d1, if1, a2) and dr_is(d2, if2, a2), timeout=0.5,
             msg=f"DR {a2} on both")

    p1, p2 = pim_if(d1, if1), pim_if(d2, if2)
    assert p1["dr"] is False and p2["dr"] is True
    assert p1["dr-priority"] == 1 and p2["dr-priority"] == 1
    for p in (p1, p2):
        assert p["neighbor-count"] == 1, p
        assert p["effective-propagation-delay"] == 500, p
        assert p["effective-override-interval"] == 2500, p
        assert 0 <= p["hello-expires"] <= 1, p
    n12, n21 = nbrs(d1)[a2], nbrs(d2)[a1]
    since = time.monotonic() - t0           # no neighbour is older than this
    for n, ifn, other in ((n12, if1, p2), (n21, if2, p1)):
        assert n["interface"] == ifn, n
        # hello-holdtime defaults to 3.5 x hello-interval rounded down: 3
        assert n["holdtime"] == 3, n
        assert 0 <= n["expires"] <= 3, n
        assert n["dr-priority"] == 1, n
        assert n["generation-id"] == other["generation-id"], (n, other)
        assert n["propagation-delay"] == 500 and n["override-interval"] == 2500, n
        assert n["uptime"] <= since + 1, n
    assert n12["dr"] is True and n21["dr"] is False
    assert n12.get("secondary-address") == [sec], n12
    assert not n21.get("secondary-address"), n21
    assert p1["generation-id"] != p2["generation-id"]

    # 5. text: a header and one row for the one neighbour
    text = d1.pimc("show", "neighbors")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 2, text
    assert "Interface" in lines[0] and "Neighbor" in lines[0], text
    row = lines[1].split()
    assert row[:2] == [if1, a2] and row[-1] == "yes", text

    # Hellos about once a second; the neighbours outlive their 3 s holdtime.
    c1, c2 = counters(d1, if1), counters(d2, if2)
    ts = time.monotonic()
    time.sleep(3.5)
    el = time.monotonic() - ts
    n1, n2 = counters(d1, if1), counters(d2, if2)
    for name, a, b in (("r1", c1, n1), ("r2", c2, n2)):
        sent = b["hello-sent"] - a["hello-sent"]
        assert el - 1.5 <= sent <= el + 1.5, f"{name}: {sent} Hellos in {el:.1f}s"
    assert abs((n1["hello-received"] - c1["hello-received"]) -
               (n2["hello-sent"] - c2["hello-sent"])) <= 1, (c1, n1, c2, n2)
    n12, n21 = nbrs(d1)[a2], nbrs(d2)[a1]
    assert n12["uptime"] >= 3 and n21["uptime"] >= 3, (n12, n21)
    assert n12["expires"] <= 3 and n21["expires"] <= 3, (n12, n21)
    assert all(v == 0 for v in drops(d1, if1).values()), drops(d1, if1)
    assert all(v == 0 for v in drops(d2, if2).values()), drops(d2, if2)
    assert d1.stop() == 0 and d2.stop() == 0


# ---------------------------------------------------------------------------
# 2. DR priority

def test_dr_priority_reload(topo):
    t, if1, if2, a1, a2 = two_on_lan(topo)
    d1 = t.start_pimd("r1", pim_cfg(t, "r1"))
    d2 = t.start_pimd("r2", pim_cfg(t, "r2"))
    wait_for(lambda: dr_is(d1, if1, a2) and dr_is(d2, if2, a2) and a1 in nbrs(d2),
             timeout=2.0, msg=f"DR {a2} on both")
    gen1 = pim_if(d1, if1)["generation-id"]

    # the lower address with the higher priority becomes DR on both
    d1.write_config(pim_cfg(t, "r1", dr_priority=10))
    d1.reload()
    wait_for(lambda: dr_is(d1, if1, a1) and dr_is(d2, if2, a1), timeout=2.0, interval=0.02,
             msg=f"DR {a1} (priority 10) on both within 2 s")
    n = nbrs(d2)[a1]
    assert n["dr-priority"] == 10 and n["dr"] is True, n
    p1 = pim_if(d1, if1)
    assert p1["dr-priority"] == 10 and p1["dr"] is True, p1
    # a priority change is not a restart: same GenID, same neighbour
    assert p1["generation-id"] == gen1 and n["generation-id"] == gen1, (p1, n)

    # priority 0: back to r2 (priority 1)
    d1.write_config(pim_cfg(t, "r1", dr_priority=0))
    d1.reload()
    wait_for(lambda: dr_is(d1, if1, a2) and dr_is(d2, if2, a2), timeout=2.0, interval=0.02,
             msg=f"DR {a2} again after r1 went to priority 0")
    assert nbrs(d2)[a1]["dr-priority"] == 0
    assert d1.stop() == 0 and d2.stop() == 0


# ---------------------------------------------------------------------------
# 3. Holdtime 0 on the way out

def test_goodbye_hello(topo):
    t, if1, if2, a1, a2 = two_on_lan(topo)
    # a long holdtime: only a Hello with holdtime 0 removes a neighbour quickly
    d1 = t.start_pimd("r1", pim_cfg(t, "r1", hello_holdtime=30))
    d2 = t.start_pimd("r2", pim_cfg(t, "r2", hello_holdtime=30))
    wait_for(lambda: dr_is(d1, if1, a2) and dr_is(d2, if2, a2) and a1 in nbrs(d2),
             timeout=2.0, msg=f"neighbours, DR {a2}")
    assert nbrs(d1)[a2]["holdtime"] == 30
    gen2 = pim_if(d2, if2)["generation-id"]

    # PIM off on r2's interface: r1 hears holdtime 0 and drops r2 at once
    d2.write_config(pim_cfg(t, "r2", hello_holdtime=30, enable=False))
    d2.reload()
    t0 = time.monotonic()
    wait_for(lambda: a2 not in nbrs(d1), timeout=1.0, interval=0.02,
             msg="r2 gone from r1 within 1 s of PIM off on its interface")
    wait_for(lambda: dr_is(d1, if1, a1), timeout=0.5, msg="r1 DR alone")
    assert time.monotonic() - t0 < 2
    # and on again: a new Generation ID (§4.3.1)
    d2.write_config(pim_cfg(t, "r2", hello_holdtime=30))
    d2.reload()
    n = wait_for(lambda: nbrs(d1).get(a2), timeout=2.0, msg="r2 back on r1")
    assert n["generation-id"] != gen2, (gen2, n)
    assert n["generation-id"] == pim_if(d2, if2)["generation-id"]
    wait_for(lambda: dr_is(d1, if1, a2), timeout=1.0, msg=f"DR {a2} again")

    # SIGTERM on r2: the same at once, well before the 30 s holdtime
    t0 = time.monotonic()
    assert d2.stop() == 0
    wait_for(lambda: a2 not in nbrs(d1), timeout=1.0, interval=0.02,
             msg="r2 gone from r1 within 1 s of its SIGTERM")
    took = time.monotonic() - t0
    p1 = wait_for(lambda: dr_is(d1, if1, a1), timeout=0.5, msg="DR falls back to r1")
    assert p1["dr"] is True and p1["neighbor-count"] == 0, p1
    assert d1.pimc("show", "neighbors", "--json") in ({}, {"pimd:pimd": {}},
                                                      {"pimd:pimd": {"state": {}}})
    assert took < 2, f"r2 removed {took:.2f}s after SIGTERM"
    assert d1.stop() == 0


# ---------------------------------------------------------------------------
# 4a. DR election against scripted neighbours

def test_scripted_dr_election(topo):
    t, d, (h,) = scripted(topo, {"dr-priority": 50})
    ifn, me = t.ifname("r1", "h1"), t.addr("r1", "h1")
    A, B, C, D, E = (h.addr(k) for k in (10, 20, 15, 5, 30))
    assert ipaddress.ip_address(me) < ipaddress.ip_address(D)
    wait_for(lambda: dr_is(d, ifn, me), timeout=1.0, msg="r1 DR alone")

    def step(send, dr, present, what):
        send()
        wait_for(lambda: set(nbrs(d)) == set(present) and dr_is(d, ifn, dr), timeout=1.0,
                 msg=f"{what}: neighbours {sorted(present)}, DR {dr}")

    step(lambda: h.hello(A, prio=1, genid=1), me, {A}, "priority beats address")
    step(lambda: h.hello(B, prio=50, genid=2), B, {A, B}, "equal priority: higher address")
    step(lambda: h.hello(C, prio=50, genid=3), B, {A, B, C}, "equal priority, lower address")
    step(lambda: h.hello(D, prio=51, genid=4), D, {A, B, C, D}, "highest priority")
    # E has no DR Priority option: priorities are ignored, the address decides
    step(lambda: h.hello(E, prio=None, genid=5), E, {A, B, C, D, E}, "one without priority")
    n = nbrs(d)
    assert "dr-priority" not in n[E], n[E]
    assert n[D]["dr-priority"] == 51 and n[A]["dr-priority"] == 1, n
    assert pim_if(d, ifn)["neighbor-count"] == 5

    # 5. text: a header and one row per neighbour, the DR marked
    text = d.pimc("show", "neighbors")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 6, text
    assert "Interface" in lines[0] and "Neighbor" in lines[0], text
    rows = {ln.split()[1]: ln.split() for ln in lines[1:]}
    assert set(rows) == {A, B, C, D, E}, text
    assert all(r[0] == ifn for r in rows.values()), text
    assert rows[E][-1] == "yes" and all(r[-1] != "yes" for a, r in rows.items() if a != E), text
    assert "-" in rows[E] and "51" in rows[D], text

    # holdtime 0 removes at once; the election runs again each time
    step(lambda: h.hello(E, holdtime=0, prio=None, genid=5), D, {A, B, C, D}, "E leaves")
    step(lambda: h.hello(D, holdtime=0, prio=51, genid=4), B, {A, B, C}, "D leaves")
    step(lambda: h.hello(B, holdtime=0, prio=50, genid=2), C, {A, C}, "B leaves")
    step(lambda: h.hello(C, holdtime=0, prio=50, genid=3), me, {A}, "C leaves")
    # A without priority: the address decides, A (.10) above r1 (.1)
    step(lambda: h.hello(A, prio=None, genid=1), A, {A}, "A drops its priority option")
    step(lambda: h.hello(A, prio=1, genid=1), me, {A}, "A sends its priority again")
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4b, 4d. Neighbour liveness: holdtime, refresh, 0xffff

def test_scripted_holdtime(topo):
    t, d, (h,) = scripted(topo)
    F, G, H = h.addr(40), h.addr(50), h.addr(60)
    t0 = time.monotonic()
    h.hello(F, holdtime=2, genid=40)
    h.hello(G, holdtime=0xffff, genid=50)
    h.hello(H, holdtime=2, genid=60)
    n = wait_for(lambda: (lambda x: {F, G, H} <= set(x) and x)(nbrs(d)), timeout=1.0,
                 msg="F, G, H neighbours")
    assert n[F]["holdtime"] == 2 and 1 <= n[F]["expires"] <= 2, n[F]
    assert n[G]["holdtime"] == 0xffff, n[G]

    # F expires after 2 s; H, refreshed every 0.6 s, stays; G never expires
    gone_at, last_h = None, time.monotonic()
    deadline = t0 + 4.0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now - last_h >= 0.6:
            h.hello(H, holdtime=2, genid=60)
            last_h = now
        n = nbrs(d)
        assert H in n, f"H expired although refreshed: {n}"
        assert G in n, f"G (holdtime 0xffff) expired: {n}"
        if F not in n and gone_at is None:
            gone_at = time.monotonic() - t0
        time.sleep(0.05)
    assert gone_at is not None, "F (holdtime 2) still there after 4 s"
    assert 1.9 <= gone_at <= 3.0, f"F (holdtime 2) gone after {gone_at:.2f}s"
    n = nbrs(d)
    assert G in n and n[G]["uptime"] >= 3, n

    # 0xffff -> 2: G now expires too; H, no longer refreshed, as well
    t1 = time.monotonic()
    h.hello(G, holdtime=2, genid=50)
    h.hello(H, holdtime=2, genid=60)
    wait_for(lambda: not ({G, H} & set(nbrs(d))), timeout=3.5, interval=0.05,
             msg="G and H expire 2 s after their last Hello")
    took = time.monotonic() - t1
    assert 1.9 <= took <= 3.0, f"G and H gone after {took:.2f}s"
    assert pim_if(d, t.ifname("r1", "h1"))["neighbor-count"] == 0
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4c. Triggered Hellos: a restarted neighbour, a config change

def r1_hellos(pkts, src):
    return [p for p in pkts if p["src"] == src and p["type"] == HELLO]


def test_scripted_genid_triggers_hello(topo):
    t, d, (h,) = scripted(topo, {"hello-interval": 30})
    ifn, me = t.ifname("r1", "h1"), t.addr("r1", "h1")
    N = h.addr(10)
    h.hello(N, genid=0x1111)
    wait_for(lambda: N in nbrs(d), timeout=1.0)
    # the first Hello (and the one for the new neighbour) within Triggered_Hello_Delay
    wait_for(lambda: (lambda p: int(p["counters"]["hello-sent"]) >= 1 and
                      p["hello-expires"] > 10)(pim_if(d, ifn)),
             timeout=TRIGGERED_HELLO_DELAY + 1.5, msg="first Hello sent, periodic timer on")
    gen = pim_if(d, ifn)["generation-id"]
    pk = r1_hellos(h.take(), me)
    assert pk, "no Hello from r1 on the wire"
    p = pk[-1]
    assert p["dst"] == ALL_PIM_ROUTERS and p["ttl"] == 1 and p["cksum_ok"], p
    assert p["version"] == 2 and p["trailing"] == 0, p
    o = p["opts"]
    assert struct.unpack("!H", o[OPT_HOLDTIME])[0] == 105, o
    lpd, oi = struct.unpack("!HH", o[OPT_LPD])
    assert lpd & 0x8000 == 0 and lpd == 500 and oi == 2500, o   # T bit clear
    assert struct.unpack("!I", o[OPT_DR_PRIORITY])[0] == 1, o
    assert struct.unpack("!I", o[OPT_GENID])[0] == gen, o
    assert nbrs(d)[N]["generation-id"] == 0x1111

    # the same GenID again: a plain refresh, no triggered Hello
    rx = counters(d, ifn)["hello-received"]
    h.hello(N, genid=0x1111)
    wait_for(lambda: counters(d, ifn)["hello-received"] > rx, timeout=1.0)
    assert pim_if(d, ifn)["hello-expires"] > 10, "a Hello with the same GenID triggered one"

    # a new GenID: the neighbour restarted, it hears from us within 5 s, not in 30
    sent = counters(d, ifn)["hello-sent"]
    h.take()
    t0 = time.monotonic()
    h.hello(N, genid=0x2222)
    wait_for(lambda: nbrs(d)[N]["generation-id"] == 0x2222, timeout=1.0)
    assert pim_if(d, ifn)["hello-expires"] <= TRIGGERED_HELLO_DELAY, pim_if(d, ifn)
    wait_for(lambda: counters(d, ifn)["hello-sent"] > sent,
             timeout=TRIGGERED_HELLO_DELAY + 1.0, interval=0.05,
             msg="a triggered Hello after the GenID change")
    took = time.monotonic() - t0
    assert took <= TRIGGERED_HELLO_DELAY + 0.5, f"triggered Hello after {took:.2f}s"
    assert counters(d, ifn)["hello-sent"] == sent + 1
    pk = wait_for(lambda: r1_hellos(h.take(), me), timeout=1.0, msg="the Hello on the wire")
    assert len(pk) == 1 and pk[0]["ts"] - t0 <= TRIGGERED_HELLO_DELAY + 0.5, pk
    assert struct.unpack("!I", pk[0]["opts"][OPT_GENID])[0] == gen, pk
    assert pim_if(d, ifn)["hello-expires"] > 10

    # a changed DR priority goes out at once: the DR moves at once on r1 itself
    sent = counters(d, ifn)["hello-sent"]
    d.write_config(t.config_for("r1", pim={"hello-interval": 30, "dr-priority": 7}))
    t0 = time.monotonic()
    d.reload()
    wait_for(lambda: counters(d, ifn)["hello-sent"] > sent, timeout=1.0, interval=0.05,
             msg="a Hello at once after the DR priority change")
    pk = wait_for(lambda: r1_hellos(h.take(), me), timeout=1.0, msg="the Hello on the wire")
    assert struct.unpack("!I", pk[-1]["opts"][OPT_DR_PRIORITY])[0] == 7, pk
    assert struct.unpack("!I", pk[-1]["opts"][OPT_GENID])[0] == gen, pk
    assert pk[-1]["ts"] - t0 <= 1.0, pk
    assert pim_if(d, ifn)["hello-expires"] > 10, "the periodic timer starts over"
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4d'. The upstream neighbour restarts (new GenID): our Joins to it go again
#      within t_override, not a t_periodic later (§4.5.5)

def joins_to(pkts, upstream, src, grp):
    """Receive times of Join/Prunes to upstream that join (src, grp)."""
    return [p["ts"] for p in pkts if p["type"] == JOIN_PRUNE and p["upstream"] == upstream
            and any(g["group"] == grp and any(a == src for a, _ in g["joins"])
                    for g in p["groups"])]


def test_scripted_genid_refreshes_joins(topo):
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
    up = Agent(t, "h1")
    src, grp = "198.19.200.10", "232.9.9.9"
    t["r1"].ip("route", "add", "198.19.200.0/24", "via", up.ip)
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30}))
    wait_for(lambda: pim_up(d, t.ifname("r1", "h1")), timeout=5, msg="PIM up towards h1")
    up.hello(genid=0x1111)
    wait_for(lambda: up.ip in nbrs(d), timeout=2, msg="upstream neighbour up")
    rx = Receiver(t["h2"], grp, 5001, iface_addr=t.addr("h2", "r1"), source=src)
    pkts = []
    wait_for(lambda: pkts.extend(up.take()) or joins_to(pkts, up.ip, src, grp), timeout=3,
             msg=f"Join({src}, {grp}) to the scripted upstream")
    # Our first Hello may be Triggered_Hello_Delay away; the Join may not
    # wait for it, and the neighbour would drop a Join from a stranger.
    first_join = joins_to(pkts, up.ip, src, grp)[0]
    me = t.addr("r1", "h1")
    assert [p for p in r1_hellos(pkts, me) if p["ts"] <= first_join], \
        "a Join/Prune went out before any Hello"
    e = upstream_entry(d, src, grp)
    assert e["state"] == "joined" and e["join-timer-expires"] > 30, e
    # The same GenID: nothing new.  A new one: the Join again, soon.
    up.hello(genid=0x1111)
    time.sleep(0.5)
    assert not joins_to(up.take(), up.ip, src, grp), "a Join without a GenID change"
    t0 = time.monotonic()
    up.hello(genid=0x2222)
    ts = wait_for(lambda: joins_to(up.take(), up.ip, src, grp), timeout=T_OVERRIDE + 1.5,
                  interval=0.05, msg="the Join refreshed after the GenID change")
    took = ts[0] - t0
    assert took <= T_OVERRIDE + 0.5, f"Join refreshed after {took:.2f}s"
    print(f"\n[pim] Join(S,G) to the restarted upstream {took:.2f}s after its new GenID")
    rx.stop()
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4e. Malformed and misdirected Hellos

def test_scripted_bad_hellos(topo):
    t, d, (h,) = scripted(topo)
    ifn, me = t.ifname("r1", "h1"), t.addr("r1", "h1")
    N, X = h.addr(10), h.addr(11)
    h.hello(N, holdtime=105, prio=3, genid=0xabc)
    want = wait_for(lambda: nbrs(d).get(N), timeout=1.0, msg="N neighbour")
    keep = {k: want[k] for k in ("holdtime", "dr-priority", "generation-id",
                                 "propagation-delay", "override-interval")}
    off_subnet = str(ipaddress.ip_network(t.alloc_subnet())[1])

    # Each would, if taken, remove N (holdtime 0) or change it (priority, GenID).
    bye = hello_opts(holdtime=0, prio=9, genid=0xdead)
    cases = [
        ("bad-checksum", lambda: h.send(pim_msg(HELLO, bye, bad_cksum=True), src=N)),
        ("bad-version", lambda: h.send(pim_msg(HELLO, bye, version=1), src=N)),
        ("bad-version", lambda: h.send(pim_msg(HELLO, bye, version=3), src=N)),
        ("too-short", lambda: h.send(pim_msg(HELLO, b"")[:3], src=N)),
        ("unknown-type", lambda: h.send(pim_msg(15, bye), src=N)),
        # an option header cut short after a complete holdtime 0
        ("bad-option", lambda: h.send(pim_msg(HELLO, bye + b"\x00\x13"), src=N)),
        # an option's value cut short: DR Priority with 2 of its 4 bytes
        ("bad-option", lambda: h.send(pim_msg(HELLO, opt(OPT_HOLDTIME, b"\x00\x00") +
                                              opt(OPT_DR_PRIORITY, b"\x00\x09", 4)), src=N)),
        # an option length running far past the end of the message
        ("bad-option", lambda: h.send(pim_msg(HELLO, opt(OPT_HOLDTIME, b"\x00\x00") +
                                              opt(OPT_GENID, b"\xde\xad\xbe\xef", 200)),
                                      src=N)),
        # a known option with the wrong length
        ("bad-option", lambda: h.send(pim_msg(HELLO, opt(OPT_HOLDTIME, b"\x00\x00\x00")),
                                      src=N)),
        # an address list entry of an unknown family
        ("bad-encoding", lambda: h.send(pim_msg(HELLO, bye + opt(OPT_ADDR_LIST,
                                                                 b"\x07\x00" + a2b(X))),
                                        src=N)),
        # well-formed, from outside the link: no neighbour
        ("source-off-subnet", lambda: h.hello(off_subnet, genid=7)),
        # well-formed, unicast to r1 instead of to ALL-PIM-ROUTERS
        ("bad-destination", lambda: h.send(pim_msg(HELLO, bye), src=N, dst=me)),
        ("bad-destination", lambda: h.send(hello(genid=8), src=X, dst=me)),
    ]
    for leaf, send in cases:
        before = drops(d, ifn)
        send()
        after = wait_for(lambda: (lambda x: x[leaf] > before[leaf] and x)(drops(d, ifn)),
                         timeout=1.0, msg=f"drop counter {leaf} up")
        delta = {k: after[k] - before[k] for k in DROPS if after[k] != before[k]}
        assert delta == {leaf: 1}, f"{leaf}: expected only {leaf} +1, got {delta}"
        n = nbrs(d)
        assert set(n) == {N}, f"after a {leaf} Hello: neighbours {sorted(n)}"
        assert {k: n[N].get(k) for k in keep} == keep, f"after a {leaf} Hello: {n[N]}"
        assert d.alive()
    assert pim_if(d, ifn)["neighbor-count"] == 1
    # unknown options are skipped (§4.9.2); and holdtime 0 from N removes it
    h.send(pim_msg(HELLO, opt(65000, b"xyz") + hello_opts(holdtime=0, prio=3, genid=0xabc)),
           src=N)
    wait_for(lambda: N not in nbrs(d), timeout=1.0, msg="N gone after a good holdtime 0")
    assert sum(drops(d, ifn).values()) == len(cases)
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4f. Passive interfaces

def test_scripted_passive(topo):
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
    h1, h2 = Agent(t, "h1"), Agent(t, "h2")
    if1, if2 = t.ifname("r1", "h1"), t.ifname("r1", "h2")
    me1, me2 = t.addr("r1", "h1"), t.addr("r1", "h2")
    cfg = {"pimd:pimd": {"interface": [
        {"name": if1, "pim": {"hello-interval": 1, "passive": True}},
        {"name": if2, "pim": {"hello-interval": 1}}]}}
    d = t.start_pimd("r1", cfg)
    wait_for(lambda: pim_up(d, if1) and pim_up(d, if2), timeout=5)
    t0 = time.monotonic()
    # the active interface: Hellos about once a second, neighbours taken
    h2.hello(genid=2)
    wait_for(lambda: h2.ip in nbrs(d), timeout=1.0, msg="neighbour on the active interface")
    got2 = []

    def two_hellos():
        got2.extend(r1_hellos(h2.take(), me2))
        return len(got2) >= 2
    wait_for(two_hellos, timeout=3.0, msg="two Hellos from r1 on the active interface")

    # the passive one: no Hellos out, none taken in
    def passive_drops_up(base, k):
        x = drops(d, if1)
        return x["passive-interface"] >= base["passive-interface"] + k and x

    before = drops(d, if1)
    h1.send(hello(genid=1), dst=me1)                   # unicast to r1
    after = wait_for(lambda: passive_drops_up(before, 1), timeout=1.0,
                     msg="passive-interface drop for a unicast Hello")
    delta = {k: after[k] - before[k] for k in DROPS if after[k] != before[k]}
    assert delta == {"passive-interface": 1}, delta
    before = after
    h1.hello(genid=1)                                  # to ALL-PIM-ROUTERS
    while time.monotonic() - t0 < 2.5:
        assert h1.ip not in nbrs(d), "neighbour taken on a passive interface"
        time.sleep(0.1)
    assert not r1_hellos(h1.take(), me1), "Hello sent on a passive interface"
    assert counters(d, if1)["hello-sent"] == 0
    p = pim_if(d, if1)
    assert p["neighbor-count"] == 0 and p["dr"] is True, p
    assert counters(d, if2)["hello-sent"] >= 2
    after = drops(d, if1)
    assert after["passive-interface"] == before["passive-interface"] + 1, \
        ("a Hello to ALL-PIM-ROUTERS on a passive interface was not counted as "
         f"passive-interface ({before['passive-interface']} -> "
         f"{after['passive-interface']})")
    assert d.stop() == 0
    time.sleep(0.2)
    assert not r1_hellos(h1.take(), me1), "goodbye Hello sent on a passive interface"
    assert r1_hellos(h2.take(), me2)[-1]["opts"][OPT_HOLDTIME] == b"\0\0", \
        "no Hello with holdtime 0 on the active interface at exit"


# ---------------------------------------------------------------------------
# Join/Prune from a scripted neighbour (RFC 7761 §4.5, §4.9.5)

def enc_group(group, masklen=32):
    return bytes([1, 0, 0, masklen]) + a2b(group)


def enc_source(addr, flags):
    return b"\x01\x00" + bytes([flags, 32]) + a2b(addr)


def join_prune(upstream, group, joins=(), prunes=(), holdtime=210, ngroups=1):
    """One group's Join/Prune; joins and prunes are (address, flags)."""
    body = b"\x01\x00" + a2b(upstream) + b"\x00" + bytes([ngroups]) + struct.pack("!H", holdtime)
    body += enc_group(group) + struct.pack("!HH", len(joins), len(prunes))
    for a, fl in list(joins) + list(prunes):
        body += enc_source(a, fl)
    return pim_msg(JOIN_PRUNE, body)


def mroute_oifs(t, src, grp):
    """Outgoing interfaces of the kernel's (src, grp) entry on r1, or None."""
    for line in t["r1"].run("ip mroute show").splitlines():
        if line.startswith(f"({src},{grp})"):
            return line.split("Oifs:")[1].split("State:")[0].split() if "Oifs:" in line else []
    return None


def upstream_entry(d, src, grp):
    for e in d.pimc("show", "upstream", "--json").get("pimd:pimd", {}).get("state", {}) \
            .get("upstream", []):
        if e["source"] == src and e["group"] == grp:
            return e
    return None


def test_scripted_join_prune(topo):
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
    agent = Agent(t, "h1")
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30},
                                         rp=[{"address": t.lo("r1")}]))
    ifn = t.ifname("r1", "h1")
    wait_for(lambda: pim_up(d, ifn), timeout=5, msg="PIM up towards h1")
    me = t.addr("r1", "h1")
    src = t.addr("h2", "r1")
    agent.hello(holdtime=105)
    wait_for(lambda: nbrs(d), timeout=2, msg="scripted neighbour up")

    # An (S,G) Join for a source on r1's other link: the link to the joiner
    # becomes an outgoing interface of the kernel's entry at once.
    agent.send(join_prune(me, "239.5.5.5", joins=[(src, SPARSE)]))
    wait_for(lambda: mroute_oifs(t, src, "239.5.5.5") == [ifn], timeout=2,
             msg="(S,G) join did not reach the MFC")
    e = upstream_entry(d, src, "239.5.5.5")
    assert e["source-connected"] and e["downstream"][0]["state"] == "join"

    # A (*,G) Join (the RP's address with WC and RPT): r1 is the RP; data
    # from h2 then gets an (S,G) entry forwarding to h1's link.
    agent.send(join_prune(me, "239.6.6.6", joins=[(t.lo("r1"), SPARSE | WILDCARD | RPT)]))
    wait_for(lambda: upstream_entry(d, "0.0.0.0", "239.6.6.6"), timeout=2,
             msg="(*,G) state from the Join")
    t["h2"].run(["/usr/bin/python3", "-c",
                 "import socket\n"
                 "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                 "s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)\n"
                 "s.sendto(b'data', ('239.6.6.6', 5001))\n"])
    wait_for(lambda: mroute_oifs(t, src, "239.6.6.6") == [ifn], timeout=2,
             msg="(S,G) under (*,G) does not forward to the joiner")

    # Malformed and unwelcome Join/Prunes are counted and change nothing.
    base = drops(d, ifn)
    prune = join_prune(me, "239.5.5.5", prunes=[(src, SPARSE)])
    agent.send(prune[:2] + bytes([prune[2] ^ 0xff]) + prune[3:])           # checksum
    agent.send(join_prune(me, "239.5.5.5", prunes=[(src, SPARSE)], ngroups=2))  # count
    agent.send(prune, src=agent.addr(77))                                     # no Hello
    want = {"bad-checksum": 1, "bad-count": 1, "not-a-neighbor": 1}
    wait_for(lambda: all(drops(d, ifn)[k] - base[k] == n for k, n in want.items()),
             timeout=2, msg=f"drop counters: {drops(d, ifn)} (before {base})")
    assert mroute_oifs(t, src, "239.5.5.5") == [ifn]

    # A Prune from the only neighbour removes the state at once (§4.5.2).
    agent.send(prune)
    wait_for(lambda: mroute_oifs(t, src, "239.5.5.5") is None, timeout=2,
             msg="(S,G) prune did not remove the entry")
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# RFC 5059 Bootstrap and Candidate-RP-Advertisement: each malformed class is
# dropped and counted under its own name.  A well-formed Bootstrap from a
# BSR with no route goes nowhere (not from the RPF neighbour); a well-formed
# C-RP-Adv is unsupported (this router is no BSR).

BOOTSTRAP, CRP_ADV = 4, 8


def enc_unicast(addr, family=1):
    return bytes([family, 0]) + a2b(addr)


def bsm(ranges, bsr="198.19.0.9", hash_masklen=30, prio=64, tag=0x1234):
    """A Bootstrap body: ranges is [(group, masklen, rp_count, [(rp, holdtime, prio)])]."""
    body = struct.pack("!HBB", tag, hash_masklen, prio) + enc_unicast(bsr)
    for g, ml, count, rps in ranges:
        body += enc_group(g, ml) + struct.pack("!BBH", count, len(rps), 0)
        for rp, ht, pr in rps:
            body += enc_unicast(rp) + struct.pack("!HBB", ht, pr, 0)
    return body


def crp_adv(groups, rp="198.19.0.1", prio=192, holdtime=150, count=None):
    body = struct.pack("!BBH", len(groups) if count is None else count, prio, holdtime)
    return body + enc_unicast(rp) + b"".join(enc_group(g, ml) for g, ml in groups)


def test_scripted_bsr_messages_checked(topo):
    t, d, (h,) = scripted(topo)
    ifn = t.ifname("r1", "h1")
    N = h.addr(10)
    rp = [("198.19.0.1", 150, 10)]
    good = bsm([("239.0.0.0", 8, 1, rp), ("224.0.0.0", 4, 2, rp)])
    cases = [
        ("too-short", pim_msg(BOOTSTRAP, good[:9])),
        # the second range's RP cut off
        ("bad-count", pim_msg(BOOTSTRAP, bsm([("239.0.0.0", 8, 1, rp)]) +
                              enc_group("224.0.0.0", 4) + struct.pack("!BBH", 1, 1, 0))),
        # more RPs in the fragment than the range has
        ("bad-count", pim_msg(BOOTSTRAP, bsm([("239.0.0.0", 8, 1, rp * 2)]))),
        ("bad-encoding", pim_msg(BOOTSTRAP, good[:4] + enc_unicast("198.19.0.9", 2) +
                                 good[10:])),
        ("bad-encoding", pim_msg(BOOTSTRAP, bsm([], hash_masklen=33))),
        ("bad-group", pim_msg(BOOTSTRAP, bsm([("10.0.0.0", 8, 0, [])]))),
        ("bootstrap-not-from-rpf", pim_msg(BOOTSTRAP, good)),
        ("too-short", pim_msg(CRP_ADV, crp_adv([])[:9])),
        ("bad-count", pim_msg(CRP_ADV, crp_adv([("239.0.0.0", 8)], count=2))),
        ("bad-encoding", pim_msg(CRP_ADV, crp_adv([("239.0.0.0", 8)], rp="239.1.1.1"))),
        ("bad-group", pim_msg(CRP_ADV, crp_adv([("239.0.0.0", 8), ("10.0.0.0", 8)]))),
        # well-formed, but this router is no BSR (RFC 5059 §3.3)
        ("candidate-rp-advertisement-not-bsr", pim_msg(CRP_ADV, crp_adv([("239.0.0.0", 8)]))),
    ]
    for leaf, msg in cases:
        before = drops(d, ifn)
        h.send(msg, src=N)
        after = wait_for(lambda: (lambda x: x[leaf] > before[leaf] and x)(drops(d, ifn)),
                         timeout=1.0, msg=f"drop counter {leaf} up")
        delta = {k: after[k] - before[k] for k in DROPS if after[k] != before[k]}
        assert delta == {leaf: 1}, f"{leaf}: expected only {leaf} +1, got {delta}"
    assert d.alive()
    assert d.stop() == 0


def rfc_hash(group, masklen, rp):
    """RFC 7761 §4.7.2: Value(G, M, C), computed here from the formula."""
    g = int(ipaddress.ip_address(group)) & (((1 << 32) - 1) << (32 - masklen) & 0xffffffff)
    c = int(ipaddress.ip_address(rp))
    return (1103515245 * ((1103515245 * g + 12345) ^ c) + 12345) % (1 << 31)


def bsr_state(d):
    return d.pimc("show", "bsr", "--json").get("pimd:pimd", {}).get("state", {}).get("bsr", {})


def rp_set(d):
    return sorted((e["group"], e["address"], e["priority"]) for e in bsr_state(d).get("rp-set", []))


def test_scripted_bsr_learned_and_forwarded(topo):
    """r1 follows the BSR behind its neighbour N on h1 (RFC 5059 §3.1.2): takes
    its RP-set, sends its Bootstraps on to h2, and drops those of a worse BSR
    and those that do not come from the RPF neighbour toward the BSR."""
    t, d, (h1, h2) = scripted(topo, router_hosts=("h1", "h2"))
    N, X = h1.addr(10), h1.addr(11)
    bsr, worse = "198.19.0.9", "198.19.0.8"
    for b in (bsr, worse):
        t["r1"].ip("route", "add", f"{b}/32", "via", N, "dev", t.ifname("r1", "h1"))
    ifn = t.ifname("r1", "h1")
    h1.hello(N)
    wait_for(lambda: N in nbrs(d), timeout=5.0, msg="N neighbour")
    assert bsr_state(d)["state"] == "no-info"

    rps = [("198.19.1.1", 150, 10), ("198.19.1.2", 150, 20)]
    h2.take()
    h1.send(pim_msg(BOOTSTRAP, bsm([("239.0.0.0", 8, 2, rps), ("224.0.0.0", 4, 1, rps[1:])],
                                   bsr=bsr, prio=64)), src=N)
    b = wait_for(lambda: (lambda x: x if x.get("address") == bsr else None)(bsr_state(d)),
                 timeout=5.0, msg="r1 follows the BSR")
    assert b["state"] == "accept-preferred" and b["priority"] == 64, b
    assert b["hash-mask-length"] == 30 and 0 < b["bootstrap-timer"] <= 130, b
    assert rp_set(d) == [("224.0.0.0/4", "198.19.1.2", 20), ("239.0.0.0/8", "198.19.1.1", 10),
                         ("239.0.0.0/8", "198.19.1.2", 20)], rp_set(d)
    fwd = wait_for(lambda: [p for p in h2.take() if p["type"] == BOOTSTRAP], timeout=5.0,
                   msg="the Bootstrap sent on to h2")
    assert fwd[0]["dst"] == ALL_PIM_ROUTERS and fwd[0]["ttl"] == 1 and fwd[0]["cksum_ok"], fwd

    # A worse BSR (lower priority), and the good one from X, not the RPF neighbour.
    for leaf, src, body in (
            ("bootstrap-not-preferred", N, bsm([("239.0.0.0", 8, 1, [("198.19.1.3", 150, 1)])],
                                               bsr=worse, prio=10)),
            ("bootstrap-not-from-rpf", X, bsm([("239.0.0.0", 8, 1, [("198.19.1.3", 150, 1)])],
                                              bsr=bsr, prio=64))):
        before = drops(d, ifn)
        h1.send(pim_msg(BOOTSTRAP, body), src=src)
        wait_for(lambda: drops(d, ifn)[leaf] == before[leaf] + 1, timeout=5.0,
                 msg=f"{leaf} counted")
    assert bsr_state(d)["address"] == bsr
    assert ("239.0.0.0/8", "198.19.1.3", 1) not in rp_set(d)
    assert not [p for p in h2.take() if p["type"] == BOOTSTRAP], "a dropped Bootstrap went on"

    # The next BSM (a new fragment tag) lists only 198.19.1.2 for 239/8.
    h1.send(pim_msg(BOOTSTRAP, bsm([("239.0.0.0", 8, 1, [("198.19.1.2", 150, 20)])],
                                   bsr=bsr, prio=64, tag=0x1235)), src=N)
    wait_for(lambda: ("239.0.0.0/8", "198.19.1.1", 10) not in rp_set(d), timeout=5.0,
             msg="the new BSM replaces 239/8's RPs")
    text = d.pimc("show", "bsr")
    assert bsr in text and "accept-preferred" in text and "198.19.1.2" in text, text
    # A unicast BSM only primes a router that follows no BSR yet (§3.1.3).
    before = drops(d, ifn)
    h1.send(pim_msg(BOOTSTRAP, bsm([("239.0.0.0", 8, 1, [("198.19.1.4", 150, 1)])],
                                   bsr=bsr, prio=64, tag=0x1236)),
            src=N, dst=t.addr("r1", "h1"))
    wait_for(lambda: drops(d, ifn)["bootstrap-unexpected"] == before["bootstrap-unexpected"] + 1,
             timeout=5.0, msg="bootstrap-unexpected counted")
    assert ("239.0.0.0/8", "198.19.1.4", 1) not in rp_set(d)
    why = d.pimc("show", "rp-for", "239.9.9.9", "--json")["pimd:pimd"]["state"]["rp-for"]
    assert why == {"group": "239.9.9.9", "origin": "bsr", "group-range": "239.0.0.0/8",
                   "address": "198.19.1.2", "priority": 20, "hash-mask-length": 30,
                   "hash": rfc_hash("239.9.9.9", 30, "198.19.1.2")}, why
    assert "SSM range" in d.pimc("show", "rp-for", "232.1.1.1")
    with pytest.raises(PimcError):
        d.pimc("show", "rp-for", "10.0.0.1")
    assert d.alive()
    assert d.stop() == 0
