"""Benchmark: warm ``loadwatch activities`` over 10,000 FIT files, nothing changed.

Writes ``--files`` distinct copies of real FIT files (1 Hz and smart-recording ones from
../shared/realdata/fit, cycled; every timestamp moved by whole hours, CRC fixed), fills a
cache for them, then runs ``loadwatch activities DIR --cache-dir CACHE`` as a child
process: once, shown apart (every file read, hashed and found in the cache by content;
their stats remembered), then ``--runs`` times for the target (every file found by its
stat, none read); nothing is parsed. Target (issue 13): <= 5 s.

A cold parse of 10,000 files takes many minutes on this machine, so the cache is filled
the way a cold run would fill it but faster: each source file is parsed once
(:func:`loadwatch.read.parse_item`) and its payload stored under every copy's key with the
start and id the copy has (checked against a real parse on a sample of copies). The
naive baseline (fitparse records into a DataFrame per file, no cache: the loop a user
would re-run) is timed on one copy of each source file and scaled to all files.

    .venv/bin/python benchmarks/bench_warm.py [--files 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pandas as pd
from _fitcopy import Shifter
from _timing import REALDATA, load_note, loadwatch_cli, run_child, verdict
from bench_fastfit import ONE_HZ, baseline

from loadwatch.cache import Cache
from loadwatch.read import activity_id, item_key, parse_item

#: Smart-recording files, which make up part of any long history.
SMART = ["fitparse__garmin-fenix-5-run.fit", "workoutizer__with_nones.fit",
         "gpsbabel__garmin-forerunner-10.fit", "fitparse__2013-02-06-12-11-14.fit",
         "fitfiler__tomtom-runner3-ride.fit"]
TARGET_S = 5.0
HOUR_S = 3600
#: Copies are this many hours apart (longer than any source recording: no overlaps),
#: the first on FIRST_START.
SPACING_H = 8
FIRST_START = pd.Timestamp("2025-06-02 06:30", tz="UTC")


def make_history(folder: Path, cache: Cache, files: int, spacing_h: float = SPACING_H) -> int:
    """Write the copies (``spacing_h`` hours apart) and cache their payloads; returns their
    total size."""
    sources = []
    for name in ONE_HZ + SMART:
        data = (REALDATA / "fit" / name).read_bytes()
        sources.append((name, data, Shifter(data), parse_item(data, name, name)))
    total = 0
    batch: dict[str, tuple[int, object]] = {}
    for k in range(files):
        name, data, shifter, payload = sources[k % len(sources)]
        start = payload["activities"][0]["summary"]["start_time"]
        when = FIRST_START + pd.Timedelta(hours=k * spacing_h)
        seconds = round((when - start).total_seconds())
        blob = shifter.copy(seconds)
        path = folder / f"{k // 1000:02d}" / f"{k:05d}-{name}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(blob)
        total += len(blob)
        moved = copy.deepcopy(payload)
        for index, act in enumerate(moved["activities"]):
            act["summary"]["start_time"] += pd.Timedelta(seconds=seconds)
            act["summary"]["activity_id"] = activity_id(blob, index)
        if k < len(sources) * 2:  # the shortcut gives what a parse gives
            real = parse_item(blob, path.name, str(path))
            assert [a["summary"]["start_time"] for a in real["activities"]] == \
                [a["summary"]["start_time"] for a in moved["activities"]], name
            assert [a["summary"]["activity_id"] for a in real["activities"]] == \
                [a["summary"]["activity_id"] for a in moved["activities"]], name
        batch[item_key(path.name, blob)] = (len(blob), moved)
        if len(batch) >= 500:
            cache.put_many(batch)
            batch = {}
    cache.put_many(batch)
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lwbench-warm-") as tmp:
        folder, cache_dir = Path(tmp) / "history", Path(tmp) / "cache"
        folder.mkdir()
        t0 = time.perf_counter()
        with Cache(cache_dir) as cache:
            size = make_history(folder, cache, ns.files)
        print(f"history: {ns.files:,} distinct FIT files ({len(ONE_HZ)} 1 Hz and {len(SMART)} "
              f"smart-recording sources cycled), {size / 2**20:,.0f} MB, cache filled in "
              f"{time.perf_counter() - t0:.0f} s; jobs {ns.jobs}, median of {ns.runs}\n"
              f"{load_note()}")
        samples = sorted(folder.glob("00/0000*"))[: len(ONE_HZ) + len(SMART)]
        t0 = time.perf_counter()
        baseline(samples)
        naive = (time.perf_counter() - t0) / len(samples) * ns.files
        argv = loadwatch_cli("activities", str(folder), "--cache-dir", str(cache_dir),
                             "--jobs", str(ns.jobs))
        # the first run finds every payload by content (the cache was filled without
        # stats): it reads and hashes every file and remembers their stats; the next
        # runs find them by stat and read none
        first = run_child(argv)
        runs = [run_child(argv) for _ in range(ns.runs)]
        assert all(r.returncode == 0 for r in [first, *runs]), \
            [r.returncode for r in [first, *runs]]
        wall = statistics.median(r.seconds for r in runs)
        read = next((ln for ln in runs[0].stderr.splitlines() if ln.startswith("Read ")), "?")
        print(f"  {read}")
        print(f"  warm, every file read and hashed (first run)  {first.seconds:7.2f} s   "
              f"peak RSS {first.max_rss_mb:.0f} MB")
        print(f"  warm `loadwatch activities` (child process)   {wall:7.2f} s   "
              f"(target <= {TARGET_S:g} s: {verdict(wall, TARGET_S, at_most=True)}); "
              f"runs {', '.join(f'{r.seconds:.2f}' for r in runs)} s; "
              f"peak RSS {max(r.max_rss_mb for r in runs):.0f} MB; no file read (stat keys)")
        print(f"  naive loop, no cache (fitparse, scaled from {len(samples)} files) "
              f"{naive:7.0f} s   naive/warm {naive / wall:7.0f}x   "
              f"first/warm {first.seconds / wall:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
