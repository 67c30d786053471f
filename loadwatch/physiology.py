"""The athlete's own physiology estimated from their runs: threshold heart rate.

When ``athlete.threshold_hr`` is not configured, :func:`estimate_threshold_hr` reads it from
the hardest sustained 20 minutes of the athlete's recent runs, instead of a Karvonen
formula on an assumed resting HR (which calls every run "hard" for a runner who averages
170 bpm on easy days).

Method: Friel's field test for lactate-threshold heart rate (LTHR) is a 30-minute solo time
trial, LTHR being the average HR of its last 20 minutes; the shorter 20-minute test uses
the mean of 20 minutes of hard, even effort. A race or tempo run holds such an effort, so
the best 20-minute mean HR of each run (:func:`loadwatch.streams.best_mean_hr`, column
``hr_best20_bpm``) over the last :data:`WINDOW_DAYS` days is a field test the athlete
already did. A high percentile (:data:`PERCENTILE`), not the maximum, so one strap
artefact (cadence lock) does not set it.

References
----------
Friel J. The Triathlete's Training Bible, 4th ed. VeloPress, 2016 (LTHR field test: 30-min
time trial, average HR of the final 20 min). Seiler KS, Kjerland GØ. Quantifying training
intensity distribution in elite endurance athletes. Scand J Med Sci Sports
2006;16:49-56 (the first ventilatory threshold near 82 % of maximal HR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loadwatch import schema

#: Runs within this many days before the latest run are used [days].
WINDOW_DAYS = 90
#: Percentile of the runs' best 20-minute mean HR taken as the threshold [%].
PERCENTILE = 95.0
#: Fewest runs with a 20-minute HR in the window for an estimate.
MIN_RUNS = 3
#: Plausible threshold HR [bpm] (the range settings accept for athlete.threshold_hr).
PLAUSIBLE_THRESHOLD_HR = (80.0, 240.0)
#: An estimate below this fraction of max HR is an easy effort, not a threshold: the first
#: ventilatory threshold lies near 82 % of maximal HR (Seiler & Kjerland 2006), and LTHR
#: above it. Then the runs hold no hard 20 minutes and no estimate is made.
MIN_FRACTION_OF_MAX = 0.82
#: How the report names the source of an estimated threshold.
ESTIMATED = "estimated from your runs"


@dataclass(frozen=True)
class ThresholdEstimate:
    """An estimated threshold HR (None when the runs cannot give one) and why."""

    bpm: float | None
    #: e.g. "estimated from your runs: 95th percentile of the best 20-minute mean HR of
    #: 14 runs in the last 90 days" or why there is no estimate
    note: str
    runs: int = 0


def estimate_threshold_hr(
    activities: pd.DataFrame, max_hr: float | None = None
) -> ThresholdEstimate:
    """Threshold HR from the runs' best 20-minute mean HR (see the module docstring).

    ``activities`` is a schema.ACTIVITY frame (other sports are ignored); ``max_hr`` [bpm],
    when known, caps the estimate and rejects one that is only an easy effort.
    """
    runs = activities[activities["sport"].isin(schema.RUNNING_SPORTS).fillna(False)]
    if runs.empty:
        return ThresholdEstimate(None, "no runs to estimate threshold HR from")
    recent = runs["start_time"] >= runs["start_time"].max() - pd.Timedelta(days=WINDOW_DAYS)
    best = runs.loc[recent, "hr_best20_bpm"].to_numpy(float)
    lo, hi = PLAUSIBLE_THRESHOLD_HR
    best = best[np.isfinite(best) & (best >= lo) & (best <= hi)]
    if best.size < MIN_RUNS:
        return ThresholdEstimate(
            None, f"{best.size} run(s) with 20 minutes of heart rate in the last "
            f"{WINDOW_DAYS} days (needs {MIN_RUNS})", int(best.size))
    bpm = float(np.percentile(best, PERCENTILE))
    if max_hr is not None:
        if bpm < MIN_FRACTION_OF_MAX * max_hr:
            return ThresholdEstimate(
                None, f"no hard 20 minutes in the last {WINDOW_DAYS} days of runs (best "
                f"{bpm:.0f} bpm, below {MIN_FRACTION_OF_MAX:.0%} of max HR {max_hr:g})",
                int(best.size))
        bpm = min(bpm, max_hr)
    return ThresholdEstimate(
        round(bpm, 1), f"{ESTIMATED}: {PERCENTILE:g}th percentile of the best 20-minute "
        f"mean HR of {best.size} runs in the last {WINDOW_DAYS} days", int(best.size))
