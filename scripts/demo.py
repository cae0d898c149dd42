#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The demo network: three routers in a line running pimd, a sender subnet
behind r1 and receiver subnets behind r2 and r3, built in network namespaces
with the topology library the integration tests use.

    hs -- r1 -- r2 -- r3 -- hr3
                |
               hr2

It starts pimd on every router (RP: r2's loopback), has the receivers join
a group, and shows what each router knows with pimc.  Everything it creates
is removed when it ends, also on Ctrl-C.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "topo"))
from topo import Topo, wait_for  # noqa: E402

GROUP = "239.100.100.1"


def banner(text):
    print(f"\n=== {text} " + "=" * max(0, 70 - len(text)))


def join_group(node, ifaddr):
    """A receiver: a process in the host's namespace that joins GROUP."""
    code = (
        "import socket,sys,time\n"
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
        f"s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,"
        f"socket.inet_aton('{GROUP}')+socket.inet_aton('{ifaddr}'))\n"
        "time.sleep(600)\n")
    return node.popen(["/usr/bin/python3", "-c", code])


def main():
    t = Topo("hs-r1-r2-r3-hr3; r2-hr2")
    try:
        t.start()
        rp = t.lo("r2")
        for r in ("r1", "r2", "r3"):
            cfg = t.config_for(r, igmp={"query-interval": 10, "query-response-interval": "2.0"},
                               rp=[{"address": rp, "group": ["239.0.0.0/8"]}])
            t.start_pimd(r, cfg)
        banner("routers up: pimd version")
        print(t["r1"].pimd.pimc_call("show", "version").stdout, end="")

        for h, r in (("hr3", "r3"), ("hr2", "r2")):
            join_group(t[h], t.addr(h, r))
        for h, r in (("hr3", "r3"), ("hr2", "r2")):
            d = t[r].pimd
            wait_for(lambda: d.pimc("show", "igmp", "groups", "--json"), timeout=5,
                     msg=f"{r} never saw the join from {h}")
            banner(f"{r}: pimc show igmp groups ({h} joined {GROUP})")
            print(d.pimc_call("show", "igmp", "groups").stdout, end="")
        banner("r3: pimc show igmp interfaces")
        print(t["r3"].pimd.pimc_call("show", "igmp", "interfaces").stdout, end="")
        for r in ("r1", "r2", "r3"):
            banner(f"{r}: pimc show interfaces")
            print(t[r].pimd.pimc_call("show", "interfaces").stdout, end="")
            banner(f"{r}: kernel VIFs (/proc/net/ip_mr_vif)")
            print(t[r].read("/proc/net/ip_mr_vif"), end="")
        print("\nThe demo network is removed now.")
        return 0
    finally:
        t.stop()    # also ends the receivers


if __name__ == "__main__":
    sys.exit(main())
