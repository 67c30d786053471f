"""Evaluation of the rule catalogue on the load frames, and next week's envelope.

Each rule has one evaluator here, keyed by rule id; it reads its thresholds from the rule
object (so overrides and bone-stress steps apply) and returns finding rows with the observed
value and the threshold crossed, or a reason why it could not judge. Evaluators work on
whole columns (shift/rolling/ewm over weeks and days); nothing loops over weeks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import calendar, load, schema
from loadwatch.analysis import Envelope
from loadwatch.rules import RULES, Rule
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

    def week_of(self, day: pd.Timestamp) -> pd.Timestamp:
        return calendar.monday(day)


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def finding(
    rule: Rule,
    severity: str,
    week_start: pd.Timestamp,
    value: float,
    threshold: float,
    unit: str,
    message: str,
    *,
    date: pd.Timestamp | None = None,
    activity_id: str | None = None,
    conditions: Iterable[str] | None = None,
    advice: str | None = None,
) -> dict[str, Any]:
    """One finding row (schema.FINDINGS) carrying the rule's conditions, evidence, advice."""
    return {
        "rule": rule.id,
        "severity": severity,
        "week_start": week_start,
        "date": date,
        "activity_id": activity_id,
        "value": value,
        "threshold": threshold,
        "unit": unit,
        "message": message,
        "conditions": list(rule.conditions if conditions is None else conditions),
        "evidence": str(rule.evidence),
        "advice": rule.advice if advice is None else advice,
    }


def _prev_mean(values: pd.Series, ok: pd.Series, n: int = 4) -> pd.Series:
    """Mean of the n previous weeks, NaN unless all n are covered and known."""
    v = values.where(ok)
    return v.rolling(n, min_periods=n).mean().shift(1)


# --- rule evaluators --------------------------------------------------------------------


