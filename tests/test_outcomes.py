"""loadwatch evaluate: flags against the squad's pain log, relative risk and its interval."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.outcomes import CAVEAT, athlete_weeks, relative_risk, squad_outcomes
from loadwatch.pipeline import analyse_activities
from loadwatch.schema import ACTIVITY, FINDINGS, conform
from loadwatch.settings import Settings
from tests.rules.synth import MONDAY, run

ROSTER = Path(__file__).resolve().parent.parent / "sample_data" / "roster.toml"
WEEKS = 10  # weeks 0-5 history, week 6 the long run (spike or not), weeks 7-9 follow-up
EXPOSED_WEEK = 6
TODAY = MONDAY + dt.timedelta(weeks=WEEKS - 1, days=6)


def test_relative_risk_by_hand():
    # 10/100 against 5/100: RR 2, SE sqrt(1/10 - 1/100 + 1/5 - 1/100) = 0.529
    r = relative_risk(10, 90, 5, 95)
    assert r is not None and not r.corrected
    assert r.rr == pytest.approx(2.0)
    assert (r.low, r.high) == (pytest.approx(0.709, abs=1e-3), pytest.approx(5.642, abs=1e-3))


def test_relative_risk_with_a_zero_cell_adds_one_half():
    # (0.5/11) / (5.5/11) = 0.0909, SE sqrt(2 - 1/11 + 1/5.5 - 1/11) = 1.414
    r = relative_risk(0, 10, 5, 5)
    assert r is not None and r.corrected
    assert r.rr == pytest.approx(0.0909, abs=1e-4)
    assert (r.low, r.high) == (pytest.approx(0.00569, abs=1e-4), pytest.approx(1.453, abs=1e-3))
    assert relative_risk(0, 0, 3, 4) is None


def _log(*entries: tuple[dt.date, float, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"date": pd.Timestamp(d), "pain": p, "red_flags": f}
                         for d, p, f in entries])


def test_weeks_followed_by_pain_one_to_three_weeks_later():
    monday = [pd.Timestamp(MONDAY + dt.timedelta(weeks=k)) for k in range(10)]
    weekly = pd.DataFrame({"week_start": monday})
    findings = conform([
        {"rule": "long_run_spike", "severity": "caution", "week_start": monday[2]},
        {"rule": "red_flag_symptoms", "severity": "seek_care", "week_start": monday[8]},
    ], FINDINGS)
    log = _log((monday[1].date(), 0, []),  # the log starts in week 1
               (monday[4].date() + dt.timedelta(days=3), 3, []),  # counts (>= 3)
               (monday[6].date(), 2, []),  # too mild
               (monday[8].date(), 1, ["limping or unable to bear weight"]))  # a red flag
    weeks = athlete_weeks(weekly, findings, log)
    assert weeks is not None
    got = {ws.date(): (bool(p), set(f)) for ws, p, f in weeks.itertuples(index=False)}
    # weeks 1..6 are observable (week 0 before the log, 7-9 without 3 weeks of follow-up)
    assert sorted(got) == [m.date() for m in monday[1:7]]
    assert [got[m.date()][0] for m in monday[1:7]] == [True, True, True, False, True, True]
    assert got[monday[2].date()][1] == {("long_run_spike", "caution")}
    assert all(not f for d, (_, f) in got.items() if d != monday[2].date())  # no red-flag rule
    assert athlete_weeks(weekly, findings, None) is None


# --- generated squads -------------------------------------------------------------------


def _season(long_km: float, spike: bool) -> pd.DataFrame:
    """Easy 8 km on Monday and Wednesday, a long run on Saturday; week 6's 40 % longer."""
    rows = []
    for w in range(WEEKS):
        monday = MONDAY + dt.timedelta(weeks=w)
        rows.append(run(monday, 8.0))
        rows.append(run(monday + dt.timedelta(days=2), 8.0))
        km = long_km * 1.4 if spike and w == EXPOSED_WEEK else long_km
        rows.append(run(monday + dt.timedelta(days=5), km))
    return conform(rows, ACTIVITY)


