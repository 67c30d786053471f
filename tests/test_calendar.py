"""One clock (loadwatch.calendar): the same local day and week in every layer.

The end-to-end tests read real GPX files written here: a season of 8 km runs and one
16 km run that starts on Sunday 15 Feb 2026 at 23:30 UTC, which is Monday 00:30 in
Amsterdam. For an athlete with ``timezone = "Europe/Amsterdam"`` it is a Monday run of
2026-W08 everywhere; for one without a zone (GPX carries no offset) a Sunday run of
2026-W07 everywhere: the activity table, the weekly frame, the findings, the report's
cards and the long-run plot.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch import calendar
from loadwatch.cli import cli
from loadwatch.pipeline import analyse, analyse_activities
from loadwatch.problems import UsageError
from loadwatch.report.context import build_context, fmt_day
from loadwatch.report.render import render_report
from loadwatch.settings import check_timezone
from tests.rules.synth import run, table

LATE = pd.Timestamp("2026-02-15 23:30", tz="UTC")  # Sun in UTC, Mon 00:30 in Amsterdam
MONDAY_AMS, SUNDAY_UTC = pd.Timestamp("2026-02-16"), pd.Timestamp("2026-02-15")


# --- the calendar itself ------------------------------------------------------------------


def test_precedence_zone_then_file_offset_then_utc() -> None:
    acts = table([
        run(None, 5, start=LATE, utc_offset_min=-300),  # the file says UTC-5
        run(None, 5, start=LATE + pd.Timedelta(hours=1)),  # no offset in the file
    ])
    zoned = calendar.local_start(acts, "Europe/Amsterdam")
    assert list(zoned.dt.strftime("%a %H:%M")) == ["Mon 00:30", "Mon 01:30"]
    assert list(calendar.local_time_from(acts, "Europe/Amsterdam")) == ["zone", "zone"]
    bare = calendar.local_start(acts, None)
    assert list(bare.dt.strftime("%a %H:%M")) == ["Sun 18:30", "Mon 00:30"]
    assert list(calendar.local_time_from(acts, None)) == ["file", "utc"]
    assert calendar.describe(acts, None) == (
        "the files' own UTC offsets (UTC where a file has none)")
    assert calendar.describe(acts, "Europe/Amsterdam") == "Europe/Amsterdam"
    assert calendar.describe(acts.iloc[1:], None) == "UTC"


@pytest.mark.parametrize(
    ("day", "monday", "label"),
    [
        ("2026-02-15", "2026-02-09", "2026-W07"),  # a Sunday
        ("2026-02-16", "2026-02-16", "2026-W08"),  # a Monday
        ("2027-01-01", "2026-12-28", "2026-W53"),  # ISO year of a Friday 1 January
        ("2024-12-30", "2024-12-30", "2025-W01"),
    ],
)
def test_monday_and_week_label(day: str, monday: str, label: str) -> None:
    ts = pd.Timestamp(day) + pd.Timedelta(hours=23, minutes=59)
    assert calendar.monday(ts) == pd.Timestamp(monday)
    assert calendar.monday(dt.date.fromisoformat(day)) == pd.Timestamp(monday)
    assert calendar.sunday(ts) == pd.Timestamp(monday) + pd.Timedelta(days=6)
    assert calendar.week_label(ts) == label
    series = pd.Series([ts, ts])
    assert list(calendar.mondays(series)) == [pd.Timestamp(monday)] * 2
    assert list(calendar.week_labels(calendar.mondays(series))) == [label] * 2
    assert calendar.week_start_of_label(label) == dt.date.fromisoformat(monday)


def test_today_override_and_zone() -> None:
    assert calendar.today("Europe/Amsterdam", dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    now = dt.datetime.now(dt.UTC)
    got = calendar.today("Pacific/Kiritimati")  # UTC+14: never before today in UTC
    assert got in (now.date(), now.date() + dt.timedelta(days=1))


@pytest.mark.parametrize("name", ["Europe", "America", "Mars/Olympus", "x" * 300, "../etc",
                                  "Europe/"])
def test_not_a_zone(name: str) -> None:
    with pytest.raises(ValueError):
        calendar.zone_info(name)
    with pytest.raises(UsageError) as err:
        check_timezone(name, "athlete.timezone")
    assert "athlete.timezone" in str(err.value) and "\n" not in str(err.value)
    assert len(str(err.value)) < 120


# --- the Sunday-23:30-UTC run through every layer -----------------------------------------


def _gpx(start: pd.Timestamp, km: float, pace_s_km: float = 330.0) -> str:
    """A straight track due north: a point every 10 s at an even pace."""
    step_s = 10
    n = int(km * pace_s_km / step_s)
    deg_per_km = 1 / 111.2
    pts = []
    for i in range(n + 1):
        when = (start + pd.Timedelta(seconds=i * step_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat = 52.0 + i * step_s / pace_s_km * deg_per_km
        pts.append(f'<trkpt lat="{lat:.6f}" lon="4.900000"><ele>2</ele>'
                   f"<time>{when}</time></trkpt>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
            "<trk><name>Run</name><type>running</type><trkseg>" + "".join(pts)
            + "</trkseg></trk></gpx>")


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six weeks of 8 km runs (Tue, Thu, Sat mornings UTC), then the late 16 km run."""
    folder = tmp_path_factory.mktemp("late_run")
    first = pd.Timestamp("2026-01-06 07:00", tz="UTC")  # a Tuesday
    for w in range(6):
        for d in (0, 2, 4):
            start = first + pd.Timedelta(weeks=w, days=d)
            (folder / f"{start:%Y%m%d}.gpx").write_text(_gpx(start, 8.0))
    (folder / "late.gpx").write_text(_gpx(LATE, 16.0))
    return folder


