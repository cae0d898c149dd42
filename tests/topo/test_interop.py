# SPDX-License-Identifier: ISC
"""Interoperability of our pimd with FRR's pimd and troglobit's pimd.

All on one line with a second receiver on the RP:

    hs - r1 - r2 - r3 - hr          RP = r2's loopback, 224.0.0.0/4
               |
              hr2

hs sends two streams, G1 and G2, at 100 packets/s each (TTL 16, sequence
numbers).  hr and hr2 join G1 before the source starts (the first packets
go through Register at r1 and the RP); hr joins G2 while it is running
(the RP pulls the source's traffic for a group it had no receivers for).
After a receiver's first packet of a group every later packet must arrive,
through the last hop's switch to the shortest-path tree; how many were
lost before the first one is reported.

The peers are started by peers.py; scripts/deps.sh installs them.
"""

import math
import os
import time

import pytest

import mcast_tools
import peers
from topo import uml_switch_loss, wait_for

TOPO = "hs-r1-r2-r3-hr; r2-hr2"
G1, G2 = "239.1.1.1", "239.2.2.2"
PORT = 5000
RATE = 100          # packets/s per group
TTL = 16
MAX_STREAM = 240    # s: a bound on every stream

needs_frr = pytest.mark.skipif(peers.frr_available() is not None,
                               reason=str(peers.frr_available()))
needs_troglobit = pytest.mark.skipif(peers.troglobit_available() is not None,
                                     reason=str(peers.troglobit_available()))

# `slow` marks the troglobit tests (-m "not slow" leaves them out); conftest.py
# registers the marker.


# ---------------------------------------------------------------------------
# Traffic (mcast_tools): one sender per group on hs, one receiver per (host, group)

class Rx:
    """A receiver that joined group at `joined` (time.time())."""

    def __init__(self, t, host, group):
        self.host, self.group = host, group
        self.r = mcast_tools.Receiver(t[host], group, PORT,
                                      iface_addr=t.addr(host, t[host].ifaces[0].peer))
        self.joined = time.time()
        self.final = None

    def first(self):
        rep = self.r.report()
        return rep if rep["first_seq"] is not None else None

    def __repr__(self):
        return f"{self.host}/{self.group}"


def check_delivery(rx, sent, report):
    """Every packet from rx's first one to the last one sent arrived."""
    rep = rx.final
    assert rep["first_seq"] is not None, f"{rx}: no packet received"
    first, start = rep["first_seq"], sent["start"]
    gaps = [list(g) for g in rep["gaps"]]
    if rep["last_seq"] < sent["last_seq"]:
        gaps.append([rep["last_seq"] + 1, sent["last_seq"]])
    missing = sum(b - a + 1 for a, b in gaps)
    at_join = max(0, math.ceil((rx.joined - start) * RATE))
    report(f"{rx.host} {rx.group}: joined at seq {at_join}, first packet seq {first} "
           f"({max(0, first - at_join)} lost after the join, "
           f"{rep['first_time'] - max(rx.joined, start):.2f}s), {rep['unique']}/"
           f"{sent['last_seq'] - first + 1} after it, {rep['duplicates']} duplicates, "
           f"{missing} missing" + (f" (seq {fmt_gaps(gaps)})" if gaps else ""))
    # The RP's or a last hop's switch to native forwarding may drop a
    # Register still in flight in the slower UML guest; on the host: none.
    assert not gaps or uml_switch_loss(gaps, first, RATE), (f"{rx}: {missing} packets lost after the first one "
                                     f"(seq {first}): seq {fmt_gaps(gaps)}")


def fmt_gaps(gaps, n=6):
    """[[1, 3], [7, 7]] -> '1-3, 7'."""
    txt = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in gaps[:n])
    return txt + (f" and {len(gaps) - n} more gaps" if len(gaps) > n else "")


def run_streams(t, rp_has_star_g, first_timeout, settle, report):
    """The traffic scenario; rp_has_star_g(group) tells when the RP has (*,G)."""
    rx = [Rx(t, h, G1) for h in ("hr", "hr2")]
    wait_for(lambda: rp_has_star_g(G1), timeout=first_timeout, interval=0.2,
             msg=f"(*,{G1}) at the RP after the joins")
    senders = {g: mcast_tools.Sender(t["hs"], g, PORT, rate=RATE, ttl=TTL,
                                     duration=MAX_STREAM) for g in (G1, G2)}
    for r in rx:
        wait_for(r.first, timeout=first_timeout, interval=0.1,
                 msg=f"first packet of {r.group} at {r.host}")
    late = Rx(t, "hr", G2)
    rx.append(late)
    wait_for(late.first, timeout=first_timeout, interval=0.1,
             msg=f"first packet of {G2} at hr (late join)")
    time.sleep(settle)          # through the last hops' switch to the SPT
    sent = {g: s.stop() for g, s in senders.items()}
    time.sleep(0.3)             # the last packets on their way
    for r in rx:
        r.final = r.r.stop()
    report(f"sent {sent[G1]['sent']} packets per group in "
           f"{sent[G1]['end'] - sent[G1]['start']:.1f}s")
    failures = []
    for r in rx:
        try:
            check_delivery(r, sent[r.group], report)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------
