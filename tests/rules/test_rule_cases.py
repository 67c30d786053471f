"""Run the per-rule pass/fail tables in tests/rules/cases.py."""

from __future__ import annotations

import dataclasses

import pytest

from loadwatch import frames
from loadwatch.rules import RULES
from loadwatch.rules.evaluators import evaluate
from loadwatch.settings import parse_settings
from tests.rules.cases import CASES
from tests.rules.synth import MONDAY, table, weeks_of_runs

PARAMS = [
    pytest.param(rule_id, case, id=f"{rule_id}: {case['name']}")
    for rule_id, cases in CASES.items()
    for case in cases
]


def _settings(case: dict):
    raw = dict(case.get("settings", {}))
    doc: dict = {}
    if "thresholds" in raw:
        doc["thresholds"] = raw.pop("thresholds")
    if "shoes" in raw:
        doc["shoes"] = raw.pop("shoes")
    if raw:
        doc["athlete"] = raw
    return parse_settings(doc)


def run_case(rule_id: str, case: dict):
    settings = _settings(case)
    if "weeks" in case:
        rows = weeks_of_runs(case["weeks"], days=case.get("days", (0, 2, 5)))
    else:
        rows = case["runs"]
    acts, _ = frames.prepare(table(rows), settings)
    daily = frames.daily_frame(acts, settings)
    weekly = frames.weekly_frame(daily)
    shoes = frames.shoe_frame(acts, settings)
    rule = RULES[rule_id]
    if "rule" in case:
        rule = rule.with_values(**case["rule"])
    findings, _ = evaluate(acts, daily, weekly, shoes, settings, rules=[rule])
    return findings, weekly


@pytest.mark.parametrize(("rule_id", "case"), PARAMS)
def test_rule_case(rule_id: str, case: dict) -> None:
    findings, weekly = run_case(rule_id, case)
    assert set(findings["rule"]) <= {rule_id}
    weeks = {w: i for i, w in enumerate(weekly["week_start"])}
    got = sorted((weeks[w], s) for w, s in zip(findings["week_start"], findings["severity"],
                                               strict=True))
    assert got == sorted(case["expect"]), findings["message"].tolist()
    if "value" in case:
        assert findings["value"].iat[0] == pytest.approx(case["value"], rel=1e-6)
    if "threshold" in case:
        assert findings["threshold"].iat[0] == pytest.approx(case["threshold"], rel=1e-6)


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(RULES) - {"red_flag_symptoms"}


def test_code_override_with_dataclasses_replace() -> None:
    rule = RULES["weekly_distance_jump"]
    caution = dataclasses.replace(rule.threshold("caution"), value=0.2)
    custom = dataclasses.replace(
        rule, thresholds=tuple(caution if t.name == "caution" else t for t in rule.thresholds)
    )
    settings = parse_settings({})
    acts, _ = frames.prepare(table(weeks_of_runs([40, 50])), settings)
    daily = frames.daily_frame(acts, settings)
    weekly, shoes = frames.weekly_frame(daily), frames.shoe_frame(acts, settings)
    findings, _ = evaluate(acts, daily, weekly, shoes, settings, rules={rule.id: custom})
    assert findings["severity"].tolist() == ["caution"]
    assert findings["threshold"].iat[0] == pytest.approx(20.0)
    assert "Weekly distance rose 25 % (40.0 km to 50.0 km)" in findings["message"].iat[0]


def test_message_wording_and_evidence() -> None:
    findings, _ = run_case("weekly_distance_jump", {"weeks": [32, 44]})
    f = findings.iloc[0]
    assert f["message"] == ("Weekly distance rose 38 % (32.0 km to 44.0 km); rule of thumb "
                            "10 %, caution above 30 %")
    assert f["conditions"] == list(RULES["weekly_distance_jump"].conditions)
    assert f["evidence"].startswith("weak: Buist 2008")
    assert f["week"] == "2026-W03" and f["week_start"].date() == MONDAY.replace(day=12)
