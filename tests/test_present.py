"""The present is the calendar's present: this week is the week holding today, the last run
and the days since it are said, an old week is shown under its own label, and other sports
never blank the analysis (issue 11, items 1 and 3)."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from loadwatch import format as fmt
from loadwatch.batch import AthleteSummary, BatchResult, _finish, render_index
from loadwatch.cli import check_text, cli
from loadwatch.pipeline import analyse_activities
from loadwatch.problems import UsageError
from loadwatch.report.context import build_context
from loadwatch.result import (
    LAST_WEEK,
    LATEST_WITH_RUNS,
    THIS_WEEK,
    current_findings,
    fails,
    present,
    shown_weeks,
)
from loadwatch.settings import Settings, parse_settings
from tests.rules.synth import run, table, weeks_of_runs

#: 2021-W21 .. 2021-W26: six weeks of runs ending Sun 4 Jul 2021 (the NRC series' last day),
#: the last week 50 % up on the one before (a caution of the 10 % rule)
OLD = dt.date(2021, 5, 24)
HR = {150: 30.0, 175: 10.0, 186: 1.0}


def old_history(**kw: object) -> list[dict]:
    return weeks_of_runs([20, 20, 20, 20, 20, 30], start=OLD, days=(0, 3, 6), hr=HR, **kw)


def test_a_stale_history_is_not_this_week() -> None:
    a = analyse_activities(table(old_history()), today=dt.date(2026, 12, 1))
    now = present(a)
    assert (now.week, now.last_run, now.days_since_last_run) == ("2026-W49",
                                                                 dt.date(2021, 7, 4), 1976)
    assert now.stale
    assert now.focus.label == LATEST_WITH_RUNS and not now.focus.current
    assert now.focus.row["week"] == "2021-W26"
    # the old week's caution is history: not current, never a --fail-on
    assert (a.findings["week"] == "2021-W26").any()
    assert current_findings(a).empty
    assert not fails(current_findings(a)["severity"], "info")
    # the shown weeks are the latest with runs, not five years of empty weeks
    assert shown_weeks(a, 4)["week"].iloc[-1] == "2021-W26"
    text = check_text(a, 4)
    assert "No runs since Sun 4 Jul 2021, 1,976 days ago (no recent data)" in text
    assert "Latest week with runs: 2021-W26 (28 Jun – 4 Jul 2021): 30.0 km, 3 runs" in text
    assert "This week" not in text and "Last week" not in text
    c = build_context(a, weeks=4)
    assert c.current.label == LATEST_WITH_RUNS and not c.current.current
    assert c.current.notice == "No runs since Sun 4 Jul 2021, 1,976 days ago"


def test_the_same_history_on_its_own_days() -> None:
    rows = table(old_history())
    sunday = analyse_activities(rows, today=dt.date(2021, 7, 4))
    assert present(sunday).focus.label == THIS_WEEK
    assert not present(sunday).stale
    assert fails(current_findings(sunday)["severity"], "caution")
    monday = analyse_activities(rows, today=dt.date(2021, 7, 5))
    now = present(monday)
    assert (now.focus.label, now.focus.row["week"], now.week) == (LAST_WEEK, "2021-W26",
                                                                 "2021-W27")
    assert now.days_since_last_run == 1
    assert fails(current_findings(monday)["severity"], "caution")  # Monday: still current
    # the report's period ends with today's (empty) week: it is part of the truth
    assert shown_weeks(monday, 4)["week"].iloc[-1] == "2021-W27"
    assert "No runs yet this week (2021-W27)" in check_text(monday, 4)
    later = analyse_activities(rows, today=dt.date(2021, 7, 14))
    assert present(later).focus.label == LATEST_WITH_RUNS
    assert not present(later).stale  # 10 days: quiet, not stale
    assert not fails(current_findings(later)["severity"], "info")


def test_stale_after_days_is_a_setting_checked_by_unit() -> None:
    rows = table(old_history())
    s = parse_settings({"report": {"stale_after_days": 7}})
    assert s.stale_after_days == 7
    assert present(analyse_activities(rows, s, today=dt.date(2021, 7, 14))).stale
    for bad in (0, -3, 2.5, "14", 400):
        with pytest.raises(UsageError, match=r"report\.stale_after_days"):
            parse_settings({"report": {"stale_after_days": bad}})
    with pytest.raises(UsageError, match="unknown key"):
        parse_settings({"report": {"stale_days": 3}})


def test_a_walk_long_after_the_last_run_blanks_nothing() -> None:
    """A 19-second walk 300 days later: the runs keep their heart rate and their weeks."""
    walk = run(dt.date(2022, 5, 1), 0.02, sport="walking", pace_min_km=16.0)
    a = analyse_activities(table([*old_history(), walk]), today=dt.date(2022, 5, 2))
    runs = a.activities[a.activities["sport"] == "running"]
    assert np.isfinite(runs["trimp"].to_numpy(float)).all()
    assert any(d.startswith("max HR 186") for d in a.defaults_used)
    assert not any("set athlete.max_hr" in d for d in a.defaults_used)
    now = present(a)
    assert now.last_run == dt.date(2021, 7, 4) and now.stale
    shown = shown_weeks(a, 4)
    assert shown["week"].iloc[-1] == "2021-W26" and shown["runs"].sum() == 12
    assert build_context(a, weeks=4).current.distance == "30.0 km"


def test_a_ride_after_the_last_run_is_listed_beside_it() -> None:
    ride = run(dt.date(2021, 7, 3), 40.0, sport="cycling", pace_min_km=2.0)
    walk = run(dt.date(2021, 7, 1), 3.0, sport="walking", pace_min_km=12.0, hour=18)
    a = analyse_activities(table([*old_history(), ride, walk]), today=dt.date(2021, 7, 4))
    now = present(a)
    assert now.focus.label == THIS_WEEK and int(now.focus.row["runs"]) == 3
    assert dict(now.other_sports) == {"cycling": 1, "walking": 1}
    assert now.other_hours == pytest.approx((40 * 2 + 3 * 12) / 60)
    assert "; also: 1 ride, 1 walk (1.9 h)" in check_text(a, 2)
    assert build_context(a, weeks=2).current.also == "also: 1 ride, 1 walk (1.9 h)"


def test_a_ride_as_the_latest_file_is_not_a_clean_week_at_zero() -> None:
    ride = run(dt.date(2021, 7, 20), 40.0, sport="cycling", pace_min_km=2.0)
    a = analyse_activities(table([*old_history(), ride]), today=dt.date(2021, 7, 21))
    now = present(a)
    assert now.focus.row["week"] == "2021-W26" and int(now.focus.row["runs"]) == 3
    assert now.days_since_last_run == 17 and now.stale
    c = build_context(a, weeks=4)
    assert c.current.distance == "30.0 km" and c.current.notice.startswith("No runs since")


def test_heart_rate_without_a_maximum_says_how_to_use_it() -> None:
    # a strap that never held a plausible peak (all below 120 bpm): no maximum to estimate
    rows = weeks_of_runs([20] * 6, start=OLD, hr={100: 40.0})
    a = analyse_activities(table(rows), today=dt.date(2021, 7, 4))
    assert any("set athlete.max_hr to use your heart rate" in d for d in a.defaults_used)
    assert any("set athlete.max_hr to use your heart rate" in n for n in a.not_evaluated)
    assert not any("no heart rate" in n.lower() for n in a.not_evaluated)


def test_check_json_carries_last_run(tmp_path: Path) -> None:
    folder = tmp_path / "kim"
    folder.mkdir()
    lines = ["date,distance_km,duration,sport"]
    day = dt.date(2021, 5, 24)
    while day <= dt.date(2021, 7, 4):
        if day.weekday() in (1, 3, 6):
            lines.append(f"{day} 07:00,8,45:00,running")
        day += dt.timedelta(days=1)
    lines.append("2021-07-06 07:00,20,60:00,cycling")
    (folder / "log.csv").write_text("\n".join(lines) + "\n")
    args = ["check", str(folder), "--no-cache", "--format", "json", "--weeks", "2"]
    doc = json.loads(CliRunner().invoke(cli, [*args, "--today", "2026-12-01"]).output)
    assert (doc["last_run"], doc["days_since_last_run"], doc["stale"]) == ("2021-07-04",
                                                                          1976, True)
    assert doc["this_week"] == "2026-W49"
    assert doc["focus"]["label"] == LATEST_WITH_RUNS and doc["focus"]["week"] == "2021-W26"
    assert [w["week"] for w in doc["weeks"]] == ["2021-W26", "2021-W25"]
    doc = json.loads(CliRunner().invoke(cli, [*args, "--today", "2021-07-07"]).output)
    assert (doc["last_run"], doc["days_since_last_run"], doc["stale"]) == ("2021-07-04",
                                                                          3, False)
    assert doc["focus"]["label"] == LAST_WEEK and doc["focus"]["other_sports"] == {}
    text = CliRunner().invoke(cli, ["check", str(folder), "--no-cache", "--today",
                                    "2026-12-01"]).output
    assert "No runs since Sun 4 Jul 2021, 1,976 days ago" in text


# --- the index ----------------------------------------------------------------------------


class _Rows(HTMLParser):
    """The squad table's rows: (class, [cell texts])."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr" and dict(attrs).get("class", "").startswith("s-"):
            self.rows.append((dict(attrs)["class"], []))
        elif tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data + " ")


