# SPDX-License-Identifier: ISC
"""The Bootstrap Router mechanism (RFC 5059) between our routers.

Six routers: a path r1-r2-r3 from the source to the receivers, and three
stubs off it, so that stopping one leaves the path up:

    hs - r1 - r2 - r3 - hr
         |    |    |
         r6   r4   r5

r6 (priority 100) and r1 (50) are Candidate-BSRs: r6 is elected.  r4
(priority 10, 239.0.0.0/8) and r5 (priority 20, 239.0.0.0/8 and
239.1.0.0/16) are Candidate-RPs: 239.1/16 is r5's (the longer range),
the rest of 239/8 r4's (the better priority).  BS_Period is 1 s, so
BS_Timeout is 12 s.  The last hop stays on the RP tree (spt-switchover
never), so that the traffic depends on the RP.

    1. election and RP-set: every router follows r6 and maps 24 groups
       alike; traffic through either RP reaches the receiver
    2. orderly C-RP shutdown: r4's groups move to r5 within 1 s
    3. C-RP killed: delivery resumes within its holdtime + 2 s
    4. elected BSR killed: r1 takes over, and no packet is lost
    5. FRR between our routers forwards our BSM and joins toward our RP
    6. troglobit's pimd as BSR and RP, our routers following it
and, on smaller topologies, an RP-set of 200 ranges in fragments and the
candidacies started, changed and ended by reloads.
"""

import re
import signal
import time

import pytest

import peers
from mcast_tools import Receiver, Sender
from topo import wait_for

PORT = 5003
HELLO = 1
IGMP = {"version": 3, "query-interval": 10, "query-response-interval": "1.0",
        "last-member-query-interval": "0.2", "robustness": 2}
TOPO = "hs-r1-r2-r3-hr; r1-r6; r2-r4; r3-r5"
PERIOD = 1
BS_TIMEOUT = 2 * PERIOD + 10
G_R4 = "239.2.2.2"          # in 239/8 only: r4 (priority 10) over r5 (20)
G_R5 = "239.1.2.2"          # in 239.1/16: r5's, the longer range
RATE = 1000

needs_frr = pytest.mark.skipif(peers.frr_available() is not None,
                               reason=str(peers.frr_available()))
needs_troglobit = pytest.mark.skipif(peers.troglobit_available() is not None,
                                     reason=str(peers.troglobit_available()))


def configs(t, crp_holdtime=None):
    """Every router's config: the candidates as the module docstring says."""
    def crp(r, prio, groups):
        c = {"address": t.lo(r), "priority": prio, "advertisement-period": PERIOD,
             "group": groups}
        if crp_holdtime:
            c["holdtime"] = crp_holdtime
        return c
    roles = {
        "r6": {"candidate-bsr": {"address": t.lo("r6"), "priority": 100}},
        "r1": {"candidate-bsr": {"address": t.lo("r1"), "priority": 50}},
        "r4": {"candidate-rp": crp("r4", 10, ["239.0.0.0/8"])},
        "r5": {"candidate-rp": crp("r5", 20, ["239.0.0.0/8", "239.1.0.0/16"])},
    }
    out = {}
    for r in t.routers:
        bsr = {"bootstrap-period": PERIOD}
        bsr.update(roles.get(r.name, {}))
        extra = {"bsr": bsr, "spt-switchover": {"mode": "never"}}
        out[r.name] = t.config_for(r.name, pim={"hello-interval": HELLO}, igmp=IGMP,
                                   extra=extra)
    return out


def start(topo, crp_holdtime=None):
    t = topo(TOPO)
    ds = {name: t.start_pimd(name, cfg, args=("-d", "pim"))
          for name, cfg in configs(t, crp_holdtime).items()}
    return t, ds


def bsr_state(d):
    return d.pimc("show", "bsr", "--json").get("pimd:pimd", {}).get("state", {}).get("bsr", {})


def rp_set(d):
    return sorted((e["group"], e["address"], e["priority"]) for e in bsr_state(d).get("rp-set", []))


def rp_for(d, group):
    return d.pimc("show", "rp-for", group, "--json")["pimd:pimd"]["state"]["rp-for"]


def wait_elected(t, ds, bsr_router, timeout):
    want = t.lo(bsr_router)

    def agreed():
        st = {n: bsr_state(d) for n, d in ds.items() if d.alive()}
        return st if all(s.get("address") == want for s in st.values()) else None
    st = wait_for(agreed, timeout=timeout, interval=0.2,
                  msg=f"every router follows {bsr_router}")
    assert st[bsr_router]["state"] == "elected-bsr", st[bsr_router]
    return st


