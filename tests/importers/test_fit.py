"""FIT importer: every real FIT file, the odd ones, and generated files with known contents."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loadwatch import schema
from loadwatch.importers import fit
from loadwatch.importers.base import ParsedActivity
from loadwatch.problems import InputError, NotAnActivity
from tests import fitgen
from tests.conftest import realdata_files
from tests.importers import fitcases

REAL_FIT = realdata_files("fit", "*.fit*")
ODD_FIT = realdata_files("odd", "*.fit")


@functools.cache
def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    # .fit.gz is unwrapped by loadwatch.sources before the registry; do it here by hand
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@functools.cache
def _read(path: Path) -> tuple[ParsedActivity, ...]:
    """Each real file is decoded once per test session (the slow part)."""
    return tuple(fit.read(_bytes(path), str(path)))


# Session messages as fitparse reports them (checked with fitparse's standard processor):
# file -> one (sport, sub_sport) per session, and for running sessions
# (total_distance [m], total_elapsed_time [s]).
GEN, TRANS = ("other", "generic"), ("other", "transition")
EXPECTED = {
    "fitfiler__tomtom-runner3-ride.fit": [("cycling", "generic")],
    "fitparse__2013-02-06-12-11-14.fit": [("running", "generic", 4835.38, 2625.14)],
    "fitparse__20170518-191602-1740899583.fit": [("other", "indoor_rowing")],
    "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit": [("cycling", None)],
    "fitparse__Edge810-Vector-2013-08-16-15-35-10.fit": [("cycling", "generic")],
    "fitparse__activity-large-fenxi2-multisport.fit": [
        GEN,
        TRANS,
        ("running", None, 2245.23, 2294.84),
        TRANS,
        ("running", None, 12740.37, 6764.48),
        TRANS,
        ("cycling", None),
    ],
    "fitparse__activity-small-fenix2-run.fit": [("running", None, 9008.22, 2832.0)],
    "fitparse__developer-types-sample.fit": [("running", "generic", 6753.99, 3424.0)],
    "fitparse__event_timestamp.fit": [("swimming", "lap_swimming")],
    "fitparse__garmin-fenix-5-run.fit": [("running", "generic", 157.56, 56.887)],
    "fitparse__null_compressed_speed_dist.fit": [("cycling", "virtual_activity")],
    "gc__14582164182.fit.gz": [("cycling", "virtual_activity")],
    "gc__Garmin920_withFirstbeat.fit": [("running", "generic", 7278.71, 2124.084)],
    "gc__HRV-Data.fit": [("running", "generic", 8239.99, 4242.0)],
    "gc__Karoo-Botley_BW_Swanmore_Wickham-2025-05-09-1238.fit": [("cycling", None)],
    "gc__SigmaRox11_1.fit": [("cycling", "road")],
    "gpsbabel__garmin-forerunner-10.fit": [("running", "generic", 10207.73, 1695.242)],
    "muktihari__triathlon_summary_last.fit": [
        ("swimming", "open_water"),
        TRANS,
        ("cycling", "generic"),
        TRANS,
        ("running", "generic", 4491.51, 1573.613),
    ],
    "runpandas__run.fit": [("running", "generic", 5839.77, 3164.606)],
    "sportslib__garmin.fit": [("running", "generic", 28524.95, 20343.2)],
    "tormoder__0134902991.fit": [("cycling", "indoor_cycling")],
    "workoutizer__hike_with_coordinates_muggenbrunn.fit": [("walking", "generic")],
    "workoutizer__run_with_coordinates.fit": [("running", "generic", 6001.89, 1953.485)],
    "workoutizer__with_nones.fit": [("running", "generic", 4543.32, 2401.156)],
}


def test_expectations_cover_every_real_file() -> None:
    if not REAL_FIT:
        pytest.skip("../shared/realdata is absent")
    assert sorted(p.name for p in REAL_FIT) == sorted(EXPECTED)


@pytest.mark.parametrize("path", REAL_FIT, ids=lambda p: p.name)
def test_real_file_imports(path: Path) -> None:
    activities = _read(path)
    expected = EXPECTED[path.name]
    assert [(a.summary["sport"], a.summary["sub_sport"]) for a in activities] == [
        e[:2] for e in expected
    ]
    for activity, exp in zip(activities, expected, strict=True):
        s = activity.summary
        assert s["sport"] in schema.SPORTS
        assert s["start_time"].tzinfo is not None
        assert pd.Timestamp("2012-01-01", tz="UTC") < s["start_time"] < pd.Timestamp.now(tz="UTC")
        records = activity.records
        schema.validate(records, schema.RECORDS)
        assert str(records["time"].dt.tz) == "UTC"
        assert not (records["altitude_m"] < -400).any()  # TomTom's -500 m sentinel is gone
        assert records["lat_deg"].dropna().between(-90, 90).all()
        # every activity becomes a valid row of the canonical table
        schema.validate(schema.conform([s], schema.ACTIVITY), schema.ACTIVITY)
        if len(exp) == 4:
            total_m, elapsed_s = exp[2], exp[3]
            span_m = records["distance_m"].max() - records["distance_m"].min()
            assert span_m == pytest.approx(total_m, rel=0.01)  # records agree with the session
            assert s["distance_km"] == pytest.approx(total_m / 1000, rel=0.01)
            assert s["elapsed_s"] == pytest.approx(elapsed_s)
            assert 0.5 * elapsed_s < s["moving_s"] <= elapsed_s


def test_real_file_details(realdata: Path) -> None:
    run = _read(realdata / "fit" / "fitparse__activity-small-fenix2-run.fit")[0].summary
    assert run["device"] == "garmin fenix2"
    assert run["utc_offset_min"] == 120  # activity.local_timestamp - timestamp
    assert run["start_time"] == pd.Timestamp("2015-08-15 14:45:08", tz="UTC")
    assert run["max_hr"] == 178
    assert run["elevation_source"] == "barometric"

    fr10 = _read(realdata / "fit" / "gpsbabel__garmin-forerunner-10.fit")[0].summary
    assert fr10["has_hr"] is False and fr10["elevation_source"] == "none"
    # the Forerunner 10 was paused: moving time is the timer time (or less), not the span
    assert fr10["moving_s"] <= 1499.417 < fr10["elapsed_s"]

    tomtom = _read(realdata / "fit" / "fitfiler__tomtom-runner3-ride.fit")[0]
    assert "altitude sentinels removed" in tomtom.summary["quality"]
    assert tomtom.records["altitude_m"].min() > 0

    rowing = _read(realdata / "fit" / "fitparse__20170518-191602-1740899583.fit")[0].summary
    # Concept2 ErgIQ leaves the native total_distance 0 and writes 6,163 m as a developer
    # field declaring native field 9 (issue 12, class 10); the native avg HR 132 stands
    assert rowing["distance_km"] == pytest.approx(6.163) and rowing["avg_hr"] == 132

    wahoo = _read(realdata / "fit" / "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit")[0]
    assert wahoo.summary["device"] == "wahoo_fitness elemnt"
    assert wahoo.summary["elapsed_s"] == 23595.0
    assert wahoo.summary["moving_s"] <= 13471.0  # timer time: the stops are not moving

    # Zwift writes avg/max HR 0 where it has none: treated as missing, not as 0 bpm
    zwift = _read(realdata / "fit" / "fitparse__null_compressed_speed_dist.fit")[0].summary
    assert pd.isna(zwift["avg_hr"])
    assert zwift["distance_km"] == pytest.approx(13.40014)

    # a session elapsed time shorter than its timer time is wrong: the records decide
    edge = _read(realdata / "fit" / "gc__14582164182.fit.gz")[0].summary
    assert edge["elapsed_s"] == pytest.approx(2759, abs=2)
    assert "session elapsed time" in edge["quality"]


def test_multisport_records_are_split_by_session(realdata: Path) -> None:
    acts = _read(realdata / "fit" / "fitparse__activity-large-fenxi2-multisport.fit")
    assert len(acts) == 7
    total = sum(len(a.records) for a in acts)
    assert 24_000 < total <= 24_239
    for a in acts:
        start = a.summary["start_time"]
        end = start + pd.Timedelta(seconds=a.summary["elapsed_s"] + 1)
        assert a.records["time"].between(start, end).all()
    # the first session's start_time is 45 min after its first record (and overlaps the
    # transition if taken at face value): the records give the start
    assert acts[0].summary["start_time"] == pd.Timestamp("2015-08-29 07:14:44", tz="UTC")
    assert "session start_time 2717 s after its first record" in acts[0].summary["quality"]
    # the second run: 12.74 km in 6764 s
    assert len(acts[4].records) == pytest.approx(6765, abs=100)


# Expected outcome for each odd FIT file: ("ok", quality fragment or None, sports) or
# (exception class, message fragment).
ODD_EXPECTED = {
    "fitparse__DeveloperData.fit": (InputError, "no record has a timestamp"),
    "fitparse__MonitoringFile.fit": (NotAnActivity, "'monitoring_b', not an activity"),
    "fitparse__Settings.fit": (NotAnActivity, "'settings', not an activity"),
    "fitparse__WorkoutRepeatSteps.fit": (NotAnActivity, "'workout', not an activity"),
    "fitparse__activity-activity-filecrc.fit": ("ok", "bad CRC ignored", ["running"]),
    "fitparse__activity-filecrc.fit": ("ok", "bad CRC ignored", ["running"]),
    "fitparse__activity-settings-corruptheader.fit": (
        "ok",
        "unreadable chained part ignored",
        ["running"],
    ),
    "fitparse__activity-settings-nodata.fit": ("ok", "file ends early", ["running"]),
    "fitparse__activity-settings.fit": ("ok", None, ["running"]),
    "fitparse__activity-unexpected-eof.fit": ("ok", "file ends early", ["running"]),
    "fitparse__antfs-dump.63.fit": (InputError, "device-relative"),
    "fitparse__compressed-speed-distance.fit": (InputError, "device-relative"),
    "fitparse__coros-pace-2-cycling-misaligned-fields.fit": (
        "ok",
        "invalid sizes read as bytes",
        ["cycling"],
    ),
    "fitparse__elemnt-bolt-no-application-id-inside-developer-data-id.fit": (
        "ok",
        None,
        ["cycling"],
    ),
    "fitparse__nick.fit": ("ok", "file ends early", ["cycling"]),
    "fitparse__sample_mulitple_header.fit": (
        "ok",
        None,
        ["swimming", "other", "cycling", "other", "running"],
    ),
    "fitparse__strava-android-app-201.10-b1218918.fit": (
        "ok",
        "undecodable data ignored",
        ["running"],
    ),
    "muktihari__activity_truncated.fit": ("ok", "no session message", ["other"]),
    "tormoder__unterminated-strings.fit": ("ok", None, ["cycling"]),
}


def test_odd_expectations_cover_every_odd_fit_file() -> None:
    if not ODD_FIT:
        pytest.skip("../shared/realdata is absent")
    assert sorted(p.name for p in ODD_FIT) == sorted(ODD_EXPECTED)


@pytest.mark.parametrize("path", ODD_FIT, ids=lambda p: p.name)
def test_odd_file(path: Path) -> None:
    outcome, fragment, *rest = ODD_EXPECTED[path.name]
    if outcome != "ok":
        with pytest.raises(outcome) as info:
            fit.read(_bytes(path), str(path))
        assert type(info.value) is outcome  # NotAnActivity is "skipped", not "error"
        assert fragment in str(info.value) and "\n" not in str(info.value)
        return
    activities = _read(path)
    assert [a.summary["sport"] for a in activities] == rest[0]
    quality = activities[0].summary["quality"] or ""
    if fragment:
        assert fragment in quality
    for a in activities:
        schema.validate(a.records, schema.RECORDS)


def test_odd_file_details(realdata: Path) -> None:
    odd = realdata / "odd"
    # the chained copy of the same activity gives one activity, not two
    (twice,) = _read(odd / "fitparse__activity-activity-filecrc.fit")
    assert twice.summary["elapsed_s"] == pytest.approx(13.749)
    # unterminated product names still make a readable device
    (wahoo,) = _read(odd / "tormoder__unterminated-strings.fit")
    assert wahoo.summary["device"] == "wahoo_fitness elemnt roam"
    # the Strava app file breaks off after ~470 records; the session still knows the totals
    (strava,) = _read(odd / "fitparse__strava-android-app-201.10-b1218918.fit")
    assert strava.summary["distance_km"] == pytest.approx(11.27404)
    assert strava.summary["moving_s"] == 3558.0  # partial stream: the timer time stands
    # the unterminated Sigma file has no session: totals come from its 4.6 h of records
    (nick,) = _read(odd / "fitparse__nick.fit")
    assert nick.summary["elapsed_s"] == pytest.approx(16724, abs=5)
    assert nick.summary["distance_km"] > 100


# ---------------------------------------------------------------- generated files


@functools.cache
def _plain_run() -> bytes:
    return fitgen.activity_fit([fitgen.run_leg(600, sentinel_every=50)])


def test_generated_run() -> None:
    (run,) = fit.read(_plain_run(), "run.fit")
    s = run.summary
    assert s["sport"] == "running" and s["sub_sport"] == "generic"
    assert s["start_time"] == pd.Timestamp(fitgen.START)
    assert s["utc_offset_min"] == 120
    assert s["device"] == "garmin fenix2"
    assert s["distance_km"] == pytest.approx(1.8)
    assert s["elapsed_s"] == 600.0
    assert s["moving_s"] == pytest.approx(600, abs=2)
    assert s["avg_hr"] == 130 and s["max_hr"] == 140  # 120 + t/30 bpm
    assert "altitude sentinels removed (13)" in s["quality"]
    r = run.records
    assert len(r) == 601
    assert r["lat_deg"].iloc[-1] == pytest.approx(47.0 + 1800 / 111_195.0, abs=1e-6)
    assert r["lon_deg"].iloc[0] == pytest.approx(8.0, abs=1e-6)
    assert r["altitude_m"].isna().sum() == 13
    assert r["altitude_m"].dropna().between(379.9, 420.1).all()
    assert r["distance_m"].iloc[-1] == pytest.approx(1800.0)
    assert r["time"].iloc[-1] - r["time"].iloc[0] == pd.Timedelta(seconds=600)


def test_generated_run_without_session() -> None:
    data = fitgen.activity_fit([fitgen.run_leg(300)], sessions=False)
    (run,) = fit.read(data, "crashed.fit")
    s = run.summary
    assert s["sport"] == "running"  # from the sport message
    assert "no session message: totals from records" in s["quality"]
    assert s["distance_km"] == pytest.approx(0.9, rel=0.01)
    assert s["elapsed_s"] == 300.0
    assert pd.isna(s["utc_offset_min"])


def test_generated_multisport() -> None:
    legs = [
        fitgen.run_leg(200, sport="running", sub_sport="trail"),
        fitgen.run_leg(30, offset_s=201, sport="transition"),
        fitgen.run_leg(300, offset_s=232, speed_m_s=8.0, sport="cycling", sub_sport="road"),
    ]
    acts = fit.read(fitgen.activity_fit(legs), "brick.fit")
    assert [(a.summary["sport"], a.summary["sub_sport"]) for a in acts] == [
        ("trail_running", "trail"),
        ("other", "transition"),
        ("cycling", "road"),
    ]
    assert [len(a.records) for a in acts] == [201, 31, 301]
    assert [a.summary["distance_km"] for a in acts] == pytest.approx([0.6, 0.09, 2.4])
    second = pd.Timestamp(fitgen.START) + pd.Timedelta(seconds=232)
    assert acts[2].summary["start_time"] == second


def test_generated_truncated_file_keeps_what_was_read() -> None:
    data = fitgen.truncated(_plain_run(), 0.6)
    (run,) = fit.read(data, "cut.fit")
    quality = run.summary["quality"]
    assert "file ends early" in quality and "no session message" in quality
    assert run.summary["sport"] == "running"
    assert 300 < len(run.records) < 601
    # cut at 60 % of the bytes: the records read are the first ~60 % of the run
    assert run.summary["elapsed_s"] == pytest.approx(len(run.records) - 1)


def test_generated_bad_dates_are_refused() -> None:
    relative = fitgen.FIT_EPOCH + dt.timedelta(seconds=5_000)  # FR70-style device time
    with pytest.raises(InputError, match="device-relative"):
        fit.read(fitgen.activity_fit([fitgen.run_leg(30)], start=relative), "r.fit")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    with pytest.raises(InputError, match="out of range"):
        fit.read(fitgen.activity_fit([fitgen.run_leg(30)], start=future), "f.fit")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a FIT file"),
        (b"hello, this is not a FIT file at all", "not a FIT file"),
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", "no records"),
    ],
)
def test_not_fit_bytes(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fit.read(data, "x.fit")


def test_damaged_bytes_never_escape_as_other_errors() -> None:
    """Random byte damage ends in activities or an InputError, never another exception."""
    base = fitgen.activity_fit([fitgen.run_leg(40)])
    rng = np.random.default_rng(7)
    outcomes = {"ok": 0, "refused": 0}
    for _ in range(100):
        data = bytearray(base)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 6)):
            data[pos] = int(rng.integers(0, 256))
        cut = int(rng.integers(len(data) // 2, len(data) + 1))
        try:
            acts = fit.read(bytes(data[:cut]), "fuzz.fit")
        except InputError as exc:
            assert "\n" not in str(exc)
            outcomes["refused"] += 1
        else:
            assert acts and all(a.summary["sport"] in schema.SPORTS for a in acts)
            outcomes["ok"] += 1
    assert outcomes["ok"] > 0 and outcomes["refused"] > 0


# ---------------------------------------------------------------- issue 12: real-device cases

WEEKS_4 = 28 * 86400.0


def test_long_gap_keeps_the_run_not_the_few_seconds_before() -> None:
    # 4 s on one day, then a 2 h, 57 km run four weeks later, all in one session
    recs = fitcases.steady(0, 3, speed_m_s=0.0) + fitcases.steady(
        WEEKS_4, WEEKS_4 + 7200, speed_m_s=57_000 / 7200, step_s=5
    )
    span = WEEKS_4 + 7200
    data = fitcases.build(recs, [{"t0": 0, "t1": span, "total_elapsed_time": span,
                                  "total_timer_time": 7204.0, "total_distance": 57_000.0}])
    (run,) = fit.read(data, "gap.fit")
    s = run.summary
    assert s["start_time"] == pd.Timestamp(fitgen.START) + pd.Timedelta(seconds=WEEKS_4)
    assert s["elapsed_s"] == pytest.approx(7200)
    assert s["distance_km"] == pytest.approx(57.0, rel=0.01)
    assert "4 earlier records ignored" in s["quality"]
    assert "session spans a recording gap" in s["quality"]
    assert run.records["time"].min() == s["start_time"]


def test_incomplete_session_gives_way_to_the_records() -> None:
    # Suunto: the session misses its last lap (4,035 s) while records span 4,961 s
    recs = fitcases.steady(0, 4961, speed_m_s=3.0)
    data = fitcases.build(
        recs,
        [{"t0": 0, "t1": 4035, "total_elapsed_time": 4035.0, "total_timer_time": 4035.0,
          "total_distance": 12_105.0}],
        activity_timer_s=4962.0,
    )
    (run,) = fit.read(data, "suunto.fit")
    s = run.summary
    assert s["elapsed_s"] == pytest.approx(4961)
    assert s["distance_km"] == pytest.approx(14.883, rel=0.01)
    assert s["moving_s"] == pytest.approx(4961, rel=0.01)
    assert "session incomplete (elapsed 4035 s, records 4961 s" in s["quality"]
    assert "activity message 4962 s" in s["quality"]


def test_steep_mountain_run_keeps_its_timer_as_moving_time() -> None:
    # 30 min on the flat at 3 m/s, then 1 h up at 0.35 m/s horizontally while climbing
    # 0.15 m/s (540 m), device speed field, 1 Hz, no stops: all of it is moving
    recs = (fitcases.steady(0, 1800, with_speed=True)
            + fitcases.steady(1801, 5400, speed_m_s=0.35, d0=5400, climb_m_s=0.15,
                              with_speed=True))
    data = fitcases.build(recs, [{"t0": 0, "t1": 5400, "total_elapsed_time": 5400.0,
                                  "total_timer_time": 5400.0, "total_distance": 6660.0}])
    (run,) = fit.read(data, "mountain.fit")
    assert run.summary["moving_s"] == pytest.approx(5400, rel=0.01)


def test_real_stops_still_lower_moving_time_below_the_timer() -> None:
    # 20 min running, 5 min standing (timer running, speed 0), 20 min running
    recs = (fitcases.steady(0, 1200, with_speed=True)
            + fitcases.steady(1201, 1500, speed_m_s=0.0, d0=3600, with_speed=True)
            + fitcases.steady(1501, 2700, d0=3600, with_speed=True))
    data = fitcases.build(recs, [{"t0": 0, "t1": 2700, "total_elapsed_time": 2700.0,
                                  "total_timer_time": 2700.0, "total_distance": 7200.0}])
    (run,) = fit.read(data, "stops.fit")
    assert run.summary["moving_s"] == pytest.approx(2400, abs=15)


def test_summary_only_fit_is_imported_from_its_session() -> None:
    # a pool swim from an old unit: session totals, records without timestamps
    recs = [{"t": None, "hr": 120} for _ in range(5)]
    data = fitcases.build(recs, [{"t0": 0, "t1": 2400, "total_elapsed_time": 2400.0,
                                  "total_timer_time": 2100.0, "total_distance": 1500.0,
                                  "sport": "swimming", "sub_sport": "lap_swimming",
                                  "avg_heart_rate": 130}])
    (swim,) = fit.read(data, "pool.fit")
    s = swim.summary
    assert swim.records is None
    assert (s["sport"], s["distance_km"], s["elapsed_s"], s["moving_s"]) == (
        "swimming", 1.5, 2400.0, 2100.0)
    assert s["start_time"] == pd.Timestamp(fitgen.START)
    assert "summary only: no record stream" in s["quality"]
    schema.validate(schema.conform([s], schema.ACTIVITY), schema.ACTIVITY)
    # and with no record at all
    (swim,) = fit.read(fitcases.build([], [{"t0": 0, "t1": 2400, "total_elapsed_time": 2400.0,
                                            "total_timer_time": 2100.0}]), "bare.fit")
    assert swim.summary["moving_s"] == 2100.0


def test_timestamp_correlation_dates_device_relative_times() -> None:
    # an action camera: records at device seconds 5,000..5,600, correlated to UTC
    utc = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
    start = fitcases.relative(5_000)
    recs = fitcases.steady(0, 600)
    data = fitcases.build(recs, start=start, correlation=(utc, 5_000))
    (run,) = fit.read(data, "camera.fit")
    assert run.summary["start_time"] == pd.Timestamp(utc)
    assert run.summary["elapsed_s"] == pytest.approx(600)
    assert "timestamp_correlation" in run.summary["quality"]


def test_developer_fields_stand_in_for_zero_native_fields() -> None:
    # a Connect IQ swim app: native total_distance 0, the developer field says 1,250 m
    recs = fitcases.steady(0, 1800, speed_m_s=1250 / 1800, position=False)
    data = fitcases.build(
        recs,
        [{"t0": 0, "t1": 1800, "total_elapsed_time": 1800.0, "total_timer_time": 1800.0,
          "total_distance": 0.0, "sport": "swimming"}],
        dev_session_distance_m=1250.0,
        dev_record_distance=True,
    )
    (swim,) = fit.read(data, "ciq.fit")
    assert swim.summary["distance_km"] == pytest.approx(1.25)
    assert swim.records["distance_m"].max() == pytest.approx(1250, rel=0.001)


def test_records_sharing_a_timestamp_are_merged() -> None:
    # Suunto: the position in one record, distance/HR/altitude in the next, same time
    recs = []
    for r in fitcases.steady(0, 900):
        recs.append({"t": r["t"], "lat": r["lat"], "lon": r["lon"]})
        recs.append({"t": r["t"], "dist": r["dist"], "hr": 150, "alt": r["alt"]})
    data = fitcases.build(recs, [{"t0": 0, "t1": 900, "total_elapsed_time": 900.0,
                                  "total_timer_time": 900.0, "total_distance": 2700.0}])
    (run,) = fit.read(data, "suunto-split.fit")
    assert len(run.records) == 901
    assert run.records["hr_bpm"].notna().all() and run.records["lat_deg"].notna().all()
    assert run.records["distance_m"].max() == pytest.approx(2700)


# ---------------------------------------------------------------- the differential check


@pytest.mark.parametrize("path", REAL_FIT, ids=lambda p: p.name)
def test_real_files_agree_with_their_own_sessions(path: Path) -> None:
    """Distance, elapsed and timer time agree with each session as the file states it,
    unless the summary says why the records decided (and then they agree with those)."""
    import fitparse

    sessions = [m.get_values() for m in fitparse.FitFile(_bytes(path)).get_messages("session")]
    acts = _read(path)
    assert len(acts) == len({(s.get("start_time"), s.get("total_elapsed_time"),
                              s.get("sport")) for s in sessions})
    for act in acts:
        s = act.summary
        quality = s["quality"] or ""
        start = s["start_time"].tz_convert(None)
        session = min(sessions, key=lambda m: abs((m["start_time"] - start).total_seconds()))
        elapsed, timer = session.get("total_elapsed_time"), session.get("total_timer_time")
        distance = session.get("total_distance")
        if "session incomplete" in quality or "recording gap" in quality:
            span = (act.records["time"].max() - act.records["time"].min()).total_seconds()
            assert s["elapsed_s"] == pytest.approx(span, abs=1)
            continue
        if "session elapsed time" in quality:  # elapsed < timer: the records decided
            assert elapsed < timer
        elif elapsed:
            assert s["elapsed_s"] == pytest.approx(elapsed, abs=0.01)
        if distance and not np.isnan(s["distance_km"]):
            assert s["distance_km"] == pytest.approx(distance / 1000, rel=1e-6)
        if timer:
            # the timer is the moving time, or the stream shows stops it did not pause for
            assert s["moving_s"] <= timer + 0.01
            assert s["moving_s"] >= 0.5 * timer
