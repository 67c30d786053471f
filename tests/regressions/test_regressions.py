"""Every input the fuzzer crashed a reader with, minimised: now a clean problem or activity.

One file per bug, named ``<format>_<what>.<suffix>``; :data:`EXPECTED` says what each must
give now (an activity, or a problem whose reason contains the text). Containers (.gz,
.zip) go through ``iter_items`` first, as the CLI reads them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loadwatch.problems import Problem
from loadwatch.read import parse_item
from loadwatch.sources import iter_items
from tests.fuzz.harness import check_input

HERE = Path(__file__).resolve().parent
FILES = sorted(p for p in HERE.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc"))

#: file name -> "activity" (at least one imported) or a substring of a problem's reason.
EXPECTED = {
    "csv_header_with_newline.csv": "CSV columns not recognised (Activity Name, foo);",
    "csv_garmin_zoned_date_in_retry.csv": "no row could be read: 2 with no distance or duration",
    "csv_log_all_dates_zoned.csv": "activity",
    "csv_log_zoned_and_naive_dates.csv": "activity",
    "fit_fractional_cadence_as_array.fit": "activity",
    "fit_record_field_as_array.fit": "activity",
    "gpx_track_names_with_newlines.gpx": "track 'Morning Run' timestamps are not real dates",
    "gpx_zone_offset_99h.gpx": "activity",
    "tcx_distance_counter_1e12.tcx": "activity",
    "tcx_negative_year.tcx": "timestamps are not real dates (-2024-05-04)",
    "zip_extract_version_8_4.zip": "not a readable zip archive (zip file version 8.4)",
}


def _outcome(path: Path) -> tuple[int, list[str]]:
    """(activities, problem reasons) as read_activities would see them."""
    if path.suffix in (".gz", ".zip"):
        n, reasons = 0, []
        for entry in iter_items([path]):
            if isinstance(entry, Problem):
                reasons.append(entry.reason)
                continue
            payload = parse_item(entry.data, entry.name, entry.source)
            n += len(payload["activities"])
            reasons += [p["reason"] for p in payload["problems"]]
        return n, reasons
    payload = parse_item(path.read_bytes(), path.name, str(path))
    return len(payload["activities"]), [p["reason"] for p in payload["problems"]]


def test_every_file_has_an_expectation():
    assert sorted(p.name for p in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_regression_input_is_handled(path: Path, tmp_path: Path):
    wrapped = path.suffix in (".gz", ".zip")
    outcome = check_input(path.name, path.read_bytes(), wrapped, str(tmp_path))
    assert (outcome.status, outcome.signature, outcome.detail) == ("ok", "", "")
    assert outcome.seconds < 5
    n, reasons = _outcome(path)
    expected = EXPECTED[path.name]
    if expected == "activity":
        assert n >= 1, reasons
    else:
        assert n == 0
        assert any(expected in r for r in reasons), reasons


def _activities(name: str) -> list[dict]:
    path = HERE / name
    return [a["summary"] for a in parse_item(path.read_bytes(), name, name)["activities"]]


def test_log_dates_with_and_without_zone_keep_their_wall_time():
    starts = [s["start_time"] for s in _activities("csv_log_zoned_and_naive_dates.csv")]
    assert starts == [pd.Timestamp("2024-05-04 00:00"), pd.Timestamp("2024-05-05 07:00")]
    starts = [s["start_time"] for s in _activities("csv_log_all_dates_zoned.csv")]
    assert starts == [pd.Timestamp("2024-05-04 07:00"), pd.Timestamp("2024-05-05 07:00")]


def test_corrupt_distance_counter_falls_back_to_gps():
    (summary,) = _activities("tcx_distance_counter_1e12.tcx")
    assert summary["distance_km"] == pytest.approx(0.0222, abs=1e-4)  # 2 x 11.1 m north
    assert "device distance ignored (faster than 60 m/s)" in summary["quality"]
    assert summary["elevation_source"] == "gps"


def test_point_with_an_impossible_zone_counts_as_untimed():
    (summary,) = _activities("gpx_zone_offset_99h.gpx")
    assert summary["start_time"] == pd.Timestamp("2024-05-04 07:00:10", tz="UTC")
    assert summary["quality"].startswith("1 of 3 points without time dropped")
