"""Evaluation of the rule catalogue on the load frames, and next week's envelope.

Each rule has one evaluator here, keyed by rule id (a catalogue rule without one fails at
import); it reads its thresholds and windows from the rule object (so overrides and
bone-stress steps apply) and returns a :class:`Verdict`: finding rows with the observed
value, the threshold crossed and the facts of the message (made into text by
:mod:`loadwatch.format` when shown), a reason why it could not judge, and the series it
compared against (:class:`~loadwatch.findings.RuleSeries`), which the report draws and the
envelope reads. Evaluators work on whole columns; nothing loops over weeks to compute.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import calendar, frames, schema
from loadwatch import format as fmt
from loadwatch.findings import RuleSeries, finding, plain
from loadwatch.result import Envelope
from loadwatch.rules import RULES, Rule
from loadwatch.rules import symptoms as sym
from loadwatch.settings import Settings

Rows = list[dict[str, Any]]


@dataclass
class Frames:
    """What the evaluators read: prepared activities (runs only, sorted) and the frames."""

    runs: pd.DataFrame
    run_start: pd.DatetimeIndex
    run_day: pd.Series
    daily: pd.DataFrame
    weekly: pd.DataFrame
    shoes: pd.DataFrame
    settings: Settings
    #: the symptom log, if any (loadwatch.rules.symptoms.read_symptoms)
    symptoms: pd.DataFrame | None = None
    #: the rules being evaluated, and the rows the earlier rules found
    rules: Mapping[str, Rule] = field(default_factory=dict)
    found: Rows = field(default_factory=list)

    def week_of(self, day: pd.Timestamp) -> pd.Timestamp:
        return calendar.monday(day)

    @property
    def next_week(self) -> pd.Timestamp:
        """Monday of the week after the weekly frame."""
        return pd.Timestamp(self.weekly["week_start"].iat[-1]) + pd.Timedelta(days=7)


@dataclass
class Verdict:
    """What one evaluator hands over: findings, why it could not judge, what it compared."""

    rows: Rows = field(default_factory=list)
    why: str | None = None
    series: RuleSeries | None = None


def _day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _prev_mean(values: pd.Series, ok: pd.Series, n: int = 4) -> pd.Series:
    """Mean of the n previous weeks, NaN unless all n are covered and known."""
    v = values.where(ok)
    return v.rolling(n, min_periods=n).mean().shift(1)


def rise_limit(reference: Any, fraction: float, min_rise: float) -> Any:
    """The level a rise above ``reference`` must pass: +fraction and at least +min_rise."""
    return np.fmax(np.asarray(reference, float) * (1 + fraction),
                   np.asarray(reference, float) + min_rise)


#: Relative float noise ignored when a value is compared with its limit: 31 km x 1.2 is
#: 37.199999999999996 in floating point, and 37.2 km is not "above +20 %".
FLOAT_NOISE = 1e-9


def exceeds(value: Any, reference: Any, factor: float, min_rise: float) -> Any:
    """Whether ``value`` is over ``factor`` x the reference and at least ``min_rise`` more:
    the test every rise rule applies (the limits above are where it starts to hold), blind
    to float noise (:data:`FLOAT_NOISE`)."""
    v, r = np.asarray(value, float), np.asarray(reference, float)
    with np.errstate(invalid="ignore"):
        over = v > r * factor * (1 + FLOAT_NOISE)
        return over & (v - r >= min_rise * (1 - FLOAT_NOISE))


def multiple_limit(reference: Any, factor: float, min_rise: float) -> Any:
    """The level a value must pass: ``factor`` x the reference and at least +min_rise."""
    return np.fmax(np.asarray(reference, float) * factor,
                   np.asarray(reference, float) + min_rise)


# --- rule evaluators --------------------------------------------------------------------


def _weekly_distance_jump(f: Frames, rule: Rule) -> Verdict:
    w = f.weekly
    cov = w["covered"].to_numpy(bool)
    pair = cov & np.roll(cov, 1)
    pair[0] = False
    d = w["distance_km"].to_numpy(float)
    prev = np.roll(d, 1)
    prev[0] = np.nan
    judged = pair & (prev >= rule.value("min_prev_km"))
    rise = rule.value("min_rise_km")
    ref = np.where(judged, prev, np.nan)
    limits = {n: rise_limit(ref, rule.value(n), rise) for n in ("info", "caution")}
    last = len(d) - 1
    nxt: dict[str, float] = {}
    if cov[last] and d[last] >= rule.value("min_prev_km"):
        nxt = {"reference": float(d[last]),
               **{f"{n}_limit": float(rise_limit(d[last], rule.value(n), rise))
                  for n in limits}}
    series = RuleSeries(rule.id, "weekly", "km", pd.DataFrame({
        "week_start": w["week_start"].to_numpy(), "distance_km": d, "reference": ref,
        "info_limit": limits["info"], "caution_limit": limits["caution"],
    }), next=nxt)
    if not pair.any():
        return Verdict([], "fewer than 2 consecutive fully covered weeks", series)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (d - prev) / prev
    rows = []
    fires = {n: exceeds(d, ref, 1 + rule.value(n), rise) for n in limits}
    for i in np.flatnonzero(judged & fires["info"]):
        name = "caution" if fires["caution"][i] else "info"
        t = rule.threshold(name)
        rows.append(finding(
            rule, t, w["week_start"].iat[i], p[i] * 100,
            "Weekly distance rose {rise} ({prev} to {now}); rule of thumb {info}, caution "
            "above {caution}",
            {"rise": [p[i], "fraction"], "prev": [prev[i], "km"], "now": [d[i], "km"],
             "info": [rule.value("info"), "fraction"],
             "caution": [rule.value("caution"), "fraction"]},
            limit=t.value * 100, unit="%", baseline=prev[i],
        ))
    return Verdict(rows, None, series)


def _rolling_prev_max(values: np.ndarray, covered: np.ndarray, days: int) -> np.ndarray:
    """Max over the previous ``days`` days (not today), NaN unless all were covered."""
    v = pd.Series(values)
    mx = v.rolling(days, min_periods=days).max().shift(1).to_numpy(float)
    cov = pd.Series(covered.astype(float)).rolling(days, min_periods=days).sum().shift(1)
    return np.where(cov.to_numpy(float) == days, mx, np.nan)


def _day_positions(f: Frames, days: pd.Series) -> np.ndarray:
    return f.daily["date"].searchsorted(days).astype(int)


def window_reference(dates: pd.Series, values: np.ndarray, first_day: pd.Timestamp,
                     last_day: pd.Timestamp, days: int) -> float | None:
    """The largest of ``values`` (per day) that a rule looking back ``days`` days (the day
    itself not included) compares every run from ``first_day`` to ``last_day`` with.

    Those are the days in every such window: from ``last_day - days`` to the day before
    ``first_day``. None when there is no positive value there (the rule does not judge).
    For next week (Monday to Sunday) these are the ``days - 6`` days before it.
    """
    d = dates.to_numpy()
    inside = (d >= np.datetime64(last_day - pd.Timedelta(days=days))) & (
        d < np.datetime64(first_day))
    v = np.asarray(values, float)[inside]
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size and v.max() > 0 else None


def _next_week_max(f: Frames, values: np.ndarray, days: int) -> float | None:
    """:func:`window_reference` for the week after the weekly frame."""
    start = f.next_week
    return window_reference(f.daily["date"], values, start, start + pd.Timedelta(days=6), days)


def run_descent_per_day(f: Frames) -> np.ndarray:
    """The largest descent of one run on each day of the daily frame [m] (0 without)."""
    desc = f.runs["descent_m"].to_numpy(float)
    per_day = pd.Series(desc).groupby(f.run_day.to_numpy()).max()
    return per_day.reindex(f.daily["date"].to_numpy()).fillna(0.0).to_numpy(float)


def _long_run_spike(f: Frames, rule: Rule) -> Verdict:
    daily = f.daily
    window = rule.window("window_days")
    prevmax = _rolling_prev_max(
        daily["longest_run_km"].to_numpy(float), daily["covered"].to_numpy(bool), window
    )
    km = f.runs["distance_km"].to_numpy(float)
    ref = prevmax[_day_positions(f, f.run_day)] if len(km) else np.array([], float)
    ref = np.where(ref > 0, ref, np.nan)
    rise = rule.value("min_rise_km")
    names = ("caution", "caution_large", "warning")
    limits = {n: rise_limit(ref, rule.value(n), rise) for n in names}
    m = _next_week_max(f, daily["longest_run_km"].to_numpy(float), window)
    nxt = {} if not m else {"reference": m, "caution_limit": float(
        rise_limit(m, rule.value("caution"), rise))}
    series = RuleSeries(rule.id, "run", "km", pd.DataFrame({
        "date": f.run_start.to_numpy(), "activity_id": f.runs["activity_id"].to_numpy(),
        "distance_km": km, "reference": ref,
        **{f"{n}_limit": limits[n] for n in names},
    }), next=nxt, values={"window_days": window})
    if f.runs.empty or np.isnan(prevmax).all():
        return Verdict([], f"less than {window} days of covered history", series)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = km / ref - 1
    rows = []
    fires = {n: exceeds(km, ref, 1 + rule.value(n), rise) for n in names}
    for i in np.flatnonzero(fires["caution"]):
        name = next(n for n in reversed(names) if fires[n][i])
        t = rule.threshold(name)
        day = f.run_day.iat[i]
        rows.append(finding(
            rule, t, f.week_of(day), s[i] * 100,
            "Run of {km} on {day} is {rise} longer than your longest in the previous "
            "{window} ({ref}): {label}, above {limit}",
            {"km": [km[i], "km"], "day": [_day(day), "date"], "rise": [s[i], "fraction"],
             "window": [window, "days"], "ref": [ref[i], "km"], "label": [t.label, "text"],
             "limit": [t.value, "fraction"]},
            limit=t.value * 100, unit="%", baseline=ref[i], date=day,
            activity_id=f.runs["activity_id"].iat[i],
        ))
    return Verdict(rows, None, series)


def _ewm(seeded: pd.Series, days: int) -> pd.Series:
    """EWMA with alpha = 2 / (N + 1) (Williams 2017) over a seeded series, seed dropped."""
    return seeded.ewm(alpha=2 / (days + 1), adjust=False).mean().iloc[1:].reset_index(drop=True)


def load_ratio_series(daily: pd.DataFrame, floor: float, rule: Rule = RULES["load_ratio"]
                ) -> pd.Series:
    """Uncoupled EWMA acute:chronic ratio per day; NaN without enough covered days or below
    ``floor`` (daily load units). Spans and lag are the rule's windows."""
    acute_d, chronic_d = rule.window("acute_days"), rule.window("chronic_days")
    lag = rule.window("chronic_lag_days")
    # Both averages start from the mean daily load of the first chronic-span covered days
    # ("as usual"), not from the first day's load (pandas' default), which made the ratio
    # depend on whether the data happened to begin with a run or a rest day.
    load_ = daily["load"].fillna(0.0)
    first = load_[daily["covered"].fillna(False).to_numpy(bool)].head(chronic_d)
    seed = float(first.mean()) if len(first) else 0.0
    seeded = pd.concat([pd.Series([seed]), load_], ignore_index=True)
    acute = _ewm(seeded, acute_d).set_axis(daily.index)
    chronic = _ewm(seeded, chronic_d).shift(lag).set_axis(daily.index)
    need = chronic_d + lag
    cov = daily["covered"].astype(float).rolling(need, min_periods=need).sum() == need
    ok = cov & (chronic >= floor)
    return (acute / chronic).where(ok)


