"""Generate ``sample_data/``: a 20-week season for two synthetic athletes, in mixed formats.

Run ``python scripts/make_sample_data.py`` (optionally ``--out DIR``). The output is
deterministic: a fixed seed per activity and fixed dates (2026-06-29 .. 2026-11-15), so
re-running gives byte-identical files; ``tests/test_sample_data.py`` checks that.

The season is written as a plan (one line per session, below), designed so that each
rule of ``RULES.md`` fires in a known ISO week, well past its threshold, while the other
weeks stay well below. The same plan writes ``expected_findings.json`` and the table in
``sample_data/README.md``, so the data, the docs and the test cannot drift apart.

Tracks are synthesised from simple models: a smooth closed loop (or an out-and-back for
the mountain run) around a real place, an elevation profile of periodic hills plus ~1 m
noise, pace slowed by climbs, and a heart rate that follows effort and grade with a lag.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

SEED = 20260629
SEASON_START = date(2026, 6, 29)  # Monday of ISO week 2026-W27
SEASON_END = date(2026, 11, 15)  # Sunday of ISO week 2026-W46
#: FIT timestamps count seconds from 1989-12-31T00:00:00Z
FIT_EPOCH_S = 631065600
#: distance grid for the synthesis [m]; the written files are sampled in time
GRID_M = 5.0
EARTH_M_PER_DEG = 111_320.0
#: easy efforts never go closer than this to the threshold HR [bpm], so that easy runs
#: carry no "hi-intensity" minutes however hilly they are
EASY_HR_MARGIN = 6


# --- the athletes --------------------------------------------------------------------


@dataclass(frozen=True)
class Athlete:
    """One synthetic athlete: physiology, home and how they record."""

    folder: str
    name: str
    tz: str
    max_hr: int
    resting_hr: int
    threshold_hr: int
    threshold_pace: str
    sex: str
    home: tuple[float, float]  # lat, lon of the usual start
    hills: tuple[tuple[float, float], ...]  # (wavelength m, amplitude m) of home terrain
    base_alt: float

    @property
    def hrr(self) -> float:
        return float(self.max_hr - self.resting_hr)


SAM = Athlete(
    folder="sam",
    name="Sam",
    tz="Europe/Amsterdam",
    max_hr=190,
    resting_hr=50,
    threshold_hr=169,
    threshold_pace="4:20",
    sex="female",
    home=(51.8270, 5.8640),  # Nijmegen, Goffertpark: the rolling edge of the Dutch hills
    hills=((1200.0, 6.5), (3100.0, 8.0)),
    base_alt=32.0,
)
ALEX = Athlete(
    folder="alex",
    name="Alex",
    tz="Europe/Zurich",
    max_hr=186,
    resting_hr=46,
    threshold_hr=166,
    threshold_pace="4:05",
    sex="male",
    home=(47.3580, 8.5210),  # Zurich, Sihlhölzli towards the Uetliberg foothills
    hills=((1500.0, 6.0), (4000.0, 12.0)),
    base_alt=420.0,
)
ATHLETES = (SAM, ALEX)


# --- the plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class Seg:
    """A stretch of a session at one intended pace and effort."""

    km: float
    pace: float  # flat-ground pace [s/km]
    effort: float  # steady-state heart rate as a fraction of heart-rate reserve
    easy: bool = True  # capped below threshold HR


@dataclass(frozen=True)
class Session:
    """One planned activity."""

    day: date
    start: time  # local time
    kind: str  # easy, workout, intervals, tempo, long, hilly, trail, ride, streak
    segs: tuple[Seg, ...]
    fmt: str  # fit, fit.gz, gpx, tcx, log, strava_fit, strava_gpx, strava_manual
    title: str
    terrain: str = "home"  # home, lake, ardennes, rigi, uetliberg, flat
    sport: str = "running"  # running, trail_running, cycling
    shoe: str = ""
    rpe: int | None = None

    @property
    def km(self) -> float:
        return round(sum(s.km for s in self.segs), 3)


def _d(week: int, weekday: int) -> date:
    """Date of an ISO weekday (1 = Monday) in ISO week ``week`` of 2026."""
    return date.fromisocalendar(2026, week, weekday)


# session builders: (athlete, km) -> segments
def easy(a: Athlete, km: float, effort: float = 0.60) -> tuple[Seg, ...]:
    return (Seg(km, _easy_pace(a) + (0.60 - effort) * 200, effort),)


def long_run(a: Athlete, km: float) -> tuple[Seg, ...]:
    return (Seg(km, _easy_pace(a) + 10, 0.62),)


def workout(a: Athlete) -> tuple[Seg, ...]:
    """Progression run: 9 km, the last 1.6 km just above threshold HR (~6-7 min).

    The fast part is slower than threshold pace, so only the heart rate counts it.
    """
    tp = _pace_s(a.threshold_pace)
    return (
        Seg(2.0, _easy_pace(a), 0.60),
        Seg(4.0, tp + 50, 0.76),
        Seg(1.6, tp + 15, 0.93, easy=False),
        Seg(1.4, _easy_pace(a) + 15, 0.55),
    )


def tempo(a: Athlete) -> tuple[Seg, ...]:
    """Tempo: 5 km at threshold effort (~20 min above threshold HR): a hard session."""
    tp = _pace_s(a.threshold_pace)
    return (
        Seg(2.0, _easy_pace(a), 0.60),
        Seg(5.0, tp + 10, 0.92, easy=False),
        Seg(3.0, _easy_pace(a) + 15, 0.55),
    )


def intervals(a: Athlete) -> tuple[Seg, ...]:
    """4 x 2 km at 10k pace with 350 m jogs: ~30 min above threshold HR."""
    tp = _pace_s(a.threshold_pace)
    segs = [Seg(2.0, _easy_pace(a), 0.60)]
    for i in range(4):
        segs.append(Seg(2.0, tp - 5, 0.96, easy=False))
        if i < 3:
            segs.append(Seg(0.35, 400.0, 0.45))
    segs.append(Seg(1.6, _easy_pace(a) + 20, 0.52))
    return tuple(segs)


def ride(km: float) -> tuple[Seg, ...]:
    return (Seg(km, 138.0, 0.55),)  # ~26 km/h


def _pace_s(text: str) -> float:
    m, s = text.split(":")
    return int(m) * 60 + int(s)


def _easy_pace(a: Athlete) -> float:
    return _pace_s(a.threshold_pace) + 85  # ~5:45/km for Sam, 5:30/km for Alex


MORNING, EVENING, WEEKEND = time(7, 5), time(18, 35), time(9, 10)


def plan_sam() -> list[Session]:
    """Sam: Garmin FIT files, a few GPX/TCX exports, one .gz, a training log for runs
    without the watch, a ride. Five runs a week around Nijmegen, 43-50 km.
    """
    a = SAM
    out: list[Session] = []

    def add(week, wd, kind, segs, title="", start=None, **kw):
        st = start or (WEEKEND if wd >= 6 else (EVENING if kind in ("workout", "tempo",
                                                                    "intervals") else MORNING))
        out.append(Session(_d(week, wd), st, kind, segs, "fit", title or _title(kind, st),
                           **kw))

    # week: (Tue easy, Thu easy, Sat easy, Sun long); Wednesday is the progression run
    normal = {
        27: (8, 7, 6, 13), 28: (8, 7, 6, 13.5), 29: (8, 7, 6.5, 14), 31: (8, 7, 6.5, 15),
        32: (8, 7.5, 6.5, 15.5), 37: (8, 7, 6.5, 16.5), 39: (8, 7, 6.5, 17),
        41: (8, 7.5, 6.5, 17.5), 43: (8, 7.5, 6.5, 16.5), 44: (8.5, 7.5, 7, 18),
        45: (8.5, 7.5, 7, 18),
    }
    for week, (tue, thu, sat, sun) in normal.items():
        add(week, 2, "easy", easy(a, tue))
        add(week, 3, "workout", workout(a))
        add(week, 4, "easy", easy(a, thu))
        add(week, 6, "easy", easy(a, sat))
        add(week, 7, "long", long_run(a, sun))
    # W30: long run on Saturday, a ride on Sunday (not running)
    add(30, 2, "easy", easy(a, 8))
    add(30, 3, "workout", workout(a))
    add(30, 4, "easy", easy(a, 7))
    add(30, 5, "easy", easy(a, 6))
    add(30, 6, "long", long_run(a, 14.5))
    add(30, 7, "ride", ride(52), title="Sunday ride to Groesbeek", sport="cycling",
        start=time(10, 0))
    # W33: a lighter week; W34: holiday, relaxed runs only, +35 % (weekly_distance_jump)
    add(33, 2, "easy", easy(a, 7))
    add(33, 3, "workout", workout(a))
    add(33, 6, "easy", easy(a, 7))
    add(33, 7, "long", long_run(a, 14))
    for wd, km in ((2, 9), (3, 9), (4, 9), (6, 8.5), (7, 14.5)):
        add(34, wd, "easy" if km < 10 else "long", easy(a, km, effort=0.58),
            title="Holiday run")
    # W35: long run on Saturday, so that no three hard sessions fall within 7 days
    add(35, 2, "easy", easy(a, 8))
    add(35, 3, "workout", workout(a))
    add(35, 4, "easy", easy(a, 7))
    add(35, 5, "easy", easy(a, 5))
    add(35, 6, "long", long_run(a, 13.5))
    # W36: 5 x 2 km intervals (intensity_jump)
    add(36, 2, "easy", easy(a, 6))
    add(36, 3, "intervals", intervals(a), title="4 x 2 km @ 10k pace")
    add(36, 4, "easy", easy(a, 6))
    add(36, 6, "easy", easy(a, 5))
    add(36, 7, "long", long_run(a, 16))
    # W38: tempo Thursday, long runs Saturday and Sunday (hard_sessions_close)
    add(38, 2, "easy", easy(a, 7))
    add(38, 4, "tempo", tempo(a), title="Tempo 5 km")
    add(38, 6, "long", long_run(a, 15.5), title="Long run, day 1 of 2")
    add(38, 7, "long", long_run(a, 15), title="Long run, day 2 of 2")
    # W40: a run streak, 6.8 km every day (monotony)
    for wd in range(1, 8):
        add(40, wd, "streak", easy(a, 6.8), title=f"Run streak day {wd}",
            start=MORNING if wd < 6 else WEEKEND)
    # W42: Ardennes weekend, a 15 km run over three climbs (downhill_volume_jump)
    add(42, 2, "easy", easy(a, 8))
    add(42, 3, "workout", workout(a))
    add(42, 4, "easy", easy(a, 6))
    add(42, 6, "hilly", long_run(a, 14), title="La Roche-en-Ardenne hills",
        terrain="ardennes")
    add(42, 7, "easy", easy(a, 7), title="Easy along the Ourthe", terrain="ardennes_valley")
    # W46 (current week): a shoe passes 800 km; Saturday's groin pain stops the week
    add(46, 2, "easy", easy(a, 8.5))
    add(46, 3, "workout", workout(a))
    add(46, 4, "easy", easy(a, 7.5))
    add(46, 6, "easy", easy(a, 6), title="Easy run, cut short (groin)")

    # format mix: a few GPX and TCX exports, one gzipped FIT, and log rows
    fmt = {
        (28, 4): "gpx", (35, 2): "gpx", (41, 4): "gpx", (43, 6): "gpx",
        (31, 2): "tcx", (39, 4): "tcx", (45, 2): "tcx",
        (37, 6): "fit.gz",
        (29, 4): "log", (37, 4): "log", (43, 4): "log", (44, 2): "log",
    }
    res = []
    for s in out:
        key = (s.day.isocalendar().week, s.day.isoweekday())
        f = fmt.get(key, s.fmt)
        kw = {}
        if f == "log":
            kw["title"] = "Easy run (watch flat)" if key == (44, 2) else "Treadmill run"
            kw["terrain"] = "home" if key == (44, 2) else "flat"
        res.append(replace(s, fmt=f, shoe=_sam_shoe(s.day), **kw))
    return sorted(res, key=lambda s: (s.day, s.start))


SAM_SHOE_SWITCH = date(2026, 8, 17)


def _sam_shoe(day: date) -> str:
    return "Ghost 15" if day < SAM_SHOE_SWITCH else "Pegasus 40"


def plan_alex() -> list[Session]:
    """Alex: a Strava bulk export (FIT.gz from the watch, GPX from the phone, one manual
    entry), a 2.5-week break early on, a 32 km long run, a Rigi trail run, two rides.
    """
    a = ALEX
    out: list[Session] = []

    def add(week, wd, kind, segs, title="", start=None, **kw):
        st = start or (WEEKEND if wd >= 6 else EVENING)
        out.append(Session(_d(week, wd), st, kind, segs, "strava_fit",
                           title or _title(kind, st), **kw))

    normal = {
        27: (8, 9, 7, 13), 28: (8, 9, 7, 13.5), 29: (9, 9, 7, 14), 33: (8, 8, 6, 11.5),
        34: (8, 9, 6, 12), 35: (8.5, 9, 7, 12.5), 37: (9, 10, 7, 13.5), 38: (9, 10, 7, 14),
        40: (8, 8, 6, 13), 42: (9, 10, 7, 14), 44: (9, 10, 7, 14.5), 45: (9, 10, 7, 15),
    }
    for week, (tue, thu, sat, sun) in normal.items():
        add(week, 2, "easy", easy(a, tue))
        add(week, 4, "easy", easy(a, thu))
        add(week, 6, "easy", easy(a, sat))
        add(week, 7, "long", long_run(a, sun))
    # W30-W31 nothing (holiday, then a calf strain); back on Wednesday of W32, 16 days
    # after the last run (return_after_break)
    add(32, 3, "easy", easy(a, 8), title="First run back")
    add(32, 5, "easy", easy(a, 9))
    add(32, 7, "long", long_run(a, 11))
    # W36: a ride instead of Saturday's run
    add(36, 2, "easy", easy(a, 9))
    add(36, 4, "easy", easy(a, 9.5))
    add(36, 5, "easy", easy(a, 6))
    add(36, 6, "ride", ride(55), title="Morning Ride", sport="cycling")
    add(36, 7, "long", long_run(a, 13))
    # W39: the first 32 km, on Sunday (long_run_spike: > 2x the 30-day longest)
    add(39, 2, "easy", easy(a, 7))
    add(39, 4, "easy", easy(a, 6))
    add(39, 7, "long", long_run(a, 32), title="Zürichsee 32k", terrain="lake")
    # W41: first long trail run, Rigi up and down (trail_volume_jump, downhill_volume_jump)
    add(41, 2, "easy", easy(a, 9))
    add(41, 4, "easy", easy(a, 9))
    add(41, 7, "trail", long_run(a, 18), title="Rigi: Weggis - Kulm - Weggis",
        terrain="rigi", sport="trail_running")
    # W43 and W46: short Uetliberg trail runs; W45: a ride on Wednesday
    for week, sun in ((43, 14.5), (46, 15)):
        add(week, 2, "easy", easy(a, 9))
        add(week, 4, "easy", easy(a, 10))
        add(week, 6, "trail", easy(a, 8), title="Uetliberg trails", terrain="uetliberg",
            sport="trail_running")
        add(week, 7, "long", long_run(a, sun))
    add(45, 3, "ride", ride(45), title="Evening Ride", sport="cycling")

    fmt = {
        (28, 2): "strava_gpx", (33, 4): "strava_gpx", (35, 2): "strava_gpx",
        (38, 4): "strava_gpx", (42, 6): "strava_gpx", (46, 2): "strava_gpx",
        (44, 6): "strava_manual",
    }
    res = []
    for s in sorted(out, key=lambda s: (s.day, s.start)):
        f = fmt.get((s.day.isocalendar().week, s.day.isoweekday()), s.fmt)
        title = "Treadmill run" if f == "strava_manual" else s.title
        res.append(replace(s, fmt=f, shoe=_alex_shoe(s), title=title))
    return res


def _alex_shoe(s: Session) -> str:
    """Alex rotates two road shoes (neither reaches 450 km) and has a trail pair."""
    if s.sport == "cycling":
        return "Canyon Endurace"
    if s.sport == "trail_running":
        return "Speedgoat 5"
    return "Endorphin Speed 3" if s.kind == "long" or s.day.isoweekday() == 4 else "Kinvara 14"


def _title(kind: str, st: time) -> str:
    part = "Morning" if st.hour < 12 else ("Afternoon" if st.hour < 17 else "Evening")
    return {
        "workout": "Progression run",
        "long": "Long run",
        "ride": f"{part} Ride",
    }.get(kind, f"{part} Run")


def rpe_for(s: Session) -> int:
    """Perceived exertion a runner would log for this kind of session."""
    return {"intervals": 8, "tempo": 7, "workout": 6, "long": 5, "hilly": 7, "trail": 7,
            "ride": 4}.get(s.kind, 3)


# --- what should fire where ------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """One rule that should fire in one week at ``min_severity`` or above; ``exclusive``:
    and at that severity in no week that is not listed for the rule."""

    athlete: str
    rule: str
    week: str
    min_severity: str
    why: str
    exclusive: bool = True  # no other week may have this rule at >= min_severity


def expectations(sam_shoe_weeks: dict[str, str]) -> tuple[list[Expectation], dict]:
    """The designed findings, plus rules that must never fire and weeks that stay quiet."""
    e = [
        Expectation("sam", "weekly_distance_jump", "2026-W34", "caution",
                    "37 km in the lighter W33, then 50 km on holiday: +35 %"),
        Expectation("sam", "intensity_jump", "2026-W36", "caution",
                    "4 x 2 km intervals: ~33 min above threshold HR; 0-8 min in the 4 weeks "
                    "before"),
        Expectation("sam", "hard_sessions_close", "2026-W38", "caution",
                    "tempo Thursday, 15.5 km Saturday, 15 km Sunday: three hard sessions "
                    "in four days, two of them < 48 h apart"),
        Expectation("sam", "monotony", "2026-W40", "caution",
                    "run streak: 6.8 km every day, no rest day, the same load each day"),
        Expectation("sam", "downhill_volume_jump", "2026-W42", "caution",
                    "Ardennes: ~670 m of descent in one 14 km run (3x the 30-day maximum); "
                    "~1,000 m in the week vs ~590 m"),
        Expectation("sam", "shoe_mileage", "2026-W46", "caution",
                    "Pegasus 40 passes 800 km (incl. start_km) on Wednesday"),
        Expectation("sam", "shoe_mileage", sam_shoe_weeks["ghost_450"], "info",
                    "Ghost 15 passes 450 km", exclusive=False),
        Expectation("sam", "shoe_mileage", sam_shoe_weeks["pegasus_650"], "info",
                    "Pegasus 40 passes 650 km", exclusive=False),
        Expectation("sam", "red_flag_symptoms", "2026-W46", "seek_care",
                    "symptoms.csv, Saturday: groin pain on weight-bearing, at night and on "
                    "hopping, with a limp"),
        Expectation("alex", "return_after_break", "2026-W32", "caution",
                    "16 days without running (W30-W31), then 28 km: 72 % of W29's 39 km"),
        Expectation("alex", "load_ratio", "2026-W32", "caution",
                    "the first week back: the break emptied the 28-day load (and the ratio "
                    "stays high for a few weeks)", exclusive=False),
        Expectation("alex", "long_run_spike", "2026-W39", "warning",
                    "32 km on Sunday; longest run in the 30 days before: 14 km (+129 %)"),
        Expectation("alex", "load_ratio", "2026-W39", "caution",
                    "the 32 km day lifts the 7-day load well above the 28-day load",
                    exclusive=False),
        Expectation("alex", "trail_volume_jump", "2026-W41", "caution",
                    "first long trail run: Rigi on Sunday, 18 km (Strava 'Trail Run', FIT "
                    "sub_sport trail)"),
        Expectation("alex", "downhill_volume_jump", "2026-W41", "caution",
                    "Rigi: ~1,380 m of descent in one run (10x the 30-day maximum); "
                    "~1,550 m in the week vs ~350 m"),
        Expectation("alex", "load_ratio", "2026-W41", "caution",
                    "the 2.5-hour mountain run lifts the 7-day load", exclusive=False),
    ]
    extra = {
        # rules that must not fire at all at or above this severity
        "never": [
            {"athlete": "alex", "rule": "weekly_distance_jump", "min_severity": "caution"},
            {"athlete": "alex", "rule": "intensity_jump", "min_severity": "caution"},
            {"athlete": "alex", "rule": "monotony", "min_severity": "caution"},
            {"athlete": "alex", "rule": "shoe_mileage", "min_severity": "info"},
            {"athlete": "alex", "rule": "red_flag_symptoms", "min_severity": "info"},
            {"athlete": "sam", "rule": "long_run_spike", "min_severity": "caution"},
            {"athlete": "sam", "rule": "trail_volume_jump", "min_severity": "info"},
            {"athlete": "sam", "rule": "return_after_break", "min_severity": "info"},
            {"athlete": "sam", "rule": "load_ratio", "min_severity": "caution"},
        ],
        # weeks without any finding, not even info
        "silent_weeks": {
            "sam": ["2026-W35", "2026-W37", "2026-W39"],
            "alex": ["2026-W40", "2026-W43", "2026-W44", "2026-W45"],
        },
        # weeks in which no rule may reach caution (after the load ratio has settled)
        "quiet_weeks": {
            "sam": ["2026-W35", "2026-W37", "2026-W39", "2026-W41", "2026-W43",
                    "2026-W44", "2026-W45"],
            "alex": ["2026-W40", "2026-W42", "2026-W43", "2026-W44", "2026-W45",
                     "2026-W46"],
        },
    }
    return e, extra


# --- terrain and routes ----------------------------------------------------------------


def elevation(terrain: str, a: Athlete, d: np.ndarray, total: float,
              rng: np.random.Generator) -> np.ndarray:
    """True elevation [m] along the route at distances ``d`` (a loop ends where it began)."""
    z = np.full_like(d, a.base_alt)

    def waves(spec: Iterable[tuple[float, float]]) -> np.ndarray:
        out = np.zeros_like(d)
        for wavelength, amp in spec:
            n = max(1, round(total / wavelength))
            out += amp * np.sin(2 * np.pi * n * d / total + rng.uniform(0, 2 * np.pi))
        return out

    if terrain == "home":
        return z + waves(a.hills)
    if terrain == "lake":  # lakeside: nearly flat
        return 406.0 + waves(((2500.0, 3.0), (8000.0, 4.0)))
    if terrain == "ardennes":  # three climbs of ~220 m
        return 320.0 + waves(((total / 3, 110.0), (1400.0, 8.0)))
    if terrain == "ardennes_valley":
        return 230.0 + waves(((1500.0, 6.0),))
    if terrain == "uetliberg":  # one climb of ~190 m and back
        s = np.sin(np.pi * d / total) ** 2
        return 540.0 + 190.0 * s + waves(((900.0, 5.0),))
    if terrain == "rigi":  # Weggis (440 m) to Rigi Kulm (1790 m) and back
        s = np.sin(np.pi * d / total) ** 2
        return 440.0 + 1350.0 * s + waves(((1100.0, 12.0),))
    if terrain == "flat":
        return z
    raise ValueError(terrain)


def route_xy(terrain: str, d: np.ndarray, total: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Planar positions [m] east/north of the start along a smooth route."""
    if terrain in ("rigi", "uetliberg"):  # out and back on a winding path
        half = total / 2
        s = np.where(d <= half, d, total - d)
        bearing = rng.uniform(0, 2 * np.pi)
        wiggle = 0.9 * np.sin(2 * np.pi * s / 700.0) + 0.3 * np.sin(2 * np.pi * s / 260.0)
        ang = bearing + wiggle
        step = np.gradient(s)
        x = np.cumsum(np.cos(ang) * np.abs(step)) * 0.72
        y = np.cumsum(np.sin(ang) * np.abs(step)) * 0.72
        # retrace exactly on the way back
        idx = np.searchsorted(d, s)
        idx = np.clip(idx, 0, len(d) - 1)
        return x[idx] - x[0], y[idx] - y[0]
    # closed loop r(th) = R (1 + a sin(2 th + p1) + b sin(3 th + p2))
    th = np.linspace(0, 2 * np.pi, 4001)
    a1, a2 = rng.uniform(0.12, 0.25), rng.uniform(0.05, 0.15)
    p1, p2, rot = rng.uniform(0, 2 * np.pi, 3)
    r = 1 + a1 * np.sin(2 * th + p1) + a2 * np.sin(3 * th + p2)
    ux, uy = r * np.cos(th + rot), r * np.sin(th + rot)
    seg = np.hypot(np.diff(ux), np.diff(uy))
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    scale = total / arc[-1]
    x = np.interp(d, arc * scale, ux * scale)
    y = np.interp(d, arc * scale, uy * scale)
    return x - x[0], y - y[0]


