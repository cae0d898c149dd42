# SPDX-License-Identifier: ISC
"""pytest fixtures for the namespace integration tests.

    def test_x(topo):
        t = topo(routers=["r1"], hosts=["h1", "h2"], links=[("r1", "h1"), ("r1", "h2")])
        d = t.start_pimd("r1")
        ...

`topo(...)` takes Topo's arguments and returns a started topology; at the
end of the test everything is stopped and deleted.  When the test failed
(or a daemon crashed, exited badly or printed a sanitizer report) the
per-test directory (configs, daemon logs, state dumps, pcaps) is copied to
$PIMT_ARTIFACTS/<test>/ (default tests/topo/artifacts/<test>/).
"""

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import topo as topolib  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="namespace tests need root")
        for item in items:
            if Path(str(item.fspath)).parent == Path(__file__).parent:
                item.add_marker(skip)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def artifacts_root():
    v = os.environ.get("PIMT_ARTIFACTS")
    return Path(v) if v else Path(__file__).resolve().parent / "artifacts"


def _test_dirname(nodeid):
    name = nodeid.split("::", 1)[-1] if "::" in nodeid else nodeid
    mod = Path(nodeid.split("::", 1)[0]).stem
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", f"{mod}.{name}")[:150]


@pytest.fixture
def topo(request):
    made = []

    def factory(*args, **kw):
        t = topolib.Topo(*args, **kw)
        made.append(t)
        t.start()
        return t

    yield factory

    rep = getattr(request.node, "rep_call", None)
    failed = rep is None or rep.failed
    problems = []
    for t in made:
        try:
            t.dump_state()
        except Exception as e:  # noqa: BLE001
            problems.append(f"state dump failed: {e!r}")
        problems += t.stop()
    keep = failed or problems or os.environ.get("PIMT_KEEP", "") not in ("", "0")
    if keep and made:
        dest = artifacts_root() / _test_dirname(request.node.nodeid)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
        for k, t in enumerate(made):
            sub = dest if len(made) == 1 else dest / f"topo{k + 1}"
            shutil.copytree(t.workdir, sub, dirs_exist_ok=True,
                            ignore=_sockets)
        print(f"\n[pimt] artifacts of {request.node.nodeid}: {dest}", file=sys.stderr)
    for t in made:
        t.cleanup_workdir()
    if problems:
        pytest.fail("after the test:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def wait_for():
    return topolib.wait_for


def _sockets(directory, names):
    """copytree ignore: UNIX sockets (pimd's, FRR's vty) cannot be copied."""
    import stat
    return [n for n in names
            if stat.S_ISSOCK(os.lstat(os.path.join(directory, n)).st_mode)]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long tests (troglobit's 5 s tick); "
                            "-m 'not slow' leaves them out")
