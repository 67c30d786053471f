"""CSV importer: Strava and Garmin exports (real files) and the plain training log."""

from __future__ import annotations

import csv as stdcsv
import warnings
from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest

from loadwatch.importers import csv as csvimp
from loadwatch.importers import reader_for
from loadwatch.problems import InputError, InputWarning, NotAnActivity


def _read(data: bytes, name: str = "x.csv") -> tuple[list, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        acts = csvimp.read(data, name)
    return acts, [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def test_registry_entry_is_this_reader():
    assert reader_for("activities.CSV") == ("csv", csvimp.read)


# -- Strava ------------------------------------------------------------------------------------


def test_strava_export(realdata):
    path = realdata / "csv" / "strava-activity-map__activities.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(stdcsv.reader(fh))
    header, body = rows[0], rows[1:]
    typ, date = header.index("Activity Type"), header.index("Activity Date")
    metres = [i for i, h in enumerate(header) if h == "Distance"][1]
    when = [datetime.strptime(r[date], "%b %d, %Y, %I:%M:%S %p").replace(tzinfo=UTC)
            for r in body]
    expected_types = Counter(r[typ] for r in body)

    acts, notes = _read(path.read_bytes())
    assert notes == []
    assert len(acts) == len(body) == 1845
    sports = Counter(a.summary["sport"] for a in acts)
    assert sports["running"] == expected_types["Run"] == 643
    assert sports["cycling"] == expected_types["Ride"] == 947
    assert sports["other"] == 58 + 57 + 20 + 5 + 1 + 1  # skis, sail, snowshoe, canoe, velomobile
    assert sports["hiking"] == expected_types["Hike"] == 110
    assert sports["walking"] == expected_types["Walk"]
    starts = [a.summary["start_time"] for a in acts]
    assert min(starts) == pd.Timestamp(min(when)) == pd.Timestamp("2014-10-05 16:15:21Z")
    assert max(starts) == pd.Timestamp(max(when)) == pd.Timestamp("2025-08-25 21:59:25Z")
    first = acts[0]
    assert first.summary["format"] == "strava_csv"
    assert first.local_time is False
    assert first.link == "activities/203707851.gpx"
    # metres column preferred over the rounded km column (13.61)
    assert first.summary["distance_km"] == pytest.approx(float(body[0][metres]) / 1000)
    assert first.summary["distance_km"] == pytest.approx(13.61, abs=0.005)
    assert first.summary["elapsed_s"] == 2833 and first.summary["moving_s"] == 2499
    assert first.summary["elevation_source"] == "summary"
    assert first.summary["title"] == "Lunch Ride"
    assert sum(a.summary.get("shoe") == "Kona Rove ST" for a in acts) == 650
    assert len({a.summary["activity_id"] for a in acts}) == 1845


STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
    "Activity Gear,Filename,Elapsed Time,Moving Time,Distance,Elevation Gain,"
    "Perceived Exertion\n"
)


def test_strava_short_export_and_km_with_comma():
    data = (
        STRAVA_HEADER
        + '1,"Mar 3, 2024, 7:05:00 AM",Hills,Trail Run,3600,"10,50",Speedgoat,'
        "activities/1.fit.gz,,,,420,7\n"
        + '2,"Mar 4, 2024, 6:00:00 PM",Spin,VirtualRide,1800,"15,00",,,,,,,\n'
    ).encode()
    acts, _ = _read(data)
    a, b = (x.summary for x in acts)
    assert a["sport"] == "trail_running" and a["sub_sport"] == "trail run"
    assert a["distance_km"] == pytest.approx(10.5)  # no metres column: km with decimal comma
    assert a["elapsed_s"] == 3600 and a["rpe"] == 7 and a["shoe"] == "Speedgoat"
    assert a["start_time"] == pd.Timestamp("2024-03-03 07:05Z")
    assert acts[0].link == "activities/1.fit.gz"
    assert b["sport"] == "cycling" and b["start_time"] == pd.Timestamp("2024-03-04 18:00Z")
    assert acts[1].link is None


# -- Garmin ------------------------------------------------------------------------------------


def test_garmin_connect_export(realdata):
    acts, notes = _read((realdata / "csv" / "grunt__Activities.csv").read_bytes())
    assert notes == []
    assert len(acts) == 1131
    first = acts[0]
    assert first.local_time is True
    s = first.summary
    assert s["format"] == "garmin_csv"
    assert s["distance_km"] == pytest.approx(3.40)
    assert s["sport"] == "treadmill_running"
    assert s["start_time"] == pd.Timestamp("2026-01-04 12:38:59")  # naive local time
    assert s["elapsed_s"] == 17 * 60 + 1 and s["moving_s"] == 16 * 60 + 51
    assert s["avg_hr"] == 153 and s["max_hr"] == 166
    assert "ascent_m" not in s  # "--"
    assert acts[-1].summary["start_time"] == pd.Timestamp("2019-02-01 15:21:47")
    assert acts[-1].summary["distance_km"] == pytest.approx(10.0)
    sports = Counter(a.summary["sport"] for a in acts)
    assert sports == {"running": 774 + 11, "treadmill_running": 188, "trail_running": 158}
    assert len({a.summary["activity_id"] for a in acts}) == 1131


GARMIN_HEADER = (
    "Activity Type,Date,Favorite,Title,Distance,Time,Avg HR,Max HR,Total Ascent,"
    "Total Descent,Steps,Moving Time,Elapsed Time\n"
)


def test_garmin_decimal_point_locale_and_swims():
    data = (
        GARMIN_HEADER
        + 'Running,2025-05-01 07:00:00,false,"Run","12.50","01:02:03","150","170",'
        '"1,204","1,190","2,932","--:--:--","01:05:00"\n'
        + 'Pool Swim,2025-05-02 07:00:00,false,"Swim","1,500","00:30:00","--","--","--",'
        '"--","--","00:28:00","00:31:00"\n'
        + 'Running,2025-05-03 07:00:00,false,"Short","3.10","00:15:00,5","--","--",'
        '"--","--","--","--","--"\n'
    ).encode()
    acts, _ = _read(data)
    run, swim, short = (a.summary for a in acts)
    assert run["distance_km"] == pytest.approx(12.5)
    assert run["ascent_m"] == 1204 and run["descent_m"] == 1190
    assert run["elapsed_s"] == 3900 and run["moving_s"] == 3723  # Moving Time missing -> Time
    assert swim["sport"] == "swimming" and swim["distance_km"] == pytest.approx(1.5)
    assert short["distance_km"] == pytest.approx(3.1)
    assert short["elapsed_s"] == pytest.approx(900.5)


def test_number_and_duration_parsers():
    comma = csvimp.number(pd.Series(["3,40", "2.932", "--", " 10,00 ", "-4"]), ",")
    assert comma.tolist()[:2] == [3.4, 2932.0] and pd.isna(comma[2])
    assert comma.tolist()[3:] == [10.0, -4.0]
    secs = csvimp.seconds(pd.Series(["00:01:39,6", "1:02:03", "5:00", "--:--:--", "2833"]), ",")
    assert secs.tolist()[:3] == pytest.approx([99.6, 3723, 300])
    assert pd.isna(secs[3]) and secs[4] == 2833
    mins = csvimp.minutes(pd.Series(["45", "45:30", "1:00:00", "abc"]), ".")
    assert mins.tolist()[:3] == [2700, 2730, 3600] and pd.isna(mins[3])


# -- training log -------------------------------------------------------------------------------


def test_log_full_columns():
    data = (
        b"Date,Distance_km,Duration,Sport,Title,Avg_HR,Ascent_m,Descent_m,RPE,Shoe,Surface\n"
        b"2026-02-02,8.5,45:30,,Easy loop,142,60,60,3,Pegasus 40,road\n"
        b"2026-02-04 18:30,12,1:05:00,running,Hills,151,240,240,7,Speedgoat 5,trail\n"
        b"2026-02-05,5,30,treadmill,,,,,,,\n"
        b"2026-02-06,20,90,bike,Commute,,,,,,\n"
    )
    acts, notes = _read(data)
    assert notes == []
    assert [a.local_time for a in acts] == [True] * 4
    s = [a.summary for a in acts]
    assert [x["sport"] for x in s] == ["running", "trail_running", "treadmill_running", "cycling"]
    assert s[0]["start_time"] == pd.Timestamp("2026-02-02 00:00")
    assert s[1]["start_time"] == pd.Timestamp("2026-02-04 18:30")
    assert s[0]["elapsed_s"] == s[0]["moving_s"] == 45 * 60 + 30
    assert s[1]["elapsed_s"] == 3900 and s[2]["elapsed_s"] == 1800
    assert s[0]["distance_km"] == 8.5 and s[0]["shoe"] == "Pegasus 40" and s[1]["rpe"] == 7
    assert s[1]["ascent_m"] == 240 and s[0]["avg_hr"] == 142
    assert s[0]["format"] == "log_csv"


def test_log_semicolons_decimal_comma_and_bad_rows():
    data = (
        "date;distance_km;duration\n"
        "2026-03-01;10,5;50:00\n"
        "yesterday;5;30:00\n"
        "2026-03-03;;\n"
        "\n"
        "2026-03-04;7,25;40\n"
    ).encode("utf-8-sig")
    acts, notes = _read(data)
    assert [a.summary["distance_km"] for a in acts] == [10.5, 7.25]
    assert len(notes) == 1
    assert notes[0].startswith("2 of 4 rows skipped")
    assert "line 3" in notes[0] and "line 4" in notes[0]


def test_log_no_usable_row_is_an_error():
    with pytest.raises(InputError, match="no row could be read"):
        csvimp.read(b"date,distance_km,duration\nsoon,x,y\n", "log.csv")


def test_header_only_is_not_an_activity():
    with pytest.raises(NotAnActivity):
        csvimp.read(b"date,distance_km,duration\n", "log.csv")


def test_row_ids_are_stable_and_content_derived():
    row = b"date,distance_km,duration\n2026-03-01,10,50:00\n"
    a = csvimp.read(row, "a.csv")[0].summary["activity_id"]
    b = csvimp.read(row + b"2026-03-02,5,25:00\n", "b.csv")[0].summary["activity_id"]
    c = csvimp.read(row.replace(b"10,", b"11,"), "a.csv")[0].summary["activity_id"]
    assert a == b != c and len(a) == 16


# -- dialect detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "fmt"),
    [
        (STRAVA_HEADER, "strava_csv"),
        (GARMIN_HEADER, "garmin_csv"),
        ("date,distance_km,duration\n", "log_csv"),
        ("DATE ; Distance_KM ; Duration\n", "log_csv"),
    ],
)
def test_detect(header, fmt):
    rows = csvimp._rows(header)
    assert csvimp.detect(csvimp._unique_headers(rows[0])).format == fmt


def test_unrecognised_csv_lists_expected_columns(realdata):
    data = (realdata / "csv" / "fitparse__garmin-fenix-5-run-records.csv").read_bytes()
    with pytest.raises(NotAnActivity) as err:
        csvimp.read(data, "records.csv")
    message = str(err.value)
    assert "timestamp, heart_rate" in message
    assert "Activity Date" in message and "distance_km" in message and "Time" in message


def test_latin1_file_still_reads():
    data = "date,distance_km,duration,title\n2026-01-01,5,30,Café\n".encode("latin-1")
    acts, _ = _read(data)
    assert acts[0].summary["title"] == "Café"
