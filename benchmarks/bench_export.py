"""Benchmark: a Garmin-account-export-shaped zip, 30,000 members of which 2,000 activities.

Generates (deterministically, into a temporary folder) the shape of a real export: an
outer zip holding a few JSON files and the uploaded-files zip, whose members are 2,000
distinct 1 Hz activities (real files under ../shared/realdata/fit, every timestamp moved,
CRC fixed) and 28,000 small FIT files that are not activities (the real monitoring and
settings files, ``file_id.type`` monitoring_b / settings). Then runs, as a child process,
``loadwatch activities EXPORT --no-cache`` and measures its wall time and peak RSS (each
process's own high-water mark, VmHWM, and the sum over the process and its workers, both
sampled from /proc; see ``_timing.ChildRun``). The target is checked on the sum.

Targets (issue 13): imports, <= 60 s cold, peak RSS < 1 GB. The naive baseline (unzip
each member, fitparse it, records into a DataFrame) would take hours on the whole
archive, so it is timed on a sample of members in this process and scaled to the archive:
the ratio says so.

    .venv/bin/python benchmarks/bench_export.py [--activities 2000] [--members 30000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pandas as pd
from _fitcopy import DAY_S, Shifter
from _timing import REALDATA, load_note, loadwatch_cli, run_child, verdict
from bench_fastfit import ONE_HZ
from fitparse import FitFile

from loadwatch.importers import fit

NOT_ACTIVITIES = ["odd/fitparse__MonitoringFile.fit", "odd/fitparse__Settings.fit"]
TARGET_S = 60.0
TARGET_RSS_MB = 1024.0
UPLOADS = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"


def fast_path_sources() -> list[str]:
    """The 1 Hz sources that the fast decoder reads (the others go to fitparse)."""
    out = []
    for name in ONE_HZ:
        before = fit.DECODER_COUNTS["fast"]
        fit.read((REALDATA / "fit" / name).read_bytes(), name)
        if fit.DECODER_COUNTS["fast"] > before:
            out.append(name)
    return out


def make_export(path: Path, activities: int, members: int, sources: list[str] = ONE_HZ) -> int:
    """Write the export to ``path``; returns the bytes of its members uncompressed."""
    shifters = [Shifter((REALDATA / "fit" / name).read_bytes()) for name in sources]
    others = [(REALDATA / name).read_bytes() for name in NOT_ACTIVITIES]
    # activities spread evenly among the other members, as uploads interleave them
    every = members / activities
    at = {round(k * every) for k in range(activities)}
    raw = 0
    with tempfile.TemporaryFile() as inner:
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            k = 0
            for n in range(members):
                if n in at:
                    data = shifters[k % len(shifters)].copy((k + 1) * DAY_S)
                    name = f"user@example.com_{10_000_000 + n}.fit"
                    k += 1
                else:
                    data = others[n % len(others)]
                    name = f"user@example.com_{10_000_000 + n}_{n % 7}.fit"
                raw += len(data)
                zf.writestr(name, data)
        inner.seek(0)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as outer:
            outer.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", b'{"userName": "x"}')
            outer.writestr("DI_CONNECT/DI-Connect-Wellness/sleep.json", b"[]")
            with outer.open(UPLOADS, "w", force_zip64=True) as fh:
                while chunk := inner.read(2**20):
                    fh.write(chunk)
    return raw


def naive_sample(export: Path, sample: int) -> tuple[float, int]:
    """Seconds per member of the naive loop on the first ``sample`` members of each kind,
    weighted to the archive's mix: (seconds for the whole archive, members timed)."""
    with zipfile.ZipFile(export) as outer, outer.open(UPLOADS) as fh:
        inner = zipfile.ZipFile(io.BytesIO(fh.read()))
        infos = inner.infolist()
        acts = [i for i in infos if i.filename.count("_") == 1][:sample]
        rest = [i for i in infos if i.filename.count("_") == 2][: sample * 4]
        n_acts = sum(i.filename.count("_") == 1 for i in infos)
        per = []
        for group in (acts, rest):
            start = time.perf_counter()
            for info in group:
                fit = FitFile(io.BytesIO(inner.read(info)))
                pd.DataFrame([m.get_values() for m in fit.get_messages("record")])
            per.append((time.perf_counter() - start) / max(1, len(group)))
    return per[0] * n_acts + per[1] * (len(infos) - n_acts), len(acts) + len(rest)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--activities", type=int, default=2000)
    ap.add_argument("--members", type=int, default=30_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sample", type=int, default=10, help="activities timed for the baseline")
    ap.add_argument("--fast-sources", action="store_true",
                    help="activities only from the sources the fast decoder reads")
    ns = ap.parse_args()
    sources = fast_path_sources() if ns.fast_sources else ONE_HZ
    with tempfile.TemporaryDirectory(prefix="lwbench-export-") as tmp:
        export = Path(tmp) / "export.zip"
        t0 = time.perf_counter()
        raw = make_export(export, ns.activities, ns.members, sources)
        print(f"export: {ns.members:,} members ({ns.activities:,} activities at 1 Hz from "
              f"{len(sources)} sources), "
              f"{raw / 2**20:,.0f} MB uncompressed, {export.stat().st_size / 2**20:,.0f} MB "
              f"zipped, made in {time.perf_counter() - t0:.0f} s; jobs {ns.jobs}, median of "
              f"{ns.runs}\n{load_note()}")
        naive, timed = naive_sample(export, ns.sample)
        runs = [run_child(loadwatch_cli("activities", str(export), "--no-cache",
                                        "--jobs", str(ns.jobs)))
                for _ in range(ns.runs)]
        assert all(r.returncode == 0 for r in runs), [r.returncode for r in runs]
        wall = statistics.median(r.seconds for r in runs)
        rss = max(r.max_rss_mb for r in runs)
        tree = max(r.tree_rss_mb for r in runs)
        summary = re.search(r"^.*members: .*$", runs[0].stderr, re.MULTILINE)
        read = re.search(r"^Read .*$", runs[0].stderr, re.MULTILINE)
        print(f"  {read.group(0) if read else '(no summary line)'}")
        print(f"  {summary.group(0) if summary else '(no archive line)'}")
        print(f"  cold `loadwatch activities` (child process)   {wall:7.1f} s   "
              f"(target <= {TARGET_S:g} s: {verdict(wall, TARGET_S, at_most=True)}); "
              f"runs {', '.join(f'{r.seconds:.1f}' for r in runs)} s")
        print(f"  peak RSS, largest process (VmHWM)            {rss:7.0f} MB")
        print(f"  peak RSS, all processes at once (sampled)    {tree:7.0f} MB  "
              f"(target < {TARGET_RSS_MB:g} MB: {verdict(tree, TARGET_RSS_MB, at_most=True)})")
        print(f"  naive loop (unzip, fitparse, DataFrame), scaled from {timed} members "
              f"{naive:7.0f} s   naive/loadwatch {naive / wall:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