def full_rp_set(t):
    return sorted([("239.0.0.0/8", t.lo("r4"), 10), ("239.0.0.0/8", t.lo("r5"), 20),
                   ("239.1.0.0/16", t.lo("r5"), 20)])


def wait_rp(ds, group, rp, timeout, routers=None):
    """Every (named, live) router maps group to rp; the time it took."""
    t0 = time.monotonic()
    names = routers or [n for n, d in ds.items() if d.alive()]
    wait_for(lambda: all(rp_for(ds[n], group)["address"] == rp for n in names),
             timeout=timeout, interval=0.05, msg=f"{group} -> {rp} on {names}")
    return time.monotonic() - t0


def stream(t, group):
    rx = Receiver(t["hr"], group, PORT, iface_addr=t.addr("hr", "r3"))
    tx = Sender(t["hs"], group, PORT, rate=RATE, duration=120, ttl=16)
    return rx, tx


def test_bsr_election_and_rp_mapping(topo):
    t, ds = start(topo)
    wait_elected(t, ds, "r6", timeout=30)
    assert bsr_state(ds["r1"])["state"] == "candidate-bsr"
    want = full_rp_set(t)
    wait_for(lambda: all(rp_set(d) == want for d in ds.values()), timeout=10, interval=0.2,
             msg=f"every router has the RP-set {want}")
    rows = ds["r3"].pimc("show", "rp", "--json")["pimd:pimd"]["state"]["rp"]
    assert sorted((r["group"], r["address"], r["priority"]) for r in rows) == want, rows
    assert all(r["origin"] == "bsr" and 0 < r["expires"] <= 3 and not r["local"]
               for r in rows), rows
    assert any(r["local"] for r in ds["r4"].pimc("show", "rp", "--json")
               ["pimd:pimd"]["state"]["rp"])
    crps = bsr_state(ds["r6"]).get("candidate-rp", [])
    assert sorted((c["group"], c["address"]) for c in crps) == [(g, a) for g, a, _ in want], crps
    # 24 groups: each router maps each alike, by longest range then priority.
    groups = [f"239.{a}.{b}.1" for a in (1, 2, 3) for b in range(8)]
    table = {n: {g: rp_for(d, g) for g in groups} for n, d in ds.items()}
    for g in groups:
        answers = {n: table[n][g]["address"] for n in ds}
        assert len(set(answers.values())) == 1, f"{g}: routers disagree: {answers}"
        want_rp = t.lo("r5") if g.startswith("239.1.") else t.lo("r4")
        assert answers["r3"] == want_rp, (g, table["r3"][g])
        assert table["r3"][g]["origin"] == "bsr", table["r3"][g]
    # Traffic through each RP reaches the receiver.
    for g in (G_R4, G_R5):
        rx, tx = stream(t, g)
        wait_for(lambda: rx.report()["unique"] >= 500, timeout=10,
                 msg=f"500 packets of {g} at hr")
        tx.stop()
        rep = rx.stop()
        print(f"\n[bsr] {g} via {rp_for(ds['r3'], g)['address']}: {rep['unique']} received, "
              f"first seq {rep['first_seq']}, {rep['missing']} missing")


def measure_failover(t, rx, tx, what):
    time.sleep(1.0)
    tx.stop()
    rep = rx.stop()
    print(f"\n[bsr] {what}: {rep['missing']} lost at {RATE} pps, longest gap "
          f"{rep['longest_gap']} packets ({rep['longest_gap'] / RATE:.3f} s), "
          f"{rep['unique']} received")
    return rep


def log_time(d, pattern, after=0.0):
    """Seconds of the day of the first log line matching pattern after `after`."""
    for line in d.log().splitlines():
        m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) (.*)", line)
        if m and re.search(pattern, m[4]):
            s = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
            if s >= after:
                return s
    return None


def seconds_of_day():
    """Now on the clock of the daemons' log lines (local time)."""
    now = time.time()
    lt = time.localtime(now)
    return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (now % 1)


def rp_set_changed_at(ds, names, after):
    """When each router's RP-set last changed after `after` (its log)."""
    return {n: log_time(ds[n], r"rp: the BSR's RP-set has", after) for n in names}


