"""Training load: athlete-specific per-activity numbers, then daily, weekly and per-shoe frames.

:func:`prepare` fills the columns that depend on the athlete (TRIMP, time above threshold,
shoe from date ranges); :func:`daily_frame`, :func:`weekly_frame` and :func:`shoe_frame`
aggregate running activities in the athlete's local time (ISO weeks, Monday first).

Coverage: days are *covered* when they lie inside the span of an origin of the data (an
archive, or a folder of files), so a hole between two exports is not read as rest, and the
days before the first activity are not counted as zero weeks. Coverage extends to ``today``
when the last activity is recent (:data:`RECENT_DAYS`), because then the days since are rest.

References
----------
Banister TRIMP: sum(dt_min * x * 0.64 e^(1.92 x)), women 0.86 e^(1.67 x), x = heart-rate
reserve fraction. Threshold HR: the configured value, else estimated from the runs
(:mod:`loadwatch.physiology`), else resting + 0.85 x (max - resting) (Karvonen).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from loadwatch import calendar, schema
from loadwatch.format import Note
from loadwatch.physiology import estimate_threshold_hr
from loadwatch.settings import Settings

#: Resting HR assumed when the athlete gives none [bpm] (a typical adult value).
DEFAULT_RESTING_HR = 60.0
#: Karvonen fraction of heart-rate reserve for the threshold HR default.
LTHR_RESERVE_FRACTION = 0.85
#: A bpm counts towards the observed maximum only when at least this many seconds were
#: spent at or above it in one activity [s]; shorter peaks are strap artefacts.
PLAUSIBLE_PEAK_S = 5.0
#: Plausible maximum heart rate range [bpm].
PLAUSIBLE_MAX_HR = (120.0, 225.0)
#: Window for the observed maximum HR [days before the latest run].
MAX_HR_WINDOW_DAYS = 180
#: Banister weights (a, b): men's are also used when sex is not given.
TRIMP_WEIGHTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}
#: Distance-based load for runs without HR [AU/km] when the athlete's own TRIMP per km
#: cannot be calibrated: an easy run at ~60 % HRR and 5:30-6:00 min/km gives ~6 AU/km.
FALLBACK_LOAD_PER_KM = 6.0
#: Runs with both TRIMP and distance needed to calibrate the athlete's TRIMP per km.
MIN_CALIBRATION_RUNS = 5
#: The days since the last activity count as rest when it is at most this old [days].
RECENT_DAYS = 14
#: Two origins' spans closer than this [days] are one coverage span.
BRIDGE_DAYS = 7

_NAN_WHEN_NO_DATA = ("hi_intensity_min", "trimp", "ascent_m", "descent_m", "downhill_km")


def is_run(activities: pd.DataFrame) -> np.ndarray:
    """Boolean mask of running activities (schema.RUNNING_SPORTS)."""
    return activities["sport"].isin(schema.RUNNING_SPORTS).fillna(False).to_numpy(bool)


def is_trail(activities: pd.DataFrame) -> np.ndarray:
    """Boolean mask of trail runs (sport trail_running, or a sub-sport naming trail)."""
    sport = activities["sport"].fillna("").to_numpy(str)
    sub = activities["sub_sport"].fillna("").str.lower().str.contains("trail").to_numpy(bool)
    return (sport == "trail_running") | (is_run(activities) & sub)


def _histograms(column: pd.Series, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack a column of optional numpy histograms into (matrix, has-histogram mask)."""
    has = np.array(
        [isinstance(h, np.ndarray) and h.size == bins and h.sum() > 0 for h in column], bool
    )
    matrix = np.zeros((len(column), bins))
    if has.any():
        matrix[has] = np.vstack([column.iloc[i] for i in np.flatnonzero(has)])
    return matrix, has


