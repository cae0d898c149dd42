# SPDX-License-Identifier: ISC
"""Foundation: interfaces and VIFs, config checking and reload, signals."""

import json
import os
import signal
import stat

import pytest

from mcast_tools import Receiver
from topo import wait_for

PEERS = ("h1", "h2")


def one_router(topo, extra_hosts=()):
    hosts = list(PEERS) + list(extra_hosts)
    return topo(routers=["r1"], hosts=hosts, links=[("r1", h) for h in PEERS])


def config(t, hello=1, interfaces=None):
    return t.config_for("r1", interfaces=interfaces, pim={"hello-interval": hello})


def vifs_ready(t, names):
    have = t["r1"].mr_vif_names()
    return set(names) | {"pimreg"} <= set(have) and have


def cfg_iface(cfg, name):
    for e in cfg["pimd:pimd"].get("interface", []):
        if e.get("name") == name:
            return e
    raise KeyError(name)


def hello_of(d, name):
    return int(cfg_iface(d.running_config(), name)["pim"]["hello-interval"])


def iface_is(d, name, **want):
    """show interfaces entry for name if every leaf in want matches."""
    e = d.interfaces().get(name)
    if e is None:
        return None
    for k, v in want.items():
        if e.get(k.replace("_", "-")) != v:
            return None
    return e


def test_vifs_and_show_interfaces(topo):
    t = one_router(topo)
    d = t.start_pimd("r1", config(t))
    names = [t.ifname("r1", h) for h in PEERS]
    wait_for(lambda: vifs_ready(t, names), timeout=5, msg="VIFs in /proc/net/ip_mr_vif")
    vifs = {v["name"]: v for v in t["r1"].mr_vifs()}
    assert len([v for v in vifs.values() if v["name"] == "pimreg"]) == 1

    ifs = wait_for(lambda: all(iface_is(d, n, oper_status="up") for n in names) and d.interfaces(),
                   timeout=5, msg="both interfaces up in show interfaces")
    for h in PEERS:
        name = t.ifname("r1", h)
        e = ifs[name]
        assert e["oper-status"] == "up"
        assert e["primary-address"] == t.addr("r1", h)
        assert t.prefix_of("r1", h) in e["address"]
        assert e["vif"] == vifs[name]["vif"]
        ifindex = int(t["r1"].read(f"/sys/class/net/{name}/ifindex"))
        assert e["ifindex"] == ifindex
        assert e.get("link-up") is True
        assert e.get("pim-enabled") is True
        assert e.get("igmp-enabled") is True
    # the control socket is for root only
    st = os.stat(d.sock)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, \
        f"control socket mode {stat.S_IMODE(st.st_mode):o}"
    assert d.stop() == 0


def test_address_and_link_changes_within_1s(topo):
    t = one_router(topo)
    d = t.start_pimd("r1", config(t))
    name = t.ifname("r1", "h1")
    wait_for(lambda: iface_is(d, name, oper_status="up"), timeout=5)

    extra = f"{t.alloc_subnet()[1]}/24"
    t["r1"].ip("addr", "add", extra, "dev", name)
    wait_for(lambda: extra in d.interfaces()[name]["address"], timeout=1.0,
             msg=f"{extra} in show interfaces")
    t["r1"].ip("addr", "del", extra, "dev", name)
    wait_for(lambda: extra not in d.interfaces()[name]["address"], timeout=1.0,
             msg=f"{extra} gone from show interfaces")

    t.set_link("r1", "h1", "down")
    e = wait_for(lambda: iface_is(d, name, oper_status="down"), timeout=1.0,
                 msg=f"{name} down")
    assert e.get("link-up", False) is False
    t.set_link("r1", "h1", "up")
    e = wait_for(lambda: iface_is(d, name, oper_status="up"), timeout=1.0, msg=f"{name} up")
    assert e.get("link-up") is True
    assert e["primary-address"] == t.addr("r1", "h1")
    # the other interface was not disturbed
    assert iface_is(d, t.ifname("r1", "h2"), oper_status="up")
    assert d.stop() == 0