@pytest.mark.parametrize(
    ("zone", "day", "week"),
    [("Europe/Amsterdam", MONDAY_AMS, "2026-W08"), (None, SUNDAY_UTC, "2026-W07")],
    ids=["zoned", "no-zone"],
)
def test_late_sunday_run_is_on_one_day_everywhere(
    season: Path, tmp_path: Path, zone: str | None, day: pd.Timestamp, week: str
) -> None:
    config = tmp_path / "loadwatch.toml"
    config.write_text(f'[athlete]\ntimezone = "{zone}"\n' if zone else "")
    a = analyse([season], config=config, today=day.date())
    # activity table
    late = a.activities[a.activities["distance_km"] > 12]
    assert len(late) == 1
    aid = str(late["activity_id"].iat[0])
    assert late["start_local"].dt.normalize().iat[0] == day
    assert late["local_time_from"].iat[0] == ("zone" if zone else "utc")
    # weekly frame: the 16 km run is the longest run of its week and of no other
    weekly = a.weekly.set_index("week")
    assert weekly.loc[week, "longest_run_km"] == pytest.approx(16.0, abs=0.3)
    assert (weekly.drop(index=week)["longest_run_km"] < 9).all()
    # findings about that run
    spikes = a.findings[a.findings["activity_id"] == aid]
    assert not spikes.empty
    assert set(spikes["week"]) == {week}
    assert set(spikes["date"]) == {day}
    # every report card
    ctx = build_context(a, weeks=8)
    cards = [v for v in ctx.findings if v.activity.startswith("Run (")]
    assert cards
    for v in cards:
        assert v.week == week
        assert v.day == fmt_day(day)
        assert fmt_day(day) in v.activity
    assert ctx.current is not None and ctx.current.week == week
    assert any(v.activity == cards[0].activity for v in ctx.this_week)
    # the long-run plot's data
    runs = ctx.plot_data.runs
    longest = runs.loc[runs["distance"].idxmax(), "date"]
    assert pd.Timestamp(longest).normalize() == day
    assert {pd.Timestamp(d).normalize() for d in ctx.plot_data.run_flags["date"]} == {day}
    # the command line shows the same local day
    args = ["activities", str(season), "--config", str(config), "--no-cache"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    line = next(x for x in out.stdout.splitlines() if "16.0" in x or "15.9" in x)
    assert line.startswith(f"{day:%Y-%m-%d}")
    assert ("times in Europe/Amsterdam" if zone else "times in UTC") in out.stderr


def test_today_leaves_out_later_activities(season: Path) -> None:
    a = analyse([season], today=dt.date(2026, 2, 1))
    assert a.activities["start_local"].max() < pd.Timestamp("2026-02-02")
    assert a.today == dt.date(2026, 2, 1)
    assert any("(--today) left out" in str(d) for d in a.defaults_used)


# --- devices at different UTC offsets on one day -----------------------------------------


def test_report_with_runs_out_of_utc_order_in_local_time(tmp_path: Path) -> None:
    """UTC+2 and UTC-6 devices on one day: local order differs from UTC order (was a
    ValueError 'index values must be monotonic' in the report's 30-day window)."""
    rows = []
    for w in range(5):
        monday = pd.Timestamp("2026-01-05", tz="UTC") + pd.Timedelta(weeks=w)
        rows += [run(None, 8, start=monday + pd.Timedelta(days=d, hours=7)) for d in (1, 3)]
    day = pd.Timestamp("2026-02-10", tz="UTC")
    rows += [
        run(None, 6, start=day + pd.Timedelta(hours=5), utc_offset_min=120),  # 07:00 local
        run(None, 7, start=day + pd.Timedelta(hours=6), utc_offset_min=-360),  # 00:00 local
        run(None, 12, start=day + pd.Timedelta(hours=12), utc_offset_min=-360),  # 06:00
    ]
    a = analyse_activities(table(rows), today=dt.date(2026, 2, 12))
    html = render_report(a, weeks=6)
    assert "<html" in html
    runs = build_context(a, weeks=6).plot_data.runs
    assert runs["date"].is_monotonic_increasing
    same_day = runs[runs["date"].dt.normalize() == pd.Timestamp("2026-02-10")]
    assert list(same_day["distance"]) == [7, 12, 6]


@pytest.mark.parametrize("name", ["activities", "weekly", "check", "report", "batch"])
def test_every_reading_command_takes_config_and_today(name: str) -> None:
    params = {p.name for p in cli.commands[name].params}
    assert {"config", "today"} <= params
    bad = CliRunner().invoke(cli, [name, "x", "--today", "yesterday"])
    assert bad.exit_code == 2 and "--today" in bad.output


def test_activities_reads_the_config_zone(season: Path, tmp_path: Path) -> None:
    """``activities`` reads loadwatch.toml the way the other commands do."""
    (tmp_path / "loadwatch.toml").write_text('[athlete]\ntimezone = "Asia/Tokyo"\n')
    for f in sorted(season.glob("*.gpx"))[:2]:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    out = CliRunner().invoke(cli, ["activities", str(tmp_path), "--format", "json",
                                   "--no-cache"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows[0]["local_time_from"] == "zone"
    assert rows[0]["start_local"] == "2026-01-06T16:00:00"  # 07:00 UTC is 16:00 in Tokyo