def observed_max_hr(activities: pd.DataFrame) -> float | None:
    """Highest plausible HR of the runs in the 180 days before the latest run, or None.

    Runs only: a walk or a ride after the last run must not move the window past the
    runs (and switch their heart rate off), and a ride's HR is not a running maximum.
    """
    runs = activities[is_run(activities)] if not activities.empty else activities
    if runs.empty:
        return None
    recent = runs["start_time"] >= (
        runs["start_time"].max() - pd.Timedelta(days=MAX_HR_WINDOW_DAYS)
    )
    acts = runs[recent.to_numpy(bool)]
    hist, has = _histograms(acts["hr_hist_s"], schema.HR_BINS)
    lo, hi = PLAUSIBLE_MAX_HR
    peaks = []
    if has.any():
        # seconds at or above each bpm; the highest bpm still held for PLAUSIBLE_PEAK_S
        above = np.cumsum(hist[has][:, ::-1], axis=1)[:, ::-1]
        held = above >= PLAUSIBLE_PEAK_S
        idx = schema.HR_BINS - 1 - np.argmax(held[:, ::-1], axis=1)
        peaks.append(np.where(held.any(axis=1), idx, np.nan))
    device = acts["max_hr"].to_numpy(float)[~has]
    peaks.append(device)
    values = np.concatenate(peaks)
    values = values[(values >= lo) & (values <= hi)]
    return float(values.max()) if values.size else None


def hr_zones(settings: Settings, activities: pd.DataFrame) -> tuple[dict, list[str | Note]]:
    """Resting, maximum and threshold HR (and TRIMP weights) with notes on what was assumed."""
    notes: list[str | Note] = []
    rest = settings.resting_hr
    if rest is None:
        rest = DEFAULT_RESTING_HR
        notes.append(f"resting HR {rest:g} bpm (assumed; set athlete.resting_hr)")
    mx = settings.max_hr
    if mx is None:
        mx = observed_max_hr(activities)
        if mx is not None:
            notes.append(f"max HR {mx:g} bpm (highest plausible value of the runs in the "
                         f"{MAX_HR_WINDOW_DAYS} days before the latest run)")
    lthr, lthr_source = settings.threshold_hr, "settings"
    if lthr is None:
        estimate = estimate_threshold_hr(activities, mx)
        lthr, lthr_source = estimate.bpm, estimate.note
        if lthr is not None:
            notes.append(f"threshold HR {lthr:.0f} bpm ({estimate.note})")
    if lthr is None and mx is not None and mx > rest:
        lthr = rest + LTHR_RESERVE_FRACTION * (mx - rest)
        lthr_source = "resting + 0.85 x (max - resting)"
        notes.append(f"threshold HR {lthr:.0f} bpm ({lthr_source}; {estimate.note})")
    if mx is None and activities.loc[is_run(activities), "has_hr"].fillna(False).any():
        notes.append(f"heart rate recorded, but no plausible maximum in the runs of the "
                     f"{MAX_HR_WINDOW_DAYS} days before the latest run: set athlete.max_hr "
                     "to use your heart rate")
    sex = settings.sex or "male"
    if settings.sex is None:
        notes.append("sex not given: TRIMP uses the men's weighting (0.64, 1.92)")
    zones = {"rest": rest, "max": mx, "lthr": lthr, "lthr_source": lthr_source,
             "weights": TRIMP_WEIGHTS[sex]}
    return zones, notes


def _trimp_weight(bpm: np.ndarray, zones: dict) -> np.ndarray:
    a, b = zones["weights"]
    x = np.clip((bpm - zones["rest"]) / (zones["max"] - zones["rest"]), 0.0, 1.0)
    return x * a * np.exp(b * x)


def assign_shoes(activities: pd.DataFrame, settings: Settings) -> pd.Series:
    """The shoe of each run: the one the activity names, else a [[shoes]] date range."""
    shoe = activities["shoe"].astype("string").str.strip().replace("", pd.NA)
    if not settings.shoes:
        return shoe
    day = calendar.local_day(activities, settings.timezone)
    free = (shoe.isna().to_numpy(bool)) & is_run(activities)
    # later-starting ranges win where ranges overlap
    for s in sorted(settings.shoes, key=lambda s: s.from_date or dt.date.min):
        inside = np.ones(len(activities), bool)
        if s.from_date is not None:
            inside &= (day >= pd.Timestamp(s.from_date)).to_numpy(bool)
        if s.until is not None:
            inside &= (day <= pd.Timestamp(s.until)).to_numpy(bool)
        shoe = shoe.mask(pd.Series(free & inside, index=shoe.index), s.name)
    return shoe


