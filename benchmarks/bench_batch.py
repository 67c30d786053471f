"""Benchmark: a squad's warm ``batch`` with nothing new, and the weekly cron of one athlete.

Realistic files: distinct copies of the real 1 Hz FIT files under ../shared/realdata/fit
(every timestamp moved by whole days and the CRC fixed, as in ``bench_fastfit.py``; one
copy of each source is decoded to check it moved). Every athlete's files are their own.
Measured in this one process, medians of ``--runs``:

- **warm batch, nothing changed**: ``run_batch`` of ``--athletes`` athletes into the folder
  of the previous run, warm cache: every report kept (target <= 3 s). Baseline: the same
  batch into a fresh folder (no manifest: every athlete analysed and drawn, as before
  incremental batches), so the ratio is what keeping reports saves;
- **warm batch, every file touched**: the same after ``touch`` of every file: stat keys
  differ, so each athlete's files are read and hashed once and found unchanged;
- **weekly cron**: one athlete with ``--history`` files, warm cache and last week's
  outputs, plus ``--new`` files never seen: ``run_batch`` of that athlete (target
  <= 30 s). Baseline: the naive serial fitparse loop (records into a DataFrame per file)
  over the new files alone, i.e. what a script pays merely to read them (timed on
  ``--naive-sample`` of them and scaled, as fitparse is slow).

    .venv/bin/python benchmarks/bench_batch.py [--athletes 10] [--files-each 60]
        [--history 300] [--new 150] [--naive-sample 12] [--runs 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fitcopy import DAY_S, shifted  # noqa: E402
from _timing import REALDATA  # noqa: E402
from bench_fastfit import ONE_HZ, baseline  # noqa: E402

from loadwatch.batch import run_batch  # noqa: E402
from loadwatch.cache import Cache  # noqa: E402
from loadwatch.importers import fastfit, fit  # noqa: E402
from loadwatch.roster import Roster, RosterAthlete  # noqa: E402

WARM_TARGET_S = 3.0
CRON_TARGET_S = 30.0
#: The files' mtime is set this far back (a weekly cron sees files days old).
AGE_S = 3 * DAY_S
#: Days between two copies of one real file; copies of one athlete differ by their salt.
SPREAD = 16
#: Salts of the cron athlete's old and new files (the squad's are 0 .. athletes - 1).
CRON_SALTS = (SPREAD - 2, SPREAD - 1)


def make_files(folder: Path, count: int, salt: int, sources: dict[str, bytes]) -> list[Path]:
    """``count`` distinct 1 Hz FIT files: the real ones moved by whole days, ``SPREAD``
    days per copy plus ``salt`` (< ``SPREAD``), so no two files of a run are the same."""
    assert 0 <= salt < SPREAD
    folder.mkdir(parents=True, exist_ok=True)
    names = sorted(sources)
    paths = []
    old = time.time() - AGE_S
    for k in range(count):
        name = names[k % len(names)]
        days = SPREAD * (k // len(names) + 1) + salt  # unique per (salt, copy)
        data = shifted(sources[name], days)
        assert fastfit.crc16(data[:-2]) == int.from_bytes(data[-2:], "little")
        path = folder / f"{salt:05d}-{k:04d}-{name}"
        path.write_bytes(data)
        os.utime(path, (old, old))
        paths.append(path)
    return paths


def load_sources() -> dict[str, bytes]:
    """The real 1 Hz files, each checked to move by a shift and still decode."""
    out = {}
    for name in ONE_HZ:
        data = (REALDATA / "fit" / name).read_bytes()
        first = fit.read(data, name)[0].summary["start_time"]
        moved = fit.read(shifted(data, 7), name)[0].summary["start_time"]
        assert (moved - first).total_seconds() == 7 * DAY_S, name
        out[name] = data
    return out


def median_seconds(fn: Callable[[], object], runs: int,
                   setup: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(runs):
        setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=10)
    ap.add_argument("--files-each", type=int, default=60, help="files per squad athlete")
    ap.add_argument("--history", type=int, default=300, help="cron athlete's old files")
    ap.add_argument("--new", type=int, default=150, help="cron athlete's new files")
    ap.add_argument("--naive-sample", type=int, default=12,
                    help="new files the naive loop reads (its time is scaled to --new)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measure (median)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if not 0 < args.athletes <= CRON_SALTS[0]:
        ap.error(f"--athletes must be 1 to {CRON_SALTS[0]}")
    sources = load_sources()

    with tempfile.TemporaryDirectory(prefix="lw-bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        squad = [RosterAthlete(f"Athlete {i + 1}", (tmp / "squad" / f"a{i}",))
                 for i in range(args.athletes)]
        files = [make_files(a.paths[0], args.files_each, i, sources)
                 for i, a in enumerate(squad)]
        size = sum(p.stat().st_size for fs in files for p in fs)
        roster = Roster(tmp / "roster.toml", tuple(squad))
        print(f"squad: {args.athletes} athletes x {args.files_each} distinct 1 Hz FIT files "
              f"({size / 2**20:.0f} MB), ready in {time.perf_counter() - t0:.1f} s; "
              f"cpu_count {os.cpu_count()}, jobs {args.jobs}, median of {args.runs}")

        cache = Cache(tmp / "cache")
        kept = tmp / "kept"

        def batch(out: Path) -> object:
            return run_batch(roster, out, jobs=args.jobs, cache=cache)

        t_cold = median_seconds(lambda: batch(tmp / "cold"), 1)
        batch(kept)
        batch(kept)  # the files are old now: the manifest holds their stat keys
        fresh = iter(range(10**6))
        t_full = median_seconds(lambda: batch(tmp / f"full-{next(fresh)}"), args.runs)
        t_warm = median_seconds(lambda: batch(kept), args.runs)
        reused = getattr(batch(kept), "reused", 0)

        def touch_all() -> None:
            now = time.time() - AGE_S + next(fresh)
            for fs in files:
                for p in fs:
                    os.utime(p, (now, now))

        t_touch = median_seconds(lambda: batch(kept), args.runs, setup=touch_all)
        cache.close()

        # weekly cron: last week's state (cache, outputs), then the new files arrive
        t0 = time.perf_counter()
        home = tmp / "cron" / "athlete"
        make_files(home / "history", args.history, CRON_SALTS[0], sources)
        one = Roster(tmp / "cron.toml", (RosterAthlete("Cron", (home,)),))
        with Cache(tmp / "cron-cache") as c:
            run_batch(one, tmp / "cron-out", jobs=args.jobs, cache=c)
        new = make_files(home / "new", args.new, CRON_SALTS[1], sources)
        print(f"cron: 1 athlete, {args.history} files seen last week + {args.new} new, "
              f"ready in {time.perf_counter() - t0:.1f} s")
        run_no = iter(range(10**6))
        state: list[Path] = []

        def last_week() -> None:
            k = next(run_no)
            shutil.copytree(tmp / "cron-cache", tmp / f"cron-cache-{k}")
            shutil.copytree(tmp / "cron-out", tmp / f"cron-out-{k}")
            state[:] = [tmp / f"cron-cache-{k}", tmp / f"cron-out-{k}"]

        def cron() -> None:
            with Cache(state[0]) as c:
                run_batch(one, state[1], jobs=args.jobs, cache=c)

        t_cron = median_seconds(cron, args.runs, setup=last_week)
        sample = new[: args.naive_sample]
        t_naive = median_seconds(lambda: baseline(sample), args.runs) * len(new) / len(sample)

    n = args.athletes
    print(f"  cold batch (empty cache, {n} athletes)                 {t_cold:7.2f} s")
    print(f"  baseline: warm batch, fresh folder (every report drawn) {t_full:7.2f} s")
    print(f"  warm batch, nothing changed ({reused}/{n} kept)             {t_warm:7.3f} s"
          f"   full/warm {t_full / t_warm:6.1f}x  (target <= {WARM_TARGET_S:.0f} s)")
    print(f"  warm batch, every file touched (read once, kept)     {t_touch:7.3f} s"
          f"   full/touched {t_full / t_touch:5.1f}x")
    print(f"  baseline: naive fitparse loop over the {args.new} new files  {t_naive:7.2f} s"
          f"   ({len(sample)} read, scaled)")
    print(f"  weekly cron, {args.history} + {args.new} new files, 1 athlete          "
          f"{t_cron:7.2f} s   naive/cron {t_naive / t_cron:5.2f}x  "
          f"(target <= {CRON_TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
