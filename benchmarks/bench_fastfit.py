"""Benchmark: cold import of 1 Hz FIT files against the naive serial fitparse loop.

Makes ``--copies`` distinct copies of each 1 Hz real FIT file under ../shared/realdata/fit
(every timestamp field moved by whole days, the CRC fixed; each copy is checked to decode
with the moved start), then measures in this one process the median of ``--runs`` of:

- **baseline**: fitparse ``FitFile(...).get_messages("record")`` into a DataFrame per file,
  serial (the loop a user would write);
- **cold**: :func:`loadwatch.read.read_activities`, no cache, ``--jobs`` processes.

    .venv/bin/python benchmarks/bench_fastfit.py [--copies 4] [--runs 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fitparse import FitFile  # noqa: E402

from loadwatch.importers import fastfit, fit  # noqa: E402
from loadwatch.read import read_activities  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata" / "fit"
if not REALDATA.is_dir():
    REALDATA = Path("/work/shared/realdata/fit")
#: Real files recorded at 1 Hz (MANIFEST.md: "~1 s").
ONE_HZ = ["fitparse__activity-small-fenix2-run.fit", "fitparse__developer-types-sample.fit",
          "fitparse__Edge810-Vector-2013-08-16-15-35-10.fit", "gc__Garmin920_withFirstbeat.fit",
          "workoutizer__run_with_coordinates.fit", "sportslib__garmin.fit"]
TARGET = 25.0
DAY_S = 86_400


def shifted(data: bytes, days: int) -> bytes:
    """``data`` with every uint32 timestamp (field 253, start_time...) ``days`` later."""
    reader = fastfit._Reader(data, frozenset(), frozenset())
    reader.run_parts()
    out = np.frombuffer(bytearray(data), dtype=np.uint8).copy()
    for d in reader.definitions:
        if not d.offsets:
            continue
        offs = np.asarray(d.offsets, dtype=np.int64)
        for fd in d.fields:
            name = getattr(fd.field, "name", "")
            dated = fd.num == 253 or name in ("start_time", "time_created", "local_timestamp")
            if fd.dev or not dated or fd.base.name != "uint32" or fd.size != 4:
                continue
            idx = offs[:, None] + (fd.offset + np.arange(4))
            dtype = np.dtype(d.endian + "u4")
            raw = out[idx].copy().view(dtype).ravel()
            ok = raw != 0xFFFFFFFF
            raw[ok] += np.uint32(days * DAY_S)
            out[idx] = raw.astype(dtype).view(np.uint8).reshape(-1, 4)
    body = out[:-2].tobytes()
    return body + fastfit.crc16(body).to_bytes(2, "little")


def make_copies(folder: Path, copies: int) -> list[Path]:
    paths = []
    for name in ONE_HZ:
        data = (REALDATA / name).read_bytes()
        first = fit.read(data, name)[0].summary["start_time"]
        for k in range(1, copies + 1):
            copy = shifted(data, 7 * k)
            start = fit.read(copy, name)[0].summary["start_time"]
            assert start - first == pd.Timedelta(days=7 * k), (name, k)
            assert fastfit.crc16(copy[:-2]) == int.from_bytes(copy[-2:], "little")
            path = folder / f"{k:02d}-{name}"
            path.write_bytes(copy)
            paths.append(path)
    return paths


def baseline(paths: list[Path]) -> None:
    for path in paths:
        rows = [m.get_values() for m in FitFile(str(path)).get_messages("record")]
        pd.DataFrame(rows)


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ns = parser.parse_args()
    os.environ["LOADWATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="lwbench-cache-")
    with tempfile.TemporaryDirectory(prefix="lwbench-fit-") as tmp:
        folder = Path(tmp)
        paths = make_copies(folder, ns.copies)
        mb = sum(p.stat().st_size for p in paths) / 2**20
        print(f"{len(paths)} distinct 1 Hz FIT copies, {mb:.1f} MB; load average "
              f"{os.getloadavg()[0]:.1f}; jobs {ns.jobs}; median of {ns.runs}")
        base = median_time(lambda: baseline(paths), ns.runs)
        before = fit.DECODER_COUNTS["fitparse"]
        cold = median_time(lambda: read_activities([folder], jobs=ns.jobs), ns.runs)
        serial = median_time(lambda: read_activities([folder], jobs=1), ns.runs)
        fell_back = fit.DECODER_COUNTS["fitparse"] - before
        print(f"  baseline (fitparse records -> DataFrame, serial)  {base:7.2f} s")
        print(f"  loadwatch serial, no cache                        {serial:7.2f} s   "
              f"baseline/serial {base / serial:6.1f}x")
        print(f"  cold import (no cache, jobs {ns.jobs})                  {cold:7.2f} s   "
              f"baseline/cold   {base / cold:6.1f}x  (target >= {TARGET:g}x)")
        print(f"  files decoded by fitparse (fast decoder declined, serial runs): {fell_back}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