def test_bsr_orderly_crp_shutdown(topo):
    t, ds = start(topo)
    wait_elected(t, ds, "r6", timeout=30)
    wait_rp(ds, G_R4, t.lo("r4"), timeout=10)
    rx, tx = stream(t, G_R4)
    wait_for(lambda: rx.report()["unique"] >= 1000, timeout=10, msg="the stream via r4")
    assert ds["r4"].stop() == 0
    stopped = log_time(ds["r4"], r"signal 15: shutting down")
    others = [n for n in ds if n != "r4"]
    wait_rp(ds, G_R4, t.lo("r5"), timeout=5, routers=others)
    # The daemons' logs tell when each router took the new RP-set (one clock).
    took = {n: v - stopped for n, v in rp_set_changed_at(ds, others, stopped).items()}
    n0 = rx.report()["unique"]
    wait_for(lambda: rx.report()["unique"] >= n0 + 500, timeout=10,
             msg="the stream back, via r5")
    worst = max(took.values())
    measure_failover(t, rx, tx, f"orderly shutdown of C-RP r4: every router mapped "
                     f"{G_R4} to r5 within {worst:.3f} s of it")
    assert worst <= 1.0, f"{G_R4} moved to r5 late: {took}"



def test_bsr_crp_killed(topo):
    holdtime = 5
    t, ds = start(topo, crp_holdtime=holdtime)
    wait_elected(t, ds, "r6", timeout=30)
    wait_rp(ds, G_R4, t.lo("r4"), timeout=10)
    rx, tx = stream(t, G_R4)
    wait_for(lambda: rx.report()["unique"] >= 1000, timeout=10, msg="the stream via r4")
    killed = seconds_of_day()
    ds["r4"].stop(sig=signal.SIGKILL)
    others = [n for n in ds if n != "r4"]
    wait_rp(ds, G_R4, t.lo("r5"), timeout=holdtime + 5, routers=others)
    moved = max(v - killed for v in rp_set_changed_at(ds, others, killed).values())
    n0 = rx.report()["unique"]
    wait_for(lambda: rx.report()["unique"] >= n0 + 500, timeout=10,
             msg="the stream back, via r5")
    rep = measure_failover(t, rx, tx, f"C-RP r4 killed (holdtime {holdtime} s): "
                           f"{G_R4} mapped to r5 everywhere {moved:.2f} s after")
    assert moved <= holdtime + 2, f"the BSR dropped r4 {moved:.2f}s after it died"
    assert rep["longest_gap"] <= (holdtime + 2) * RATE, rep


def test_bsr_elected_bsr_killed(topo):
    t, ds = start(topo, crp_holdtime=90)
    wait_elected(t, ds, "r6", timeout=30)
    want = full_rp_set(t)
    wait_for(lambda: all(rp_set(d) == want for d in ds.values()), timeout=10, interval=0.2,
             msg="the RP-set everywhere")
    rx, tx = stream(t, G_R4)
    wait_for(lambda: rx.report()["unique"] >= 1000, timeout=10, msg="the stream via r4")
    rx.reset()
    ds["r6"].stop(sig=signal.SIGKILL)
    killed = time.monotonic()
    others = [n for n in ds if n != "r6"]
    wait_elected(t, {n: ds[n] for n in others}, "r1", timeout=BS_TIMEOUT + 23 + 10)
    took = time.monotonic() - killed
    wait_for(lambda: all(rp_set(ds[n]) == want for n in others), timeout=10, interval=0.2,
             msg="r1's RP-set everywhere")
    assert all(rp_for(ds[n], G_R4)["address"] == t.lo("r4") for n in others)
    rep = measure_failover(t, rx, tx, f"elected BSR r6 killed: r1 elected after {took:.1f} s")
    assert rep["missing"] == 0 and rep["unique"] > took * RATE, rep


