"""Benchmark: a 40-athlete batch on the local process pool and on a 2-worker Dask cluster.

Generates a deterministic roster (``--athletes`` athletes, ``--runs-each`` runs each, FIT
and GPX tracks of ``scripts/make_sample_data.py``, every athlete's files distinct), then
measures, side by side in this one process, the median of ``--runs`` repetitions of
``run_batch`` with a report per athlete:

- **local cold / warm**: the process pool (``--jobs``), empty cache, then warm;
- **cluster cold / warm**: a ``LocalCluster(processes=True, n_workers=2,
  threads_per_worker=1)`` on 127.0.0.1 through ``scheduler=``, the same two cases.

The overhead per athlete is (cluster - local) / athletes: what the scan task, shipping
the cached payloads and the scheduler's round trips cost on one machine. Needs the
``cluster`` extra.

    .venv/bin/python benchmarks/bench_cluster.py [--athletes 40] [--runs-each 12] [--runs 3]
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

from bench_import import generate  # noqa: E402

from loadwatch.batch import run_batch  # noqa: E402
from loadwatch.cache import Cache  # noqa: E402
from loadwatch.roster import Roster, RosterAthlete  # noqa: E402


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
    ap.add_argument("--athletes", type=int, default=40)
    ap.add_argument("--runs-each", type=int, default=12, help="activity files per athlete")
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measure (median)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="lw-bench-cluster-") as name:
        tmp = Path(name)
        t0 = time.perf_counter()
        athletes = []
        for i in range(args.athletes):
            folder = tmp / "squad" / f"a{i:03d}"
            generate(folder, n=args.runs_each, first=i * args.runs_each)
            athletes.append(RosterAthlete(f"Athlete {i + 1}", (folder,)))
        roster = Roster(tmp / "roster.toml", tuple(athletes))
        ready = time.perf_counter() - t0
        files = args.athletes * args.runs_each

        def batch(cache_dir: Path, scheduler: str | None) -> None:
            with Cache(cache_dir) as cache:
                run_batch(roster, tmp / "out", jobs=args.jobs, cache=cache, scheduler=scheduler)

        def wipe(cache_dir: Path) -> Callable[[], None]:
            return lambda: shutil.rmtree(cache_dir, ignore_errors=True)

        local_dir, cluster_dir = tmp / "cache-local", tmp / "cache-cluster"
        cold_local = median_seconds(lambda: batch(local_dir, None), args.runs, wipe(local_dir))
        warm_local = median_seconds(lambda: batch(local_dir, None), args.runs)
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=":0") as cluster:
            start = time.perf_counter() - t0
            address = cluster.scheduler_address
            cold_cluster = median_seconds(lambda: batch(cluster_dir, address), args.runs,
                                          wipe(cluster_dir))
            warm_cluster = median_seconds(lambda: batch(cluster_dir, address), args.runs)

    n = args.athletes
    print(f"roster: {n} athletes x {args.runs_each} files ({files} files), ready in "
          f"{ready:.1f} s; cpu_count {os.cpu_count()}, local jobs {args.jobs}, "
          f"median of {args.runs}; cluster start {start:.1f} s (not counted)")
    for label, local, remote in (("cold", cold_local, cold_cluster),
                                 ("warm", warm_local, warm_cluster)):
        print(f"  {label}: local pool {local:7.2f} s   2-worker cluster {remote:7.2f} s   "
              f"ratio {remote / local:4.2f}x   overhead {(remote - local) / n * 1000:+7.1f} ms "
              "per athlete")


if __name__ == "__main__":
    main()