PLACES = {
    "lake": (47.3600, 8.5370),  # Zurich, Bellerive
    "rigi": (47.0340, 8.4350),  # Weggis
    "uetliberg": (47.3640, 8.5080),  # Zurich Triemli
    "ardennes": (50.1830, 5.5760),  # La Roche-en-Ardenne
    "ardennes_valley": (50.1830, 5.5760),
}


# --- synthesis -------------------------------------------------------------------------


@dataclass
class Track:
    """One synthesised activity, sampled in time."""

    session: Session
    athlete: Athlete
    start_utc: datetime
    utc_offset_s: int
    t: np.ndarray  # s since start
    dist: np.ndarray  # m
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray  # m, with noise, as a watch would record
    hr: np.ndarray  # bpm (int)
    cad: np.ndarray  # strides/min (int)
    seg_bounds: list[int] = field(default_factory=list)  # sample index where each seg starts
    true_descent: float = 0.0
    true_ascent: float = 0.0


def synthesise(a: Athlete, s: Session, key: int) -> Track:
    """Turn a planned session into a time-sampled track."""
    rng = np.random.default_rng([SEED, ATHLETES.index(a), key])
    total = s.km * 1000.0
    d = np.arange(0.0, total + GRID_M / 2, GRID_M)
    d[-1] = total
    z = elevation(s.terrain, a, d, total, rng)
    grade = np.gradient(z, d)
    grade = np.convolve(grade, np.ones(9) / 9, mode="same")
    bounds = np.cumsum([0.0] + [g.km * 1000 for g in s.segs])
    seg_i = np.clip(np.searchsorted(bounds, d, side="right") - 1, 0, len(s.segs) - 1)
    pace = np.array([g.pace for g in s.segs])[seg_i]
    effort = np.array([g.effort for g in s.segs])[seg_i]
    is_easy = np.array([g.easy for g in s.segs])[seg_i]
    cycling = s.sport == "cycling"
    up, down = np.clip(grade, 0, None), np.clip(-grade, 0, None)
    if cycling:
        factor = 1 + 6.0 * up - 2.5 * np.clip(down, 0, 0.06)
    else:
        # climbs slow the runner; gentle descents speed them up, steep ones slow them again
        factor = 1 + 3.6 * up - 1.2 * np.clip(down, 0, 0.08) + 1.6 * np.clip(down - 0.08, 0, None)
    sec_per_m = pace / 1000.0 * factor * (1 + 0.015 * np.sin(d / 370.0 + rng.uniform(0, 6)))
    elapsed = np.concatenate([[0.0], np.cumsum(sec_per_m[1:] * np.diff(d))])
    duration = elapsed[-1]
    # 5 s for workouts (fast heart-rate changes), 10 s otherwise, like "smart recording"
    dt = 5.0 if s.kind in ("workout", "tempo", "intervals") else 10.0
    t = np.arange(0.0, duration, dt)
    t = np.append(t, duration) if duration - t[-1] > 1 else t
    t = np.round(t)
    dist = np.interp(t, elapsed, d)
    alt_true = np.interp(t, elapsed, z)
    g_t = np.interp(t, elapsed, grade)
    eff_t = effort[np.clip(np.searchsorted(elapsed, t, side="right") - 1, 0, len(d) - 1)]
    easy_t = is_easy[np.clip(np.searchsorted(elapsed, t, side="right") - 1, 0, len(d) - 1)]

    # heart rate: effort + climbing cost + drift, followed with a lag; easy efforts capped
    target = a.resting_hr + a.hrr * (eff_t + 1.3 * np.clip(g_t, 0, 0.25)
                                     - 0.4 * np.clip(-g_t, 0, 0.15))
    target += 4.0 * t / 3600.0
    cap = a.threshold_hr - EASY_HR_MARGIN
    target = np.where(easy_t, np.minimum(target, cap - 1.5), target)
    hr = np.empty_like(t)
    hr[0] = a.resting_hr + 0.25 * a.hrr
    for k in range(1, len(t)):
        step = t[k] - t[k - 1]
        tau = 30.0 if target[k] > hr[k - 1] else 45.0
        hr[k] = hr[k - 1] + (target[k] - hr[k - 1]) * (1 - np.exp(-step / tau))
    hr = hr + _smooth_noise(rng, len(t), 1.2, 4)
    hr = np.where(easy_t, np.minimum(hr, cap), hr)
    hr = np.round(hr).astype(int)

    speed = np.gradient(dist, t) if len(t) > 1 else np.zeros_like(t)
    if cycling:
        cad = np.round(82 + _smooth_noise(rng, len(t), 3.0, 6)).astype(int)
    else:
        cad = np.round(np.clip(74 + 4.2 * speed, 70, 98) + _smooth_noise(rng, len(t), 1.0, 3))
        cad = cad.astype(int)
    alt = alt_true + _smooth_noise(rng, len(t), 0.9, 3) + rng.normal(0, 0.3, len(t))

    # positions
    base = PLACES.get(s.terrain, a.home)
    x, y = route_xy(s.terrain, d, total, rng)
    xs, ys = np.interp(dist, d, x), np.interp(dist, d, y)
    xs = xs + _smooth_noise(rng, len(t), 1.5, 5)
    ys = ys + _smooth_noise(rng, len(t), 1.5, 5)
    lat = base[0] + ys / EARTH_M_PER_DEG
    lon = base[1] + xs / (EARTH_M_PER_DEG * np.cos(np.radians(base[0])))

    zone = ZoneInfo(a.tz)
    local = datetime.combine(s.day, s.start, tzinfo=zone)
    start_utc = local.astimezone(UTC)
    offset = int(local.utcoffset().total_seconds())
    seg_starts = [int(np.searchsorted(dist, b)) for b in bounds[:-1]]
    dz = np.diff(z)
    return Track(s, a, start_utc, offset, t, dist, lat, lon, alt, hr, cad, seg_starts,
                 float(-dz[dz < 0].sum()), float(dz[dz > 0].sum()))


