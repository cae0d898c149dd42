# SPDX-License-Identifier: ISC
"""Network-namespace topologies for pimd integration tests.

    t = Topo(routers=["r1", "r2"], hosts=["h1", "h2"],
             links=[("h1", "r1"), ("r1", "r2"), ("r2", "h2")],
             lans={"lan1": ["r1", "r2", "h3"]})      # optional bridged LANs
    # or the same in short text: Topo("h1-r1-r2-h2; lan1: r1 r2 h3")
    t.start()                       # namespaces, veths, addresses, routes
    t.addr("r1", "h1")              # '198.18.0.2': r1's address towards h1
    t.ifname("r1", "h1")            # 'r1-h1'
    t["h1"].run("ping -c1 " + t.addr("h2", "r2"))
    d = t.start_pimd("r1")          # config: every interface of r1
    d.pimc("show", "interfaces", "--json")   # parsed JSON
    wait_for(lambda: "r1-h1" in d.interfaces(), timeout=1)
    assert d.stop() == 0            # SIGTERM, bounded wait, exit code
    t.stop()                        # kill what we started, delete our netns

Every namespace is named pimt-<pid>-<n>-<node>; only namespaces and
processes this module created are ever deleted or signalled.  Addresses
come from 198.18.0.0/15: link k gets the k-th /24 (198.18.k.0/24, then
198.19.x.0/24), its endpoints .1, .2, ... in the order given; routers also
get a /32 loopback from 198.19.255.0/24 (t.lo("r1")).

Environment: PIMD, PIMC (binaries; default build/pimd/{pimd,pimc} under
the repo top), PIMD_YANG (default <repo>/yang), PIMT_PCAP=1 (tcpdump on
every link), PIMT_DEBUG (passed to pimd as -d), PIMT_KEEP=1 (keep the
per-test directory even on success), PIMT_ARTIFACTS (where failed tests
leave their logs; default tests/topo/artifacts).
"""

import atexit
import collections
import ctypes
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PREFIX = "pimt"
# In a User-Mode Linux guest (scripts/uml-init.sh says so) user space runs
# 2-3 times slower on one CPU: a bound that rests on the daemons' speed
# against the kernel's allows for it.
IN_UML = os.environ.get("PIMD_GUEST") == "uml"


def uml_switch_loss(gaps, first, rate, most=2):
    """True if the gaps [[a, b], ...] after seq first are a switch's loss.

    In the UML guest a Register still in flight when a router switches to
    native forwarding is dropped by the switch (RFC 7761 section 4.4.2: no
    Register is forwarded once the SPT bit is set): at most `most` packets,
    all in the stream's first second.  On the host the daemons are through
    in well under a packet's time, so nothing is lost.
    """
    missing = sum(b - a + 1 for a, b in gaps)
    return IN_UML and missing <= most and all(b < first + rate for a, b in gaps)
IFNAMSIZ = 15

LINK_NETS = [n for n in ipaddress.ip_network("198.18.0.0/15").subnets(new_prefix=24)
             if n.network_address not in ipaddress.ip_network("198.19.255.0/24")]
LOOPBACK_NET = ipaddress.ip_network("198.19.255.0/24")

SANITIZER_RE = re.compile(
    r"ERROR: \w*Sanitizer|runtime error:|LeakSanitizer|AddressSanitizer|"
    r"UndefinedBehaviorSanitizer")


def _binary(var, default):
    v = os.environ.get(var)
    return str(Path(v).resolve()) if v else str(REPO / default)


def pimd_bin():
    return _binary("PIMD", "build/pimd/pimd")


def pimc_bin():
    return _binary("PIMC", "build/pimd/pimc")


def yang_dir():
    return _binary("PIMD_YANG", "yang")


class TopoError(Exception):
    pass


class SanitizerError(AssertionError):
    pass


def sanitizer_report(text):
    """The first lines of a sanitizer report in text, or None."""
    if not text:
        return None
    m = SANITIZER_RE.search(text)
    if not m:
        return None
    start = text.rfind("\n", 0, m.start()) + 1
    return "\n".join(text[start:].splitlines()[:40])


