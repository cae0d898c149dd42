# SPDX-License-Identifier: ISC
"""Shared LANs (RFC 7761 §4.6, §4.3): Asserts, DR changes, no duplicate or lost packets.

The lan2 topology: two routers (r2, r3) with their own paths to the source
on one LAN with a receiver host (hr) and a third router (r4, a receiver
behind it):

    hs - r1 - r2 ---+--- lan: hr, r4 - hr4
           \\        |
            r3 -----+

r3 is the LAN's DR (priority 10), so it forwards for hr; r4's route to S
goes via r2, so r2 forwards for r4's Join.  Both copies reach the LAN until
the Assert: r3's route to S has the better metric (10 against 20), so r3
wins, r2 takes the LAN out of its MFC entry and r4 sends its Joins to r3.
A numbered 1000 pps stream counts duplicates and gaps at hr and hr4.

    1. the Assert settles within the first 100 ms, nothing is lost; r2's
       route becomes the better one: r2 wins the next Assert, the stream
       goes on through it without duplicates or a gap of a second
    2. the DR (r3) stops (Hello with holdtime 0): r2 takes over at once
    3. the same LAN with FRR's pimd as the other forwarder
    4. a scripted neighbour: Asserts that win, lose and cancel, the Assert
       Timer, malformed Asserts counted and dropped
    5. scripted neighbours' LAN Prune Delay options: the prune override
       interval, and Join suppression off where they all set the T bit
    6. the DR lowers its priority: the new DR serves the member at once
    7. the (*,G) machine: the same LAN on the RP tree, metrics toward the RP
"""

import ipaddress
import struct
import time

import pytest

import peers
from mcast_tools import Receiver, Sender
from test_forwarding import neighbors, resolved, wait_adjacencies
from test_pim import (SPARSE, Agent, a2b, counters, enc_group, join_prune, pim_msg, pim_up,
                      upstream_entry)
from topo import IN_UML, wait_for

LAN2 = "hs-r1; r1-r2; r1-r3; r4-hr4; lan: r2 r3 r4 hr"
G = "232.1.1.1"
PORT = 5002
RATE = 1000
# Duplicates allowed while the first Assert settles: both routers forward
# until each has the other's Assert; the slower UML guest may take longer.
FIRST_MS = 300 if IN_UML else 100
PROPAGATION_MS = 100            # the LAN's propagation delay (§4.3.3)
TTL = 16
IGMP = {"version": 3, "query-interval": 10, "query-response-interval": "1.0",
        "last-member-query-interval": "0.2", "robustness": 2}
ASSERT = 5                      # PIM message type

needs_frr = pytest.mark.skipif(peers.frr_available() is not None,
                               reason=str(peers.frr_available()))


# ---------------------------------------------------------------------------
# Helpers

def config(t, r, lan_priority=None, extra=None, rp=None):
    # A short propagation delay: the time a new Assert winner gives the old
    # one to stop before it forwards (assert.c), the gap of a handover.
    c = t.config_for(r, pim={"hello-interval": 1, "propagation-delay": PROPAGATION_MS},
                     igmp=IGMP, extra=extra, rp=rp)
    if lan_priority is not None:
        for e in c["pimd:pimd"]["interface"]:
            if e["name"] == t.ifname(r, "lan"):
                e["pim"]["dr-priority"] = lan_priority
    return c


def set_route(t, r, via_peer, metric, proto=None, net=None):
    """r's only route to net (the source subnet): via via_peer, this metric (and proto)."""
    net = net or t.subnet("hs", "r1")
    old = [ln.split() for ln in t[r].ip("route", "show", net).splitlines() if ln.strip()]
    args = ["route", "add", net, "via", t.addr(via_peer, r), "dev", t.ifname(r, via_peer),
            "metric", str(metric)] + (["proto", proto] if proto else [])
    t[r].ip(*args)
    for ln in old:
        t[r].ip("route", "del", *ln)


def assert_state(d):
    """show assert --json: ({(S, G, interface): entry}, counters)."""
    st = d.pimc("show", "assert", "--json").get("pimd:pimd", {}).get("state", {})
    return ({(e["source"], e["group"], e["interface"]): e for e in st.get("assert", [])},
            {k: int(v) for k, v in st.get("assert-counters", {}).items()})


def assert_is(t, r, src, state, winner):
    e = assert_state(t[r].pimd)[0].get((src, G, t.ifname(r, "lan")))
    return e if e and e["state"] == state and e["winner"] == t.addr(winner, "lan") else None


def upstream(d, src):
    return upstream_entry(d, src, G)


