#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Benchmark: our pimd beside FRR's pimd on the same three-router line.

    hs - r1 - r2 - r3 - hr          RP = r2 (its loopback), hello 1 s
              |  \
              rb  rc                 ours in both runs: BSR, C-RPs

Run as root (network namespaces), after scripts/deps.sh and a build:

    bench/run.sh [--trials N] [--quick] [--groups N] [--only ours|frr]
    python3 bench/bench.py ...            (same, with PIMD/PIMC set or
                                           build-bench/ or build/ built)

Every trial builds a fresh topology per daemon (the order of the two
alternates from trial to trial), starts pimd on r1..r3 (ours) or zebra +
pimd (FRR), waits for the PIM neighbours, then measures in turn:

  idle RSS    VmRSS of the daemons of each router once the neighbours are
              up (ours: pimd; FRR: pimd + zebra), mean over r1..r3.
  join        a source on hs sends 1000 pps to one group for 5 s; then hr
              joins: time from hr's IGMP report on the wire to the first
              packet at hr.  Again with a source only 1 s old ("young").
  onset       hr joins a new group; once the RP holds the (*,G) join the
              source starts at 1000 pps: time from the first packet sent
              to the first received, whether sequence number 0 arrived,
              and how many of the first 100 packets were lost (several
              samples per trial: --onsets).
  rp-set      our BSR rb (off r2) changes its RP-set: rb's own C-RP goes
              from priority 10 to 30 and back, so 239.200/16 moves between
              rb and rc (priority 20): time from rb originating the BSM (its
              log) to r3 showing the new RP (ours: pimc show rp-for; FRR:
              show ip pim rp-info), polled; the median poll is the
              resolution.  FRR 8.4 has no BSR or C-RP role, so the BSR and
              the C-RPs are ours in both runs and FRR plays the routers that
              follow it.
  scale       a source sends 4 packets per group per second (--scale-rate)
              round robin to N groups (default 5000) for 5 s; then one
              receiver process on hr joins all N at once: time until every
              group has delivered a packet, kernel MFC entries per
              router, daemon CPU seconds (utime + stime over r1..r3, from
              the source's start to the last group delivered) and VmRSS
              growth per group (sum over r1..r3, before the source starts
              to after delivery).

The table gives medians over trials and the ratio ours/FRR next to the
targets.  A scenario that fails (a daemon dies, groups missing at the
deadline) is reported with the daemon's log lines; the figures that were
measured are still shown.  --json FILE keeps every raw sample.
"""

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "topo"))

import topo as topo_mod  # noqa: E402
from topo import Topo, wait_for  # noqa: E402

try:
    import peers  # noqa: E402
except ImportError:          # pragma: no cover - checked in main()
    peers = None
try:
    import mcast_tools  # noqa: E402
except ImportError:          # pragma: no cover
    mcast_tools = None

MGROUPS = str(REPO / "bench" / "mcast.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
ROUTERS = ("r1", "r2", "r3")
# rb and rc, off r2, always run our pimd: rb is the BSR, rb and rc are
# Candidate-RPs for BSR_RANGE (FRR 8.4 has no candidate roles).
LINE = "hs-r1-r2-r3-hr; r2-rb; r2-rc"
BSR_RANGE = "239.200.0.0/16"
BSR_GROUP = "239.200.1.1"
BSR_SAMPLES = 2    # RP-set changes per trial
# Thousands of memberships on one receiver socket (see shared PEERS notes).
# In the UML guest (6.1) optmem_max is global, and scripts/uml-init.sh set it.
SYSCTLS = ["net.ipv4.igmp_max_memberships=20000"] + \
    ([] if topo_mod.IN_UML else ["net.core.optmem_max=4194304"])
HELLO = 1          # s, both daemons
HOLDTIME = 3       # s: ours derives 3.5 x hello rounded down; FRR told the same
PORT = 5001
SCALE_PORT = 5002
RATE = 1000        # pps, join and onset sources
# Seconds the source runs before the join (join and scale): past the first
# Register, the Register-Stop and the kernel's 3 s limit on WRONGVIF upcalls
# per (S,G) (MFC_ASSERT_THRESH), so that the stream is steady.
WARM = 5.0
# The same join when the source is only this old (second join figure).
WARM_YOUNG = 1.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# /proc figures

def proc_cpu(pid):
    """utime + stime of pid in seconds (None if gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    f = stat[stat.rindex(")") + 2:].split()
    return (int(f[11]) + int(f[12])) / CLK_TCK     # fields 14 and 15


def proc_rss(pid):
    """VmRSS of pid in bytes (None if gone)."""
    try:
        for ln in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def raw_drops(node):
    """Drops on the namespace's raw sockets: {"pim": n, "igmp": n}.

    /proc/net/raw lists the protocol as the local port (103 PIM, 2 IGMP);
    drops are datagrams the kernel could not queue (receive buffer full).
    """
    out = {"pim": 0, "igmp": 0}
    for ln in node.read("/proc/net/raw").splitlines()[1:]:
        f = ln.split()
        if len(f) < 13:
            continue
        proto = int(f[1].split(":")[1], 16)
        name = {103: "pim", 2: "igmp"}.get(proto)
        if name:
            out[name] += int(f[-1])
    return out


def mfc_count(node):
    """Kernel multicast forwarding cache entries (resolved and not)."""
    return len(node.mr_cache())


# ---------------------------------------------------------------------------
# The two daemons behind one interface

class Daemons:
    name = "?"

    def __init__(self, t):
        self.t = t

    def start(self):
        raise NotImplementedError

    def pids(self, router):
        """{process name: pid} of this router's daemons."""
        raise NotImplementedError

    def neighbors(self, router):
        raise NotImplementedError

    def star_g_at_rp(self, group):
        raise NotImplementedError

    def log_tail(self, router, n=25):
        raise NotImplementedError

    def ready(self):
        want = {"r1": 1, "r2": 2, "r3": 1}
        return all(self.neighbors(r) >= k for r, k in want.items())

    def dead(self):
        """['r2 pimd exited with -11', ...] for daemons no longer running."""
        out = []
        for r in ROUTERS:
            for name, p in self.procs(r).items():
                if p.poll() is not None:
                    out.append(f"{r} {name} exited with {p.returncode}")
        return out

    def procs(self, router):
        raise NotImplementedError

    def rss(self, router):
        vals = [proc_rss(pid) for pid in self.pids(router).values()]
        return None if None in vals else sum(vals)

    def cpu(self, router):
        vals = [proc_cpu(pid) for pid in self.pids(router).values()]
        return None if None in vals else sum(vals)


def bsr_config(t, router, prio):
    """rb: BSR and C-RP of priority prio; rc: C-RP of priority 20."""
    crp = {"address": t.lo(router), "priority": prio, "advertisement-period": 1,
           "holdtime": 30, "group": [BSR_RANGE]}
    bsr = {"bootstrap-period": 1, "candidate-rp": crp}
    if router == "rb":
        bsr["candidate-bsr"] = {"address": t.lo("rb")}
    return t.config_for(router, pim={"hello-interval": HELLO, "hello-holdtime": HOLDTIME},
                        extra={"bsr": bsr})


def start_bsr(t):
    # -d pim: rb logs each BSM it originates, the start of the measurement.
    for r, prio in (("rb", 10), ("rc", 20)):
        t.start_pimd(r, bsr_config(t, r, prio), args=("-d", "pim"))


class Ours(Daemons):
    name = "ours"

    def start(self):
        t = self.t
        start_bsr(t)
        for r in ROUTERS:
            cfg = t.config_for(r, pim={"hello-interval": HELLO, "hello-holdtime": HOLDTIME},
                               rp=[{"address": t.lo("r2"), "group": ["224.0.0.0/4"]}])
            t.start_pimd(r, cfg)

    def procs(self, router):
        d = self.t[router].pimd
        return {"pimd": d.proc} if d and d.proc else {}

    def pids(self, router):
        return {k: p.pid for k, p in self.procs(router).items()}

    def neighbors(self, router):
        js = self.t[router].pimd.pimc("show", "neighbors", "--json")
        return len(js.get("pimd:pimd", {}).get("state", {}).get("neighbor", []))

    def rp_at_last_hop(self, group):
        js = self.t["r3"].pimd.pimc("show", "rp-for", group, "--json")
        return js["pimd:pimd"]["state"]["rp-for"].get("address")

    def star_g_at_rp(self, group):
        js = self.t["r2"].pimd.pimc("show", "upstream", "--json")
        for e in js.get("pimd:pimd", {}).get("state", {}).get("upstream", []):
            if e.get("group") == group and e.get("source") == "0.0.0.0":
                if any(d.get("state") == "join" for d in e.get("downstream", [])):
                    return True
        return False

    def log_tail(self, router, n=25):
        d = self.t[router].pimd
        return d.log_tail(n) if d else ""

    def stop(self):
        return stop_ours(self.t, ROUTERS + ("rb", "rc"))


def stop_ours(t, routers):
    problems = []
    for r in routers:
        d = t[r].pimd
        if d is None:
            continue
        died = d.proc is not None and d.proc.poll() is not None
        try:
            rc = d.stop()
            if died:
                problems.append(f"{r} pimd had died with exit code {rc}")
            elif rc not in (0, None):
                problems.append(f"{r} pimd exited with {rc} on SIGTERM")
        except AssertionError as e:
            problems.append(f"{r} pimd: {e}")
    return problems


class Frr(Daemons):
    name = "FRR"

    def __init__(self, t):
        super().__init__(t)
        self.f = {}

    def start(self):
        start_bsr(self.t)
        for r in ROUTERS:
            # debug=False: no debug logging, as ours runs without -d
            self.f[r] = peers.start_frr(self.t[r], rp=self.t.lo("r2"), hello=HELLO,
                                        holdtime=HOLDTIME, debug=False)

    def procs(self, router):
        f = self.f.get(router)
        return dict(f.procs) if f else {}

    def pids(self, router):
        return {k: p.pid for k, p in self.procs(router).items()}

    def neighbors(self, router):
        return len(self.f[router].neighbor_addrs())

    def rp_at_last_hop(self, group):
        # {"RP": [{"group": "239.200.0.0/16", "source": "BSR", ...}], ...}
        for rp, entries in self.f["r3"].json("show ip pim rp-info json").items():
            for e in entries if isinstance(entries, list) else [entries]:
                if e.get("group") == BSR_RANGE:
                    return e.get("rpAddress", rp)
        return None

    def star_g_at_rp(self, group):
        up = self.f["r2"].upstream()
        e = up.get(group, {}).get("*")
        return bool(e) and e.get("joinState") == "Joined"

    def log_tail(self, router, n=25):
        f = self.f.get(router)
        if not f:
            return ""
        out = []
        for name in ("zebra", "pimd"):
            try:
                lines = (f.dir / f"{name}.log").read_text(errors="replace").splitlines()
            except FileNotFoundError:
                lines = []
            out += [f"{name}: {ln}" for ln in lines[-n:]]
        return "\n".join(out)

    def stop(self):
        problems = []
        for r in ROUTERS:
            f = self.f.get(r)
            if f is None:
                continue
            try:
                codes = f.stop()
                for name, rc in codes.items():
                    # FRR 8.4's pimd exits with 1 after a clean SIGTERM
                    # ("Terminating on signal SIGTERM" in its log)
                    if rc not in (0, 1 if name == "pimd" else 0, -signal.SIGTERM, None):
                        problems.append(f"{r} {name} exited with {rc} on SIGTERM")
            except Exception as e:  # noqa: BLE001
                problems.append(f"{r}: stop failed: {e!r}")
            problems += f.problems
        return problems + stop_ours(self.t, ("rb", "rc"))


KINDS = {"ours": Ours, "frr": Frr}


class ScenarioFailed(Exception):
    """A scenario could not be measured; logs=False: not the daemons' doing."""

    def __init__(self, msg, logs=True):
        super().__init__(msg)
        self.logs = logs


# ---------------------------------------------------------------------------
# Scenarios

def check_alive(d, what):
    dead = d.dead()
    if dead:
        raise ScenarioFailed(f"{what}: " + "; ".join(dead))


def failure_detail(d, msg, logs=True):
    """msg plus the log tails of every router, as one string."""
    parts = [msg]
    for r in (ROUTERS if logs else ()):
        tail = d.log_tail(r, 12).strip()
        if tail:
            parts.append(f"  [{d.name} {r} log tail]\n" + "\n".join(
                "    " + ln for ln in tail.splitlines()))
    return "\n".join(parts)


def read_json_line(proc, timeout):
    """The next JSON line from proc's stdout within timeout, else None."""
    import select
    deadline = time.monotonic() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        buf += chunk
    return json.loads(buf.split(b"\n", 1)[0])


def scenario_join(t, d, res, key, group, warm, timeout):
    """Source on hs for warm seconds, then hr joins: ms to the first packet.

    Timed from the IGMP report on the wire (hr's outgoing Membership
    Report for the group, seen by a packet socket), not from the
    setsockopt: Linux sends the report two jiffies after the join (8 ms at
    HZ=250), the same for both daemons.  res[key + "_host"] keeps the time
    from the setsockopt.
    """
    rcv = mcast_tools.Receiver(t["hr"], group, PORT, iface_addr=t.addr("hr", "r3"), join=False)
    snd = mcast_tools.Sender(t["hs"], group, PORT, rate=RATE, duration=warm + timeout + 2,
                             iface_addr=t.addr("hs", "r1"))
    watch = t["hr"].popen([PYTHON, MGROUPS, "igmpwatch", "--iface", t.ifname("hr", "r3"),
                           "--group", group, "--timeout", str(warm + timeout + 5)],
                          stdout=subprocess.PIPE)
    try:
        if not (read_json_line(watch, 10) or {}).get("ready"):
            raise ScenarioFailed(f"{key}: the IGMP watcher on hr did not start", logs=False)
        time.sleep(warm)
        check_alive(d, key)
        t0 = time.time()
        rcv.join(group)
        try:
            rep = wait_for(lambda: (r := rcv.report())["first_time"] and r,
                           timeout=timeout, interval=0.02)
        except AssertionError:
            check_alive(d, key)
            raise ScenarioFailed(f"{key}: no packet to {group} at hr within {timeout}s "
                                 f"of the join (source {warm:g}s old)")
        t_report = (read_json_line(watch, 5) or {}).get("t_report")
        res[key + "_host"] = (rep["first_time"] - t0) * 1000.0
        if t_report is None:
            raise ScenarioFailed(f"{key}: hr's IGMP report for {group} not seen on the wire",
                                 logs=False)
        res[key] = (rep["first_time"] - t_report) * 1000.0
    finally:
        snd.stop()
        rcv.stop()
        if watch.poll() is None:
            watch.terminate()
        watch.wait(timeout=5)


def lost_in_first(rep, n=100):
    """How many of sequence numbers 0..n-1 never arrived."""
    if rep["first_seq"] is None:
        return n
    lost = min(rep["first_seq"], n)
    for a, b in rep["gaps"]:
        lo, hi = max(a, 0), min(b, n - 1)
        if lo <= hi:
            lost += hi - lo + 1
    if rep["last_seq"] < n - 1:
        lost += n - 1 - rep["last_seq"]
    return lost


def scenario_onset(t, d, res, k, timeout):
    g = f"239.2.{k}.1"
    rcv = mcast_tools.Receiver(t["hr"], g, PORT, iface_addr=t.addr("hr", "r3"))
    try:
        try:
            wait_for(lambda: d.star_g_at_rp(g), timeout=timeout, interval=0.05)
        except AssertionError:
            check_alive(d, "onset")
            raise ScenarioFailed(f"onset: the RP has no (*,{g}) join {timeout}s after the "
                                 "IGMP join")
        time.sleep(0.5)            # let the tree settle everywhere
        check_alive(d, "onset")
        s = mcast_tools.send(t["hs"], g, PORT, rate=RATE, duration=2.0,
                             iface_addr=t.addr("hs", "r1"))
        time.sleep(0.3)
        rep = rcv.report()
    finally:
        rcv.stop()
    sample = {"group": g, "sent": s["sent"], "received": rep["unique"],
              "first_seq": rep["first_seq"], "lost_first100": lost_in_first(rep),
              "first_delivered": rep["first_seq"] == 0, "gaps": rep["gaps"][:10],
              "last_seq": rep["last_seq"],
              "onset_ms": (rep["first_time"] - s["start"]) * 1000.0
              if rep["first_time"] else None}
    res.setdefault("onset", []).append(sample)
    if rep["first_time"] is None:
        raise ScenarioFailed(f"onset: none of {s['sent']} packets to {g} reached hr")


def log_seconds(d, pattern, skip=0, after=0.0):
    """Seconds of the day of the (skip+1)-th line of d's log that matches
    pattern and is not older than `after`."""
    n = 0
    for line in d.log().splitlines():
        if pattern not in line:
            continue
        h, m, sec = line.split()[0].split(":")
        at = int(h) * 3600 + int(m) * 60 + float(sec)
        if at < after:
            continue
        if n == skip:
            return at
        n += 1
    return None


def now_seconds():
    now = time.time()
    lt = time.localtime(now)
    return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + now % 1


def scenario_rpset(t, d, res, timeout):
    """The BSR rb's RP-set changes (rb's C-RP priority 10 <-> 30, rc stays at
    20): time from rb originating the BSM to the new RP at r3, polled."""
    rb = t["rb"].pimd
    want = {10: t.lo("rb"), 30: t.lo("rc")}
    try:
        wait_for(lambda: d.rp_at_last_hop(BSR_GROUP) == want[10], timeout=timeout,
                 interval=0.1)
    except AssertionError:
        check_alive(d, "rp-set")
        raise ScenarioFailed(f"rp-set: r3 never mapped {BSR_GROUP} to rb's RP")
    prio = 10
    for k in range(BSR_SAMPLES):
        prio = 30 if prio == 10 else 10
        changes = rb.log().count(f"for {BSR_RANGE}: priority")
        rb.write_config(bsr_config(t, "rb", prio))
        rb.pimc("reload")
        polls, seen, deadline = [], None, time.monotonic() + timeout
        while seen is None and time.monotonic() < deadline:
            t0 = time.monotonic()
            got = d.rp_at_last_hop(BSR_GROUP)
            polls.append(time.monotonic() - t0)
            if got == want[prio]:
                seen = now_seconds()
        # The first BSM after the BSR took the new priority.
        changed = log_seconds(rb, f"for {BSR_RANGE}: priority", skip=changes)
        origin = log_seconds(rb, "originated a BSM", after=changed) if changed else None
        if seen is None:
            check_alive(d, "rp-set")
            raise ScenarioFailed(f"rp-set: {BSR_GROUP} did not move to {want[prio]} at r3 "
                                 f"within {timeout}s")
        if origin is None:
            raise ScenarioFailed("rp-set: rb logged no BSM after the reload", logs=False)
        res.setdefault("rpset_ms", []).append((seen - origin) * 1000.0)
        res.setdefault("rpset_poll_ms", []).append(statistics.median(polls) * 1000.0)


def scenario_scale(t, d, res, n, timeout, per_group):
    base = "239.100.0.1"
    res["scale_groups"] = n
    res["scale_rate_per_group"] = per_group
    rss0 = {r: d.rss(r) for r in ROUTERS}
    cpu0 = {r: d.cpu(r) for r in ROUTERS}
    snd = t["hs"].popen([PYTHON, MGROUPS, "send", "--group", base, "--count", str(n),
                         "--port", str(SCALE_PORT), "--rate", str(n * per_group),
                         "--duration", str(WARM + timeout + 10),
                         "--ifaddr", t.addr("hs", "r1")], stdout=subprocess.PIPE)
    rcv = None
    try:
        time.sleep(WARM)
        check_alive(d, "scale (source running, before the join)")
        errf = open(t.workdir / "scale-recv.err", "wb")
        rcv = t["hr"].popen([PYTHON, MGROUPS, "recv", "--group", base, "--count", str(n),
                             "--port", str(SCALE_PORT), "--timeout", str(timeout),
                             "--ifaddr", t.addr("hr", "r3")],
                            stdout=subprocess.PIPE, stderr=errf)
        errf.close()
        try:
            out, _ = rcv.communicate(timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            raise ScenarioFailed("scale: the receiver did not finish in time")
        cpu1 = {r: d.cpu(r) for r in ROUTERS}
        try:
            rj = json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise ScenarioFailed("scale: receiver failed: "
                                 + (t.workdir / "scale-recv.err").read_text()[-2000:])
        if rj["join_errors"]:
            raise ScenarioFailed(f"scale: the receiver could not join: {rj['join_errors'][:3]}")
        firsts = sorted(v - rj["t_join"] for v in rj["first"].values())
        res["scale_seen"] = rj["seen"]
        res["scale_join_call_s"] = rj["t_join_end"] - rj["t_join"]
        half = (n + 1) // 2          # when half of all n groups had delivered
        if len(firsts) >= half:
            res["scale_half_s"] = firsts[half - 1]
        if rj["t_all"] is not None:
            res["scale_all_s"] = rj["t_all"] - rj["t_join"]
        if None not in cpu0.values() and None not in cpu1.values():
            res["scale_cpu_s"] = sum(cpu1.values()) - sum(cpu0.values())
            res["scale_cpu_by_router"] = {r: round(cpu1[r] - cpu0[r], 2) for r in ROUTERS}
        time.sleep(1.0)
        res["scale_mfc"] = {r: mfc_count(t[r]) for r in ROUTERS}
        res["scale_raw_drops"] = {r: raw_drops(t[r]) for r in ROUTERS}
        rss1 = {r: d.rss(r) for r in ROUTERS}
        if None not in rss0.values() and None not in rss1.values():
            res["scale_rss_per_group"] = (sum(rss1.values()) - sum(rss0.values())) / n
            res["scale_rss_growth_by_router"] = {r: rss1[r] - rss0[r] for r in ROUTERS}
        check_alive(d, "scale")
        if rj["t_all"] is None:
            missing = sorted(set(range(n)) - {int(k) for k in rj["first"]})
            import ipaddress
            b = int(ipaddress.IPv4Address(base))
            eg = ", ".join(str(ipaddress.IPv4Address(b + m)) for m in missing[:5])
            raise ScenarioFailed(
                f"scale: only {rj['seen']}/{n} groups delivered within {timeout}s of the join "
                f"(missing e.g. {eg}); MFC entries r1/r2/r3 = "
                + "/".join(str(res['scale_mfc'][r]) for r in ROUTERS)
                + "; raw socket drops (kernel, receive buffer full) "
                + ", ".join(f"{r} PIM {v['pim']} IGMP {v['igmp']}"
                            for r, v in res["scale_raw_drops"].items()))
    finally:
        for p in (rcv, snd):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)


def run_trial(kind, trial, opts):
    """One topology, one daemon kind, every scenario; a result dict."""
    res = {"kind": kind.name, "trial": trial, "failures": []}
    t = Topo(LINE, sysctls=SYSCTLS)
    d = kind(t)
    ok = False
    try:
        t.start()
        t0 = time.monotonic()
        d.start()
        try:
            wait_for(d.ready, timeout=30, interval=0.1)
        except AssertionError:
            check_alive(d, "start")
            raise ScenarioFailed("start: PIM neighbours not up within 30s")
        res["neighbors_s"] = time.monotonic() - t0
        time.sleep(opts.settle)
        check_alive(d, "idle")
        res["idle_rss"] = {r: d.rss(r) for r in ROUTERS}
        scenarios = [
            ("join", lambda: scenario_join(t, d, res, "join_ms", "239.1.1.1", WARM,
                                           opts.join_timeout)),
            ("join-young", lambda: scenario_join(t, d, res, "join_young_ms", "239.1.2.1",
                                                 WARM_YOUNG, opts.join_timeout)),
        ]
        scenarios.append(("rp-set", lambda: scenario_rpset(t, d, res, opts.join_timeout)))
        for k in range(opts.onsets):
            scenarios.append((f"onset{k}", lambda k=k: scenario_onset(t, d, res, k,
                                                                      opts.join_timeout)))
        if opts.groups:
            scenarios.append(("scale", lambda: scenario_scale(t, d, res, opts.groups,
                                                              opts.scale_timeout,
                                                              opts.scale_rate)))
        for name, fn in scenarios:
            try:
                fn()
            except ScenarioFailed as e:
                res["failures"].append(failure_detail(d, f"{d.name} trial {trial}: {e}",
                                                      e.logs))
                if d.dead():
                    break          # nothing more to measure on this topology
        ok = not res["failures"]
    except ScenarioFailed as e:
        res["failures"].append(failure_detail(d, f"{d.name} trial {trial}: {e}"))
    except Exception as e:  # noqa: BLE001 - reported, next trial goes on
        res["failures"].append(failure_detail(
            d, f"{d.name} trial {trial}: error: {e!r}\n{traceback.format_exc()}"))
    finally:
        try:
            for p in d.stop():
                res["failures"].append(f"{d.name} trial {trial}: {p}")
                ok = False
        except Exception as e:  # noqa: BLE001
            res["failures"].append(f"{d.name} trial {trial}: stop: {e!r}")
        for p in t.stop():
            if p not in " ".join(res["failures"]):
                res["failures"].append(f"{d.name} trial {trial}: {p}")
                ok = False
        if opts.keep or (opts.keep_failed and not ok):
            res["workdir"] = str(t.workdir)
            log(f"bench: {d.name} trial {trial}: logs kept in {t.workdir}")
        else:
            t.cleanup_workdir()
    return res


# ---------------------------------------------------------------------------
# Report

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, digits=1, inf="-"):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if v == math.inf:
        return inf
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def summarize(results, kind):
    rs = [r for r in results if r["kind"] == kind]
    onsets = [s for r in rs for s in r.get("onset", [])]
    n = max((r.get("scale_groups", 0) for r in rs), default=0)
    s = {
        "trials": len(rs),
        "join_ms": med(r.get("join_ms") for r in rs),
        "join_n": sum(1 for r in rs if r.get("join_ms") is not None),
        "join_young_ms": med(r.get("join_young_ms") for r in rs),
        "onset_ms": med(o["onset_ms"] for o in onsets),
        "first_ok": sum(1 for o in onsets if o["first_delivered"]),
        "onset_n": len(onsets),
        "lost100": med(o["lost_first100"] for o in onsets),
        "lost100_max": max((o["lost_first100"] for o in onsets), default=None),
        "groups": n,
        # a trial that did not deliver every group counts as "more than the
        # timeout" (inf), not as missing, so the median stays honest
        "scale_all_s": med(r.get("scale_all_s", math.inf) for r in rs if "scale_seen" in r),
        "scale_done": sum(1 for r in rs if r.get("scale_all_s") is not None),
        "scale_ran": sum(1 for r in rs if "scale_seen" in r),
        "scale_seen": med(r.get("scale_seen") for r in rs),
        "scale_half_s": med(r.get("scale_half_s") or math.inf for r in rs
                            if "scale_seen" in r),
        "scale_cpu_s": med(r.get("scale_cpu_s") for r in rs),
        "scale_rss_pg": med(r.get("scale_rss_per_group") for r in rs),
        "rpset_ms": med(v for r in rs for v in r.get("rpset_ms", [])),
        "rpset_poll_ms": med(v for r in rs for v in r.get("rpset_poll_ms", [])),
        "rpset_n": sum(len(r.get("rpset_ms", [])) for r in rs),
        "idle_rss": med(sum(r["idle_rss"].values()) / len(ROUTERS) for r in rs
                        if r.get("idle_rss") and None not in r["idle_rss"].values()),
    }
    for rt in ROUTERS:
        s[f"mfc_{rt}"] = med(r["scale_mfc"][rt] for r in rs if r.get("scale_mfc"))
        s[f"idle_{rt}"] = med(r["idle_rss"][rt] for r in rs if r.get("idle_rss"))
    return s


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def table(results, opts):
    o, f = summarize(results, "ours"), summarize(results, "FRR")
    n = o["groups"] or f["groups"]
    mib = 1024 * 1024
    rows = []

    never = f"> {opts.scale_timeout:g}"

    def row(label, a, b, target=None, want=None, digits=1, show_ratio=True):
        r = None
        if show_ratio and a is not None and b is not None and math.inf not in (a, b):
            r = ratio(a, b)
        met = "-"
        if want is not None and r is not None:
            met = "yes" if r <= want else "NO"
        elif want is not None and a == math.inf and b is not None:
            met = "NO"
        rows.append((label, fmt(a, digits, never), fmt(b, digits, never),
                     f"{r:.2f}" if r is not None else "-", target or "", met))

    row("join latency (ms, median)", o["join_ms"], f["join_ms"], "<= 0.20", 0.20, 1)
    row(f"join latency, source {WARM_YOUNG:g} s old (ms)", o["join_young_ms"],
        f["join_young_ms"], digits=1)
    row("source onset (ms, median)", o["onset_ms"], f["onset_ms"], digits=1)
    fo = f"{o['first_ok']}/{o['onset_n']}" if o["onset_n"] else None
    ff = f"{f['first_ok']}/{f['onset_n']}" if f["onset_n"] else None
    first_met = "-"
    if o["onset_n"]:
        first_met = "yes" if o["first_ok"] * 10 >= 9 * o["onset_n"] else "NO"
    rows.append(("first packet delivered (samples)", fo or "-", ff or "-", "-",
                 ">= 9/10", first_met))
    rows.append(("first 100 packets lost (median/max)",
                 f"{fmt(o['lost100'])}/{fmt(o['lost100_max'])}" if o["onset_n"] else "-",
                 f"{fmt(f['lost100'])}/{fmt(f['lost100_max'])}" if f["onset_n"] else "-",
                 "-", "", "-"))
    row("RP-set change at the BSR to the new RP at the last hop (ms, median)",
        o["rpset_ms"], f["rpset_ms"], digits=1)
    row("  one poll of the last hop's RP, the resolution (ms, median)",
        o["rpset_poll_ms"], f["rpset_poll_ms"], digits=1, show_ratio=False)
    if n:
        row(f"{n} groups: all delivered (s, median; source {opts.scale_rate:g}/s per group)",
            o["scale_all_s"], f["scale_all_s"], "<= 0.33", 1 / 3, 2)
        rows.append((f"{n} groups: trials all delivered",
                     f"{o['scale_done']}/{o['scale_ran']}", f"{f['scale_done']}/{f['scale_ran']}",
                     "-", "", "-"))
        row(f"{n} groups: half delivered (s, median)", o["scale_half_s"], f["scale_half_s"],
            digits=2)
        row(f"{n} groups: daemon CPU (s, r1+r2+r3)", o["scale_cpu_s"], f["scale_cpu_s"],
            "<= 0.20", 0.20, 2)
        row(f"{n} groups: RSS growth (bytes/group, r1+r2+r3)", o["scale_rss_pg"],
            f["scale_rss_pg"], "<= 0.20", 0.20, 0)
        rows.append((f"{n} groups: kernel MFC entries r1/r2/r3",
                     "/".join(fmt(o[f"mfc_{r}"]) for r in ROUTERS),
                     "/".join(fmt(f[f"mfc_{r}"]) for r in ROUTERS), "-", "", "-"))
    row("idle RSS per router (MiB, mean r1..r3)",
        o["idle_rss"] / mib if o["idle_rss"] else None,
        f["idle_rss"] / mib if f["idle_rss"] else None, "<= 0.25", 0.25, 2)
    rows.append(("idle RSS r1/r2/r3 (MiB)",
                 "/".join(fmt(o[f"idle_{r}"] / mib if o[f"idle_{r}"] else None, 2)
                          for r in ROUTERS),
                 "/".join(fmt(f[f"idle_{r}"] / mib if f[f"idle_{r}"] else None, 2)
                          for r in ROUTERS), "-", "", "-"))

    head = ("metric", "ours", "FRR", "ours/FRR", "target", "met")
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i])
                       for i, c in enumerate(r)) for r in [head] + rows]
    lines.insert(1, "  ".join("-" * x for x in w))
    notes = [f"trials: ours {o['trials']}, FRR {f['trials']} (medians); "
             f"onset samples: ours {o['onset_n']}, FRR {f['onset_n']}; "
             f"FRR figures are pimd + zebra"]
    return "\n".join(lines + [""] + notes)