def _smooth_noise(rng: np.random.Generator, n: int, sd: float, width: int) -> np.ndarray:
    raw = rng.normal(0, 1, n + 2 * width)
    k = np.ones(width) / np.sqrt(width)
    return sd * np.convolve(raw, k, mode="same")[width:width + n]


# --- writers -------------------------------------------------------------------------


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _iso_s(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _times(tr: Track) -> list[datetime]:
    return [tr.start_utc + timedelta(seconds=float(v)) for v in tr.t]


def fit_bytes(tr: Track, product: int = 3990, serial: int = 3412345678) -> bytes:
    """A FIT activity file written with fit_tool: file_id, timer events, records, laps,
    session and activity (with ``local_timestamp``)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.fit_file_header import FitFileHeader
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import (
        Activity,
        Event,
        EventType,
        FileType,
        Manufacturer,
        Sport,
        SubSport,
    )
    from fit_tool.utils.crc import crc16

    s = tr.session
    t0 = int(tr.start_utc.timestamp())
    ms = [int((t0 + v) * 1000) for v in tr.t]
    end_ms = ms[-1]
    if s.sport == "cycling":
        sport, sub = Sport.CYCLING, SubSport.ROAD
    elif s.sport == "trail_running":
        sport, sub = Sport.RUNNING, SubSport.TRAIL
    else:
        sport, sub = Sport.RUNNING, SubSport.GENERIC

    head = FitFileBuilder(auto_define=True, min_string_size=24)
    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.GARMIN.value
    m.product = product
    m.serial_number = serial
    m.time_created = ms[0]
    head.add(m)
    di = DeviceInfoMessage()
    di.timestamp = ms[0]
    di.manufacturer = Manufacturer.GARMIN.value
    di.product = product
    di.serial_number = serial
    di.software_version = 21.19
    head.add(di)
    ev = EventMessage()
    ev.event = Event.TIMER
    ev.event_type = EventType.START
    ev.timestamp = ms[0]
    head.add(ev)
    rec = RecordMessage()

    def fill(i: int) -> None:
        rec.timestamp = ms[i]
        rec.position_lat = float(tr.lat[i])
        rec.position_long = float(tr.lon[i])
        rec.enhanced_altitude = float(tr.alt[i])
        rec.distance = float(tr.dist[i])
        rec.heart_rate = int(tr.hr[i])
        rec.cadence = int(tr.cad[i])

    fill(0)
    head.add(rec)
    body = [r.to_bytes() for r in head.records]
    columns = {"timestamp": np.array(ms, dtype=np.float64), "position_lat": tr.lat,
               "position_long": tr.lon, "enhanced_altitude": tr.alt, "distance": tr.dist,
               "heart_rate": tr.hr, "cadence": tr.cad}
    packed = _pack_records(rec, columns)
    # the vectorised packing must give fit_tool's own bytes for the first record
    if packed[: len(body[-1])] != body[-1]:
        raise AssertionError("record packing differs from fit_tool's encoding")
    body.append(packed[len(body[-1]):])

    tail = FitFileBuilder(auto_define=True, min_string_size=24)
    ev = EventMessage()
    ev.event = Event.TIMER
    ev.event_type = EventType.STOP_ALL
    ev.timestamp = end_ms
    tail.add(ev)
    bounds = [*tr.seg_bounds, len(ms) - 1]
    nlaps = 0
    for j in range(len(tr.seg_bounds)):
        i0, i1 = bounds[j], max(bounds[j + 1], bounds[j] + 1)
        i1 = min(i1, len(ms) - 1)
        if i1 <= i0:
            continue
        lap = LapMessage()
        lap.message_index = nlaps
        lap.timestamp = ms[i1]
        lap.start_time = ms[i0]
        lap.event = Event.LAP
        lap.event_type = EventType.STOP
        _summary_fields(lap, tr, i0, i1)
        lap.sport = sport
        lap.sub_sport = sub
        tail.add(lap)
        nlaps += 1
    ses = SessionMessage()
    ses.message_index = 0
    ses.timestamp = end_ms
    ses.start_time = ms[0]
    ses.event = Event.SESSION
    ses.event_type = EventType.STOP
    ses.sport = sport
    ses.sub_sport = sub
    ses.first_lap_index = 0
    ses.num_laps = nlaps
    _summary_fields(ses, tr, 0, len(ms) - 1)
    ses.start_position_lat = float(tr.lat[0])
    ses.start_position_long = float(tr.lon[0])
    tail.add(ses)
    act = ActivityMessage()
    act.timestamp = end_ms
    act.total_timer_time = float(tr.t[-1])
    act.num_sessions = 1
    act.type = Activity.MANUAL
    act.event = Event.ACTIVITY
    act.event_type = EventType.STOP
    act.local_timestamp = end_ms // 1000 + tr.utc_offset_s - FIT_EPOCH_S
    tail.add(act)
    body.extend(r.to_bytes() for r in tail.records)

    blob = b"".join(body)
    header = FitFileHeader(records_size=len(blob)).to_bytes()
    crc = crc16(blob, crc=crc16(header))
    return header + blob + crc.to_bytes(2, "little")


_NUMPY_TYPES = {"UINT8": "u1", "SINT8": "i1", "UINT16": "<u2", "SINT16": "<i2",
                "UINT32": "<u4", "SINT32": "<i4"}


def _pack_records(template, columns: dict[str, np.ndarray]) -> bytes:
    """All records at once, laid out by ``template``'s fit_tool definition message.

    fit_tool builds one Python object per record, ~0.4 ms each; this packs the same
    fields with fit_tool's scale and offset (value + offset) * scale, rounded as fit_tool
    rounds, into a numpy structured array: a normal record header (the local message
    number) followed by the fields in definition order.
    """
    definition = template.definition_message
    layout = [("header", "u1")]
    values = {}
    for fd in definition.field_definitions:
        field_ = template.get_field(fd.field_id)
        kind = _NUMPY_TYPES[fd.base_type.name]
        layout.append((field_.name, kind))
        scale, offset = field_.get_scale() or 1.0, field_.get_offset() or 0.0
        raw = np.asarray(columns[field_.name], dtype=np.float64)
        values[field_.name] = np.round((raw + offset) * scale).astype(kind)
    out = np.zeros(len(next(iter(values.values()))), dtype=np.dtype(layout))
    out["header"] = template.local_id
    for name, v in values.items():
        out[name] = v
    return out.tobytes()


def _summary_fields(msg, tr: Track, i0: int, i1: int) -> None:
    el = float(tr.t[i1] - tr.t[i0])
    dist = float(tr.dist[i1] - tr.dist[i0])
    hr = tr.hr[i0:i1 + 1]
    dz = np.diff(tr.alt[i0:i1 + 1])
    msg.total_elapsed_time = el
    msg.total_timer_time = el
    msg.total_distance = dist
    msg.enhanced_avg_speed = dist / el if el else 0.0
    msg.avg_heart_rate = round(float(hr.mean()))
    msg.max_heart_rate = int(hr.max())
    msg.total_ascent = round(float(dz[dz > 0].sum()))
    msg.total_descent = round(float(-dz[dz < 0].sum()))


def gpx_garmin(tr: Track) -> str:
    """GPX 1.1 as Garmin Connect exports it: TrackPointExtension v1 hr/cad, words for type."""
    s = tr.session
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx creator="Garmin Connect" version="1.1"',
        '  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/11.xsd"',
        '  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"',
        '  xmlns="http://www.topografix.com/GPX/1/1"',
        '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3">',
        "  <metadata>",
        '    <link href="connect.garmin.com">',
        "      <text>Garmin Connect</text>",
        "    </link>",
        f"    <time>{_iso(tr.start_utc)}</time>",
        "  </metadata>",
        "  <trk>",
        f"    <name>{_xml(s.title)}</name>",
        f"    <type>{'trail_running' if s.sport == 'trail_running' else 'running'}</type>",
        "    <trkseg>",
    ]
    for ts, la, lo, al, h, c in zip(_times(tr), tr.lat, tr.lon, tr.alt, tr.hr, tr.cad,
                                     strict=True):
        lines += [
            f'      <trkpt lat="{la:.7f}" lon="{lo:.7f}">',
            f"        <ele>{al:.1f}</ele>",
            f"        <time>{_iso(ts)}</time>",
            "        <extensions>",
            "          <ns3:TrackPointExtension>",
            f"            <ns3:hr>{h}</ns3:hr>",
            f"            <ns3:cad>{c}</ns3:cad>",
            "          </ns3:TrackPointExtension>",
            "        </extensions>",
            "      </trkpt>",
        ]
    lines += ["    </trkseg>", "  </trk>", "</gpx>", ""]
    return "\n".join(lines)


def gpx_strava(tr: Track) -> str:
    """GPX as Strava's bulk export writes it: creator StravaGPX, numeric type (9 = run)."""
    s = tr.session
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx creator="StravaGPX Android" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/1/1/gpx.xsd '
        'http://www.garmin.com/xmlschemas/GpxExtensions/v3 '
        'http://www.garmin.com/xmlschemas/GpxExtensionsv3.xsd '
        'http://www.garmin.com/xmlschemas/TrackPointExtension/v1 '
        'http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
        'xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">',
        " <metadata>",
        f"  <time>{_iso_s(tr.start_utc)}</time>",
        " </metadata>",
        " <trk>",
        f"  <name>{_xml(s.title)}</name>",
        "  <type>9</type>",
        "  <trkseg>",
    ]
    for ts, la, lo, al, h, c in zip(_times(tr), tr.lat, tr.lon, tr.alt, tr.hr, tr.cad,
                                     strict=True):
        lines += [
            f'   <trkpt lat="{la:.7f}" lon="{lo:.7f}">',
            f"    <ele>{al:.1f}</ele>",
            f"    <time>{_iso_s(ts)}</time>",
            "    <extensions>",
            "     <gpxtpx:TrackPointExtension>",
            f"      <gpxtpx:hr>{h}</gpxtpx:hr>",
            f"      <gpxtpx:cad>{c}</gpxtpx:cad>",
            "     </gpxtpx:TrackPointExtension>",
            "    </extensions>",
            "   </trkpt>",
        ]
    lines += ["  </trkseg>", " </trk>", "</gpx>", ""]
    return "\n".join(lines)