def _load_ratio(f: Frames, rule: Rule) -> Verdict:
    # the floor in load units: km a week times the athlete's load per km, per day
    per_km, _ = frames.distance_load_factor(f.runs)
    floor = rule.value("chronic_floor_km") * per_km / 7
    ratio = load_ratio_series(f.daily, floor, rule)
    # the value at the end of each week (or of the data): a weekly reading, not the
    # day-to-day swing that one run after rest days causes in the 7-day average
    covered = f.daily["covered"].to_numpy(bool)
    end = f.daily.loc[covered, "date"].max() if covered.any() else f.daily["date"].max()
    frame = pd.DataFrame({
        "date": f.daily["date"].to_numpy(), "ratio": ratio.to_numpy(float),
        "week_start": calendar.mondays(f.daily["date"]).to_numpy(),
    })
    upto = frame["date"] <= end
    read = np.zeros(len(frame), bool)
    read[frame[upto].groupby("week_start").tail(1).index.to_numpy()] = True
    frame["read"] = read & frame["ratio"].notna().to_numpy()
    series = RuleSeries(rule.id, "daily", "x", frame[["date", "ratio", "read"]],
                        values={"floor_load": floor, "info": rule.value("info"),
                                "caution": rule.value("caution")})
    need = rule.window("chronic_days") + rule.window("chronic_lag_days")
    if ratio.isna().all():
        n = int(covered.sum())
        reason = (f"{n} covered days (needs {need} in a row)" if n < need
                  else "chronic load below the floor throughout")
        return Verdict([], reason, series)
    info, caution = rule.value("info"), rule.value("caution")
    # the read point (RULES.md leaves it open): the week's last covered day; for an athlete
    # running fewer than min_runs_week times a week the week's mean, so one run after rest
    # days cannot swing it; and never a week whose load is below the mean of the weeks
    # before (a falling week is not "above usual")
    w = f.weekly.set_index("week_start")
    n = rule.window("baseline_weeks")
    known = w["covered"].astype(bool)
    mean_load = _prev_mean(w["load"], known, n)
    # runs a week in the weeks before that had any (a break is not low frequency); empty
    # recordings (0 km, 0 s) are not runs here
    real = (f.runs["distance_km"].fillna(0) > 0) | (f.runs["moving_s"].fillna(0) > 0)
    counted = pd.Series(real.to_numpy(int), index=calendar.mondays(f.run_day).to_numpy())
    runs = counted.groupby(level=0).sum().reindex(w.index, fill_value=0).astype(float)
    active = runs.where(known & (runs > 0))
    mean_runs = active.rolling(n, min_periods=1).mean().shift(1)
    sparse = (mean_runs < rule.value("min_runs_week")).reindex(frame["week_start"]).to_numpy()
    week_mean = frame[upto].groupby("week_start")["ratio"].mean()
    frame["reading"] = np.where(sparse, week_mean.reindex(frame["week_start"]).to_numpy(),
                                frame["ratio"].to_numpy())
    falling = (w["load"] < mean_load).reindex(frame["week_start"]).fillna(False).to_numpy(bool)
    series = RuleSeries(rule.id, "daily", "x", frame[["date", "ratio", "read", "reading"]],
                        values=series.values)
    why: str | None = None
    n_sparse = int(np.unique(frame.loc[frame["read"] & sparse, "week_start"]).size)
    if n_sparse:
        why = (f"fewer than {rule.window('min_runs_week')} runs a week before "
               f"{fmt.plural(n_sparse, 'week')}: read as the week's mean ratio, so a single "
               "run cannot swing it")
    rows = []
    pick = frame["read"].to_numpy(bool) & ~falling & (frame["reading"] > info).to_numpy(bool)
    for r, day, ws in frame.loc[pick, ["reading", "date", "week_start"]].itertuples(
            index=False):
        t = rule.threshold("caution" if r > caution else "info")
        rows.append(finding(
            rule, t, ws, r,
            "Load change indicator {ratio} on {day} (last {acute} against the {chronic} "
            "before): {label}; info above {info}, caution above {caution}. It says load "
            "changed faster than your recent pattern, not that you are injured",
            {"ratio": [r, "ratio"], "day": [_day(day), "date"],
             "acute": [rule.window("acute_days"), "days"],
             "chronic": [rule.window("chronic_days"), "days"], "label": [t.label, "text"],
             "info": [info, "x"], "caution": [caution, "x"]},
            date=day,
        ))
    return Verdict(rows, why, series)