def per_trial(results):
    out = ["per trial:"]
    for r in results:
        ons = ", ".join(f"{fmt(s['onset_ms'])}ms/seq{s['first_seq']}/lost{s['lost_first100']}"
                        for s in r.get("onset", []))
        idle = r.get("idle_rss") or {}
        out.append(
            f"  {r['kind']:4} #{r['trial']}: nbrs {fmt(r.get('neighbors_s'), 1)}s  "
            f"join {fmt(r.get('join_ms'))}ms (from setsockopt "
            f"{fmt(r.get('join_ms_host'))}; young {fmt(r.get('join_young_ms'))})  onset [{ons}]  "
            f"rp-set {[fmt(v) for v in r.get('rpset_ms', [])]}ms  "
            f"scale {r.get('scale_seen', '-')}/{r.get('scale_groups', '-')} in "
            f"{fmt(r.get('scale_all_s'), 2)}s cpu {fmt(r.get('scale_cpu_s'), 2)}s "
            f"{r.get('scale_cpu_by_router', '')} rss/g {fmt(r.get('scale_rss_per_group'), 0)} "
            f"mfc {r.get('scale_mfc', '-')} drops {r.get('scale_raw_drops', '-')}  idle MiB "
            + "/".join(fmt(v / 2**20 if v else None, 2) for v in idle.values()))
    return "\n".join(out)


