#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The demo network: multicast across three routers running pimd.

    hs -- r1 -- r2 (RP) -- r3 -- hr3
                 |
                hr2

Built in network namespaces with the topology library the integration
tests use.  pimd runs on r1, r2 and r3 with r2's loopback as the RP.
Receivers on hr2 and hr3 join a group, a sender on hs multicasts a stream
with TTL 16, and each receiver reports what it got.  Then a discovery
agent on hs multicasts a query to 239.100.100.1:65100 and responders on hr2
and hr3 answer it by unicast.  pimc shows what each router built.
Everything is removed when the demo ends, also on Ctrl-C.
"""
import json
import sys
from pathlib import Path

TOPO = Path(__file__).resolve().parents[1] / "tests" / "topo"
sys.path.insert(0, str(TOPO))
from topo import Topo, wait_for  # noqa: E402

PY = "/usr/bin/python3"
GROUP = "239.1.2.3"
PORT = 5000
COUNT = 300
RATE = 100


def banner(text):
    print(f"\n=== {text} " + "=" * max(0, 70 - len(text)))


def pimc(t, r, *args):
    return t[r].pimd.pimc_call(*args).stdout


def tool(t, node, *args):
    return t[node].popen([PY, str(TOPO / args[0])] + list(args[1:]),
                         stdout=__import__("subprocess").PIPE)


def main():
    t = Topo("hs-r1-r2-r3-hr3; r2-hr2")
    try:
        t.start()
        rp = t.lo("r2")
        for r in ("r1", "r2", "r3"):
            t.start_pimd(r, t.config_for(r, pim={"hello-interval": 1},
                                         rp=[{"address": rp, "group": ["239.0.0.0/8"]}]))
        # Every router must know its neighbours before receivers join: a Join
        # sent to a router that has not heard our Hello yet is dropped (RFC
        # 7761 §4.5) and would only be repeated a Join/Prune period later.
        def nbrs(r):
            return len(t[r].pimd.pimc("show", "neighbors", "--json")
                       .get("pimd:pimd", {}).get("state", {}).get("neighbor", []))
        wait_for(lambda: nbrs("r1") == 1 and nbrs("r2") == 2 and nbrs("r3") == 1,
                 timeout=10, msg="the routers never saw all their neighbours")
        banner("PIM neighbours of r2 (the RP)")
        print(pimc(t, "r2", "show", "neighbors"), end="")

        banner(f"receivers on hr2 and hr3 join {GROUP}; hs sends {COUNT} packets, TTL 16")
        rx = {h: tool(t, h, "mcast_tools.py", "recv", "--group", GROUP, "--port", str(PORT),
                      "--iface-addr", t.addr(h, r), "--duration", str(COUNT / RATE + 4))
              for h, r in (("hr2", "r2"), ("hr3", "r3"))}
        for r in ("r2", "r3"):
            wait_for(lambda r=r: t[r].pimd.pimc("show", "igmp", "groups", "--json"),
                     timeout=5, msg=f"{r} never saw the join")
        tool(t, "hs", "mcast_tools.py", "send", "--group", GROUP, "--port", str(PORT),
             "--rate", str(RATE), "--count", str(COUNT), "--ttl", "16").wait(timeout=60)
        for h, p in rx.items():
            res = json.loads(p.communicate(timeout=30)[0].splitlines()[-1])
            print(f"{h}: received {res['unique']} of {COUNT} packets "
                  f"({res['duplicates']} duplicates)")

        banner("service discovery: hs asks 239.100.100.1:65100, TTL 16")
        resp = [tool(t, h, "discovery.py", "respond", "--name", h,
                     "--iface-addr", t.addr(h, r), "--duration", "8")
                for h, r in (("hr2", "r2"), ("hr3", "r3"))]
        for p in resp:
            p.stdout.readline()     # ready
        q = tool(t, "hs", "discovery.py", "query", "--wait", "1.5", "--repeat", "3")
        answers = json.loads(q.communicate(timeout=30)[0].splitlines()[-1])["answers"]
        for name in ("hr2", "hr3"):
            print(f"{name}: {'answered from ' + answers[name] if name in answers else 'NO ANSWER'}")

        for r in ("r1", "r2", "r3"):
            banner(f"{r}: pimc show mroute")
            print(pimc(t, r, "show", "mroute"), end="")
        banner("r3: pimc show upstream")
        print(pimc(t, "r3", "show", "upstream"), end="")
        print("\nThe demo network is removed now.")
        return 0 if len(answers) == 2 else 1
    finally:
        t.stop()


if __name__ == "__main__":
    sys.exit(main())