def _summary(name: str, severity: str | None, days: int | None, stale: bool,
             focus: str = THIS_WEEK) -> AthleteSummary:
    last = None if days is None else (dt.date(2026, 12, 1) - dt.timedelta(days=days))
    return AthleteSummary(
        name, name.lower(), "ok", report=f"{name.lower()}.html", severity=severity,
        week="2026-W49", distance_km=10.0, runs=2,
        findings=[] if severity is None else [{"rule": "weekly_distance_jump",
                                               "severity": severity, "week": "2026-W49",
                                               "message": "rose", "new": False}],
        last_run=last.isoformat() if last else None, days_since_last_run=days, stale=stale,
        today="2026-12-01", this_week="2026-W49", focus=focus)


def test_index_lists_stale_athletes_after_current_ones_in_grey() -> None:
    rows = [_summary("Old", None, 1976, True), _summary("Quiet", None, 3, False),
            _summary("Lapsed", None, 30, True), _summary("Hot", "caution", 1, False),
            _summary("Never", None, None, True),
            _summary("Resting", None, 10, False, LATEST_WITH_RUNS),
            AthleteSummary("Broken", "broken", "failed", error="no files")]
    _finish(rows, None, None)
    assert [r.name for r in rows] == ["Hot", "Quiet", "Resting", "Lapsed", "Old",
                                      "Never", "Broken"]
    html = render_index(BatchResult(rows, Path("index.html"), Path("summary.json"),
                                    "2026-12-01T08:00:00+00:00", None))
    parsed = _Rows()
    parsed.feed(html)
    got = {cells[0]: (cls, cells) for cls, cells in parsed.rows}
    assert got["Old"][0] == "s-stale" and got["Old"][1][1] == "No recent data"
    assert got["Old"][1][3] == "Sun 4 Jul 2021 1,976 days ago"
    assert "No runs since Sun 4 Jul 2021, 1,976 days ago." in got["Old"][1][-1]
    assert got["Quiet"][0] == "s-none" and got["Quiet"][1][3].endswith("3 days ago")
    assert got["Never"][1][3] == "–"
    # a ride this week after a run 10 days ago: not stale, but never "nothing this week"
    assert got["Resting"][0] == "s-none"
    assert got["Resting"][1][-1].startswith("No runs since Sat 21 Nov 2026, 10 days ago")
    assert got["Hot"][0] == "s-caution"
    assert "This week (2026-W49), most severe first" in html
    assert ".b-stale" in html


