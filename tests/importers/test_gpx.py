"""GPX importer on the real files in ../shared/realdata and on generated GPX strings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loadwatch import schema, xmlsafe
from loadwatch.importers import gpx
from loadwatch.problems import InputError, NotAnActivity
from tests.conftest import realdata_files

GPX_FILES = realdata_files("gpx", "*.gpx") + realdata_files("gpx/series_runpandas_nrc", "*.gpx")

#: MANIFEST: which GPX files carry heart rate.
HR_IN = {
    "sportslib__strava.gpx": True,
    "sportslib__movescount.gpx": True,
    "sportslib__garmin.gpx": True,
    "runpandas__strava_export.gpx": True,
    "runpandas__run.gpx": False,
    "workoutizer__garmin_example.gpx": True,
    "gpxpy__korita-zbevnica.gpx": False,
    "runpandas__3472f2dc-150a-4dfd-8a76-7bc8f40e766e.gpx": False,
}


def check_activity(act: gpx.ParsedActivity) -> None:
    """Every parsed activity fits the canonical tables."""
    assert act.records is not None
    schema.validate(act.records, schema.RECORDS)
    row = schema.conform([act.summary], schema.ACTIVITY)
    schema.validate(row, schema.ACTIVITY)
    s = act.summary
    assert s["start_time"] == act.records["time"].min()
    assert s["moving_s"] <= s["elapsed_s"] + 1e-6
    assert s["sport"] in schema.SPORTS


@pytest.mark.parametrize("path", GPX_FILES, ids=lambda p: p.name)
def test_every_real_gpx_imports(path: Path) -> None:
    acts = gpx.read(path.read_bytes(), path.name)
    assert acts
    for act in acts:
        check_activity(act)
        s = act.summary
        assert s["distance_km"] > 0.5
        assert s["has_gps"] is True
        assert s["start_time"].year >= 2010
        hr = HR_IN.get(path.name, path.parent.name == "series_runpandas_nrc")
        assert s["has_hr"] is hr
        if hr:
            assert 100 < s["avg_hr"] < 200
            assert s["hr_hist_s"].sum() > 0.5 * s["moving_s"]


def test_real_gpx_count(realdata: Path) -> None:
    assert len(GPX_FILES) == 7 + 68


def test_strava_type_9_is_running(realdata: Path) -> None:
    (act,) = gpx.read((realdata / "gpx/runpandas__strava_export.gpx").read_bytes(), "x")
    assert act.summary["sport"] == "running"
    assert act.summary["sub_sport"] == "9"
    assert act.summary["device"] == "StravaGPX"
    assert act.summary["distance_km"] == pytest.approx(12.61, rel=0.02)
    # stopped_example: the pauses are not moving time
    assert act.summary["moving_s"] < act.summary["elapsed_s"] - 300
    assert "assumed running" not in (act.summary["quality"] or "")


def test_garmin_type_word_and_smart_recording(realdata: Path) -> None:
    (act,) = gpx.read((realdata / "gpx/sportslib__garmin.gpx").read_bytes(), "x")
    s = act.summary
    assert (s["sport"], s["sub_sport"], s["device"]) == ("running", "running", "Garmin Connect")
    assert s["distance_km"] == pytest.approx(3.88, rel=0.02)
    assert s["max_hr"] == 132
    assert act.records["cadence_spm"].notna().sum() > 200


def test_mountain_run_elevation(realdata: Path) -> None:
    (act,) = gpx.read((realdata / "gpx/sportslib__movescount.gpx").read_bytes(), "x")
    s = act.summary
    assert s["ascent_m"] == pytest.approx(540, rel=0.10)  # MANIFEST: +~540 m
    assert s["downhill_km"] > 2
    assert s["steep_downhill_km"] > 1
    assert "no activity type in file; assumed running" in s["quality"]


def test_multi_track_file_one_activity_per_timed_track(realdata: Path) -> None:
    acts = gpx.read((realdata / "gpx/gpxpy__korita-zbevnica.gpx").read_bytes(), "x")
    assert [a.summary["title"] for a in acts] == ["ACTIVE LOG", "ACTIVE LOG #2"]
    assert sum(len(a.records) for a in acts) == 513  # MANIFEST: 513 of 871 points timed
    assert "skipped track '03-OCT-10 #2' has no timestamps" in acts[0].summary["quality"]
    assert sum(a.summary["distance_km"] for a in acts) == pytest.approx(6.3, abs=0.2)


#: odd/*.gpx: expected outcome per file: (exception or None, text in the reason/quality).
ODD = {
    "gc__MetadataOnly.gpx": (NotAnActivity, "GPX has no track points"),
    "gpxpy__unicode_with_bom.gpx": (NotAnActivity, "GPX has no track points"),
    "gpxpy__Mojstrovka.gpx": (InputError, "not real dates (1901-12-13)"),
    "gpxpy__cerknicko-without-times.gpx": (InputError, "only 5 of 296 track points have a time"),
    "sportslib__sports-tracker.gpx": (None, "timestamps out of order"),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_gpx_outcome(realdata: Path, name: str) -> None:
    error, text = ODD[name]
    data = (realdata / "odd" / name).read_bytes()
    if error is None:
        (act,) = gpx.read(data, name)
        check_activity(act)
        assert text in act.summary["quality"]
    else:
        with pytest.raises(error) as info:
            gpx.read(data, name)
        assert type(info.value) is error
        assert text in str(info.value)
        assert "\n" not in str(info.value)


def test_odd_folder_fully_covered(realdata: Path) -> None:
    assert sorted(p.name for p in (realdata / "odd").glob("*.gpx")) == sorted(ODD)


def test_sports_tracker_agrees_with_movescount_of_same_outing(realdata: Path) -> None:
    (st,) = gpx.read((realdata / "odd/sportslib__sports-tracker.gpx").read_bytes(), "x")
    (mc,) = gpx.read((realdata / "gpx/sportslib__movescount.gpx").read_bytes(), "x")
    a, b = st.summary, mc.summary
    assert a["distance_km"] == pytest.approx(b["distance_km"], rel=0.03)
    assert a["ascent_m"] == pytest.approx(b["ascent_m"], rel=0.10)
    assert a["moving_s"] == pytest.approx(b["moving_s"], rel=0.10)
    assert st.records["time"].is_monotonic_increasing  # the cleaned stream is returned
    assert len(st.records) < 7785


def test_nrc_ride_logged_as_run_loses_its_oscillation(realdata: Path) -> None:
    # two interleaved position streams 27 m apart add ~16 km of zig-zag in 3 minutes
    path = realdata / "gpx/series_runpandas_nrc/runpandas__556160e9-d74c-440c-b0af-363efb753430.gpx"
    (act,) = gpx.read(path.read_bytes(), "x")
    assert act.summary["distance_km"] < 8
    assert "GPS jumps removed" in act.summary["quality"]


# ---------------------------------------------------------------- generated GPX


def make_gpx(
    points: str, *, ns: str = "", type_: str | None = "running", header: str = ""
) -> bytes:
    t = f"<type>{type_}</type>" if type_ is not None else ""
    return (
        f'{header}<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" {ns}>'
        f"<trk><name>Morning run</name>{t}<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def pts(n: int, ext: str = "", *, hr: float = 150.0) -> str:
    out = []
    for i in range(n):
        e = ext.format(hr=hr + (i % 3)) if ext else ""
        out.append(
            f'<trkpt lat="{45 + i * 3e-5:.6f}" lon="6.0"><ele>100</ele>'
            f"<time>2024-03-0{1}T07:{i // 60:02d}:{i % 60:02d}Z</time>{e}</trkpt>"
        )
    return "".join(out)


TPX1 = 'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
TPX2 = 'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"'
GPXDATA = 'xmlns:gpxdata="http://www.cluetrust.com/XML/GPXDATA/1/0"'


@pytest.mark.parametrize(
    ("ns", "ext", "hr"),
    [
        (
            TPX1,
            "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr:.0f}</gpxtpx:hr>"
            "<gpxtpx:cad>88</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>",
            150.0,
        ),
        (
            TPX2,
            "<extensions><ns3:TrackPointExtension><ns3:hr>{hr:.0f}</ns3:hr>"
            "<ns3:cad>88</ns3:cad></ns3:TrackPointExtension></extensions>",
            150.0,
        ),
        (
            GPXDATA,
            "<extensions><gpxdata:hr>{hr}</gpxdata:hr>"
            "<gpxdata:cadence>88</gpxdata:cadence></extensions>",
            150.5,
        ),
    ],
    ids=["tpx-v1", "tpx-v2", "gpxdata-fractional"],
)
def test_heart_rate_extensions(ns: str, ext: str, hr: float) -> None:
    (act,) = gpx.read(make_gpx(pts(300, ext, hr=hr), ns=ns), "gen.gpx")
    s = act.summary
    assert s["has_hr"] is True
    assert s["avg_hr"] == pytest.approx(hr + 1, abs=0.05)
    assert s["max_hr"] == hr + 2
    assert act.records["cadence_spm"].eq(88).all()
    assert s["distance_km"] == pytest.approx(299 * 3e-5 * 111.195, rel=0.01)
    assert s["elapsed_s"] == 299


@pytest.mark.parametrize(
    ("raw", "sport"),
    [
        ("9", "running"),
        ("1", "cycling"),
        ("10", "walking"),
        ("4", "hiking"),
        ("trail_running", "trail_running"),
        ("Trail Run", "trail_running"),
        ("hiking", "hiking"),
        ("Ride", "cycling"),
        ("mountain_biking", "cycling"),
        ("yoga", "other"),
        ("42", "other"),
    ],
)
def test_track_type_to_sport(raw: str, sport: str) -> None:
    (act,) = gpx.read(make_gpx(pts(30), type_=raw), "gen.gpx")
    assert act.summary["sport"] == sport
    assert act.summary["sub_sport"] == raw.lower()


def test_no_type_assumes_running_with_a_note() -> None:
    (act,) = gpx.read(make_gpx(pts(30), type_=None), "gen.gpx")
    assert act.summary["sport"] == "running"
    assert "no activity type in file; assumed running" in act.summary["quality"]
    assert act.summary["title"] == "Morning run"
    assert act.summary["device"] == "test"
    assert pd.isna(act.summary.get("utc_offset_min", pd.NA))


def test_bom_and_latin1() -> None:
    (act,) = gpx.read(b"\xef\xbb\xbf" + make_gpx(pts(30)), "bom.gpx")
    assert act.summary["distance_km"] > 0
    latin = (
        make_gpx(pts(30))
        .replace(b"UTF-8", b"ISO-8859-1")
        .replace(b"Morning run", "Course à pied".encode("latin-1"))
    )
    (act,) = gpx.read(latin, "latin.gpx")
    assert act.summary["title"] == "Course à pied"


def test_no_times_refused() -> None:
    bare = make_gpx('<trkpt lat="45" lon="6"/><trkpt lat="45.001" lon="6"/>')
    with pytest.raises(InputError, match="GPX has no timestamps"):
        gpx.read(bare, "x.gpx")


def test_future_dates_refused() -> None:
    with pytest.raises(InputError, match="future"):
        gpx.read(make_gpx(pts(30).replace("2024-03-01", "2199-03-01")), "x.gpx")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<gpx version="1.1" creator="&lol9;"><trk><name>&lol9;</name></trk></gpx>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" creator="x"><trk><name>&xxe;</name></trk></gpx>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL], ids=["laughs", "xxe"])
def test_hostile_xml_refused(payload: bytes) -> None:
    with pytest.raises(InputError, match=r"refused GPX file: .*unsafe"):
        gpx.read(payload, "evil.gpx")


def test_deep_nesting_refused() -> None:
    deep = b"<gpx>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</gpx>"
    with pytest.raises(InputError, match="nested deeper than 64"):
        gpx.read(deep, "deep.gpx")


def test_binary_junk_refused() -> None:
    junk = np.random.default_rng(3).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    with pytest.raises(InputError, match=r"^not a GPX file"):
        gpx.read(junk, "junk.gpx")
    with pytest.raises(InputError, match=r"^not a GPX file"):
        gpx.read(b"", "empty.gpx")
    with pytest.raises(InputError, match=r"not a GPX file: root element is <html>"):
        gpx.read(b"<html><body>hi</body></html>", "page.gpx")


def test_absurd_point_count_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlsafe, "MAX_POINTS", 100)
    with pytest.raises(InputError, match="refused GPX file: more than 100 points"):
        gpx.read(make_gpx(pts(101)), "huge.gpx")
    assert len(gpx.read(make_gpx(pts(100)), "ok.gpx")[0].records) == 100


def test_track_point_cap_bounds_gpxpy_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """gpxpy holds ~2 KB a point: GPX files beyond gpx.MAX_POINTS are refused by name."""
    monkeypatch.setattr(gpx, "MAX_POINTS", 50)
    with pytest.raises(InputError, match="more than 50 points"):
        gpx.read(make_gpx(pts(60)), "big.gpx")
    assert len(gpx.read(make_gpx(pts(40)), "ok.gpx")) == 1


def test_namespaced_and_plain_gpx_read_alike() -> None:
    """The default namespace is dropped before the single parse; prefixed ones stay."""
    ext = ("<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr:.0f}</gpxtpx:hr>"
           "</gpxtpx:TrackPointExtension></extensions>")
    ns = 'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
    with_ns = make_gpx(pts(30, ext), ns=ns)
    without = with_ns.replace(b' xmlns="http://www.topografix.com/GPX/1/1"', b"")
    assert without != with_ns
    a, b = gpx.read(with_ns, "a.gpx")[0], gpx.read(without, "b.gpx")[0]
    assert a.summary["distance_km"] > 0.09
    assert a.summary["distance_km"] == pytest.approx(b.summary["distance_km"])
    assert a.summary["avg_hr"] == pytest.approx(b.summary["avg_hr"])
    assert a.summary["avg_hr"] == pytest.approx(151, abs=1)


# ---------------------------------------------------------------- issue 12: tolerant GPX


def test_point_without_position_is_skipped_not_the_file() -> None:
    points = pts(30).replace('<trkpt lat="45.000300" lon="6.0">', '<trkpt lon="6.0">', 1)
    assert points != pts(30)
    (act,) = gpx.read(make_gpx(points), "nolat.gpx")
    assert len(act.records) == 29
    assert "1 track points without lat/lon skipped" in act.summary["quality"]


def test_version_1_0_file_keeps_its_extensions() -> None:
    ext = ("<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr:.0f}</gpxtpx:hr>"
           "</gpxtpx:TrackPointExtension></extensions>")
    data = make_gpx(pts(60, ext), ns=TPX1).replace(b'version="1.1"', b'version="1.0"')
    data = data.replace(b"GPX/1/1", b"GPX/1/0")
    (act,) = gpx.read(data, "v10.gpx")
    assert act.summary["has_hr"] is True
    assert act.summary["avg_hr"] == pytest.approx(151, abs=1)


@pytest.mark.parametrize("prefix", ["gpxdata", "gpxx", "mystery"])
def test_undeclared_namespace_prefix_is_recovered(prefix: str) -> None:
    ext = f"<extensions><{prefix}:hr>{{hr:.0f}}</{prefix}:hr></extensions>"
    (act,) = gpx.read(make_gpx(pts(60, ext)), "unbound.gpx")
    assert act.summary["avg_hr"] == pytest.approx(151, abs=1)


def test_recovery_keeps_the_entity_protection() -> None:
    evil = BILLION_LAUGHS.replace(b"<trk>", b"<trk><gpxx:x/>")
    with pytest.raises(InputError, match=r"refused GPX file: .*unsafe"):
        gpx.read(evil, "evil.gpx")


def test_sporttracks_heart_rate_track() -> None:
    samples = "".join(
        f'<st:heartRate time="2024-03-01T07:{i // 60:02d}:{i % 60:02d}Z" bpm="{140 + i % 2}"/>'
        for i in range(0, 60, 5)
    )
    st = ('<extensions><st:activity><st:heartRateTrack>'
          f'{samples}</st:heartRateTrack></st:activity></extensions>')
    data = make_gpx(pts(60), ns='xmlns:st="urn:uuid:D0EB2ED5-49B6-44e3-B13C-CF15BE7DD7DD"')
    data = data.replace(b"<trkseg>", st.encode() + b"<trkseg>")
    (act,) = gpx.read(data, "sporttracks.gpx")
    assert act.summary["has_hr"] is True
    assert 140 <= act.summary["avg_hr"] <= 141
    assert "heartRateTrack" in act.summary["quality"]


@pytest.mark.parametrize(
    ("code", "sport"),
    [("17", "cycling"), ("18", "cycling"), ("53", "treadmill_running"), ("11", "other")],
)
def test_strava_type_codes_full_table(code: str, sport: str) -> None:
    (act,) = gpx.read(make_gpx(pts(30), type_=code), "strava.gpx")
    assert act.summary["sport"] == sport
