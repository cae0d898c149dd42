# SPDX-License-Identifier: ISC
"""IGMP router side (RFC 3376, RFC 2236 compatibility) against real hosts.

Hosts are Linux namespaces: their kernel IGMP stack joins and leaves
groups for a small agent process (one per host) that holds a socket and
takes commands on stdin.  The same agent writes hand-built IP/IGMP packets
through a raw socket (IP_HDRINCL), for exact record types and malformed
messages.  Host-side captures use tcpdump and a small pcap reader here.
"""

import ipaddress
import signal
import socket
import struct
import subprocess
import time

import pytest

from agent import LineAgent
from topo import wait_for

# Short timers: QI 2 s, QRI 1 s, RV 2 -> GMI 5 s, OQPI 4.5 s; LMQT 0.6 s.
QI, QRI, RV = 2, 1.0, 2
LMQI, LMQC = 0.3, 2
LMQT = LMQI * LMQC

ALL_HOSTS, ALL_ROUTERS, V3_ROUTERS = "224.0.0.1", "224.0.0.2", "224.0.0.22"
QUERY, V1_REPORT, V2_REPORT, V2_LEAVE, V3_REPORT = 0x11, 0x12, 0x16, 0x17, 0x22
IS_IN, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK = 1, 2, 3, 4, 5, 6

# Sources: a /24 no link of these small topologies uses.
S1, S2, S3, S4, S5 = (f"198.19.100.{k}" for k in range(1, 6))

DROPS = ("too-short", "bad-checksum", "unknown-type", "bad-source-count", "bad-group",
         "bad-record", "ttl-not-1", "no-router-alert", "source-off-subnet",
         "link-local-group", "version-mismatch", "max-groups")


def igmp_config(t, router="r1", **kw):
    igmp = {"version": 3, "query-interval": QI, "query-response-interval": f"{QRI:.1f}",
            "robustness": RV, "last-member-query-interval": f"{LMQI:.1f}",
            "last-member-query-count": LMQC}
    for k, v in kw.items():
        igmp[k.replace("_", "-")] = v
    return t.config_for(router, igmp=igmp, pim={"hello-interval": 30})


# ---------------------------------------------------------------------------
# show igmp ... --json

def igmp_iface(d, name):
    js = d.pimc("show", "igmp", "interfaces", "--json")
    for e in js.get("pimd:pimd", {}).get("state", {}).get("interface", []):
        if e.get("name") == name and "igmp" in e:
            return e["igmp"]
    return None


def counters(d, name):
    """The interface's counters as ints; drops under 'drop:<leaf>'."""
    c = igmp_iface(d, name)["counters"]
    out = {k: int(v) for k, v in c.items() if k != "drops"}
    out.update({f"drop:{k}": int(v) for k, v in c.get("drops", {}).items()})
    return out


def groups(d):
    """show igmp groups --json as {group: entry} (every interface)."""
    js = d.pimc("show", "igmp", "groups", "--json")
    return {e["group"]: e for e in js.get("pimd:pimd", {}).get("state", {}).get("igmp-group", [])}


def srcs(entry):
    """{source: forwarding} of a group entry."""
    return {s["address"]: s.get("forwarding") for s in entry.get("source", [])}


def group_is(d, grp, mode, sources=None, **want):
    """The group's entry if it has mode and exactly sources {addr: fwd}."""
    e = groups(d).get(grp)
    if e is None or e.get("filter-mode") != mode:
        return None
    if sources is not None and srcs(e) != sources:
        return None
    for k, v in want.items():
        if e.get(k.replace("_", "-")) != v:
            return None
    return e


def group_gone(d, grp):
    return grp not in groups(d)


def wait_igmp_up(d, name, timeout=5):
    return wait_for(lambda: igmp_iface(d, name), timeout=timeout, msg=f"IGMP running on {name}")


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


def igmp_msg(mtype, code, rest, bad_cksum=False):
    body = struct.pack("!BBH", mtype, code, 0) + rest
    ck = cksum(body)
    if bad_cksum:
        ck ^= 0x5a5a
    return body[:2] + struct.pack("!H", ck) + body[4:]


def v2_report(grp, **kw):
    return igmp_msg(V2_REPORT, 0, a2b(grp), **kw)


def record(rtype, grp, sources=(), nsrc=None):
    n = len(sources) if nsrc is None else nsrc
    return struct.pack("!BBH4s", rtype, 0, n, a2b(grp)) + b"".join(a2b(s) for s in sources)


def v3_report(*records, nrec=None, **kw):
    n = len(records) if nrec is None else nrec
    return igmp_msg(V3_REPORT, 0, struct.pack("!HH", 0, n) + b"".join(records), **kw)


def ip_packet(src, dst, payload, ttl=1, router_alert=True):
    """An IPv4 packet with its header checksum (which a raw socket redoes)."""
    opts = b"\x94\x04\x00\x00" if router_alert else b""
    hl = 20 + len(opts)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0xc0, hl + len(payload), 0, 0,
                      ttl, socket.IPPROTO_IGMP, 0, a2b(src), a2b(dst)) + opts
    hdr = hdr[:10] + struct.pack("!H", cksum(hdr)) + hdr[12:]
    return hdr + payload


# ---------------------------------------------------------------------------
# A host: the kernel's IGMP stack driven by an agent holding one socket.

