# SPDX-License-Identifier: ISC
"""Reference PIM-SM routers in a topology node, for interoperability tests.

    from peers import start_frr, start_troglobit, frr_available, troglobit_bin
    f = start_frr(t["r2"], rp=t.lo("r2"))          # zebra + pimd (FRR)
    f.vtysh("show ip pim neighbor")                 # text
    f.json("show ip pim neighbor json")             # parsed
    f.neighbors()                                   # {iface: {addr: entry}}
    g = start_troglobit(t["r3"], rp=t.lo("r2"))     # troglobit's pimd
    g.dump()                                        # its SIGUSR1 state dump
    f.stop(); g.stop()                              # bounded; exit codes

Both default to every interface of the node; `igmp` names the interfaces
that face hosts (default: those whose peer is a host).  Each instance has a
directory under the topology's workdir (<node>-frr/, <node>-troglobit/)
holding its config and logs, so a failed test's artifacts carry them.
The processes are started with node.popen and so are in the topology's
process list: t.stop() kills whatever a test left running, and only those.

Where the binaries come from (scripts/deps.sh puts them there):
  FRR      Debian's frr package: /usr/lib/frr/{zebra,pimd}, vtysh
  troglobit's pimd  unpacked from Debian's pimd .deb into
           $PIMD_PEERS_DIR/troglobit-pimd (default /var/cache/pimd-peers),
           or the binary named by $TROGLOBIT_PIMD.
"""

import json
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

from topo import TopoError, wait_for

FRR_DIR = Path("/usr/lib/frr")
VTYSH = "/usr/bin/vtysh"


def frr_available():
    """None if FRR can be run here, else the reason it cannot."""
    for b in (FRR_DIR / "zebra", FRR_DIR / "pimd", Path(VTYSH)):
        if not os.access(b, os.X_OK):
            return f"{b} not found (run scripts/deps.sh)"
    try:
        pwd.getpwnam("frr")
    except KeyError:
        return "no user frr (run scripts/deps.sh)"
    return None


def troglobit_bin():
    if os.environ.get("TROGLOBIT_PIMD"):
        return Path(os.environ["TROGLOBIT_PIMD"])
    base = Path(os.environ.get("PIMD_PEERS_DIR", "/var/cache/pimd-peers"))
    return base / "troglobit-pimd" / "usr" / "sbin" / "pimd"


def troglobit_available():
    b = troglobit_bin()
    return None if os.access(b, os.X_OK) else f"{b} not found (run scripts/deps.sh)"


def _host_facing(node):
    return [i.name for i in node.ifaces if node.topo.nodes[i.peer].role == "host"]


def _stop_proc(proc, timeout, sig=signal.SIGTERM):
    """Signal one process we started, wait a bounded time, SIGKILL if need be.

    Returns (exit code, killed?).
    """
    if proc is None:
        return None, False
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
            return proc.returncode, True
    return proc.returncode, False


