"""Athlete-specific preparation and the daily / weekly / shoe frames."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from loadwatch import frames, schema
from loadwatch.pipeline import analyse_activities
from loadwatch.settings import Settings, Shoe, parse_settings
from tests.rules.synth import MONDAY, hr_hist, run, table, weeks_of_runs

ZONES = Settings(max_hr=190, resting_hr=50, threshold_hr=170)
AMS = Settings(timezone="Europe/Amsterdam")


def build(rows, settings=None, today=None):
    settings = settings or Settings()
    acts, notes = frames.prepare(table(rows), settings)
    daily = frames.daily_frame(acts, settings, today=today)
    return acts, daily, frames.weekly_frame(daily), notes


def test_trimp_and_time_above_threshold_from_histogram() -> None:
    acts, notes = frames.prepare(table([run(MONDAY, 6, hr={120: 30, 175: 10})]), ZONES)
    x1, x2 = 0.5, 125 / 140
    expected = 30 * x1 * 0.64 * math.exp(1.92 * x1) + 10 * x2 * 0.64 * math.exp(1.92 * x2)
    assert acts["trimp"].iat[0] == pytest.approx(expected)
    assert acts["hi_intensity_s"].iat[0] == 600.0
    women = frames.prepare(table([run(MONDAY, 6, hr={120: 30})]),
                         Settings(max_hr=190, resting_hr=50, sex="female"))[0]
    assert women["trimp"].iat[0] == pytest.approx(30 * 0.5 * 0.86 * math.exp(1.67 * 0.5))
    # nothing else assumed when the athlete gave resting, max and threshold HR
    assert notes == ["sex not given: TRIMP uses the men's weighting (0.64, 1.92)"]


def test_defaults_are_reported() -> None:
    hist = hr_hist({150: 30, 186: 2})
    hist[231] = 3  # a 3 s strap spike is not a maximum
    acts, notes = frames.prepare(table([run(MONDAY, 6, hr_hist_s=hist)]), Settings())
    assert "resting HR 60 bpm (assumed; set athlete.resting_hr)" in notes
    assert any(n.startswith("max HR 186 bpm (highest plausible") for n in notes)
    assert any(n.startswith("threshold HR 167 bpm") for n in notes)  # 60 + 0.85 * 126
    assert acts["hi_intensity_s"].iat[0] == 123.0  # 2 min at 186 and the 3 s spike


def test_average_hr_approximation_is_noted() -> None:
    acts, notes = frames.prepare(table([run(MONDAY, 10, avg_hr=120.0, moving_s=3600.0)]), ZONES)
    assert acts["trimp"].iat[0] == pytest.approx(60 * 0.5 * 0.64 * math.exp(0.96))
    assert "TRIMP from average HR" in acts["quality"].iat[0]
    assert any("average HR x moving time for 1" in str(n) for n in notes)


def test_pace_intensity_without_hr() -> None:
    speed = np.zeros(schema.SPEED_BINS)
    speed[30] = 1200  # 3.0 m/s: 5:33 min/km, slower than threshold
    speed[45] = 300  # 4.5 m/s: 3:42 min/km, faster than 4:00
    acts, _ = frames.prepare(table([run(MONDAY, 6, speed_hist_s=speed)]),
                           parse_settings({"athlete": {"threshold_pace": "4:00"}}))
    assert acts["hi_intensity_s"].iat[0] == 300.0
    assert np.isnan(acts["trimp"].iat[0])
    bare, _ = frames.prepare(table([run(MONDAY, 6, speed_hist_s=speed)]), Settings())
    assert np.isnan(bare["hi_intensity_s"].iat[0])


def test_distance_load_fixed_and_calibrated() -> None:
    _, _, weekly, notes = build(weeks_of_runs([30]))
    assert weekly["load"].iat[0] == pytest.approx(30 * frames.FALLBACK_LOAD_PER_KM)
    assert weekly["load_source"].iat[0] == "distance"
    assert np.isnan(weekly["trimp"].iat[0])
    rows = [*weeks_of_runs([30, 30], hr={140: 40}), run(MONDAY + dt.timedelta(days=13), 5)]
    acts, _, weekly, notes = build(rows, ZONES)
    per_km = float(np.median(acts["trimp"].dropna() / acts["distance_km"][acts["trimp"].notna()]))
    assert weekly["load_source"].tolist() == ["trimp", "mixed"]
    assert weekly["load"].iat[1] == pytest.approx(weekly["trimp"].iat[1] + 5 * per_km)
    assert any("your median TRIMP per km over 6 runs" in str(n) for n in notes)


def test_zero_weeks_rest_days_and_other_sports() -> None:
    ride = run(MONDAY + dt.timedelta(days=8), 30, sport="cycling", pace_min_km=2.0)
    rows = [*weeks_of_runs([20, 0, 10]), ride]
    _, daily, weekly, _ = build(rows)
    # the data ends on the last run (Saturday): that Sunday is outside its coverage
    assert len(daily) == 21 and daily["covered"].tolist() == [True] * 20 + [False]
    assert weekly["covered"].all()
    assert daily["distance_km"].sum() == pytest.approx(30)
    assert weekly["week"].tolist() == ["2026-W02", "2026-W03", "2026-W04"]
    assert weekly["distance_km"].tolist() == pytest.approx([20, 0, 10])
    assert weekly["runs"].tolist() == [3, 0, 3]
    assert weekly["other_min"].tolist() == pytest.approx([0, 60, 0])
    assert weekly["load"].iat[1] == 0 and pd.isna(weekly["load_source"].iat[1])
    schema.validate(daily, schema.DAILY)
    schema.validate(weekly, schema.WEEKLY)


def _week_of(start_utc: str, settings: Settings, **kw) -> str:
    rows = [run(None, 5, start=pd.Timestamp(start_utc, tz="UTC"), **kw)]
    _, _, weekly, _ = build(rows, settings)
    return weekly.loc[weekly["runs"] > 0, "week"].iat[0]


@pytest.mark.parametrize(
    ("start_utc", "week"),
    [
        ("2026-03-22 23:30", "2026-W13"),  # Mon 23 Mar 00:30 CET (UTC+1)
        ("2026-03-29 22:30", "2026-W14"),  # Mon 30 Mar 00:30 CEST, the day after DST starts
        ("2026-03-29 23:30", "2026-W14"),  # Mon 01:30 CEST
        ("2026-10-25 23:30", "2026-W44"),  # Mon 26 Oct 00:30 CET, the day after DST ends
        ("2026-10-25 22:30", "2026-W43"),  # Sun 25 Oct 23:30 CET
    ],
)
def test_local_monday_after_midnight_and_dst(start_utc: str, week: str) -> None:
    assert _week_of(start_utc, AMS) == week


def test_zone_from_file_offset_else_utc() -> None:
    start = "2026-03-22 23:30"  # Sunday in UTC, Monday 00:30 in Amsterdam
    assert _week_of(start, Settings(), utc_offset_min=60) == "2026-W13"
    assert _week_of(start, Settings()) == "2026-W12"
    # the settings' zone wins over the file's offset
    assert _week_of(start, Settings(timezone="America/New_York"), utc_offset_min=60) == "2026-W12"


def test_partial_first_week_is_not_covered() -> None:
    _, daily, weekly, _ = build(weeks_of_runs([10, 20], days=(3, 5)))
    assert weekly["covered"].tolist() == [False, True]
    assert daily["covered"].tolist()[:4] == [False, False, False, True]


def test_hole_between_two_exports_is_not_rest() -> None:
    a = weeks_of_runs([30, 30, 30], source="/old/strava.zip!activities/1.fit")
    b = weeks_of_runs([30, 30], start=MONDAY + dt.timedelta(weeks=8), source="/new/run.fit")
    a2 = analyse_activities(table(a + b), Settings(), today=dt.date(2030, 1, 1))
    w = a2.weekly
    # the old export ends on a Saturday: its last week is partial, then a 5-week hole
    assert w["covered"].tolist() == [True] * 2 + [False] * 6 + [True] * 2
    assert "return_after_break" not in set(a2.findings["rule"])
    same = [dict(r, source="/all/x.fit") for r in a + b]
    one = analyse_activities(table(same), Settings(), today=dt.date(2030, 1, 1))
    assert one.weekly["covered"].all()
    assert "return_after_break" in set(one.findings["rule"])


def test_recent_data_is_covered_up_to_today() -> None:
    rows = weeks_of_runs([30, 30])  # last run Sat 17 Jan
    _, daily, weekly, _ = build(rows, today=dt.date(2026, 1, 27))
    assert daily["date"].iat[-1] == pd.Timestamp("2026-02-01")
    assert daily.loc[daily["date"] <= "2026-01-27", "covered"].all()
    assert not daily.loc[daily["date"] > "2026-01-27", "covered"].any()
    assert weekly["covered"].tolist() == [True, True, True, True]
    assert weekly["distance_km"].tolist() == pytest.approx([30, 30, 0, 0])
    old = build(rows, today=dt.date(2026, 6, 1))[2]
    assert len(old) == 2


def test_shoes_named_by_activity_win_over_ranges() -> None:
    settings = Settings(shoes=(
        Shoe("Peg", 100.0, dt.date(2026, 1, 5), dt.date(2026, 1, 11)),
        Shoe("Nova", 0.0, dt.date(2026, 1, 12)),
    ))
    rows = [
        *weeks_of_runs([30, 30]),
        run(MONDAY + dt.timedelta(days=1), 7, shoe="Trail X"),
        run(MONDAY - dt.timedelta(days=3), 4),
    ]
    acts, _ = frames.prepare(table(rows), settings)
    by_day = acts.set_index(acts["start_time"].dt.date)["shoe"]
    assert by_day[MONDAY] == "Peg" and by_day[MONDAY + dt.timedelta(days=1)] == "Trail X"
    assert by_day[MONDAY + dt.timedelta(days=7)] == "Nova"
    assert pd.isna(by_day[MONDAY - dt.timedelta(days=3)])
    shoes = frames.shoe_frame(acts, settings)
    schema.validate(shoes, schema.SHOES)
    peg = shoes[shoes["shoe"] == "Peg"]
    assert peg["cumulative_km"].tolist() == pytest.approx([130.0])
    assert shoes.loc[shoes["shoe"] == "Nova", "cumulative_km"].tolist() == pytest.approx([30.0])