def wait_for(pred, timeout=5.0, interval=0.05, msg=None):
    """Poll pred() until it returns something truthy, and return that.

    Exceptions in pred (including failed asserts) count as 'not yet'.  On
    the deadline, raises AssertionError with the last value or exception.
    """
    deadline = time.monotonic() + timeout
    last, last_exc = None, None
    while True:
        try:
            last, last_exc = pred(), None
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - polled again until the deadline
            last_exc = e
        left = deadline - time.monotonic()
        if left <= 0:
            what = msg or getattr(pred, "__name__", repr(pred))
            detail = f"last exception: {last_exc!r}" if last_exc else f"last value: {last!r}"
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; {detail}")
        time.sleep(min(interval, left))


def _argv(cmd):
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def _run(argv, check=True, timeout=30, input=None):
    try:
        p = subprocess.run(argv, input=input, capture_output=True, text=True,
                           timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise TopoError(f"timed out after {timeout}s: {shlex.join(argv)}") from e
    if check and p.returncode != 0:
        raise TopoError(f"command failed (exit {p.returncode}): {shlex.join(argv)}\n"
                        f"{p.stderr.strip()}")
    return p


_libc = None


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if the test process dies."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort only
        pass


# ---------------------------------------------------------------------------
# Cleanup of everything still alive at exit or on SIGTERM/SIGHUP.

_LIVE = []
_handlers_installed = False


def _cleanup_all():
    for t in list(_LIVE):
        try:
            t.stop()
        except Exception:  # noqa: BLE001 - keep cleaning the others
            pass


def _on_signal(signum, frame):
    # Unwind like Ctrl-C so that pytest finalizers run; atexit is the backstop.
    raise KeyboardInterrupt(f"signal {signum}")


def _install_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_cleanup_all)
    for s in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, _on_signal)
        except ValueError:  # not the main thread
            pass


# ---------------------------------------------------------------------------

class Iface:
    """One end of a link inside a node: name, address (IPv4Interface)."""

    def __init__(self, node, name, peer, link, addr):
        self.node, self.name, self.peer, self.link, self.addr = node, name, peer, link, addr

    @property
    def ip(self):
        return str(self.addr.ip)

    def __repr__(self):
        return f"<Iface {self.node.name}:{self.name} {self.addr} -> {self.peer}>"


class Link:
    """A point-to-point veth pair or a bridged LAN; one /24 each."""

    def __init__(self, index, kind, members, subnet, name=None):
        self.index, self.kind, self.members, self.subnet = index, kind, members, subnet
        self.name = name          # LAN name
        self.ends = {}            # node name -> Iface
        self.up = False

    def __repr__(self):
        return f"<Link {self.kind} {'-'.join(self.members)} {self.subnet}>"