AGENT = r"""
import socket, sys
addr, ifname = sys.argv[1], sys.argv[2]
ifa = socket.inet_aton(addr)
mc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
raw.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, ifa)
raw.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
eth = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
eth.bind((ifname, 0))
mac = eth.getsockname()[4]
OPS = {"join": 35, "leave": 36, "unblock": 37, "block": 38, "sjoin": 39, "sleave": 40}
print("ready", flush=True)
for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    try:
        if f[0] == "send":
            pkt = bytes.fromhex(f[1])
            raw.sendto(pkt, (socket.inet_ntoa(pkt[16:20]), 0))
        elif f[0] == "sendeth":
            pkt = bytes.fromhex(f[1])
            dst = bytes([1, 0, 0x5e, pkt[17] & 0x7f]) + pkt[18:20]
            eth.send(dst + mac + b"\x08\x00" + pkt)
        elif f[0] in ("join", "leave"):
            mc.setsockopt(socket.IPPROTO_IP, OPS[f[0]], socket.inet_aton(f[1]) + ifa)
        else:
            mc.setsockopt(socket.IPPROTO_IP, OPS[f[0]],
                          socket.inet_aton(f[1]) + ifa + socket.inet_aton(f[2]))
        print("ok", flush=True)
    except Exception as e:
        print("err", repr(e), flush=True)
"""


class Host(LineAgent):
    def __init__(self, t, name, version=None):
        node = t[name]
        if version is not None:
            node.sysctl(f"net.ipv4.conf.{node.ifaces[0].name}.force_igmp_version={version}")
        super().__init__(t, name, AGENT, node.ifaces[0].ip, node.ifaces[0].name)

    def join(self, grp):
        self.cmd("join", grp)

    def leave(self, grp):
        self.cmd("leave", grp)

    def sjoin(self, grp, src):
        self.cmd("sjoin", grp, src)

    def sleave(self, grp, src):
        self.cmd("sleave", grp, src)

    def block(self, grp, src):
        self.cmd("block", grp, src)

    def unblock(self, grp, src):
        self.cmd("unblock", grp, src)

    def send(self, igmp, dst=V3_ROUTERS, src=None, **kw):
        """Send an IGMP message (bytes) in a hand-built IP header.  The raw
        socket would fill in a source of 0.0.0.0, so that one goes out as an
        Ethernet frame."""
        pkt = ip_packet(src or self.ip, dst, igmp, **kw).hex()
        self.cmd("sendeth" if src == "0.0.0.0" else "send", pkt)


# ---------------------------------------------------------------------------
# Captures

class Capture:
    """tcpdump of IGMP on a node's interface, read back by stop()."""

    def __init__(self, t, node, ifname, label):
        self.path = t.workdir / f"{label}.pcap"
        logf = t.workdir / f"{label}.tcpdump.log"
        with open(logf, "w") as err:
            self.proc = t[node].popen(["tcpdump", "-n", "-U", "--immediate-mode", "-s", "256",
                                       "-i", ifname, "-w", str(self.path), "igmp"], stderr=err)
        wait_for(lambda: self.proc.poll() is not None or "listening on" in logf.read_text(),
                 timeout=5, msg=f"tcpdump on {node}:{ifname}")
        assert self.proc.poll() is None, logf.read_text()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return read_igmp(self.path)


