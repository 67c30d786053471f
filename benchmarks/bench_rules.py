"""Frames + rules on 10 years of daily runs (3,650 activities with HR histograms).

Prints the median of 5 runs of loadwatch's pipeline (prepare, daily/weekly/shoe frames,
every rule, envelope) and of a naive per-week loop a user might write for just two of the
rules (weekly distance jump and long-run spike), and their ratio.

    .venv/bin/python benchmarks/bench_rules.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import pandas as pd
from _timing import load_note, median_seconds

from loadwatch import frames, schema
from loadwatch.rules.evaluators import envelope, evaluate
from loadwatch.settings import Settings

SETTINGS = Settings(max_hr=190, resting_hr=50, shoes=())


def season(days: int = 3650, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2016-01-04 06:30", tz="UTC") + pd.to_timedelta(np.arange(days), "D")
    km = np.clip(rng.normal(9, 3, days), 2, 35)
    hists = []
    for k in km:
        h = np.zeros(schema.HR_BINS)
        h[rng.integers(120, 185, 40)] += k * 330 / 40
        hists.append(h)
    return schema.conform(pd.DataFrame({
        "activity_id": [f"{i:016x}" for i in range(days)],
        "source": "/bench/a.fit", "format": "fit", "start_time": start, "sport": "running",
        "distance_km": km, "moving_s": km * 330, "elapsed_s": km * 340,
        "descent_m": rng.gamma(2, 40, days), "shoe": np.where(np.arange(days) % 2, "A", "B"),
        "hr_hist_s": hists,
    }), schema.ACTIVITY)


def pipeline(acts: pd.DataFrame) -> int:
    prepared, _ = frames.prepare(acts, SETTINGS)
    daily = frames.daily_frame(prepared, SETTINGS)
    weekly = frames.weekly_frame(daily)
    shoes = frames.shoe_frame(prepared, SETTINGS)
    findings, _ = evaluate(prepared, daily, weekly, shoes, SETTINGS)
    envelope(prepared, daily, weekly, SETTINGS)
    return len(findings)


def naive(acts: pd.DataFrame) -> int:
    """Per-week and per-run loops over the activity table (two rules only)."""
    t = acts["start_time"].dt.tz_localize(None)
    first = t.min().normalize() - pd.Timedelta(days=t.min().weekday())
    out, prev = 0, None
    week = first
    while week <= t.max():
        in_week = acts[(t >= week) & (t < week + pd.Timedelta(days=7))]
        d = in_week["distance_km"].sum()
        if prev and prev >= 5 and (d - prev) / prev > 0.1 and d - prev >= 3:
            out += 1
        prev = d
        week += pd.Timedelta(days=7)
    for i in range(len(acts)):
        before = acts[(t < t.iat[i].normalize()) & (t >= t.iat[i] - pd.Timedelta(days=30))]
        if len(before) and acts["distance_km"].iat[i] > 1.1 * before["distance_km"].max():
            out += 1
    return out


def main() -> None:
    """Time all rules and the envelope on ten years of runs against the naive loop."""
    acts = season()
    ours = median_seconds(lambda: pipeline(acts), 5)
    base = median_seconds(lambda: naive(acts), 5)
    print(f"{len(acts)} activities, {pipeline(acts)} findings; {load_note()}")
    print(f"loadwatch (all rules + envelope): median {ours * 1000:.0f} ms of 5")
    print(f"naive per-week loop (2 rules):    median {base * 1000:.0f} ms of 5")
    print(f"ratio naive / loadwatch: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
