"""read: the orchestration from paths to one canonical activity table.

File readers are replaced by a fake GPX reader (JSON in, activities out) so that these
tests exercise the orchestration alone; the CSV reader is the real one.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from loadwatch import importers, read, schema
from loadwatch.importers import ParsedActivity
from loadwatch.problems import InputError, NotAnActivity, UsageError
from loadwatch.read import read_activities, read_records, records_for


def fake_gpx(data: bytes, source: str) -> list[ParsedActivity]:
    """Test reader: the file is JSON, a list of {start, km, s, ...}; "boom" raises."""
    text = data.decode()
    if text == "boom":
        raise RuntimeError("boom")
    if text == "bad":
        raise InputError("not a GPX file: root element is <html>")
    if text == "empty":
        raise NotAnActivity("waypoints only")
    out = []
    for spec in json.loads(text):
        start = pd.Timestamp(spec["start"])
        records = pd.DataFrame(
            {"time": pd.date_range(start, periods=3, freq="1s"), "hr_bpm": [100.0, 110, 120]}
        )
        summary = {
            "start_time": start,
            "distance_km": spec["km"],
            "elapsed_s": spec["s"],
            "sport": spec.get("sport", "running"),
            "title": spec.get("title"),
            "has_gps": True,
            "quality": spec.get("quality", []),
        }
        out.append(ParsedActivity({k: v for k, v in summary.items() if v is not None}, records))
    return out


@pytest.fixture(autouse=True)
def _fake_gpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(importers.READERS, ".gpx", ("gpx", fake_gpx))


def gpx(*specs: dict) -> bytes:
    return json.dumps(list(specs)).encode()


STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
    "Activity Gear,Filename,Perceived Exertion\n"
    '1,"Mar 3, 2024, 7:05:00 AM",Hill reps,Trail Run,3600,10.50,Speedgoat 5,'
    "activities/1.gpx.gz,7\n"
    '2,"Mar 4, 2024, 6:00:00 PM",Easy,Run,1800,5.00,Pegasus,activities/2.gpx,3\n'
    '3,"Mar 5, 2024, 6:00:00 PM",Lost file,Run,1500,4.00,Pegasus,activities/3.fit.gz,\n'
)


def _strava_files() -> dict[str, bytes]:
    return {
        "activities.csv": STRAVA_CSV.encode(),
        # the file's own start differs by a few seconds from the CSV's, as in real exports
        "activities/1.gpx.gz": gzip.compress(
            gpx({"start": "2024-03-03T07:05:03Z", "km": 10.43, "s": 3598, "title": "Run"})
        ),
        "activities/2.gpx": gpx({"start": "2024-03-04T18:00:00Z", "km": 5.01, "s": 1801}),
    }


def _check_strava_join(result: read.ReadResult, csv_source: str) -> None:
    acts = result.activities
    assert result.problems == []
    assert list(acts["format"]) == ["gpx", "gpx", "strava_csv"]
    first = acts.iloc[0]
    assert first["title"] == "Hill reps" and first["shoe"] == "Speedgoat 5"
    assert first["rpe"] == 7 and first["sport"] == "trail_running"
    assert first["distance_km"] == pytest.approx(10.43)  # the file's numbers stay
    assert first["quality"] == f"title, gear and type from {csv_source}"
    assert acts.iloc[1]["sport"] == "running" and acts.iloc[1]["shoe"] == "Pegasus"
    lost = acts.iloc[2]
    assert lost["title"] == "Lost file" and lost["elapsed_s"] == 1500
    schema.validate(acts, schema.ACTIVITY)


def test_strava_export_folder_joins_csv_onto_files(tmp_path: Path):
    export = tmp_path / "export"
    for rel, data in _strava_files().items():
        (export / rel).parent.mkdir(parents=True, exist_ok=True)
        (export / rel).write_bytes(data)
    result = read_activities([export])
    _check_strava_join(result, str(export / "activities.csv"))
    assert result.files_read == 3
    assert result.activities.iloc[0]["source"] == str(export / "activities" / "1.gpx.gz")


def test_strava_export_zip_joins_csv_onto_members(tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, data in _strava_files().items():
            zf.writestr(rel, data)
    archive = tmp_path / "export_1.zip"
    archive.write_bytes(buf.getvalue())
    result = read_activities([archive])
    _check_strava_join(result, f"{archive}!activities.csv")
    assert result.activities.iloc[0]["source"] == f"{archive}!activities/1.gpx"


def test_same_archive_twice_is_counted_once(tmp_path: Path):
    (tmp_path / "a").mkdir()
    run = gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400})
    (tmp_path / "a" / "run.gpx").write_bytes(run)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    result = read_activities([tmp_path / "a", tmp_path / "b"])
    assert len(result.activities) == 1
    assert result.activities.iloc[0]["quality"] == f"merged with {tmp_path / 'b' / 'run.gpx'}"
    assert result.files_read == 2


def test_bad_files_do_not_stop_the_batch(tmp_path: Path):
    (tmp_path / "1.gpx").write_bytes(gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400}))
    (tmp_path / "2.gpx").write_bytes(b"boom")
    (tmp_path / "3.gpx").write_bytes(b"bad")
    (tmp_path / "4.gpx").write_bytes(b"empty")
    (tmp_path / "5.gpx").write_bytes(b"{not json")
    (tmp_path / "6.gpx").write_bytes(gpx({"start": "2024-01-02T08:00Z", "km": 5, "s": 1500}))
    result = read_activities([tmp_path, tmp_path / "missing.fit"])
    assert len(result.activities) == 2
    got = [(Path(p.source).name, p.kind, p.reason) for p in result.problems]
    assert got[0] == ("missing.fit", "error", "no such file or folder")
    assert got[1] == ("2.gpx", "error", "internal error while reading: RuntimeError: boom")
    assert got[2] == ("3.gpx", "error", "not a GPX file: root element is <html>")
    assert got[3] == ("4.gpx", "skipped", "waypoints only")
    assert got[4][:2] == ("5.gpx", "error")
    assert got[4][2].startswith("internal error while reading: JSONDecodeError")
    assert result.files_read == 6
    assert result.summary_line() == "Read 6 files: 2 activities (2 running), 5 problems"


def test_local_times_are_localised(tmp_path: Path):
    (tmp_path / "log.csv").write_text(
        "date,distance_km,duration\n"
        "2026-01-10 07:30,10,50:00\n"
        "2026-07-10 07:30,10,50:00\n"
        "2026-03-29 02:30,5,25:00\n"  # does not exist in Paris (clocks jump 02:00 -> 03:00)
    )
    result = read_activities([tmp_path / "log.csv"], timezone="Europe/Paris")
    acts = result.activities
    assert list(acts["start_time"]) == [
        pd.Timestamp("2026-01-10 06:30Z"),
        pd.Timestamp("2026-03-29 01:00Z"),
        pd.Timestamp("2026-07-10 05:30Z"),
    ]
    assert list(acts["utc_offset_min"]) == [60, 120, 120]
    assert list(acts["start_local"].dt.strftime("%H:%M")) == ["07:30", "03:00", "07:30"]
    assert list(acts["local_time_from"]) == ["zone"] * 3
    utc = read_activities([tmp_path / "log.csv"]).activities
    assert utc["start_time"].iloc[0] == pd.Timestamp("2026-01-10 07:30Z")
    # without a zone the log's times are taken as UTC, and the table says so
    assert utc["utc_offset_min"].isna().all()
    assert list(utc["local_time_from"]) == ["utc"] * 3
    assert result.timezone == "Europe/Paris"


def test_unknown_timezone_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError, match="unknown time zone 'Mars/Olympus'"):
        read_activities([tmp_path], timezone="Mars/Olympus")


def test_ids_are_stable_and_per_activity(tmp_path: Path):
    (tmp_path / "two.gpx").write_bytes(
        gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400},
            {"start": "2024-01-01T10:00Z", "km": 20, "s": 3600, "sport": "cycling"})
    )
    first = read_activities([tmp_path]).activities["activity_id"].tolist()
    (tmp_path / "renamed.gpx").write_bytes((tmp_path / "two.gpx").read_bytes())
    (tmp_path / "two.gpx").unlink()
    second = read_activities([tmp_path]).activities["activity_id"].tolist()
    assert first == second
    assert len(set(first)) == 2 and all(len(i) == 16 for i in first)
    assert first[0] == read.activity_id((tmp_path / "renamed.gpx").read_bytes(), 0)


def test_quality_lists_become_text_and_warnings_become_problems(tmp_path: Path):
    (tmp_path / "q.gpx").write_bytes(
        gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400, "quality": ["a", "b"]})
    )
    (tmp_path / "log.csv").write_text("date,distance_km,duration\n2026-01-10,10,50\nnope,1,1\n")
    result = read_activities([tmp_path])
    assert list(result.activities["quality"].fillna("-")) == ["a; b", "-"]
    assert [(p.kind, p.reason[:19]) for p in result.problems] == [
        ("warning", "1 of 2 rows skipped")
    ]
    assert result.summary_line().endswith("0 problems, 1 warning")


def test_records_on_demand(tmp_path: Path):
    (tmp_path / "two.gpx").write_bytes(
        gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400},
            {"start": "2024-01-01T10:00Z", "km": 20, "s": 3600})
    )
    (tmp_path / "log.csv").write_text("date,distance_km,duration\n2026-01-10,10,50\n")
    result = read_activities([tmp_path])
    second = result.activities.iloc[1]
    records = records_for(result, second["activity_id"])
    assert records["time"].iloc[0] == pd.Timestamp("2024-01-01T10:00Z")
    assert list(records.columns) == schema.RECORDS.names
    log_id = result.activities.loc[result.activities["format"] == "log_csv", "activity_id"]
    assert records_for(result, log_id.iloc[0]).empty
    with pytest.raises(KeyError):
        records_for(result, "0" * 16)
    assert read_records(tmp_path / "two.gpx", 1)["hr_bpm"].tolist() == [100, 110, 120]
    with pytest.raises(InputError, match="no index 5"):
        read_records(tmp_path / "two.gpx", 5)


def test_cache_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    class DictCache:
        def __init__(self) -> None:
            self.store: dict = {}

        def get_many(self, keys):
            return {k: self.store[k] for k in keys if k in self.store}

        def put_many(self, items):
            self.store.update({k: payload for k, (_, payload) in items.items()})

    (tmp_path / "a.gpx").write_bytes(gpx({"start": "2024-01-01T08:00Z", "km": 8, "s": 2400}))
    cache = DictCache()
    first = read_activities([tmp_path], cache=cache)
    assert len(cache.store) == 1
    monkeypatch.setattr(read, "parse_item", lambda *a: pytest.fail("parsed despite cache"))
    second = read_activities([tmp_path], cache=cache)
    pd.testing.assert_frame_equal(first.activities, second.activities)


def test_process_pool_gives_the_same_table(realdata):
    paths = [realdata / "csv"]
    serial = read_activities(paths)
    pooled = read_activities(paths, jobs=2)
    pd.testing.assert_frame_equal(serial.activities, pooled.activities)
    assert [str(p) for p in serial.problems] == [str(p) for p in pooled.problems]
    # one Strava row (53.2 km of cycling in 2 minutes) is set aside as no human's effort
    aside = [p for p in serial.problems if "set aside" in str(p)]
    assert len(aside) == 1 and "53.2 km in 2 min" in str(aside[0])
    assert len(serial.activities) == 1845 + 1131 - 1


def test_nothing_readable_gives_an_empty_valid_table(tmp_path: Path):
    result = read_activities([tmp_path])
    assert result.activities.empty and result.problems == [] and result.files_read == 0
    schema.validate(result.activities, schema.ACTIVITY)