def tcx(tr: Track) -> str:
    """TCX (TrainingCenterDatabase v2) as Garmin Connect exports it, one lap per segment."""
    s = tr.session
    times = _times(tr)
    sport = "Running" if s.sport != "cycling" else "Biking"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<TrainingCenterDatabase",
        '  xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 '
        'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"',
        '  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"',
        '  xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"',
        '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "  <Activities>",
        f'    <Activity Sport="{sport}">',
        f"      <Id>{_iso(tr.start_utc)}</Id>",
    ]
    bounds = [*tr.seg_bounds, len(tr.t) - 1]
    for j in range(len(tr.seg_bounds)):
        i0, i1 = bounds[j], min(max(bounds[j + 1], bounds[j] + 1), len(tr.t) - 1)
        if i1 <= i0:
            continue
        last = j == len(tr.seg_bounds) - 1
        stop = i1 + 1 if last else i1
        hr = tr.hr[i0:stop]
        lines += [
            f'      <Lap StartTime="{_iso(times[i0])}">',
            f"        <TotalTimeSeconds>{tr.t[i1] - tr.t[i0]:.1f}</TotalTimeSeconds>",
            f"        <DistanceMeters>{tr.dist[i1] - tr.dist[i0]:.1f}</DistanceMeters>",
            "        <Calories>0</Calories>",
            f"        <AverageHeartRateBpm><Value>{round(float(hr.mean()))}</Value>"
            "</AverageHeartRateBpm>",
            f"        <MaximumHeartRateBpm><Value>{int(hr.max())}</Value></MaximumHeartRateBpm>",
            "        <Intensity>Active</Intensity>",
            "        <TriggerMethod>Manual</TriggerMethod>",
            "        <Track>",
        ]
        for i in range(i0, stop):
            lines += [
                "          <Trackpoint>",
                f"            <Time>{_iso(times[i])}</Time>",
                "            <Position>",
                f"              <LatitudeDegrees>{tr.lat[i]:.7f}</LatitudeDegrees>",
                f"              <LongitudeDegrees>{tr.lon[i]:.7f}</LongitudeDegrees>",
                "            </Position>",
                f"            <AltitudeMeters>{tr.alt[i]:.1f}</AltitudeMeters>",
                f"            <DistanceMeters>{tr.dist[i]:.1f}</DistanceMeters>",
                f"            <HeartRateBpm><Value>{tr.hr[i]}</Value></HeartRateBpm>",
                "            <Extensions>",
                f"              <ns3:TPX><ns3:RunCadence>{tr.cad[i]}</ns3:RunCadence></ns3:TPX>",
                "            </Extensions>",
                "          </Trackpoint>",
            ]
        lines += ["        </Track>", "      </Lap>"]
    lines += [
        "      <Creator>",
        "        <Name>Forerunner 255</Name>",
        "      </Creator>",
        "    </Activity>",
        "  </Activities>",
        "</TrainingCenterDatabase>",
        "",
    ]
    return "\n".join(lines)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gz(data: bytes, name: str = "") -> bytes:
    """gzip with a zero mtime, so the bytes do not depend on when they were made."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


# Strava's activities.csv header (a bulk export of 2024-2025): note the duplicated names,
# where the first occurrence is the display value (km, s) and the second the raw one (m, s).
STRAVA_HEADER = (  # noqa: SIM905 (one line of Strava's CSV, kept as it reads)
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
    "Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,"
    "Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,"
    "Max Speed,Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,"
    "Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,"
    "Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,"
    "Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,"
    "Uphill Time,Downhill Time,Other Time,Perceived Exertion,Type,Start Time,"
    "Weighted Average Power,Power Count,Prefer Perceived Exertion,"
    "Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,"
    "Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,"
    "Wind Speed,Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,"
    "Moon Phase,Bike,Gear,Precipitation Probability,Precipitation Type,Cloud Cover,"
    "Weather Visibility,UV Index,Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,"
    "Average Elapsed Speed,Dirt Distance,Newly Explored Distance,"
    "Newly Explored Dirt Distance,Activity Count,Total Steps,Carbon Saved,Pool Length,"
    "Training Load,Intensity,Average Grade Adjusted Pace,Timer Time,Total Cycles,Recovery,"
    "With Pet,Competition,Long Run,For a Cause,Media"
).split(",")


def _strava_date(ts: datetime) -> str:
    """Strava's 'Activity Date': UTC, e.g. 'Jul 1, 2026, 4:35:00 PM'."""
    hour = ts.hour % 12 or 12
    ampm = "AM" if ts.hour < 12 else "PM"
    return f"{ts.strftime('%b')} {ts.day}, {ts.year}, {hour}:{ts.minute:02d}:{ts.second:02d} {ampm}"