def read_igmp(path):
    """IGMP packets of an Ethernet pcap: dicts ts, src, dst, ttl, type, code, group, len."""
    data = path.read_bytes() if path.exists() else b""
    if len(data) < 24:
        return []
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    scale = 1e9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e6
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(order + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        hl = (ip[0] & 0x0f) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        if ip[9] != socket.IPPROTO_IGMP or len(ip) < hl + 8:
            continue
        msg = ip[hl:tot]
        p = {"ts": sec + frac / scale, "src": socket.inet_ntoa(ip[12:16]),
             "dst": socket.inet_ntoa(ip[16:20]), "ttl": ip[8], "type": msg[0],
             "code": msg[1], "group": socket.inet_ntoa(msg[4:8]), "len": len(msg)}
        if msg[0] == QUERY and len(msg) >= 12:
            p.update(s_flag=bool(msg[8] & 8), qrv=msg[8] & 7, qqic=msg[9])
        out.append(p)
    return out


# ---------------------------------------------------------------------------
# Topologies

def one_host(topo, version=3, host_version=3, **igmp):
    """r1 - h1, pimd on r1 with IGMP up; returns (t, d, h1, r1's ifname)."""
    t = topo(routers=["r1"], hosts=["h1"], links=[("r1", "h1")])
    h = Host(t, "h1", host_version)
    d = t.start_pimd("r1", igmp_config(t, version=version, **igmp))
    ifn = t.ifname("r1", "h1")
    wait_igmp_up(d, ifn)
    return t, d, h, ifn


# ---------------------------------------------------------------------------
# 1. Joins show at once

@pytest.mark.parametrize("host_version", [2, 3])
def test_join_shows_within_1s(topo, host_version):
    t, d, h, ifn = one_host(topo, host_version=host_version)
    grp = "239.1.1.1"
    h.join(grp)
    e = wait_for(lambda: group_is(d, grp, "exclude", {}), timeout=1.0,
                 msg=f"{grp} in show igmp groups within 1 s of the join")
    assert e["interface"] == ifn
    assert e["compatibility-version"] == host_version
    assert e["last-reporter"] == h.ip
    assert e["expires"] > 0
    c = counters(d, ifn)
    assert c[f"reports-received-v{host_version}"] >= 1
    assert igmp_iface(d, ifn)["group-count"] == 1

    if host_version == 3:
        # The text form: a header and one row for the group.
        text = d.pimc("show", "igmp", "groups")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        assert len(lines) == 2, text
        assert "Interface" in lines[0] and "Group" in lines[0], text
        row = lines[1].split()
        assert row[:3] == [ifn, grp, "exclude"], text
        assert h.ip in row, text
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 1b. What show igmp interfaces|groups|sources print

def test_show_igmp(topo):
    qi = 10
    gmi = RV * qi + QRI
    t, d, h, ifn = one_host(topo, **{"query-interval": qi})
    a1 = t.addr("r1", "h1")
    g1, g2, g3 = "239.7.0.1", "239.7.0.2", "239.7.0.3"
    h.send(v3_report(record(IS_IN, g1, [S1, S2]), record(IS_EX, g2, [S3])))
    h.send(v2_report(g3), dst=g3)
    wait_for(lambda: group_is(d, g1, "include", {S1: True, S2: True}) and
             group_is(d, g2, "exclude", {S3: False}) and group_is(d, g3, "exclude", {}),
             timeout=1.0, msg="three groups")
    # uptimes count up
    wait_for(lambda: groups(d)[g1]["uptime"] >= 1, timeout=3, msg="uptime counting")

    for cmd in ("groups", "sources"):
        js = d.pimc("show", "igmp", cmd, "--json")
        gs = {e["group"]: e for e in js["pimd:pimd"]["state"]["igmp-group"]}
        assert set(gs) == {g1, g2, g3}, gs
        for e in gs.values():
            assert e["interface"] == ifn and e["last-reporter"] == h.ip, e
            assert 1 <= e["uptime"] <= 5, e
        e = gs[g1]
        assert e["filter-mode"] == "include" and e["compatibility-version"] == 3, e
        assert e["expires"] == 0, f"INCLUDE runs no group timer: {e}"
        for src in e["source"]:
            assert src["forwarding"] is True and gmi - 3 <= src["expires"] <= gmi, e
            assert 1 <= src["uptime"] <= 5, e
        e = gs[g2]
        assert e["filter-mode"] == "exclude" and gmi - 3 <= e["expires"] <= gmi, e
        assert [(x["address"], x["forwarding"], x["expires"]) for x in e["source"]] == \
            [(S3, False, 0)], e
        e = gs[g3]
        assert e["compatibility-version"] == 2 and "source" not in e, e

    rows = [ln.split() for ln in d.pimc("show", "igmp", "sources").splitlines() if ln.strip()]
    assert rows[0][:4] == ["Interface", "Group", "Source", "Fwd"], rows
    assert [r[:4] for r in rows[1:]] == [[ifn, g1, S1, "yes"], [ifn, g1, S2, "yes"],
                                         [ifn, g2, S3, "no"]], rows
    rows = [ln.split() for ln in d.pimc("show", "igmp", "groups").splitlines() if ln.strip()]
    assert [r[:5] for r in rows[1:]] == [[ifn, g1, "include", "3", "2"],
                                         [ifn, g2, "exclude", "3", "1"],
                                         [ifn, g3, "exclude", "2", "0"]], rows

    i = igmp_iface(d, ifn)
    assert (i["version"], i["querier"], i["querier-address"], i["querier-version"]) == \
        (3, True, a1, 3), i
    assert (i["robustness"], i["query-interval"], i["group-count"]) == (RV, qi, 3), i
    assert 0 <= i["general-query-expires"] <= qi and i["other-querier-expires"] == 0, i
    assert i["uptime"] >= 1, i
    c = counters(d, ifn)
    assert c["reports-received-v3"] == 1 and c["reports-received-v2"] == 1, c
    assert c["general-queries-sent"] >= 1, c
    rows = [ln.split() for ln in d.pimc("show", "igmp", "interfaces").splitlines() if ln.strip()]
    assert rows[0][:4] == ["Interface", "Ver", "Querier", "Is-us"], rows
    assert rows[1][:7] == [ifn, "3", a1, "yes", "3", str(qi), str(RV)], rows
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 1c. Startup and general queries on the wire: counts, intervals, encodings

def float_code(value):
    """RFC 3376 §4.1.1 / §4.1.7: the largest code whose time is <= value."""
    if value < 128:
        return value
    for code in range(255, 127, -1):
        if ((code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3) <= value:
            return code
    raise ValueError(value)


@pytest.mark.parametrize("version", [2, 3])
def test_startup_and_general_queries(topo, version):
    """startup-query-count queries startup-query-interval apart, then nothing
    until query-interval; Max Resp Code, QRV and QQIC as configured."""
    t = topo(routers=["r1"], hosts=["h1"], links=[("r1", "h1")])
    qi, qri_ds, rv, sqi, sqc = 200, 150, 3, 1, 3
    cap = Capture(t, "h1", t.ifname("h1", "r1"), "h1-startup")
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30}, igmp={
        "version": version, "query-interval": qi, "query-response-interval": f"{qri_ds / 10}",
        "robustness": rv, "startup-query-interval": sqi, "startup-query-count": sqc}))
    ifn = t.ifname("r1", "h1")
    wait_igmp_up(d, ifn)
    wait_for(lambda: counters(d, ifn)["general-queries-sent"] == sqc, timeout=sqc * sqi + 2,
             msg=f"{sqc} startup queries")
    done = time.monotonic()

    def no_more():
        assert counters(d, ifn)["general-queries-sent"] == sqc, "a query after the startup ones"
        return time.monotonic() >= done + 1.5 * sqi
    wait_for(no_more, timeout=3 * sqi, msg="no general query after the startup ones")
    i = igmp_iface(d, ifn)
    assert (i["query-interval"], i["robustness"]) == (qi, rv), i
    assert sqi < i["general-query-expires"] <= qi, i
    pkts = [p for p in cap.stop() if p["type"] == QUERY]
    assert len(pkts) == sqc, pkts
    gaps = [b["ts"] - a["ts"] for a, b in zip(pkts, pkts[1:])]
    assert all(0.8 * sqi <= g <= sqi + 0.7 for g in gaps), f"startup queries {gaps} s apart"
    for p in pkts:
        assert (p["src"], p["dst"], p["group"], p["ttl"]) == \
            (t.addr("r1", "h1"), ALL_HOSTS, "0.0.0.0", 1), p
        if version == 2:
            assert (p["len"], p["code"]) == (8, qri_ds), p        # linear, tenths
        else:
            assert (p["len"], p["code"], p["qrv"], p["qqic"], p["s_flag"]) == \
                (12, float_code(qri_ds), rv, float_code(qi), False), p
    if version == 3:
        assert (float_code(qri_ds), float_code(qi)) == (0x82, 0x89)   # 144 ds, 200 s
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 2. IGMPv2 leave: group-specific queries, then the group goes