def forwards_onto_lan(t, r, src):
    e = resolved(t[r], src, G)
    return e is not None and t.ifname(r, "lan") in e["oifs"]


def joined_from_lan(t, r, src):
    """r has Join state on its LAN interface: r4's Joins reach it."""
    e = upstream(t[r].pimd, src)
    return e is not None and any(d["interface"] == t.ifname(r, "lan") and d["state"] == "join"
                                 for d in e.get("downstream", []))


def lan2(topo, frr_r3=False, ours_wins=False):
    """The lan2 topology with its routes, daemons and receivers; the tree is built."""
    t = topo(LAN2)
    t.peers = []
    src = t.addr("hs", "r1")
    # r3's path to S is the better one; r4 reaches S through r2.
    set_route(t, "r2", "r1", 10 if ours_wins else 20, proto="kernel" if ours_wins else None)
    set_route(t, "r3", "r1", 20 if ours_wins else 10)
    # With FRR, r4 joins FRR (r3) and ours (r2) is the DR with the member.
    up4 = "r3" if frr_r3 else "r2"
    t["r4"].ip("route", "replace", t.subnet("hs", "r1"), "via", t.addr(up4, "lan"),
               "dev", t.ifname("r4", "lan"))
    args = ("-d", "pim")
    t.start_pimd("r1", config(t, "r1"), args=args)
    t.start_pimd("r4", config(t, "r4"), args=args)
    if frr_r3:
        t.start_pimd("r2", config(t, "r2", lan_priority=10), args=args)
        f = peers.start_frr(t["r3"], igmp=[t.ifname("r3", "lan")])
        wait_for(lambda: {t.addr("r2", "lan"), t.addr("r4", "lan")} <=
                 set(f.neighbors().get(t.ifname("r3", "lan"), {})),
                 timeout=10, interval=0.2, msg="FRR sees r2 and r4 on the LAN")
        wait_adjacencies_ours(t, ("r1", "r2", "r4"))
    else:
        # r3 the DR; r2 next in line, above r4, for when r3 goes.
        t.start_pimd("r2", config(t, "r2", lan_priority=5), args=args)
        t.start_pimd("r3", config(t, "r3", lan_priority=10), args=args)
        wait_adjacencies(t)
    rx = {h: Receiver(t[h], G, PORT, iface_addr=t.addr(h, peer), source=src)
          for h, peer in (("hr", "lan"), ("hr4", "r4"))}
    # Before any data both forward onto the LAN: r2 or r3 for r4's Join, the DR for hr.
    wait_for(lambda: upstream(t["r4"].pimd, src) and
             upstream(t["r4"].pimd, src).get("rpf-neighbor") == t.addr(up4, "lan"),
             timeout=5, msg=f"r4 joined toward {up4}")
    wait_for(lambda: forwards_onto_lan(t, "r2", src) and
             (frr_r3 or forwards_onto_lan(t, "r3", src)), timeout=5,
             msg="r2 and r3 forwarding onto the LAN before the stream")
    if frr_r3:
        wait_for(lambda: (G in f.upstream() and src in f.upstream()[G] and
                          t.ifname("r3", "lan") in str(f.mroute().get(G, {}).get(src, {}))),
                 timeout=5, interval=0.2, msg="FRR forwarding for r4's Join")
    return t, src, rx


def wait_adjacencies_ours(t, routers, timeout=10):
    """wait_adjacencies for some routers only: ours, beside a peer daemon."""
    for r in routers:
        want = set()
        for i in t[r].ifaces:
            for m, j in i.link.ends.items():
                if m != r and t[m].role == "router":
                    want.add((i.name, j.ip))
        wait_for(lambda r=r, want=want: want <= neighbors(t[r].pimd), timeout=timeout,
                 interval=0.1, msg=f"{r}'s PIM neighbours")


def finish(snd, rx):
    """Stop the stream; each receiver's final report once the last packet is in."""
    sent = snd.stop()
    assert sent["errors"] == 0, sent
    last = sent["last_seq"]
    reps = {}
    for h, r in rx.items():
        reps[h] = wait_for(lambda r=r: (lambda x: x if x["last_seq"] == last else None)(
            r.report()), timeout=3, msg=f"the last packet at {h}")
    return sent, reps


def dups_after(rep, first):
    return [q for q in rep["dup_seqs"] if q >= first]


# ---------------------------------------------------------------------------
# 1. Assert, then the loser's route becomes the better one