# Routers

def start_ours(t, r, hello=1, holdtime=None, jp_interval=None):
    pim = {"hello-interval": hello}
    if holdtime:
        pim["hello-holdtime"] = holdtime
    if jp_interval:
        pim["join-prune-interval"] = jp_interval
    cfg = t.config_for(r, pim=pim, rp=[{"address": t.lo("r2"), "group": ["224.0.0.0/4"]}])
    # PIMT_DEBUG, when set, is passed by topo.py instead
    return t.start_pimd(r, cfg, args=() if os.environ.get("PIMT_DEBUG") else ("-d", "pim,mroute"))


def our_neighbors(d):
    js = d.pimc("show", "neighbors", "--json")
    return {(n["interface"], n["address"]) for n in
            js.get("pimd:pimd", {}).get("state", {}).get("neighbor", [])}


def our_star_g(d, group):
    js = d.pimc("show", "upstream", "--json")
    for e in js.get("pimd:pimd", {}).get("state", {}).get("upstream", []):
        if e.get("group") == group and e.get("source") in ("0.0.0.0", "*"):
            return e
    return None


def frr_star_g(f, group):
    return f.upstream().get(group, {}).get("*")


def adjacency(t, a, b):
    """(a's interface to b, b's address on it), (b's interface, a's address)."""
    return (t.ifname(a, b), t.addr(b, a)), (t.ifname(b, a), t.addr(a, b))


def wait_neighbors(t, routers, timeout):
    """Every adjacent pair r1-r2, r2-r3 sees the other, whoever runs which."""
    def sees(r, ifname, addr):
        x = routers[r]
        if isinstance(x, peers.Frr):
            return addr in x.neighbors().get(ifname, {})
        if isinstance(x, peers.Troglobit):
            return addr in x.neighbor_addrs()
        return (ifname, addr) in our_neighbors(x)

    for a, b in (("r1", "r2"), ("r2", "r3")):
        (ia, ab), (ib, ba) = adjacency(t, a, b)
        wait_for(lambda: sees(a, ia, ab), timeout=timeout, interval=0.2,
                 msg=f"{a} ({type(routers[a]).__name__}) sees {b} on {ia}")
        wait_for(lambda: sees(b, ib, ba), timeout=timeout, interval=0.2,
                 msg=f"{b} ({type(routers[b]).__name__}) sees {a} on {ib}")


@pytest.fixture
def report(request):
    """report(line): printed in the pytest output, also for passing tests."""
    pm = request.config.pluginmanager
    tr, cap = pm.getplugin("terminalreporter"), pm.getplugin("capturemanager")
    name = request.node.name

    def out(line):
        if tr is None:
            return
        if cap is None:
            tr.write_line(f"[interop] {name}: {line}")
            return
        with cap.global_and_fixture_disabled():
            tr.write_line(f"[interop] {name}: {line}")
    return out


@pytest.fixture
def line(topo):
    """The topology; at teardown the peers' state is dumped and they stop."""
    t = topo(TOPO)
    t.peers = []
    yield t
    for p in t.peers:
        try:
            if p.alive():
                (p.dir / "state.txt").write_text(p.dump())
        except Exception as e:  # noqa: BLE001 - a dump is best effort
            (p.dir / "state.txt").write_text(f"dump failed: {e!r}\n")
    problems = peers.stop_all(t)
    if problems:
        pytest.fail("peers at teardown:\n" + "\n".join(problems), pytrace=False)


# ---------------------------------------------------------------------------

@needs_frr
def test_frr_rp_between_ours(line, report):
    """FRR's pimd is the RP (r2); ours are the first hop (r1) and last hop (r3)."""
    t = line
    rp = t.lo("r2")
    f = peers.start_frr(t["r2"], rp=rp)
    routers = {"r1": start_ours(t, "r1"), "r2": f, "r3": start_ours(t, "r3")}
    wait_neighbors(t, routers, timeout=10)
    run_streams(t, lambda g: frr_star_g(f, g), first_timeout=10, settle=3, report=report)


@needs_frr
def test_ours_rp_between_frr(line, report):
    """Our pimd is the RP (r2); FRR's pimd is the first hop (r1) and last hop (r3)."""
    t = line
    rp = t.lo("r2")
    f1 = peers.start_frr(t["r1"], rp=rp)
    d = start_ours(t, "r2")
    f3 = peers.start_frr(t["r3"], rp=rp)
    routers = {"r1": f1, "r2": d, "r3": f3}
    wait_neighbors(t, routers, timeout=10)
    run_streams(t, lambda g: our_star_g(d, g), first_timeout=10, settle=3, report=report)


# Our settings next to troglobit's pimd: a Hello holdtime longer than its 5 s
# tick, and periodic Joins often enough to repeat one it ignored at start-up.
TROGLOBIT_NBR = {"hello": 1, "holdtime": 12, "jp_interval": 10}