class Node:
    """A network namespace: a router, a host or a LAN's bridge."""

    def __init__(self, topo, name, role):
        self.topo, self.name, self.role = topo, name, role
        self.ns = f"{topo.prefix}-{name}"
        self.ifaces = []          # Iface, in creation order
        self.lo_addr = None
        self.pimds = []           # Pimd instances started here
        self.created = False

    def __repr__(self):
        return f"<Node {self.role} {self.name} ns={self.ns}>"

    # --- commands inside the namespace
    def call(self, cmd, timeout=30, input=None):
        """Run cmd in the namespace; CompletedProcess, never raises on exit code."""
        return _run(["ip", "netns", "exec", self.ns] + _argv(cmd), check=False,
                    timeout=timeout, input=input)

    def run(self, cmd, check=True, timeout=30, input=None):
        """Run cmd in the namespace and return its stdout."""
        p = _run(["ip", "netns", "exec", self.ns] + _argv(cmd), check=check,
                 timeout=timeout, input=input)
        return p.stdout

    def popen(self, cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw):
        """Start cmd in the namespace; tracked and killed at topology stop."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns] + _argv(cmd),
                             stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                             start_new_session=True, preexec_fn=_die_with_parent, **kw)
        self.topo._procs.append(p)
        return p

    def ip(self, *args, check=True):
        return _run(["ip", "-n", self.ns] + [str(a) for a in args], check=check).stdout

    def ip_batch(self, lines):
        if lines:
            _run(["ip", "-n", self.ns, "-batch", "-"], input="\n".join(lines) + "\n")

    def sysctl(self, *settings, check=True):
        """sysctl("net.ipv4.ip_forward=1", ...)"""
        if settings:
            self.run(["sysctl", "-q", "-w"] + list(settings), check=check)

    def read(self, path):
        """Read a file as seen from inside the namespace (e.g. /proc/net/...)."""
        return self.run(["cat", path])

    def mr_vifs(self):
        """/proc/net/ip_mr_vif as a list of dicts (vif, name, flags, local)."""
        out = []
        for line in self.read("/proc/net/ip_mr_vif").splitlines()[1:]:
            f = line.split()
            if len(f) >= 9:
                out.append({"vif": int(f[0]), "name": f[1], "flags": int(f[6], 16),
                            "local": f[7], "remote": f[8]})
        return out

    def mr_vif_names(self):
        return [v["name"] for v in self.mr_vifs()]

    def mr_cache(self):
        """/proc/net/ip_mr_cache data lines (header dropped)."""
        return [ln for ln in self.read("/proc/net/ip_mr_cache").splitlines()[1:] if ln.strip()]

    # --- topology queries
    def iface(self, peer, index=0):
        found = [i for i in self.ifaces if i.peer == peer]
        if len(found) <= index:
            raise KeyError(f"{self.name} has no link to {peer}")
        return found[index]

    def ifname(self, peer, index=0):
        return self.iface(peer, index).name

    def addr(self, peer, index=0):
        return self.iface(peer, index).ip

    @property
    def pimd(self):
        """The last pimd started on this node."""
        return self.pimds[-1] if self.pimds else None

    def start_pimd(self, config=None, **kw):
        return self.topo.start_pimd(self.name, config, **kw)


class Topo:
    _count = 0

    def __init__(self, desc=None, routers=(), hosts=(), links=(), lans=None,
                 ipv6=False, sysctls=(), workdir=None, pcap=None):
        Topo._count += 1
        self.prefix = f"{PREFIX}-{os.getpid()}-{Topo._count}"
        self.nodes = {}
        self.links = []
        self.lans = {}
        self.ipv6 = ipv6
        self.extra_sysctls = list(sysctls)
        self.pcap = (os.environ.get("PIMT_PCAP", "") not in ("", "0")) if pcap is None else pcap
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix=f"{self.prefix}-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._ifindex = 98        # veth ends get 100, 101, 102, ...
        self._procs = []          # every Popen we started (pimd, tcpdump, ...)
        self._pcaps = []
        self.pimds = []
        self.problems = []        # sanitizer reports etc. found along the way
        self.started = False
        self._stopped = False

        lans = dict(lans or {})
        links = list(links)
        if desc:
            r, h, lk, ln = self.parse(desc)
            routers, hosts = list(routers) + r, list(hosts) + h
            links += lk
            lans.update(ln)
        for n in routers:
            self._add_node(n, "router")
        for n in hosts:
            self._add_node(n, "host")
        for lan in lans:
            self._add_node(lan, "lan")
        for a, b in links:
            self._new_p2p(a, b)
        for lan, members in lans.items():
            self._new_lan(lan, members)

    # --- description
    @staticmethod
    def parse(text):
        """Short text form: "h1-r1-r2-h2; r1-r3; lan1: r2 r3 h3".

        Chains of '-' are point-to-point links; 'NAME: a b c' is a LAN.
        Names starting with 'h' are hosts, all others routers.
        """
        routers, hosts, links, lans = [], [], [], {}

        def node(n):
            n = n.strip()
            if not n:
                raise TopoError(f"empty node name in {text!r}")
            lst = hosts if n.startswith("h") else routers
            if n not in routers and n not in hosts:
                lst.append(n)
            return n

        for part in re.split(r"[;\n]", text):
            part = part.strip()
            if not part:
                continue
            if ":" in part:
                lan, members = part.split(":", 1)
                lans[lan.strip()] = [node(m) for m in members.split()]
            else:
                chain = [node(n) for n in part.split("-")]
                links += list(zip(chain, chain[1:]))
        return routers, hosts, links, lans

    def _add_node(self, name, role):
        if name in self.nodes:
            raise TopoError(f"duplicate node {name}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            raise TopoError(f"bad node name {name!r}")
        self.nodes[name] = Node(self, name, role)
        if role == "router":
            nrouters = sum(1 for n in self.nodes.values() if n.role == "router")
            self.nodes[name].lo_addr = str(LOOPBACK_NET[nrouters])
        return self.nodes[name]

    def _next_subnet(self):
        used = {lk.subnet for lk in self.links}
        for n in LINK_NETS:
            if n not in used:
                return n
        raise TopoError("out of link subnets")

    def alloc_subnet(self):
        """A /24 from the test range that no link uses (for extra addresses)."""
        used = {lk.subnet for lk in self.links} | set(getattr(self, "_extra_nets", []))
        for n in reversed(LINK_NETS):
            if n not in used:
                self._extra_nets = getattr(self, "_extra_nets", []) + [n]
                return n
        raise TopoError("out of subnets")

    def _pick_ifname(self, node, peer, used=None):
        used = used if used is not None else {i.name for i in node.ifaces}
        base = f"{node.name}-{peer}"
        cands = [base] + [f"{base}-{k}" for k in range(2, 100)]
        for c in cands:
            if len(c) <= IFNAMSIZ and c not in used:
                return c
        for k in range(1000):
            if f"eth{k}" not in used:
                return f"eth{k}"
        raise TopoError("no interface name")

    def _node(self, name, roles=("router", "host")):
        n = self.nodes.get(name)
        if n is None or n.role not in roles:
            raise TopoError(f"unknown {'/'.join(roles)} {name!r}")
        return n

    def _new_p2p(self, a, b):
        na, nb = self._node(a), self._node(b)
        if a == b:
            raise TopoError(f"link from {a} to itself")
        subnet = self._next_subnet()
        lk = Link(len(self.links), "p2p", [a, b], subnet)
        for k, (n, peer) in enumerate(((na, b), (nb, a))):
            ifc = Iface(n, self._pick_ifname(n, peer), peer, lk,
                        ipaddress.ip_interface(f"{subnet[k + 1]}/{subnet.prefixlen}"))
            n.ifaces.append(ifc)
            lk.ends[n.name] = ifc
        self.links.append(lk)
        return lk

    def _new_lan(self, lan, members):
        subnet = self._next_subnet()
        lk = Link(len(self.links), "lan", list(members), subnet, name=lan)
        br = self.nodes[lan]
        for k, m in enumerate(members):
            n = self._node(m)
            ifc = Iface(n, self._pick_ifname(n, lan), lan, lk,
                        ipaddress.ip_interface(f"{subnet[k + 1]}/{subnet.prefixlen}"))
            n.ifaces.append(ifc)
            lk.ends[m] = ifc
            port = f"to-{m}" if len(f"to-{m}") <= IFNAMSIZ else f"p{k}"
            br.ifaces.append(Iface(br, port, m, lk, None))
        self.links.append(lk)
        self.lans[lan] = lk
        return lk

    # --- queries
    def __getitem__(self, name):
        return self.nodes[name]

    def node(self, name):
        return self.nodes[name]

    @property
    def routers(self):
        return [n for n in self.nodes.values() if n.role == "router"]

    @property
    def hosts(self):
        return [n for n in self.nodes.values() if n.role == "host"]

    def addr(self, node, peer, index=0):
        """node's address (str) on its index-th link to peer (a node or LAN)."""
        return self.nodes[node].addr(peer, index)

    def prefix_of(self, node, peer, index=0):
        """node's address with prefix length, e.g. '198.18.0.1/24'."""
        return str(self.nodes[node].iface(peer, index).addr)

    def ifname(self, node, peer, index=0):
        return self.nodes[node].ifname(peer, index)

    def subnet(self, node, peer, index=0):
        return str(self.nodes[node].iface(peer, index).link.subnet)

    def lo(self, router):
        return self.nodes[router].lo_addr

    # --- bring-up
    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        _install_handlers()
        _LIVE.append(self)
        self.started = True
        try:
            for n in self.nodes.values():
                self._create_ns(n)
            for lk in self.links:
                self._create_link(lk)
            self.wait_oper_up([i for n in self.nodes.values() for i in n.ifaces])
            self.add_routes()
        except BaseException:
            self.stop()
            raise
        return self

    def _create_ns(self, n):
        _run(["ip", "netns", "add", n.ns])
        n.created = True
        s = ["net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
             f"net.ipv4.ip_forward={1 if n.role == 'router' else 0}"]
        if not self.ipv6:
            s += ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]
        n.sysctl(*(s + self.extra_sysctls))
        cmds = ["link set lo up"]
        if n.lo_addr:
            cmds.append(f"addr add {n.lo_addr}/32 dev lo")
        if n.role == "lan":
            cmds += ["link add br0 type bridge stp_state 0 mcast_snooping 0",
                     "link set br0 up"]
        n.ip_batch(cmds)

    def _veth(self, na, ifa, nb, ifb):
        # Both ends get distinct ifindexes (never reused within a topology).
        # With equal ifindexes on the two ends (the default in fresh
        # namespaces) the kernel's linkwatch treats carrier changes as
        # non-urgent and delays operstate up to 1 s; distinct ones make link
        # state changes visible at once, so timing tests measure the daemon.
        self._ifindex += 2
        _run(["ip", "-n", na.ns, "link", "add", ifa, "index", str(self._ifindex),
              "type", "veth", "peer", "name", ifb, "index", str(self._ifindex + 1),
              "netns", nb.ns])

    def wait_oper_up(self, ifaces, timeout=5):
        """Wait until every Iface in ifaces reports operstate UP."""
        by_node = collections.defaultdict(set)
        for i in ifaces:
            if i.node.role != "lan":
                by_node[i.node].add(i.name)

        def up():
            for n, names in by_node.items():
                for ln in n.ip("-br", "link").splitlines():
                    f = ln.split()
                    if len(f) > 1 and f[0].split("@")[0] in names and f[1] != "UP":
                        return False
            return True
        wait_for(up, timeout=timeout, interval=0.02, msg="interfaces operationally up")

    def _setup_iface(self, ifc):
        n = ifc.node
        cmds = []
        if ifc.addr is not None:
            cmds.append(f"addr add {ifc.addr} dev {ifc.name}")
        if n.role == "lan":
            cmds.append(f"link set {ifc.name} master br0")
        cmds.append(f"link set {ifc.name} up")
        n.ip_batch(cmds)
        if n.role != "lan":
            n.sysctl(f"net.ipv4.conf.{ifc.name}.rp_filter=0")

    def _create_link(self, lk):
        if lk.kind == "p2p":
            (a, ia), (b, ib) = lk.ends.items()
            self._veth(self.nodes[a], ia.name, self.nodes[b], ib.name)
            for ifc in (ia, ib):
                self._setup_iface(ifc)
            if self.pcap:
                self._start_pcap(self.nodes[a], ia.name, f"{ia.name}")
        else:
            br = self.nodes[lk.name]
            ports = {i.peer: i for i in br.ifaces if i.link is lk}
            for m, ifc in lk.ends.items():
                self._veth(self.nodes[m], ifc.name, br, ports[m].name)
                self._setup_iface(ports[m])
                self._setup_iface(ifc)
            if self.pcap:
                self._start_pcap(br, "br0", lk.name)
        lk.up = True

    def add_link(self, a, b, wait=True):
        """Add (and, if started, create) a point-to-point link a-b.

        With wait, returns once both ends are operationally up.
        """
        lk = self._new_p2p(a, b)
        if self.started:
            self._create_link(lk)
            if wait:
                self.wait_oper_up(lk.ends.values())
        return lk

    def del_link(self, a, b, index=0):
        """Delete the index-th link a-b (both veth ends go)."""
        ifc = self.nodes[a].iface(b, index)
        lk = ifc.link
        if lk.kind != "p2p":
            raise TopoError("del_link: only point-to-point links")
        if lk.up:
            self.nodes[a].ip("link", "del", ifc.name)
        for name, end in lk.ends.items():
            self.nodes[name].ifaces.remove(end)
        self.links.remove(lk)
        lk.up = False

    def set_link(self, node, peer, state, index=0):
        """ip link set <node's iface to peer> up|down."""
        n = self.nodes[node]
        n.ip("link", "set", n.ifname(peer, index), state)

    def _start_pcap(self, n, ifname, label):
        f = self.workdir / "pcap" / f"{label}.pcap"
        f.parent.mkdir(exist_ok=True)
        err = open(self.workdir / "pcap" / f"{label}.tcpdump.log", "w")
        p = n.popen(["tcpdump", "-n", "-U", "-s", "512", "-i", ifname, "-w", str(f)], stderr=err)
        err.close()
        self._pcaps.append(p)
        logf = self.workdir / "pcap" / f"{label}.tcpdump.log"
        wait_for(lambda: p.poll() is not None or "listening on" in logf.read_text(),
                 timeout=5, msg=f"tcpdump on {n.name}:{ifname}")

    # --- unicast routing
    def _graph(self):
        """node -> list of (neighbour, own iface, neighbour's address)."""
        g = collections.defaultdict(list)
        for lk in self.links:
            for a, ia in lk.ends.items():
                for b, ib in lk.ends.items():
                    if a != b:
                        g[a].append((b, ia, ib.ip))
        return g

    def routes_for(self, name):
        """Static routes for one node: list of (prefix, via, dev)."""
        g = self._graph()
        src = self.nodes[name]
        direct = {i.link.subnet for i in src.ifaces}
        if src.role == "host" and len(src.ifaces) == 1:
            for b, ia, via in g[name]:
                if self.nodes[b].role == "router":
                    return [("default", via, ia.name)]
        # BFS; only routers forward, so hosts are leaves.
        first = {name: None}
        dist = {name: 0}
        queue = collections.deque([name])
        while queue:
            u = queue.popleft()
            if u != name and self.nodes[u].role != "router":
                continue
            for v, ia, via in g[u]:
                if v not in dist:
                    dist[v] = dist[u] + 1
                    first[v] = (via, ia.name) if u == name else first[u]
                    queue.append(v)
        routes = []
        for lk in self.links:
            if lk.subnet in direct:
                continue
            att = [m for m in lk.ends if m in dist and first.get(m)]
            if att:
                best = min(att, key=lambda m: dist[m])
                routes.append((str(lk.subnet),) + first[best])
        for r in self.routers:
            if r.name != name and r.name in dist and first.get(r.name):
                routes.append((f"{r.lo_addr}/32",) + first[r.name])
        if src.role == "host" and src.ifaces:
            routes.append(("224.0.0.0/4", None, src.ifaces[0].name))
        return routes

    def add_routes(self):
        """Install static routes so every subnet and loopback is reachable."""
        for n in self.nodes.values():
            if n.role == "lan":
                continue
            cmds = []
            for pfx, via, dev in self.routes_for(n.name):
                cmds.append(f"route replace {pfx}" + (f" via {via}" if via else "") + f" dev {dev}")
            n.ip_batch(cmds)

    # --- pimd
    def config_for(self, router, interfaces=None, pim=None, igmp=None, rp=None, extra=None):
        """A YANG JSON config dict for router: all its interfaces by default.

        pim/igmp: dicts merged into every interface's container, e.g.
        pim={"hello-interval": 1}.  rp: list of {"address":..., "group":[...]}.
        """
        names = interfaces if interfaces is not None else [i.name for i in self.nodes[router].ifaces]
        ifs = []
        for name in names:
            e = {"name": name}
            if pim:
                e["pim"] = dict(pim)
            if igmp:
                e["igmp"] = dict(igmp)
            ifs.append(e)
        top = {"interface": ifs}
        if rp:
            top["rp"] = rp
        if extra:
            top.update(extra)
        return {"pimd:pimd": top}

    def start_pimd(self, router, config=None, wait=True, args=(), tag=None):
        """Start pimd in router's namespace (foreground, -F); returns Pimd."""
        n = self.nodes[router]
        if config is None:
            config = self.config_for(router)
        d = Pimd(self, n, config, tag=tag, args=args)
        d.start(wait=wait)
        return d

    def pimc_cmd(self, node, sock, *args, timeout=15):
        """Run pimc -s sock args... in node's namespace; CompletedProcess."""
        p = self.nodes[node].call([pimc_bin(), "-s", str(sock)] + list(args), timeout=timeout)
        self.check_sanitizer(p.stderr, f"pimc {' '.join(args)} on {node}")
        return p

    def pimd_cmd(self, node, *args, timeout=30):
        """Run pimd once (e.g. -n -f FILE) in node's namespace; CompletedProcess."""
        argv = [pimd_bin(), "-y", yang_dir()] + list(args)
        p = self.nodes[node].call(argv, timeout=timeout)
        self.check_sanitizer(p.stderr, f"pimd {' '.join(args)} on {node}")
        return p

    def check_sanitizer(self, text, what):
        rep = sanitizer_report(text)
        if rep:
            msg = f"sanitizer report from {what}:\n{rep}"
            self.problems.append(msg)
            raise SanitizerError(msg)

    # --- state dump and teardown
    def dump_state(self, dest=None):
        """Write per-node state (addresses, routes, mroutes, VIFs) to files."""
        dest = Path(dest or self.workdir / "state")
        dest.mkdir(parents=True, exist_ok=True)
        script = ("for c in 'ip -d addr' 'ip route' 'ip mroute' 'ip -s link' "
                  "'cat /proc/net/ip_mr_vif' 'cat /proc/net/ip_mr_cache' "
                  "'cat /proc/net/igmp'; do echo \"### $c\"; $c 2>&1; done")
        for n in self.nodes.values():
            if not n.created:
                continue
            if n.role == "lan":
                cmd = ["sh", "-c", "ip -d link; bridge link; bridge mdb 2>&1; bridge fdb"]
            else:
                cmd = ["sh", "-c", script]
            try:
                p = n.call(cmd, timeout=10)
                text = p.stdout + p.stderr
                for d in n.pimds:
                    if d.alive():
                        for what in (("show", "interfaces", "--json"), ("show", "config", "--json")):
                            q = _run(["ip", "netns", "exec", n.ns, pimc_bin(), "-s", str(d.sock)]
                                     + list(what), check=False, timeout=10)
                            text += f"### pimc {' '.join(what)} ({d.tag})\n{q.stdout}{q.stderr}\n"
                (dest / f"{n.name}.txt").write_text(text)
            except Exception as e:  # noqa: BLE001 - a dump is best effort
                (dest / f"{n.name}.txt").write_text(f"dump failed: {e!r}\n")
        return dest

    def stop(self):
        """Stop daemons and processes we started, delete our namespaces.

        Returns a list of problems (daemon crashes, bad exit codes,
        sanitizer reports); idempotent.
        """
        if self._stopped:
            return self.problems
        self._stopped = True
        for d in self.pimds:
            try:
                d._final_check()
            except Exception as e:  # noqa: BLE001
                self.problems.append(f"pimd {d.tag}: {e}")
        for p in self._procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGTERM)
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait(timeout=5)
                except ProcessLookupError:
                    pass
        for n in self.nodes.values():
            if n.created:
                _run(["ip", "netns", "del", n.ns], check=False)
                n.created = False
        if self in _LIVE:
            _LIVE.remove(self)
        return self.problems

    def cleanup_workdir(self):
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class PimcError(AssertionError):
    def __init__(self, args, proc):
        self.proc = proc
        super().__init__(f"pimc {' '.join(args)} failed (exit {proc.returncode}): "
                         f"{proc.stderr.strip()}")