def _tail(path, n=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except FileNotFoundError:
        return f"(no {path})"


class _Peer:
    """What FRR and troglobit instances share: a node, a directory, processes."""

    kind = "peer"

    def __init__(self, node, tag):
        self.node, self.topo = node, node.topo
        self.tag = tag or f"{node.name}-{self.kind}"
        self.dir = self.topo.workdir / self.tag
        self.dir.mkdir(parents=True, exist_ok=True)
        self.procs = {}           # name -> Popen, in start order
        self.problems = []
        peers = getattr(self.topo, "peers", None)
        if peers is None:
            peers = self.topo.peers = []
        peers.append(self)

    def __repr__(self):
        pids = ",".join(f"{k}={p.pid}" for k, p in self.procs.items())
        return f"<{type(self).__name__} {self.tag} {pids}>"

    def _popen(self, name, argv, log):
        with open(log, "ab") as f:
            p = self.node.popen(argv, stdout=f, stderr=subprocess.STDOUT)
        self.procs[name] = p
        return p

    def alive(self):
        return bool(self.procs) and all(p.poll() is None for p in self.procs.values())

    def check_alive(self):
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise AssertionError(f"{self.tag}: {name} exited with {p.returncode}:\n"
                                     f"{self.log_tail(name)}")

    def stop(self, timeout=10):
        """Stop our processes, last started first; {name: exit code}.

        A process that does not exit within timeout is killed, and noted in
        self.problems (and so is one that had died before).
        """
        codes = {}
        for name, p in reversed(list(self.procs.items())):
            if p.poll() is not None:
                if p.returncode not in (0, -signal.SIGTERM):
                    self.problems.append(f"{self.tag}: {name} had exited with {p.returncode}")
            rc, killed = _stop_proc(p, timeout)
            if killed:
                self.problems.append(f"{self.tag}: {name} ignored SIGTERM for {timeout}s; killed")
            codes[name] = rc
        self._remove_sockets()
        return codes

    def _remove_sockets(self):
        """Sockets left in our directory (FRR's *.vty) would break copying it."""
        for f in self.dir.rglob("*"):
            try:
                if f.is_socket():
                    f.unlink()
            except OSError:
                pass


# ---------------------------------------------------------------------------
# FRR: zebra + pimd

class Frr(_Peer):
    kind = "frr"

    def __init__(self, node, interfaces, igmp, rp, hello, holdtime, jp_interval,
                 spt_infinity, debug, extra, tag=None):
        super().__init__(node, tag)
        self.interfaces, self.igmp, self.rp = interfaces, igmp, rp
        self.hello, self.holdtime, self.jp_interval = hello, holdtime, jp_interval
        self.spt_infinity, self.debug, self.extra = spt_infinity, debug, list(extra)
        self.zserv = self.dir / "zserv.sock"
        self.conf = self.dir / "pimd.conf"

    def config_text(self):
        lines = [f"hostname {self.node.name}", "!"]
        if self.debug:
            lines += ["debug pim events", "debug pim packets", "debug pim zebra",
                      "debug pim trace", "debug igmp events", "debug igmp packets",
                      "debug mroute", "!"]
        for rp in ([self.rp] if isinstance(self.rp, str) else (self.rp or [])):
            lines.append(f"ip pim rp {rp} 224.0.0.0/4")
        if self.jp_interval:
            lines.append(f"ip pim join-prune-interval {self.jp_interval}")
        if self.spt_infinity:
            lines.append("ip pim spt-switchover infinity-and-beyond")
        lines += list(self.extra) + ["!"]
        for name in self.interfaces:
            lines += [f"interface {name}", " ip pim", f" ip pim hello {self.hello} {self.holdtime}"]
            if name in self.igmp:
                lines += [" ip igmp", " ip igmp version 3"]
            lines.append("!")
        # The RP address is a loopback /32: FRR only treats it as its own
        # when the interface that holds it runs PIM.
        lines += ["interface lo", " ip pim", "!"]
        return "\n".join(lines) + "\n"

    def start(self, timeout=15):
        fu = pwd.getpwnam("frr")
        # FRR drops to user frr: it must reach and own its run directory.
        os.chmod(self.topo.workdir, 0o711)
        os.chown(self.dir, fu.pw_uid, fu.pw_gid)
        self.conf.write_text(self.config_text())
        (self.dir / "zebra.conf").write_text(f"hostname {self.node.name}\n")
        common = ["-z", str(self.zserv), "--vty_socket", str(self.dir), "-P", "0",
                  "-u", "frr", "-g", "frr"]
        self._popen("zebra", [str(FRR_DIR / "zebra")] + common + [
            "-i", str(self.dir / "zebra.pid"), "-f", str(self.dir / "zebra.conf"),
            "--log", f"file:{self.dir / 'zebra.log'}"], self.dir / "zebra.out")
        wait_for(lambda: self._up("zebra"), timeout=timeout, msg=f"{self.tag}: zebra's sockets")
        self._popen("pimd", [str(FRR_DIR / "pimd")] + common + [
            "-i", str(self.dir / "pimd.pid"), "-f", str(self.conf),
            "--log", f"file:{self.dir / 'pimd.log'}"], self.dir / "pimd.out")
        wait_for(lambda: self._up("pimd") and self.vtysh("show ip pim interface").strip(),
                 timeout=timeout, msg=f"{self.tag}: pimd answering vtysh")
        return self

    def _up(self, name):
        self.check_alive()
        ok = (self.dir / f"{name}.vty").exists()
        return ok and (name != "zebra" or self.zserv.exists())

    def log_tail(self, name="pimd", n=30):
        return (_tail(self.dir / f"{name}.out", 10) + "\n--- log ---\n"
                + _tail(self.dir / f"{name}.log", n))

    def vtysh(self, *cmds, timeout=10):
        """vtysh -c CMD ... against this instance; stdout (raises on failure)."""
        argv = [VTYSH, "--vty_socket", str(self.dir)]
        for c in cmds:
            argv += ["-c", c]
        p = self.node.call(argv, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError(f"{self.tag}: vtysh {cmds} failed ({p.returncode}): "
                                 f"{p.stderr.strip()} {p.stdout.strip()}")
        return p.stdout

    def json(self, cmd, timeout=10):
        out = self.vtysh(cmd, timeout=timeout)
        try:
            return json.loads(out) if out.strip() else {}
        except ValueError as e:
            raise AssertionError(f"{self.tag}: {cmd}: bad JSON: {e}\n{out}") from e

    def neighbors(self):
        """show ip pim neighbor json: {iface: {neighbour address: entry}}."""
        return self.json("show ip pim neighbor json")

    def neighbor_addrs(self):
        return {a for nb in self.neighbors().values() for a in nb}

    def upstream(self):
        return self.json("show ip pim upstream json")

    def mroute(self):
        return self.json("show ip mroute json")

    def dump(self):
        """Some state as text, for a report."""
        cmds = ["show ip pim neighbor", "show ip pim interface", "show ip pim rp-info",
                "show ip pim upstream", "show ip pim join", "show ip mroute",
                "show ip igmp groups", "show ip rpf"]
        out = []
        for c in cmds:
            try:
                out.append(f"### {c}\n{self.vtysh(c, timeout=5)}")
            except Exception as e:  # noqa: BLE001 - a dump is best effort
                out.append(f"### {c}\nfailed: {e}")
        return "\n".join(out)


def start_frr(node, interfaces=None, rp=None, igmp=None, hello=1, holdtime=4,
              jp_interval=None, spt_infinity=False, debug=True, extra=(), tag=None,
              timeout=15):
    """Start FRR's zebra and pimd in node's namespace; returns Frr.

    interfaces: PIM on these (default all of node's); igmp: IGMPv3 on these
    (default the host-facing ones); rp: static RP address (or a list) for
    224.0.0.0/4; hello/holdtime: `ip pim hello HELLO HOLD`; jp_interval:
    `ip pim join-prune-interval`; extra: more global config lines.
    """
    why = frr_available()
    if why:
        raise TopoError(why)
    if interfaces is None:
        interfaces = [i.name for i in node.ifaces]
    if igmp is None:
        igmp = _host_facing(node)
    f = Frr(node, list(interfaces), list(igmp), rp, hello, holdtime, jp_interval,
            spt_infinity, debug, extra, tag=tag)
    try:
        f.start(timeout=timeout)
    except BaseException:
        f.stop(timeout=5)
        raise
    return f


# ---------------------------------------------------------------------------
# troglobit's pimd 2.3.2

SIGUSR1_BIT = 1 << (signal.SIGUSR1 - 1)


class Troglobit(_Peer):
    kind = "troglobit"

    def __init__(self, node, interfaces, igmp, rp, spt_packets, spt_interval, debug,
                 extra, after=(), tag=None):
        super().__init__(node, tag)
        self.interfaces, self.igmp, self.rp = interfaces, igmp, rp
        self.spt_packets, self.spt_interval = spt_packets, spt_interval
        self.debug, self.extra, self.after = debug, list(extra), list(after)
        self.conf = self.dir / "pimd.conf"
        self.run = self.dir / "run"          # its /run (pid file, state dump)
        self.logfile = self.dir / "pimd.log"

    def config_text(self):
        # Static RPs, or candidate lines in `after`.
        lines = ["# written by tests/topo/peers.py"]
        for rp in ([self.rp] if isinstance(self.rp, str) else (self.rp or [])):
            lines.append(f"rp-address {rp} 224.0.0.0/4")
        if self.spt_packets is None:
            lines.append("spt-threshold infinity")
        else:
            lines.append(f"spt-threshold packets {self.spt_packets} "
                         f"interval {self.spt_interval}")
        lines += self.extra
        for name in self.interfaces:
            lines.append(f"phyint {name} enable" + (" igmpv3" if name in self.igmp else ""))
        # With -N an address is its own only once its phyint is enabled:
        # bsr-candidate and rp-candidate lines come after the phyints.
        lines += self.after
        return "\n".join(lines) + "\n"

    def start(self, timeout=15):
        self.run.mkdir(exist_ok=True)
        self.conf.write_text(self.config_text())
        argv = [str(troglobit_bin()), "-f", "-N", "-c", str(self.conf), "-s", "debug"]
        if self.debug:
            argv.append(f"--debug={self.debug}")
        # A private /run in a mount namespace of its own: its pid file and
        # dump do not collide with another instance or the host's.
        sh = 'mount --bind "$1" /run && shift && exec "$@"'
        self._popen("pimd", ["unshare", "-m", "sh", "-c", sh, "sh", str(self.run)] + argv,
                    self.logfile)
        wait_for(self._ready, timeout=timeout, msg=f"{self.tag}: troglobit pimd started")
        return self

    @property
    def proc(self):
        return self.procs.get("pimd")

    def _ready(self):
        self.check_alive()
        return self.handles_sigusr1() and (self.run / "pimd.pid").exists()

    def handles_sigusr1(self):
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except FileNotFoundError:
            return False
        for ln in status.splitlines():
            if ln.startswith("SigCgt:"):
                return bool(int(ln.split()[1], 16) & SIGUSR1_BIT)
        return False

    def log_tail(self, name="pimd", n=30):
        return _tail(self.logfile, n)

    def log(self):
        try:
            return self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def dump(self, timeout=5):
        """Its state dump (SIGUSR1 -> /run/pimd/pimd.dump), as text."""
        self.check_alive()
        if not self.handles_sigusr1():
            raise AssertionError(f"{self.tag}: SIGUSR1 handler not installed yet")
        f = self.run / "pimd" / "pimd.dump"
        before = f.stat().st_mtime_ns if f.exists() else None
        os.kill(self.proc.pid, signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f.exists() and f.stat().st_mtime_ns != before and f.stat().st_size:
                time.sleep(0.05)       # written in one go, but let it finish
                return f.read_text(errors="replace")
            time.sleep(0.05)
        raise AssertionError(f"{self.tag}: no state dump in {f} after {timeout}s")

    def neighbor_addrs(self, dump=None):
        """PIM neighbour addresses from the state dump's VIF table."""
        out, invif = set(), False
        for ln in (dump if dump is not None else self.dump()).splitlines():
            f = ln.split()
            if ln.startswith("Virtual Interface Table"):
                invif = True
            elif invif and (ln.startswith(" Vif ") or ln.startswith("Multicast Routing")):
                break
            elif invif and f and f[-1].count(".") == 3 and f[-1][0].isdigit() and \
                    (len(f) == 1 or f[-2] == "PIM"):
                out.add(f[-1])    # "0 a.b.c.d subnet 1 DR PIM nbr", then one per line
        return out

    def star_g(self, group, dump=None):
        """Whether the state dump has a (*,group) entry."""
        for ln in (dump if dump is not None else self.dump()).splitlines():
            f = ln.split()
            if len(f) >= 3 and f[0] == "INADDR_ANY" and f[1] == group:
                return ln
        return None


def start_troglobit(node, interfaces=None, rp=None, igmp=None, spt_packets=0,
                    spt_interval=5, debug="pim_jp,pim_register,pim_hello,mrt,igmp_proto",
                    extra=(), after=(), tag=None, timeout=15):
    """Start troglobit's pimd in node's namespace (foreground); returns Troglobit.

    interfaces: `phyint NAME enable` (with -N: only these); igmp: those get
    igmpv3 (default host-facing); rp: `rp-address RP 224.0.0.0/4`;
    spt_packets/spt_interval: `spt-threshold packets N interval S` (None:
    infinity); debug: its --debug= subsystems (None: none); extra: config
    lines before the phyints, after: lines after them (candidates).
    """
    why = troglobit_available()
    if why:
        raise TopoError(why)
    if interfaces is None:
        interfaces = [i.name for i in node.ifaces]
    if igmp is None:
        igmp = _host_facing(node)
    g = Troglobit(node, list(interfaces), list(igmp), rp, spt_packets, spt_interval, debug,
                  extra, after=after, tag=tag)
    try:
        g.start(timeout=timeout)
    except BaseException:
        g.stop(timeout=5)
        raise
    return g


def stop_all(topo, timeout=10):
    """Stop every peer started in topo; returns the problems seen."""
    problems = []
    for p in reversed(getattr(topo, "peers", [])):
        try:
            p.stop(timeout=timeout)
        except Exception as e:  # noqa: BLE001 - keep stopping the others
            problems.append(f"{p.tag}: stop failed: {e!r}")
        problems += p.problems
        p.problems = []
    return problems
