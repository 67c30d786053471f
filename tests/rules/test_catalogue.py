"""The catalogue is the single source: severities, windows, texts and evaluators."""

from __future__ import annotations

import dataclasses
import re

import pytest

from loadwatch import evaluate, load
from loadwatch.rules import BONE_STRESS_RULES, RULES
from loadwatch.settings import parse_settings
from tests.rules.synth import table, weeks_of_runs


def test_every_rule_has_an_evaluator_and_every_evaluator_a_rule() -> None:
    assert set(evaluate.EVALUATORS) == set(RULES)


def test_rule_texts_are_filled_from_their_values() -> None:
    spike = RULES["long_run_spike"]
    assert "previous 30 days" in spike.description and "above 10 %" in spike.description
    wider = spike.with_values(window_days=42, caution=0.15)
    assert "previous 42 days" in wider.description and "above 15 %" in wider.description
    assert "42 covered days" in wider.needs and "about 15 %" in wider.advice_text
    for rule in RULES.values():  # no placeholder left unfilled
        assert not re.search(r"[{}]", rule.description + rule.needs + rule.advice_text)


def test_bone_stress_rules_are_those_with_a_stepped_threshold() -> None:
    assert BONE_STRESS_RULES == ("weekly_distance_jump", "long_run_spike", "intensity_jump",
                                 "downhill_volume_jump")
    stepped = parse_settings({"athlete": {"sex": "female"}}).rules()
    assert stepped["long_run_spike"].value("caution") == pytest.approx(0.1 * 2 / 3)
    assert stepped["monotony"] == RULES["monotony"]


def test_every_finding_takes_its_severity_from_the_threshold_that_fired() -> None:
    rows = table(weeks_of_runs([20, 20, 20, 20, 20, 40, 20, 60, 20, 20], shoe="A"))
    settings = parse_settings({})
    acts, _ = load.prepare(rows, settings)
    daily = load.daily_frame(acts, settings)
    weekly = load.weekly_frame(daily)
    shoes = load.shoe_frame(acts, settings)
    # every threshold that can fire reports a different severity than its default
    def flip(t):
        other = "warning" if t.severity != "warning" else "info"
        return dataclasses.replace(t, severity=other) if t.severity else t

    flipped = {rid: dataclasses.replace(r, thresholds=tuple(map(flip, r.thresholds)))
               for rid, r in RULES.items()}
    ev = evaluate.evaluate_all(acts, daily, weekly, shoes, settings, rules=flipped)
    assert len(ev.findings) > 3
    for f in ev.findings.itertuples():
        assert f.severity == flipped[f.rule].threshold(f.threshold_name).severity
        assert f.severity != RULES[f.rule].threshold(f.threshold_name).severity


def test_a_window_override_in_toml_changes_the_judgement() -> None:
    """A 4-week base then a 14-day gap: return_after_break fires only if break_days <= 14."""
    rows = weeks_of_runs([20, 20, 20, 20, 0, 0, 20, 20])
    for days, fired in ((14, True), (21, False)):
        settings = parse_settings({"thresholds": {"return_after_break": {"break_days": days}}})
        acts, _ = load.prepare(table(rows), settings)
        daily = load.daily_frame(acts, settings)
        weekly = load.weekly_frame(daily)
        ev = evaluate.evaluate_all(acts, daily, weekly, load.shoe_frame(acts, settings),
                                   settings, rules=[RULES["return_after_break"]])
        assert (len(ev.findings) > 0) == fired, days