def test_lan2_assert_then_metric_change(topo):
    t, src, rx = lan2(topo)
    lan3 = t.addr("r3", "lan")

    snd = Sender(t["hs"], G, PORT, rate=RATE, duration=60, ttl=TTL)
    t0 = time.monotonic()
    wait_for(lambda: assert_is(t, "r2", src, "loser", "r3") and
             assert_is(t, "r3", src, "winner", "r3"), timeout=5, interval=0.02,
             msg="r3 wins the Assert, r2 loses it")
    settle = time.monotonic() - t0
    wait_for(lambda: not forwards_onto_lan(t, "r2", src), timeout=2,
             msg="r2's MFC entry no longer forwards onto the LAN")
    # r4 tracked the Assert: its Joins go to the winner now (§4.6.5).
    wait_for(lambda: upstream(t["r4"].pimd, src)["rpf-neighbor"] == lan3, timeout=3,
             msg="r4's RPF' is the winner r3")
    wait_for(lambda: joined_from_lan(t, "r3", src), timeout=5, interval=0.1,
             msg="r4's Join reached r3")
    e = assert_is(t, "r2", src, "loser", "r3")
    assert e["winner-metric"] == 10 and e["metric"] == 20, e
    assert 170 <= e["assert-timer-expires"] <= 180, e
    w = assert_is(t, "r3", src, "winner", "r3")
    assert w["metric"] == 10 and 170 <= w["assert-timer-expires"] <= 177, w
    for h, r in rx.items():
        wait_for(lambda r=r: r.report()["unique"] >= 1000, timeout=3, msg=f"stream at {h}")
    phase1 = {h: r.report() for h, r in rx.items()}

    # 2. r2's route becomes better than r3's: r2 wins the next Assert.
    mark = max(p["last_seq"] for p in phase1.values())
    t1 = time.monotonic()
    set_route(t, "r2", "r1", 5)
    wait_for(lambda: assert_is(t, "r2", src, "winner", "r2") and
             assert_is(t, "r3", src, "loser", "r2"), timeout=5, interval=0.02,
             msg="r2 wins the Assert after its route got better")
    switch = time.monotonic() - t1
    wait_for(lambda: forwards_onto_lan(t, "r2", src) and not forwards_onto_lan(t, "r3", src),
             timeout=3, msg="r2 forwards onto the LAN, r3 no longer")
    wait_for(lambda: upstream(t["r4"].pimd, src)["rpf-neighbor"] == t.addr("r2", "lan"),
             timeout=4, msg="r4's RPF' follows the new winner")
    time.sleep(1.0)
    sent, reps = finish(snd, rx)
    r2c = assert_state(t["r2"].pimd)[1]
    assert r2c["won"] >= 1 and r2c["lost"] >= 1 and r2c["sent"] >= 2, r2c
    report = []
    for h, rep in reps.items():
        assert rep["first_seq"] == 0 and rep["missing"] == 0 or rep["longest_gap"] < RATE, rep
        late = dups_after(rep, FIRST_MS * RATE // 1000)
        first_dups = rep["duplicates"] - len(late)
        p1_gaps = [g for g in rep["gaps"] if g[0] <= mark]
        p2_gaps = [g for g in rep["gaps"] if g[0] > mark]
        report.append(f"{h}: {sent['sent']} sent, {first_dups} duplicates in the first "
                      f"{FIRST_MS} ms, {len(late)} later, {rep['missing']} lost at the "
                      f"handover (gaps {rep['gaps']}), longest pause "
                      f"{rep['max_interarrival']:.3f}s")
        assert rep["first_seq"] == 0, rep
        assert not late, f"{h}: duplicates after the first {FIRST_MS} ms: {late[:20]}"
        assert not p1_gaps, f"{h}: packets lost before the metric change: {p1_gaps}"
        assert all(b - a + 1 < RATE for a, b in p2_gaps), f"{h}: a gap of a second: {p2_gaps}"
        assert rep["max_interarrival"] < 1.0, rep
    print(f"\n[assert] first Assert settled {settle:.2f}s after the stream began; "
          f"metric change won in {switch:.2f}s; " + "; ".join(report))


# ---------------------------------------------------------------------------
# 2. DR failover

def test_lan2_dr_failover(topo):
    t, src, rx = lan2(topo)
    snd = Sender(t["hs"], G, PORT, rate=RATE, duration=60, ttl=TTL)
    wait_for(lambda: assert_is(t, "r2", src, "loser", "r3"), timeout=5, interval=0.02,
             msg="r3 wins the Assert")
    wait_for(lambda: upstream(t["r4"].pimd, src)["rpf-neighbor"] == t.addr("r3", "lan"),
             timeout=4, msg="r4 joins toward r3")
    for h, r in rx.items():
        wait_for(lambda r=r: r.report()["unique"] >= 500, timeout=3, msg=f"stream at {h}")
    lan2_ = t.ifname("r2", "lan")
    t_stop = time.time()
    assert t["r3"].pimd.stop() == 0           # a Hello with holdtime 0 on the way out
    p = wait_for(lambda: (lambda i: i if i["pim"]["dr"] else None)(
        t["r2"].pimd.interfaces()[lan2_]), timeout=2, interval=0.02, msg="r2 becomes DR")
    took = time.time() - t_stop
    wait_for(lambda: forwards_onto_lan(t, "r2", src), timeout=2, interval=0.02,
             msg="r2 forwards onto the LAN")
    stale = [e for e in assert_state(t["r2"].pimd)[0].values()
             if e["winner"] == t.addr("r3", "lan")]
    assert not stale, f"r2 kept r3, gone, as the Assert winner: {stale}"
    wait_for(lambda: upstream(t["r4"].pimd, src)["rpf-neighbor"] == t.addr("r2", "lan"),
             timeout=2, msg="r4 joins toward r2")
    time.sleep(1.5)
    sent, reps = finish(snd, rx)
    report = []
    for h, rep in reps.items():
        # One failover: every loss lies within 1 s of the first. On a slow
        # kernel (the UML guest, one CPU for every daemon) the old DR's last
        # packets can come through between two short gaps.
        outage = rep["loss_span"] / RATE
        report.append(f"{h}: {rep['missing']} lost in {len(rep['gaps'])} gaps "
                      f"over {outage:.3f}s, "
                      f"longest pause {rep['max_interarrival']:.3f}s, "
                      f"{len(dups_after(rep, FIRST_MS))} late duplicates")
        assert rep["first_seq"] == 0, rep
        assert outage < 1.0 and rep["max_interarrival"] < 1.0, \
            f"{h}: the stream did not resume within 1 s of the DR going away: {rep}"
        assert not dups_after(rep, FIRST_MS * RATE // 1000), rep
    print(f"\n[assert] DR failover: r2 DR {took:.3f}s after r3's SIGTERM (dr={p['pim']['dr']}); "
          + "; ".join(report))


# ---------------------------------------------------------------------------
# 3. FRR's pimd as the other forwarder on the LAN
#
# FRR (r3) forwards for r4's Join; ours (r2, the DR) for hr, over the better
# route (preference 0 as FRR's, metric 10 against 20).  FRR must lose and stop.
# The other way round cannot converge with FRR 8.4: for an SSM (S,G) joined
# before data it never sets the SPT bit (sptBit 0, no keepalive timer), so
# CouldAssert stays false and it never sends an Assert; it accepts ours as a
# loser but keeps forwarding, as its own route is the better one
# (lost_assert(S,G,I) compares against spt_assert_metric).

@needs_frr
def test_lan2_frr_one_forwarder(topo):
    t, src, rx = lan2(topo, frr_r3=True, ours_wins=True)
    f = t.peers[0]
    try:
        snd = Sender(t["hs"], G, PORT, rate=RATE, duration=60, ttl=TTL)
        for h, r in rx.items():
            wait_for(lambda r=r: r.report()["unique"] >= 500, timeout=5, msg=f"stream at {h}")
        wait_for(lambda: assert_is(t, "r2", src, "winner", "r2"), timeout=5,
                 msg="our r2 wins the Assert against FRR")
        lan3 = t.ifname("r3", "lan")
        wait_for(lambda: "LOSER" in f.vtysh("show ip pim assert"), timeout=3,
                 msg="FRR is the Assert loser")
        wait_for(lambda: lan3 not in str(f.mroute().get(G, {}).get(src, {}).get("oil", {})),
                 timeout=3, msg="FRR no longer forwards onto the LAN")
        wait_for(lambda: upstream(t["r4"].pimd, src)["rpf-neighbor"] == t.addr("r2", "lan"),
                 timeout=4, msg="r4 joins toward the winner r2")
        time.sleep(2.0)
        mark = {h: r.report()["last_seq"] for h, r in rx.items()}
        time.sleep(2.0)
        sent, reps = finish(snd, rx)
        for h, rep in reps.items():
            late = dups_after(rep, FIRST_MS * RATE // 1000)
            print(f"\n[assert] FRR loses: {h}: {sent['sent']} sent, "
                  f"{rep['duplicates'] - len(late)} duplicates in the first {FIRST_MS} ms, "
                  f"{len(late)} later, {rep['missing']} lost")
            assert rep["first_seq"] == 0 and rep["missing"] == 0, rep
            assert not late, f"{h}: duplicates after the first {FIRST_MS} ms: {late[:20]}"
            assert rep["last_seq"] > mark[h] + RATE, rep
    finally:
        (f.dir / "state.txt").write_text(f.dump())
        problems = peers.stop_all(t)
    assert not problems, problems


# ---------------------------------------------------------------------------
# 4. A scripted neighbour

def assert_msg(group, source, rpt, pref, metric, masklen=32):
    body = bytes([1, 0, 0, masklen]) + a2b(group) + b"\x01\x00" + a2b(source)
    body += struct.pack("!II", (0x80000000 if rpt else 0) | pref, metric)
    return pim_msg(ASSERT, body)


def test_scripted_asserts(topo):
    """r1 forwards (S,G) onto h1's link for a scripted neighbour's Join; other scripted
    routers there assert against it."""
    t = topo(routers=["r1"], hosts=["hs", "h1"], links=[("hs", "r1"), ("r1", "h1")])
    h = Agent(t, "h1")
    ifn, me = t.ifname("r1", "h1"), t.addr("r1", "h1")
    src = t.addr("hs", "r1")
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30}, extra={
        "assert-time": 4, "assert-override-interval": 1}), args=("-d", "pim"))
    wait_for(lambda: pim_up(d, ifn), timeout=5, msg="PIM on r1-h1")
    A, B, C = h.addr(10), h.addr(20), h.addr(30)
    for x in (A, B, C):
        h.hello(x, genid=int(ipaddress.ip_address(x)), holdtime=60)
    wait_for(lambda: d.interfaces()[ifn]["pim"]["neighbor-count"] == 3, timeout=3,
             msg="three scripted neighbours")
    h.send(join_prune(me, G, joins=[(src, SPARSE)]), src=A)
    wait_for(lambda: forwards(t, src, ifn), timeout=3, msg="r1 forwards onto h1's link")
    h.take()

    # An inferior Assert (preference 200): r1 wins and answers with its own.
    h.send(assert_msg(G, src, False, 200, 1), src=B)
    e = wait_for(lambda: (lambda s: s.get((src, G, ifn)))(assert_state(d)[0]), timeout=2,
                 msg="r1 asserts")
    assert e["state"] == "winner" and e["winner"] == me and e["metric-preference"] == 0, e
    mine = wait_for(lambda: [p for p in h.take() if p["type"] == ASSERT], timeout=2,
                    msg="r1's Assert on the link")
    assert mine[0]["src"] == me and mine[0]["dst"] == "224.0.0.13" and mine[0]["cksum_ok"]
    # The winner repeats it every assert-time - override = 3 s.
    wait_for(lambda: [p for p in h.take() if p["type"] == ASSERT], timeout=4.5, interval=0.2,
             msg="the winner's periodic Assert")

    # A preferred Assert (same metric, higher address: C): r1 loses and stops forwarding.
    t0 = time.monotonic()
    h.send(assert_msg(G, src, False, 0, 0), src=C)
    wait_for(lambda: (lambda s: s.get((src, G, ifn), {}).get("state") == "loser")(
        assert_state(d)[0]), timeout=2, msg="r1 loses to C")
    wait_for(lambda: not forwards(t, src, ifn), timeout=2, msg="r1 stops forwarding")
    # C says nothing more: after assert-time (4 s) r1 forgets it and forwards again.
    wait_for(lambda: forwards(t, src, ifn), timeout=8, interval=0.1,
             msg="r1 forwards again once the Assert Timer ran out")
    assert time.monotonic() - t0 >= 3.9, "forgot the winner before assert-time"
    assert not assert_state(d)[0]

    # Lose again, then an AssertCancel from the winner: forwarding at once.
    h.send(assert_msg(G, src, False, 0, 0), src=C)
    wait_for(lambda: not forwards(t, src, ifn), timeout=2, msg="r1 stops forwarding again")
    h.send(assert_msg(G, src, True, 0x7fffffff, 0xffffffff), src=C)
    wait_for(lambda: forwards(t, src, ifn), timeout=1, msg="AssertCancel: r1 forwards")

    # Malformed Asserts are counted and dropped; one from a stranger too.
    c0 = counters(d, ifn)
    n0 = assert_state(d)[1]
    bad = [pim_msg(ASSERT, b"\x01\x00\x00\x20" + a2b(G)),                    # too short
           assert_msg(G, src, False, 0, 0, masklen=24),                       # a group range
           pim_msg(ASSERT, bytes([1, 0, 0, 32]) + a2b("10.1.1.1") +
                   b"\x01\x00" + a2b(src) + bytes(8)),                        # not multicast
           pim_msg(ASSERT, enc_group(G) + b"\x02\x00" + bytes(16) + bytes(8))]  # IPv6 source
    for m in bad:
        h.send(m, src=B)
    h.send(assert_msg(G, src, False, 0, 0), src=h.addr(99))
    wait_for(lambda: assert_state(d)[1]["malformed"] - n0["malformed"] == len(bad),
             timeout=2, msg="malformed Asserts counted")
    c1 = counters(d, ifn)
    assert c1["drop:too-short"] - c0["drop:too-short"] == 1, c1
    assert c1["drop:bad-encoding"] - c0["drop:bad-encoding"] == 2, c1
    assert c1["drop:bad-group"] - c0["drop:bad-group"] == 1, c1
    assert c1["drop:not-a-neighbor"] - c0["drop:not-a-neighbor"] == 1, c1
    assert c1["assert-received"] - c0["assert-received"] == len(bad) + 1, c1
    assert forwards(t, src, ifn), "a dropped Assert changed the forwarding"
    assert "Assert" in d.pimc("show", "assert")
    assert d.stop() == 0


