"""Benchmark: GPX import, gpxpy's object model against the array path, on the real files.

For every GPX file under ../shared/realdata/gpx (75 files), in this one process, the
median of ``--runs`` of :func:`loadwatch.importers.gpx.read` three ways, interleaved file
by file so that the machine's noise falls on all alike:

- **gpxpy**: the reference path (``ARRAY_PATH`` off, defusedxml parse: before issue 13);
- **array**: track points straight from the tree into arrays, defusedxml parse;
- **array + plain parse**: the same with xmlsafe's C-parser path for DTD-free documents
  (the default).

Prints the median ms per file of each, the ratios of the totals, and the parse's share.

    .venv/bin/python benchmarks/bench_gpx.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import REALDATA, load_note, times

from loadwatch import xmlsafe
from loadwatch.importers import gpx

WAYS = {"gpxpy": (False, False), "array": (True, False), "array + plain parse": (True, True)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ns = ap.parse_args()
    paths = sorted((REALDATA / "gpx").rglob("*.gpx"))
    per_file: dict[str, list[float]] = {way: [] for way in WAYS}
    parse_only: list[float] = []
    for path in paths:
        data = path.read_bytes()
        for way, (array, plain) in WAYS.items():
            gpx.ARRAY_PATH, xmlsafe.PLAIN_PARSE = array, plain
            per_file[way].append(statistics.median(
                times(lambda d=data: gpx.read(d, "x"), ns.runs)))  # type: ignore[misc]
        parse_only.append(statistics.median(times(
            lambda d=data: xmlsafe.parse(d, "GPX", point_tags=("trkpt",),  # type: ignore[misc]
                                         plain_namespace=True),
            ns.runs)))
    gpx.ARRAY_PATH, xmlsafe.PLAIN_PARSE = True, True
    mb = sum(p.stat().st_size for p in paths) / 2**20
    print(f"{len(paths)} real GPX files, {mb:.1f} MB; median of {ns.runs} per file\n"
          f"{load_note()}")
    ref = sum(per_file["gpxpy"])
    for way, secs in per_file.items():
        print(f"  {way:<22} median {statistics.median(secs) * 1e3:7.1f} ms/file, "
              f"total {sum(secs):6.2f} s   gpxpy/this {ref / sum(secs):5.2f}x")
    share = sum(parse_only) / sum(per_file["array + plain parse"])
    print(f"  of which the safe parse (plain) {share:.0%} of the default path's time")
    print(f"  files read by the array path: {gpx.DECODER_COUNTS['array']}, by gpxpy as "
          f"fallback: {sum(gpx.FALLBACK_REASONS.values())} {dict(gpx.FALLBACK_REASONS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