@pytest.mark.parametrize("router_version", [2, 3])
def test_v2_leave(topo, router_version):
    t, d, h, ifn = one_host(topo, version=router_version, host_version=2)
    grp = "239.1.1.2"
    h.join(grp)
    wait_for(lambda: group_is(d, grp, "exclude", {}, compatibility_version=2), timeout=1.0)
    cap = Capture(t, "h1", h.ifname, "h1-leave")
    sent = counters(d, ifn)["group-queries-sent"]
    t0 = time.monotonic()
    h.leave(grp)
    wait_for(lambda: group_gone(d, grp), timeout=LMQT + 1.0,
             msg=f"{grp} gone within LMQC x LMQI + 1 s of the leave")
    took = time.monotonic() - t0
    # the queries went out at 0, LMQI, ...: the group cannot go before the last one
    assert took >= LMQI * (LMQC - 1), f"{grp} gone after {took:.2f}s, before LMQT"
    assert counters(d, ifn)["group-queries-sent"] - sent == LMQC
    pkts = cap.stop()
    leaves = [p for p in pkts if p["type"] == V2_LEAVE and p["group"] == grp]
    assert leaves and leaves[0]["dst"] == ALL_ROUTERS, pkts
    gsq = [p for p in pkts if p["type"] == QUERY and p["src"] == t.addr("r1", "h1")
           and p["dst"] == grp and p["group"] == grp]
    assert len(gsq) >= 1, f"no group-specific query for {grp} on the wire: {pkts}"
    assert len(gsq) == LMQC, f"{len(gsq)} group-specific queries, expected {LMQC}: {gsq}"
    assert all(p["len"] == (8 if router_version == 2 else 12) for p in gsq), gsq
    assert all(p["ttl"] == 1 for p in gsq), gsq
    assert all(p["code"] == round(LMQI * 10) for p in gsq), f"Max Resp Code not LMQI: {gsq}"
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 3. IGMPv3 source filters from the kernel, and exact record types

def test_v3_include_allow_block(topo):
    t, d, h, ifn = one_host(topo)
    g = "232.1.1.1"
    h.sjoin(g, S1)                                   # ALLOW / TO_IN {S1}
    wait_for(lambda: group_is(d, g, "include", {S1: True}), timeout=1.0,
             msg=f"{g} INCLUDE {{S1}}")
    h.sjoin(g, S2)                                   # ALLOW {S2}
    wait_for(lambda: group_is(d, g, "include", {S1: True, S2: True}), timeout=1.0,
             msg=f"{g} INCLUDE {{S1, S2}}")
    gss = counters(d, ifn)["group-source-queries-sent"]
    h.sleave(g, S1)                                  # BLOCK {S1}: Q(G,S1), then S1 goes
    wait_for(lambda: group_is(d, g, "include", {S2: True}), timeout=LMQT + 1.0,
             msg=f"{g} INCLUDE {{S2}} after BLOCK {{S1}}")
    assert counters(d, ifn)["group-source-queries-sent"] > gss
    h.sleave(g, S2)                                  # BLOCK {S2}: INCLUDE {} -> gone
    wait_for(lambda: group_gone(d, g), timeout=LMQT + 1.0, msg=f"{g} gone")
    assert d.stop() == 0