def test_interface_appears_and_disappears(topo):
    t = one_router(topo, extra_hosts=["h3"])
    late = "r1-h3"
    names = [t.ifname("r1", h) for h in PEERS]
    d = t.start_pimd("r1", config(t, interfaces=names + [late]))
    wait_for(lambda: vifs_ready(t, names), timeout=5)
    e = wait_for(lambda: d.interfaces().get(late), timeout=5, msg=f"{late} listed")
    assert e["oper-status"] == "not-present"
    assert "vif" not in e or e["vif"] is None
    assert late not in t["r1"].mr_vif_names()

    t.add_link("r1", "h3")
    assert t.ifname("r1", "h3") == late

    def present():
        e = iface_is(d, late, oper_status="up")
        return e and isinstance(e.get("vif"), int) and \
            e.get("primary-address") == t.addr("r1", "h3") and late in t["r1"].mr_vif_names() and e
    e = wait_for(present, timeout=1.0, msg=f"{late} up with a VIF")
    vifs = {v["name"]: v["vif"] for v in t["r1"].mr_vifs()}
    assert e["vif"] == vifs[late]

    t.del_link("r1", "h3")

    def gone():
        e = iface_is(d, late, oper_status="not-present")
        return e and late not in t["r1"].mr_vif_names()
    wait_for(gone, timeout=1.0, msg=f"{late} not-present and its VIF removed")
    assert vifs_ready(t, names)
    assert d.stop() == 0


def test_sigterm_cleans_kernel_tables(topo):
    t = one_router(topo)
    d = t.start_pimd("r1", config(t))
    wait_for(lambda: vifs_ready(t, [t.ifname("r1", h) for h in PEERS]), timeout=5)
    # Multicast data into r1: pimd installs MFC entries for the new sources
    # (the kernel's unresolved entries would go with MRT_DONE anyway).
    def data_sent_and_cached():
        t["h1"].run(["/usr/bin/python3", "-c",
                     "import socket\n"
                     "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                     "s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)\n"
                     "for g in ('239.1.1.1', '239.1.1.2', '232.1.1.1'):\n"
                     "    s.sendto(b'data', (g, 5001))\n"])
        # a resolved entry has a real incoming VIF, not 65535
        return [ln for ln in t["r1"].mr_cache() if ln.split()[2] != "65535"]
    wait_for(data_sent_and_cached, timeout=5, interval=0.2,
             msg="MFC entries installed by pimd in /proc/net/ip_mr_cache")
    assert d.stop() == 0
    d.assert_no_sanitizer()

    def empty():
        vif = t["r1"].read("/proc/net/ip_mr_vif").splitlines()
        cache = t["r1"].read("/proc/net/ip_mr_cache").splitlines()
        return len(vif) == 1 and len(cache) == 1
    wait_for(empty, timeout=1.0, msg="empty ip_mr_vif and ip_mr_cache")


# case: (config, words one of which the error names, the text on the
# offending line of the file as written)
BAD_CONFIGS = {
    "malformed-json": ('{"pimd:pimd": {"interface": [{"name": "r1-h1",, }]}', [], ",,"),
    "wrong-type": ({"pimd:pimd": {"interface": [
        {"name": "r1-h1", "pim": {"hello-interval": "fast"}}]}}, ["hello-interval"], '"fast"'),
    "out-of-range": ({"pimd:pimd": {"interface": [
        {"name": "r1-h1", "pim": {"hello-interval": 20000}}]}}, ["hello-interval"], "20000"),
    "unknown-leaf": ({"pimd:pimd": {"interface": [
        {"name": "r1-h1", "bogus-leaf": 1}]}}, ["bogus-leaf"], '"bogus-leaf"'),
    "rp-not-unicast": ({"pimd:pimd": {"interface": [{"name": "r1-h1"}],
                                      "rp": [{"address": "224.1.1.1"}]}},
                       ["/pimd:pimd/rp", "224.1.1.1"], '"224.1.1.1"'),
}


def config_text(cfg):
    return cfg if isinstance(cfg, str) else json.dumps(cfg, indent=2) + "\n"


def write(path, cfg):
    path.write_text(config_text(cfg))
    return path


def assert_one_clear_error(text, fname, case):
    """text (stderr) is one line naming fname, the offending line and the path."""
    _, terms, where = BAD_CONFIGS[case]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, f"{case}: expected one line, got:\n{text}"
    err = lines[0]
    assert fname in err, f"{case}: {fname} not named: {err}"
    assert not terms or any(x in err for x in terms), f"{case}: none of {terms} in: {err}"
    # libyang knows the line at the node or, for a list entry, at its end
    at = [k for k, ln in enumerate(config_text(BAD_CONFIGS[case][0]).splitlines(), 1)
          if where in ln][0]
    named = [f"{fname}:{k}:" for k in (at, at + 1)]
    assert any(n in err for n in named), f"{case}: line {at} not named: {err}"


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_check_rejects_invalid_config(topo, case):
    t = topo("h1-r1")
    path = write(t.workdir / f"bad-{case}.json", BAD_CONFIGS[case][0])
    p = t.pimd_cmd("r1", "-n", "-f", str(path))
    assert p.returncode != 0, f"pimd -n accepted {case}:\n{p.stdout}{p.stderr}"
    assert_one_clear_error(p.stderr, path.name, case)
    assert not p.stdout.strip()