def _csv_cell(v: object) -> str:
    text = "" if v is None else str(v)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def strava_row(s: Session, tr: Track | None, activity_id: int, filename: str,
               a: Athlete) -> list[str]:
    """One row of activities.csv in Strava's column order."""
    row: dict[int, object] = {}
    idx: dict[str, list[int]] = {}
    for i, name in enumerate(STRAVA_HEADER):
        idx.setdefault(name, []).append(i)

    def put(name: str, value: object, which: int = 0) -> None:
        row[idx[name][which]] = value

    atype = {"running": "Run", "trail_running": "Trail Run", "cycling": "Ride"}[s.sport]
    if tr is not None:
        start, el = tr.start_utc, float(tr.t[-1])
        dist_m = float(tr.dist[-1])
        dz = np.diff(tr.alt)
        gain, loss = float(dz[dz > 0].sum()), float(-dz[dz < 0].sum())
        hr_max, hr_avg = int(tr.hr.max()), float(tr.hr.mean())
        put("Elevation Gain", f"{gain:.1f}")
        put("Elevation Loss", f"{loss:.1f}")
        put("Elevation Low", f"{tr.alt.min():.1f}")
        put("Elevation High", f"{tr.alt.max():.1f}")
        put("Max Heart Rate", f"{hr_max}.0")
        put("Max Heart Rate", f"{hr_max}.0", 1)
        put("Average Heart Rate", f"{hr_avg:.4f}")
        put("Average Cadence", f"{float(tr.cad.mean()):.4f}")
        put("Max Speed", f"{float(np.max(np.gradient(tr.dist, tr.t))):.4f}")
    else:  # a manual entry: no file, no streams
        local = datetime.combine(s.day, s.start, tzinfo=ZoneInfo(a.tz))
        start = local.astimezone(UTC)
        dist_m = s.km * 1000
        el = sum(g.km * g.pace for g in s.segs)
        put("Average Heart Rate", "141.0")
    put("Activity ID", activity_id)
    put("Activity Date", _strava_date(start))
    put("Activity Name", s.title)
    put("Activity Type", atype)
    put("Elapsed Time", round(el))
    put("Distance", f"{dist_m / 1000:.2f}")
    put("Commute", "false")
    put("Activity Gear", s.shoe)
    put("Filename", filename)
    put("Athlete Weight", "71.0")
    put("Elapsed Time", f"{el:.1f}", 1)
    put("Moving Time", f"{el:.1f}")
    put("Distance", f"{dist_m:.1f}", 1)
    put("Average Speed", f"{dist_m / el:.4f}")
    put("Perceived Exertion", f"{rpe_for(s)}.0" if s.sport != "cycling" else "")
    put("Prefer Perceived Exertion", "0.0")
    put("Commute", "0.0", 1)
    put("From Upload", "1.0" if tr is not None else "0.0")
    put("Timer Time", f"{el:.1f}")
    put("Long Run", "1.0" if s.kind == "long" else "0.0")
    put("Media", "")
    return [_csv_cell(row.get(i)) for i in range(len(STRAVA_HEADER))]