def forwards(t, src, ifn):
    e = resolved(t["r1"], src, G)
    return e is not None and ifn in e["oifs"]


# ---------------------------------------------------------------------------
# 5. LAN Prune Delay and the T bit (§4.3.3): prune override timing and Join
#    suppression from the neighbours' Hello options

JP = 3                          # PIM message type Join/Prune
T_BIT = 0x8000                  # in the LAN Prune Delay option's propagation delay


def test_scripted_prune_override_from_lan_delays(topo):
    """r1 forwards onto h1's link for two scripted downstream routers (A, B) that
    advertise small LAN delays: a Prune waits J/P_Override_Interval from their
    options (§4.5.3), and a Join from the other within it overrides the Prune."""
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
    h = Agent(t, "h1")
    ifn, me, src = t.ifname("r1", "h1"), t.addr("r1", "h1"), t.addr("h2", "r1")
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30,
                                                   "propagation-delay": 100,
                                                   "override-interval": 300}))
    wait_for(lambda: pim_up(d, ifn), timeout=5, msg="PIM on r1-h1")
    A, B = h.addr(10), h.addr(20)
    for k, x in enumerate((A, B)):
        h.hello(x, genid=k + 1, lpd=(200, 400))
    wait_for(lambda: d.interfaces()[ifn]["pim"]["neighbor-count"] == 2, timeout=3,
             msg="A and B neighbours")
    p = d.interfaces()[ifn]["pim"]
    # the largest of everyone's: ours 100/300, theirs 200/400
    assert p["effective-propagation-delay"] == 200 and p["effective-override-interval"] == 400
    join = join_prune(me, G, joins=[(src, SPARSE)])
    prune = join_prune(me, G, prunes=[(src, SPARSE)])
    h.send(join, src=A)
    wait_for(lambda: forwards(t, src, ifn), timeout=2, msg="r1 forwards onto h1's link")

    # A Prune, not overridden: gone after J/P_Override_Interval = 200 + 400 ms.
    t0 = time.monotonic()
    h.send(prune, src=A)
    wait_for(lambda: not forwards(t, src, ifn), timeout=3, interval=0.02,
             msg="the Prune takes effect")
    took = time.monotonic() - t0
    assert 0.5 <= took < 1.5, f"Prune took effect after {took:.2f}s, not ~0.6s"

    # A Prune that B overrides with a Join 0.2 s later: still forwarding after 1 s.
    h.send(join, src=A)
    wait_for(lambda: forwards(t, src, ifn), timeout=2, msg="forwarding again")
    h.send(prune, src=A)
    time.sleep(0.2)             # B answers within the override interval
    h.send(join, src=B)
    wait_for(lambda: upstream(d, src)["downstream"][0]["state"] == "join", timeout=1,
             msg="B's Join overrides A's Prune")
    time.sleep(1.0)
    assert forwards(t, src, ifn), "r1 stopped forwarding though B overrode the Prune"
    assert d.stop() == 0


