# SPDX-License-Identifier: ISC
"""Tests of the topology harness itself (no pimd needed)."""

import os
import shutil
import signal
import subprocess
import textwrap
import time

import pytest

import topo as topolib
from topo import Topo, wait_for


def netns_list():
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                          check=True).stdout


def test_parse_text_form():
    r, h, links, lans = Topo.parse("h1-r1-r2-h2; r1-r3\nlan1: r2 r3 h3")
    assert r == ["r1", "r2", "r3"]
    assert h == ["h1", "h2", "h3"]
    assert links == [("h1", "r1"), ("r1", "r2"), ("r2", "h2"), ("r1", "r3")]
    assert lans == {"lan1": ["r2", "r3", "h3"]}


def test_addressing_and_names_without_namespaces():
    t = Topo(routers=["r1", "r2"], hosts=["h1"], links=[("r1", "h1"), ("r1", "r2"), ("r1", "r2")])
    try:
        assert t.ifname("r1", "h1") == "r1-h1"
        assert t.ifname("h1", "r1") == "h1-r1"
        assert t.ifname("r1", "r2", 1) == "r1-r2-2"
        assert t.addr("r1", "h1") == "198.18.0.1"
        assert t.addr("h1", "r1") == "198.18.0.2"
        assert t.prefix_of("r1", "r2") == "198.18.1.1/24"
        assert t.subnet("r2", "r1", 1) == "198.18.2.0/24"
        assert t.lo("r1") == "198.19.255.1" and t.lo("r2") == "198.19.255.2"
        assert all(t[n].ns.startswith(f"pimt-{os.getpid()}-") for n in ("r1", "r2", "h1"))
        long = Topo(routers=["router1234"], hosts=["host12345"], links=[("router1234", "host12345")])
        assert long.ifname("router1234", "host12345") == "eth0"
        long.cleanup_workdir()
    finally:
        t.cleanup_workdir()


def test_wait_for():
    n = iter(range(100))
    assert wait_for(lambda: next(n) >= 3, timeout=2, interval=0.001)
    t0 = time.monotonic()
    with pytest.raises(AssertionError, match="timed out after 0.2s waiting for never"):
        wait_for(lambda: False, timeout=0.2, interval=0.05, msg="never")
    assert time.monotonic() - t0 < 1.0

    def boom():
        raise ValueError("nope")
    with pytest.raises(AssertionError, match="nope"):
        wait_for(boom, timeout=0.1)


def test_sanitizer_detection():
    assert topolib.sanitizer_report("all fine\n") is None
    rep = topolib.sanitizer_report("x\n==12==ERROR: AddressSanitizer: heap-use-after-free\n#0 f\n")
    assert rep.startswith("==12==ERROR: AddressSanitizer")
    assert topolib.sanitizer_report("a.c:3:5: runtime error: signed integer overflow")
    assert topolib.sanitizer_report("==1==ERROR: LeakSanitizer: detected memory leaks")


def test_line_topology_ping_and_cleanup(topo):
    t = topo("h1-r1-r2-h2")
    names = [n.ns for n in t.nodes.values()]
    listed = netns_list()
    assert all(ns in listed for ns in names)
    # sysctls
    for r in ("r1", "r2"):
        assert t[r].run("sysctl -n net.ipv4.ip_forward").strip() == "1"
        assert t[r].run("sysctl -n net.ipv4.conf.all.rp_filter").strip() == "0"
        assert t[r].run(f"sysctl -n net.ipv4.conf.{t.ifname(r, 'h1' if r == 'r1' else 'h2')}"
                        ".rp_filter").strip() == "0"
    assert "UP" in t["r1"].ip("link", "show", "lo")
    assert t.addr("r1", "h1") + "/24" in t["r1"].ip("-br", "addr")
    # end-to-end unicast through two routers, and the routers' loopbacks
    t["h1"].run(["ping", "-c1", "-W2", t.addr("h2", "r2")])
    t["h2"].run(["ping", "-c1", "-W2", t.lo("r1")])
    t["r1"].run(["ping", "-c1", "-W2", t.addr("h2", "r2")])
    routes = t.routes_for("r1")
    assert (t.subnet("r2", "h2"), t.addr("r2", "r1"), "r1-r2") in routes
    assert t["h1"].mr_vifs() == [] and t["r1"].mr_cache() == []
    problems = t.stop()
    assert problems == []
    listed = netns_list()
    assert not any(ns in listed for ns in names)


def test_lan_bridge(topo):
    t = topo(routers=["r1", "r2"], hosts=["h1", "h2"], links=[("h2", "r2")],
             lans={"lan1": ["r1", "r2", "h1"]})
    br = t["lan1"]
    assert br.run("cat /sys/class/net/br0/bridge/multicast_snooping").strip() == "0"
    assert t.ifname("r1", "lan1") == "r1-lan1"
    t["h1"].run(["ping", "-c1", "-W2", t.addr("r1", "lan1")])
    t["h1"].run(["ping", "-c1", "-W2", t.addr("h2", "r2")])
    t["r1"].run(["ping", "-c1", "-W2", t.addr("h2", "r2")])


def test_add_and_delete_link(topo):
    t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1")])
    assert "r1-h2" not in t["r1"].ip("-br", "link")
    t.add_link("r1", "h2")
    assert t.addr("r1", "h2") == "198.18.1.1"
    t["r1"].run(["ping", "-c1", "-W2", t.addr("h2", "r1")])
    t.set_link("r1", "h2", "down")
    assert "DOWN" in t["r1"].ip("-br", "link", "show", "r1-h2")
    t.set_link("r1", "h2", "up")
    t.del_link("r1", "h2")
    assert "r1-h2" not in t["r1"].ip("-br", "link")
    assert "h2-r1" not in t["h2"].ip("-br", "link")
    extra = t.alloc_subnet()
    assert extra.subnet_of(topolib.ipaddress.ip_network("198.18.0.0/15"))
    assert all(extra != lk.subnet for lk in t.links)


