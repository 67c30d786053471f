"""Synthetic activity tables for the load and rule tests (schema.ACTIVITY rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import schema

MONDAY = dt.date(2026, 1, 5)  # ISO 2026-W02


def hr_hist(minutes_at: dict[int, float]) -> np.ndarray:
    """HR histogram with the given minutes at each bpm."""
    h = np.zeros(schema.HR_BINS)
    for bpm, minutes in minutes_at.items():
        h[bpm] += minutes * 60
    return h


def run(
    day: dt.date | str,
    km: float,
    *,
    hour: int = 7,
    sport: str = "running",
    pace_min_km: float = 6.0,
    hr: dict[int, float] | None = None,
    descent_m: float | None = None,
    shoe: str | None = None,
    sub_sport: str | None = None,
    utc_offset_min: int | None = None,
    source: str = "/data/export/a.fit",
    start: pd.Timestamp | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One activity row; ``start`` (tz-aware) overrides day/hour (taken as UTC)."""
    if start is None:
        start = pd.Timestamp(str(day)) + pd.Timedelta(hours=hour)
        start = start.tz_localize("UTC")
    moving = km * pace_min_km * 60
    row = {
        "activity_id": f"{start.value:016x}"[-16:],
        "source": source,
        "format": "fit",
        "start_time": start,
        "utc_offset_min": utc_offset_min,
        "sport": sport,
        "sub_sport": sub_sport,
        "distance_km": km,
        "elapsed_s": moving,
        "moving_s": moving,
        "descent_m": descent_m,
        "ascent_m": descent_m,
        "shoe": shoe,
        "hr_hist_s": hr_hist(hr) if hr else None,
        "has_hr": bool(hr),
    }
    row.update(extra)
    return row


def weeks_of_runs(
    weekly_km: Sequence[float], *, start: dt.date = MONDAY, days: Iterable[int] = (0, 2, 5),
    **kw: Any,
) -> list[dict[str, Any]]:
    """Rows for weeks with the given distances, split evenly over ``days`` of each week."""
    days = list(days)
    rows = []
    for w, total in enumerate(weekly_km):
        if total <= 0:
            continue
        for d in days:
            rows.append(run(start + dt.timedelta(weeks=w, days=d), total / len(days), **kw))
    return rows


def table(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Conformed activity frame."""
    return schema.conform(list(rows), schema.ACTIVITY)
