"""Pass/fail cases per rule (sqlfluff-style tables).

Each case builds activities from ``weeks`` (weekly km, three runs a week on Mon/Wed/Sat from
2026-01-05) or ``runs`` (explicit rows), with optional ``settings`` and ``rules`` overrides,
and lists the findings the rule must make as (week index, severity), or none.
"""

from __future__ import annotations

import datetime as dt

from tests.rules.synth import MONDAY, run

HARD = {175: 15}  # 15 min at 175 bpm: above a 170 bpm threshold
EASY = {140: 40}
ZONES = {"max_hr": 190, "resting_hr": 50, "threshold_hr": 170}


def day(week: int, weekday: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=week, days=weekday)


def steady_runs(weeks: int, km: float = 8.0, **kw) -> list[dict]:
    return [run(day(w, d), km, **kw) for w in range(weeks) for d in (0, 2, 5)]


CASES: dict[str, list[dict]] = {
    "weekly_distance_jump": [
        {"name": "steady", "weeks": [20, 20, 20, 20], "expect": []},
        {"name": "exactly the 10 % rule", "weeks": [40, 44], "expect": []},
        {"name": "25 % is info", "weeks": [40, 50], "expect": [(1, "info")], "value": 25.0},
        {"name": "38 % is caution", "weeks": [32, 44], "expect": [(1, "caution")], "value": 37.5},
        {"name": "below the 5 km floor", "weeks": [4, 8], "expect": []},
        {"name": "rise below 3 km", "weeks": [6, 8.5], "expect": []},
        {"name": "after a zero week", "weeks": [30, 0, 30], "expect": []},
        {"name": "drop is fine", "weeks": [40, 20], "expect": []},
        {
            "name": "partial first week is not a base",
            "weeks": [10, 20],
            "days": (3, 5),
            "expect": [],
        },
        {
            "name": "override in toml",
            "weeks": [40, 52],
            "settings": {"thresholds": {"weekly_distance_jump": {"caution": 0.25}}},
            "expect": [(1, "caution")],
        },
        {"name": "without override 30 % is info", "weeks": [40, 52], "expect": [(1, "info")]},
        {
            "name": "override in code",
            "weeks": [40, 52],
            "rule": {"caution": 0.25},
            "expect": [(1, "caution")],
        },
        {
            "name": "bone-stress step: 25 % is caution",
            "weeks": [40, 50],
            "settings": {"previous_stress_fracture": True},
            "expect": [(1, "caution")],
        },
    ],
    "long_run_spike": [
        {"name": "same as usual", "runs": steady_runs(6), "expect": []},
        {"name": "6 % longer", "runs": [*steady_runs(5), run(day(5, 5), 8.5)], "expect": []},
        {
            "name": "12.5 % longer",
            "runs": [*steady_runs(5), run(day(5, 5), 9.0)],
            "expect": [(5, "caution")],
            "value": 12.5,
        },
        {
            "name": "37.5 % longer",
            "runs": [*steady_runs(5), run(day(5, 5), 11.0)],
            "expect": [(5, "caution")],
            "threshold": 30.0,
        },
        {
            "name": "more than double",
            "runs": [*steady_runs(5), run(day(5, 5), 17.0)],
            "expect": [(5, "warning")],
        },
        {
            "name": "under 30 days of history",
            "runs": [*steady_runs(2), run(day(2, 5), 17.0)],
            "expect": [],
        },
        {
            "name": "tiny base: rise under 1 km",
            "runs": [*steady_runs(5, km=2.0), run(day(5, 5), 2.8)],
            "expect": [],
        },
    ],
    "load_ratio": [
        {"name": "steady", "weeks": [30] * 8, "expect": []},
        {"name": "doubling", "weeks": [30] * 6 + [60], "expect": [(6, "caution")]},
        {"name": "+50 %", "weeks": [30] * 6 + [45], "expect": [(6, "caution")]},
        {"name": "+30 %", "weeks": [30] * 6 + [39], "expect": [(6, "info")]},
        {"name": "small base below the floor", "weeks": [4] * 6 + [8], "expect": []},
    ],
    "intensity_jump": [
        {
            "name": "steady hard minutes",
            "runs": steady_runs(6, hr=HARD),
            "settings": ZONES,
            "expect": [],
        },
        {
            "name": "hard minutes double",
            "settings": ZONES,
            "runs": steady_runs(5, hr={140: 30, 175: 10})
            + [run(day(5, d), 8.0, hr={140: 20, 175: 20}) for d in (0, 2, 5)],
            "expect": [(5, "caution")],
            "value": 60.0,
        },
        {
            "name": "first hard week after easy ones",
            "settings": ZONES,
            "runs": steady_runs(5, hr=EASY)
            + [run(day(5, d), 8.0, hr={140: 30, 175: 10}) for d in (0, 2, 5)],
            "expect": [(5, "caution")],
        },
        {
            "name": "small rise",
            "settings": ZONES,
            "runs": steady_runs(5, hr={140: 30, 175: 10})
            + [run(day(5, d), 8.0, hr={140: 25, 175: 15}) for d in (0, 2, 5)],
            "expect": [],
        },
    ],
    "hard_sessions_close": [
        {"name": "easy runs", "runs": steady_runs(2, hr=EASY), "settings": ZONES, "expect": []},
        {
            "name": "two hard 24 h apart",
            "settings": ZONES,
            "runs": [
                run(day(0, 0), 8, hr=HARD),
                run(day(0, 1), 8, hr=HARD),
                run(day(0, 4), 8, hr=EASY),
            ],
            "expect": [(0, "info")],
        },
        {
            "name": "three hard in three days",
            "settings": ZONES,
            "runs": [run(day(0, d), 8, hr=HARD) for d in (0, 1, 2)],
            "expect": [(0, "caution")],
        },
        {
            "name": "hard every other day",
            "settings": ZONES,
            "runs": [
                run(day(0, 0), 8, hr=HARD),
                run(day(0, 3), 8, hr=HARD),
                run(day(1, 0), 8, hr=HARD),
            ],
            "expect": [],
        },
        {
            "name": "hard Mon, Thu, Sun: three in 7 days",
            "settings": ZONES,
            "runs": [run(day(0, d), 8, hr=HARD) for d in (0, 3, 6)],
            "expect": [(0, "info")],
        },
    ],
    "monotony": [
        {
            "name": "identical every day",
            "runs": [run(day(w, d), 5.0) for w in range(2) for d in range(7)],
            "expect": [(0, "caution"), (1, "caution")],
        },
        {"name": "three runs a week", "weeks": [30, 30], "expect": []},
    ],
    "downhill_volume_jump": [
        {"name": "steady descent", "runs": steady_runs(6, descent_m=70.0), "expect": []},
        {
            "name": "three times the descent",
            "runs": steady_runs(5, descent_m=70.0)
            + [run(day(5, d), 8.0, descent_m=200.0) for d in (0, 2, 5)],
            "expect": [(5, "caution")],
            "value": 600.0,
        },
        {
            "name": "double but under +300 m",
            "runs": steady_runs(5, descent_m=70.0)
            + [run(day(5, d), 8.0, descent_m=140.0) for d in (0, 2, 5)],
            "expect": [],
        },
        {
            "name": "one run with a big descent",
            "runs": [*steady_runs(5, descent_m=100.0), run(day(5, 0), 8.0, descent_m=450.0)],
            "expect": [(5, "caution")],
            "value": 450.0,
            "threshold": 200.0,
        },
        {
            "name": "big run in a big week",
            "runs": steady_runs(5, descent_m=100.0)
            + [run(day(5, d), 8.0, descent_m=100.0 + 400.0 * (d == 0)) for d in (0, 2, 5)],
            "expect": [(5, "caution"), (5, "caution")],
        },
    ],
    "trail_volume_jump": [
        {
            "name": "road only with one old trail run",
            "runs": [*steady_runs(6), run(day(0, 6), 4.0, sport="trail_running")],
            "expect": [],
        },
        {
            "name": "share jumps",
            "runs": steady_runs(5)
            + [run(day(5, d), 8.0, sport="trail_running") for d in (0, 2)]
            + [run(day(5, 5), 8.0)],
            "expect": [(5, "info")],
        },
        {
            "name": "first long trail run",
            "runs": [*steady_runs(5), run(day(5, 5), 14.0, sport="trail_running")],
            "expect": [(5, "info"), (5, "caution")],
        },
    ],
    "shoe_mileage": [
        {"name": "new shoe", "runs": steady_runs(2, shoe="Peg"), "expect": []},
        {
            "name": "passes 450 km",
            "runs": steady_runs(2, shoe="Peg"),
            "settings": {"shoes": [{"name": "Peg", "start_km": 440}]},
            "expect": [(0, "info")],
        },
        {
            "name": "passes 800 km",
            "runs": steady_runs(2, shoe="Peg"),
            "settings": {"shoes": [{"name": "Peg", "start_km": 790}]},
            "expect": [(0, "caution")],
        },
        {
            "name": "retire_km 500",
            "runs": steady_runs(2, shoe="Peg"),
            "settings": {"shoes": [{"name": "Peg", "start_km": 490, "retire_km": 500}]},
            "expect": [(0, "caution")],
        },
        {
            "name": "one pair for every run",
            "runs": steady_runs(3, shoe="Peg"),
            "expect": [(2, "info")],
            "value": 100.0,
        },
        {
            "name": "two pairs rotated",
            "runs": steady_runs(3, shoe="Peg")[::2] + steady_runs(3, shoe="Nova")[1::2],
            "expect": [],
        },
    ],
    "return_after_break": [
        {
            "name": "straight back to 30 km",
            "weeks": [40, 40, 40, 0, 0, 30],
            "expect": [(5, "caution")],
        },
        {"name": "back at a third", "weeks": [40, 40, 40, 0, 0, 15], "expect": []},
        {"name": "one week off is no break", "weeks": [40, 40, 0, 40], "expect": []},
    ],
}
