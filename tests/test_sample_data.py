"""The bundled sample_data: reproducible, readable without problems, and tripping exactly
the rules it was designed to trip (sample_data/expected_findings.json), in those weeks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from loadwatch.pipeline import analyse
from loadwatch.schema import FINDINGS, severity_rank, validate
from tests.conftest import REPO, SAMPLE_DATA

EXPECTED = json.loads((SAMPLE_DATA / "expected_findings.json").read_text(encoding="utf-8"))
ATHLETES = ("sam", "alex")
#: the season's last day: the sample data is analysed as of then, not as of today
SEASON_END = dt.date(2026, 11, 15)


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_sample_data", REPO / "scripts" / "make_sample_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample_data", module)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def analyses() -> dict[str, object]:
    return {a: analyse([SAMPLE_DATA / a], today=SEASON_END) for a in ATHLETES}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    """Re-running the script gives the committed files, byte for byte (~5 s)."""
    GEN.main(["--out", str(tmp_path / "sample_data")])
    fresh = _digests(tmp_path / "sample_data")
    committed = _digests(SAMPLE_DATA)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], f"regenerate with python scripts/make_sample_data.py: {changed[:5]}"


def test_sample_data_is_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLE_DATA.rglob("*") if p.is_file())
    assert 1_000_000 < total < 3_000_000


@pytest.mark.parametrize("athlete", ATHLETES)
def test_every_file_imports_without_problems(analyses, athlete: str) -> None:
    a = analyses[athlete]
    assert [f"{p.source}: {p.reason}" for p in a.problems] == []
    plan = GEN.plan_sam() if athlete == "sam" else GEN.plan_alex()
    acts = a.activities
    assert len(acts) == len(plan)
    # every planned session arrived with its distance (device distance or summary)
    got = acts.groupby(acts["start_time"].dt.tz_convert(a.timezone).dt.date)[
        "distance_km"
    ].sum()
    want = pd.Series([s.km for s in plan], index=[s.day for s in plan]).groupby(level=0).sum()
    assert got.index.tolist() == want.index.tolist()
    assert (got - want).abs().max() < 0.05
    sports = acts["sport"].value_counts().to_dict()
    if athlete == "sam":
        assert set(acts["format"]) == {"fit", "gpx", "tcx", "log_csv"}
        assert sports == {"running": 96, "treadmill_running": 3, "cycling": 1}
        assert set(acts["shoe"].dropna()) == {"Ghost 15", "Pegasus 40"}
    else:
        assert set(acts["format"]) == {"fit", "gpx", "strava_csv"}
        assert sports == {"running": 66, "trail_running": 3, "cycling": 2}
        rigi = acts[acts["title"].str.startswith("Rigi")].iloc[0]
        assert rigi["sport"] == "trail_running"
        assert rigi["shoe"] == "Speedgoat 5"  # Strava's "Activity Gear"
        assert rigi["rpe"] == 7  # Strava's "Perceived Exertion"
        assert 1250 < rigi["descent_m"] < 1500  # 1,350 m climb and back, plus rolling
    # easy runs carry no hi-intensity time; only workouts do
    hi = acts.loc[acts["sport"].ne("cycling"), "hi_intensity_s"].fillna(0)
    assert (hi > 0).sum() == sum(1 for s in plan if s.kind in ("workout", "tempo", "intervals"))


def _findings(analyses, athlete: str) -> pd.DataFrame:
    f = analyses[athlete].findings
    validate(f, FINDINGS)
    return f.assign(rank=f["severity"].map(severity_rank))


@pytest.mark.parametrize("athlete", ATHLETES)
def test_expected_findings_in_their_weeks(analyses, athlete: str) -> None:
    f = _findings(analyses, athlete)
    rows = [e for e in EXPECTED["findings"] if e["athlete"] == athlete]
    assert rows
    missing = [
        (e["rule"], e["week"], e["min_severity"])
        for e in rows
        if not ((f["rule"] == e["rule"]) & (f["week"] == e["week"])
                & (f["rank"] >= severity_rank(e["min_severity"]))).any()
    ]
    assert missing == []


@pytest.mark.parametrize("athlete", ATHLETES)
def test_designed_rules_fire_nowhere_else(analyses, athlete: str) -> None:
    """For each exclusive expectation, the rule reaches that severity only in listed weeks."""
    f = _findings(analyses, athlete)
    stray = []
    for e in EXPECTED["findings"]:
        if e["athlete"] != athlete or not e["exclusive"]:
            continue
        listed = {x["week"] for x in EXPECTED["findings"]
                  if x["athlete"] == athlete and x["rule"] == e["rule"]}
        hits = f[(f["rule"] == e["rule"]) & (f["rank"] >= severity_rank(e["min_severity"]))]
        stray += [(e["rule"], w) for w in sorted(set(hits["week"]) - listed)]
    for n in EXPECTED["never"]:
        if n["athlete"] == athlete:
            hits = f[(f["rule"] == n["rule"]) & (f["rank"] >= severity_rank(n["min_severity"]))]
            stray += [(n["rule"], w) for w in sorted(set(hits["week"]))]
    assert stray == []


@pytest.mark.parametrize("athlete", ATHLETES)
def test_quiet_weeks_stay_quiet(analyses, athlete: str) -> None:
    f = _findings(analyses, athlete)
    silent = EXPECTED["silent_weeks"][athlete]
    quiet = EXPECTED["quiet_weeks"][athlete]
    assert f.loc[f["week"].isin(silent), ["week", "rule"]].values.tolist() == []
    loud = f[f["week"].isin(quiet) & (f["rank"] >= severity_rank("caution"))]
    assert loud[["week", "rule", "severity"]].values.tolist() == []
    # and the designed weeks are not quiet: the test can fail both ways
    assert not set(quiet) & {e["week"] for e in EXPECTED["findings"]
                             if e["athlete"] == athlete and e["min_severity"] != "info"}


def test_every_rule_fires_somewhere() -> None:
    """The sample season shows each rule of the catalogue at least once."""
    from loadwatch.rules import RULES

    designed = {e["rule"] for e in EXPECTED["findings"] if e["min_severity"] != "info"}
    assert designed == set(RULES)