def test_summary_rows_carry_last_run(tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_DATA

    args = ["batch", str(SAMPLE_DATA / "roster.toml"), "-o", str(tmp_path / "out"),
            "--today", "2026-12-01", "--no-cache", "--jobs", "1", "--fail-on", "never"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    doc = json.loads((tmp_path / "out" / "summary.json").read_text())
    for a in doc["athletes"]:
        assert a["today"] == "2026-12-01" and a["this_week"] == "2026-W49"
        last = dt.date.fromisoformat(a["last_run"])
        assert a["days_since_last_run"] == (dt.date(2026, 12, 1) - last).days
        assert a["stale"] == (a["days_since_last_run"] > 14)


def test_format_of_the_present() -> None:
    assert fmt.no_runs_since(dt.date(2021, 7, 4), 1976) == \
        "No runs since Sun 4 Jul 2021, 1,976 days ago"
    assert fmt.no_runs_since(None, None) == "No runs in the data"
    assert fmt.days_ago(1) == "yesterday"
    assert fmt.week_span(dt.date(2020, 12, 28)) == "28 Dec 2020 – 3 Jan 2021"
    assert fmt.other_sports((("cycling", 2), ("walking", 1)), 3.21) == \
        "also: 2 rides, 1 walk (3.2 h)"
    assert fmt.other_sports((), 0.0) == ""
    assert Settings().stale_after_days == 14


def test_check_lists_each_weeks_findings_most_severe_first_and_whole() -> None:
    import pandas as pd

    a = analyse_activities(table(old_history()), today=dt.date(2021, 7, 4))
    caution = a.findings[a.findings["week"] == "2021-W26"].iloc[[0]]
    long_text = "An info note that goes on " + "and on " * 300 + "to its very last word."
    info = caution.assign(severity="info", template=long_text, facts=[{}], rule="load_ratio")
    warning = caution.assign(severity="warning", template="A warning.", facts=[{}])
    # listed first in the frame: the text must sort them, not keep this order
    a.findings = pd.concat([info, caution, warning, a.findings], ignore_index=True)
    flat = " ".join(check_text(a, 1).split())
    block = flat[flat.index("2021-W26 (from"):]
    at = [block.index(t) for t in ("WARNING ", "CAUTION ", "INFO ")]
    assert at == sorted(at)
    assert long_text in block  # never cut short