def test_scripted_join_suppression_t_bit(topo):
    """r1 joins toward a scripted upstream router U on h1's link, where another
    scripted router D joins U too: r1 suppresses its periodic Joins while D's
    are seen (§4.5.7), but not once every neighbour sets the T bit (§4.3.3)."""
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
    h = Agent(t, "h1")
    ifn, me = t.ifname("r1", "h1"), t.addr("r1", "h1")
    U, D = h.addr(10), h.addr(20)
    src = str(ipaddress.ip_network(t.alloc_subnet())[10])
    t["r1"].ip("route", "add", f"{src}/32", "via", U, "dev", ifn)
    d = t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": 30,
                                                   "join-prune-interval": 2},
                                         igmp={"version": 3}))
    wait_for(lambda: pim_up(d, ifn), timeout=5, msg="PIM on r1-h1")

    def hellos(prop):
        for k, x in enumerate((U, D)):
            h.hello(x, genid=k + 1, lpd=(prop, 500))
        wait_for(lambda: all(n["propagation-delay"] == prop & 0x7fff for n in
                             d.pimc("show", "neighbors", "--json")["pimd:pimd"]["state"]
                             ["neighbor"]) and
                 d.interfaces()[ifn]["pim"]["neighbor-count"] == 2, timeout=3,
                 msg=f"U and D advertising propagation delay {prop & 0x7fff}")

    def joins_by_r1_while_d_joins(seconds):
        """Count r1's Join/Prunes while D sends a Join to U every 0.5 s."""
        h.take()
        n, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            h.send(join_prune(U, G, joins=[(src, SPARSE)]), src=D)
            time.sleep(0.5)     # D's pace, not a synchronization
            n += sum(1 for p in h.take() if p["type"] == JP and p["src"] == me)
        return n

    hellos(100)
    rx = Receiver(t["h2"], G, PORT, iface_addr=t.addr("h2", "r1"), source=src)
    wait_for(lambda: (upstream(d, src) or {}).get("state") == "joined", timeout=3,
             msg="r1 joined toward U")
    seen = []

    def first_join():
        seen.extend(h.take())
        return any(p["type"] == JP and p["src"] == me for p in seen)
    wait_for(first_join, timeout=3, msg="r1's first Join")
    # §4.3.1: its first Hello went first (hello-interval 30: not by its timer yet)
    kinds = [p["type"] for p in seen if p["src"] == me]
    assert 0 in kinds and kinds.index(0) < kinds.index(JP), kinds
    suppressed = joins_by_r1_while_d_joins(6)
    assert suppressed <= 1, f"r1 sent {suppressed} Joins in 6 s though D's were seen"
    hellos(150 | T_BIT)
    tracked = joins_by_r1_while_d_joins(6)
    assert tracked >= 2, f"r1 sent only {tracked} Joins in 6 s where everyone tracks Joins"
    print(f"\n[assert] Join suppression: {suppressed} Joins from r1 in 6 s beside D's, "
          f"{tracked} with the T bit everywhere (join-prune-interval 2 s)")
    rx.stop()
    assert d.stop() == 0