@pytest.fixture(scope="module")
def seasons() -> dict[tuple[float, bool], tuple[pd.DataFrame, pd.DataFrame]]:
    """(weekly, findings) of each training plan: three long-run lengths, spike or not."""
    out = {}
    for long_km in (10.0, 12.0, 14.0):
        for spike in (False, True):
            a = analyse_activities(_season(long_km, spike), Settings(), today=TODAY)
            out[long_km, spike] = (a.weekly, a.findings)
    return out


def _squad(seasons, risk_spike: float, risk_other: float, n: int, seed: int):
    """``n`` athletes per group; pain logged 1-3 weeks after week 6 with the given risks."""
    rng = np.random.default_rng(seed)
    start = MONDAY + dt.timedelta(weeks=EXPOSED_WEEK)
    weeks = []
    for spike, risk in ((True, risk_spike), (False, risk_other)):
        for _ in range(n):
            weekly, findings = seasons[float(rng.choice([10.0, 12.0, 14.0])), spike]
            entries = [(start, 0.0, [])]  # the athlete starts the log that Monday
            if rng.random() < risk:
                later = start + dt.timedelta(weeks=int(rng.integers(1, 4)),
                                             days=int(rng.integers(0, 7)))
                entries.append((later, float(rng.integers(3, 8)), []))
            weeks.append(athlete_weeks(weekly, findings, _log(*entries)))
    weeks.append(None)  # one athlete without a pain log: left out, and said so
    return squad_outcomes(weeks)


def _row(result, rule="long_run_spike", severity="caution"):
    return next(r for r in result.rows if (r.rule, r.severity) == (rule, severity))


def test_planted_association_is_recovered(seasons):
    result = _squad(seasons, 0.40, 0.10, n=200, seed=14)
    row = _row(result)
    assert row.flagged_weeks == 200 and row.unflagged_weeks == 200
    assert row.enough and row.risk is not None
    assert row.risk.low <= 4.0 <= row.risk.high
    assert row.risk.low > 1.0
    assert result.athletes == 400 and result.without_log == 1
    assert "relative risk" in row.statement()


def test_no_association_gives_an_interval_covering_one(seasons):
    result = _squad(seasons, 0.20, 0.20, n=200, seed=15)
    row = _row(result)
    assert row.risk is not None and row.risk.low <= 1.0 <= row.risk.high
    assert row.risk.high < 4.0


def test_too_few_weeks_say_so(seasons):
    result = _squad(seasons, 0.40, 0.10, n=4, seed=1)
    row = _row(result)
    assert not row.enough
    assert "too few to say anything" in row.statement()
    assert CAVEAT in result.text()


def test_cli_on_sams_training_log(tmp_path):
    sam = ROSTER.parent / "sam"
    roster = tmp_path / "roster.toml"
    roster.write_text(
        f'[[athlete]]\nname = "Sam"\npaths = ["{sam / "training_log.csv"}"]\n'
        f'config = "{sam / "loadwatch.toml"}"\n'
        '[[athlete]]\nname = "Gone"\npaths = ["nowhere"]\n')
    result = CliRunner().invoke(cli, ["evaluate", str(roster), "--today", "2026-11-15"])
    assert result.exit_code == 0, result.output
    assert "1 athlete with a pain log" in result.output
    assert "Gone: not counted: no such file or folder" in result.output
    assert "not a prediction" in result.output


def test_batch_index_has_a_small_outcome_section(tmp_path):
    from loadwatch.batch import run_batch
    from loadwatch.roster import parse_roster

    sam = ROSTER.parent / "sam"
    roster = parse_roster({"athlete": [
        {"name": "Sam", "paths": [str(sam / "training_log.csv")],
         "config": str(sam / "loadwatch.toml")}]}, tmp_path)
    result = run_batch(roster, tmp_path / "out", cache=None, today=dt.date(2026, 11, 15),
                       weeks=4)
    page = result.index.read_text()
    assert "Flags and the squad&#39;s pain logs" in page or "Flags and the squad's pain" in page
    assert "1 athlete with a pain log" in page and "not a prediction" in page
    assert "too few to say" in page
    assert "outcome_weeks" not in result.summary.read_text()
