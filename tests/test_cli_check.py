"""`loadwatch check` and `loadwatch weekly` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch import read
from loadwatch.cli import cli
from loadwatch.problems import Problem
from tests.rules.synth import table, weeks_of_runs


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder whose 'files' read as 2026-W02..W06 with a caution in W05 (32 -> 44 km)."""
    acts = table(weeks_of_runs([30, 32, 32, 44, 44], source=str(tmp_path / "a.fit")))

    def fake_read(paths, *, timezone=None, jobs=1, **kw):
        return read.ReadResult(activities=acts, problems=[Problem("bad.fit", "truncated")],
                               files_read=16)

    monkeypatch.setattr(read, "read_activities", fake_read)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_check_json_shape(folder: Path) -> None:
    res = invoke("check", str(folder), "--format", "json", "--today", "2026-02-08")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert list(doc) == ["athlete", "generated", "weeks", "findings", "envelope", "problems",
                         "local_time", "today", "this_week", "last_run", "days_since_last_run",
                         "stale", "focus"]
    assert [w["week"] for w in doc["weeks"]] == [f"2026-W0{i}" for i in (6, 5, 4, 3, 2)]
    assert doc["weeks"][0]["week_start"] == "2026-02-02"
    assert doc["weeks"][1]["distance_km"] == pytest.approx(44)
    assert "hr_hist_s" not in doc["weeks"][0]
    f = doc["findings"]
    assert next(x["rule"] for x in f if x["week"] == "2026-W05") == "weekly_distance_jump"
    jump = next(x for x in f if x["rule"] == "weekly_distance_jump")
    assert list(jump) == ["rule", "severity", "week", "week_start", "date", "activity_id",
                          "value", "threshold", "unit", "threshold_name", "baseline", "facts",
                          "message", "conditions", "evidence", "advice"]
    assert (jump["week_start"], jump["threshold_name"], jump["baseline"]) == (
        "2026-01-26", "caution", pytest.approx(32))
    assert jump["facts"]["prev"] == [pytest.approx(32), "km"]
    assert jump["advice"].startswith("Hold this week's distance")
    assert (jump["severity"], jump["value"], jump["threshold"], jump["unit"]) == (
        "caution", 37.5, 30.0, "%")
    assert jump["conditions"][0] == "trochanteric_bursitis"
    env = doc["envelope"]
    assert env["week"] == "2026-W07" and env["week_start"] == "2026-02-09"
    assert (env["first_day"], env["week_end"], env["this_week"]) == (
        "2026-02-09", "2026-02-15", False)
    assert env["period"] == "Next week, 2026-W07 (Mon 09 Feb to Sun 15 Feb)"
    assert env["distance_km"] == pytest.approx(57.2)
    assert env["basis"]["distance_km"].startswith(
        "Weekly distance jump (the 10 % rule): +30 % on 44.0 km")
    assert doc["problems"] == [{"source": "bad.fit", "reason": "truncated"}]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 0),
        (("--fail-on", "never"), 0),
        # only current findings count (this week's, the one batch leads with): W06 has
        # none, W05's caution is history whatever --weeks shows
        (("--fail-on", "caution"), 0),
        (("--fail-on", "info"), 0),
        (("--fail-on", "caution", "--weeks", "2"), 0),
        # on Sunday of W05 (W06's runs not yet run) the caution is current
        (("--fail-on", "caution", "--today", "2026-02-01"), 1),
        (("--fail-on", "info", "--today", "2026-02-01", "--weeks", "1"), 1),
        (("--fail-on", "warning", "--today", "2026-02-01"), 0),
    ],
)
def test_check_exit_codes(folder: Path, args: tuple[str, ...], code: int) -> None:
    assert invoke("check", str(folder), *args).exit_code == code


def test_check_text_newest_first(folder: Path) -> None:
    res = invoke("check", str(folder), "--weeks", "3", "--today", "2026-02-08")
    assert res.exit_code == 0
    out = res.output
    assert out.index("2026-W06 (from 02 Feb 2026)") < out.index("2026-W05") < out.index(
        "2026-W04")
    assert "2026-W03 (" not in out
    assert ("  CAUTION   Weekly distance jump (the 10 % rule)\n    Weekly distance rose 38 % "
            "(32.0 km to 44.0 km)") in out
    assert ("Next week, 2026-W07 (Mon 09 Feb to Sun 15 Feb) holds without a caution: "
            "distance 57.2 km") in out
    assert "resting HR 60 bpm (assumed" in out
    assert "bad.fit: truncated" in out
    assert out.rstrip().endswith("It cannot tell whether you are injured.")


