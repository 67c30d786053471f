"""The parsed-file cache: round trips, version and corruption handling, concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3

import numpy as np
import pandas as pd

from loadwatch.cache import CACHE_VERSION, DB_NAME, Cache, decode, encode


def test_payload_round_trip_keeps_timestamps_arrays_and_missing_values():
    payload = {
        "rows": [
            {
                "start_time": pd.Timestamp("2026-03-02 06:30:00", tz="UTC"),
                "distance_km": 10.5,
                "avg_hr": float("nan"),
                "hr_hist_s": np.arange(5, dtype="float32"),
                "title": None,
            }
        ],
        "problems": [],
    }
    back = decode(encode(payload))
    row = back["rows"][0]
    assert row["start_time"] == pd.Timestamp("2026-03-02 06:30:00", tz="UTC")
    assert row["distance_km"] == 10.5
    assert row["avg_hr"] is None
    assert row["hr_hist_s"].dtype == np.float32
    assert row["hr_hist_s"].tolist() == [0, 1, 2, 3, 4]


#: A parse result as :func:`loadwatch.read.parse_item` returns it (the only shape kept).
PARSED = {"activities": [], "problems": [{"reason": "no activity in the file",
                                           "kind": "skipped"}]}


def test_put_then_get_counts_hits_and_misses(tmp_path):
    with Cache(tmp_path) as cache:
        cache.put_many({"a" * 40: (10, PARSED)})
        got = cache.get_many(["a" * 40, "b" * 40])
    assert got == {"a" * 40: PARSED}
    assert (cache.hits, cache.misses) == (1, 1)
    with Cache(tmp_path) as again:
        assert len(again) == 1
        assert again.notices == []


def test_corrupt_cache_is_rebuilt_with_a_notice(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with Cache(tmp_path) as cache:
        assert any("rebuilding" in n for n in cache.notices)
        cache.put_many({"k": (1, PARSED)})
        assert cache.get_many(["k"]) == {"k": PARSED}


def test_cache_from_another_version_is_discarded(tmp_path):
    with Cache(tmp_path) as cache:
        cache.put_many({"k": (1, "old")})
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute(f"PRAGMA user_version = {CACHE_VERSION + 1}")
    db.commit()
    db.close()
    with Cache(tmp_path) as cache:
        assert any("another version" in n for n in cache.notices)
        assert cache.get_many(["k"]) == {}


def _writer(directory: str, prefix: str) -> None:
    with Cache(directory) as cache:
        for i in range(40):
            cache.put_many({f"{prefix}{i}": (i, {"i": i})})


def test_two_processes_writing_at_once_do_not_corrupt_it(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), p)) for p in ("x", "y")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Cache(tmp_path) as cache:
        assert cache.notices == []
        assert len(cache) == 80