def test_bsr_200_ranges_in_fragments(topo):
    """r2 and r3 are C-RPs for the same 200 ranges: the BSR r1's RP-set of
    400 RPs (6.4 kB) goes in BSM fragments that fit the MTU, and every router
    puts the whole set back together."""
    t = topo("r1-r2-r3")
    ranges = [f"239.{i // 100}.{i % 100}.0/24" for i in range(200)]
    roles = {"r1": {"candidate-bsr": {"address": t.lo("r1")}},
             "r2": {"candidate-rp": {"address": t.lo("r2"), "priority": 10,
                                     "advertisement-period": PERIOD, "group": ranges}},
             "r3": {"candidate-rp": {"address": t.lo("r3"), "priority": 20,
                                     "advertisement-period": PERIOD, "group": ranges}}}
    ds = {}
    for r in ("r1", "r2", "r3"):
        bsr = dict({"bootstrap-period": PERIOD}, **roles[r])
        ds[r] = t.start_pimd(r, t.config_for(r, pim={"hello-interval": HELLO},
                                             extra={"bsr": bsr}), args=("-d", "pim"))
    wait_elected(t, ds, "r1", timeout=30)
    want = sorted([(g, t.lo("r2"), 10) for g in ranges] + [(g, t.lo("r3"), 20) for g in ranges])
    wait_for(lambda: all(rp_set(d) == want for d in ds.values()), timeout=15, interval=0.5,
             msg="all 400 RPs on every router")
    frags = [int(m) for m in re.findall(r"originated a BSM \(tag \d+, (\d+) fragments\)",
                                        ds["r1"].log())]
    mtu = int(re.search(r" mtu (\d+)", t["r2"].ip("-o", "link", "show", "dev",
                                                  t.ifname("r2", "r1")))[1])
    # 200 x (12 + 2 x 10) bytes of ranges, in fragments of mtu - 20 at most.
    assert frags and frags[-1] >= 200 * 32 // (mtu - 20 - 14), frags
    assert all(rp_for(d, "239.1.42.7")["address"] == t.lo("r2") for d in ds.values())
    print(f"\n[bsr] 200 ranges, 400 RPs: {frags[-1]} fragments (MTU {mtu}); every router "
          f"has all {len(want)} RPs")


def test_bsr_candidates_by_reload(topo):
    """r1 becomes Candidate-BSR and Candidate-RP by a reload, r2 follows; a
    range the next reload removes is withdrawn at once (holdtime 0, then
    RP count 0 in the BSM), and the candidacies end with the last reload."""
    t = topo("r1-r2")
    lo1 = t.lo("r1")

    def config(r, **bsr):
        return t.config_for(r, pim={"hello-interval": HELLO},
                            extra={"bsr": dict({"bootstrap-period": PERIOD}, **bsr)})
    ds = {r: t.start_pimd(r, config(r), args=("-d", "pim")) for r in ("r1", "r2")}
    assert bsr_state(ds["r2"])["state"] == "no-info"
    crp = {"address": lo1, "advertisement-period": PERIOD, "holdtime": 30,
           "group": ["239.1.0.0/16", "239.2.0.0/16"]}
    ds["r1"].write_config(config("r1", **{"candidate-bsr": {"address": lo1},
                                          "candidate-rp": crp}))
    ds["r1"].reload()
    wait_elected(t, ds, "r1", timeout=30)
    wait_for(lambda: [g for g, _, _ in rp_set(ds["r2"])] == ["239.1.0.0/16", "239.2.0.0/16"],
             timeout=10, interval=0.2, msg="both ranges at r2")
    # One range less: gone from r2 within a second, not after its 30 s holdtime.
    crp["group"] = ["239.1.0.0/16"]
    ds["r1"].write_config(config("r1", **{"candidate-bsr": {"address": lo1},
                                          "candidate-rp": crp}))
    t0 = time.monotonic()
    ds["r1"].reload()
    wait_for(lambda: [g for g, _, _ in rp_set(ds["r2"])] == ["239.1.0.0/16"], timeout=5,
             interval=0.1, msg="239.2/16 withdrawn at r2")
    took = time.monotonic() - t0
    assert rp_for(ds["r2"], "239.2.0.1")["origin"] == "none"
    # No candidacy at all: r2 hears a last BSM at priority 0, then none.
    ds["r1"].write_config(config("r1"))
    ds["r1"].reload()
    wait_for(lambda: bsr_state(ds["r1"])["state"] in ("accept-any", "accept-preferred"),
             timeout=5, msg="r1 no longer a candidate")
    wait_for(lambda: bsr_state(ds["r2"]).get("priority") == 0, timeout=5,
             msg="r2 heard the last BSM, at priority 0")
    print(f"\n[bsr] by reload: a removed range withdrawn at r2 {took:.2f} s after the reload")


# ---------------------------------------------------------------------------
# Interop: FRR 8.4 has no candidate roles but takes, uses and forwards BSMs.