def prepare(activities: pd.DataFrame, settings: Settings,
            ) -> tuple[pd.DataFrame, list[str | Note]]:
    """Fill trimp, hi_intensity_s, shoe and the local start (``start_local``,
    ``local_time_from``, by :mod:`loadwatch.calendar`) for this athlete; return
    (activities, defaults used). A default with a distance in it is a
    :class:`~loadwatch.format.Note`, shown in the reader's units by ``format.note``.

    ``trimp`` [AU] is Banister's TRIMP (see the module's References) and ``hi_intensity_s``
    [s] the time at or above threshold HR. Both come from the HR histogram; without one,
    TRIMP is approximated from average HR x moving time (noted in ``quality``) and time
    above threshold from the speed histogram against the threshold pace.
    """
    acts = schema.conform(calendar.with_local_start(activities, settings.timezone),
                          schema.ACTIVITY)
    zones, notes = hr_zones(settings, acts)
    hr, has_hr = _histograms(acts["hr_hist_s"], schema.HR_BINS)
    speed, has_speed = _histograms(acts["speed_hist_s"], schema.SPEED_BINS)
    trimp = acts["trimp"].to_numpy(float).copy()
    hi = acts["hi_intensity_s"].to_numpy(float).copy()
    bpm = np.arange(schema.HR_BINS, dtype=float)
    if zones["max"] is not None and zones["max"] > zones["rest"]:
        trimp[has_hr] = hr[has_hr] @ _trimp_weight(bpm, zones) / 60.0
        avg = acts["avg_hr"].to_numpy(float)
        moving = acts["moving_s"].fillna(acts["elapsed_s"]).to_numpy(float)
        approx = ~has_hr & np.isfinite(avg) & np.isfinite(moving) & np.isnan(trimp)
        if approx.any():
            trimp[approx] = moving[approx] / 60.0 * _trimp_weight(avg[approx], zones)
            quality = acts["quality"].fillna("")
            note = "TRIMP from average HR (underestimates intervals)"
            acts["quality"] = quality.where(~approx, (quality + "; " + note).str.lstrip("; "))
            notes.append(f"TRIMP from average HR x moving time for {int(approx.sum())} "
                         "activities without a HR stream (underestimates intervals)")
    if zones["lthr"] is not None:
        hi[has_hr] = hr[has_hr][:, bpm >= zones["lthr"]].sum(axis=1)
    pace_rows = ~has_hr & has_speed
    if settings.threshold_pace_s_km is not None and pace_rows.any():
        v = 1000.0 / settings.threshold_pace_s_km
        lower_edges = np.arange(schema.SPEED_BINS) * schema.SPEED_BIN_M_S
        hi[pace_rows] = speed[pace_rows][:, lower_edges >= v - 1e-9].sum(axis=1)
    acts["trimp"] = trimp
    acts["hi_intensity_s"] = hi
    acts["shoe"] = assign_shoes(acts, settings)
    if not has_hr.any() and settings.threshold_pace_s_km is None and pace_rows.any():
        notes.append("no heart rate: set athlete.threshold_pace to measure intensity by pace")
    _, load_note = distance_load_factor(acts)
    if load_note is not None:
        notes.append(load_note)
    return acts, notes


