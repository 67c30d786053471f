"""export --scheduler: the workers write the Parquet files, the client commits the export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.cache import Cache
from loadwatch.cli import cli
from tests.test_batch import season

distributed = pytest.importorskip(
    "distributed", reason="export --scheduler needs the 'cluster' extra (dask[distributed])")
pytest.importorskip("pyarrow", reason="the Parquet export needs the 'export' extra (pyarrow)")

from loadwatch.export import EXPORT_TABLES, MANIFEST_NAME, export, read_table  # noqa: E402

ROSTER = Path(__file__).resolve().parent.parent / "sample_data" / "roster.toml"
TODAY = "2026-11-15"  # the sample season's last day


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}


def _manifest(out: Path) -> dict:
    doc = json.loads((out / MANIFEST_NAME).read_text())
    doc.pop("generated")
    return doc


def test_the_cluster_export_is_the_local_export(dask_cluster, tmp_path):
    result = CliRunner().invoke(cli, [
        "export", str(ROSTER), "-o", str(tmp_path / "remote"), "--today", TODAY,
        "--cache-dir", str(tmp_path / "cache"), "--scheduler", dask_cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    with Cache(tmp_path / "cache") as cache:
        assert len(cache) > 0  # the client stored what the workers parsed
        # the local export reads those payloads: what the workers parsed must give it all
        local = export([ROSTER], tmp_path / "local", cache=cache,
                       today=dt.date.fromisoformat(TODAY))
        assert cache.misses == 0
    assert [a["slug"] for a in local.athletes] == ["sam", "alex"]

    remote_files, local_files = _files(tmp_path / "remote"), _files(tmp_path / "local")
    assert "symptoms/athlete=sam/part-0.parquet" in remote_files
    assert sorted(remote_files) == sorted(local_files)
    assert remote_files == local_files  # the same bytes
    assert _manifest(tmp_path / "remote") == _manifest(tmp_path / "local")
    for table in EXPORT_TABLES:
        pd.testing.assert_frame_equal(read_table(tmp_path / "remote", table),
                                      read_table(tmp_path / "local", table), check_dtype=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "local", "remote"]


def test_a_worker_that_cannot_write_fails_the_export_naming_the_path(tmp_path, monkeypatch):
    from loadwatch import export as export_mod

    def refused(frame, table, path, athlete):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(export_mod, "write_table", refused)  # seen by the in-process worker
    season(tmp_path / "data" / "ada", weeks=2)
    roster = tmp_path / "data" / "roster.toml"
    roster.write_text('[[athlete]]\nname = "Ada"\npaths = ["ada"]\n')
    out = tmp_path / "export" / "squad"
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as c:
        result = CliRunner().invoke(cli, ["export", str(roster), "-o", str(out), "--no-cache",
                                          "--today", "2026-01-25", "--scheduler",
                                          c.scheduler_address])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert f"cannot write the export to {out}: worker " in message
    assert f"cannot write {out.parent}/.squad.partial-" in message
    assert "/athlete=ada/part-0.parquet: Permission denied" in message
    assert "filesystem the workers share" in message and "nothing was replaced" in message
    assert list(out.parent.iterdir()) == []  # no export, no staging folder left behind