def test_pcap(topo):
    t = topo("h1-r1", pcap=True)
    t["h1"].run(["ping", "-c1", "-W2", t.addr("r1", "h1")])
    pcaps = list((t.workdir / "pcap").glob("*.pcap"))
    assert len(pcaps) == 1


FAKE_PIMD = """\
#!/bin/sh
# fake pimd for harness tests: -s SOCK; a marker file acts as the socket
sock=""
while [ $# -gt 0 ]; do case "$1" in -s) sock=$2; shift;; esac; shift; done
trap 'rm -f "$sock"; echo bye; exit ${FAKE_RC:-0}' TERM
[ -n "$FAKE_SAN" ] && echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow" >&2
touch "$sock"
while :; do sleep 0.05; done
"""

FAKE_PIMC = """\
#!/bin/sh
# fake pimc: -s SOCK show version|interfaces --json
[ "$1" = -s ] && sock=$2 && shift 2
[ -e "$sock" ] || { echo "pimc: cannot connect to $sock" >&2; exit 1; }
case "$*" in
"show interfaces --json") echo '{"pimd:pimd": {"state": {"interface": [{"name": "a"}]}}}';;
*) echo "fake 0";;
esac
"""


@pytest.fixture
def fake_bins(tmp_path, monkeypatch):
    for name, text in (("pimd", FAKE_PIMD), ("pimc", FAKE_PIMC)):
        p = tmp_path / name
        p.write_text(text)
        p.chmod(0o755)
    monkeypatch.setenv("PIMD", str(tmp_path / "pimd"))
    monkeypatch.setenv("PIMC", str(tmp_path / "pimc"))
    return tmp_path


def test_pimd_lifecycle_with_fake_daemon(topo, fake_bins):
    t = topo("h1-r1")
    d = t.start_pimd("r1", {"pimd:pimd": {"interface": [{"name": "r1-h1"}]}})
    assert d.alive()
    assert d.interfaces() == {"a": {"name": "a"}}
    assert d.pimc("show", "version").strip() == "fake 0"
    assert '"r1-h1"' in d.conf.read_text()
    assert d.stop() == 0
    assert "bye" in d.log()
    p = t.pimc_cmd("r1", d.sock, "show", "version")
    assert p.returncode != 0 and "cannot connect" in p.stderr


def test_harness_flags_crash_and_sanitizer(fake_bins, monkeypatch):
    t = Topo("h1-r1").start()
    try:
        monkeypatch.setenv("FAKE_SAN", "1")
        d1 = t.start_pimd("r1")
        monkeypatch.delenv("FAKE_SAN")
        d2 = t.start_pimd("r1")
        os.kill(d2.pid, signal.SIGKILL)
        wait_for(lambda: not d2.alive(), timeout=5)
        monkeypatch.setenv("FAKE_RC", "3")
        d3 = t.start_pimd("r1")
        assert d1.alive() and d3.alive()
    finally:
        problems = t.stop()
        t.cleanup_workdir()
    text = "\n".join(problems)
    assert "AddressSanitizer" in text
    assert "died unexpectedly" in text
    assert "exited with 3" in text
    assert len(problems) == 3
    assert not any(n.ns in netns_list() for n in t.nodes.values())


def test_config_for():
    t = Topo("h1-r1-h2")
    try:
        cfg = t.config_for("r1", pim={"hello-interval": 1},
                           rp=[{"address": t.lo("r1"), "group": ["239.0.0.0/8"]}])
        assert cfg == {"pimd:pimd": {
            "interface": [{"name": "r1-h1", "pim": {"hello-interval": 1}},
                          {"name": "r1-h2", "pim": {"hello-interval": 1}}],
            "rp": [{"address": "198.19.255.1", "group": ["239.0.0.0/8"]}]}}
    finally:
        t.cleanup_workdir()


def test_cleanup_on_sigterm(tmp_path):
    """A test process killed by SIGTERM still deletes its namespaces."""
    script = tmp_path / "victim.py"
    script.write_text(textwrap.dedent(f"""\
        import sys, time
        sys.path.insert(0, {str(topolib.REPO / 'tests' / 'topo')!r})
        from topo import Topo
        t = Topo("h1-r1").start()
        print(t.prefix, t.workdir, flush=True)
        time.sleep(30)
        """))
    p = subprocess.Popen(["/usr/bin/python3", str(script)], stdout=subprocess.PIPE, text=True)
    try:
        prefix, workdir = p.stdout.readline().split()
        assert prefix.startswith("pimt-")
        assert prefix in netns_list()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(workdir, ignore_errors=True)
    assert prefix not in netns_list()


def test_routes_reach_everything(topo):
    t = topo("h1-r1-r2-r3-h3; r1-r4-r3; lan1: r2 r4 h2")
    targets = [i.ip for n in t.hosts + t.routers for i in n.ifaces] + \
        [t.lo(r.name) for r in t.routers]
    for src in ("h1", "h2", "h3", "r1"):
        for dst in targets:
            t[src].run(["ping", "-c1", "-W2", "-q", dst])
    # hosts are never transit: h2 on the LAN is not a next hop for anyone
    h2 = t.addr("h2", "lan1")
    for r in t.routers:
        assert all(via != h2 for _, via, _ in t.routes_for(r.name))
