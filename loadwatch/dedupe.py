"""One activity recorded or exported twice counts once; different activities never merge.

The same run often reaches loadwatch several times: the watch's FIT file and the GPX
Strava made of it, a Garmin CSV row and the file it summarises, or one archive imported
twice. Counting it twice doubles that day's load and fakes a spike, so copies are merged
before any load is computed. Merging two *different* activities loses one of them
silently, which is worse, so the test for "copy" is strict (:func:`copies_agree`):

- the two come from different files (one file lists each of its activities once: two
  identical rows of a training log are two sessions);
- they agree in sport family (:data:`SPORT_FAMILIES`; an unknown or "other" sport agrees
  with any);
- they overlap in time: their intervals (start plus elapsed, else moving, time) share at
  least :data:`MIN_OVERLAP` of the shorter one, so eight 400 m reps two minutes apart stay
  eight;
- their distances agree within :data:`DISTANCE_TOLERANCE` and their durations (elapsed or
  moving) within :data:`DURATION_TOLERANCE`; a value missing on one side does not
  disagree, but at least one must agree. The one exception is a copy cut short (a
  recording stopped early): same family, starts within :data:`SAME_START_S`, and lies
  inside the other in time.

A training-log row without a time of day (``date_only``) starts at local midnight, so it
is never compared by start: it merges only with a file (never another log row) of the
same local day that agrees in family, distance and duration. Two files with the same
content-derived id (one file imported twice) are one activity.

Candidates are found in O(n log n): activities sorted by start, each compared with the
neighbours that start within :data:`START_WINDOW_S`. Of each group the richest copy is
kept (record streams before summaries: FIT, then TCX, then GPX, then the CSV formats;
then the copy with more values), and it takes the title, shoe, perceived exertion and
other metadata it lacks from the others. Its ``quality`` notes "merged with <source>"
for every copy dropped, and :func:`merge_copies` returns one note per merge naming both
sources, which the reader lists with the problems the user sees.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from loadwatch import schema
from loadwatch.problems import Problem

#: Copies of one activity start within this many seconds [s]. Devices and services
#: disagree on the start by the GPS-fix wait or a rounding to the minute.
START_WINDOW_S = 120.0
#: A copy starting within this many seconds [s] of another and lying inside it in time is
#: a recording cut short (realdata: an NRC GPX of 5.3 km inside its 7.0 km TCX).
SAME_START_S = 10.0
#: Relative difference of elapsed (or moving) time still counted as the same activity
#: [fraction]; auto-pause and trimming differ between services by a few percent.
DURATION_TOLERANCE = 0.10
#: Relative difference of distance still counted as the same activity [fraction]; device
#: distance and a track's geodesic length differ by 1-3 %.
DISTANCE_TOLERANCE = 0.05
#: Share of the shorter activity's interval the two must have in common [fraction].
MIN_OVERLAP = 0.5
#: Most neighbours in start order one activity is compared with, whatever the window
#: holds: bounds the work when a log puts hundreds of rows at one instant.
MAX_NEIGHBOURS = 32
#: Most files of one local day a date-only log row is compared with.
MAX_SAME_DAY = 32
#: Sport -> family; copies agree in family. Sports not listed ("other") agree with any.
SPORT_FAMILIES: Mapping[str, str] = {
    **{s: "running" for s in schema.RUNNING_SPORTS},
    "cycling": "cycling",
    "walking": "walking",
    "hiking": "walking",
    "swimming": "swimming",
}
_DAY_S = 86400.0

#: Which copy to keep: lower is richer. Files with record streams beat summaries.
FORMAT_RANK: Mapping[str, int] = {
    "fit": 0,
    "tcx": 1,
    "gpx": 2,
    "strava_csv": 3,
    "garmin_csv": 4,
    "log_csv": 5,
}
#: Formats whose rows are one file's list of activities (summaries, not recordings).
LOG_FORMATS = ("log_csv",)
#: Columns the kept copy takes from another copy when its own is missing.
MERGED_COLUMNS = ("title", "shoe", "rpe", "utc_offset_min", "device", "sub_sport")


def _similar(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        big = np.fmax(a, b)
        return (big > 0) & (np.abs(a - b) <= tolerance * big)


class _Columns:
    """The columns the copy test needs, as numpy arrays in row order."""

    def __init__(self, activities: pd.DataFrame) -> None:
        start = activities["start_time"]
        epoch = pd.Timestamp("1970-01-01", tz="UTC")
        self.start = (start - epoch).dt.total_seconds().to_numpy(dtype="float64",
                                                                 na_value=np.nan)
        self.elapsed = activities["elapsed_s"].to_numpy(dtype="float64", na_value=np.nan)
        self.moving = activities["moving_s"].to_numpy(dtype="float64", na_value=np.nan)
        self.distance = activities["distance_km"].to_numpy(dtype="float64", na_value=np.nan)
        self.duration = np.where(np.isnan(self.elapsed), self.moving, self.elapsed)
        family = activities["sport"].astype("string").map(SPORT_FAMILIES)
        self.family = family.astype(object).where(family.notna(), "").to_numpy()
        self.source = activities["source"].astype("string").fillna("").to_numpy()
        fmt = activities["format"].astype("string").fillna("")
        self.log = fmt.isin(LOG_FORMATS).to_numpy()
        if "date_only" in activities:
            flag = activities["date_only"].astype("boolean").fillna(False)
            self.date_only = flag.to_numpy(dtype=bool) & self.log
        else:
            self.date_only = np.zeros(len(activities), dtype=bool)


def copies_agree(c: _Columns, i: np.ndarray, j: np.ndarray, *, by_start: bool = True
                 ) -> np.ndarray:
    """Per pair (i[k], j[k]): are these two copies of one activity? (module docstring).

    ``by_start`` False skips the time tests (a date-only log row against a file of its day).
    """
    with np.errstate(invalid="ignore"):
        fam_i, fam_j = c.family[i], c.family[j]
        family = (fam_i == fam_j) | (fam_i == "") | (fam_j == "")
        other_file = c.source[i] != c.source[j]
        dist_known = ~(np.isnan(c.distance[i]) | np.isnan(c.distance[j]))
        dist_ok = _similar(c.distance[i], c.distance[j], DISTANCE_TOLERANCE)
        dur_known = ~(np.isnan(c.duration[i]) | np.isnan(c.duration[j]))
        dur_ok = (_similar(c.elapsed[i], c.elapsed[j], DURATION_TOLERANCE)
                  | _similar(c.moving[i], c.moving[j], DURATION_TOLERANCE)
                  | _similar(c.duration[i], c.duration[j], DURATION_TOLERANCE))
        sizes = ((dist_ok | ~dist_known) & (dur_ok | ~dur_known) & (dist_ok | dur_ok))
        ok = other_file & family
        if not by_start:
            return ok & sizes
        si, sj = c.start[i], c.start[j]
        di = np.nan_to_num(c.duration[i], nan=0.0)
        dj = np.nan_to_num(c.duration[j], nan=0.0)
        ei, ej = si + di, sj + dj
        common = np.minimum(ei, ej) - np.maximum(si, sj)
        shorter = np.minimum(di, dj)
        overlap = np.where(shorter > 0, common >= MIN_OVERLAP * shorter,
                           np.abs(si - sj) <= START_WINDOW_S)
        gap = np.abs(si - sj)
        inside = ((si >= sj) & (ei <= ej)) | ((sj >= si) & (ej <= ei))
        cut_short = (gap <= SAME_START_S) & inside & (shorter > 0)
        timed = ~(c.date_only[i] | c.date_only[j])
        return ok & timed & ((overlap & sizes) | cut_short)


class _Groups:
    """Union-find over row numbers."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)

    def labels(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


def duplicate_groups(activities: pd.DataFrame) -> np.ndarray:
    """A group label per row: rows with the same label are copies of one activity."""
    n = len(activities)
    groups = _Groups(n)
    if n < 2:
        return groups.parent
    c = _Columns(activities)
    _pair_neighbours(c, groups)
    _pair_same_day(c, groups)
    _pair_same_id(activities, c, groups)
    return groups.labels()


def _pair_neighbours(c: _Columns, groups: _Groups) -> None:
    """Timed activities against the neighbours that start within the window."""
    n = len(c.start)
    order = np.argsort(np.nan_to_num(c.start, nan=np.inf), kind="stable")
    t = c.start[order]
    for lag in range(1, min(MAX_NEIGHBOURS, n - 1) + 1):
        i, j = np.arange(lag, n), np.arange(n - lag)
        with np.errstate(invalid="ignore"):
            close = np.abs(t[i] - t[j]) <= START_WINDOW_S
        if not close.any():
            break
        a, b = order[i[close]], order[j[close]]
        same = copies_agree(c, a, b)
        for x, y in zip(a[same], b[same], strict=True):
            groups.union(int(x), int(y))


def _pair_same_day(c: _Columns, groups: _Groups) -> None:
    """Date-only log rows against the files (not log rows) of their local day."""
    rows = np.flatnonzero(c.date_only & ~np.isnan(c.start))
    files = np.flatnonzero(~c.log & ~np.isnan(c.start))
    if not len(rows) or not len(files):
        return
    files = files[np.argsort(c.start[files], kind="stable")]
    starts = c.start[files]
    lo = np.searchsorted(starts, c.start[rows], side="left")
    hi = np.searchsorted(starts, c.start[rows] + _DAY_S, side="left")
    for row, a, b in zip(rows, lo, hi, strict=True):
        if a == b:
            continue
        cand = files[a : min(b, a + MAX_SAME_DAY)]
        ok = copies_agree(c, np.full(len(cand), row), cand, by_start=False)
        for other in cand[ok]:
            groups.union(int(row), int(other))


def _pair_same_id(activities: pd.DataFrame, c: _Columns, groups: _Groups) -> None:
    """Files (not log rows) with one content-derived id from different paths."""
    ids = activities["activity_id"].astype("string").fillna("").to_numpy()
    first: dict[str, int] = {}
    for row in np.flatnonzero((ids != "") & ~c.log):
        key = str(ids[row])
        if key in first and c.source[first[key]] != c.source[row]:
            groups.union(int(row), first[key])
        first.setdefault(key, int(row))


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
    return merge_copies(activities)[0]


def merge_copies(activities: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """:func:`dedupe`, plus one note (a Problem of kind ``warning``) per copy merged.

    The note is the kept copy's source, with the dropped copy's source and what they
    share in the reason, so the user sees both files of every merge.
    """
    frame = activities.reset_index(drop=True)
    if len(frame) < 2:
        return frame, []
    groups = duplicate_groups(frame)
    sizes = np.bincount(groups, minlength=len(frame))
    if sizes.max() < 2:
        return frame, []
    keys = _richness(frame)
    keys["group"] = groups
    keys["row"] = np.arange(len(frame))
    ranked = keys.sort_values(["group", "rank", "missing", "source", "row"], kind="stable")
    keep = ranked.drop_duplicates("group")["row"].to_numpy()
    cols = {c: frame[c].astype(object).where(frame[c].notna(), None).to_numpy()
            for c in (*MERGED_COLUMNS, "sport", "quality", "source", "start_time",
                      "distance_km")}
    touched = {c: cols[c].copy() for c in (*MERGED_COLUMNS, "sport", "quality")}
    notes: list[Problem] = []
    merged = ranked[sizes[ranked["group"].to_numpy()] > 1]
    group_of, row_of = merged["group"].to_numpy(), merged["row"].to_numpy()
    cuts = np.flatnonzero(np.diff(group_of)) + 1  # ranked is sorted by group
    for members in np.split(row_of, cuts):
        rows = [int(r) for r in members]
        _merge_into(touched, cols["source"], rows[0], rows[1:])
        notes += [_merge_note(cols, rows[0], other) for other in rows[1:]]
    out = frame.copy()
    for c, values in touched.items():
        out[c] = pd.Series(values, index=out.index).astype(frame[c].dtype)
    kept = np.sort(keep)
    return out.iloc[kept].reset_index(drop=True), notes


def _merge_note(cols: Mapping[str, np.ndarray], keeper: int, other: int) -> Problem:
    """"merged with <other> (same activity: <start>, <km>)" for the kept copy's source."""
    start = cols["start_time"][keeper]
    when = "" if start is None else f"{pd.Timestamp(start):%Y-%m-%d %H:%M} UTC"
    km = cols["distance_km"][keeper]
    size = "" if km is None or km != km else f", {float(km):.2f} km"
    return Problem(str(cols["source"][keeper]),
                   f"merged with {cols['source'][other]} (same activity: {when}{size})",
                   "warning")


def _merge_into(frame: dict[str, np.ndarray], sources: np.ndarray, keeper: int,
                others: list[int]) -> None:
    """Fill the keeper's missing metadata from the others (best first) and note them.

    ``frame`` holds the merged columns as object arrays, missing values as None."""
    for col in MERGED_COLUMNS:
        if frame[col][keeper] is None:
            for other in others:
                if frame[col][other] is not None:
                    frame[col][keeper] = frame[col][other]
                    break
    sport = frame["sport"][keeper]
    for other in others:
        candidate = frame["sport"][other]
        if candidate is None or candidate == "other":
            continue
        vague = sport is None or sport == "other"
        refines = sport == "running" and candidate in schema.RUNNING_SPORTS
        if vague or refines:
            sport = candidate
    frame["sport"][keeper] = sport
    quality = frame["quality"][keeper]
    notes = [] if quality is None else [str(quality)]
    seen: set[str] = set()
    for other in others:
        source = str(sources[other])
        if source not in seen:
            seen.add(source)
            notes.append(f"merged with {source}")
    frame["quality"][keeper] = "; ".join(notes)
