"""Threshold HR from the athlete's runs, and the best 20-minute HR it is built on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from loadwatch import frames, schema, streams
from loadwatch.physiology import ESTIMATED, estimate_threshold_hr
from loadwatch.settings import Settings

T0 = pd.Timestamp("2026-03-01T08:00Z")


def _records(hr: list[float], every_s: float = 1.0, start_s: float = 0.0) -> pd.DataFrame:
    t = T0 + pd.to_timedelta(start_s + np.arange(len(hr)) * every_s, unit="s")
    return pd.DataFrame({"time": t, "hr_bpm": hr, "distance_m": np.arange(len(hr)) * 3.0})


def test_best_20_minutes_of_a_run():
    hr = [140.0] * 1200 + [170.0] * 1200 + [150.0] * 600
    out = streams.summarize(_records(hr))
    assert out["hr_best20_bpm"] == pytest.approx(170.0)
    assert out["avg_hr"] < 160


def test_best_20_minutes_from_sparse_records():
    # one record every 4 s (smart recording): each reading stands until the next
    hr = [150.0] * 300 + [172.0] * 300 + [150.0] * 150
    assert streams.summarize(_records(hr, every_s=4.0))["hr_best20_bpm"] == pytest.approx(172.0)


def test_shorter_than_20_minutes_or_full_of_gaps_gives_none():
    assert math.isnan(streams.summarize(_records([170.0] * 1100))["hr_best20_bpm"])
    # 25 min elapsed with a 10 min pause: no 20 minutes with heart rate 90 % of the time
    gap = pd.concat([_records([170.0] * 600), _records([170.0] * 300, start_s=1200)])
    assert math.isnan(streams.summarize(gap.reset_index(drop=True))["hr_best20_bpm"])
    no_hr = _records([float("nan")] * 1500)
    assert math.isnan(streams.summarize(no_hr)["hr_best20_bpm"])


def _acts(best: list[float], *, days_apart: int = 3, sport: str = "running",
          **extra: object) -> pd.DataFrame:
    rows = [{"start_time": T0 + pd.Timedelta(days=days_apart * i), "sport": sport,
             "hr_best20_bpm": b, "has_hr": not math.isnan(b), **extra}
            for i, b in enumerate(best)]
    return schema.conform(rows, schema.ACTIVITY)


def test_threshold_is_a_high_percentile_of_the_best_20_minutes():
    best = [160.0] * 16 + [176.0, 180.0, 181.0, 199.0]  # 199: one strap artefact
    est = estimate_threshold_hr(_acts(best), max_hr=200)
    assert 180 <= est.bpm < 199
    assert est.bpm == pytest.approx(np.percentile(best, 95))
    assert est.note.startswith(ESTIMATED) and "20 runs in the last 90 days" in est.note


def test_only_recent_runs_and_only_runs_count():
    old = _acts([185.0] * 5)
    new = _acts([165.0] * 5)
    new["start_time"] += pd.Timedelta(days=200)
    rides = _acts([190.0] * 5, sport="cycling")
    rides["start_time"] += pd.Timedelta(days=201)
    est = estimate_threshold_hr(pd.concat([old, new, rides], ignore_index=True))
    assert est.bpm == pytest.approx(165.0)
    assert est.runs == 5


def test_no_estimate_from_too_few_runs_or_easy_runs_only():
    assert estimate_threshold_hr(_acts([175.0, 176.0])).bpm is None
    easy = estimate_threshold_hr(_acts([140.0] * 10), max_hr=195)
    assert easy.bpm is None and "no hard 20 minutes" in easy.note
    assert estimate_threshold_hr(_acts([205.0] * 5), max_hr=190).bpm == 190  # capped


def _hist(bpm: float, seconds: float) -> np.ndarray:
    h = np.zeros(schema.HR_BINS)
    h[int(bpm)] = seconds
    return h


def _season() -> pd.DataFrame:
    """A runner whose easy runs average 170 bpm, whose tempo runs hold 182, max 186."""
    rows = []
    for i in range(12):
        tempo = i % 4 == 3
        bpm = 182.0 if tempo else 170.0
        hist = _hist(bpm, 3000)
        hist[186] = 10  # a peak held long enough for the observed max
        rows.append({"start_time": T0 + pd.Timedelta(days=2 * i), "sport": "running",
                     "distance_km": 10.0, "moving_s": 3000.0, "hr_hist_s": hist,
                     "avg_hr": bpm, "max_hr": 186.0, "has_hr": True,
                     "hr_best20_bpm": bpm})
    return schema.conform(rows, schema.ACTIVITY)


def test_easy_runs_at_170_are_not_hard_for_this_runner():
    # Karvonen from the assumed resting 60 and max 186 gives 167 bpm: every easy run was
    # 50 minutes "hard"; the estimate from the tempo runs is 182
    acts, notes = frames.prepare(_season(), Settings())
    easy = acts["avg_hr"] == 170
    assert (acts.loc[easy, "hi_intensity_s"] == 10).all()  # only the 10 s peak
    assert (acts.loc[~easy, "hi_intensity_s"] == 3010).all()
    zones, _ = frames.hr_zones(Settings(), acts)
    assert zones["lthr"] == pytest.approx(182.0)
    assert zones["lthr_source"].startswith(ESTIMATED)
    assert any(n.startswith("threshold HR 182 bpm (estimated from your runs") for n in notes)


def test_the_configured_threshold_comes_first():
    zones, notes = frames.hr_zones(Settings(threshold_hr=175), _season())
    assert zones["lthr"] == 175 and zones["lthr_source"] == "settings"
    assert not any("threshold HR" in n for n in notes)


def test_karvonen_only_when_the_runs_cannot_tell():
    acts = _season().iloc[:2]
    zones, _ = frames.hr_zones(Settings(resting_hr=50), acts)
    assert zones["lthr"] == pytest.approx(50 + 0.85 * 136)
    assert "resting + 0.85 x (max - resting)" in zones["lthr_source"]


def test_heart_rate_without_a_maximum_says_how_to_use_it():
    acts = _season()
    acts["hr_hist_s"] = None
    acts["max_hr"] = 300.0  # no plausible maximum anywhere
    _, notes = frames.hr_zones(Settings(), acts)
    assert any("set athlete.max_hr to use your heart rate" in n for n in notes)
    assert not any("no heart rate" in n for n in notes)
