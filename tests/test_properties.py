"""Property tests for the load frames and the rules, on generated seasons.

A season is 6-20 weeks of runs starting early March 2026 in Europe/Amsterdam, so every
season of three weeks or more crosses the change to summer time (29 March 2026, 01:00 UTC).
Start times are UTC hours 0-23, so some runs start before local midnight in UTC and after
it in local time.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from loadwatch import schema
from loadwatch.pipeline import analyse_activities
from loadwatch.rules import RULES
from loadwatch.settings import Settings
from tests.rules import synth

ZONE = "Europe/Amsterdam"
SEASON_START = dt.date(2026, 3, 2)  # a Monday, four weeks before the DST change
SETTINGS = Settings(timezone=ZONE, max_hr=190, resting_hr=50)
PROPERTY = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

#: Rules whose findings are ratios of distances (the scaling property).
DISTANCE_RATIO_RULES = ("weekly_distance_jump", "long_run_spike", "return_after_break")
#: Their absolute floors, set to 0 so that only the ratios decide.
NO_FLOORS = {
    "weekly_distance_jump": {"min_prev_km": 0.0, "min_rise_km": 0.0},
    "long_run_spike": {"min_rise_km": 0.0},
    "return_after_break": {"min_prev_km": 0.0},
}


# --- generated seasons ------------------------------------------------------------------


@st.composite
def run_specs(draw: st.DrawFn, min_weeks: int = 6, max_weeks: int = 20) -> list[dict]:
    """A season: per run its day offset, UTC hour, km, optional HR, descent and sport.

    Some weeks are empty (a break), so return_after_break and coverage have work to do.
    Start times are distinct (the day and hour of each run differ).
    """
    weeks = draw(st.integers(min_weeks, max_weeks))
    rest_from = draw(st.integers(0, weeks))
    rest_len = draw(st.sampled_from([0, 0, 2, 3]))
    specs = []
    for w in range(weeks):
        if rest_from <= w < rest_from + rest_len:
            continue
        days = draw(st.lists(st.integers(0, 6), min_size=0, max_size=5, unique=True))
        for d in sorted(days):
            specs.append({
                "day": w * 7 + d,
                "hour": draw(st.integers(0, 23)),
                "km": round(draw(st.floats(2.0, 30.0)), 2),
                "hr": draw(st.one_of(st.none(), st.integers(120, 185))),
                "descent": draw(st.one_of(st.none(), st.integers(0, 900))),
                "sport": draw(st.sampled_from(["running", "running", "trail_running"])),
            })
    return specs


def _start(day: int, hour: int) -> pd.Timestamp:
    return pd.Timestamp(SEASON_START).tz_localize("UTC") + pd.Timedelta(days=day, hours=hour)


def activities(specs: list[dict], scale: float = 1.0) -> pd.DataFrame:
    """The activity table of a season; distances (and downhill km) times ``scale``."""
    rows = []
    for i, s in enumerate(specs):
        km = s["km"] * scale
        hr = {s["hr"]: km * 5.5} if s["hr"] else None  # minutes at one bpm
        rows.append(synth.run(
            None, km, start=_start(s["day"], s["hour"]), hr=hr, descent_m=s["descent"],
            sport=s["sport"], activity_id=f"{i:016x}", downhill_km=0.2 * km,
            avg_hr=float(s["hr"]) if s["hr"] else np.nan,
        ))
    return synth.table(rows)


def analyse(acts: pd.DataFrame, specs: list[dict], rules=RULES):
    """analyse_activities with ``today`` the day after the last run (coverage fixed)."""
    last = max((s["day"] for s in specs), default=0)
    today = SEASON_START + dt.timedelta(days=last + 1)
    return analyse_activities(acts, SETTINGS, rules=rules, today=today)


def keys(findings: pd.DataFrame, rules=None) -> set[tuple[str, str, str]]:
    f = findings if rules is None else findings[findings["rule"].isin(rules)]
    return set(zip(f["rule"].astype(str), f["week"].astype(str), f["severity"].astype(str),
                   strict=True))


def rows(findings: pd.DataFrame) -> list[tuple]:
    """Findings as sortable tuples (everything but the list of conditions)."""
    cols = [c for c in schema.FINDINGS.names if c != "conditions"]
    out = []
    for rec in findings[cols].itertuples(index=False, name=None):
        out.append(tuple("<NA>" if pd.isna(v) else str(v) for v in rec))
    return sorted(out)


# --- a zero-distance activity -----------------------------------------------------------


@PROPERTY
@given(specs=run_specs(), where=st.floats(0.001, 0.999))
def test_a_zero_distance_run_never_creates_a_finding(specs, where):
    """An empty recording (0 km, 0 s, no HR) is no training: no rule may fire because of it.

    It starts between the first and the last run (before the first or after the last one
    it would rightly extend the coverage, which decides which days are judged at all).
    Findings may only disappear: the empty run turns a week with no runs into one with a
    run of unknown intensity and descent, which the intensity and downhill rules then
    cannot judge, and it ends a break.
    """
    assume(len(specs) >= 2)
    acts = activities(specs)
    first, last = acts["start_time"].min(), acts["start_time"].max()
    start = (first + where * (last - first)).floor("min")
    assume(start not in set(acts["start_time"]))
    zero = synth.run(None, 0.0, start=start, activity_id="f" * 16)
    zero.update(elapsed_s=0.0, moving_s=0.0, descent_m=None, ascent_m=None)
    before = analyse(acts, specs)
    after = analyse(pd.concat([acts, synth.table([zero])], ignore_index=True), specs)
    created = keys(after.findings) - keys(before.findings)
    assert not created, f"the empty run created {sorted(created)}"
    # and the weekly distances and load do not move (TRIMP of a week whose only run is the
    # empty one becomes unknown instead of 0, by design: a week with runs but no HR)
    cols = ["distance_km", "moving_s", "load", "longest_run_km", "trail_km"]
    pd.testing.assert_frame_equal(before.weekly[cols], after.weekly[cols])
    assert after.weekly["runs"].sum() == before.weekly["runs"].sum() + 1


def test_empty_recordings_do_not_make_up_the_median_run():
    """Found by the property above: four 4 km runs, an empty recording, then a 7 km trail
    run. The empty one made up the 5 runs of the 60-day median (and lowered it), so the
    trail run became a "first long trail run" (1.5x the median) and hard. Runs of 0 km now
    count like runs without a distance."""
    specs = [{"day": d, "hour": 7, "km": 4.0, "hr": None, "descent": None,
              "sport": "running"} for d in range(4)]
    specs.append({"day": 5, "hour": 7, "km": 7.0, "hr": None, "descent": None,
                  "sport": "trail_running"})
    acts = activities(specs)
    zero = synth.run(None, 0.0, start=_start(4, 7), activity_id="f" * 16)
    with_zero = pd.concat([acts, synth.table([zero])], ignore_index=True)
    assert keys(analyse(acts, specs).findings, ["trail_volume_jump"]) == set()
    assert keys(analyse(with_zero, specs).findings, ["trail_volume_jump"]) == set()
    # a real fifth run does make the median: 7 km is then 1.75x the median of 4 km
    specs.insert(4, {**specs[0], "day": 4})
    f = analyse(activities(specs), specs).findings
    assert keys(f, ["trail_volume_jump"]) == {("trail_volume_jump", "2026-W10", "caution")}


# --- scaling distances ------------------------------------------------------------------


def _near(values: np.ndarray, thresholds: list[float], tol: float = 1e-6) -> bool:
    v = values[np.isfinite(values)]
    return any(bool(np.any(np.abs(v - t) <= tol * max(1.0, abs(t)))) for t in thresholds)


def _ratios_near_thresholds(a, rules) -> bool:
    """Is any ratio these rules compare within rounding of one of their thresholds?"""
    w = a.weekly["distance_km"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weekly = w[1:] / w[:-1] - 1
        pair = w[1:] / w[:-1]
    j, s, r = (rules[x] for x in DISTANCE_RATIO_RULES)
    runs = a.activities["distance_km"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        run_ratio = (runs[:, None] / runs[None, :] - 1).ravel()
    return (_near(weekly, [j.value("info"), j.value("caution")])
            or _near(run_ratio, [s.value(n) for n in ("caution", "caution_large", "warning")])
            or _near(pair, [r.value("caution")]))


@PROPERTY
@given(specs=run_specs(), k=st.floats(0.5, 3.0))
def test_distance_ratio_findings_do_not_depend_on_the_unit_of_distance(specs, k):
    rules = {rid: (r.with_values(**NO_FLOORS[rid]) if rid in NO_FLOORS else r)
             for rid, r in RULES.items()}
    base = analyse(activities(specs), specs, rules)
    assume(not _ratios_near_thresholds(base, rules))
    scaled = analyse(activities(specs, scale=k), specs, rules)
    assert keys(scaled.findings, DISTANCE_RATIO_RULES) == keys(base.findings,
                                                                DISTANCE_RATIO_RULES)
    # the observed ratios themselves are the same
    ratio = base.findings[base.findings["rule"] != "return_after_break"]
    ratio_scaled = scaled.findings[scaled.findings["rule"] != "return_after_break"]
    for rid in ("weekly_distance_jump", "long_run_spike"):
        v0 = ratio.loc[ratio["rule"] == rid, "value"].to_numpy(float)
        v1 = ratio_scaled.loc[ratio_scaled["rule"] == rid, "value"].to_numpy(float)
        np.testing.assert_allclose(np.sort(v1), np.sort(v0), rtol=1e-9)


def test_scaling_keeps_a_known_jump():
    """The property above on one hand-made season: 10 -> 14 km is +40 % at any scale."""
    specs = [{"day": w * 7 + d, "hour": 7, "km": km, "hr": None, "descent": None,
              "sport": "running"}
             for w, km in enumerate([10, 10, 10, 14]) for d in (0, 3)]
    rules = {rid: (r.with_values(**NO_FLOORS[rid]) if rid in NO_FLOORS else r)
             for rid, r in RULES.items()}
    for k in (0.5, 1.0, 2.75):
        f = analyse(activities(specs, scale=k), specs, rules).findings
        jump = f[f["rule"] == "weekly_distance_jump"]
        assert list(jump["week"]) == ["2026-W13"]
        assert jump["value"].iat[0] == pytest.approx(40.0)
        assert jump["severity"].iat[0] == "caution"


# --- frames -----------------------------------------------------------------------------


@PROPERTY
@given(specs=run_specs(), other=st.lists(st.tuples(st.integers(0, 139), st.integers(0, 23)),
                                         max_size=3))
def test_frames_add_up_and_weeks_are_consecutive_mondays(specs, other):
    assume(specs)
    rides = [synth.run(None, 30.0, start=_start(d, h), sport="cycling",
                       activity_id=f"c{i:015x}")
             for i, (d, h) in enumerate(other) if d <= specs[-1]["day"]]
    taken = {(s["day"], s["hour"]) for s in specs}
    assume(all((d, h) not in taken for d, h in other))
    acts = pd.concat([activities(specs), synth.table(rides)], ignore_index=True)
    a = analyse(acts, specs)
    schema.validate(a.daily, schema.DAILY)
    schema.validate(a.weekly, schema.WEEKLY)
    schema.validate(a.findings, schema.FINDINGS)

    ws = a.weekly["week_start"]
    assert (ws.dt.day_of_week == 0).all()
    assert (ws == ws.dt.normalize()).all()
    assert (ws.diff().dropna() == pd.Timedelta(days=7)).all()
    assert a.weekly["week"].is_unique
    iso = ws.dt.isocalendar()
    expect = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    assert list(a.weekly["week"]) == expect

    # local days of the runs, computed here independently of load.local_start
    local = acts["start_time"].dt.tz_convert(ZONE).dt.tz_localize(None).dt.normalize()
    monday = local - pd.to_timedelta(local.dt.day_of_week, unit="D")
    run = acts["sport"].isin(schema.RUNNING_SPORTS).to_numpy(bool)
    # every week from the first activity of any sport to the last one, each exactly once
    first, last = monday.min(), monday.max()
    assert ws.iloc[0] == first
    assert set(pd.date_range(first, last, freq="7D")) <= set(ws)
    assert len(a.daily) == 7 * len(a.weekly)

    per_week = pd.Series(acts["distance_km"].to_numpy(float)[run],
                         index=monday[run].to_numpy()).groupby(level=0).sum()
    got = a.weekly.set_index("week_start")["distance_km"]
    covered = a.weekly.set_index("week_start")["covered"].astype(bool)
    for week, km in got[covered].items():
        assert km == pytest.approx(per_week.get(week, 0.0), abs=1e-9)
    assert got.sum() == pytest.approx(per_week.sum(), abs=1e-9)
    runs = a.weekly["runs"].sum()
    assert runs == run.sum()
    assert a.daily["distance_km"].sum() == pytest.approx(per_week.sum(), abs=1e-9)
    longest = pd.Series(acts["distance_km"].to_numpy(float)[run],
                        index=monday[run].to_numpy()).groupby(level=0).max()
    assert got.index.isin(longest.index).sum() == len(longest)
    lr = a.weekly.set_index("week_start")["longest_run_km"]
    assert (lr.reindex(longest.index).to_numpy() == longest.to_numpy()).all()


# --- order and robustness ---------------------------------------------------------------


@PROPERTY
@given(specs=run_specs(), seed=st.integers(0, 2**32 - 1))
def test_the_order_of_the_rows_does_not_matter(specs, seed):
    acts = activities(specs)
    order = np.random.default_rng(seed).permutation(len(acts))
    a = analyse(acts, specs)
    b = analyse(acts.iloc[order].reset_index(drop=True), specs)
    assert rows(b.findings) == rows(a.findings)
    pd.testing.assert_frame_equal(a.weekly, b.weekly)
    assert a.envelope == b.envelope


def _odd_season(kind: str, n: int, day: int, hour: int) -> list[dict]:
    base = {"hr": None, "descent": None, "sport": "running", "km": 8.0}
    if kind == "empty":
        return []
    if kind == "one":
        return [{**base, "day": day, "hour": hour}]
    if kind == "one_day":  # every run on the same day, an hour apart
        return [{**base, "day": day, "hour": h, "km": 1.0 + h} for h in range(n)]
    # DST: runs in the hours around both changes of 2026 (UTC 00:00-03:00)
    spring = (dt.date(2026, 3, 29) - SEASON_START).days
    autumn = (dt.date(2026, 10, 25) - SEASON_START).days
    return [{**base, "day": d, "hour": h, "km": 5.0 + h}
            for d in (spring - 1, spring, autumn - 1, autumn) for h in range(4)]


@PROPERTY
@given(kind=st.sampled_from(["empty", "one", "one_day", "dst"]), n=st.integers(2, 12),
       day=st.integers(0, 120), hour=st.integers(0, 23),
       nan_hr=st.booleans(), zone=st.sampled_from([ZONE, None]))
def test_evaluation_never_raises_on_odd_seasons(kind, n, day, hour, nan_hr, zone):
    specs = _odd_season(kind, n, day, hour)
    acts = activities(specs)
    if nan_hr and len(acts):
        acts["avg_hr"] = np.nan
        acts["max_hr"] = np.nan
        acts["has_hr"] = False
        # a histogram of NaN seconds, as a broken stream could give
        acts["hr_hist_s"] = [np.full(schema.HR_BINS, np.nan) for _ in range(len(acts))]
    s = Settings(timezone=zone)
    last = max((x["day"] for x in specs), default=0)
    a = analyse_activities(acts, s, today=SEASON_START + dt.timedelta(days=last + 1))
    schema.validate(a.findings, schema.FINDINGS)
    schema.validate(a.weekly, schema.WEEKLY)
    assert a.weekly["runs"].sum() == len(specs)
    assert a.weekly["distance_km"].sum() == pytest.approx(sum(x["km"] for x in specs))
    if kind == "empty":
        assert a.findings.empty and a.weekly.empty and a.envelope is None
    if kind == "dst" and zone == ZONE:
        # 01:00 UTC on 29 March is 03:00 CEST; 00:00 UTC on 25 October is 02:00 CEST
        days = a.daily.set_index("date")["runs"]
        assert days[pd.Timestamp("2026-03-29")] == 4
        assert days[pd.Timestamp("2026-10-25")] == 4
    assert all(math.isfinite(v) for v in a.findings["value"].dropna())


def test_load_change_does_not_depend_on_the_weekday_the_data_starts() -> None:
    """The same steady week (two easy runs, a Sunday long run) read from a Monday or a
    Wednesday start gives the same weekly readings and never a caution."""
    from loadwatch.rules.evaluators import load_ratio_series

    week = np.array([0.0, 40.0, 0.0, 40.0, 0.0, 0.0, 120.0])  # Mon..Sun
    readings = []
    for start in (0, 2):  # the data begins on the Monday, or on the Wednesday
        loads = np.tile(week, 10)[start:]
        days = pd.date_range("2026-03-02", periods=70, freq="D")[start:]
        daily = pd.DataFrame({"date": days, "load": loads, "covered": True})
        ratio = pd.Series(load_ratio_series(daily, 0.0).to_numpy(), index=days)
        readings.append(ratio[ratio.index.day_of_week == 6].dropna())  # the weekly reading
    common = readings[0].index.intersection(readings[1].index)
    assert len(common) >= 4
    np.testing.assert_allclose(readings[0][common], readings[1][common], atol=0.05)
    assert (readings[0] < 1.5).all()  # a steady week never reads "well above usual"
