"""Benchmark: rules and report for one athlete-year, warm (files already in the cache).

An athlete-year of 250 runs: distinct copies of real FIT files (bench_warm's sources,
35 h apart: 5 a week), cached the way bench_warm caches them. Measured in this process,
median of ``--runs``: :func:`loadwatch.pipeline.analyse` with the warm cache (read, frames,
every rule, envelope) and :func:`loadwatch.report.write_report` (the full HTML report),
each part on its own and together. Target (issue 13): read + rules + report < 2 s. The
baseline beside it is bench_rules' naive per-week loop (two rules only) on the same
activities.

    .venv/bin/python benchmarks/bench_year.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import load_note, median_seconds, verdict
from bench_rules import naive
from bench_warm import make_history

from loadwatch.cache import Cache
from loadwatch.pipeline import analyse
from loadwatch.report import write_report

RUNS_PER_YEAR = 250
TARGET_S = 2.0
WEEKS = 16


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lwbench-year-") as tmp:
        folder = Path(tmp) / "year"
        folder.mkdir()
        with Cache(Path(tmp) / "cache") as cache:
            make_history(folder, cache, RUNS_PER_YEAR, spacing_h=7 * 24 / 5)
            first = analyse([folder], cache=cache)
            today = first.activities["start_time"].max().date()
            out = Path(tmp) / "report.html"
            print(f"athlete-year: {len(first.activities)} activities "
                  f"({first.activities['start_time'].min():%Y-%m-%d} to {today}), "
                  f"--today {today}; median of {ns.runs}\n{load_note()}")
            both, reports = [], []
            for _ in range(ns.runs):
                t0 = time.perf_counter()
                a = analyse([folder], cache=cache, today=today)
                t1 = time.perf_counter()
                write_report(a, out, weeks=WEEKS)
                t2 = time.perf_counter()
                both.append(t2 - t0)
                reports.append(t2 - t1)
            acts = a.activities
            base = median_seconds(lambda: naive(acts), ns.runs)
        total = statistics.median(both)
        report = statistics.median(reports)
        print(f"  analyse (warm read, frames, rules, envelope)   {total - report:6.2f} s")
        print(f"  report (context, 12 figures, HTML)             {report:6.2f} s")
        print(f"  rules + report, warm                           {total:6.2f} s   "
              f"(target < {TARGET_S:g} s: {verdict(total, TARGET_S - 1e-9, at_most=True)})")
        print(f"  naive per-week loop (2 rules only)             {base:6.2f} s   "
              f"naive/analyse {base / (total - report):5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