# --- the season, written out ---------------------------------------------------------


def _toml_athlete(a: Athlete) -> list[str]:
    return [
        "[athlete]",
        f'name = "{a.name}"',
        f'timezone = "{a.tz}"',
        f"max_hr = {a.max_hr}",
        f"resting_hr = {a.resting_hr}",
        f"threshold_hr = {a.threshold_hr}",
        f'threshold_pace = "{a.threshold_pace}"',
        f'sex = "{a.sex}"',
        "previous_stress_fracture = false",
    ]


def _shoe(name: str, start_km: float, start: date, until: date | None = None) -> list[str]:
    out = ["", "[[shoes]]", f'name = "{name}"', f"start_km = {start_km:g}",
           f"from = {start.isoformat()}"]
    if until:
        out.append(f"until = {until.isoformat()}")
    out.append("retire_km = 800")
    return out


def _crossing_start_km(runs: list[tuple[date, float]], target: float, at: int) -> int:
    """start_km that makes a shoe pass ``target`` km in the middle of run number ``at``."""
    before = sum(km for _, km in runs[:at])
    return round(target - before - runs[at][1] / 2)


def _crossing_week(runs: list[tuple[date, float]], start_km: float, target: float) -> str:
    """ISO week in which a shoe passes ``target`` km; the design wants >= 5 km of margin
    on both sides of the week boundaries, so small distance differences cannot move it."""
    weeks: dict[str, float] = {}
    for day, km in runs:
        weeks[_week(day)] = weeks.get(_week(day), 0.0) + km
    total = start_km
    for wk, km in weeks.items():
        if total + km >= target:
            if target - total < 5 or total + km - target < 5:
                raise AssertionError(f"shoe passes {target} km too close to a week edge")
            return wk
        total += km
    raise AssertionError(f"shoe never passes {target} km")