# ---------------------------------------------------------------------------

def binary_check():
    """Warnings about the pimd binary under test (sanitizers slow it down)."""
    b = topo_mod.pimd_bin()
    if not os.access(b, os.X_OK):
        return f"pimd binary not found: {b} (run bench/run.sh, or set PIMD)"
    p = subprocess.run(["ldd", b], capture_output=True, text=True)
    if "libasan" in p.stdout or "libubsan" in p.stdout or "libtsan" in p.stdout:
        log(f"bench: WARNING: {b} is built with sanitizers; figures will be pessimistic")
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description="pimd vs FRR benchmark (root)",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--trials", type=int, default=None, help="trials per daemon (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 trials, 1000 groups, 1 onset per trial")
    ap.add_argument("--groups", type=int, default=None,
                    help="groups in the scale scenario (default 5000; 0 skips it)")
    ap.add_argument("--onsets", type=int, default=None,
                    help="source-onset samples per trial (default 2)")
    ap.add_argument("--only", choices=sorted(KINDS), help="run one daemon only")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="seconds after the neighbours are up before measuring (default 2)")
    ap.add_argument("--join-timeout", type=float, default=10.0)
    ap.add_argument("--scale-timeout", type=float, default=None,
                    help="seconds after the join for all groups (default 20, quick 10)")
    ap.add_argument("--scale-rate", type=float, default=4.0,
                    help="scale source: packets per group per second (default 4)")
    ap.add_argument("--json", metavar="FILE", help="write every raw sample here")
    ap.add_argument("--keep-failed", action="store_true",
                    help="keep the topology directory (logs) of failed trials")
    ap.add_argument("--keep", action="store_true",
                    help="keep the topology directory (logs) of every trial")
    opts = ap.parse_args(argv)
    if opts.trials is None:
        opts.trials = 3 if opts.quick else 5
    if opts.groups is None:
        opts.groups = 1000 if opts.quick else 5000
    if opts.onsets is None:
        opts.onsets = 1 if opts.quick else 2
    if opts.scale_timeout is None:
        opts.scale_timeout = 10.0 if opts.quick else 20.0

    if os.geteuid() != 0:
        ap.error("must run as root (network namespaces)")
    if not os.environ.get("PIMD"):
        # bench/run.sh's build, else topo.py's default (build/)
        b = REPO / "build-bench" / "pimd"
        if os.access(b / "pimd", os.X_OK):
            os.environ["PIMD"], os.environ["PIMC"] = str(b / "pimd"), str(b / "pimc")
    if peers is None or mcast_tools is None:
        ap.error("tests/topo/peers.py and tests/topo/mcast_tools.py are needed")
    why = binary_check()
    if why:
        ap.error(why)
    kinds = [KINDS[opts.only]] if opts.only else [Ours, Frr]
    if Frr in kinds:
        why = peers.frr_available()
        if why:
            ap.error(f"FRR: {why}")

    log(f"bench: pimd {topo_mod.pimd_bin()}; {opts.trials} trials, {opts.groups} groups, "
        f"{opts.onsets} onset samples per trial")
    results = []
    t_start = time.monotonic()
    try:
        for trial in range(1, opts.trials + 1):
            order = kinds if trial % 2 else list(reversed(kinds))
            for kind in order:
                t1 = time.monotonic()
                r = run_trial(kind, trial, opts)
                results.append(r)
                log(f"bench: {kind.name} trial {trial}: {time.monotonic() - t1:.0f}s"
                    + (f", {len(r['failures'])} failure(s)" if r["failures"] else ""))
                for fl in r["failures"]:
                    log("  " + fl.splitlines()[0])
    except KeyboardInterrupt:
        log("bench: interrupted; partial results follow")
    failures = [fl for r in results for fl in r["failures"]]
    print()
    print(f"pimd benchmark: {LINE}, RP r2, hello {HELLO}s; "
          f"{time.monotonic() - t_start:.0f}s")
    print(table(results, opts))
    print()
    print(per_trial(results))
    if failures:
        print()
        print(f"FAILURES ({len(failures)}):")
        for fl in failures:
            print(fl)
    if opts.json:
        Path(opts.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