class Pimd:
    """One pimd process in a router namespace, with its own files."""

    def __init__(self, topo, node, config, tag=None, args=()):
        self.topo, self.node = topo, node
        k = len(node.pimds) + 1
        self.tag = tag or (f"{node.name}-pimd" if k == 1 else f"{node.name}-pimd{k}")
        self.dir = topo.workdir / self.tag
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "pimd.json"
        self.sock = self.dir / "pimd.sock"
        self.pidfile = self.dir / "pimd.pid"
        self.logfile = self.dir / "pimd.log"
        self.extra_args = list(args)
        self.proc = None
        self.returncode = None
        self.consumed = False     # the test collected the exit code itself
        self.write_config(config)
        node.pimds.append(self)
        topo.pimds.append(self)

    def __repr__(self):
        return f"<Pimd {self.tag} pid={self.pid}>"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def write_config(self, config):
        text = config if isinstance(config, str) else json.dumps(config, indent=2) + "\n"
        tmp = self.conf.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.conf)

    def argv(self):
        a = [pimd_bin(), "-F", "-f", str(self.conf), "-s", str(self.sock),
             "-p", str(self.pidfile), "-y", yang_dir()]
        if os.environ.get("PIMT_DEBUG"):
            a += ["-d", os.environ["PIMT_DEBUG"]]
        return a + self.extra_args

    def start(self, wait=True, timeout=15):
        if not Path(pimd_bin()).exists():
            raise TopoError(f"pimd binary not found: {pimd_bin()} (build first, or set PIMD)")
        log = open(self.logfile, "ab")
        try:
            self.proc = self.node.popen(self.argv(), stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=15):
        """Until `pimc show version` answers; fails early if pimd exits."""
        def ready():
            if self.proc.poll() is not None:
                raise TopoError(f"pimd {self.tag} exited with {self.proc.returncode} "
                                f"during start:\n{self.log_tail()}")
            return self.topo.pimc_cmd(self.node.name, self.sock, "show", "version",
                                      timeout=5).returncode == 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ready():
                    return self
            except TopoError:
                raise
            if time.monotonic() > deadline:
                raise TopoError(f"pimd {self.tag} not ready after {timeout}s:\n{self.log_tail()}")
            time.sleep(0.05)

    # --- control
    def pimc_call(self, *args, timeout=15):
        return self.topo.pimc_cmd(self.node.name, self.sock, *args, timeout=timeout)

    def pimc(self, *args, timeout=15):
        """pimc -s <this daemon> args...; parsed JSON if --json, else stdout."""
        p = self.pimc_call(*args, timeout=timeout)
        if p.returncode != 0:
            raise PimcError(args, p)
        if "--json" in args:
            try:
                return json.loads(p.stdout)
            except ValueError as e:
                raise AssertionError(f"pimc {' '.join(args)}: bad JSON: {e}\n{p.stdout}") from e
        return p.stdout

    def interfaces(self):
        """show interfaces --json as {name: entry}."""
        js = self.pimc("show", "interfaces", "--json")
        lst = js.get("pimd:pimd", {}).get("state", {}).get("interface", [])
        return {e.get("name"): e for e in lst}

    def running_config(self):
        return self.pimc("show", "config", "--json")

    def reload(self):
        return self.pimc("reload")

    # --- process
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def wait(self, timeout=10):
        """Wait for pimd to exit on its own; returns the exit code."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"pimd {self.tag} still running after {timeout}s") from e
        self.consumed = True
        return self.returncode

    def stop(self, timeout=10, sig=signal.SIGTERM):
        """Send sig (SIGTERM), wait up to timeout, return the exit code.

        If it does not exit in time it is killed and AssertionError raised.
        """
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as e:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
                self.consumed = True
                self.returncode = self.proc.returncode
                raise AssertionError(f"pimd {self.tag} ignored signal {sig} for {timeout}s; "
                                     "killed") from e
        self.returncode = self.proc.returncode
        self.consumed = True
        return self.returncode

    def log(self):
        try:
            return self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    def sanitizer_report(self):
        return sanitizer_report(self.log())

    def assert_no_sanitizer(self):
        rep = self.sanitizer_report()
        if rep:
            raise SanitizerError(f"sanitizer report in {self.logfile}:\n{rep}")

    def _final_check(self):
        """At teardown: stop if running, then complain about anything odd."""
        problems = []
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                rc = self.stop()
            except AssertionError as e:
                problems.append(str(e))
                rc = self.returncode
            if rc not in (0, None):
                problems.append(f"exited with {rc} on SIGTERM at teardown")
        elif not self.consumed:
            problems.append(f"died unexpectedly with exit code {self.proc.returncode}")
        rep = self.sanitizer_report()
        if rep:
            problems.append(f"sanitizer report in {self.logfile}:\n{rep}")
        if problems:
            raise AssertionError("; ".join(problems) + f"\n--- log tail ---\n{self.log_tail()}")