# ---------------------------------------------------------------------------
# 6. A DR priority change hands the LAN's members over at once

def test_dr_priority_change_hands_over(topo):
    """r3, the DR of a LAN with a receiver, lowers its priority below r2's: r3
    stops serving the member at once and r2 must start as soon (§4.3.2)."""
    t = topo("hs-r1; r1-r2; r1-r3; lan: r2 r3 hr")
    src = t.addr("hs", "r1")
    for r in ("r1", "r2", "r3"):
        t.start_pimd(r, config(t, r, lan_priority={"r2": 5, "r3": 10}.get(r)), args=("-d", "pim"))
    wait_adjacencies(t)
    rx = Receiver(t["hr"], G, PORT, iface_addr=t.addr("hr", "lan"), source=src)
    wait_for(lambda: forwards_onto_lan(t, "r3", src), timeout=5, msg="r3, the DR, forwards")
    snd = Sender(t["hs"], G, PORT, rate=RATE, duration=60, ttl=TTL)
    wait_for(lambda: rx.report()["unique"] >= 500, timeout=3, msg="stream at hr")
    t["r3"].pimd.write_config(config(t, "r3", lan_priority=1))
    t["r3"].pimd.reload()
    lan = t.ifname("r2", "lan")
    wait_for(lambda: t["r2"].pimd.interfaces()[lan]["pim"]["dr"], timeout=2, interval=0.02,
             msg="r2 becomes DR")
    wait_for(lambda: forwards_onto_lan(t, "r2", src) and not forwards_onto_lan(t, "r3", src),
             timeout=2, msg="r2 forwards, r3 no longer")
    time.sleep(1.0)
    sent, reps = finish(snd, {"hr": rx})
    rep = reps["hr"]
    print(f"\n[assert] DR priority change: {rep['missing']} lost "
          f"(longest gap {rep['longest_gap'] / RATE:.3f}s), {rep['duplicates']} duplicates")
    assert rep["first_seq"] == 0 and rep["duplicates"] == 0, rep
    # A Hello only triggered would wait up to a Hello_Period (1 s here, 5 s by default).
    assert rep["longest_gap"] < RATE // 4 and rep["max_interarrival"] < 0.25, rep


