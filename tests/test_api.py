"""The public Python API (``loadwatch.__all__``) on the sample season of sample_data/sam.

Every public name is used here as ``lw.<name>`` (test_every_public_name_is_exercised checks
that), so a name added to ``__all__`` without a test fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import importlib
import inspect
import math
import pkgutil
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pytest

import loadwatch as lw
from loadwatch import schema

from .conftest import SAMPLE_DATA

SAM = SAMPLE_DATA / "sam"
#: The Sunday that ends the sample season (2026-W46): fixes "today" so results do not
#: depend on the date the tests run.
TODAY = dt.date(2026, 11, 15)
#: Runs of Sam's season (sample_data/README.md's week table: 20 weeks, 99 runs).
SAM_RUNS = 99


@pytest.fixture(scope="module")
def settings() -> lw.Settings:
    return lw.read_settings(search=[SAM])


@pytest.fixture(scope="module")
def result(settings: lw.Settings) -> lw.ReadResult:
    return lw.read_activities([SAM], timezone=settings.timezone)


@pytest.fixture(scope="module")
def frames(result: lw.ReadResult, settings: lw.Settings) -> dict[str, pd.DataFrame]:
    prepared, _ = lw.prepare(result.activities, settings)
    daily = lw.daily_frame(prepared, settings, today=TODAY)
    return {
        "activities": prepared,
        "daily": daily,
        "weekly": lw.weekly_frame(daily),
        "shoes": lw.shoe_frame(prepared, settings),
    }


@pytest.fixture(scope="module")
def symptoms() -> pd.DataFrame:
    log, problems = lw.read_symptoms(SAM / "symptoms.csv")
    assert problems == []
    return log


@pytest.fixture(scope="module")
def analysis(
    result: lw.ReadResult, settings: lw.Settings, symptoms: pd.DataFrame
) -> lw.Analysis:
    return lw.analyse_activities(result.activities, settings, symptoms=symptoms, today=TODAY)


def stricter_jump_rules() -> dict[str, lw.Rule]:
    """The catalogue with the weekly distance jump's caution at the 10 % rule itself."""
    rule = lw.RULES["weekly_distance_jump"].with_values(caution=0.10)
    return {**lw.RULES, rule.id: rule}