def test_weekly_formats(folder: Path) -> None:
    csv = invoke("weekly", str(folder), "--format", "csv")
    assert csv.exit_code == 0
    lines = csv.output.splitlines()
    assert lines[0].startswith("week,week_start,distance_km,moving_s,runs,longest_run_km")
    assert lines[1].startswith("2026-W02,2026-01-05,30.0,")
    js = json.loads(invoke("weekly", str(folder), "--format", "json").stdout)
    assert [w["runs"] for w in js] == [3] * 5
    table_out = invoke("weekly", str(folder)).stdout.splitlines()
    assert table_out[0].split()[:4] == ["week", "start", "km", "runs"]
    assert table_out[4].split()[:4] == ["2026-W05", "2026-01-26", "44.0", "3"]


def test_config_errors_are_one_line(folder: Path) -> None:
    (folder / "loadwatch.toml").write_text('[athlete]\nmax_hr = "abc"\n')
    res = invoke("check", str(folder))
    assert res.exit_code == 2
    assert res.output == ("Error: loadwatch.toml: athlete.max_hr = 'abc': expected a maximum "
                          "heart rate in bpm (100 to 250)\n")
    res = invoke("weekly", str(folder), "--config", str(folder / "missing.toml"))
    assert res.exit_code == 2 and "config file not found" in res.output


def test_config_override_changes_the_findings(folder: Path) -> None:
    (folder / "loadwatch.toml").write_text(
        '[athlete]\nname = "Sam"\n[thresholds.weekly_distance_jump]\ncaution = 0.5\n')
    doc = json.loads(invoke("check", str(folder), "--format", "json").output)
    assert doc["athlete"] == "Sam"
    jump = next(x for x in doc["findings"] if x["rule"] == "weekly_distance_jump")
    assert (jump["severity"], jump["threshold"]) == ("info", 10.0)


def test_nothing_to_read(tmp_path: Path) -> None:
    res = invoke("check", str(tmp_path))
    assert res.exit_code == 2
    assert res.output.startswith("Error: no activities found in ")
    assert len(res.output.splitlines()) == 1
    res = invoke("weekly", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "no such file or folder" in res.output


@pytest.mark.parametrize("command", ["check", "weekly"])
def test_help_has_examples(command: str) -> None:
    res = invoke(command, "--help")
    assert res.exit_code == 0
    assert "Examples:" in res.output and f"loadwatch {command} " in res.output


def test_check_on_real_series(realdata: Path) -> None:
    folder = realdata / "gpx" / "series_runpandas_nrc"
    res = invoke("check", str(folder), "--format", "json", "--weeks", "60")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["weeks"][-1]["week"] == "2020-W27" and doc["weeks"][0]["week"] == "2021-W26"
    assert sum(w["runs"] for w in doc["weeks"]) >= 60
    rules = {f["rule"] for f in doc["findings"]}
    assert "weekly_distance_jump" in rules and "return_after_break" in rules
    assert all(f["severity"] != "seek_care" for f in doc["findings"])


def test_units_mi_everywhere_in_check_and_weekly(folder: Path) -> None:
    """--units mi: no 'km' in the text outside proper names (here: none), JSON messages too."""
    import re

    text = invoke("check", str(folder), "--units", "mi").output
    assert "Weekly distance rose 38 % (19.9 mi to 27.3 mi)" in text
    # the Assumed: line's load per distance too (a fixed 6.0 AU/km is 9.7 AU/mi)
    assumed = next(line for line in text.splitlines() if line.startswith("Assumed: "))
    assert "without HR from distance: 9.7 AU/mi (a fixed factor)" in assumed
    assert re.findall(r"km\b", text) == []
    doc = json.loads(invoke("check", str(folder), "--units", "mi", "--format", "json").output)
    messages = " ".join(f["message"] for f in doc["findings"])
    messages += " ".join(doc["envelope"]["basis"].values())
    assert messages and re.findall(r"km\b", messages) == []
    table = invoke("weekly", str(folder), "--units", "mi").output
    assert re.findall(r"km\b", table) == [] and " mi " in table.splitlines()[0] + " "
    assert "27.3" in table  # 44 km