def test_check_accepts_valid_config(topo):
    t = topo("h1-r1")
    path = write(t.workdir / "ok.json", {"pimd:pimd": {"interface": [{"name": "x"}]}})
    p = t.pimd_cmd("r1", "-n", "-f", str(path))
    assert p.returncode == 0, p.stderr
    p = t.pimd_cmd("r1", "-nv", "-f", str(path))
    assert p.returncode == 0, p.stderr
    norm = json.loads(p.stdout)
    e = cfg_iface(norm, "x")
    assert e["pim"]["enable"] is True and int(e["pim"]["hello-interval"]) == 30
    assert e["igmp"]["enable"] is True


def test_reload_rejects_invalid_then_accepts_valid(topo):
    t = one_router(topo)
    names = [t.ifname("r1", h) for h in PEERS]
    d = t.start_pimd("r1", config(t, hello=1))
    wait_for(lambda: vifs_ready(t, names), timeout=5)
    before = d.running_config()
    assert hello_of(d, "r1-h1") == 1
    for case in sorted(BAD_CONFIGS):
        d.write_config(BAD_CONFIGS[case][0])
        p = d.pimc_call("reload")
        assert p.returncode != 0, f"reload accepted {case}"
        assert_one_clear_error(p.stderr, str(d.conf), case)
        assert d.alive()
        assert d.running_config() == before, f"config changed by rejected {case}"
    d.write_config(config(t, hello=2))
    d.reload()
    assert hello_of(d, "r1-h1") == 2 and hello_of(d, "r1-h2") == 2
    assert vifs_ready(t, names)
    assert d.stop() == 0


def test_sighup_reloads(topo):
    t = one_router(topo)
    d = t.start_pimd("r1", config(t, hello=1))
    wait_for(lambda: vifs_ready(t, [t.ifname("r1", h) for h in PEERS]), timeout=5)
    d.write_config(config(t, hello=7))
    d.send_signal(signal.SIGHUP)
    wait_for(lambda: hello_of(d, "r1-h1") == 7, timeout=3, msg="hello-interval 7 after SIGHUP")
    # a bad file on SIGHUP: logged, the daemon keeps running the old config
    before = d.running_config()
    logged = len(d.log())
    d.write_config(BAD_CONFIGS["out-of-range"][0])
    d.send_signal(signal.SIGHUP)
    wait_for(lambda: "hello-interval" in d.log()[logged:], timeout=3,
             msg="error about hello-interval in the log after SIGHUP")
    assert d.alive()
    assert d.running_config() == before
    assert d.stop() == 0


def upstream_of(d, grp):
    for e in d.pimc("show", "upstream", "--json").get("pimd:pimd", {}).get("state", {}) \
            .get("upstream", []):
        if e["group"] == grp and e["source"] == "0.0.0.0":
            return e
    return None


def igmp_of(d, name):
    for e in d.pimc("show", "igmp", "interfaces", "--json")["pimd:pimd"]["state"]["interface"]:
        if e["name"] == name:
            return e.get("igmp")
    return None


