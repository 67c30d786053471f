"""Benchmark: a 40-athlete batch on the local process pool and on a 2-worker Dask cluster.

Generates a deterministic roster (``--athletes`` athletes, ``--runs-each`` runs each, FIT
and GPX tracks of ``scripts/make_sample_data.py``, every athlete's files distinct), then
times ``run_batch`` with a report per athlete, four ways, in this one process:

- **local cold / warm**: the process pool (``--jobs``), empty cache, then warm (parsed
  files cached); every run writes a fresh output folder, so every report is drawn
  (``bench_batch.py`` measures the batch that keeps last run's reports);
- **cluster cold / warm**: a ``LocalCluster(processes=True, n_workers=2,
  threads_per_worker=1)`` on 127.0.0.1 through ``scheduler=``, the same two cases.

Each repetition runs the four one after the other (local and cluster interleaved, so a
burst of load from other jobs on a shared machine falls on both), ``--runs`` times; the
medians are printed with their range. The overhead per athlete is (cluster - local) /
athletes: what the scan task, shipping the cached payloads and the scheduler's round
trips cost on one machine. The cluster's start is timed apart and not counted. The load
average before and after is printed: on a shared machine compare the ratios, not the
seconds. Needs the ``cluster`` extra.

    .venv/bin/python benchmarks/bench_cluster.py [--athletes 40] [--runs-each 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import import generate  # noqa: E402

from loadwatch.batch import run_batch  # noqa: E402
from loadwatch.cache import Cache  # noqa: E402
from loadwatch.roster import Roster, RosterAthlete  # noqa: E402

MEASURES = ("local cold", "cluster cold", "local warm", "cluster warm")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=40)
    ap.add_argument("--runs-each", type=int, default=5, help="activity files per athlete")
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measure (median)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    from distributed import LocalCluster

    # the nanny's "still alive after 4 s, killing" on a busy machine's shutdown is noise
    logging.getLogger("distributed").setLevel(logging.ERROR)
    before = _load()
    times: dict[str, list[float]] = {m: [] for m in MEASURES}
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

        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=":0") as cluster:
            start = time.perf_counter() - t0
            for rep in range(args.runs):
                for measure in MEASURES:
                    where, state = measure.split()
                    cache_dir = tmp / f"cache-{where}"
                    if state == "cold":
                        shutil.rmtree(cache_dir, ignore_errors=True)
                    scheduler = cluster.scheduler_address if where == "cluster" else None
                    with Cache(cache_dir) as cache:
                        t0 = time.perf_counter()
                        # a fresh output folder each time: into the last run's folder,
                        # the batch keeps every report (nothing changed) and draws none
                        out = tmp / f"out-{where}-{state}-{rep}"
                        result = run_batch(roster, out, jobs=args.jobs, cache=cache,
                                           scheduler=scheduler)
                        times[measure].append(time.perf_counter() - t0)
                    bad = [(a.name, a.error) for a in result.athletes if a.status != "ok"]
                    if bad:
                        raise SystemExit(f"{measure}: athletes not analysed: {bad[:3]}")
                    print(f"  run {rep + 1} {measure:<12} {times[measure][-1]:6.1f} s",
                          file=sys.stderr, flush=True)

    n = args.athletes
    med = {m: statistics.median(t) for m, t in times.items()}
    print(f"roster: {n} athletes x {args.runs_each} files ({n * args.runs_each} files), "
          f"ready in {ready:.1f} s; cpu_count {os.cpu_count()}, local jobs {args.jobs}, "
          f"median of {args.runs} (range in brackets); cluster start {start:.1f} s "
          "(not counted)")
    print(f"  before: {before}; after: {_load()}")
    for state in ("cold", "warm"):
        local, remote = med[f"local {state}"], med[f"cluster {state}"]
        spread = "   ".join(f"[{min(times[m]):.1f}-{max(times[m]):.1f}]"
                           for m in (f"local {state}", f"cluster {state}"))
        print(f"  {state}: local pool {local:6.1f} s   2-worker cluster {remote:6.1f} s   "
              f"ratio {remote / local:4.2f}x   overhead {(remote - local) / n * 1000:+6.0f} ms "
              f"per athlete   {spread}")


if __name__ == "__main__":
    main()