def _no_intensity(f: Frames) -> str:
    """Why no run has a time at intensity: no data, or heart rate without a maximum."""
    if f.runs["has_hr"].fillna(False).any():
        return "heart rate without a known maximum: set athlete.max_hr to use your heart rate"
    return "no heart rate or pace data"


def _intensity_jump(f: Frames, rule: Rule) -> Verdict:
    w = f.weekly
    h = w["hi_intensity_min"]
    cov = w["covered"].astype(bool)
    known = cov & h.notna()
    n = rule.window("baseline_weeks")
    mean4 = _prev_mean(h, known, n).to_numpy(float)
    c1, c2 = rule.value("caution"), rule.value("caution_double")
    rise = rule.value("min_rise_min")
    limit = multiple_limit(mean4, c1, rise)
    series = RuleSeries(rule.id, "weekly", "min", pd.DataFrame({
        "week_start": w["week_start"].to_numpy(), "hi_min": h.to_numpy(float),
        "reference": mean4, "caution_limit": limit,
        "caution_double_limit": multiple_limit(mean4, c2, rise),
    }))
    if not f.runs["hi_intensity_s"].notna().any():
        return Verdict([], _no_intensity(f), series)
    if int(known.sum()) < n + 1:
        return Verdict([], f"{int(known.sum())} covered weeks with heart rate or pace "
                       f"(needs {n + 1})", series)
    hv = h.to_numpy(float)
    easy = h.where(known) < rule.value("easy_week_min")
    k = rule.window("easy_weeks")
    prev_easy = (easy.astype(float).rolling(k, min_periods=k).sum().shift(1) == k).to_numpy()
    rows = []
    for i in np.flatnonzero(known.to_numpy()):
        m, x = mean4[i], hv[i]
        if np.isnan(m):
            continue
        facts: dict[str, list[Any]] = {"x": [x, "min"], "m": [m, "min"], "n": [n, "count:week"]}
        if x > c2 * m and x - m >= rise:
            name, thr = "caution_double", max(c2 * m, m + rise)
            how, facts["c"] = "over {c}", [c2, "x"]
        elif x > c1 * m and x - m >= rise:
            name, thr = "caution", max(c1 * m, m + rise)
            how, facts["c"] = "over {c}", [c1, "x"]
        elif prev_easy[i] and x >= rule.value("hard_week_min"):
            name, thr = "caution", rule.value("hard_week_min")
            how, facts["k"] = "the first hard week after {k}", [k, "count:easy week"]
        else:
            continue
        rows.append(finding(
            rule, name, w["week_start"].iat[i], x,
            "{x} above threshold this week against {m} on average in the {n} before: " + how,
            facts, limit=thr, unit="min", baseline=m,
        ))
    return Verdict(rows, None, series)