def test_reload_applies_only_what_differs(topo):
    """A reload changes what differs and keeps the rest: VIFs, PIM and IGMP state."""
    t = topo("h1-r1-r2")
    rp = [{"address": t.lo("r2"), "group": ["239.0.0.0/8"]}]
    igmp = {"query-interval": 10, "query-response-interval": "1.0"}
    host_if, up_if = t.ifname("r1", "h1"), t.ifname("r1", "r2")

    def r1_config(interfaces=None, dr_priority=1):
        cfg = t.config_for("r1", interfaces=interfaces, pim={"hello-interval": 1}, igmp=igmp,
                           rp=rp)
        for e in cfg["pimd:pimd"]["interface"]:
            if e["name"] == host_if:
                e["pim"]["dr-priority"] = dr_priority
        return cfg
    d1 = t.start_pimd("r1", r1_config())
    t.start_pimd("r2", t.config_for("r2", pim={"hello-interval": 1}, rp=rp))
    grp = "239.3.3.3"
    recv = Receiver(t["h1"], grp, 5001, iface_addr=t.addr("h1", "r1"))

    def joined_via(ifname):
        """(*,G) Joined toward r2 as a PIM neighbour: Joins and Prunes go out."""
        e = upstream_of(d1, grp)
        return e and e.get("state") == "joined" and e.get("rpf-interface") == ifname and \
            e.get("rpf-neighbor") == t.addr("r2", "r1") and e
    wait_for(lambda: joined_via(up_if), timeout=10, msg=f"(*,{grp}) joined toward the RP")
    wait_for(lambda: igmp_of(d1, host_if)["counters"]["reports-received-v3"] != "0", timeout=5)

    def snapshot():
        ifs = d1.interfaces()
        return {"vifs": {v["name"]: v["vif"] for v in t["r1"].mr_vifs()},
                "genid": {n: ifs[n]["pim"]["generation-id"] for n in ifs if "pim" in ifs[n]},
                "reports": int(igmp_of(d1, host_if)["counters"]["reports-received-v3"])}
    before = snapshot()

    def kept(after, names):
        assert {n: after["vifs"].get(n) for n in names} == \
            {n: before["vifs"][n] for n in names}, f"VIFs renumbered: {before} -> {after}"
        ifs = [n for n in names if n != "pimreg"]
        assert {n: after["genid"].get(n) for n in ifs} == \
            {n: before["genid"][n] for n in ifs}, f"PIM restarted: {before} -> {after}"
        assert after["reports"] >= before["reports"], f"IGMP restarted: {before} -> {after}"

    # 1. one setting of one interface: taken, nothing restarted
    d1.write_config(r1_config(dr_priority=5))
    d1.reload()
    assert d1.interfaces()[host_if]["pim"]["dr-priority"] == 5
    kept(snapshot(), [host_if, up_if, "pimreg"])
    assert joined_via(up_if) and recv.report() is not None

    # 2. the upstream interface leaves the config: its VIF and PIM go, the
    # other interface keeps everything, the (*,G) entry loses its RPF interface
    d1.write_config(r1_config(interfaces=[host_if], dr_priority=5))
    d1.reload()
    assert d1.alive()
    assert up_if not in t["r1"].mr_vif_names()
    assert up_if not in d1.interfaces()
    kept(snapshot(), [host_if, "pimreg"])
    e = wait_for(lambda: upstream_of(d1, grp), timeout=2, msg=f"(*,{grp}) still there")
    assert e.get("rpf-interface") in (None, ""), e

    # 3. and comes back: a VIF again, the Join goes toward the RP again
    d1.write_config(r1_config(dr_priority=5))
    d1.reload()
    wait_for(lambda: up_if in t["r1"].mr_vif_names(), timeout=2, msg=f"{up_if} VIF back")
    wait_for(lambda: joined_via(up_if), timeout=10, msg=f"(*,{grp}) joined again")
    kept(snapshot(), [host_if, "pimreg"])

    # 4. both at once: the receivers' side goes first, and the Prune that
    # leaves behind for the upstream interface goes out as that one stops
    d1.write_config({"pimd:pimd": {"rp": rp}})
    d1.reload()
    assert d1.alive() and d1.interfaces() == {}
    assert t["r1"].mr_vif_names() == ["pimreg"]
    recv.stop()
    assert d1.stop() == 0


def test_second_daemon_refused(topo):
    t = one_router(topo)
    names = [t.ifname("r1", h) for h in PEERS]
    d1 = t.start_pimd("r1", config(t))
    wait_for(lambda: vifs_ready(t, names), timeout=5)
    d2 = t.start_pimd("r1", config(t), wait=False)
    rc = d2.wait(timeout=10)
    assert rc != 0
    msg = d2.log().lower()
    assert "mrt_init" in msg or ("another" in msg and ("multicast" in msg or "daemon" in msg)), \
        f"no clear message:\n{d2.log()}"
    assert d1.alive()
    assert d1.pimc("show", "version").strip()
    assert vifs_ready(t, names)
    assert all(iface_is(d1, n, oper_status="up") for n in names)
    assert d1.stop() == 0


def test_pimc_without_daemon(topo):
    t = topo("h1-r1")
    sock = t.workdir / "nobody.sock"
    for args in (("show", "version"), ("show", "interfaces", "--json"), ("reload",)):
        p = t.pimc_cmd("r1", sock, *args)
        assert p.returncode != 0
        err = p.stderr.strip()
        assert err, f"pimc {' '.join(args)}: no error message"
        assert str(sock) in err or "connect" in err.lower() or "running" in err.lower(), err
        assert not p.stdout.strip()