def jumps(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[findings["rule"] == "weekly_distance_jump"]


# --- the namespace ----------------------------------------------------------------------


def test_import_loads_neither_matplotlib_nor_pandas() -> None:
    code = (
        "import sys, loadwatch; "
        "print(loadwatch.__version__, sorted(m for m in ('matplotlib', 'pandas', 'numpy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert out == [lw.__version__, "[]"]


def test_every_public_name_is_documented() -> None:
    module_doc = inspect.getdoc(lw) or ""
    for name in lw.__all__:
        obj = getattr(lw, name)
        if isinstance(obj, Mapping):  # RULES, CONDITIONS: described in the package docstring
            assert f"``{name}``" in module_doc, name
            continue
        doc = obj.__doc__ or ""
        # a dataclass without a docstring gets "Name(field: type, ...)"
        assert len(doc.strip()) > 20 and not doc.startswith(f"{obj.__name__}("), name


def test_public_names_are_the_modules_objects() -> None:
    submodules = {m.name for m in pkgutil.iter_modules(lw.__path__)}
    assert not submodules & set(lw.__all__), "a public name would be shadowed by a submodule"
    assert sorted(lw.__all__) == sorted(lw._EXPORTS)
    for name, (module, attribute) in lw._EXPORTS.items():
        assert getattr(lw, name) is getattr(importlib.import_module(module), attribute)
    # importing the submodules does not replace the exported functions
    import loadwatch.pipeline
    import loadwatch.rules.evaluators

    assert inspect.ismodule(loadwatch.pipeline) and inspect.ismodule(loadwatch.rules.evaluators)
    assert lw.analyse_paths is loadwatch.pipeline.analyse
    assert lw.evaluate_rules is loadwatch.rules.evaluators.evaluate
    assert set(lw.__all__) <= set(dir(lw))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = lw.nope


def test_every_public_name_is_exercised() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    used = set(re.findall(r"\blw\.(\w+)", source))
    assert set(lw.__all__) - used == set()


def test_public_functions_are_typed() -> None:
    for name in lw.__all__:
        obj = getattr(lw, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, name
            for p in sig.parameters.values():
                assert p.annotation is not inspect.Parameter.empty, f"{name}({p.name})"


# --- reading ----------------------------------------------------------------------------


def test_read_folder_gives_table_and_no_problems(result: lw.ReadResult) -> None:
    acts = result.activities
    assert type(acts) is pd.DataFrame
    assert list(acts.columns) == schema.ACTIVITY.names
    assert str(acts["start_time"].dtype) == schema.UTC_TIME
    assert acts["start_time"].is_monotonic_increasing
    assert result.problems == []
    assert int(acts["sport"].isin(schema.RUNNING_SPORTS).sum()) == SAM_RUNS
    assert set(acts["format"]) >= {"fit", "gpx", "tcx", "log_csv"}
    assert acts["activity_id"].is_unique
    assert result.summary_line().startswith(f"Read {result.files_read} files: ")


def test_read_lists_a_bad_file_as_a_problem(tmp_path: Path) -> None:
    good = sorted((SAM / "garmin").glob("*.fit"))[0]
    shutil.copy(good, tmp_path / good.name)
    (tmp_path / "broken.gpx").write_text("<gpx><trk><trkseg><trkpt lat=", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an activity", encoding="utf-8")
    got = lw.read_activities([tmp_path])
    assert len(got.activities) == 1 and got.files_read == 2 and got.files_skipped == 1
    [problem] = got.problems
    assert isinstance(problem, lw.Problem)
    assert problem.source.endswith("broken.gpx") and problem.kind == "error"
    assert problem.reason and "\n" not in problem.reason


def test_records_of_one_activity(result: lw.ReadResult) -> None:
    acts = result.activities
    hilly = acts.loc[acts["descent_m"].idxmax()]
    records = lw.records_for(result, hilly["activity_id"])
    assert type(records) is pd.DataFrame
    assert list(records.columns) == schema.RECORDS.names
    assert str(records["time"].dtype) == schema.UTC_TIME
    assert records["time"].is_monotonic_increasing
    assert abs(records["time"].iloc[0] - hilly["start_time"]) <= pd.Timedelta(minutes=1)
    assert records["distance_m"].iloc[-1] / 1000 == pytest.approx(hilly["distance_km"], rel=0.02)
    climb = records["altitude_m"].max() - records["altitude_m"].min()
    assert 100 < climb < hilly["descent_m"]  # the one big descent, plus rolling hills
    assert records["hr_bpm"].between(40, 220).all()
    # the same stream read straight from the file
    again = lw.read_records(hilly["source"])
    pd.testing.assert_frame_equal(records, again)


def test_read_records_of_a_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(lw.InputError, match="no such file"):
        lw.read_records(tmp_path / "gone.fit")


# --- settings ---------------------------------------------------------------------------


def test_load_settings_of_the_sample_athlete(settings: lw.Settings) -> None:
    assert settings.name == "Sam" and settings.timezone == "Europe/Amsterdam"
    assert (settings.max_hr, settings.resting_hr, settings.threshold_hr) == (190, 50, 169)
    assert settings.threshold_pace_s_km == 260  # "4:20" min/km
    assert [s.name for s in settings.shoes] == ["Ghost 15", "Pegasus 40"]
    assert isinstance(settings.shoes[1], lw.Shoe) and settings.shoes[1].start_km == 219
    assert settings.bone_stress == ["female"]
    assert lw.read_settings(search=[SAMPLE_DATA]) == lw.Settings()  # no toml there


def test_bad_settings_are_a_one_line_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "loadwatch.toml"
    bad.write_text("[athlete]\nmax_hr = 900\n", encoding="utf-8")
    with pytest.raises(lw.UsageError) as info:
        lw.read_settings(bad)
    assert "max_hr" in str(info.value) and "\n" not in str(info.value)


# --- load frames ------------------------------------------------------------------------


def test_prepare_fills_trimp_and_intensity(frames: dict[str, pd.DataFrame]) -> None:
    acts = frames["activities"]
    runs = acts[acts["sport"].isin(schema.RUNNING_SPORTS)]
    assert runs["trimp"].notna().all() and (runs["trimp"] > 0).all()
    assert runs["hi_intensity_s"].notna().mean() > 0.9
    assert runs["shoe"].notna().all()  # every run falls in a [[shoes]] date range


def test_daily_frame(frames: dict[str, pd.DataFrame]) -> None:
    daily, acts = frames["daily"], frames["activities"]
    assert type(daily) is pd.DataFrame and list(daily.columns) == schema.DAILY.names
    assert (daily["date"].diff().dropna() == pd.Timedelta(days=1)).all()
    assert daily["date"].iloc[0].weekday() == 0 and daily["date"].iloc[-1].date() == TODAY
    runs = acts["sport"].isin(schema.RUNNING_SPORTS)
    assert daily["runs"].sum() == SAM_RUNS
    assert daily["distance_km"].sum() == pytest.approx(acts.loc[runs, "distance_km"].sum())


def test_weekly_frame(frames: dict[str, pd.DataFrame]) -> None:
    weekly, daily = frames["weekly"], frames["daily"]
    assert type(weekly) is pd.DataFrame and list(weekly.columns) == schema.WEEKLY.names
    assert weekly["week"].tolist() == [f"2026-W{w}" for w in range(27, 47)]
    # all but the first week, which began before the first run
    assert weekly["covered"].tolist() == [False] + [True] * 19
    assert weekly["distance_km"].sum() == pytest.approx(daily["distance_km"].sum())
    km = weekly.set_index("week")["distance_km"]
    # sample_data/README.md: 37 km in W33, then 50 km in W34 (+35 %)
    assert km["2026-W33"] == pytest.approx(37.0, abs=0.5)
    assert km["2026-W34"] == pytest.approx(50.0, abs=0.5)


def test_shoe_frame(frames: dict[str, pd.DataFrame]) -> None:
    shoes = frames["shoes"]
    assert list(shoes.columns) == schema.SHOES.names
    total = shoes.groupby("shoe")["cumulative_km"].max()
    # Pegasus 40 (219 km at the start) passes 800 km in W46
    assert 800 < total["Pegasus 40"] < 830
    assert total["Ghost 15"] > 450


# --- rules ------------------------------------------------------------------------------


def test_the_catalogue(settings: lw.Settings) -> None:
    rule = lw.RULES["weekly_distance_jump"]
    assert isinstance(rule, lw.Rule)
    caution = rule.threshold("caution")
    assert isinstance(caution, lw.Threshold) and caution.value == 0.30
    for cid in rule.conditions:
        assert isinstance(lw.CONDITIONS[cid], lw.Condition)
    assert settings.rules()[rule.id].value("caution") == pytest.approx(0.20)  # bone-stress step


def test_evaluate_rules_finds_the_sample_jump(
    frames: dict[str, pd.DataFrame], settings: lw.Settings
) -> None:
    findings, not_evaluated = lw.evaluate_rules(**frames, settings=settings)
    assert type(findings) is pd.DataFrame and list(findings.columns) == schema.FINDINGS.names
    j = jumps(findings)
    assert j.loc[j["severity"] == "caution", "week"].tolist() == ["2026-W34"]
    w34 = j[j["week"] == "2026-W34"].iloc[0]
    assert w34["value"] == pytest.approx(35.1, abs=1.0) and w34["threshold"] == pytest.approx(20)
    assert w34["unit"] == "%"
    assert "trail_volume_jump: no runs tagged as trail" in not_evaluated
    assert "red_flag_symptoms" not in set(findings["rule"])  # no symptom log given


def test_a_threshold_override_changes_the_findings(
    frames: dict[str, pd.DataFrame], settings: lw.Settings
) -> None:
    default, _ = lw.evaluate_rules(**frames, settings=settings)
    strict, _ = lw.evaluate_rules(**frames, settings=settings, rules=stricter_jump_rules())
    cautions = jumps(strict).query("severity == 'caution'")
    # +7 % (W36) and +8 % (W43) now pass 10 % x 2/3 (Sam's bone-stress step)
    assert cautions["week"].tolist() == ["2026-W34", "2026-W36", "2026-W43"]
    assert cautions["threshold"].to_numpy() == pytest.approx([100 * 0.10 * 2 / 3] * 3)
    other = default["rule"] != "weekly_distance_jump"
    pd.testing.assert_frame_equal(
        default[other].reset_index(drop=True),
        strict[strict["rule"] != "weekly_distance_jump"].reset_index(drop=True),
    )
    # dataclasses.replace works too: a looser rule with no info threshold left to trip
    rule = lw.RULES["weekly_distance_jump"]
    loose = dataclasses.replace(rule, thresholds=tuple(
        dataclasses.replace(t, value=0.60) if t.name in ("info", "caution") else t
        for t in rule.thresholds
    ))
    looser, _ = lw.evaluate_rules(**frames, settings=settings, rules={**lw.RULES, rule.id: loose})
    assert jumps(looser).empty


def test_envelope_for_next_week(frames: dict[str, pd.DataFrame], settings: lw.Settings) -> None:
    env = lw.envelope(frames["activities"], frames["daily"], frames["weekly"], settings)
    assert isinstance(env, lw.Envelope)
    assert env.week == "2026-W47" and env.week_start == dt.date(2026, 11, 16)
    last = float(frames["weekly"]["distance_km"].iloc[-1])
    # weekly_distance_jump's caution, stepped down for Sam: +20 %, at least +3 km, rounded
    # down (31.0 km x 1.2 = 37.197 km: 37.2 km would be above the limit)
    assert env.distance_km == pytest.approx(math.floor(max(last * 1.2, last + 3.0) * 10) / 10)
    assert env.basis["distance_km"].startswith("Weekly distance jump (the 10 % rule): +20 %")


# --- analysis and report ----------------------------------------------------------------


def test_analyse_activities(
    analysis: lw.Analysis, frames: dict[str, pd.DataFrame], result: lw.ReadResult,
    settings: lw.Settings, symptoms: pd.DataFrame,
) -> None:
    pd.testing.assert_frame_equal(analysis.weekly, frames["weekly"])
    seek = analysis.findings.query("severity == 'seek_care'")
    assert seek[["rule", "week"]].values.tolist() == [["red_flag_symptoms", "2026-W46"]]
    strict = lw.analyse_activities(result.activities, settings, symptoms=symptoms,
                                   today=TODAY, rules=stricter_jump_rules())
    assert len(jumps(strict.findings).query("severity == 'caution'")) == 3
    assert strict.envelope is not None and analysis.envelope is not None
    # Saturday's red flag is current: no running allowance, whatever the thresholds
    assert strict.envelope.distance_km == analysis.envelope.distance_km == 0.0
    assert "clinician" in analysis.envelope.basis["distance_km"]
    loose = lw.analyse_activities(result.activities, settings, today=TODAY)
    tight = lw.analyse_activities(result.activities, settings, today=TODAY,
                                  rules=stricter_jump_rules())
    assert loose.envelope is not None and tight.envelope is not None
    assert tight.envelope.distance_km < loose.envelope.distance_km


def test_analyse_paths_reads_settings_and_symptom_log(tmp_path: Path) -> None:
    # the last three weeks of the season, with the athlete's toml and symptom log
    for f in (SAM / "garmin").glob("2026-1[01]-*.fit"):
        if f.name >= "2026-10-26":
            shutil.copy(f, tmp_path / f.name)
    for name in ("loadwatch.toml", "symptoms.csv"):
        shutil.copy(SAM / name, tmp_path / name)
    got = lw.analyse_paths([tmp_path], today=TODAY)
    assert got.athlete == "Sam" and got.settings.threshold_hr == 169
    assert got.files_read == len(list(tmp_path.glob("*.fit"))) and got.problems == []
    assert got.weekly["week"].tolist() == ["2026-W44", "2026-W45", "2026-W46"]
    assert "seek_care" in set(got.findings["severity"])
    with pytest.raises(lw.UsageError, match="no such file"):
        lw.analyse_paths([tmp_path / "nowhere"])
    one = lw.analyse_paths(str(tmp_path), today=TODAY)  # a single path needs no list
    assert one.weekly["week"].tolist() == got.weekly["week"].tolist()


def test_render_report_shows_the_findings(analysis: lw.Analysis) -> None:
    page = lw.render_report(analysis, weeks=8, narrow_figures=False)
    assert page.lstrip().lower().startswith("<!doctype html>")
    shown = analysis.findings[analysis.findings["week"].isin(analysis.weekly["week"].tail(8))]
    serious = shown[shown["severity"].isin(["caution", "warning", "seek_care"])]
    assert {"downhill_volume_jump", "shoe_mileage", "red_flag_symptoms"} <= set(serious["rule"])
    text = html.unescape(page)
    for f in serious.itertuples():
        assert f.rule in text and f.message in text


def test_write_report_writes_the_file(analysis: lw.Analysis, tmp_path: Path) -> None:
    path = lw.write_report(analysis, tmp_path / "sam.html", weeks=4, narrow_figures=False)
    assert path == tmp_path / "sam.html"
    text = path.read_text(encoding="utf-8")
    assert text.lower().startswith("<!doctype html>") and "Sam" in text
    assert "red_flag_symptoms" in text


# --- names renamed in 0.2 keep working for one release ----------------------------------


@pytest.mark.parametrize(("old", "new"), [
    ("loadwatch.analyse", "loadwatch.pipeline"),
    ("loadwatch.analysis", "loadwatch.result"),
    ("loadwatch.load", "loadwatch.frames"),
    ("loadwatch.evaluate", "loadwatch.rules.evaluators"),
    ("loadwatch.symptoms", "loadwatch.rules.symptoms"),
])
def test_an_old_module_name_warns_and_reads_the_new_module(old: str, new: str) -> None:
    code = (
        "import warnings; warnings.simplefilter('always'); import importlib\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        f"    old = importlib.import_module({old!r})\n"
        f"new = importlib.import_module({new!r})\n"
        "name = next(n for n in vars(new) if not n.startswith('__'))\n"
        "assert getattr(old, name) is getattr(new, name), name\n"
        "print([str(x.message) for x in w if x.category is DeprecationWarning])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert f"{old} is now {new}" in out


def test_old_function_names_warn_and_call_the_new_ones(tmp_path: Path) -> None:
    from loadwatch.roster import load_roster, read_roster

    (tmp_path / "loadwatch.toml").write_text('[athlete]\nsex = "female"\n')
    with pytest.warns(DeprecationWarning, match=r"load_settings\(\) is now read_settings"):
        old = lw.load_settings(tmp_path / "loadwatch.toml")
    assert old == lw.read_settings(tmp_path / "loadwatch.toml")
    (tmp_path / "runs").mkdir()
    (tmp_path / "roster.toml").write_text('[[athlete]]\nname = "A"\npaths = ["runs"]\n')
    with pytest.warns(DeprecationWarning, match="load_roster"):
        assert load_roster(tmp_path / "roster.toml") == read_roster(tmp_path / "roster.toml")