def test_v3_exclude_block_unblock(topo):
    t, d, h, ifn = one_host(topo)
    g = "239.2.2.2"
    h.join(g)                                        # TO_EX {}
    h.block(g, S3)                                   # BLOCK {S3} (or TO_EX {S3})
    wait_for(lambda: group_is(d, g, "exclude", {S3: False}), timeout=LMQT + 1.0,
             msg=f"{g} EXCLUDE with {S3} not forwarding")
    h.unblock(g, S3)                                 # ALLOW {S3}: S3 forwarded again

    def s3_forwarded():
        e = group_is(d, g, "exclude")
        return e and srcs(e).get(S3, True) is True
    wait_for(s3_forwarded, timeout=1.0, msg=f"{S3} forwarding after IP_UNBLOCK_SOURCE")
    # and stays so through the next general query's IS_EX {}
    gq = counters(d, ifn)["general-queries-sent"]
    wait_for(lambda: counters(d, ifn)["general-queries-sent"] > gq, timeout=QI + 1)
    # The host answers within QRI; the slack is for a loaded slow kernel
    # (UML guests side by side), whose timers can fire late.
    wait_for(lambda: group_is(d, g, "exclude", {}), timeout=QRI + 3.0,
             msg=f"{g} EXCLUDE {{}} after the host's IS_EX {{}}")
    h.leave(g)                                       # TO_IN {}: Q(G), then gone
    wait_for(lambda: group_gone(d, g), timeout=LMQT + 1.0, msg=f"{g} gone after TO_IN {{}}")
    assert d.stop() == 0


def test_v3_record_types(topo):
    """Every record type, crafted, from INCLUDE to EXCLUDE and back (§6.4)."""
    # A long QI: nothing times out on its own while the test runs (GMI 21 s).
    t, d, h, ifn = one_host(topo, **{"query-interval": 10})
    g = "239.9.9.9"

    def cnt(k):
        return counters(d, ifn)[k]

    h.send(v3_report(record(IS_IN, g, [S1, S2])))
    wait_for(lambda: group_is(d, g, "include", {S1: True, S2: True}), timeout=1.0,
             msg="IS_IN {S1,S2} -> INCLUDE {S1,S2}")
    h.send(v3_report(record(ALLOW, g, [S3])))
    wait_for(lambda: group_is(d, g, "include", {S1: True, S2: True, S3: True}), timeout=1.0,
             msg="ALLOW {S3} -> INCLUDE {S1,S2,S3}")

    gss = cnt("group-source-queries-sent")
    h.send(v3_report(record(BLOCK, g, [S1])))
    # INCLUDE (A) + BLOCK (B): Q(G,A*B), LMQC times; S1 goes after LMQT
    wait_for(lambda: group_is(d, g, "include", {S2: True, S3: True}), timeout=LMQT + 1.0,
             msg="BLOCK {S1} -> INCLUDE {S2,S3} after LMQT")
    assert cnt("group-source-queries-sent") - gss == LMQC

    h.send(v3_report(record(TO_EX, g, [S2, S4])))
    # INCLUDE (A) + TO_EX (B) -> EXCLUDE (A*B, B-A): X {S2}, Y {S4}; S3 deleted;
    # Q(G,A*B) lowers S2 to LMQT, after which S2 is excluded too.
    e = wait_for(lambda: group_is(d, g, "exclude"), timeout=1.0, msg="TO_EX -> EXCLUDE")
    assert S3 not in srcs(e) and S2 in srcs(e) and srcs(e).get(S4) is False, e
    wait_for(lambda: group_is(d, g, "exclude", {S2: False, S4: False}), timeout=LMQT + 1.0,
             msg="EXCLUDE ({}, {S2,S4}) after Q(G,S2) went unanswered")

    h.send(v3_report(record(IS_EX, g, [S4])))
    # EXCLUDE (X,Y) + IS_EX (A) -> EXCLUDE (A-Y, Y*A): Y {S4}; S2 deleted
    wait_for(lambda: group_is(d, g, "exclude", {S4: False}), timeout=1.0,
             msg="IS_EX {S4} -> EXCLUDE ({}, {S4})")

    gq = cnt("group-queries-sent")
    h.send(v3_report(record(TO_IN, g, [S5])))
    # EXCLUDE (X,Y) + TO_IN (A) -> EXCLUDE (X+A, Y-A), Q(G): the group timer
    # runs out after LMQT and the group falls back to INCLUDE (X) = {S5}.
    wait_for(lambda: group_is(d, g, "include", {S5: True}), timeout=LMQT + 1.0,
             msg="TO_IN {S5} -> INCLUDE {S5} after LMQT")
    assert cnt("group-queries-sent") - gq == LMQC

    h.send(v3_report(record(BLOCK, g, [S5])))
    wait_for(lambda: group_gone(d, g), timeout=LMQT + 1.0, msg="BLOCK {S5} -> group gone")
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 4. Querier election and takeover

