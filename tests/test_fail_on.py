"""One fail-on decision for ``check`` and ``batch``: the current findings.

A red flag logged on Saturday is current on the Monday after (the new week has no runs
yet), so ``check --today <Monday> --fail-on caution --weeks 1`` exits 1 exactly as
``batch`` does; on the Friday before, the entry is in the future and neither does. It
stays current for 14 days (until a pain-free entry clears it), then neither fails.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

HEADER = "date,area,pain,weight_bearing_pain,night_pain,limp,hop_pain,clicking,fever,notes\n"


@pytest.fixture
def athlete(tmp_path: Path) -> Path:
    """Six even weeks of runs (a training log), a night-pain entry on Sat 14 Feb 2026."""
    folder = tmp_path / "kim"
    folder.mkdir()
    lines = ["date,distance_km,duration"]
    day = dt.date(2026, 1, 5)
    while day <= dt.date(2026, 2, 14):
        if day.weekday() in (1, 3, 5):
            lines.append(f"{day} 07:00,8,45:00")
        day += dt.timedelta(days=1)
    (folder / "log.csv").write_text("\n".join(lines) + "\n")
    (folder / "symptoms.csv").write_text(HEADER + "2026-02-14,groin,4,no,yes,no,no,no,no,\n")
    (tmp_path / "roster.toml").write_text('[[athlete]]\nname = "Kim"\npaths = ["kim"]\n')
    return tmp_path


def _check(root: Path, today: str) -> int:
    args = ["check", str(root / "kim"), "--today", today, "--fail-on", "caution",
            "--weeks", "1", "--no-cache"]
    return CliRunner().invoke(cli, args).exit_code


def _batch(root: Path, today: str) -> int:
    args = ["batch", str(root / "roster.toml"), "-o", str(root / f"out-{today}"), "--today",
            today, "--fail-on", "caution", "--quiet", "--no-cache", "--jobs", "1"]
    return CliRunner().invoke(cli, args).exit_code


@pytest.mark.parametrize(("today", "code"), [("2026-02-13", 0), ("2026-02-15", 1),
                                              ("2026-02-16", 1)])
def test_check_and_batch_agree(athlete: Path, today: str, code: int) -> None:
    assert _check(athlete, today) == code
    assert _batch(athlete, today) == code


def _keep_running(root: Path, until: dt.date) -> None:
    """The same three runs a week carry on after the red flag, up to ``until``."""
    day = dt.date(2026, 2, 15)
    with (root / "kim" / "log.csv").open("a") as fh:
        while day <= until:
            if day.weekday() in (1, 3, 5):
                fh.write(f"{day} 07:00,8,45:00\n")
            day += dt.timedelta(days=1)


@pytest.mark.parametrize(("today", "code"), [("2026-02-25", 1), ("2026-02-28", 1),
                                              ("2026-03-02", 0)])
def test_a_red_flag_stays_current_for_14_days(athlete: Path, today: str, code: int) -> None:
    """Runs went on after Saturday's red flag, so the weeks shown have moved on: the flag
    still counts for 14 days (exit 1 at caution), then no longer."""
    _keep_running(athlete, dt.date.fromisoformat(today))
    assert _check(athlete, today) == code
    assert _batch(athlete, today) == code


def test_a_pain_free_entry_clears_the_red_flag(athlete: Path) -> None:
    _keep_running(athlete, dt.date(2026, 2, 25))
    with (athlete / "kim" / "symptoms.csv").open("a") as fh:
        fh.write("2026-02-20,groin,0,no,no,no,no,no,no,assessed; fine\n")
    assert _check(athlete, "2026-02-25") == 0
    assert _batch(athlete, "2026-02-25") == 0


def test_bad_today_is_one_line(athlete: Path) -> None:
    out = CliRunner().invoke(cli, ["check", str(athlete / "kim"), "--today", "02/16/2026"])
    assert out.exit_code == 2
    assert "--today" in out.output and "Traceback" not in out.output


def test_quiet_prints_what_the_readme_says(athlete: Path) -> None:
    """README, cron: nothing when all is well; else the flagged athletes on stdout, the
    counts line on stderr and the index's path on stdout."""
    def quiet(today: str):
        args = ["batch", str(athlete / "roster.toml"), "-o", str(athlete / f"q-{today}"),
                "--today", today, "--fail-on", "caution", "--quiet", "--no-cache",
                "--jobs", "1"]
        return CliRunner().invoke(cli, args)

    calm = quiet("2026-02-13")
    assert (calm.exit_code, calm.stdout, calm.stderr) == (0, "", "")
    loud = quiet("2026-02-16")
    assert loud.exit_code == 1
    out = loud.stdout.splitlines()
    assert len(out) == 2
    assert out[0].startswith("Kim: seek_care red_flag_symptoms (2026-W07): ")
    assert out[1] == str(athlete / "q-2026-02-16" / "index.html")
    err = loud.stderr.splitlines()
    assert len(err) == 1 and err[0].startswith("1 athlete: 1 seek care")
