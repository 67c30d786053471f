"""Which week a reader sees first: the latest, or the one just ended when it has no runs."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from loadwatch.batch import run_batch
from loadwatch.cache import Cache
from loadwatch.result import focus
from loadwatch.roster import read_roster
from tests.conftest import SAMPLE_DATA


def weeks(*rows: tuple[str, str, int, float]) -> pd.DataFrame:
    return pd.DataFrame([
        {"week": w, "week_start": pd.Timestamp(s), "runs": n, "distance_km": km}
        for w, s, n, km in rows
    ])


def test_latest_week_with_runs_is_this_week() -> None:
    f = focus(weeks(("2026-W45", "2026-11-02", 4, 40.0), ("2026-W46", "2026-11-09", 3, 30.0)))
    assert (f.label, f.row["week"], f.previous["week"]) == ("This week", "2026-W46", "2026-W45")
    assert f.weeks == {"2026-W46"}


def test_an_empty_latest_week_leads_with_last_week_and_keeps_both() -> None:
    f = focus(weeks(("2026-W45", "2026-11-02", 4, 40.0), ("2026-W46", "2026-11-09", 3, 30.0),
                    ("2026-W47", "2026-11-16", 0, 0.0)))
    assert (f.label, f.row["week"], f.previous["week"]) == ("Last week", "2026-W46", "2026-W45")
    assert f.weeks == {"2026-W46", "2026-W47"}
    assert focus(weeks(("2026-W47", "2026-11-16", 0, 0.0))).label == "This week"
    assert focus(weeks()) is None


def test_monday_batch_still_shows_the_weekends_red_flag(tmp_path) -> None:
    """Sam logged red flags on Saturday of W46; a run a week later must not hide them."""
    roster = read_roster(SAMPLE_DATA / "roster.toml")
    with Cache(tmp_path / "cache") as cache:
        run_batch(roster, tmp_path / "out", cache=cache, today=dt.date(2026, 11, 22))
    rows = {a["name"]: a for a in json.loads((tmp_path / "out" / "summary.json").read_text())
            ["athletes"]}
    sam = rows["Sam"]
    assert (sam["week"], sam["severity"]) == ("2026-W46", "seek_care")
    assert sam["findings"][0]["rule"] == "red_flag_symptoms"
    assert sam["distance_km"] > 0