def test_querier_election_and_takeover(topo):
    t = topo(routers=["r1", "r2"], hosts=["h1"], lans={"lan1": ["r1", "r2", "h1"]})
    if1, if2 = t.ifname("r1", "lan1"), t.ifname("r2", "lan1")
    a1, a2 = t.addr("r1", "lan1"), t.addr("r2", "lan1")
    assert ipaddress.ip_address(a1) < ipaddress.ip_address(a2)
    h = Host(t, "h1", 2)
    # r2's own query interval differs: as non-querier it runs on r1's QQI
    # (RFC 3376 §4.1.7), so its Other Querier Present Interval is RV x 2 + 0.5.
    qi2 = 4
    d1 = t.start_pimd("r1", igmp_config(t, "r1"))
    d2 = t.start_pimd("r2", igmp_config(t, "r2", query_interval=qi2))
    oqpi = RV * QI + QRI / 2

    def elected():
        i1, i2 = igmp_iface(d1, if1), igmp_iface(d2, if2)
        return i1["querier"] is True and i1["querier-address"] == a1 and \
            i2["querier"] is False and i2["querier-address"] == a1 and (i1, i2)
    i1, i2 = wait_for(elected, timeout=3, msg="r1 querier, r2 not")
    assert i2["query-interval"] == QI and i2["robustness"] == RV, i2
    assert i2["general-query-expires"] == 0 and i1["other-querier-expires"] == 0

    cap = Capture(t, "h1", t.ifname("h1", "lan1"), "h1-lan1")
    c2 = counters(d2, if2)
    base2 = {k: c2[k] for k in ("general-queries-sent", "group-queries-sent",
                                "group-source-queries-sent")}
    t_watch = time.time()

    def r2_quiet():
        i2 = igmp_iface(d2, if2)
        assert i2["querier"] is False, "r2 claimed querier while r1 runs"
        now = {k: int(i2["counters"][k]) for k in base2}
        assert now == base2, f"r2 sent queries while not querier: {base2} -> {now}"
        return True

    # Both routers track members; only the querier r1 queries after a leave.
    g = "239.4.4.4"
    gq1 = counters(d1, if1)["group-queries-sent"]
    h.join(g)
    wait_for(lambda: group_is(d1, g, "exclude") and group_is(d2, g, "exclude"), timeout=1.0,
             msg=f"{g} on r1 and r2")
    h.leave(g)
    wait_for(lambda: r2_quiet() and group_gone(d1, g) and group_gone(d2, g),
             timeout=LMQT + 1.0, msg=f"{g} gone on r1 and r2 after the leave")
    assert counters(d1, if1)["group-queries-sent"] - gq1 == LMQC

    # two more general queries from r1 (and one more below): r2 stays quiet
    base1 = counters(d1, if1)["general-queries-sent"]
    wait_for(lambda: r2_quiet() and counters(d1, if1)["general-queries-sent"] >= base1 + 2,
             timeout=2 * QI + 2, msg="r1 sends two more general queries; r2 stays quiet")

    # Stop r1 just after one of its queries: r2 then takes over one OQPI later.
    n = counters(d1, if1)["general-queries-sent"]
    wait_for(lambda: r2_quiet() and counters(d1, if1)["general-queries-sent"] > n,
             timeout=QI + 1, interval=0.02)
    t_stop, t_stop_wall = time.monotonic(), time.time()
    assert d1.stop() == 0
    r2_quiet()
    wait_for(lambda: igmp_iface(d2, if2)["querier"] is True, timeout=oqpi + 3, interval=0.05,
             msg="r2 takes over as querier")
    took = time.monotonic() - t_stop
    assert oqpi - 1 <= took <= oqpi + 2, \
        f"r2 took over {took:.2f}s after r1 stopped (OQPI {oqpi}s)"
    i2 = igmp_iface(d2, if2)
    assert i2["querier-address"] == a2 and i2["query-interval"] == qi2, i2
    wait_for(lambda: counters(d2, if2)["general-queries-sent"] > base2["general-queries-sent"],
             timeout=1.0, msg="r2 sends a general query on takeover")

    pkts = cap.stop()
    queries = [p for p in pkts if p["type"] == QUERY]
    before = [p for p in queries if p["ts"] < t_stop_wall]
    assert [p for p in before if p["src"] == a1 and p["group"] == "0.0.0.0"
            and p["ts"] >= t_watch], f"no general query from r1 captured: {pkts}"
    assert [p for p in before if p["src"] == a1 and p["group"] == g], \
        f"no Q({g}) from r1 captured: {pkts}"
    assert not [p for p in before if p["src"] == a2], \
        f"queries from r2 while r1 was querier: {before}"
    after = [p for p in queries if p["src"] == a2 and p["ts"] >= t_stop_wall]
    assert after and all(p["dst"] == ALL_HOSTS and p["group"] == "0.0.0.0" for p in after), \
        pkts
    assert d2.stop() == 0


# ---------------------------------------------------------------------------
# 4b. A querier of another version (RFC 3376 §7.3, §7.3.1)

def query(version, grp="0.0.0.0", max_resp_ds=100):
    """A query as a router of that version sends it: v1 8 bytes with code 0,
    v2 8 bytes, v3 12 bytes with QRV and QQIC (§7.3.1 tells them apart)."""
    if version == 1:
        return igmp_msg(QUERY, 0, a2b(grp))
    if version == 2:
        return igmp_msg(QUERY, max_resp_ds, a2b(grp))
    return igmp_msg(QUERY, max_resp_ds, a2b(grp) + struct.pack("!BBH", RV, QI, 0))


