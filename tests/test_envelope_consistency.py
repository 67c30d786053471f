"""The envelope is what the rules allow: running exactly it trips no caution, 10 % more does.

For each history (the two sample athletes on a few days of their season, and generated
histories: steady, rising, after a distance caution, after a break, a female athlete with
the bone-stress step, a loadwatch.toml override, descent) the test appends the week the
envelope plans (runs from its first day to its Sunday that bring the week to exactly its
distance, the longest equal to its longest-run figure on the Sunday, descent at its weekly
and per-run limits), analyses again as of that Sunday and asserts that none of the rules
the envelope is made from finds a caution (or worse) in that week; then the same week 10 %
bigger, which must trip at least one. The envelope is never checked against a formula of
its own: only against the findings of the rules.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from loadwatch import schema
from loadwatch.pipeline import analyse_activities
from loadwatch.read import read_activities
from loadwatch.result import Analysis, Envelope
from loadwatch.rules.symptoms import read_symptoms
from loadwatch.settings import Settings, read_settings
from tests.conftest import SAMPLE_DATA
from tests.rules.synth import MONDAY, run, table, weeks_of_runs

#: The rules the envelope's figures are derived from (load_ratio is not one of them).
COVERED = ("weekly_distance_jump", "long_run_spike", "downhill_volume_jump",
           "return_after_break")
SOURCE = "/data/export/a.fit"
#: Splitting a figure into runs adds float noise (1e-15 km); plan that much below it.
NOISE = 1e-9


def planned_week(env: Envelope, scale: float = 1.0, source: str = SOURCE,
                 ) -> list[dict[str, Any]]:
    """The rest of the envelope's week as runs, ``scale`` times its figures."""
    assert env.distance_km is not None and env.week_end is not None
    assert env.first_day is not None
    week_total = env.distance_km * scale * (1 - NOISE)
    rest = week_total - env.done_km
    longest = rest / 3 if env.longest_run_km is None else env.longest_run_km * scale
    longest = min(longest * (1 - NOISE), rest)
    others = rest - longest
    k = math.ceil(others / longest - 1e-6) if others > 1e-6 else 0
    kms = [others / k] * k + [longest]
    days = [env.first_day + dt.timedelta(days=i % max((env.week_end - env.first_day).days, 1))
            for i in range(k)] + [env.week_end]
    # descent: the weekly limit spread with the distance, no run over the per-run limit
    per_run = math.inf if env.max_run_descent_m is None else env.max_run_descent_m * scale
    week_m = math.inf if env.descent_m is None else (env.descent_m * scale - env.done_descent_m)
    rows = []
    for i, (day, km) in enumerate(zip(days, kms, strict=True)):
        descent = None
        if math.isfinite(per_run) or math.isfinite(week_m):
            share = week_m * km / rest if math.isfinite(week_m) else per_run
            descent = min(share, per_run) * (1 - NOISE)
        start = pd.Timestamp(str(day)).tz_localize("UTC") + pd.Timedelta(hours=15, minutes=i)
        rows.append(run(day, km, start=start, descent_m=descent, source=source))
    return rows


def cautions(a: Analysis, env: Envelope) -> list[str]:
    """The covered rules with a caution or worse in the envelope's week."""
    f = a.findings
    f = f[(f["week"] == env.week) & f["rule"].isin(COVERED)
          & (f["severity"].map(schema.severity_rank) >= schema.severity_rank("caution"))]
    return sorted(set(f["rule"]))


def judge(history: pd.DataFrame, settings: Settings, today: dt.date,
          source: str = SOURCE) -> tuple[Envelope, list[str], list[str]]:
    """The envelope as of ``today``, and the covered rules that fire on its week run
    exactly (must be none) and 10 % bigger (must be some)."""
    a = analyse_activities(history, settings, today=today)
    env = a.envelope
    assert env is not None and env.distance_km is not None, env
    assert env.week_start >= today - dt.timedelta(days=today.weekday())  # never the past
    out = []
    for scale in (1.0, 1.1):
        acts = pd.concat([history, table(planned_week(env, scale, source))], ignore_index=True)
        then = analyse_activities(schema.conform(acts, schema.ACTIVITY), settings,
                                  today=env.week_end)
        assert int(then.weekly.set_index("week")["runs"].get(env.week, 0)) > 0
        out.append(cautions(then, env))
    return env, out[0], out[1]