def distance_load_factor(activities: pd.DataFrame) -> tuple[float, Note | None]:
    """AU of load per km for runs without TRIMP: the athlete's median, else a fixed factor,
    and a note on it when some runs lack TRIMP."""
    run = is_run(activities)
    trimp = activities["trimp"].to_numpy(float)
    km = activities["distance_km"].to_numpy(float)
    ok = run & np.isfinite(trimp) & (km > 0.5)
    lacking = run & ~np.isfinite(trimp)
    facts: dict[str, tuple[object, str]] = {"runs": (int(lacking.sum()), "count:run")}
    if ok.sum() >= MIN_CALIBRATION_RUNS:
        factor = float(np.median(trimp[ok] / km[ok]))
        how = "your median TRIMP per {unit} over {calibration}"
        facts.update(unit=("km", "unit"), calibration=(int(ok.sum()), "count:run"))
    else:
        factor, how = FALLBACK_LOAD_PER_KM, "a fixed factor"
    if not lacking.any():
        return factor, None
    facts["factor"] = (factor, "per_km")
    return factor, Note(f"load of {{runs}} without HR from distance: {{factor}} ({how})", facts)


def _origins(activities: pd.DataFrame) -> pd.Series:
    """Where each activity came from: its archive, else its folder."""
    src = activities["source"].fillna("").astype(str)
    archive = src.str.split("!", n=1).str[0]
    folder = src.str.replace(r"[/\\][^/\\]*$", "", regex=True)
    return archive.where(src.str.contains("!", regex=False), folder)


