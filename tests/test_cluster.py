"""batch --scheduler: the sample squad on a real two-process Dask cluster on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.batch import run_batch
from loadwatch.cache import Cache
from loadwatch.cli import cli
from loadwatch.read import read_activities
from loadwatch.roster import parse_roster, read_roster
from tests.report.htmlcheck import blank_generated
from tests.test_batch import MONDAY, season

distributed = pytest.importorskip(
    "distributed", reason="batch --scheduler needs the 'cluster' extra (dask[distributed])")

ROSTER = Path(__file__).resolve().parent.parent / "sample_data" / "roster.toml"
TODAY = dt.date(2026, 11, 15)  # the sample season's last day


def _comparable(out: Path) -> tuple[dict, dict[str, str]]:
    doc = json.loads((out / "summary.json").read_text())
    doc.pop("generated"), doc.pop("previous_run")
    reports = {p.name: blank_generated(p.read_text()) for p in out.glob("*.html")
               if p.name != "index.html"}
    return doc, reports


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory, dask_cluster) -> tuple[Path, Path]:
    """The sample squad run on the cluster from a cold cache: (its output, its cache)."""
    root = tmp_path_factory.mktemp("on-cluster")
    with Cache(root / "cache") as cache:
        run_batch(read_roster(ROSTER), root / "out", cache=cache, today=TODAY,
                  scheduler=dask_cluster.scheduler_address)
        assert len(cache) > 0  # the client stored what the workers parsed
    return root / "out", root / "cache"


def test_cluster_run_equals_the_local_run(warm_cache, tmp_path):
    on_cluster, cache_dir = warm_cache
    shutil.copytree(cache_dir, tmp_path / "cache")
    with Cache(tmp_path / "cache") as cache:  # the payloads the workers parsed
        run_batch(read_roster(ROSTER), tmp_path / "local", jobs=1, cache=cache, today=TODAY)
    local_doc, local_reports = _comparable(tmp_path / "local")
    doc, reports = _comparable(on_cluster)
    assert doc == local_doc
    assert sorted(reports) == ["alex.html", "sam.html"]
    assert reports == local_reports
    assert [a["status"] for a in doc["athletes"]] == ["ok", "ok"]


def test_what_the_workers_parsed_is_what_a_local_parse_gives(warm_cache):
    log = ROSTER.parent / "sam" / "training_log.csv"
    with Cache(warm_cache[1]) as cache:
        via_workers = read_activities([log], cache=cache)
        assert cache.hits == 1 and cache.misses == 0
    pd.testing.assert_frame_equal(via_workers.activities, read_activities([log]).activities)


class _KillOnFirst:
    """A progress sink that kills a busy worker when the first athlete is done."""

    def __init__(self, client) -> None:
        self.client = client
        self.killed: str | None = None
        self.labels: list[str] = []

    def add_total(self, files: int) -> None:
        pass

    def advance(self, files: int, *, cached: int = 0) -> None:
        pass

    def problem(self, problem) -> None:
        pass

    def set_label(self, label: str) -> None:
        self.labels.append(label)
        if self.killed is None:
            busy = [w for w, tasks in self.client.processing().items() if tasks]
            pids = self.client.run(os.getpid, workers=busy[:1])
            for address, pid in pids.items():
                os.kill(pid, signal.SIGKILL)
                self.killed = address


def test_a_worker_killed_mid_run_loses_no_athlete(tmp_path):
    names = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo"]
    for n, name in enumerate(names):
        season(tmp_path / name, weeks=3, last_km=8.0 + n)
    roster = parse_roster({"athlete": [{"name": n, "paths": [n]} for n in names]}, tmp_path)
    # its own cluster: the session's keeps both its workers for the other tests
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster, \
            distributed.Client(cluster.scheduler_address) as client, \
            Cache(tmp_path / "cache") as cache:
        progress = _KillOnFirst(client)
        result = run_batch(roster, tmp_path / "out", cache=cache, today=MONDAY.date()
                           + dt.timedelta(weeks=3, days=6), weeks=4,
                           scheduler=cluster.scheduler_address, progress=progress)
    assert progress.killed is not None
    assert progress.labels[-1] == f"{len(names)}/{len(names)} athletes"
    assert sorted(a.name for a in result.athletes) == sorted(names)
    assert all(a.status == "ok" and a.report for a in result.athletes), [
        (a.name, a.error) for a in result.athletes]
    assert len(list((tmp_path / "out").glob("*.html"))) == len(names) + 1  # and the index


def test_a_path_the_worker_cannot_read_is_named(tmp_path, monkeypatch):
    from loadwatch import cluster as cluster_mod

    hidden = ROSTER.parent / "alex"
    monkeypatch.setattr(cluster_mod, "_readable", lambda p: Path(p) != hidden)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as c:
        result = run_batch(read_roster(ROSTER), tmp_path / "out", cache=None, today=TODAY,
                           scheduler=c.scheduler_address)
    alex = next(a for a in result.athletes if a.name == "Alex")
    assert alex.status == "failed"
    assert f"cannot read {hidden} " in alex.error and "filesystem the workers share" in alex.error
    assert next(a for a in result.athletes if a.name == "Sam").status == "ok"


def test_scheduler_from_option_environment_or_roster(tmp_path, monkeypatch):
    from loadwatch.cluster import scheduler_address

    roster_file = tmp_path / "roster.toml"
    roster_file.write_text('[cluster]\nscheduler = "tcp://roster:8786"\n'
                           '[[athlete]]\nname = "A"\npaths = ["a"]\n')
    roster = read_roster(roster_file)
    monkeypatch.delenv("LOADWATCH_SCHEDULER", raising=False)
    assert scheduler_address(None, roster) == "tcp://roster:8786"
    monkeypatch.setenv("LOADWATCH_SCHEDULER", "tcp://env:8786")
    assert scheduler_address(None, roster) == "tcp://env:8786"
    assert scheduler_address("tcp://option:8786", roster) == "tcp://option:8786"
    assert scheduler_address(None, None) == "tcp://env:8786"


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("loadwatch.cluster.CONNECT_TIMEOUT_S", 1)
    result = CliRunner().invoke(cli, ["batch", str(ROSTER), "-o", str(tmp_path / "out"),
                                      "--no-cache", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output


def test_dask_is_imported_only_when_asked_for():
    code = ("import sys, loadwatch, loadwatch.batch, loadwatch.cli, loadwatch.cluster; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
