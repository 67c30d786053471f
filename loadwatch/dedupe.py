"""One activity recorded or exported twice counts once.

The same run often reaches loadwatch several times: the watch's FIT file and the GPX
Strava made of it, a Garmin CSV row and the file it summarises, or one archive imported
twice. Counting it twice doubles that day's load and fakes a spike, so copies are merged
before any load is computed.

Two activities are copies when they start within :data:`START_WINDOW_S` of each other
and either their durations agree within :data:`DURATION_TOLERANCE` or their distances
within :data:`DISTANCE_TOLERANCE`; or when they start within :data:`SAME_START_S`; or
when they carry the same content-derived id. Activities from one source (the sessions of
a multisport file) are never copies of each other by time. Of each
group the richest copy is kept (record streams before summaries: FIT, then TCX, then GPX,
then the CSV formats; then the copy with more values), and it takes the title, shoe,
perceived exertion and other metadata it lacks from the others. Its ``quality`` notes
"merged with <source>" for every copy dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from loadwatch import schema

#: Copies of one activity start within this many seconds [s]. Devices and services
#: disagree on the start by the GPS-fix wait or a rounding to the minute.
START_WINDOW_S = 120.0
#: Copies starting within this many seconds [s] are the same activity whatever their
#: sizes: one athlete cannot start two activities in the same ten seconds, while a
#: truncated export of an outing (a recording cut short) differs from it in size.
SAME_START_S = 10.0
#: Relative difference of elapsed (else moving) time still counted as the same activity
#: [fraction]; auto-pause and trimming differ between services by a few percent.
DURATION_TOLERANCE = 0.10
#: Relative difference of distance still counted as the same activity [fraction]; device
#: distance and a track's geodesic length differ by 1-3 %.
DISTANCE_TOLERANCE = 0.05
#: Each activity is compared with this many predecessors in start order, so an unrelated
#: activity starting in between cannot hide a copy.
NEIGHBOURS = 3

#: Which copy to keep: lower is richer. Files with record streams beat summaries.
FORMAT_RANK: Mapping[str, int] = {
    "fit": 0,
    "tcx": 1,
    "gpx": 2,
    "strava_csv": 3,
    "garmin_csv": 4,
    "log_csv": 5,
}
#: Columns the kept copy takes from another copy when its own is missing.
MERGED_COLUMNS = ("title", "shoe", "rpe", "utc_offset_min", "device", "sub_sport")


def _similar(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        big = np.fmax(a, b)
        return (big > 0) & (np.abs(a - b) <= tolerance * big)


def duplicate_groups(activities: pd.DataFrame) -> np.ndarray:
    """A group label per row: rows with the same label are copies of one activity."""
    n = len(activities)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    if n < 2:
        return parent
    start = activities["start_time"]
    seconds = (start - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().to_numpy()
    order = np.argsort(np.nan_to_num(seconds, nan=np.inf), kind="stable")
    t = seconds[order]
    elapsed = activities["elapsed_s"].to_numpy(dtype="float64", na_value=np.nan)
    moving = activities["moving_s"].to_numpy(dtype="float64", na_value=np.nan)
    duration = np.where(np.isnan(elapsed), moving, elapsed)[order]
    distance = activities["distance_km"].to_numpy(dtype="float64", na_value=np.nan)[order]
    # sessions of one file (a triathlon's transition and the run 1 s later) are never copies
    source = activities["source"].astype("string").fillna("").to_numpy(dtype=object)[order]
    for lag in range(1, min(NEIGHBOURS, n - 1) + 1):
        i, j = np.arange(lag, n), np.arange(n - lag)
        with np.errstate(invalid="ignore"):
            gap = np.abs(t[i] - t[j])
        close = (gap <= START_WINDOW_S) & ((source[i] != source[j]) | (source[i] == ""))
        same = (
            (gap <= SAME_START_S)
            | _similar(duration[i], duration[j], DURATION_TOLERANCE)
            | _similar(distance[i], distance[j], DISTANCE_TOLERANCE)
        )
        for a, b in zip(order[i[close & same]], order[j[close & same]], strict=True):
            union(int(a), int(b))
    ids = activities["activity_id"].astype("string").fillna("")
    first = pd.Series(np.arange(n)).groupby(ids.to_numpy()).transform("min").to_numpy()
    for a, b in zip(np.arange(n), first, strict=True):
        if a != b and ids.iloc[a] != "":
            union(int(a), int(b))
    return np.array([find(i) for i in range(n)])


def _richness(activities: pd.DataFrame) -> pd.DataFrame:
    """Sort keys per row: format rank, then fewer missing values, then source name."""
    fmt = activities["format"].astype("string").map(FORMAT_RANK).astype("float64")
    public = schema.public(activities, schema.ACTIVITY)
    filled = public.notna().sum(axis=1) + activities["hr_hist_s"].notna().astype(int)
    return pd.DataFrame(
        {
            "rank": fmt.fillna(len(FORMAT_RANK)).to_numpy(),
            "missing": -filled.to_numpy(),
            "source": activities["source"].astype("string").fillna("").to_numpy(),
        }
    )


def dedupe(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities with copies merged (see the module docstring); index reset.

    ``activities`` is a frame conformed to :data:`loadwatch.schema.ACTIVITY`.
    """
    frame = activities.reset_index(drop=True)
    groups = duplicate_groups(frame)
    sizes = np.bincount(groups, minlength=len(frame))
    if len(frame) == 0 or sizes.max() < 2:
        return frame
    keys = _richness(frame)
    keys["group"] = groups
    keys["row"] = np.arange(len(frame))
    ranked = keys.sort_values(["group", "rank", "missing", "source", "row"], kind="stable")
    keep = ranked.drop_duplicates("group")["row"].to_numpy()
    out = frame.copy()
    for group in np.flatnonzero(sizes > 1):
        rows = ranked.loc[ranked["group"] == group, "row"].to_list()
        _merge_into(out, rows[0], rows[1:])
    kept = np.sort(keep)
    return out.iloc[kept].reset_index(drop=True)


def _merge_into(frame: pd.DataFrame, keeper: int, others: list[int]) -> None:
    """Fill the keeper's missing metadata from the others (best first) and note them."""
    for col in MERGED_COLUMNS:
        if pd.isna(frame.at[keeper, col]):
            for other in others:
                if not pd.isna(frame.at[other, col]):
                    frame.at[keeper, col] = frame.at[other, col]
                    break
    sport = frame.at[keeper, "sport"]
    for other in others:
        candidate = frame.at[other, "sport"]
        if pd.isna(candidate) or candidate == "other":
            continue
        vague = pd.isna(sport) or sport == "other"
        refines = sport == "running" and candidate in schema.RUNNING_SPORTS
        if vague or refines:
            sport = candidate
    frame.at[keeper, "sport"] = sport
    notes = [] if pd.isna(frame.at[keeper, "quality"]) else [str(frame.at[keeper, "quality"])]
    seen: set[str] = set()
    for other in others:
        source = str(frame.at[other, "source"])
        if source not in seen:
            seen.add(source)
            notes.append(f"merged with {source}")
    frame.at[keeper, "quality"] = "; ".join(notes)
