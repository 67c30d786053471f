"""Activities no human could have done are set aside, never counted.

A FIT session claiming 42,950 km or a log row of 999 km in 30 minutes is a corrupt file
or a typo, not training: counted, it would drive every load rule to a warning. Such an
activity is removed from the table and listed as a warning naming its source and why
(:func:`set_aside`), so the user can fix the file and nothing else is affected.

Limits are generous on purpose: they must never refuse a real effort. Average speed is
distance over elapsed (else moving) time: elapsed time is what the device or the log says
the activity lasted, while moving time is derived from the record stream and can be far
too short when the stream covers only part of a session.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from loadwatch.problems import Problem

#: Fastest average speed [m/s] any human holds over a whole activity, per sport (running:
#: the 100 m world record is 10.4 m/s; cycling: motor-paced records exceed 70 m/s only
#: behind a dragster, road descents stay under 30 m/s on average; swimming: 2.4 m/s).
MAX_SPEED_M_S: Mapping[str, float] = {
    "running": 11.0,
    "trail_running": 11.0,
    "treadmill_running": 11.0,
    "walking": 11.0,
    "hiking": 11.0,
    "cycling": 40.0,
    "swimming": 3.0,
}
#: For sports not listed above ("other": skiing, rowing, skating...).
MAX_SPEED_OTHER_M_S = 60.0
#: Longest distance [km] one activity can cover: a day's reach and then some (24-hour
#: records: about 320 km running, about 900 km cycling); multi-day recordings above this
#: are split by every device anyway.
MAX_DISTANCE_KM: Mapping[str, float] = {
    "running": 1000.0,
    "trail_running": 1000.0,
    "treadmill_running": 1000.0,
    "walking": 1000.0,
    "hiking": 1000.0,
    "swimming": 100.0,
}
MAX_DISTANCE_OTHER_KM = 2000.0
#: Speed is only judged over at least this distance [km]: a few metres in a second of a
#: misclick say nothing.
MIN_JUDGED_KM = 0.1


def implausible(activities: pd.DataFrame) -> pd.Series:
    """Per row, why it is implausible ("" when it is fine)."""
    sport = activities["sport"].astype("string").fillna("other")
    km = activities["distance_km"].astype("float64").to_numpy()
    moving = activities["moving_s"].astype("float64").to_numpy()
    elapsed = activities["elapsed_s"].astype("float64").to_numpy()
    seconds = np.where(np.isnan(elapsed) | (elapsed <= 0), moving, elapsed)
    max_speed = sport.map(MAX_SPEED_M_S).astype("float64").fillna(MAX_SPEED_OTHER_M_S)
    max_km = sport.map(MAX_DISTANCE_KM).astype("float64").fillna(MAX_DISTANCE_OTHER_KM)
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = km * 1000.0 / seconds
    too_far = km > max_km.to_numpy()
    too_fast = (km >= MIN_JUDGED_KM) & (seconds > 0) & (speed > max_speed.to_numpy())
    why = []
    for n in range(len(activities)):
        if too_far[n]:
            why.append(f"{km[n]:,.0f} km is beyond a day's reach for {sport.iat[n]} "
                       f"(limit {max_km.iat[n]:,.0f} km)")
        elif too_fast[n]:
            why.append(f"{km[n]:,.1f} km in {seconds[n] / 60:,.0f} min is {speed[n]:,.1f} m/s, "
                       f"faster than any human for {sport.iat[n]} "
                       f"(limit {max_speed.iat[n]:g} m/s)")
        else:
            why.append("")
    return pd.Series(why, index=activities.index, dtype=object)


def set_aside(activities: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The plausible activities, and one warning per activity set aside (named by source)."""
    if activities.empty:
        return activities, []
    why = implausible(activities)
    bad = (why != "").to_numpy()
    if not bad.any():
        return activities, []
    notes = [
        Problem(str(src), f"activity set aside, not counted: {reason}", "warning")
        for src, reason in zip(activities["source"][bad], why[bad], strict=True)
    ]
    return activities[~bad].reset_index(drop=True), notes
