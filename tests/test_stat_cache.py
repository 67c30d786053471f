"""A warm run does not read files whose stat the parse cache knows, and never trusts a
stat it should not: a same-size rewrite with the old mtime, a file written within the
racy window, a stat whose parsed row is gone."""

from __future__ import annotations

import gzip
import os
import sqlite3
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from loadwatch import cache as cache_module
from loadwatch import incremental, sources
from loadwatch.cache import DB_NAME, Cache
from loadwatch.read import read_activities
from tests import hostile

DAY_NS = 86_400 * 10**9


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Three GPX runs and a gzipped one."""
    folder = tmp_path / "runs"
    folder.mkdir()
    for minute in (0, 10, 20):
        (folder / f"run{minute}.gpx").write_bytes(hostile.gpx(30, start_minute=minute))
    (folder / "run30.gpx.gz").write_bytes(gzip.compress(hostile.gpx(30, start_minute=30)))
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files opened for reading by the walk."""
    opened: list[str] = []
    real = sources.read_regular_stat

    def counting(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sources, "read_regular_stat", counting)
    return opened


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled at once (a test cannot wait the 2 s racy window; the
    ctime of a file written by the test is always 'now')."""
    monkeypatch.setattr(incremental, "RACY_NS", -DAY_NS)


def _read(folder: Path, cache_dir: Path) -> pd.DataFrame:
    with Cache(cache_dir) as cache:
        return read_activities([folder], cache=cache).activities


def test_a_warm_run_reads_no_file_and_gives_the_same_table(history, tmp_path, reads, settled):
    cold = _read(history, tmp_path / "cache")
    assert sorted(reads) == ["run0.gpx", "run10.gpx", "run20.gpx", "run30.gpx.gz"]
    reads.clear()
    warm = _read(history, tmp_path / "cache")
    assert reads == []
    pd.testing.assert_frame_equal(cold, warm)
    assert len(warm) == 4


def test_a_same_size_rewrite_with_the_old_mtime_is_read(history, tmp_path, reads, settled):
    _read(history, tmp_path / "cache")
    path = history / "run10.gpx"
    before = os.stat(path)
    path.write_bytes(hostile.gpx(30, start_minute=50))  # same size, other start
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime still changes
    assert os.stat(path).st_size == before.st_size
    reads.clear()
    warm = _read(history, tmp_path / "cache")
    assert reads == ["run10.gpx"]
    assert pd.Timestamp("2024-05-04 07:50:00", tz="UTC") in set(warm["start_time"])
    assert pd.Timestamp("2024-05-04 07:10:00", tz="UTC") not in set(warm["start_time"])


def test_a_file_changed_within_the_racy_window_is_read_again(history, tmp_path, reads,
                                                              monkeypatch):
    # every file was just written (its ctime is now): none is remembered, all are read
    _read(history, tmp_path / "cache")
    reads.clear()
    _read(history, tmp_path / "cache")
    assert len(reads) == 4
    # the same files, remembered by a run 3 s later (past the 2 s window): not read again
    later = time.time_ns() + 3 * 10**9
    monkeypatch.setattr(cache_module, "time", types.SimpleNamespace(time_ns=lambda: later))
    _read(history, tmp_path / "cache")
    reads.clear()
    _read(history, tmp_path / "cache")
    assert reads == []


def test_a_known_stat_whose_row_is_gone_is_read_and_parsed(history, tmp_path, reads, settled):
    cold = _read(history, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / DB_NAME) as db:
        db.execute("DELETE FROM parsed")
    reads.clear()
    warm = _read(history, tmp_path / "cache")
    assert sorted(reads) == ["run0.gpx", "run10.gpx", "run20.gpx", "run30.gpx.gz"]
    pd.testing.assert_frame_equal(cold, warm)


def test_a_removed_file_is_gone_and_a_renamed_one_is_read_once(history, tmp_path, reads,
                                                              settled):
    _read(history, tmp_path / "cache")
    (history / "run0.gpx").unlink()
    (history / "run20.gpx").rename(history / "renamed.gpx")
    reads.clear()
    warm = _read(history, tmp_path / "cache")
    assert reads == ["renamed.gpx"]  # a new path: read, its content a cache hit
    assert sorted(Path(s).name for s in warm["source"]) == [
        "renamed.gpx", "run10.gpx", "run30.gpx.gz"]


def test_a_store_from_before_the_stat_table_gains_it(history, tmp_path, reads, settled):
    _read(history, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / DB_NAME) as db:
        db.execute("DROP TABLE seen")
    reads.clear()
    _read(history, tmp_path / "cache")  # reads (no table), recreates it, remembers
    assert len(reads) == 4
    reads.clear()
    _read(history, tmp_path / "cache")
    assert reads == []


def test_without_a_cache_every_file_is_read(history, reads):
    read_activities([history])
    read_activities([history])
    assert len(reads) == 8
