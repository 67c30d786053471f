"""`loadwatch pain`: a validated row appended to symptoms.csv, read back by the reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.painlog import log_pain
from loadwatch.problems import UsageError
from loadwatch.rules.symptoms import COLUMNS, read_symptoms


def _run(*args: str):
    return CliRunner().invoke(cli, ["pain", *args], prog_name="loadwatch")


def test_creates_the_log_with_its_header(tmp_path: Path):
    r = _run("3", "--area", "groin", "--night-pain", "--notes", "after the long run",
             "--date", "2026-03-04", str(tmp_path))
    assert r.exit_code == 0, r.output
    log = tmp_path / "symptoms.csv"
    assert r.output == (
        f"logged pain 3/10 (groin) on 2026-03-04 in {log}\n"
        "red flags: pain at night or at rest: stop running and get prompt medical assessment\n"
    )
    lines = log.read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "2026-03-04,groin,3,no,yes,no,no,no,no,after the long run"
    rows, problems = read_symptoms(log)
    assert problems == []
    assert rows["red_flags"].tolist() == [["pain at night or at rest"]]


def test_appends_to_an_existing_log_keeping_its_rows_and_order(tmp_path: Path):
    log = tmp_path / "symptoms.csv"
    log.write_text('pain,date,notes\n2,2026-03-01,"sore, a bit"\n')
    log_pain(tmp_path, 1.5, area="calf", date=dt.date(2026, 3, 2), red_flags=["limp"])
    rows, problems = read_symptoms(log)
    assert problems == []
    assert rows["pain"].tolist() == [2.0, 1.5]
    assert rows["notes"].tolist() == ["sore, a bit", ""]
    assert rows["limp"].tolist() == [False, True]
    assert log.read_text().splitlines()[0].startswith("pain,date,notes,area,")


def test_appends_as_is_when_the_header_is_complete(tmp_path: Path):
    log = tmp_path / "symptoms.csv"
    _run("1", "--date", "2026-03-01", str(tmp_path))
    before = log.read_text()
    _run("0", "--date", "2026-03-02", "--area", "groin", str(log))
    after = log.read_text()
    assert after.startswith(before) and after.count("\n") == 3


def test_date_defaults_to_today(tmp_path: Path):
    _, entry = log_pain(tmp_path, 2)
    assert entry["date"].date() == dt.date.today()


@pytest.mark.parametrize(("args", "message"), [
    (["11"], "not in the range 0<=x<=10"),
    (["3", "--date", "04/03/2026"], "does not match the format '%Y-%m-%d'"),
    (["3", "--date", "2026-02-30"], "does not match the format '%Y-%m-%d'"),
])
def test_bad_values_are_one_line_errors(tmp_path: Path, args: list[str], message: str):
    r = _run(*args, str(tmp_path))
    assert r.exit_code == 2 and message in r.output
    assert not (tmp_path / "symptoms.csv").exists()


def test_a_log_without_a_date_column_is_not_touched(tmp_path: Path):
    log = tmp_path / "symptoms.csv"
    log.write_text("when,pain\nyesterday,3\n")
    r = _run("3", str(tmp_path))
    assert r.exit_code == 2 and "no 'date' column" in r.output
    assert log.read_text() == "when,pain\nyesterday,3\n"


def test_the_readers_validation_is_used():
    with pytest.raises(UsageError, match="pain must be a number from 0 to 10"):
        log_pain(".", 12)
    with pytest.raises(UsageError, match="unknown red flag"):
        log_pain(".", 2, red_flags=["headache"])


def test_a_missing_folder_is_a_usage_error(tmp_path: Path):
    r = _run("3", str(tmp_path / "nope"))
    assert r.exit_code == 2 and "no such folder" in r.output