# ---------------------------------------------------------------------------
# 7. The (*,G) machine: the same LAN on the RP tree

def test_lan2_rp_tree_assert(topo):
    """Any-source multicast with the RP on r1 and no switch to the shortest path
    tree: r2 and r3 both forward the RP tree's traffic onto the LAN, so the
    (*,G) Assert (§4.6.2) decides, on the metrics toward the RP."""
    t = topo(LAN2)
    g = "239.1.1.1"
    rp = t.lo("r1")
    rps = [{"address": rp, "group": ["239.0.0.0/8"]}]
    never = {"spt-switchover": {"mode": "never"}}
    for r, m in (("r2", 20), ("r3", 10)):
        set_route(t, r, "r1", m, net=f"{rp}/32")
    for net in (t.subnet("hs", "r1"), f"{rp}/32"):
        t["r4"].ip("route", "replace", net, "via", t.addr("r2", "lan"), "dev", t.ifname("r4", "lan"))
    for r, prio in (("r1", None), ("r2", 5), ("r3", 10), ("r4", None)):
        t.start_pimd(r, config(t, r, lan_priority=prio, extra=never, rp=rps), args=("-d", "pim"))
    wait_adjacencies(t)
    rx = {h: Receiver(t[h], g, PORT, iface_addr=t.addr(h, peer))
          for h, peer in (("hr", "lan"), ("hr4", "r4"))}
    wait_for(lambda: (upstream_entry(t["r4"].pimd, "0.0.0.0", g) or {}).get("rpf-neighbor") ==
             t.addr("r2", "lan"), timeout=5, msg="r4's (*,G) Join toward r2")
    wait_for(lambda: all((upstream_entry(t[r].pimd, "0.0.0.0", g) or {}).get("state") == "joined"
                         for r in ("r2", "r3")), timeout=5, msg="r2 and r3 on the RP tree")
    snd = Sender(t["hs"], g, PORT, rate=RATE, duration=60, ttl=TTL)
    src = t.addr("hs", "r1")

    def wc_assert(r, state, winner):
        e = assert_state(t[r].pimd)[0].get(("0.0.0.0", g, t.ifname(r, "lan")))
        return e if e and e["state"] == state and e["winner"] == t.addr(winner, "lan") else None
    wait_for(lambda: wc_assert("r2", "loser", "r3") and wc_assert("r3", "winner", "r3"),
             timeout=5, interval=0.02, msg="r3 wins the (*,G) Assert")
    e = wc_assert("r2", "loser", "r3")
    assert e["winner-rpt-bit"] and e["winner-metric"] == 10 and e["metric"] == 20, e
    wait_for(lambda: (lambda m: m is not None and t.ifname("r2", "lan") not in m["oifs"])(
        resolved(t["r2"], src, g)) or resolved(t["r2"], src, g) is None, timeout=2,
        msg="r2's (S,G) entry no longer forwards onto the LAN")
    wait_for(lambda: upstream_entry(t["r4"].pimd, "0.0.0.0", g)["rpf-neighbor"] ==
             t.addr("r3", "lan"), timeout=4, msg="r4's RPF'(*,G) is the winner r3")
    for h, r in rx.items():
        wait_for(lambda r=r: r.report()["unique"] >= 1000, timeout=5, msg=f"stream at {h}")
    sent, reps = finish(snd, rx)
    for h, rep in reps.items():
        late = dups_after(rep, rep["first_seq"] + FIRST_MS * RATE // 1000)
        late_gaps = [gp for gp in rep["gaps"] if gp[0] > rep["first_seq"] + FIRST_MS]
        print(f"\n[assert] (*,G) Assert: {h}: first packet seq {rep['first_seq']}, "
              f"{rep['duplicates'] - len(late)} duplicates in the first {FIRST_MS} ms, "
              f"{len(late)} later, gaps {rep['gaps']}")
        assert not late, f"{h}: duplicates after the first {FIRST_MS} ms: {late[:20]}"
        assert not late_gaps, f"{h}: packets lost once the stream flowed: {late_gaps}"