# --- generated histories ----------------------------------------------------------------


def _weeks(km: list[float], **kw: Any) -> pd.DataFrame:
    return table(weeks_of_runs(km, **kw))


def _sunday(week: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=week, days=6)


CASES: dict[str, tuple[pd.DataFrame, Settings, dt.date, tuple[str, ...]]] = {
    # 8 weeks of 30 km; Sunday: next week, +30 % and a long run 10 % over 10 km
    "steady": (_weeks([30] * 8), Settings(), _sunday(7),
               ("long_run_spike", "weekly_distance_jump")),
    # rising weeks, then Wednesday of the next one with its Monday run done: rest of week
    "rising": (table([*weeks_of_runs([20, 24, 28, 32, 36]),
                      run(MONDAY + dt.timedelta(weeks=5), 12.0)]),
               Settings(), MONDAY + dt.timedelta(weeks=5, days=2),
               ("long_run_spike", "weekly_distance_jump")),
    # a +50 % week (caution): next week holds at its distance; the long run still trips
    "after a caution": (_weeks([30] * 5 + [45]), Settings(), _sunday(5),
                        ("long_run_spike",)),
    # 24 days without running, then a Wednesday: half the last week before the break
    "after a break": (_weeks([30] * 6), Settings(),
                      MONDAY + dt.timedelta(weeks=6, days=23), ("return_after_break",)),
    # the bone-stress step: +20 % a week, long run +6.7 % (at least +1 km)
    "female": (_weeks([30] * 8), Settings(sex="female"), _sunday(7),
               ("long_run_spike", "weekly_distance_jump")),
    # [thresholds.weekly_distance_jump] caution = 0.2, long_run_spike caution = 0.2
    "toml override": (_weeks([30] * 8),
                      Settings(thresholds={"weekly_distance_jump": {"caution": 0.2},
                                           "long_run_spike": {"caution": 0.2}}),
                      _sunday(7), ("long_run_spike", "weekly_distance_jump")),
    # 200 m down on every run: the weekly (x1.5) and per-run (x2) descent limits
    "descent": (_weeks([30] * 8, descent_m=200.0), Settings(), _sunday(7),
                ("downhill_volume_jump", "long_run_spike", "weekly_distance_jump")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_running_the_envelope_trips_no_caution_and_ten_percent_more_does(name: str) -> None:
    history, settings, today, trips = CASES[name]
    env, exact, more = judge(history, settings, today)
    assert exact == [], f"{name}: {env}"
    assert set(trips) <= set(more), f"{name}: +10 % tripped {more}, {env}"


def test_which_week_and_what_is_left() -> None:
    history, settings, today, _ = CASES["rising"]
    env = analyse_activities(history, settings, today=today).envelope
    assert env is not None and env.this_week
    assert (env.week, env.first_day, env.week_end) == (
        "2026-W07", dt.date(2026, 2, 11), dt.date(2026, 2, 15))
    # the 10 % rule on the 36 km of last week; 12 km run on Monday count towards it
    assert env.distance_km == pytest.approx(46.8)
    assert env.done_km == pytest.approx(12.0)
    assert env.remaining_km == pytest.approx(34.8)
    env = analyse_activities(*CASES["steady"][:2], today=_sunday(7)).envelope
    assert env is not None and not env.this_week
    assert (env.week, env.first_day) == ("2026-W10", dt.date(2026, 3, 2))


def test_hold_after_a_distance_caution() -> None:
    history, settings, today, _ = CASES["after a caution"]
    a = analyse_activities(history, settings, today=today)
    flagged = a.findings.query("rule == 'weekly_distance_jump' and severity == 'caution'")
    assert flagged["week"].tolist() == ["2026-W07"]
    assert a.envelope is not None and a.envelope.distance_km == pytest.approx(45.0)
    assert "hold" in a.envelope.basis["distance_km"]


def test_sunday_and_the_monday_after_plan_the_same_week() -> None:
    """The issue saw 58.5 -> 22.5 km overnight: the same week, the same figures."""
    history = _weeks([30] * 7 + [36])
    sunday, monday = _sunday(7), _sunday(7) + dt.timedelta(days=1)
    a, b = (analyse_activities(history, Settings(), today=d).envelope for d in (sunday, monday))
    assert a is not None and b is not None
    assert (a.week, a.week_start) == (b.week, b.week_start) == ("2026-W10", monday)
    figures = ("distance_km", "longest_run_km", "descent_m", "max_run_descent_m",
               "remaining_km")
    assert [getattr(a, k) for k in figures] == [getattr(b, k) for k in figures]
    assert a.distance_km == pytest.approx(46.8)  # +30 % on the 36 km week
    assert "break" not in a.basis["distance_km"] + b.basis["distance_km"]


def test_two_rest_days_are_no_break() -> None:
    # Tuesday, the last run on Saturday: the 10 % rule, not the return-after-break basis
    history = _weeks([30] * 8)
    env = analyse_activities(history, Settings(),
                             today=MONDAY + dt.timedelta(weeks=8, days=1)).envelope
    assert env is not None and env.week == "2026-W10" and env.this_week
    assert env.distance_km == pytest.approx(39.0)
    assert env.basis["distance_km"].startswith("Weekly distance jump")


def test_a_stale_history_plans_no_week_of_the_past() -> None:
    # last run Sunday 4 Jul 2021, today Tuesday 1 Dec 2026 (1,976 days later)
    start = dt.date(2021, 5, 10)
    history = table(weeks_of_runs([30] * 8, start=start, days=(0, 2, 6)))
    env = analyse_activities(history, Settings(), today=dt.date(2026, 12, 1)).envelope
    assert env is not None
    assert (env.week, env.first_day, env.week_end) == (
        "2026-W49", dt.date(2026, 12, 1), dt.date(2026, 12, 6))
    assert env.distance_km is None and env.longest_run_km is None and env.descent_m is None
    assert env.note is not None
    assert env.basis["distance_km"] == (
        "no recent runs to base it on: the last run was on Sun 04 Jul 2021, 1,976 days ago")


def test_a_seek_care_week_offers_no_running(tmp_path: Path) -> None:
    history = _weeks([30] * 8)
    log = tmp_path / "symptoms.csv"
    log.write_text("date,area,pain,weight_bearing_pain,night_pain,limp,hop_pain,clicking,"
                   "fever,notes\n2026-02-27,groin,6,yes,yes,no,no,no,no,\n", encoding="utf-8")
    symptoms, problems = read_symptoms(log)
    assert problems == []
    a = analyse_activities(history, Settings(), today=_sunday(7), symptoms=symptoms)
    env = a.envelope
    assert env is not None and env.distance_km == 0.0 and env.longest_run_km == 0.0
    assert env.note is not None and "clinician" in env.basis["distance_km"]


# --- the sample athletes ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, tuple[pd.DataFrame, Settings]]:
    out = {}
    for athlete in ("sam", "alex"):
        settings = read_settings(None, search=[SAMPLE_DATA / athlete])
        acts = read_activities([SAMPLE_DATA / athlete], timezone=settings.timezone).activities
        out[athlete] = (acts, settings)
    return out


#: (athlete, today): the season's last Sunday (next week) and a Wednesday (rest of week).
#: Sam's symptom log is left out: her red flag of 14 Nov would leave no allowance to test.
SAMPLE_DAYS = [("sam", dt.date(2026, 11, 15)), ("sam", dt.date(2026, 10, 21)),
               ("alex", dt.date(2026, 11, 15)), ("alex", dt.date(2026, 9, 16))]


@pytest.mark.parametrize(("athlete", "today"), SAMPLE_DAYS)
def test_sample_athletes_envelope_is_consistent_with_the_rules(
        sample: dict[str, tuple[pd.DataFrame, Settings]], athlete: str, today: dt.date,
) -> None:
    acts, settings = sample[athlete]
    until = acts[pd.to_datetime(acts["start_time"], utc=True).dt.tz_convert(
        settings.timezone).dt.date <= today]
    latest = until.sort_values("start_time")["source"].iat[-1]
    env, exact, more = judge(until.reset_index(drop=True), settings, today, source=latest)
    assert exact == [], env
    assert more, env
