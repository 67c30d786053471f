"""TCX importer on the real files in ../shared/realdata and on generated TCX strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadwatch import schema
from loadwatch.importers import gpx, tcx
from loadwatch.problems import InputError, NotAnActivity
from tests.conftest import realdata_files
from tests.importers.test_gpx import BILLION_LAUGHS, check_activity

TCX_FILES = realdata_files("tcx", "*.tcx")

#: MANIFEST facts per file: (device, has HR, km, trackpoints); km None where not listed.
EXPECTED = {
    "sweatpy__3173437224.tcx": ("Polar M400", True),
    "sportslib__polar.tcx": ("Polar V800", True),
    "runpandas__run_garmin.tcx": ("Garmin Forerunner 620", True),
    "runpandas__run.tcx": ("TomTom GPS Sport Watch", False),
    "runpandas__11km.tcx": (None, True),
    "runpandas__2020-12-02T06_08_29-300_Running.tcx": (None, True),
    "gpsbabel__gtrnctr-lap_s.tcx": ("Garmin Forerunner 110", False),  # HR is all 255
    "tcxparser__test.tcx": ("Forerunner 410 Software Version 2.20", True),
    "tcxreader__cross-country-skiing_activity_1.tcx": ("vívoactive HR", True),
}


@pytest.mark.parametrize("path", TCX_FILES, ids=lambda p: p.name)
def test_every_real_tcx_imports(path: Path) -> None:
    (act,) = tcx.read(path.read_bytes(), path.name)
    check_activity(act)
    s = act.summary
    device, hr = EXPECTED[path.name]
    assert s["device"] == device
    assert s["has_hr"] is hr
    assert s["has_gps"] is True
    assert s["distance_km"] > 2
    expected_sport = "other" if "skiing" in path.name else "running"
    assert s["sport"] == expected_sport


def test_tcx_folder_fully_covered(realdata: Path) -> None:
    assert sorted(p.name for p in TCX_FILES) == sorted(EXPECTED)


def test_gpx_tcx_pair_agree(realdata: Path) -> None:
    (g,) = gpx.read((realdata / "gpx/runpandas__run.gpx").read_bytes(), "run.gpx")
    (t,) = tcx.read((realdata / "tcx/runpandas__run.tcx").read_bytes(), "run.tcx")
    a, b = g.summary, t.summary
    assert a["start_time"] == b["start_time"]
    assert a["distance_km"] == pytest.approx(b["distance_km"], rel=0.02)
    assert b["distance_km"] == pytest.approx(4.81, rel=0.02)
    assert a["elapsed_s"] == pytest.approx(b["elapsed_s"], abs=2)
    assert a["moving_s"] == pytest.approx(b["moving_s"], rel=0.03)
    assert a["ascent_m"] == pytest.approx(b["ascent_m"], abs=5)


def test_polar_laps_and_cadence(realdata: Path) -> None:
    (act,) = tcx.read((realdata / "tcx/sweatpy__3173437224.tcx").read_bytes(), "x")
    assert len(act.records) == 3507
    assert act.records["cadence_spm"].max() > 50
    assert act.summary["title"] == "Hardlopen"  # Polar writes the sport name as plan name
    assert "lap distance" not in (act.summary["quality"] or "")


def test_same_outing_as_nrc_gpx_starts_at_same_instant(realdata: Path) -> None:
    name = "tcx/runpandas__2020-12-02T06_08_29-300_Running.tcx"
    (act,) = tcx.read((realdata / name).read_bytes(), "x")
    assert str(act.summary["start_time"]) == "2020-12-02 09:08:34+00:00"
    assert act.summary["distance_km"] == pytest.approx(7.0, rel=0.02)


def test_malformed_tcx_is_recovered_then_refused_for_its_root(realdata: Path) -> None:
    # the undeclared xsi: prefix is declared (issue 12); the file then shows its real
    # defect: it has no <TrainingCenterDatabase> root
    data = (realdata / "odd/runpandas__malformed.tcx").read_bytes()
    msg = r"^not a TCX file: root element is <Activities>$"
    with pytest.raises(InputError, match=msg):
        tcx.read(data, "malformed.tcx")


def test_odd_tcx_folder_fully_covered(realdata: Path) -> None:
    assert [p.name for p in (realdata / "odd").glob("*.tcx")] == ["runpandas__malformed.tcx"]


# ---------------------------------------------------------------- generated TCX


def make_tcx(body: str, sport: str = "Biking") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
        ' xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>2024-03-01T07:00:00Z</Id>{body}'
        "<Creator><Name>Edge 530</Name></Creator></Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()


def trackpoints(n: int, speed: float = 8.0) -> str:
    return "".join(
        f"<Trackpoint><Time>2024-03-01T07:{i // 60:02d}:{i % 60:02d}Z</Time>"
        f"<DistanceMeters>{i * speed}</DistanceMeters><HeartRateBpm><Value>140</Value>"
        f"</HeartRateBpm><Cadence>90</Cadence><Extensions><ns3:TPX><ns3:Speed>{speed}"
        "</ns3:Speed><ns3:Watts>200</ns3:Watts></ns3:TPX></Extensions></Trackpoint>"
        for i in range(n)
    )


def test_indoor_ride_without_gps_uses_device_distance() -> None:
    lap = (
        '<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>599</TotalTimeSeconds>'
        f"<DistanceMeters>4792</DistanceMeters><Track>{trackpoints(600)}</Track></Lap>"
    )
    (act,) = tcx.read(make_tcx(lap), "ride.tcx")
    s = act.summary
    assert (s["sport"], s["sub_sport"], s["device"]) == ("cycling", "biking", "Edge 530")
    assert s["distance_km"] == pytest.approx(4.792)
    assert s["has_gps"] is False
    assert s["moving_s"] == 599
    assert act.records["power_w"].eq(200).all()
    assert act.records["speed_m_s"].eq(8.0).all()
    assert s["speed_hist_s"][80] == pytest.approx(599)


def test_laps_only_activity_gives_summary_from_lap_totals() -> None:
    lap = (
        '<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>1800</TotalTimeSeconds>'
        "<DistanceMeters>5000</DistanceMeters></Lap>"
    )
    (act,) = tcx.read(make_tcx(lap, sport="Running"), "manual.tcx")
    assert act.records is None
    assert act.summary["distance_km"] == 5.0
    assert act.summary["moving_s"] == 1800
    assert "no track points; totals from laps" in act.summary["quality"]
    schema.conform([act.summary], schema.ACTIVITY)


def test_course_file_is_not_an_activity() -> None:
    course = (
        b'<?xml version="1.0"?><TrainingCenterDatabase><Courses><Course><Name>loop</Name>'
        b"</Course></Courses></TrainingCenterDatabase>"
    )
    with pytest.raises(NotAnActivity, match="TCX has no activities"):
        tcx.read(course, "course.tcx")


def test_hostile_and_junk_tcx_refused() -> None:
    with pytest.raises(InputError, match="refused TCX file"):
        tcx.read(BILLION_LAUGHS.replace(b"gpx", b"TrainingCenterDatabase"), "evil.tcx")
    with pytest.raises(InputError, match=r"^not a TCX file"):
        tcx.read(b"\x00\x01\x02garbage\xff" * 100, "junk.tcx")
    with pytest.raises(InputError, match="root element is <gpx>"):
        tcx.read(b"<gpx/>", "wrong.tcx")


# ---------------------------------------------------------------- issue 12: tolerant TCX


def test_whitespace_before_xml_declaration_is_accepted() -> None:
    lap = (
        '<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>599</TotalTimeSeconds>'
        f"<DistanceMeters>4792</DistanceMeters><Track>{trackpoints(600)}</Track></Lap>"
    )
    (act,) = tcx.read(b"\n  \n" + make_tcx(lap), "blank-first-line.tcx")
    assert act.summary["distance_km"] == pytest.approx(4.792)


def _points_without_distance(n: int, step_s: int = 1) -> str:
    return "".join(
        f"<Trackpoint><Time>2024-03-01T{7 + i * step_s // 3600:02d}:"
        f"{i * step_s // 60 % 60:02d}:{i * step_s % 60:02d}Z</Time>"
        "<HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint>"
        for i in range(n)
    )


def test_lap_distance_when_track_points_carry_none() -> None:
    lap = (
        '<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>1200</TotalTimeSeconds>'
        f"<DistanceMeters>1250</DistanceMeters><Track>{_points_without_distance(121, 10)}"
        "</Track></Lap>"
    )
    (act,) = tcx.read(make_tcx(lap, sport="Other"), "swim.tcx")
    assert act.summary["distance_km"] == pytest.approx(1.25)
    assert "distance from laps" in act.summary["quality"]


def test_indoor_session_moving_time_from_laps() -> None:
    # all distances 0, no GPS: the lap timer (1500 s of 1800 s) is the moving time
    body = _points_without_distance(1801).replace(
        "</Time>", "</Time><DistanceMeters>0</DistanceMeters>"
    )
    lap = (
        '<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>1500</TotalTimeSeconds>'
        f"<DistanceMeters>0</DistanceMeters><Track>{body}</Track></Lap>"
    )
    (act,) = tcx.read(make_tcx(lap, sport="Other"), "indoor.tcx")
    assert act.summary["moving_s"] == pytest.approx(1500)
    assert act.summary["distance_km"] == 0
