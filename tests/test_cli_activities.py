"""`loadwatch activities` through click's CliRunner: outputs, filters, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch import schema
from loadwatch.cli import cli

LOG = (
    "date,distance_km,duration,sport,title,avg_hr,ascent_m,shoe\n"
    "2026-02-02 07:15,8.456,45:30,,Easy loop,142,60,Pegasus\n"
    "2026-02-03 18:00,20,1:00:00,bike,Commute,,,\n"
    "2026-02-04 06:00,12,1:05:09,trail,Hills \x1b[31mred\x1b[0m,151,240,Speedgoat\n"
)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["activities", *args])


def test_table(log: Path):
    result = run(str(log))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "sport", "km", "time", "ascent", "hr", "title"]
    assert lines[1].split() == ["2026-02-02", "07:15", "running", "8.46", "0:45:30", "60", "142",
                                "Easy", "loop"]
    assert lines[2].split()[2:5] == ["cycling", "20.00", "1:00:00"]
    assert "\x1b" not in result.stdout  # terminal escapes from titles are neutralised
    assert lines[3].split()[2:4] == ["trail_running", "12.00"]
    assert len(lines) == 4
    assert result.stderr == "Read 1 file: 3 activities (2 running), 0 problems; times in UTC\n"


def test_table_with_missing_values(tmp_path: Path):
    (tmp_path / "log.csv").write_text("date,distance_km,duration\n2026-02-02,,30\n")
    result = run(str(tmp_path / "log.csv"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split() == ["2026-02-02", "00:00", "running",
                                                     "0:30:00"]


def test_sport_filter_running_includes_trail(log: Path):
    result = run(str(log), "--sport", "running")
    assert [ln.split()[2] for ln in result.stdout.splitlines()[1:]] == [
        "running", "trail_running"
    ]
    result = run(str(log), "--sport", "cycling", "--sport", "trail_running")
    assert [ln.split()[2] for ln in result.stdout.splitlines()[1:]] == [
        "cycling", "trail_running"
    ]
    bad = run(str(log), "--sport", "rowing")
    assert bad.exit_code == 2 and "unknown sport 'rowing'" in bad.stderr


def test_csv_output_has_public_columns(log: Path):
    result = run(str(log), "--format", "csv", "--timezone", "Europe/Paris")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == schema.ACTIVITY.public_names
    assert rows[0]["start_time"] == "2026-02-02 06:15:00+00:00"
    assert rows[0]["utc_offset_min"] == "60"
    assert rows[0]["format"] == "log_csv" and rows[0]["shoe"] == "Pegasus"


def test_json_output(log: Path):
    result = run(str(log), "--format", "json", "--sport", "running")
    data = json.loads(result.stdout)
    assert [d["title"] for d in data] == ["Easy loop", "Hills \x1b[31mred\x1b[0m"]
    assert data[0]["distance_km"] == 8.456 and data[0]["start_time"] == "2026-02-02T07:15:00+00:00"
    assert "hr_hist_s" not in data[0]


def test_problems_listed_and_exit_zero_when_something_read(log: Path, tmp_path: Path):
    (tmp_path / "broken.fit.gz").write_bytes(b"\x1f\x8b\x08\x00junkjunk")
    result = run(str(tmp_path), str(tmp_path / "nope.gpx"))
    assert result.exit_code == 0
    err = result.stderr.splitlines()
    assert err[0] == "Read 1 file: 3 activities (2 running), 2 problems; times in UTC"
    assert err[1].startswith(f"{tmp_path / 'broken.fit.gz'}: corrupt gzip data")
    assert err[2] == f"{tmp_path / 'nope.gpx'}: no such file or folder"
    assert "Traceback" not in result.output


def test_exit_two_when_nothing_read(tmp_path: Path):
    (tmp_path / "bad.csv").write_text("a,b,c\n1,2,3\n")
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Read 1 file: 0 activities (0 running), 1 problem\n")
    assert "CSV columns not recognised (a, b, c)" in result.stderr
    assert result.stderr.endswith("Error: no activity could be read from the paths given.\n")


def test_bad_timezone_and_missing_argument(log: Path):
    result = run(str(log), "--timezone", "Nowhere/Land")
    assert result.exit_code == 2
    assert "unknown time zone 'Nowhere/Land'" in result.stderr
    assert "Traceback" not in result.output
    assert run().exit_code == 2


def test_help_has_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--timezone" in result.stdout
    assert "loadwatch activities sample_data/" in result.stdout


def test_cache_dir_is_filled_once_and_reused_and_no_cache_leaves_none(tmp_path):
    import sqlite3

    from loadwatch.cache import DB_NAME
    from tests.conftest import SAMPLE_DATA

    folder = str(SAMPLE_DATA / "sam" / "exports")
    cache_dir = tmp_path / "c"
    first = CliRunner().invoke(cli, ["activities", folder, "--format", "csv",
                                     "--cache-dir", str(cache_dir), "-j", "1"])
    assert first.exit_code == 0, first.output
    rows = sqlite3.connect(cache_dir / DB_NAME).execute("SELECT count(*) FROM parsed").fetchone()
    assert rows[0] >= 1
    again = CliRunner().invoke(cli, ["activities", folder, "--format", "csv",
                                     "--cache-dir", str(cache_dir), "-j", "1"])
    assert again.stdout == first.stdout
    none_dir = tmp_path / "none"
    bypass = CliRunner().invoke(cli, ["activities", folder, "--format", "csv", "--no-cache",
                                      "--cache-dir", str(none_dir)])
    assert bypass.stdout == first.stdout
    assert not none_dir.exists()
