"""Issue 15 section 3: different activities are never merged, absurd ones never counted.

Each case is set up in a temporary folder and read the way a user's command reads it;
every test asserts the one-line problem, that the other rows were kept, and that no
activity was lost.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch import schema
from loadwatch.cli import cli
from loadwatch.dedupe import dedupe, merge_copies
from loadwatch.plausible import set_aside
from loadwatch.read import read_activities

HEADER = "date,distance_km,duration,sport,title\n"


def log(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def read(*paths: Path):
    return read_activities([str(p) for p in paths])


# -- copies are strict -----------------------------------------------------------------------


def test_two_runs_on_one_date_without_time_stay_two(tmp_path):
    res = read(log(tmp_path, "log.csv", "2026-02-02,10,50:00,run,AM", "2026-02-02,6,30:00,run,PM"))
    assert sorted(res.activities["distance_km"]) == [6.0, 10.0]
    assert not [p for p in res.problems if "merged" in p.reason]


def test_two_identical_rows_are_two_sessions(tmp_path):
    res = read(log(tmp_path, "log.csv", "2026-02-02,5,25:00,run,Easy",
                   "2026-02-02,5,25:00,run,Easy", "2026-02-03 07:00,5,25:00,run,x",
                   "2026-02-03 07:00,5,25:00,run,x"))
    assert len(res.activities) == 4


def test_run_and_ride_starting_together_stay_apart(tmp_path):
    run = log(tmp_path, "run.csv", "2026-02-02 07:00,10,50:00,run,Run")
    ride = log(tmp_path, "ride.csv", "2026-02-02 07:00,43,1:30:00,ride,Ride")
    res = read(run, ride)
    assert sorted(res.activities["sport"]) == ["cycling", "running"]
    assert list(res.activities.sort_values("distance_km")["title"]) == ["Run", "Ride"]


def test_eight_reps_two_minutes_apart_stay_eight(tmp_path):
    files = [log(tmp_path, f"rep{i}.csv", f"2026-02-02 07:{2 * i:02d},0.4,1:20,run,rep {i}")
             for i in range(8)]
    res = read(*files)
    assert len(res.activities) == 8
    assert res.activities["distance_km"].sum() == pytest.approx(3.2)


def test_a_real_copy_merges_and_the_merge_names_both_files(tmp_path):
    a = log(tmp_path, "a.csv", "2026-02-02 07:00,10,50:00,run,Morning")
    b = log(tmp_path, "b.csv", "2026-02-02 07:01,10.1,50:30,run,Morning",
            "2026-02-03 07:00,8,40:00,run,Other")
    res = read(a, b)
    assert len(res.activities) == 2
    notes = [p for p in res.problems if "merged with" in p.reason]
    assert len(notes) == 1
    assert {notes[0].source, notes[0].reason.split("merged with ")[1].split(" (")[0]} == {
        str(a), str(b)}
    # and the user sees it: the activities command lists it on stderr
    out = CliRunner().invoke(cli, ["activities", str(a), str(b), "--no-cache"])
    assert out.exit_code == 0
    assert any("merged with" in line and "a.csv" in line and "b.csv" in line
               for line in out.stderr.splitlines())


def _frame(*rows: dict) -> pd.DataFrame:
    t0 = pd.Timestamp("2026-02-02 00:00Z")
    full = []
    for n, r in enumerate(rows):
        at = r.pop("at", 0)
        full.append({"activity_id": f"{n:016d}", "format": "gpx", "sport": "running", **r,
                     "start_time": t0 + pd.Timedelta(seconds=at)})
    return schema.conform(full, schema.ACTIVITY)


def test_a_date_only_log_row_merges_with_the_file_of_its_day_only_when_they_agree():
    row = {"source": "log.csv", "format": "log_csv", "date_only": True, "distance_km": 10.0,
           "elapsed_s": 3000.0, "title": "From the log"}
    agree = {"source": "run.gpx", "at": 7 * 3600, "distance_km": 10.2, "elapsed_s": 3050.0}
    out, notes = merge_copies(_frame(dict(row), dict(agree)))
    assert list(out["source"]) == ["run.gpx"] and out["title"].iat[0] == "From the log"
    assert len(notes) == 1 and "log.csv" in notes[0].reason
    other_size = dict(agree, distance_km=5.0, elapsed_s=1500.0)
    assert len(dedupe(_frame(dict(row), other_size))) == 2
    next_day = dict(agree, at=31 * 3600)
    assert len(dedupe(_frame(dict(row), next_day))) == 2
    # two date-only rows of two logs never merge with each other
    assert len(dedupe(_frame(dict(row), dict(row, source="log2.csv")))) == 2


def test_many_activities_at_one_instant_are_compared_with_bounded_neighbours():
    # a log of 20,000 timed rows at the same minute (a spreadsheet fill-down): every row is
    # a distinct session of the same file; the neighbour window must not go quadratic
    n = 20_000
    rows = pd.DataFrame({
        "activity_id": [f"{i:016d}" for i in range(n)],
        "source": "log.csv", "format": "log_csv",
        "start_time": pd.Timestamp("2026-02-02 07:00Z"),
        "distance_km": 5.0, "elapsed_s": 1500.0, "sport": "running",
    })
    out = dedupe(schema.conform(rows, schema.ACTIVITY))
    assert len(out) == n


# -- implausible values ----------------------------------------------------------------------


def test_impossible_activities_are_set_aside_with_a_note(tmp_path):
    res = read(log(tmp_path, "log.csv", "2026-02-02 07:00,999,30:00,run,Typo",
                   "2026-02-03 07:00,10,50:00,run,Real"))
    assert list(res.activities["title"]) == ["Real"]
    aside = [p for p in res.problems if "set aside" in p.reason]
    assert len(aside) == 1 and aside[0].source.endswith("log.csv")
    assert "faster than any human" in aside[0].reason


def test_a_42950_km_session_is_set_aside():
    frame = _frame({"source": "a.fit", "format": "fit", "distance_km": 42_950.0,
                    "elapsed_s": 3600.0},
                   {"source": "b.fit", "format": "fit", "at": 86400, "distance_km": 12.0,
                    "elapsed_s": 3600.0})
    kept, notes = set_aside(frame)
    assert list(kept["source"]) == ["b.fit"]
    assert len(notes) == 1 and "beyond a day's reach" in notes[0].reason


def test_set_aside_activities_drive_no_finding(tmp_path):
    rows = [f"2026-01-{d:02d} 07:00,8,45:00,run,easy" for d in range(5, 30, 2)]
    folder = tmp_path / "runs"
    folder.mkdir()
    log(folder, "log.csv", *rows, "2026-01-31 07:00,999,30:00,run,typo")
    res = CliRunner().invoke(cli, ["check", str(folder), "--format", "json", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "typo" not in res.stdout
    assert "999" not in "".join(line for line in res.stdout.splitlines() if "value" in line)


# -- training-log text ---


def test_an_unclosed_quote_skips_its_line_and_keeps_the_rest(tmp_path):
    rows = [f"2026-02-{d:02d},{d},30:00,run,day {d}" for d in range(1, 13)]
    rows[3] = '2026-02-04,4,30:00,run,"never closed'
    res = read(log(tmp_path, "log.csv", *rows))
    assert len(res.activities) == 11
    warning = [p for p in res.problems if "quote" in p.reason]
    assert len(warning) == 1 and "line 5" in warning[0].reason


@pytest.mark.parametrize("date", ["9999-12-31", "0000-01-01", "now", "today", "1969-12-31"])
def test_implausible_log_dates_skip_the_row_named_by_its_line(tmp_path, date):
    path = log(tmp_path, "log.csv", "2026-02-02,5,25:00,run,ok", f"{date},6,30:00,run,bad",
               "2026-02-03,7,35:00,run,ok")
    res = read(path)
    assert list(res.activities["distance_km"]) == [5.0, 7.0]
    (warning,) = [p for p in res.problems if p.kind == "warning"]
    assert "line 3" in warning.reason
    out = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert out.exit_code == 0 and "Traceback" not in out.output