@needs_frr
def test_bsr_frr_forwards_our_bsm_and_joins_our_rp(topo):
    """hs - r1 - f - r3 - hr: r1 (ours) is BSR and the C-RP for 239/8, FRR
    on f passes the BSM on to r3 (ours) and joins toward the RP it names."""
    t = topo("hs-r1-f-r3-hr")
    lo1 = t.lo("r1")
    bsr = {"bootstrap-period": PERIOD,
           "candidate-bsr": {"address": lo1},
           "candidate-rp": {"address": lo1, "advertisement-period": PERIOD,
                            "group": ["239.0.0.0/8"]}}
    ds = {"r1": t.start_pimd("r1", t.config_for("r1", pim={"hello-interval": HELLO}, igmp=IGMP,
                                                 extra={"bsr": bsr}), args=("-d", "pim")),
          "r3": t.start_pimd("r3", t.config_for("r3", pim={"hello-interval": HELLO}, igmp=IGMP,
                                                 extra={"bsr": {"bootstrap-period": PERIOD}}),
                             args=("-d", "pim"))}
    f = peers.start_frr(t["f"])
    wait_elected(t, ds, "r1", timeout=30)
    want = [("239.0.0.0/8", lo1, 192)]
    wait_for(lambda: rp_set(ds["r3"]) == want, timeout=10, interval=0.2,
             msg="r3 has r1's RP-set, through FRR")
    wait_for(lambda: lo1 in f.vtysh("show ip pim rp-info") and
             "BSR" in f.vtysh("show ip pim rp-info"), timeout=10, interval=0.5,
             msg="FRR uses the RP from our BSR")
    rx = Receiver(t["hr"], G_R4, PORT, iface_addr=t.addr("hr", "r3"))
    tx = Sender(t["hs"], G_R4, PORT, rate=100, duration=60, ttl=16)
    wait_for(lambda: rx.report()["unique"] >= 300, timeout=15,
             msg=f"{G_R4} through FRR to hr")
    tx.stop()
    rep = rx.stop()
    print(f"\n[bsr] FRR between our BSR/RP and our last hop: RP-set {rp_set(ds['r3'])} "
          f"at r3; FRR: {f.vtysh('show ip pim rp-info').strip().splitlines()[-1]}; "
          f"{rep['unique']} packets at hr")


# troglobit's pimd 2.3 is a C-BSR and C-RP: it sends a BSM 5 s after start and
# then every 30 s, puts itself in its RP-set within `time` of starting, and
# takes only an interface's address as its own (not a loopback's).
TROGLOBIT_BS_PERIOD = 30


@needs_troglobit
@pytest.mark.slow
def test_bsr_troglobit_bsr_and_rp(topo):
    """hs - g - r2 - r3 - hr: troglobit's pimd on g is BSR and RP for 239/8;
    r2 and r3 (ours) follow it, r2 passes its BSM on, traffic flows."""
    t = topo("hs-g-r2-r3-hr")
    ga = t.addr("g", "r2")
    # Its 5 s tick drops a neighbour whose Hello holdtime is shorter (and
    # the Join that came from it): holdtime 12 s, periodic Joins every 10 s.
    pim = {"hello-interval": HELLO, "hello-holdtime": 12, "join-prune-interval": 10}
    ds = {r: t.start_pimd(r, t.config_for(r, pim=pim, igmp=IGMP,
                                          extra={"bsr": {"bootstrap-period":
                                                         TROGLOBIT_BS_PERIOD}}),
                          args=("-d", "pim"))
          for r in ("r2", "r3")}
    peers.start_troglobit(t["g"], after=[f"bsr-candidate {ga} priority 5",
                                         f"rp-candidate {ga} priority 20 time 16",
                                         "group-prefix 239.0.0.0/8"])
    wait_for(lambda: all(bsr_state(d).get("address") == ga for d in ds.values()),
             timeout=40, interval=0.5, msg="our routers follow troglobit's BSR")
    wait_for(lambda: all(rp_for(d, G_R4).get("address") == ga for d in ds.values()),
             timeout=70, interval=0.5, msg="troglobit's RP in the RP-set it floods")
    rx = Receiver(t["hr"], G_R4, PORT, iface_addr=t.addr("hr", "r3"))
    tx = Sender(t["hs"], G_R4, PORT, rate=100, duration=90, ttl=16)
    wait_for(lambda: rx.report()["unique"] >= 300, timeout=40,
             msg=f"{G_R4} from troglobit's RP to hr")
    tx.stop()
    rep = rx.stop()
    print(f"\n[bsr] troglobit BSR and RP {ga}: r3 follows {bsr_state(ds['r3'])['address']}, "
          f"RP-set {rp_set(ds['r3'])}; {rep['unique']} packets at hr")
