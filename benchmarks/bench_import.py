"""Benchmark: importing one athlete-year (250 runs, mixed FIT and GPX), cold, warm and batch.

Generates a deterministic synthetic archive into a temporary folder (the tracks of
``scripts/make_sample_data.py``: 5 s / 10 s smart recording with HR, cadence, altitude),
then measures, side by side in this one process, the median of ``--runs`` repetitions of:

- **baseline**: the loop a user would write: fitparse ``get_messages("record")`` into a
  DataFrame per FIT file, gpxpy per GPX file, serial;
- **cold**: :func:`loadwatch.read.read_activities` with an empty cache, default jobs
  (``os.cpu_count()``);
- **warm**: the same again, nothing changed (every file a cache hit);
- **one new file**: warm plus one file not seen before, against one file's parse;
- **batch**: ``run_batch`` over a roster of 10 athletes (each the same year), warm cache:
  analysis and a full HTML report per athlete, the index and summary.json.

    .venv/bin/python benchmarks/bench_import.py [--runs 3] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_sample_data as msd  # noqa: E402
from _timing import load_note, median_seconds  # noqa: E402

from loadwatch.batch import run_batch  # noqa: E402
from loadwatch.cache import Cache  # noqa: E402
from loadwatch.read import parse_item, read_activities  # noqa: E402
from loadwatch.roster import Roster, RosterAthlete  # noqa: E402

RUNS_PER_YEAR = 250
FIT_SHARE = 0.6  # the rest GPX, as a Garmin user with a few Strava exports would have
FIRST_DAY = date(2025, 1, 6)
ATHLETES_IN_BATCH = 10


def generate(folder: Path, n: int = RUNS_PER_YEAR, first: int = 0) -> list[Path]:
    """``n`` runs spread over a year (5 a week), 60 % FIT, 40 % GPX, deterministic."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(first, first + n):
        day = FIRST_DAY + timedelta(days=(k // 5) * 7 + (0, 1, 3, 4, 6)[k % 5])
        km = (8.0, 10.0, 6.0, 12.0, 18.0)[k % 5] + (k % 7) * 0.5
        segs = msd.long_run(msd.SAM, km) if k % 5 == 4 else msd.easy(msd.SAM, km)
        fmt = "fit" if (k * 0.618) % 1.0 < FIT_SHARE else "gpx"
        session = msd.Session(day, clock(7, 5), "easy", segs, fmt, f"Run {k}")
        track = msd.synthesise(msd.SAM, session, 10_000 + k)
        path = folder / f"{day:%Y-%m-%d}-{k:03d}.{fmt}"
        if fmt == "fit":
            path.write_bytes(msd.fit_bytes(track))
        else:
            path.write_text(msd.gpx_garmin(track))
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> int:
    """What a user would write without loadwatch: one DataFrame per file, serial."""
    import fitparse
    import gpxpy
    import pandas as pd

    rows = 0
    for path in paths:
        if path.suffix == ".fit":
            fit = fitparse.FitFile(str(path))
            frame = pd.DataFrame([m.get_values() for m in fit.get_messages("record")])
        else:
            with open(path, encoding="utf-8") as fh:
                gpx = gpxpy.parse(fh)
            frame = pd.DataFrame(
                [{"time": p.time, "lat": p.latitude, "lon": p.longitude, "ele": p.elevation}
                 for t in gpx.tracks for s in t.segments for p in s.points]
            )
        rows += len(frame)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measure (median)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="lw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        data = args.keep or tmp / "year"
        t0 = time.perf_counter()
        paths = sorted(data.glob("*.fit")) + sorted(data.glob("*.gpx"))
        if len(paths) != RUNS_PER_YEAR:
            paths = generate(data)
        n_fit = sum(p.suffix == ".fit" for p in paths)
        size = sum(p.stat().st_size for p in paths)
        print(f"archive: {len(paths)} runs ({n_fit} FIT, {len(paths) - n_fit} GPX), "
              f"{size / 2**20:.1f} MB, ready in {time.perf_counter() - t0:.1f} s; "
              f"cpu_count {os.cpu_count()}, jobs {args.jobs}, median of {args.runs}\n"
              f"{load_note()}")

        counter = iter(range(10**6))
        cold_dir: list[Path] = []

        def fresh_cache() -> None:
            cold_dir[:] = [tmp / f"cold-{next(counter)}"]

        def cold() -> None:
            with Cache(cold_dir[0]) as cache:
                read_activities([data], jobs=args.jobs, cache=cache)

        warm_cache = Cache(tmp / "warm")
        read_activities([data], jobs=args.jobs, cache=warm_cache)

        base = median_seconds(lambda: baseline(paths), args.runs)
        t_cold = median_seconds(cold, args.runs, setup=fresh_cache)
        t_serial = median_seconds(
            lambda: read_activities([data], jobs=1, cache=None), args.runs)
        t_warm = median_seconds(
            lambda: read_activities([data], jobs=args.jobs, cache=warm_cache), args.runs)

        extra = tmp / "extra"
        new_files = iter(generate(extra, n=args.runs, first=RUNS_PER_YEAR))
        added = data / "added"

        def add_one() -> None:
            added.mkdir(exist_ok=True)
            src = next(new_files)
            src.rename(added / src.name)

        t_new = median_seconds(
            lambda: read_activities([data], jobs=args.jobs, cache=warm_cache), args.runs,
            setup=add_one)
        for p in added.glob("*"):
            p.unlink()
        added.rmdir()
        one = paths[0]
        blob = one.read_bytes()
        t_one = median_seconds(lambda: parse_item(blob, one.name, str(one)), args.runs)

        roster = Roster(tmp / "roster.toml", tuple(
            RosterAthlete(f"Athlete {i + 1}", (data,)) for i in range(ATHLETES_IN_BATCH)))
        run_batch(roster, tmp / "batch", jobs=args.jobs, cache=warm_cache)  # warm-up
        t_batch = median_seconds(
            lambda: run_batch(roster, tmp / "batch", jobs=args.jobs, cache=warm_cache), args.runs)
        warm_cache.close()

    out = io.StringIO()
    w = out.write
    w(f"  baseline (fitparse/gpxpy -> DataFrame, serial) {base:7.2f} s\n")
    w(f"  loadwatch serial, no cache                     {t_serial:7.2f} s"
      f"   baseline/serial {base / t_serial:5.2f}x\n")
    w(f"  cold import (empty cache, jobs {args.jobs})            {t_cold:7.2f} s"
      f"   baseline/cold   {base / t_cold:5.2f}x  (target >= 2x)\n")
    w(f"  warm re-run (nothing changed)                  {t_warm:7.3f} s"
      f"   cold/warm      {t_cold / t_warm:6.1f}x  (target >= 50x)\n")
    w(f"  warm + one new file                            {t_new:7.3f} s"
      f"   extra {t_new - t_warm:.3f} s vs one file's parse {t_one:.3f} s\n")
    w(f"  batch, {ATHLETES_IN_BATCH} athletes x {len(paths)} runs, warm, reports   "
      f"{t_batch:7.2f} s   {t_batch / ATHLETES_IN_BATCH:.2f} s per athlete\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
