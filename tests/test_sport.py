"""The sport plausibility check: assumed runs that a title or a speed says are not runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loadwatch import schema
from loadwatch.read import read_activities
from loadwatch.sport import (
    ASSUMED_NOTE,
    check_sports,
    record_speed_kmh,
    sport_from_title,
)


def _gpx(title: str, km: float, kmh: float, type_: str | None = None) -> bytes:
    """A straight track heading north, one point every 10 s at constant speed."""
    seconds = km / kmh * 3600
    n = int(seconds // 10) + 1
    step_deg = (km * 1000 / (n - 1)) / 111_195  # metres per degree of latitude
    start = pd.Timestamp("2026-03-01T08:00:00Z")
    pts = "".join(
        f'<trkpt lat="{52 + i * step_deg:.7f}" lon="5.0"><time>'
        f'{(start + pd.Timedelta(seconds=10 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")}'
        "</time></trkpt>"
        for i in range(n)
    )
    kind = f"<type>{type_}</type>" if type_ else ""
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>{title}</name>{kind}<trkseg>{pts}</trkseg></trk></gpx>"
    ).encode()


def _acts(*rows: dict) -> pd.DataFrame:
    base = {"format": "gpx", "sport": "running", "quality": ASSUMED_NOTE,
            "start_time": pd.Timestamp("2026-03-01T08:00Z")}
    return schema.conform([{**base, **r} for r in rows], schema.ACTIVITY)


def test_a_ride_without_a_type_is_a_ride(tmp_path: Path):
    (tmp_path / "ride.gpx").write_bytes(_gpx("Cycling with Jo", 22, 24))
    acts = read_activities([tmp_path]).activities
    assert acts["sport"].tolist() == ["cycling"]
    assert acts["quality"].iat[0] == "no activity type in file; cycling by its title ('cycling')"


def test_a_fast_untitled_file_without_a_type_is_not_a_run(tmp_path: Path):
    (tmp_path / "a.gpx").write_bytes(_gpx("Sunday", 22, 24))
    acts = read_activities([tmp_path]).activities
    assert acts["sport"].tolist() == ["other"]
    note = acts["quality"].iat[0]
    assert "not a run" in note and "world-record pace" in note and "24.0 km/h" in note


def test_run_to_the_bike_shop_stays_a_run(tmp_path: Path):
    (tmp_path / "a.gpx").write_bytes(_gpx("Run to the bike shop", 8, 11))
    acts = read_activities([tmp_path]).activities
    assert acts["sport"].tolist() == ["running"]
    assert acts["quality"].iat[0] == ASSUMED_NOTE


def test_a_declared_run_keeps_its_type_but_a_ride_speed_is_noted(tmp_path: Path):
    (tmp_path / "a.gpx").write_bytes(_gpx("Morning Ride", 30, 28, type_="running"))
    acts = read_activities([tmp_path]).activities
    assert acts["sport"].tolist() == ["running"]
    assert "check the sport: 28.1 km/h over 30.0 km" in acts["quality"].iat[0]


@pytest.mark.parametrize(("title", "expected"), [
    ("Morning Ride", ("cycling", "ride")),
    ("Sortie vélo le matin", ("cycling", "velo")),
    ("VÉLO", ("cycling", "velo")),
    ("Radfahren", ("cycling", "radfahren")),
    ("Fietsen met Anna", ("cycling", "fietsen")),
    ("Wielrennen", ("cycling", "wielrennen")),
    ("Ciclismo en ruta", ("cycling", "ciclismo")),
    ("Afternoon Walk", ("walking", "walk")),
    ("Wandern im Harz", ("hiking", "wandern")),
    ("Randonnée", ("hiking", "randonnee")),
    ("Pool Swim", ("swimming", "swim")),
    ("Natación", ("swimming", "natacion")),
    ("Langlauf", ("other", "langlauf")),
    ("E-Bike commute", ("cycling", "bike")),
    ("Run to the bike shop", None),  # names running too: the pace decides
    ("Bike and hike", None),  # two other sports: not decisive
    ("Radiant morning", None),  # 'rad' only as a whole word
    ("Velodrome jog", None),
    ("Tempo 10k", None),
    (None, None),
])
def test_title_words(title, expected):
    assert sport_from_title(title) == expected


def test_the_record_curve_passes_through_the_records():
    assert record_speed_kmh(42.195) == pytest.approx(42.195 / 7235 * 3600)
    assert record_speed_kmh(5.0) == pytest.approx(5 / 755.36 * 3600)
    # between records it falls with distance, and a 22 km ride at 24 km/h is above it
    assert record_speed_kmh(10) > record_speed_kmh(22) > record_speed_kmh(42.195)
    assert record_speed_kmh(22) < 24
    assert record_speed_kmh(0.1) == float("inf")  # too short to judge


def test_pace_bounds_on_summaries():
    acts = _acts(
        {"distance_km": 10, "moving_s": 1500},  # 24 km/h: faster than 26:11
        {"distance_km": 10, "moving_s": 1620},  # 22.2 km/h: slower than the record
        {"distance_km": 0.3, "moving_s": 30},  # too short to judge
        {"distance_km": 8.9, "moving_s": 2531, "title": "Quarta-Feira Corrida Matutina",
         "speed_hist_s": np.r_[np.zeros(99), 180.0]},  # a GPS glitch: 3 min above 35 km/h
        {"distance_km": 10, "moving_s": 1500, "title": "Corrida"},  # names running
        {"distance_km": 10, "moving_s": 1500, "sport": "cycling", "quality": None},
        {"distance_km": 10, "moving_s": 1500, "format": "log_csv", "quality": None},
        {"distance_km": 10, "moving_s": 1500, "format": "fit", "quality": None},
    )
    out = check_sports(acts)
    assert out["sport"].tolist() == [
        "other", "running", "running", "running", "running", "cycling", "other", "running"]
    assert out["quality"].iat[3] == ASSUMED_NOTE
    assert out["quality"].iat[4].startswith(f"{ASSUMED_NOTE}; check the sport: 24.0 km/h")
    assert out["quality"].iat[7].startswith("check the sport: 24.0 km/h")
    assert pd.isna(out["quality"].iat[5])


def test_a_strava_type_is_the_athletes_own():
    acts = _acts({"title": "Morning Ride", "distance_km": 8, "moving_s": 2400,
                  "quality": f"{ASSUMED_NOTE}; title, gear and type from activities.csv"})
    assert check_sports(acts)["sport"].tolist() == ["running"]


def test_a_log_row_without_a_sport_is_judged_by_its_title():
    acts = _acts({"format": "log_csv", "title": "Lunch walk", "quality": None,
                  "distance_km": 3, "moving_s": 1800})
    out = check_sports(acts)
    assert out["sport"].tolist() == ["walking"]
    assert out["quality"].iat[0] == "no activity type in file; walking by its title ('walk')"