@pytest.mark.slow
@needs_troglobit
def test_troglobit_last_hop(line, report):
    """troglobit's pimd is the last hop (r3), behind our first hop (r1) and RP (r2).

    It runs on a 5 s tick: neighbours' Hello holdtime must outlast one tick or
    it drops and re-learns them every tick (TROGLOBIT_NBR); its SPT switch is
    checked every 5 s (spt-threshold packets 0 interval 5).  For about 20 s
    after its start it ignores IGMP reports for new groups.
    """
    t = line
    rp = t.lo("r2")
    g = peers.start_troglobit(t["r3"], rp=rp)
    routers = {"r1": start_ours(t, "r1", **TROGLOBIT_NBR),
               "r2": start_ours(t, "r2", **TROGLOBIT_NBR), "r3": g}
    wait_neighbors(t, routers, timeout=15)
    run_streams(t, lambda grp: our_star_g(routers["r2"], grp), first_timeout=45, settle=8,
                report=report)


@pytest.mark.slow
@needs_troglobit
def test_troglobit_rp_between_ours(line, report):
    """troglobit's pimd is the RP (r2); ours are the first hop (r1) and last hop (r3).

    Our first hop registers to it, our last hop joins (*,G) to it and then
    switches to the SPT through it.  It ignores Joins for about 20 s after
    its start: our last hop's first (*,G) Join is lost and only its periodic
    Join (every join-prune-interval) gets through.
    """
    t = line
    rp = t.lo("r2")
    g = peers.start_troglobit(t["r2"], rp=rp)
    routers = {"r1": start_ours(t, "r1", **TROGLOBIT_NBR), "r2": g,
               "r3": start_ours(t, "r3", **TROGLOBIT_NBR)}
    wait_neighbors(t, routers, timeout=15)
    run_streams(t, lambda grp: g.star_g(grp), first_timeout=45, settle=8, report=report)


# ---------------------------------------------------------------------------
# A diamond with FRR's pimd as the RP: our last hop switches to the shortest
# path through r3 and prunes the source off FRR's RP tree, Prune(S,G,rpt).

DIAMOND = "hs-r1; r1-r2; r1-r3; r2-r4; r3-r4; r4-hr"


def our_upstream(d, src, grp):
    js = d.pimc("show", "upstream", "--json")
    for e in js.get("pimd:pimd", {}).get("state", {}).get("upstream", []):
        if e.get("source") == src and e.get("group") == grp:
            return e
    return None


@pytest.fixture
def diamond(topo):
    t = topo(DIAMOND)
    t.peers = []
    yield t
    for p in t.peers:
        try:
            if p.alive():
                (p.dir / "state.txt").write_text(p.dump())
        except Exception as e:  # noqa: BLE001 - a dump is best effort
            (p.dir / "state.txt").write_text(f"dump failed: {e!r}\n")
    problems = peers.stop_all(t)
    if problems:
        pytest.fail("peers at teardown:\n" + "\n".join(problems), pytrace=False)


@needs_frr
def test_frr_rp_takes_our_rpt_prune(diamond, report):
    t = diamond
    src_net = t.subnet("hs", "r1")
    t["r4"].ip("route", "replace", src_net, "via", t.addr("r3", "r4"), "dev", t.ifname("r4", "r3"))
    rp = t.lo("r2")
    f = peers.start_frr(t["r2"], rp=rp)
    ours = {r: start_ours(t, r) for r in ("r1", "r3", "r4")}
    for r, peer in (("r1", "r2"), ("r4", "r2")):
        wait_for(lambda r=r, peer=peer: (t.ifname(r, peer), t.addr(peer, r))
                 in our_neighbors(ours[r]), timeout=10, interval=0.2,
                 msg=f"{r} sees FRR's r2")
    wait_for(lambda: t.addr("r4", "r2") in f.neighbors().get(t.ifname("r2", "r4"), {}),
             timeout=10, interval=0.2, msg="FRR's r2 sees r4")
    rx = Rx(t, "hr", G1)
    wait_for(lambda: frr_star_g(f, G1), timeout=10, interval=0.2, msg=f"(*,{G1}) at FRR")
    rpt_link = mcast_tools.Receiver(t["r4"], G1, PORT, sniff=t.ifname("r4", "r2"))
    snd = mcast_tools.Sender(t["hs"], G1, PORT, rate=RATE, ttl=TTL, duration=MAX_STREAM)
    src = t.addr("hs", "r1")
    wait_for(rx.first, timeout=10, interval=0.1, msg="first packet at hr")
    wait_for(lambda: (our_upstream(ours["r4"], src, G1) or {}).get("rpt-state") == "pruned",
             timeout=5, interval=0.1, msg="r4 prunes S off the RP tree")
    # FRR stops sending S to r4: nothing more on the r4-r2 link.
    def quiet():
        n = rpt_link.report()["received"]
        time.sleep(1.0)
        return rpt_link.report()["received"] == n
    wait_for(quiet, timeout=10, interval=0.1, msg="S still comes down FRR's RP tree to r4")
    time.sleep(3)
    sent = snd.stop()
    time.sleep(0.3)
    rx.final = rx.r.stop()
    report(f"sent {sent['sent']}; on r4-r2 after the prune: nothing")
    check_delivery(rx, sent, report)
