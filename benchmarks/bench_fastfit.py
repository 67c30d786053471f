"""Benchmark: cold import of 1 Hz FIT files against the naive serial fitparse loop.

Makes ``--copies`` distinct copies of each 1 Hz real FIT file under ../shared/realdata/fit
(every timestamp field moved by whole weeks, the CRC fixed; each copy is checked to decode
with the moved start), then measures in this one process the median of ``--runs`` of:

- **baseline**: fitparse ``FitFile(...).get_messages("record")`` into a DataFrame per file,
  serial (the loop a user would write);
- **cold**: :func:`loadwatch.read.read_activities`, no cache, ``--jobs`` processes;
- **serial**: the same with one process.

Target: baseline/cold >= 25x (issue 13).

    .venv/bin/python benchmarks/bench_fastfit.py [--copies 4] [--runs 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pandas as pd
from _fitcopy import DAY_S, Shifter
from _timing import REALDATA, load_note, median_seconds, verdict
from fitparse import FitFile

from loadwatch.importers import fastfit, fit
from loadwatch.read import read_activities

#: Real files recorded at 1 Hz (MANIFEST.md: "~1 s").
ONE_HZ = ["fitparse__activity-small-fenix2-run.fit", "fitparse__developer-types-sample.fit",
          "fitparse__Edge810-Vector-2013-08-16-15-35-10.fit", "gc__Garmin920_withFirstbeat.fit",
          "workoutizer__run_with_coordinates.fit", "sportslib__garmin.fit"]
TARGET = 25.0


def make_copies(folder: Path, copies: int, names: list[str] = ONE_HZ) -> list[Path]:
    """``copies`` distinct copies of each file of ``names``, each checked to decode."""
    paths = []
    for name in names:
        data = (REALDATA / "fit" / name).read_bytes()
        first = fit.read(data, name)[0].summary["start_time"]
        shifter = Shifter(data)
        for k in range(1, copies + 1):
            copy = shifter.copy(7 * k * DAY_S)
            start = fit.read(copy, name)[0].summary["start_time"]
            assert start - first == pd.Timedelta(days=7 * k), (name, k)
            assert fastfit.crc16(copy[:-2]) == int.from_bytes(copy[-2:], "little")
            path = folder / f"{k:02d}-{name}"
            path.write_bytes(copy)
            paths.append(path)
    return paths


def baseline(paths: list[Path]) -> None:
    """The naive loop: fitparse records into a DataFrame per file, serial."""
    for path in paths:
        rows = [m.get_values() for m in FitFile(str(path)).get_messages("record")]
        pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--fast-sources", action="store_true",
                        help="only the sources the fast decoder reads (no fitparse fallback)")
    ns = parser.parse_args()
    os.environ["LOADWATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="lwbench-cache-")
    with tempfile.TemporaryDirectory(prefix="lwbench-fit-") as tmp:
        folder = Path(tmp)
        names = ONE_HZ
        if ns.fast_sources:
            names = []
            for name in ONE_HZ:
                before = fit.DECODER_COUNTS["fast"]
                fit.read((REALDATA / "fit" / name).read_bytes(), name)
                names += [name] if fit.DECODER_COUNTS["fast"] > before else []
        paths = make_copies(folder, ns.copies, names)
        mb = sum(p.stat().st_size for p in paths) / 2**20
        print(f"{len(paths)} distinct 1 Hz FIT copies, {mb:.1f} MB; jobs {ns.jobs}; "
              f"median of {ns.runs}\n{load_note()}")
        base = median_seconds(lambda: baseline(paths), ns.runs)
        cold = median_seconds(lambda: read_activities([folder], jobs=ns.jobs), ns.runs)
        before = fit.DECODER_COUNTS["fitparse"]
        serial = median_seconds(lambda: read_activities([folder], jobs=1), ns.runs)
        fell_back = (fit.DECODER_COUNTS["fitparse"] - before) // ns.runs
        print(f"  baseline (fitparse records -> DataFrame, serial)  {base:7.2f} s")
        print(f"  loadwatch serial, no cache                        {serial:7.2f} s   "
              f"baseline/serial {base / serial:6.1f}x")
        print(f"  cold import (no cache, jobs {ns.jobs})                  {cold:7.2f} s   "
              f"baseline/cold   {base / cold:6.1f}x  (target >= {TARGET:g}x: "
              f"{verdict(base / cold, TARGET, at_most=False)})")
        print(f"  files decoded by fitparse (fast decoder declined): {fell_back} of {len(paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