def coverage_spans(
    activities: pd.DataFrame, dates: pd.Series, today: dt.date | None = None
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Covered day ranges (inclusive): one per origin, merged when closer than BRIDGE_DAYS."""
    if dates.empty:
        return []
    frame = pd.DataFrame({"origin": _origins(activities).to_numpy(), "date": dates.to_numpy()})
    spans = frame.groupby("origin")["date"].agg(["min", "max"]).sort_values("min")
    merged: list[list[pd.Timestamp]] = []
    for lo, hi in spans.itertuples(index=False, name=None):
        if merged and lo <= merged[-1][1] + pd.Timedelta(days=BRIDGE_DAYS):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    if today is not None:
        t = pd.Timestamp(today)
        if merged[-1][1] <= t <= merged[-1][1] + pd.Timedelta(days=RECENT_DAYS):
            merged[-1][1] = t
    return [(lo, hi) for lo, hi in merged]


def _activity_load(acts: pd.DataFrame) -> np.ndarray:
    factor, _ = distance_load_factor(acts)
    trimp = acts["trimp"].to_numpy(float)
    km = acts["distance_km"].fillna(0.0).to_numpy(float)
    return np.where(np.isfinite(trimp), trimp, km * factor)


def daily_frame(
    activities: pd.DataFrame, settings: Settings, *, today: dt.date | None = None
) -> pd.DataFrame:
    """One row per local calendar day (schema.DAILY), Monday of the first week to Sunday of
    the last; running sports make the load, other sports only ``other_min``."""
    if activities.empty:
        return schema.empty(schema.DAILY)
    acts = activities.reset_index(drop=True)
    dates = calendar.local_day(acts, settings.timezone)
    run = is_run(acts)
    km = acts["distance_km"].fillna(0.0).to_numpy(float)
    moving = acts["moving_s"].fillna(acts["elapsed_s"]).fillna(0.0).to_numpy(float)

    def on_runs(values: np.ndarray) -> np.ndarray:
        return np.where(run, values, np.nan)

    per = pd.DataFrame({
        "date": dates.to_numpy(),
        "distance_km": np.where(run, km, 0.0),
        "moving_s": np.where(run, moving, 0.0),
        "runs": run.astype("int64"),
        "longest_run_km": on_runs(km),
        "hi_intensity_min": on_runs(acts["hi_intensity_s"].to_numpy(float) / 60.0),
        "trimp": on_runs(acts["trimp"].to_numpy(float)),
        "load": np.where(run, _activity_load(acts), 0.0),
        "ascent_m": on_runs(acts["ascent_m"].to_numpy(float)),
        "descent_m": on_runs(acts["descent_m"].to_numpy(float)),
        "downhill_km": on_runs(acts["downhill_km"].to_numpy(float)),
        "trail_km": np.where(run & is_trail(acts), km, 0.0),
        "other_min": np.where(run, 0.0, moving / 60.0),
    })
    g = per.groupby("date")
    day = g.sum(min_count=1)
    day["longest_run_km"] = g["longest_run_km"].max()
    spans = coverage_spans(acts, dates, today)
    first = calendar.monday(dates.min())
    last = calendar.sunday(max(dates.max(), spans[-1][1]))
    index = pd.date_range(first, last, freq="D", name="date")
    day = day.reindex(index)
    no_runs = day["runs"].fillna(0).to_numpy() == 0
    for col in day.columns:
        if col in _NAN_WHEN_NO_DATA:
            day[col] = day[col].mask(no_runs, 0.0)
        else:
            day[col] = day[col].fillna(0.0)
    day["longest_run_km"] = day["longest_run_km"].fillna(0.0)
    covered = np.zeros(len(index), bool)
    for lo, hi in spans:
        covered |= (index >= lo) & (index <= hi)
    day["covered"] = covered
    return schema.conform(day.reset_index(), schema.DAILY)


def weekly_frame(daily: pd.DataFrame) -> pd.DataFrame:
    """ISO weeks (schema.WEEKLY) from the daily frame.

    A week is ``covered`` when every day of it up to the end of the data is covered, so a
    week still in progress counts but a partial first week (before the first activity) or
    a hole between exports does not.
    """
    if daily.empty:
        return schema.empty(schema.WEEKLY)
    d = daily.copy()
    d["week_start"] = calendar.mondays(d["date"])
    no_runs = d["runs"].to_numpy() == 0
    for col in _NAN_WHEN_NO_DATA:
        d[col] = d[col].mask(no_runs)
    last_covered = d.loc[d["covered"].to_numpy(bool), "date"].max()
    d["ok"] = d["covered"].to_numpy(bool) | (d["date"] > last_covered).to_numpy(bool)
    d["any_covered"] = d["covered"].to_numpy(bool)
    sums = [c for c, *_ in schema._LOAD_COLUMNS if c != "longest_run_km"]
    g = d.groupby("week_start")
    w = g[sums].sum(min_count=1)
    w["longest_run_km"] = g["longest_run_km"].max()
    runs0 = w["runs"].fillna(0).to_numpy() == 0
    for col in w.columns:
        w[col] = w[col].mask(runs0, 0.0) if col in _NAN_WHEN_NO_DATA else w[col].fillna(0.0)
    w["covered"] = g["ok"].all() & g["any_covered"].any()
    w = w.reset_index()
    w["week"] = calendar.week_labels(w["week_start"])
    dist = w["distance_km"].to_numpy(float)
    w["trail_share"] = np.where(dist > 0, w["trail_km"].to_numpy(float) / np.where(
        dist > 0, dist, 1.0), np.nan)
    trimp = w["trimp"].fillna(0.0).to_numpy(float)
    load = w["load"].to_numpy(float)
    source = np.where(
        np.isclose(load, trimp, rtol=1e-9, atol=1e-6), "trimp",
        np.where(trimp <= 0, "distance", "mixed"),
    ).astype(object)
    source[runs0] = None
    w["load_source"] = source
    return schema.conform(w, schema.WEEKLY)


def shoe_frame(activities: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Distance per shoe per ISO week, with the cumulative total including start_km."""
    run = is_run(activities)
    acts = activities[run & activities["shoe"].notna().to_numpy(bool)]
    if acts.empty:
        return schema.empty(schema.SHOES)
    day = calendar.local_day(acts, settings.timezone)
    frame = pd.DataFrame({
        "shoe": acts["shoe"].to_numpy(),
        "week_start": calendar.mondays(day).to_numpy(),
        "distance_km": acts["distance_km"].fillna(0.0).to_numpy(float),
    })
    w = frame.groupby(["shoe", "week_start"], as_index=False)["distance_km"].sum()
    start = {s.name.casefold(): s.start_km for s in settings.shoes}
    offset = w["shoe"].str.casefold().map(start).fillna(0.0).astype(float)
    w["cumulative_km"] = w.groupby("shoe")["distance_km"].cumsum() + offset
    w["week"] = calendar.week_labels(w["week_start"])
    w = w.sort_values(["week_start", "shoe"]).reset_index(drop=True)
    return schema.conform(w, schema.SHOES)
