"""Strava's numeric GPX ``<type>`` codes (issue 12, class 13), on generated Strava GPX."""

from __future__ import annotations

import pytest

from loadwatch.importers import gpx
from loadwatch.importers.strava_types import STRAVA_TYPES


def strava_gpx(code: str) -> bytes:
    """A short track as Strava's GPX export writes it: creator StravaGPX, numeric type."""
    points = "".join(
        f'<trkpt lat="{45 + i * 3e-5:.6f}" lon="6.0"><ele>100</ele>'
        f"<time>2024-03-01T07:00:{i:02d}Z</time></trkpt>"
        for i in range(40)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Morning</name><type>{code}</type><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


@pytest.mark.parametrize(
    ("code", "sport"),
    [
        ("1", "cycling"),
        ("4", "hiking"),
        ("9", "running"),
        ("10", "walking"),
        ("16", "swimming"),
        ("17", "cycling"),  # VirtualRide: five codes were known before, 17 was "other"
        ("19", "cycling"),  # Velomobile
        ("21", "other"),  # Canoeing (20 is not a known code: no off-by-one from here on)
        ("53", "treadmill_running"),  # VirtualRun
        ("2", "other"),  # AlpineSki
    ],
)
def test_strava_codes_give_the_sport_family(code: str, sport: str) -> None:
    (act,) = gpx.read(strava_gpx(code), "strava.gpx")
    assert act.summary["sport"] == sport
    assert act.summary["sub_sport"] == code


def test_unlisted_codes_are_not_guessed() -> None:
    assert "20" not in STRAVA_TYPES and "33" not in STRAVA_TYPES
    (act,) = gpx.read(strava_gpx("33"), "strava.gpx")
    assert act.summary["sport"] == "other"