@pytest.mark.parametrize("router_version,querier_version", [(3, 2), (3, 1), (2, 1)])
def test_older_version_querier(topo, router_version, querier_version):
    """The older querier's queries are used, not dropped: it wins the election,
    its group-specific queries lower our timers, and when it goes quiet we
    take over one Other Querier Present Interval after its last query."""
    t = topo(routers=["r1"], hosts=["h1"], links=[("h1", "r1")])
    h = Host(t, "h1")
    ifn, a1 = t.ifname("r1", "h1"), t.addr("r1", "h1")
    assert ipaddress.ip_address(h.ip) < ipaddress.ip_address(a1)
    d = t.start_pimd("r1", igmp_config(t, version=router_version))
    wait_for(lambda: igmp_iface(d, ifn) and igmp_iface(d, ifn)["querier"] is True, timeout=5)
    oqpi = RV * QI + QRI / 2          # our own: a v1/v2 query carries no QRV/QQI
    qv = querier_version
    last = {}

    def send_query(**kw):
        h.send(query(qv, **kw), dst=kw.get("grp", ALL_HOSTS))
        last["t"] = time.monotonic()

    send_query()
    i = wait_for(lambda: (lambda i: i["querier"] is False and i["querier-address"] == h.ip and i)
                 (igmp_iface(d, ifn)), timeout=1.0, msg=f"{h.ip} (IGMPv{qv}) is querier")
    assert i["querier-version"] == qv and i["other-querier-expires"] > 0, i
    assert int(i["counters"][f"queries-received-v{qv}"]) == 1, i["counters"]
    assert all(v == "0" for v in i["counters"]["drops"].values()), i["counters"]["drops"]
    wait_for(lambda: f"sends IGMPv{qv} queries" in d.log(), timeout=1.0,
             msg="a warning about the querier's version")
    sent = {k: counters(d, ifn)[k] for k in ("general-queries-sent", "group-queries-sent")}

    def quiet(i=None):
        """r1 has sent no query since it lost the election; i: igmp_iface()."""
        c = (i or igmp_iface(d, ifn))["counters"]
        now = {k: int(c[k]) for k in sent}
        assert now == sent, f"r1 queried as non-querier: {sent} -> {now}"
        return True

    def querier_again():
        i = igmp_iface(d, ifn)
        return i if i["querier"] is True else quiet(i) and None

    # Members are still tracked; a leave draws no query from us, but the
    # querier's group-specific query lowers the group timer to LMQT (§6.6.1).
    g = "239.4.4.5"
    if qv == 1:
        h.send(igmp_msg(V1_REPORT, 0, a2b(g)), dst=g)
    else:
        h.send(v2_report(g), dst=g)
    wait_for(lambda: group_is(d, g, "exclude", {}, compatibility_version=min(qv, router_version)),
             timeout=1.0, msg=f"{g} joined while r1 is not querier")
    if qv == 2:
        h.send(igmp_msg(V2_LEAVE, 0, a2b(g)), dst=ALL_ROUTERS)
        wait_for(lambda: counters(d, ifn)["leaves-received"] == 1, timeout=1.0)
        send_query(grp=g, max_resp_ds=round(LMQI * 10))
        t_q = time.monotonic()
        wait_for(lambda: quiet() and group_gone(d, g), timeout=LMQT + 1.0,
                 msg=f"{g} gone after the querier's Q(G)")
        assert time.monotonic() - t_q >= LMQT - 0.2, "group gone before LMQT"
    quiet()

    # The querier goes quiet: we take over after OQPI, and not before.
    i = wait_for(querier_again, timeout=oqpi + 3, interval=0.05, msg="r1 takes over as querier")
    took = time.monotonic() - last["t"]
    assert oqpi - 1 <= took <= oqpi + 1, f"took over {took:.2f}s after the last query " \
        f"(OQPI {oqpi}s)"
    assert i["querier-address"] == a1 and i["querier-version"] == router_version, i
    wait_for(lambda: counters(d, ifn)["general-queries-sent"] > sent["general-queries-sent"],
             timeout=1.0, msg="a general query on takeover")
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 5-8. Checks on received messages

def drops(d, ifn):
    c = counters(d, ifn)
    return {k: c[f"drop:{k}"] for k in DROPS}


def assert_dropped_as(d, ifn, leaf, send, grp_absent=()):
    """send() once; exactly the drop counter leaf goes up by one."""
    before = drops(d, ifn)
    send()
    after = wait_for(lambda: (lambda x: x[leaf] > before[leaf] and x)(drops(d, ifn)),
                     timeout=1.0, msg=f"drop counter {leaf} up")
    delta = {k: after[k] - before[k] for k in DROPS if after[k] != before[k]}
    assert delta == {leaf: 1}, f"expected only {leaf} +1, got {delta}"
    have = groups(d)
    for g in grp_absent:
        assert g not in have, f"{g} created by a message dropped as {leaf}"
    assert d.alive()