def _weekly_distance_jump(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    w = f.weekly
    cov = w["covered"].to_numpy(bool)
    pair = cov & np.roll(cov, 1)
    pair[0] = False
    if not pair.any():
        return [], "fewer than 2 consecutive fully covered weeks"
    d = w["distance_km"].to_numpy(float)
    prev = np.roll(d, 1)
    info, caution = rule.value("info"), rule.value("caution")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (d - prev) / prev
    ok = pair & (prev >= rule.value("min_prev_km")) & (d - prev >= rule.value("min_rise_km"))
    rows = []
    for i in np.flatnonzero(ok & (p > info)):
        t = caution if p[i] > caution else info
        sev = rule.threshold("caution" if p[i] > caution else "info").severity
        rows.append(finding(
            rule, sev, w["week_start"].iat[i], p[i] * 100, t * 100, "%",
            f"Weekly distance rose {_pct(p[i])} ({prev[i]:.0f} -> {d[i]:.0f} km); rule of "
            f"thumb {_pct(info)}, caution above {_pct(caution)}",
        ))
    return rows, None


def _rolling_prev_max(values: np.ndarray, covered: np.ndarray, days: int) -> np.ndarray:
    """Max over the previous ``days`` days (not today), NaN unless all were covered."""
    v = pd.Series(values)
    mx = v.rolling(days, min_periods=days).max().shift(1).to_numpy(float)
    cov = pd.Series(covered.astype(float)).rolling(days, min_periods=days).sum().shift(1)
    return np.where(cov.to_numpy(float) == days, mx, np.nan)


def _day_positions(f: Frames, days: pd.Series) -> np.ndarray:
    return f.daily["date"].searchsorted(days).astype(int)


def _long_run_spike(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    daily = f.daily
    prevmax = _rolling_prev_max(
        daily["longest_run_km"].to_numpy(float), daily["covered"].to_numpy(bool), 30
    )
    if f.runs.empty or np.isnan(prevmax).all():
        return [], "less than 30 days of covered history"
    km = f.runs["distance_km"].to_numpy(float)
    ref = prevmax[_day_positions(f, f.run_day)]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = km / ref - 1
    c, cl, wn = rule.value("caution"), rule.value("caution_large"), rule.value("warning")
    ok = (ref > 0) & (km - ref >= rule.value("min_rise_km")) & (s > c)
    rows = []
    for i in np.flatnonzero(ok):
        name = "warning" if s[i] > wn else "caution_large" if s[i] > cl else "caution"
        t = rule.threshold(name)
        day = f.run_day.iat[i]
        rows.append(finding(
            rule, t.severity or "caution", f.week_of(day), s[i] * 100, t.value * 100, "%",
            f"Run of {km[i]:.1f} km on {day:%a %d %b} is {_pct(s[i])} longer than your "
            f"longest in the previous 30 days ({ref[i]:.1f} km); caution above {_pct(c)}, "
            f"warning above {_pct(wn)}",
            date=day, activity_id=f.runs["activity_id"].iat[i],
        ))
    return rows, None


#: EWMA spans [days] of the acute and chronic load and the lag of the chronic one.
ACUTE_DAYS, CHRONIC_DAYS, CHRONIC_LAG_DAYS = 7, 28, 7


def _ewm(seeded: pd.Series, days: int) -> pd.Series:
    """EWMA with alpha = 2 / (N + 1) (Williams 2017) over a seeded series, seed dropped."""
    return seeded.ewm(alpha=2 / (days + 1), adjust=False).mean().iloc[1:].reset_index(drop=True)


def load_change(daily: pd.DataFrame, floor: float) -> pd.Series:
    """Uncoupled EWMA acute:chronic ratio per day; NaN without 35 covered days or below floor."""
    # Both averages start from the mean daily load of the first 28 covered days ("as
    # usual"), not from the first day's load (pandas' default), which made the ratio depend
    # on whether the data happened to begin with a run or a rest day.
    load_ = daily["load"].fillna(0.0)
    first = load_[daily["covered"].fillna(False).to_numpy(bool)].head(CHRONIC_DAYS)
    seed = float(first.mean()) if len(first) else 0.0
    seeded = pd.concat([pd.Series([seed]), load_], ignore_index=True)
    acute = _ewm(seeded, ACUTE_DAYS).set_axis(daily.index)
    chronic = _ewm(seeded, CHRONIC_DAYS).shift(CHRONIC_LAG_DAYS).set_axis(daily.index)
    need = CHRONIC_DAYS + CHRONIC_LAG_DAYS
    cov = daily["covered"].astype(float).rolling(need, min_periods=need).sum() == need
    ok = cov & (chronic >= floor)
    return (acute / chronic).where(ok)


def _load_ratio(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    # the floor in load units: km a week times the athlete's load per km, per day
    per_km, _ = load.distance_load_factor(f.runs)
    ratio = load_change(f.daily, rule.value("chronic_floor_km") * per_km / 7)
    if ratio.isna().all():
        covered = int(f.daily["covered"].sum())
        why = (f"{covered} covered days (needs {CHRONIC_DAYS + CHRONIC_LAG_DAYS} in a row)"
               if covered < CHRONIC_DAYS + CHRONIC_LAG_DAYS
               else "chronic load below the floor throughout")
        return [], why
    info, caution = rule.value("info"), rule.value("caution")
    # the value at the end of each week (or of the data): a weekly reading, not the
    # day-to-day swing that one run after rest days causes in the 7-day average
    end = f.daily.loc[f.daily["covered"].to_numpy(bool), "date"].max()
    frame = pd.DataFrame({
        "ratio": ratio.to_numpy(), "date": f.daily["date"].to_numpy(),
        "week_start": calendar.mondays(f.daily["date"]).to_numpy(),
    })
    frame = frame[frame["date"] <= end]
    peaks = frame.groupby("week_start").tail(1).dropna()
    rows = []
    for r, day, ws in peaks[peaks["ratio"] > info].itertuples(index=False, name=None):
        name = "caution" if r > caution else "info"
        t = rule.threshold(name)
        rows.append(finding(
            rule, t.severity or name, ws, r, t.value, "x",
            f"Load change indicator {r:.2f} at {day:%a %d %b} (last 7 days vs the 4 weeks "
            f"before): {t.label}; info above {info:g}, caution above {caution:g}. It says load "
            "changed faster than your recent pattern, not that you are injured",
            date=day,
        ))
    return rows, None


def _no_intensity(f: Frames) -> str:
    """Why no run has a time at intensity: no data, or heart rate without a maximum."""
    if f.runs["has_hr"].fillna(False).any():
        return "heart rate without a known maximum: set athlete.max_hr to use your heart rate"
    return "no heart rate or pace data"


def _intensity_jump(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    w = f.weekly
    h = w["hi_intensity_min"]
    cov = w["covered"].astype(bool)
    known = cov & h.notna()
    if not f.runs["hi_intensity_s"].notna().any():
        return [], _no_intensity(f)
    if int(known.sum()) < 5:
        return [], f"{int(known.sum())} covered weeks with heart rate or pace (needs 5)"
    mean4 = _prev_mean(h, known).to_numpy(float)
    hv = h.to_numpy(float)
    c1, c2 = rule.value("caution"), rule.value("caution_double")
    rise = rule.value("min_rise_min")
    easy = h.where(known) < rule.value("easy_week_min")
    prev3_easy = (easy.astype(float).rolling(3, min_periods=3).sum().shift(1) == 3).to_numpy()
    rows = []
    for i in np.flatnonzero(known.to_numpy()):
        m, x = mean4[i], hv[i]
        if np.isnan(m):
            continue
        if x > c2 * m and x - m >= rise:
            thr, how = max(c2 * m, m + rise), f"over {c2:g}x"
        elif x > c1 * m and x - m >= rise:
            thr, how = max(c1 * m, m + rise), f"over {c1:g}x"
        elif prev3_easy[i] and x >= rule.value("hard_week_min"):
            thr, how = rule.value("hard_week_min"), "the first hard week after 3 easy ones"
        else:
            continue
        rows.append(finding(
            rule, "caution", w["week_start"].iat[i], x, thr, "min",
            f"{x:.0f} min above threshold this week against {m:.0f} min on average in the 4 "
            f"weeks before: {how}",
        ))
    return rows, None


def _prev_runs_median(km: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Median distance and number of the runs in the 60 days before each run.

    A run of 0 km (an empty recording) has no distance to compare: it counts like a run
    without one, so it neither lowers the median nor makes up the 5 runs it needs.
    """
    window = km.where(km > 0).rolling("60D", closed="left")
    return window.median().to_numpy(float), window.count().to_numpy(float)


def hard_sessions(f: Frames, rule: Rule) -> np.ndarray:
    """Boolean per run: >= hard_min above threshold, or a long run vs the 60-day median."""
    runs = f.runs
    hi = runs["hi_intensity_s"].to_numpy(float)
    km = pd.Series(runs["distance_km"].to_numpy(float), index=f.run_start)
    median, count = _prev_runs_median(km)
    long_run = (count >= 5) & (km.to_numpy() >= rule.value("long_run_multiple") * median)
    return (np.nan_to_num(hi) >= rule.value("hard_min") * 60) | long_run


def _hard_sessions_close(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    if f.runs.empty:
        return [], "no runs"
    hard = hard_sessions(f, rule)
    t = f.run_start[hard]
    days = f.run_day[hard]
    patterns: dict[pd.Timestamp, list[str]] = {}

    def add(day: pd.Timestamp, text: str) -> None:
        texts = patterns.setdefault(f.week_of(day), [])
        if text not in texts:
            texts.append(text)

    if len(t):
        tv = t.to_numpy()
        gaps = np.diff(tv) / np.timedelta64(1, "h")
        for i in np.flatnonzero(gaps < rule.value("gap_h")):
            add(days.iat[i + 1], f"two hard sessions {gaps[i]:.0f} h apart "
                f"({days.iat[i]:%a %d} and {days.iat[i + 1]:%a %d %b})")
        n = int(rule.value("per_week"))
        first = np.searchsorted(tv, tv - np.timedelta64(7, "D"), side="right")
        count = np.arange(len(tv)) - first + 1
        for i in np.flatnonzero(count >= n):
            add(days.iat[i], f"{count[i]} hard sessions within 7 days")
        hard_day = np.zeros(len(f.daily), bool)
        hard_day[_day_positions(f, days)] = True
        run_id = np.cumsum(~hard_day)
        streak = pd.Series(hard_day.astype(int)).groupby(run_id).cumsum().to_numpy()
        need = int(rule.value("streak_days"))
        for i in np.flatnonzero(streak == need):
            add(f.daily["date"].iat[i], f"{need} days in a row without an easy or rest day")
    rows = []
    for ws, texts in sorted(patterns.items()):
        name = "caution" if len(texts) >= rule.value("caution") else "info"
        th = rule.threshold(name)
        rows.append(finding(
            rule, th.severity or name, ws, float(len(texts)), th.value, "patterns",
            "Hard sessions close together: " + "; ".join(texts),
        ))
    why = None
    if not f.runs["hi_intensity_s"].notna().any():
        why = f"{_no_intensity(f)}: hard sessions judged by long runs only"
    return rows, why


def _monotony(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    d = f.daily
    ws = calendar.mondays(d["date"])
    g = d["load"].groupby(ws)
    mean, sd = g.mean(), g.std(ddof=1)
    full = d["covered"].astype(float).groupby(ws).sum() == 7
    mono = (mean / sd).where(sd > 0, 10.0).clip(upper=10.0).where(full & (mean > 0))
    if mono.isna().all():
        return [], "no fully covered week with running"
    c = rule.value("caution")
    rows = []
    for week_start, m in mono[mono > c].items():
        rows.append(finding(
            rule, "caution", week_start, float(m), c, "x",
            f"Training monotony {m:.1f} (mean daily load / its SD over the week): days too "
            f"alike; caution above {c:g}",
        ))
    return rows, None


def _downhill_volume_jump(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    if not f.runs["descent_m"].notna().any():
        return [], "no elevation data"
    w = f.weekly
    e = w["descent_m"]
    known = w["covered"].astype(bool) & e.notna()
    mean4 = _prev_mean(e, known).to_numpy(float)
    ev = e.to_numpy(float)
    c, rise = rule.value("caution"), rule.value("min_rise_m")
    ok = known.to_numpy() & (ev > c * mean4) & (ev - mean4 >= rise)
    rows = []
    for i in np.flatnonzero(ok):
        m = mean4[i]
        rows.append(finding(
            rule, "caution", w["week_start"].iat[i], ev[i], max(c * m, m + rise), "m",
            f"Weekly descent {ev[i]:.0f} m against {m:.0f} m on average in the 4 weeks before;"
            f" caution above {c:g}x and {rise:.0f} m more",
        ))
    # one run's descent against the largest single-run descent in the previous 30 days
    desc = f.runs["descent_m"].to_numpy(float)
    per_day = pd.Series(desc).groupby(f.run_day.to_numpy()).max()
    day_max = per_day.reindex(f.daily["date"].to_numpy()).fillna(0.0).to_numpy(float)
    prevmax = _rolling_prev_max(day_max, f.daily["covered"].to_numpy(bool), 30)
    ref = prevmax[_day_positions(f, f.run_day)]
    rc, rr = rule.value("run_caution"), rule.value("min_run_rise_m")
    hit = np.isfinite(desc) & (ref > 0) & (desc > rc * ref) & (desc - ref >= rr)
    for i in np.flatnonzero(hit):
        day = f.run_day.iat[i]
        rows.append(finding(
            rule, "caution", f.week_of(day), desc[i], rc * ref[i], "m",
            f"Run on {day:%a %d %b} descended {desc[i]:.0f} m, over {rc:g}x the most in one "
            f"run in the previous 30 days ({ref[i]:.0f} m)",
            date=day, activity_id=f.runs["activity_id"].iat[i],
        ))
    if np.isnan(mean4).all() and not rows:
        return [], "fewer than 5 covered weeks with elevation"
    return rows, None


def _trail_volume_jump(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    trail = load.is_trail(f.runs)
    if not trail.any():
        return [], "no runs tagged as trail"
    w = f.weekly
    cov = w["covered"].astype(bool)
    tk, dk = w["trail_km"].where(cov), w["distance_km"].where(cov)
    t4 = tk.rolling(4, min_periods=4).sum().shift(1)
    d4 = dk.rolling(4, min_periods=4).sum().shift(1)
    share_prev = (t4 / d4.where(d4 > 0)).to_numpy(float)
    share = w["trail_share"].to_numpy(float)
    mean_t = (t4 / 4).to_numpy(float)
    tv = w["trail_km"].to_numpy(float)
    pts = rule.value("share_points")
    mult, rise = rule.value("info"), rule.value("min_rise_km")
    rows = []
    for i in np.flatnonzero(cov.to_numpy()):
        texts = []
        value, thr, unit = np.nan, np.nan, ""
        if np.isfinite(share_prev[i]) and share[i] - share_prev[i] > pts:
            texts.append(f"trail share {_pct(share[i])} against {_pct(share_prev[i])} in the "
                         f"4 weeks before (info above +{pts * 100:.0f} points)")
            value, thr, unit = share[i] * 100, (share_prev[i] + pts) * 100, "%"
        if np.isfinite(mean_t[i]) and tv[i] > mult * mean_t[i] and tv[i] - mean_t[i] >= rise:
            texts.append(f"{tv[i]:.0f} trail km against {mean_t[i]:.0f} km a week before")
            value, thr, unit = tv[i], max(mult * mean_t[i], mean_t[i] + rise), "km"
        if texts:
            rows.append(finding(rule, "info", w["week_start"].iat[i], value, thr, unit,
                                "Trail volume rose: " + "; ".join(texts)))
    # the first long trail run: long by the hard-session definition, none before
    km = pd.Series(f.runs["distance_km"].to_numpy(float), index=f.run_start)
    median, count = _prev_runs_median(km)
    m = rule.value("first_long")
    long_ = trail & (count >= 5) & (km.to_numpy() >= m * median)
    if long_.any():
        i = int(np.flatnonzero(long_)[0])
        day = f.run_day.iat[i]
        rows.append(finding(
            rule, "caution", f.week_of(day), km.iat[i], m * median[i], "km",
            f"First long trail run: {km.iat[i]:.1f} km on {day:%a %d %b}, over {m:g}x your "
            f"median run ({median[i]:.1f} km)",
            date=day, activity_id=f.runs["activity_id"].iat[i],
        ))
    return rows, None


def shoe_levels(rule: Rule, retire_km: float | None) -> list[tuple[str, float]]:
    """(threshold name, km) levels for one shoe; retire_km rescales 450/650/800."""
    names = ("info", "info_high", "caution")
    scale = retire_km / rule.value("caution") if retire_km else 1.0
    return [(n, rule.value(n) * scale) for n in names]


def _shoe_mileage(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    s = f.shoes
    if s.empty:
        return [], "no shoes named in the activities or loadwatch.toml"
    retire = {x.name.casefold(): x.retire_km for x in f.settings.shoes}
    last_week = f.weekly["week_start"].iat[-1]
    rows = []
    for shoe, g in s.groupby("shoe", sort=True):
        levels = shoe_levels(rule, retire.get(str(shoe).casefold()))
        cum = g["cumulative_km"].to_numpy(float)
        before = cum - g["distance_km"].to_numpy(float)
        marks: dict[int, tuple[str, float]] = {}
        for name, km in levels:
            for i in np.flatnonzero((before < km) & (cum >= km)):
                marks[int(i)] = (name, km)
        # a worn shoe still in use is shown in the latest week too
        in_use = g["week_start"].iat[-1] >= last_week - pd.Timedelta(weeks=3)
        if in_use and cum[-1] >= levels[0][1] and g["week_start"].iat[-1] != last_week:
            marks[len(cum)] = [lv for lv in levels if cum[-1] >= lv[1]][-1]
        for i, (name, km) in sorted(marks.items()):
            th = rule.threshold(name)
            total = cum[min(i, len(cum) - 1)]
            ws = g["week_start"].iat[i] if i < len(cum) else last_week
            rows.append(finding(
                rule, th.severity or "info", ws, total, km, "km",
                f"Shoe '{shoe}' has {total:.0f} km (passed {km:.0f} km); replace shoes every "
                f"{levels[0][1]:.0f}-{levels[-1][1]:.0f} km",
            ))
    # rotation: one pair for most runs in the last 8 weeks
    since = last_week - pd.Timedelta(weeks=7)
    recent = f.runs[(f.run_day >= since).to_numpy() & f.runs["shoe"].notna().to_numpy(bool)]
    if len(recent) >= 8:
        share = recent["shoe"].value_counts(normalize=True)
        lim = rule.value("rotation")
        if share.iat[0] > lim:
            rows.append(finding(
                rule, "info", last_week, share.iat[0] * 100, lim * 100, "%",
                f"'{share.index[0]}' on {_pct(share.iat[0])} of runs in the last 8 weeks "
                f"({share.size} pair(s) used); rotating pairs spreads the wear",
            ))
    return rows, None


def _return_after_break(f: Frames, rule: Rule) -> tuple[Rows, str | None]:
    days = pd.Series(f.run_day.unique()).sort_values().reset_index(drop=True)
    if len(days) < 2:
        return [], "fewer than 2 runs"
    gap = (days.diff().dt.days - 1).to_numpy(float)
    brk = rule.value("break_days")
    cov_cum = np.concatenate([[0], np.cumsum(f.daily["covered"].to_numpy(int))])
    pos = _day_positions(f, days)
    w = f.weekly.set_index("week_start")["distance_km"]
    frac, floor = rule.value("caution"), rule.value("min_prev_km")
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
            rule, "caution", new_ws, new, frac * old, "km",
            f"First week back after {gap[i]:.0f} days without running: {new:.0f} km, more "
            f"than {_pct(frac)} of the {old:.0f} km of the last week before the break",
            date=days.iat[i],
        ))
    return rows, None


EVALUATORS: Mapping[str, Callable[[Frames, Rule], tuple[Rows, str | None]]] = {
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
}


def _frames(activities, daily, weekly, shoes, settings) -> Frames:
    run = load.is_run(activities)
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

    ``activities`` must be prepared (:func:`loadwatch.load.prepare`). ``rules`` may be a
    mapping or an iterable of rule objects (e.g. made with :func:`dataclasses.replace`);
    bone-stress steps and loadwatch.toml overrides are applied on top.
    """
    rules = settings.rules(rule_mapping(rules))
    rows: Rows = []
    not_evaluated: list[str] = []
    if weekly.empty:
        return schema.empty(schema.FINDINGS), [f"{rid}: no runs" for rid in rules]
    f = _frames(activities, daily, weekly, shoes, settings)
    for rid, rule in rules.items():
        fn = EVALUATORS.get(rid)
        if fn is None:
            continue
        got, why = fn(f, rule)
        rows.extend(got)
        if why:
            not_evaluated.append(f"{rid}: {why}")
    findings = _to_frame(rows)
    if "red_flag_symptoms" in rules:
        from loadwatch import symptoms as sym

        if symptoms is None:
            not_evaluated.append("red_flag_symptoms: no symptoms.csv beside the activity "
                                 "files (optional pain log)")
        else:
            extra = sym.symptom_findings(symptoms, findings, rules["red_flag_symptoms"], rules)
            findings = _to_frame(rows + extra)
    return findings, not_evaluated


def _to_frame(rows: Rows) -> pd.DataFrame:
    if not rows:
        return schema.empty(schema.FINDINGS)
    df = pd.DataFrame(rows)
    df["week_start"] = pd.to_datetime(df["week_start"])
    df["week"] = calendar.week_labels(df["week_start"])
    order = {rid: i for i, rid in enumerate(RULES)}
    df["_o"] = df["rule"].map(order)
    df = df.sort_values(["week_start", "_o"], kind="stable").drop(columns="_o")
    return schema.conform(df.reset_index(drop=True), schema.FINDINGS)


# --- envelope ---------------------------------------------------------------------------


def envelope(
    activities: pd.DataFrame,
    daily: pd.DataFrame,
    weekly: pd.DataFrame,
    settings: Settings,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
) -> Envelope | None:
    """Next week's limits: most distance [km], longest run [km] and descent [m] that trip no
    caution, or None without weekly data. ``activities`` must be prepared."""
    if weekly.empty:
        return None
    rules = settings.rules(rule_mapping(rules))
    last = weekly.iloc[-1]
    start = last["week_start"] + pd.Timedelta(days=7)
    basis: dict[str, str] = {}
    distance = longest = descent = None
    runs = activities[load.is_run(activities)]
    run_day = calendar.local_day(runs, settings.timezone)
    last_run = run_day.max() if len(runs) else None
    r = rules.get("return_after_break")
    j = rules.get("weekly_distance_jump")
    idle = (start - last_run).days - 1 if last_run is not None else 0
    if r is not None and last_run is not None and idle >= r.value("break_days") - 7:
        # next week starts a return after a break (or may, if the break goes on)
        old_ws = calendar.monday(last_run)
        old = float(weekly.set_index("week_start")["distance_km"].get(old_ws, 0.0))
        if old >= r.value("min_prev_km"):
            distance = r.value("caution") * old
            basis["distance_km"] = (f"return_after_break: {_pct(r.value('caution'))} of the "
                                    f"{old:.0f} km before the break")
    elif j is not None and bool(last["covered"]):
        d = float(last["distance_km"])
        if d >= j.value("min_prev_km"):
            distance = max(d * (1 + j.value("caution")), d + j.value("min_rise_km"))
            basis["distance_km"] = (f"weekly_distance_jump: +{_pct(j.value('caution'))} on "
                                    f"{d:.1f} km ({last['week']})")
        else:
            basis["distance_km"] = (f"weekly_distance_jump: not judged below "
                                    f"{j.value('min_prev_km'):g} km last week")
    s = rules.get("long_run_spike")
    if s is not None and len(runs):
        # runs that stay inside every 30-day window of next week: the 24 days before it
        window = (run_day >= start - pd.Timedelta(days=24)) & (run_day < start)
        if window.any():
            m = float(runs.loc[window.to_numpy(), "distance_km"].max())
            longest = max(m * (1 + s.value("caution")), m + s.value("min_rise_km"))
            basis["longest_run_km"] = (f"long_run_spike: +{_pct(s.value('caution'))} on your "
                                       f"longest recent run ({m:.1f} km)")
    if longest is not None and distance is not None and longest > distance:
        longest = distance
        basis["longest_run_km"] += f"; capped at the week's distance limit ({distance:.1f} km)"
    dh = rules.get("downhill_volume_jump")
    if dh is not None:
        e = weekly["descent_m"].where(weekly["covered"].astype(bool)).tail(4)
        if e.notna().sum() == 4:
            m = float(e.mean())
            descent = max(dh.value("caution") * m, m + dh.value("min_rise_m"))
            basis["descent_m"] = (f"downhill_volume_jump: {dh.value('caution'):g}x the 4-week "
                                  f"mean ({m:.0f} m), at least +{dh.value('min_rise_m'):.0f} m")
    return Envelope(
        week=calendar.week_label(start), week_start=start.date(),
        distance_km=_round(distance), longest_run_km=_round(longest),
        descent_m=None if descent is None else float(round(descent)), basis=basis,
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 1)