def _week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def build(out: Path) -> dict[str, list[Track]]:
    """Write the whole sample_data tree into ``out`` (which is emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tracks: dict[str, list[Track]] = {}
    files: dict[str, bytes] = {}

    # ---- Sam
    plan = plan_sam()
    sam_tracks = []
    log_rows = []
    for i, s in enumerate(plan):
        stem = f"{s.day.isoformat()}-{s.start.strftime('%H%M')}-{s.sport.replace('_', '-')}"
        if s.fmt == "log":
            tr = synthesise(SAM, s, i)
            sam_tracks.append(tr)
            dz = np.diff(tr.alt)
            log_rows.append([
                s.day.isoformat(), f"{s.km:.2f}", _hms(tr.t[-1]), "running", s.title,
                str(round(float(tr.hr.mean()))),
                "0" if s.title == "Treadmill run" else f"{float(dz[dz > 0].sum()):.0f}",
                "0" if s.title == "Treadmill run" else f"{float(-dz[dz < 0].sum()):.0f}",
                str(rpe_for(s)), s.shoe,
                "treadmill" if s.title == "Treadmill run" else "road",
            ])
            continue
        tr = synthesise(SAM, s, i)
        sam_tracks.append(tr)
        if s.fmt == "fit":
            files[f"sam/garmin/{stem}.fit"] = fit_bytes(tr)
        elif s.fmt == "fit.gz":
            files[f"sam/garmin/{stem}.fit.gz"] = gz(fit_bytes(tr), f"{stem}.fit")
        elif s.fmt == "gpx":
            files[f"sam/exports/{stem}.gpx"] = gpx_garmin(tr).encode()
        elif s.fmt == "tcx":
            files[f"sam/exports/{stem}.tcx"] = tcx(tr).encode()
        else:
            raise ValueError(s.fmt)
    tracks["sam"] = sam_tracks
    header = "date,distance_km,duration,sport,title,avg_hr,ascent_m,descent_m,rpe,shoe,surface"
    files["sam/training_log.csv"] = ("\n".join(
        [header] + [",".join(_csv_cell(c) for c in r) for r in log_rows]) + "\n").encode()

    runs = [(tr.session.day, float(tr.dist[-1]) / 1000) for tr in sam_tracks
            if tr.session.sport != "cycling"]
    ghost = [r for r in runs if r[0] < SAM_SHOE_SWITCH]
    pegasus = [r for r in runs if r[0] >= SAM_SHOE_SWITCH]
    # Ghost passes 450 km in the middle of W30's (Saturday) long run
    g_at = next(i for i, r in enumerate(ghost) if r[0] == _d(30, 6))
    ghost_start = _crossing_start_km(ghost, 450, g_at)
    # Pegasus passes 800 km in the middle of W46's Wednesday run
    p_at = next(i for i, r in enumerate(pegasus) if r[0] == _d(46, 3))
    peg_start = _crossing_start_km(pegasus, 800, p_at)
    peg_650 = _crossing_week(pegasus, peg_start, 650)
    toml = [*_toml_athlete(SAM),
            *_shoe("Ghost 15", ghost_start, date(2026, 3, 2), SAM_SHOE_SWITCH - timedelta(1)),
            *_shoe("Pegasus 40", peg_start, SAM_SHOE_SWITCH), ""]
    files["sam/loadwatch.toml"] = "\n".join(toml).encode()
    files["sam/symptoms.csv"] = (
        b"date,area,pain,weight_bearing_pain,night_pain,limp,hop_pain,clicking,fever,notes\n"
        b"2026-09-03,calf,2,no,no,no,no,no,no,tight left calf after intervals\n"
        b"2026-09-07,calf,0,no,no,no,no,no,no,fine again\n"
        b"2026-10-08,calf,1,no,no,no,no,no,no,\n"
        b"2026-10-29,outer hip,3,no,no,no,no,no,no,sore right side after the long run\n"
        b"2026-11-05,groin,2,no,no,no,no,no,no,\"dull ache, front of right hip, gone by evening\"\n"
        b"2026-11-14,groin,6,yes,yes,yes,yes,no,no,"
        b"\"deep groin pain, worse walking, woke me at night; stopped the run\"\n"
    )

    # ---- Alex
    plan = plan_alex()
    alex_tracks = []
    rows = []
    for i, s in enumerate(plan):
        activity_id = 15_120_000_000 + i * 7919 + (i * i) % 97
        if s.fmt == "strava_manual":
            rows.append(strava_row(s, None, activity_id, "", ALEX))
            continue
        tr = synthesise(ALEX, s, i)
        alex_tracks.append(tr)
        if s.fmt == "strava_fit":
            name = f"activities/{activity_id}.fit.gz"
            files[f"alex/strava_export/{name}"] = gz(fit_bytes(tr, product=4315,
                                                             serial=3399887766),
                                                     f"{activity_id}.fit")
        elif s.fmt == "strava_gpx":
            name = f"activities/{activity_id}.gpx"
            files[f"alex/strava_export/{name}"] = gpx_strava(tr).encode()
        else:
            raise ValueError(s.fmt)
        rows.append(strava_row(s, tr, activity_id, name, ALEX))
    tracks["alex"] = alex_tracks
    # Strava lists the newest activity first
    files["alex/strava_export/activities.csv"] = ("\n".join(
        [",".join(STRAVA_HEADER)] + [",".join(r) for r in reversed(rows)]) + "\n").encode()
    toml = [*_toml_athlete(ALEX),
            *_shoe("Kinvara 14", 120, date(2026, 4, 1)),
            *_shoe("Endorphin Speed 3", 0, date(2026, 5, 15)),
            *_shoe("Speedgoat 5", 0, date(2026, 8, 1)), ""]
    files["alex/loadwatch.toml"] = "\n".join(toml).encode()

    # ---- shared files
    files["roster.toml"] = (
        b"# Both sample athletes; paths are relative to this file.\n\n"
        b'[[athlete]]\nname = "Sam"\npaths = ["sam"]\nconfig = "sam/loadwatch.toml"\n\n'
        b'[[athlete]]\nname = "Alex"\npaths = ["alex"]\nconfig = "alex/loadwatch.toml"\n'
    )
    exp, extra = expectations({"ghost_450": _crossing_week(ghost, ghost_start, 450),
                               "pegasus_650": peg_650})
    doc = {
        "season": {"first_week": _week(SEASON_START), "last_week": _week(SEASON_END)},
        "findings": [
            {"athlete": x.athlete, "rule": x.rule, "week": x.week,
             "min_severity": x.min_severity, "exclusive": x.exclusive, "why": x.why}
            for x in exp
        ],
        **extra,
    }
    files["expected_findings.json"] = (json.dumps(doc, indent=2, ensure_ascii=False)
                                       + "\n").encode()
    files["README.md"] = readme(exp, extra, tracks, files).encode()

    for rel, data in sorted(files.items()):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return tracks


def weekly_summary(tracks: list[Track]) -> dict[str, dict[str, float]]:
    """Running km, longest run, descent and minutes above threshold HR per ISO week,
    from the synthesised streams (a designer's check, not loadwatch's computation)."""
    weeks: dict[str, dict[str, float]] = {}
    for tr in tracks:
        if tr.session.sport == "cycling":
            continue
        w = weeks.setdefault(_week(tr.session.day),
                             {"km": 0.0, "runs": 0, "longest_km": 0.0, "descent_m": 0.0,
                              "hi_min": 0.0, "trail_km": 0.0})
        km = float(tr.dist[-1]) / 1000
        w["km"] += km
        w["runs"] += 1
        w["longest_km"] = max(w["longest_km"], km)
        w["descent_m"] += tr.true_descent
        dt = np.diff(tr.t, append=tr.t[-1])
        w["hi_min"] += float(dt[tr.hr > tr.athlete.threshold_hr].sum()) / 60
        if tr.session.sport == "trail_running":
            w["trail_km"] += km
    return dict(sorted(weeks.items()))


def readme(exp: list[Expectation], extra: dict, tracks: dict[str, list[Track]],
           files: dict[str, bytes]) -> str:
    """sample_data/README.md: what is here, how it was made, which week trips which rule."""
    n_files = {k: sum(1 for f in files if f.startswith(k + "/")) for k in ("sam", "alex")}
    lines = [
        "# Sample data: two synthetic athletes, one season (2026-W27 .. 2026-W46)",
        "",
        "Everything in this folder is made by `python scripts/make_sample_data.py` (fixed seed",
        "and dates: re-running it gives byte-identical files; `tests/test_sample_data.py`",
        "checks that). No real person's data is in here. Try:",
        "",
        "```",
        "loadwatch activities sample_data/sam",
        "loadwatch report sample_data/sam -o sam.html",
        "loadwatch check sample_data/alex",
        "```",
        "",
        "| folder | athlete | what |",
        "|---|---|---|",
        f"| `sam/` ({n_files['sam']} files) | Sam, Europe/Amsterdam, runs around Nijmegen "
        "| Garmin FIT files in `garmin/` (one `.fit.gz`), GPX and TCX exports in `exports/`, "
        "`training_log.csv` (plain log: treadmill runs, a run with a flat watch), "
        "`symptoms.csv`, `loadwatch.toml` (two shoes with `from`/`until`), one ride |",
        f"| `alex/` ({n_files['alex']} files) | Alex, Europe/Zurich | a Strava bulk export "
        "(`strava_export/activities.csv` with Strava's duplicated column names, "
        "`activities/<id>.fit.gz` from the watch, `activities/<id>.gpx` from the phone, one "
        "manual entry without a file, two rides), trail runs typed \"Trail Run\", "
        "`loadwatch.toml` |",
        "| `roster.toml` | both | `[[athlete]]` entries with paths relative to the roster |",
        "| `expected_findings.json` | both | the table below, for the test |",
        "",
        "Tracks: 10 s sampling (5 s for workouts), positions on a",
        "smooth loop around a real place (an out-and-back up the Rigi and the Uetliberg),",
        "elevation from periodic hills plus ~1 m noise, pace slowed by climbs, and heart rate",
        "following effort and grade with a lag. Easy runs stay at least "
        f"{EASY_HR_MARGIN} bpm below the",
        "threshold HR, so only workouts count as hi-intensity.",
        "",
        "## Which week should trip which rule",
        "",
        "| athlete | ISO week | rule | at least | why |",
        "|---|---|---|---|---|",
    ]
    for x in exp:
        note = "" if x.exclusive else " (may also fire elsewhere)"
        lines.append(f"| {x.athlete} | {x.week} | `{x.rule}` | {x.min_severity} | "
                     f"{x.why}{note} |")
    lines += [
        "",
        "Rules that must not fire at all (at or above the severity): "
        + "; ".join(f"{n['athlete']}: `{n['rule']}` ({n['min_severity']})"
                    for n in extra["never"]) + ".",
        "",
        "Weeks with no finding at all: "
        + "; ".join(f"{k}: {', '.join(w[-3:] for w in v)}"
                    for k, v in extra["silent_weeks"].items()) + ".",
        "",
        "Weeks in which no rule should reach `caution`: "
        + "; ".join(f"{k}: {', '.join(w[-3:] for w in v)}"
                    for k, v in extra["quiet_weeks"].items()) + ".",
        "",
        "Early weeks (W27-W30) have too little history for most rules. `info` findings",
        "(e.g. a 10-30 % rise, a 7-day load 1.3-1.5x the 28-day load) may appear in other weeks.",
        "Sam is female, so loadwatch lowers her distance, long-run, intensity and downhill",
        "thresholds one step (RULES.md, bone-stress modifiers); her weekly rises stay under 10 %",
        "outside W34 and her long runs grow by at most 4 % at a time.",
        "",
        "The season ends on Sunday 2026-11-15; analyse it *as of* that day",
        "(`analyse(..., today=date(2026, 11, 15))`, as the test does), otherwise the weeks",
        "between then and today count as covered weeks without running.",
        "",
        "## The season, week by week (from the synthesised streams)",
        "",
    ]
    for who in ("sam", "alex"):
        lines += [f"**{who}**", "",
                  "| week | runs | km | longest km | descent m | min above LTHR | trail km |",
                  "|---|---|---|---|---|---|---|"]
        summary = weekly_summary(tracks[who])
        d = SEASON_START
        while d <= SEASON_END:
            wk = _week(d)
            w = summary.get(wk)
            if w is None:
                lines.append(f"| {wk} | 0 | 0 | | | | |")
            else:
                lines.append(
                    f"| {wk} | {w['runs']} | {w['km']:.1f} | {w['longest_km']:.1f} | "
                    f"{w['descent_m']:.0f} | {w['hi_min']:.0f} | {w['trail_km']:.1f} |")
            d += timedelta(days=7)
        lines.append("")
    lines += [
        "Sam's `training_log.csv` rows are summaries; the table counts them with the values",
        "they were synthesised from. The minutes above LTHR are from the heart-rate streams.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the sample data (default: ``sample_data/`` beside ``scripts/``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "sample_data")
    parser.add_argument("--summary", action="store_true", help="print the weekly summary")
    args = parser.parse_args(argv)
    tracks = build(args.out)
    if args.summary:
        for who, trs in tracks.items():
            print(who)
            for wk, w in weekly_summary(trs).items():
                print(f"  {wk} " + " ".join(f"{k}={v:.1f}" for k, v in w.items()))
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({total / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