def _prev_runs_median(km: pd.Series, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Median distance and number of the runs in the ``days`` days before each run.

    A run of 0 km (an empty recording) has no distance to compare: it counts like a run
    without one, so it neither lowers the median nor makes up the runs it needs.
    """
    window = km.where(km > 0).rolling(f"{days}D", closed="left")
    return window.median().to_numpy(float), window.count().to_numpy(float)


def hard_sessions(f: Frames, rule: Rule) -> np.ndarray:
    """Boolean per run: >= hard_min above threshold, or a long run vs the median run."""
    runs = f.runs
    hi = runs["hi_intensity_s"].to_numpy(float)
    km = pd.Series(runs["distance_km"].to_numpy(float), index=f.run_start)
    median, count = _prev_runs_median(km, rule.window("median_days"))
    long_run = (count >= rule.value("min_runs")) & (
        km.to_numpy() >= rule.value("long_run_multiple") * median)
    return (np.nan_to_num(hi) >= rule.value("hard_min") * 60) | long_run


def _hard_sessions_close(f: Frames, rule: Rule) -> Verdict:
    if f.runs.empty:
        return Verdict([], "no runs")
    hard = hard_sessions(f, rule)
    series = RuleSeries(rule.id, "run", "", pd.DataFrame({
        "date": f.run_start.to_numpy(), "activity_id": f.runs["activity_id"].to_numpy(),
        "hard": hard}))
    t = f.run_start[hard]
    days = f.run_day[hard]
    patterns: dict[pd.Timestamp, list[list[Any]]] = {}

    def add(day: pd.Timestamp, template: str, facts: dict[str, list[Any]]) -> None:
        texts = patterns.setdefault(f.week_of(day), [])
        if [template, facts] not in texts:
            texts.append([template, facts])

    if len(t):
        tv = t.to_numpy()
        gaps = np.diff(tv) / np.timedelta64(1, "h")
        for i in np.flatnonzero(gaps < rule.value("gap_h")):
            add(days.iat[i + 1], "two hard sessions {h} apart ({a} and {b})",
                {"h": [gaps[i], "h"], "a": [_day(days.iat[i]), "date"],
                 "b": [_day(days.iat[i + 1]), "date"]})
        n = int(rule.value("per_week"))
        first = np.searchsorted(tv, tv - np.timedelta64(7, "D"), side="right")
        count = np.arange(len(tv)) - first + 1
        for i in np.flatnonzero(count >= n):
            add(days.iat[i], "{n} within 7 days", {"n": [count[i], "count:hard session"]})
        hard_day = np.zeros(len(f.daily), bool)
        hard_day[_day_positions(f, days)] = True
        run_id = np.cumsum(~hard_day)
        streak = pd.Series(hard_day.astype(int)).groupby(run_id).cumsum().to_numpy()
        need = int(rule.value("streak_days"))
        for i in np.flatnonzero(streak == need):
            add(f.daily["date"].iat[i], "{n} in a row without an easy or rest day",
                {"n": [need, "days"]})
    rows = []
    for ws, parts in sorted(patterns.items()):
        name = "caution" if len(parts) >= rule.value("caution") else "info"
        rows.append(finding(
            rule, name, ws, float(len(parts)),
            "Hard sessions close together ({n}): {parts}",
            {"n": [len(parts), "count:pattern"], "parts": [parts, "parts"]},
        ))
    why = None
    if not f.runs["hi_intensity_s"].notna().any():
        why = f"{_no_intensity(f)}: hard sessions judged by long runs only"
    return Verdict(rows, why, series)


def _monotony(f: Frames, rule: Rule) -> Verdict:
    d = f.daily
    ws = calendar.mondays(d["date"])
    g = d["load"].groupby(ws)
    mean, sd = g.mean(), g.std(ddof=1)
    full = d["covered"].astype(float).groupby(ws).sum() == 7
    mono = (mean / sd).where(sd > 0, 10.0).clip(upper=10.0).where(full & (mean > 0))
    c = rule.value("caution")
    series = RuleSeries(rule.id, "weekly", "x", pd.DataFrame({
        "week_start": mono.index.to_numpy(), "monotony": mono.to_numpy(float),
        "caution_limit": c}))
    if mono.isna().all():
        return Verdict([], "no fully covered week with running", series)
    rows = []
    for week_start, m in mono[mono > c].items():
        rows.append(finding(
            rule, "caution", week_start, float(m),
            "Training monotony {m} (mean daily load / its SD over the week): days too "
            "alike; caution above {c}",
            {"m": [m, "monotony"], "c": [c, "monotony"]},
        ))
    return Verdict(rows, None, series)


def _downhill_volume_jump(f: Frames, rule: Rule) -> Verdict:
    w = f.weekly
    e = w["descent_m"]
    known = w["covered"].astype(bool) & e.notna()
    n = rule.window("baseline_weeks")
    mean4 = _prev_mean(e, known, n).to_numpy(float)
    c, rise = rule.value("caution"), rule.value("min_rise_m")
    limit = multiple_limit(mean4, c, rise)
    tail = e.where(known).tail(n)
    nxt = {}
    if tail.notna().sum() == n:
        m = float(tail.mean())
        nxt = {"reference": m, "caution_limit": float(multiple_limit(m, c, rise))}
    series = RuleSeries(rule.id, "weekly", "m", pd.DataFrame({
        "week_start": w["week_start"].to_numpy(), "descent_m": e.to_numpy(float),
        "reference": mean4, "caution_limit": limit}), next=nxt)
    if not f.runs["descent_m"].notna().any():
        return Verdict([], "no elevation data", series)
    ev = e.to_numpy(float)
    ok = known.to_numpy() & exceeds(ev, mean4, c, rise)
    rows = []
    for i in np.flatnonzero(ok):
        m = mean4[i]
        rows.append(finding(
            rule, "caution", w["week_start"].iat[i], ev[i],
            "Weekly descent {e} against {m} on average in the {n} before; caution above "
            "{c} and {rise} more",
            {"e": [ev[i], "m"], "m": [m, "m"], "n": [n, "count:week"], "c": [c, "x"],
             "rise": [rise, "m"]},
            limit=limit[i], unit="m", baseline=m,
        ))
    # one run's descent against the largest single-run descent in the previous window
    window = rule.window("window_days")
    desc = f.runs["descent_m"].to_numpy(float)
    day_max = run_descent_per_day(f)
    prevmax = _rolling_prev_max(day_max, f.daily["covered"].to_numpy(bool), window)
    ref = prevmax[_day_positions(f, f.run_day)]
    rc, rr = rule.value("run_caution"), rule.value("min_run_rise_m")
    hit = np.isfinite(desc) & (ref > 0) & exceeds(desc, ref, rc, rr)
    for i in np.flatnonzero(hit):
        day = f.run_day.iat[i]
        rows.append(finding(
            rule, "run_caution", f.week_of(day), desc[i],
            "Run on {day} descended {e}, over {c} the most in one run in the previous "
            "{window} ({ref})",
            {"day": [_day(day), "date"], "e": [desc[i], "m"], "c": [rc, "x"],
             "window": [window, "days"], "ref": [ref[i], "m"]},
            limit=rc * ref[i], unit="m", baseline=ref[i], date=day,
            activity_id=f.runs["activity_id"].iat[i],
        ))
    if np.isnan(mean4).all() and not rows:
        return Verdict([], f"fewer than {n + 1} covered weeks with elevation", series)
    return Verdict(rows, None, series)


def _trail_volume_jump(f: Frames, rule: Rule) -> Verdict:
    trail = frames.is_trail(f.runs)
    w = f.weekly
    n = rule.window("baseline_weeks")
    cov = w["covered"].astype(bool)
    tk, dk = w["trail_km"].where(cov), w["distance_km"].where(cov)
    tn = tk.rolling(n, min_periods=n).sum().shift(1)
    dn = dk.rolling(n, min_periods=n).sum().shift(1)
    share_prev = (tn / dn.where(dn > 0)).to_numpy(float)
    mean_t = (tn / n).to_numpy(float)
    mult, rise = rule.value("info"), rule.value("min_rise_km")
    limit = multiple_limit(mean_t, mult, rise)
    series = RuleSeries(rule.id, "weekly", "km", pd.DataFrame({
        "week_start": w["week_start"].to_numpy(), "trail_km": w["trail_km"].to_numpy(float),
        "reference": mean_t, "info_limit": limit}))
    if not trail.any():
        return Verdict([], "no runs tagged as trail", series)
    share = w["trail_share"].to_numpy(float)
    tv = w["trail_km"].to_numpy(float)
    pts = rule.value("share_points")
    rows = []
    for i in np.flatnonzero(cov.to_numpy()):
        parts: list[list[Any]] = []
        value, thr, unit, name = np.nan, np.nan, "", "info"
        if np.isfinite(share_prev[i]) and share[i] - share_prev[i] > pts:
            parts.append(["trail share {s} against {p} in the {n} before (info above "
                          "+{pts})", {"s": [share[i], "fraction"], "p": [share_prev[i],
                          "fraction"], "n": [n, "count:week"], "pts": [pts, "points"]}])
            value, thr, unit, name = (share[i] * 100, (share_prev[i] + pts) * 100, "%",
                                      "share_points")
        if np.isfinite(mean_t[i]) and exceeds(tv[i], mean_t[i], mult, rise):
            parts.append(["{t} on trails against {m} a week before",
                          {"t": [tv[i], "km"], "m": [mean_t[i], "km"]}])
            value, thr, unit, name = tv[i], limit[i], "km", "info"
        if parts:
            rows.append(finding(rule, name, w["week_start"].iat[i], value,
                                "Trail volume rose: {parts}", {"parts": [parts, "parts"]},
                                limit=thr, unit=unit))
    # the first long trail run: long by the hard-session definition, none before
    km = pd.Series(f.runs["distance_km"].to_numpy(float), index=f.run_start)
    median, count = _prev_runs_median(km, rule.window("median_days"))
    m = rule.value("first_long")
    long_ = trail & (count >= rule.value("min_runs")) & (km.to_numpy() >= m * median)
    if long_.any():
        first = int(np.flatnonzero(long_)[0])
        day = f.run_day.iat[first]
        rows.append(finding(
            rule, "first_long", f.week_of(day), km.iat[first],
            "First long trail run: {km} on {day}, over {m} your median run ({med})",
            {"km": [km.iat[first], "km"], "day": [_day(day), "date"], "m": [m, "x"],
             "med": [median[first], "km"]},
            limit=m * median[first], unit="km", baseline=median[first], date=day,
            activity_id=f.runs["activity_id"].iat[first],
        ))
    return Verdict(rows, None, series)


SHOE_MARKS = ("info", "info_high", "caution")


def shoe_levels(rule: Rule, retire_km: float | None) -> list[tuple[str, float]]:
    """(threshold name, km) marks for one shoe; a shoe's retire_km rescales 450/650/800."""
    scale = retire_km / rule.value("caution") if retire_km else 1.0
    return [(n, rule.value(n) * scale) for n in SHOE_MARKS]


def _shoe_mileage(f: Frames, rule: Rule) -> Verdict:
    s = f.shoes
    retire = {x.name.casefold(): x.retire_km for x in f.settings.shoes}
    marks = []
    for shoe, g in s.groupby("shoe", sort=True):
        limits = dict(shoe_levels(rule, retire.get(str(shoe).casefold())))
        marks.append({"shoe": str(shoe), "total_km": float(g["cumulative_km"].iat[-1]),
                      **{f"{n}_limit": km for n, km in limits.items()}})
    series = RuleSeries(rule.id, "shoe", "km", pd.DataFrame(
        marks, columns=["shoe", "total_km", *(f"{n}_limit" for n in SHOE_MARKS)]))
    if s.empty:
        return Verdict([], "no shoes named in the activities or loadwatch.toml", series)
    last_week = f.weekly["week_start"].iat[-1]
    rows = []
    for shoe, g in s.groupby("shoe", sort=True):
        levels = shoe_levels(rule, retire.get(str(shoe).casefold()))
        cum = g["cumulative_km"].to_numpy(float)
        before = cum - g["distance_km"].to_numpy(float)
        hit: dict[int, tuple[str, float]] = {}
        for name, km in levels:
            for at in np.flatnonzero((before < km) & (cum >= km)):
                hit[int(at)] = (name, km)
        # a worn shoe still in use is shown in the latest week too
        recent = last_week - pd.Timedelta(weeks=rule.window("in_use_weeks"))
        in_use = g["week_start"].iat[-1] >= recent
        if in_use and cum[-1] >= levels[0][1] and g["week_start"].iat[-1] != last_week:
            hit[len(cum)] = [lv for lv in levels if cum[-1] >= lv[1]][-1]
        for i, (name, km) in sorted(hit.items()):
            total = cum[min(i, len(cum) - 1)]
            ws = g["week_start"].iat[i] if i < len(cum) else last_week
            rows.append(finding(
                rule, name, ws, total,
                "Shoe '{shoe}' has {total} (passed {km}); replace shoes every {lo} to {hi}",
                {"shoe": [str(shoe), "text"], "total": [total, "km_total"],
                 "km": [km, "km_total"], "lo": [levels[0][1], "km_total"],
                 "hi": [levels[-1][1], "km_total"]},
                limit=km, unit="km",
            ))
    # rotation: one pair for most runs in the last weeks
    since = last_week - pd.Timedelta(weeks=rule.window("rotation_weeks") - 1)
    recent_runs = f.runs[(f.run_day >= since).to_numpy()
                         & f.runs["shoe"].notna().to_numpy(bool)]
    if len(recent_runs) >= rule.value("rotation_runs"):
        share = recent_runs["shoe"].value_counts(normalize=True)
        lim = rule.value("rotation")
        if share.iat[0] > lim:
            rows.append(finding(
                rule, "rotation", last_week, share.iat[0] * 100,
                "'{shoe}' on {share} of runs in the last {weeks} ({pairs} used); rotating "
                "pairs spreads the wear",
                {"shoe": [str(share.index[0]), "text"], "share": [share.iat[0], "fraction"],
                 "weeks": [rule.window("rotation_weeks"), "count:week"],
                 "pairs": [share.size, "count:pair"]},
                limit=lim * 100, unit="%",
            ))
    return Verdict(rows, None, series)


def _return_after_break(f: Frames, rule: Rule) -> Verdict:
    days = pd.Series(f.run_day.unique()).sort_values().reset_index(drop=True)
    brk = rule.value("break_days")
    frac, floor = rule.value("caution"), rule.value("min_prev_km")
    w = f.weekly.set_index("week_start")["distance_km"]
    nxt: dict[str, float] = {}
    covered = f.daily.loc[f.daily["covered"].to_numpy(bool), "date"]
    if len(days) and len(covered):
        # a break is on when the data's last covered day is break_days after the last run
        idle = (covered.max() - days.iat[-1]).days
        old = float(w.get(f.week_of(days.iat[-1]), 0.0))
        if idle >= brk and old >= floor:
            nxt = {"reference": old, "caution_limit": frac * old, "idle_days": float(idle)}
    series = RuleSeries(rule.id, "break", "km", pd.DataFrame(), next=nxt)
    if len(days) < 2:
        return Verdict([], "fewer than 2 runs", series)
    gap = (days.diff().dt.days - 1).to_numpy(float)
    cov_cum = np.concatenate([[0], np.cumsum(f.daily["covered"].to_numpy(int))])
    pos = _day_positions(f, days)
    rows = []
    for i in np.flatnonzero(gap >= brk):
        # every day between the two runs must be covered (a known rest, not a hole)
        if cov_cum[pos[i]] - cov_cum[pos[i - 1] + 1] != pos[i] - pos[i - 1] - 1:
            continue
        old_ws, new_ws = f.week_of(days.iat[i - 1]), f.week_of(days.iat[i])
        old, new = float(w.get(old_ws, 0.0)), float(w.get(new_ws, 0.0))
        if old < floor or new <= frac * old:
            continue
        rows.append(finding(
            rule, "caution", new_ws, new,
            "First week back after {gap} without running: {new}, more than {frac} of the "
            "{old} of the last week before the break",
            {"gap": [gap[i], "days"], "new": [new, "km"], "frac": [frac, "fraction"],
             "old": [old, "km"]},
            limit=frac * old, unit="km", baseline=old, date=days.iat[i],
        ))
    return Verdict(rows, None, series)


def _red_flag_symptoms(f: Frames, rule: Rule) -> Verdict:
    if f.symptoms is None:
        return Verdict([], "no symptoms.csv beside the activity files (optional pain log)")
    return Verdict(sym.symptom_findings(f.symptoms, f.found, rule, f.rules))


Evaluator = Callable[[Frames, Rule], Verdict]

EVALUATORS: Mapping[str, Evaluator] = {
    "weekly_distance_jump": _weekly_distance_jump,
    "long_run_spike": _long_run_spike,
    "load_ratio": _load_ratio,
    "intensity_jump": _intensity_jump,
    "hard_sessions_close": _hard_sessions_close,
    "monotony": _monotony,
    "downhill_volume_jump": _downhill_volume_jump,
    "trail_volume_jump": _trail_volume_jump,
    "shoe_mileage": _shoe_mileage,
    "return_after_break": _return_after_break,
    "red_flag_symptoms": _red_flag_symptoms,
}

_missing_evaluators = sorted(set(RULES) - set(EVALUATORS))
if _missing_evaluators:  # a catalogue rule nobody evaluates is a programming error
    raise ImportError(f"rules without an evaluator: {', '.join(_missing_evaluators)}")


def _frames(activities: pd.DataFrame, daily: pd.DataFrame, weekly: pd.DataFrame,
            shoes: pd.DataFrame, settings: Settings) -> Frames:
    run = frames.is_run(activities)
    runs = activities[run].copy()
    start = calendar.local_start(runs, settings.timezone)
    order = np.argsort(start.to_numpy(), kind="stable")
    runs = runs.iloc[order].reset_index(drop=True)
    start = start.iloc[order].reset_index(drop=True)
    return Frames(runs, pd.DatetimeIndex(start), start.dt.normalize(),
                  daily.reset_index(drop=True), weekly.reset_index(drop=True), shoes, settings)


def rule_mapping(rules: Mapping[str, Rule] | Iterable[Rule]) -> dict[str, Rule]:
    """Rules keyed by id, from a mapping or an iterable of rule objects."""
    if isinstance(rules, Mapping):
        return dict(rules)
    return {r.id: r for r in rules}


@dataclass
class Evaluation:
    """All the rules' verdicts for one athlete."""

    findings: pd.DataFrame
    not_evaluated: list[str]
    #: rule id -> the series the rule compared against
    judged: dict[str, RuleSeries]
    rules: dict[str, Rule]
    #: the coming week's limits (:func:`envelope_from`), None without weekly data
    envelope: Envelope | None = None


def evaluate_all(
    activities: pd.DataFrame,
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    shoes: pd.DataFrame,
    settings: Settings,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
    symptoms: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> Evaluation:
    """Evaluate every rule (catalogue order, the symptom log last): findings, notes, series,
    and the envelope as of ``today`` (default: the last covered day of the data).

    ``activities`` must be prepared (:func:`loadwatch.frames.prepare`); bone-stress steps and
    loadwatch.toml overrides are applied on top of ``rules``.
    """
    applied = settings.rules(rule_mapping(rules))
    if weekly.empty:
        return Evaluation(_to_frame([]), [f"{rid}: no runs" for rid in applied], {}, applied)
    f = _frames(activities, daily, weekly, shoes, settings)
    f.symptoms, f.rules = symptoms, applied
    not_evaluated: list[str] = []
    judged: dict[str, RuleSeries] = {}
    for rid, rule in sorted(applied.items(), key=lambda kv: kv[0] == "red_flag_symptoms"):
        verdict = EVALUATORS[rid](f, rule)
        f.found.extend(verdict.rows)
        if verdict.why:
            not_evaluated.append(f"{rid}: {verdict.why}")
        if verdict.series is not None:
            judged[rid] = verdict.series
    found = _to_frame(f.found)
    return Evaluation(found, not_evaluated, judged, applied,
                      envelope_from(f, judged, found, today))


def evaluate(
    activities: pd.DataFrame,
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    shoes: pd.DataFrame,
    settings: Settings,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
    symptoms: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Evaluate every rule; return (findings as schema.FINDINGS, "rule: why not" notes).

    ``rules`` may be a mapping or an iterable of rule objects (e.g. made with
    :func:`dataclasses.replace`). :func:`evaluate_all` also returns the judged series.
    """
    ev = evaluate_all(activities, daily, weekly, shoes, settings, rules, symptoms)
    return ev.findings, ev.not_evaluated


def _to_frame(rows: Rows) -> pd.DataFrame:
    if not rows:
        return schema.empty(schema.FINDINGS)
    df = pd.DataFrame(rows)
    df["week_start"] = pd.to_datetime(df["week_start"])
    df["week"] = calendar.week_labels(df["week_start"])
    df["message"] = [fmt.message(r) for r in df.to_dict("records")]
    order = {rid: i for i, rid in enumerate(RULES)}
    df["_o"] = df["rule"].map(order)
    df = df.sort_values(["week_start", "_o"], kind="stable").drop(columns="_o")
    return schema.conform(df.reset_index(drop=True), schema.FINDINGS)


# --- envelope ---------------------------------------------------------------------------

#: After this many days without running the envelope offers no figure ("no recent runs to
#: base it on") rather than half of a week run long ago: after about 12 weeks without
#: training most endurance adaptations are lost (Mujika & Padilla 2000, Sports Med
#: 30:145-154), so the old week no longer says what the runner can do now; start again as a
#: beginner. Shorter breaks get the return-after-break rule's own limit.
RETURN_BASIS_MAX_DAYS = 91

#: The envelope's figures are rounded down to these steps [km, m].
KM_STEP, M_STEP = 0.1, 1.0

#: Rules that judge the week's distance: a caution from either holds the next week.
DISTANCE_RULES = ("weekly_distance_jump", "return_after_break")


def envelope_week(today: pd.Timestamp | dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(Monday of the envelope's week, the first day it is for) as of ``today``.

    Monday to Saturday: the current week, from today on (what was run since Monday counts
    towards it). Sunday: the next week, whole; so on a Sunday and on the Monday after, with
    no run in between, the envelope is for the same week with the same figures. Never a
    week in the past, however old the data.
    """
    t = pd.Timestamp(today).normalize()
    monday = calendar.monday(t)
    if t.weekday() == 6:
        nxt = monday + pd.Timedelta(days=7)
        return nxt, nxt
    return monday, t


def _most_below(limit: float, step: float, trips: Callable[[float], bool]) -> float:
    """``limit`` rounded down to ``step``, and lower while the rule's own test still fires
    there (a limit of "reference + min_rise" is where a rule starts to fire, not below)."""
    v = round(math.floor(limit / step + 1e-9) * step, 6)
    while v > 0 and trips(v):
        v = round(v - step, 6)
    return max(v, 0.0)


def _week_limit(series: RuleSeries | None, week_start: pd.Timestamp,
                next_week: pd.Timestamp) -> tuple[float, float] | None:
    """(reference, caution limit) a weekly rule applies to the week of ``week_start``:
    its judged row for a week of the frame, its ``next`` for the week after it."""
    if series is None:
        return None
    if week_start == next_week:
        n = series.next
        return (n["reference"], n["caution_limit"]) if "caution_limit" in n else None
    fr = series.frame
    row = fr[pd.to_datetime(fr["week_start"]) == week_start]
    if row.empty or not np.isfinite(float(row["caution_limit"].iat[0])):
        return None
    return float(row["reference"].iat[0]), float(row["caution_limit"].iat[0])


def envelope_from(
    f: Frames,
    judged: Mapping[str, RuleSeries],
    findings: pd.DataFrame,
    today: dt.date | pd.Timestamp | None = None,
) -> Envelope | None:
    """The envelope of the week :func:`envelope_week` picks, from the rules' own limits.

    Distance: the lowest of the 10 % rule's caution limit for the week, the
    return-after-break limit when a run in it comes after a real break (``break_days``),
    and the previous week's distance when that week had a distance caution (hold). Longest
    run: the long-run rule's limit on every remaining day, capped at the distance left.
    Descent: the downhill rule's weekly limit and its per-run limit. Each figure is
    rounded down until the rule's own test no longer fires at it. Nothing while a red flag
    is current; no figure when the last run is older than :data:`RETURN_BASIS_MAX_DAYS`.
    ``today`` defaults to the last covered day of the data.
    """
    if f.weekly.empty:
        return None
    daily = f.daily
    if today is None:
        covered = daily.loc[daily["covered"].to_numpy(bool), "date"]
        today = covered.max() if len(covered) else daily["date"].max()
    t = pd.Timestamp(today).normalize()
    start, first = envelope_week(t)
    end = start + pd.Timedelta(days=6)
    km = f.runs["distance_km"].to_numpy(float)
    desc = f.runs["descent_m"].to_numpy(float)
    in_week = ((f.run_day >= start) & (f.run_day <= t)).to_numpy(bool)
    done_km = float(np.nansum(km[in_week]))
    done_m = float(np.nansum(desc[in_week]))
    past = f.run_day[(f.run_day <= t).to_numpy(bool)]
    keys = ("distance_km", "longest_run_km", "descent_m", "max_run_descent_m")
    values: dict[str, float | None] = dict.fromkeys(keys)
    reasons: dict[str, list[Any]] = {}
    note: list[Any] | None = None
    care = current_red_flag(findings, f.symptoms, t)
    if care is not None:
        note = _reason("{title} on {day}: no running until a clinician has assessed it",
                       {"title": ["red_flag_symptoms", "rule"], "day": [_day(care), "date"]})
        values = dict.fromkeys(keys, 0.0)
        reasons = {k: note for k in keys[:3]}
    elif past.empty or (first - past.max()).days > RETURN_BASIS_MAX_DAYS:
        facts: dict[str, list[Any]] = {}
        template = "no recent runs to base it on"
        if not past.empty:
            template += ": the last run was on {day}, {n} ago"
            facts = {"day": [_day(past.max()), "day"], "n": [(t - past.max()).days, "days"]}
        note = _reason(template, facts)
        reasons = {k: note for k in keys[:3]}
    else:
        _distance(f, judged, findings, t, start, first, values, reasons)
        _longest_and_descent(f, judged, start, first, end, values, reasons)
    dist = values["distance_km"]
    remaining = None if dist is None else _most_below(max(dist - done_km, 0.0), KM_STEP,
                                                      lambda x: False)
    if care is None and remaining is not None and values["longest_run_km"] is not None \
            and values["longest_run_km"] > remaining:
        values["longest_run_km"] = remaining
        template, facts = reasons["longest_run_km"]
        reasons["longest_run_km"] = [template + "; capped at the week's distance left ({cap})",
                                     {**facts, "cap": [remaining, "km"]}]
    week_m = values["descent_m"]
    left_m = None if week_m is None else max(week_m - done_m, 0.0)
    if left_m is not None and values["max_run_descent_m"] is not None:
        values["max_run_descent_m"] = float(min(values["max_run_descent_m"], math.floor(left_m)))
    return Envelope(
        week=calendar.week_label(start), week_start=start.date(),
        distance_km=dist, longest_run_km=values["longest_run_km"], descent_m=week_m,
        basis={k: fmt.fill(tpl, fa) for k, (tpl, fa) in reasons.items()}, reasons=reasons,
        week_end=end.date(), first_day=first.date(), this_week=bool(start <= t),
        done_km=done_km, done_descent_m=done_m, remaining_km=remaining,
        max_run_descent_m=values["max_run_descent_m"], note=note,
    )


def _distance(f: Frames, judged: Mapping[str, RuleSeries], findings: pd.DataFrame,
              today: pd.Timestamp, start: pd.Timestamp, first: pd.Timestamp,
              values: dict[str, float | None], reasons: dict[str, list[Any]]) -> None:
    """The envelope's distance: the lowest limit of the rules that judge the week's total."""
    rules = f.rules
    week_km = f.weekly.set_index("week_start")["distance_km"]
    prev = start - pd.Timedelta(days=7)
    prev_label = calendar.week_label(prev)
    limits: list[tuple[float, list[Any]]] = []
    j = rules.get("weekly_distance_jump")
    lim = None if j is None else _week_limit(judged.get(j.id), start, f.next_week)
    if j is not None and lim is not None:
        ref, limit = lim
        c, rise = j.value("caution"), j.value("min_rise_km")
        limits.append((
            _most_below(limit, KM_STEP, lambda x: bool(exceeds(x, ref, 1 + c, rise))),
            _reason("{title}: +{c} on {d} ({week})",
                    {"title": [j.id, "rule"], "c": [c, "fraction"], "d": [ref, "km"],
                     "week": [prev_label, "text"]})))
    r = rules.get("return_after_break")
    days = pd.Series(f.run_day[(f.run_day <= today).to_numpy(bool)]
                     .unique()).sort_values().reset_index(drop=True)
    if r is not None and len(days):
        brk, frac, floor = r.value("break_days"), r.value("caution"), r.value("min_prev_km")
        gaps = (days.diff().dt.days - 1).to_numpy(float)
        back = np.flatnonzero((gaps >= brk) & (days >= start).to_numpy(bool))
        old_day: pd.Timestamp | None = None
        if len(back):  # back already, in this week: the rule judges this week
            old_day, gap = days.iat[back[0] - 1], float(gaps[back[0]])
        elif (first - days.iat[-1]).days - 1 >= brk:  # any run from `first` on ends a break
            old_day, gap = days.iat[-1], float((first - days.iat[-1]).days - 1)
        old = 0.0 if old_day is None else float(week_km.get(calendar.monday(old_day), 0.0))
        if old_day is not None and old >= floor:
            limits.append((
                _most_below(frac * old, KM_STEP, lambda x: x > frac * old),
                _reason("{title}: {frac} of the {old} of the last week before the break "
                        "({gap} without running)",
                        {"title": [r.id, "rule"], "frac": [frac, "fraction"],
                         "old": [old, "km"], "gap": [gap, "days"]})))
    flagged = findings[findings["rule"].isin(DISTANCE_RULES).to_numpy(bool)
                       & (pd.to_datetime(findings["week_start"]) == prev).to_numpy(bool)
                       & (findings["severity"] != "info").to_numpy(bool)]
    if len(flagged) and prev in week_km.index:
        d = float(week_km[prev])
        limits.append((
            _most_below(d, KM_STEP, lambda x: x > d),
            _reason("{title}: hold at {d}, the distance of {week}, which already rose too "
                    "fast", {"title": [str(flagged["rule"].iat[0]), "rule"], "d": [d, "km"],
                             "week": [prev_label, "text"]})))
    if limits:
        values["distance_km"], reasons["distance_km"] = min(limits, key=lambda x: x[0])
    elif j is not None:
        reasons["distance_km"] = _reason(
            "{title}: not judged ({week} under {floor} or not fully covered)",
            {"title": [j.id, "rule"], "week": [prev_label, "text"],
             "floor": [j.value("min_prev_km"), "km"]})


def _longest_and_descent(f: Frames, judged: Mapping[str, RuleSeries], start: pd.Timestamp,
                         first: pd.Timestamp, end: pd.Timestamp,
                         values: dict[str, float | None], reasons: dict[str, list[Any]]
                         ) -> None:
    """The envelope's longest run and descent from the long-run and downhill rules."""
    rules, dates = f.rules, f.daily["date"]
    s = rules.get("long_run_spike")
    if s is not None:
        window = s.window("window_days")
        ref = window_reference(dates, f.daily["longest_run_km"].to_numpy(float), first, end,
                               window)
        if ref is not None:
            c, rise = s.value("caution"), s.value("min_rise_km")
            values["longest_run_km"] = _most_below(
                float(rise_limit(ref, c, rise)), KM_STEP,
                lambda x: bool(exceeds(x, ref, 1 + c, rise)))
            reasons["longest_run_km"] = _reason(
                "{title}: +{c} on your longest run of the {n} before ({m})",
                {"title": [s.id, "rule"], "c": [c, "fraction"], "n": [window, "days"],
                 "m": [ref, "km"]})
        else:
            reasons["longest_run_km"] = _reason(
                "{title}: no run in the {n} before to compare with",
                {"title": [s.id, "rule"], "n": [window, "days"]})
    dh = rules.get("downhill_volume_jump")
    if dh is None:
        return
    lim = _week_limit(judged.get(dh.id), start, f.next_week)
    if lim is not None:
        ref, limit = lim
        c, rise = dh.value("caution"), dh.value("min_rise_m")
        values["descent_m"] = _most_below(limit, M_STEP,
                                          lambda x: bool(exceeds(x, ref, c, rise)))
        reasons["descent_m"] = _reason(
            "{title}: {c} the mean of the {n} before ({m}), at least +{rise}",
            {"title": [dh.id, "rule"], "c": [c, "x"],
             "n": [dh.window("baseline_weeks"), "count:week"], "m": [ref, "m"],
             "rise": [rise, "m"]})
    ref = window_reference(dates, run_descent_per_day(f), first, end, dh.window("window_days"))
    if ref is not None:
        rc, rr = dh.value("run_caution"), dh.value("min_run_rise_m")
        values["max_run_descent_m"] = _most_below(
            float(multiple_limit(ref, rc, rr)), M_STEP,
            lambda x: bool(exceeds(x, ref, rc, rr)))
        reasons["max_run_descent_m"] = _reason(
            "{title}: one run at most {c} your largest descent of the {n} before ({m})",
            {"title": [dh.id, "rule"], "c": [rc, "x"],
             "n": [dh.window("window_days"), "days"], "m": [ref, "m"]})


def _reason(template: str, facts: dict[str, list[Any]]) -> list[Any]:
    """An envelope basis as [template, facts] (text made when shown)."""
    return [template, plain(facts)]


#: A red flag logged this many days before today is still current (issue: a seek_care
#: finding stops the running allowance until a later pain-free entry).
RED_FLAG_CURRENT_DAYS = 14


def current_red_flag(findings: pd.DataFrame, symptoms: pd.DataFrame | None,
                     start: pd.Timestamp) -> pd.Timestamp | None:
    """The day of the latest red flag when it is current: logged in the 14 days before
    ``start`` (today) and not followed by a pain-free entry of the log."""
    care = findings[(findings["severity"] == "seek_care") & findings["date"].notna()]
    if care.empty:
        return None
    day = pd.Timestamp(care["date"].max())
    if (start - day).days > RED_FLAG_CURRENT_DAYS:
        return None
    if symptoms is not None and len(symptoms):
        later = symptoms[pd.to_datetime(symptoms["date"]) > day]
        if len(later) and ((later["pain"] <= 0) & (later["red_flags"].map(len) == 0)).any():
            return None
    return day


def envelope(
    activities: pd.DataFrame,
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    settings: Settings,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
    shoes: pd.DataFrame | None = None,
    symptoms: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> Envelope | None:
    """The coming week's limits (:func:`envelope_from`): most distance [km], longest run
    [km] and descent [m] that trip no caution, or None without weekly data. ``activities``
    must be prepared; ``today`` defaults to the last covered day of the data."""
    if weekly.empty:
        return None
    shoes = shoes if shoes is not None else frames.shoe_frame(activities, settings)
    ev = evaluate_all(activities, daily, weekly, shoes, settings, rules, symptoms, today=today)
    return ev.envelope
