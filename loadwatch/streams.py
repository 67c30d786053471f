"""Record streams -> per-activity numbers (distance, moving time, smoothed elevation, grades).

To be written: see summarize().
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def summarize(records: pd.DataFrame, *, barometric: bool | None = None) -> dict[str, Any]:
    """Per-activity summary of a canonical record stream (schema.RECORDS columns).

    Returns canonical activity columns: distance_km, elapsed_s, moving_s, ascent_m,
    descent_m, downhill_km, steep_downhill_km, avg_hr, max_hr, has_gps, has_hr,
    elevation_source, hr_hist_s, speed_hist_s, plus ``quality`` (a list of notes).
    ``barometric`` says whether altitude comes from a barometer (3 m hysteresis) or GPS
    (larger hysteresis); None means unknown (treated as GPS).
    """
    raise NotImplementedError