def test_malformed_dropped(topo):
    t, d, h, ifn = one_host(topo)
    g = "239.1.1.1"
    h.join(g)
    wait_for(lambda: group_is(d, g, "exclude", {}), timeout=1.0)
    sent_q = counters(d, ifn)["group-queries-sent"]
    bad = "239.66.0.1"
    # If accepted, these would query 239.1.1.1 (TO_IN {}) and create 239.66.0.1.
    recs = [record(TO_IN, g), record(IS_EX, bad)]
    off_subnet = str(ipaddress.ip_network(t.alloc_subnet())[1])

    cases = [
        ("bad-checksum", lambda: h.send(v3_report(*recs, bad_cksum=True))),
        ("bad-checksum", lambda: h.send(v2_report(bad, bad_cksum=True), dst=bad)),
        ("too-short", lambda: h.send(v2_report(bad)[:6], dst=bad)),
        # a v3 report that ends inside its first record header
        ("too-short", lambda: h.send(igmp_msg(V3_REPORT, 0, struct.pack("!HH", 0, 1) +
                                              record(IS_EX, bad)[:4]))),
        ("unknown-type", lambda: h.send(igmp_msg(0x99, 0, a2b(bad)))),
        ("bad-source-count", lambda: h.send(v3_report(record(IS_EX, bad, [S1], nsrc=5)))),
        ("bad-record", lambda: h.send(v3_report(record(9, bad, [S1])))),
        ("bad-group", lambda: h.send(v2_report("198.18.200.1"), dst=ALL_ROUTERS)),
        ("bad-group", lambda: h.send(v3_report(record(IS_EX, "198.18.200.1")))),
        ("source-off-subnet", lambda: h.send(v3_report(*recs), src=off_subnet)),
        ("source-off-subnet", lambda: h.send(v2_report(bad), dst=bad, src=off_subnet)),
        ("ttl-not-1", lambda: h.send(v3_report(*recs), ttl=2)),
        ("ttl-not-1", lambda: h.send(v2_report(bad), dst=bad, ttl=2)),
    ]
    # membership reports for link-local groups are counted and ignored (a
    # router's kernel hands over link-local multicast only for groups it joined)
    for ll in ("224.0.0.251", "224.0.0.107"):
        cases += [("link-local-group", lambda ll=ll: h.send(v2_report(ll), dst=ALL_ROUTERS)),
                  ("link-local-group", lambda ll=ll: h.send(v3_report(record(IS_EX, ll))))]
    for leaf, send in cases:
        assert_dropped_as(d, ifn, leaf, send, grp_absent=[bad, "224.0.0.251", "224.0.0.107"])
    # 239.1.1.1 untouched: no Q(G) for it, still EXCLUDE {}
    assert counters(d, ifn)["group-queries-sent"] == sent_q
    assert group_is(d, g, "exclude", {}), groups(d)
    assert set(groups(d)) == {g}
    # and a well-formed report is still acted on, from 0.0.0.0 too (§4.2.13)
    h.send(v3_report(record(IS_EX, "239.66.0.2")))
    wait_for(lambda: group_is(d, "239.66.0.2", "exclude", {}), timeout=1.0)
    h.send(v3_report(record(IS_IN, "239.66.0.3", [S1])), src="0.0.0.0")
    wait_for(lambda: group_is(d, "239.66.0.3", "include", {S1: True}), timeout=1.0,
             msg="a report from 0.0.0.0 accepted")
    # but a query from 0.0.0.0 is not
    assert_dropped_as(d, ifn, "source-off-subnet",
                      lambda: h.send(igmp_msg(QUERY, 100, a2b("0.0.0.0")), dst=ALL_HOSTS,
                                     src="0.0.0.0"))
    assert igmp_iface(d, ifn)["querier"] is True
    assert d.alive()
    assert d.stop() == 0


def test_router_alert_required(topo):
    t, d, h, ifn = one_host(topo, **{"require-router-alert": True})
    g = "239.1.1.1"
    h.join(g)                               # the kernel's reports carry Router Alert
    wait_for(lambda: group_is(d, g, "exclude", {}), timeout=1.0)
    assert_dropped_as(d, ifn, "no-router-alert",
                      lambda: h.send(v3_report(record(IS_EX, "239.77.0.1")),
                                     router_alert=False), grp_absent=["239.77.0.1"])
    assert_dropped_as(d, ifn, "no-router-alert",
                      lambda: h.send(v2_report("239.77.0.2"), dst="239.77.0.2",
                                     router_alert=False), grp_absent=["239.77.0.2"])
    # the same message with Router Alert is accepted
    h.send(v3_report(record(IS_EX, "239.77.0.1")))
    wait_for(lambda: group_is(d, "239.77.0.1", "exclude", {}), timeout=1.0)
    assert group_is(d, g, "exclude", {})
    assert d.stop() == 0


def test_max_groups(topo):
    t, d, h, ifn = one_host(topo, **{"max-groups": 2})
    g1, g2, g3 = "239.5.0.1", "239.5.0.2", "239.5.0.3"
    for g in (g1, g2):
        h.join(g)
        wait_for(lambda: group_is(d, g, "exclude", {}), timeout=1.0)
    before = counters(d, ifn)["drop:max-groups"]
    h.join(g3)
    wait_for(lambda: counters(d, ifn)["drop:max-groups"] > before, timeout=1.0,
             msg="max-groups drop counted")
    assert set(groups(d)) == {g1, g2}
    assert igmp_iface(d, ifn)["group-count"] == 2
    # a place frees up: the host's next report for g3 is taken
    h.leave(g1)
    wait_for(lambda: group_gone(d, g1), timeout=LMQT + 1.0)
    wait_for(lambda: group_is(d, g3, "exclude", {}), timeout=QI + QRI + 2,
             msg=f"{g3} accepted once {g1} left")
    assert set(groups(d)) == {g2, g3}
    assert d.stop() == 0


def test_v3_report_on_v2_interface(topo):
    t, d, h, ifn = one_host(topo, version=2, host_version=2)
    assert igmp_iface(d, ifn)["version"] == 2
    assert_dropped_as(d, ifn, "version-mismatch",
                      lambda: h.send(v3_report(record(IS_EX, "239.88.0.1"))),
                      grp_absent=["239.88.0.1"])
    # an IGMPv2 report is taken
    h.send(v2_report("239.88.0.2"), dst="239.88.0.2")
    wait_for(lambda: group_is(d, "239.88.0.2", "exclude", {}, compatibility_version=2),
             timeout=1.0)
    assert "239.88.0.1" not in groups(d)
    assert d.stop() == 0
